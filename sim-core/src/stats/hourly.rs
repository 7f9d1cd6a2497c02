//! Results by clock hour and by day across replications, and each hour's and day's
//! bottleneck: the station with the largest share of the patient-minutes waited in it.
//!
//! Streaming, like the rest of the summary: sums over replications per hour and station, so
//! memory does not grow with the number of replications.

use super::summary::{CONFIDENCE, Metric};
use crate::engine::ReplicationResult;
use crate::model::Model;
use crate::scenario::units::format_clock;
use serde::Serialize;
use std::collections::BTreeMap;

/// Per hour and station, what the replications so far add up to.
#[derive(Debug, Clone, Default)]
pub(crate) struct HourlyAcc {
    /// Per hour: Σ arrivals and Σ arrivals² over the replications.
    arrivals: Vec<(f64, f64)>,
    /// Per hour, per station: Σ patient-minutes waited, Σ waits begun (count, minutes).
    stations: Vec<Vec<(f64, u64, f64)>>,
    /// Per day: Σ arrivals and Σ arrivals² over the replications.
    day_arrivals: Vec<(f64, f64)>,
    /// Replications folded in.
    n: u32,
}

impl HourlyAcc {
    /// Folds in one replication (in replication order).
    pub(crate) fn add(&mut self, r: &ReplicationResult) {
        self.n += 1;
        let hours = r
            .stations
            .iter()
            .map(|s| s.by_hour.len())
            .chain([r.arrivals_by_hour.len()])
            .max()
            .unwrap_or(0);
        if self.arrivals.len() < hours {
            self.arrivals.resize(hours, (0.0, 0.0));
        }
        for (h, a) in r.arrivals_by_hour.iter().enumerate() {
            let a = f64::from(*a);
            self.arrivals[h].0 += a;
            self.arrivals[h].1 += a * a;
        }
        let days = hours.div_ceil(24);
        if self.day_arrivals.len() < days {
            self.day_arrivals.resize(days, (0.0, 0.0));
        }
        for (d, day) in r.arrivals_by_hour.chunks(24).enumerate() {
            let a: f64 = day.iter().map(|&a| f64::from(a)).sum();
            self.day_arrivals[d].0 += a;
            self.day_arrivals[d].1 += a * a;
        }
        for (s, st) in r.stations.iter().enumerate() {
            for (h, w) in st.by_hour.iter().enumerate() {
                while self.stations.len() <= h {
                    self.stations.push(vec![(0.0, 0, 0.0); r.stations.len()]);
                }
                let e = &mut self.stations[h][s];
                e.0 += w.waiting;
                e.1 += u64::from(w.started);
                e.2 += w.started_sum;
            }
        }
    }

    /// The hours from the first to the last with any arrival or waiting.
    pub(crate) fn summary(&self, model: &Model) -> Vec<HourSummary> {
        let n = f64::from(self.n.max(1));
        let hours = self.arrivals.len().max(self.stations.len());
        let active = |h: usize| {
            self.arrivals.get(h).is_some_and(|a| a.0 > 0.0)
                || self
                    .stations
                    .get(h)
                    .is_some_and(|s| s.iter().any(|e| e.0 > 0.0))
        };
        let Some(first) = (0..hours).find(|&h| active(h)) else {
            return Vec::new();
        };
        let last = (0..hours).rev().find(|&h| active(h)).unwrap_or(first);
        (first..=last)
            .map(|h| {
                let (sum, sq) = self.arrivals.get(h).copied().unwrap_or((0.0, 0.0));
                let waits = self.stations.get(h);
                let waiting: Vec<f64> = (0..model.stations.len())
                    .map(|s| waits.map_or(0.0, |w| w[s].0) / n)
                    .collect();
                let bottleneck = bottleneck(&waiting);
                HourSummary {
                    day: (h / 24) as u32 + 1,
                    clock: format_clock((h % 24) as f64 * 60.0),
                    start_min: h as f64 * 60.0,
                    arrivals: moments_metric(self.n, sum, sq),
                    queue_length: model
                        .stations
                        .iter()
                        .zip(&waiting)
                        .map(|(st, w)| (st.id.clone(), w / 60.0))
                        .collect(),
                    wait_min: model
                        .stations
                        .iter()
                        .enumerate()
                        .map(|(s, st)| {
                            let (count, minutes) = waits.map_or((0, 0.0), |w| (w[s].1, w[s].2));
                            (st.id.clone(), (count > 0).then(|| minutes / count as f64))
                        })
                        .collect(),
                    bottleneck: bottleneck.map(|(s, _)| model.stations[s].id.clone()),
                    bottleneck_share: bottleneck.map(|(_, share)| share),
                }
            })
            .collect()
    }
}

/// The station with the most waiting (the first in file order on a tie) and its share of
/// all of it; None when nobody waited.
fn bottleneck(waiting: &[f64]) -> Option<(usize, f64)> {
    let total: f64 = waiting.iter().sum();
    waiting
        .iter()
        .enumerate()
        .filter(|(_, w)| **w > 0.0)
        .fold(None, |best: Option<(usize, f64)>, (s, &w)| match best {
            Some((_, b)) if b >= w => best,
            _ => Some((s, w)),
        })
        .map(|(s, w)| (s, w / total))
}

/// Least waiting (patient-minutes in the hour or the day) for which tables and reports name
/// a bottleneck: below it, hardly anyone waited and naming a station would mislead.
pub const NAMED_WAITING_MIN: f64 = 0.3;

/// A bottleneck worth naming: the station, its share of the waiting and the mean wait of the
/// waits begun in the period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Named<'a> {
    /// Station id.
    pub station: &'a str,
    /// Its share of the minutes waited.
    pub share: f64,
    /// Mean wait of the waits begun in the period (None when none began).
    pub wait_min: Option<f64>,
}

fn named<'a>(
    bottleneck: &'a Option<String>,
    share: Option<f64>,
    waiting_min: f64,
    wait_min: &BTreeMap<String, Option<f64>>,
) -> Option<Named<'a>> {
    match (bottleneck, share) {
        (Some(b), Some(share)) if waiting_min >= NAMED_WAITING_MIN => Some(Named {
            station: b,
            share,
            wait_min: wait_min.get(b).copied().flatten(),
        }),
        _ => None,
    }
}

impl HourSummary {
    /// Mean number of patients waiting over the hour, all stations.
    pub fn waiting(&self) -> f64 {
        self.queue_length.values().sum()
    }

    /// The hour's bottleneck when at least [`NAMED_WAITING_MIN`] patient-minutes were waited.
    pub fn named_bottleneck(&self) -> Option<Named<'_>> {
        named(
            &self.bottleneck,
            self.bottleneck_share,
            self.waiting() * 60.0,
            &self.wait_min,
        )
    }
}

impl DaySummary {
    /// Patient-hours spent waiting that day, all stations.
    pub fn waiting(&self) -> f64 {
        self.waiting_hours.values().sum()
    }

    /// The day's bottleneck when at least [`NAMED_WAITING_MIN`] patient-minutes were waited.
    pub fn named_bottleneck(&self) -> Option<Named<'_>> {
        named(
            &self.bottleneck,
            self.bottleneck_share,
            self.waiting() * 60.0,
            &self.wait_min,
        )
    }
}

impl HourlyAcc {
    /// The days from the first to the last with any arrival or waiting, from the same sums
    /// and the hours [`HourlyAcc::summary`] gave.
    pub(crate) fn days(&self, model: &Model, hours: &[HourSummary]) -> Vec<DaySummary> {
        let (Some(first), Some(last)) = (hours.first(), hours.last()) else {
            return Vec::new();
        };
        (first.day..=last.day)
            .map(|day| {
                let of_day: Vec<&HourSummary> = hours.iter().filter(|h| h.day == day).collect();
                let d = (day - 1) as usize;
                let (sum, sq) = self.day_arrivals.get(d).copied().unwrap_or((0.0, 0.0));
                // Patient-minutes waited per station over the day (per replication).
                let waiting: Vec<f64> = model
                    .stations
                    .iter()
                    .map(|st| of_day.iter().map(|h| h.queue_length[&st.id] * 60.0).sum())
                    .collect();
                let bottleneck = bottleneck(&waiting);
                let wait_min = model
                    .stations
                    .iter()
                    .enumerate()
                    .map(|(s, st)| {
                        let (count, minutes) = (d * 24..(d + 1) * 24)
                            .filter_map(|h| self.stations.get(h))
                            .fold((0u64, 0.0), |(c, m), w| (c + w[s].1, m + w[s].2));
                        (st.id.clone(), (count > 0).then(|| minutes / count as f64))
                    })
                    .collect();
                DaySummary {
                    day,
                    arrivals: moments_metric(self.n, sum, sq),
                    waiting_hours: model
                        .stations
                        .iter()
                        .zip(&waiting)
                        .map(|(st, w)| (st.id.clone(), w / 60.0))
                        .collect(),
                    wait_min,
                    bottleneck: bottleneck.map(|(s, _)| model.stations[s].id.clone()),
                    bottleneck_share: bottleneck.map(|(_, share)| share),
                }
            })
            .collect()
    }
}

/// One day of the run across the replications.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DaySummary {
    /// Day of the run (1 for the first).
    pub day: u32,
    /// Arrivals that day, per replication.
    pub arrivals: Metric,
    /// Per station: patient-hours spent waiting that day, per replication.
    pub waiting_hours: BTreeMap<String, f64>,
    /// Per station: mean wait of the waits that began that day and ended in service, pooled.
    pub wait_min: BTreeMap<String, Option<f64>>,
    /// The station with the largest share of the day's waiting.
    pub bottleneck: Option<String>,
    /// Its share.
    pub bottleneck_share: Option<f64>,
}

/// A Metric from the count, sum and sum of squares of per-replication values.
fn moments_metric(n: u32, sum: f64, sq: f64) -> Metric {
    let nf = f64::from(n);
    if n == 0 {
        return Metric::non_negative(&[]);
    }
    let mean = sum / nf;
    let var = if n > 1 {
        ((sq - nf * mean * mean) / (nf - 1.0)).max(0.0)
    } else {
        0.0
    };
    let sd = var.sqrt();
    let half = (n > 1).then(|| super::t_critical(CONFIDENCE, u64::from(n) - 1) * sd / nf.sqrt());
    Metric {
        mean: mean + 0.0,
        sd: sd + 0.0,
        ci95_low: half.map(|h| (mean - h).max(0.0) + 0.0),
        ci95_high: half.map(|h| mean + h + 0.0),
    }
}

/// One clock hour across the replications.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HourSummary {
    /// Day of the run (1 for the first).
    pub day: u32,
    /// Start of the hour, `HH:MM`.
    pub clock: String,
    /// Start of the hour in minutes from the start of day one.
    pub start_min: f64,
    /// Arrivals in the hour, per replication.
    pub arrivals: Metric,
    /// Per station: mean number waiting over the hour (patient-minutes waited / 60), per
    /// replication.
    pub queue_length: BTreeMap<String, f64>,
    /// Per station: mean wait of the waits that began in the hour and ended in service,
    /// pooled over replications (null when none began).
    pub wait_min: BTreeMap<String, Option<f64>>,
    /// The station with the largest share of the minutes waited in the hour (null when nobody
    /// waited).
    pub bottleneck: Option<String>,
    /// That station's share of the minutes waited in the hour.
    pub bottleneck_share: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hour(queue: f64, share: f64) -> HourSummary {
        HourSummary {
            day: 1,
            clock: "17:00".into(),
            start_min: 1020.0,
            arrivals: Metric::non_negative(&[0.0, 0.0]),
            queue_length: [("desk".to_string(), queue)].into(),
            wait_min: [("desk".to_string(), Some(0.5))].into(),
            bottleneck: Some("desk".into()),
            bottleneck_share: Some(share),
        }
    }

    /// The bottleneck is the station with most waiting, the first on a tie; tables name it
    /// only from 0.3 patient-minutes of waiting on.
    #[test]
    fn the_bottleneck_is_named_only_where_people_waited() {
        assert_eq!(bottleneck(&[1.0, 3.0, 3.0, 0.0]), Some((1, 3.0 / 7.0)));
        assert_eq!(bottleneck(&[0.0, 0.0]), None);
        assert_eq!(hour(0.004, 1.0).named_bottleneck(), None);
        let busy = hour(0.01, 1.0);
        let named = busy.named_bottleneck().unwrap();
        assert_eq!((named.station, named.wait_min), ("desk", Some(0.5)));
    }
}

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
                let total: f64 = waiting.iter().sum();
                let bottleneck = waiting
                    .iter()
                    .enumerate()
                    .filter(|(_, w)| **w > 0.0)
                    // The first station (in file order) wins a tie.
                    .fold(None, |best: Option<(usize, f64)>, (s, &w)| match best {
                        Some((_, b)) if b >= w => best,
                        _ => Some((s, w)),
                    });
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
                    bottleneck_share: bottleneck.map(|(_, w)| w / total),
                }
            })
            .collect()
    }
}

impl HourlyAcc {
    /// The days from the first to the last with any arrival or waiting, from the same sums.
    pub(crate) fn days(&self, model: &Model) -> Vec<DaySummary> {
        let hours = self.summary(model);
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
                let total: f64 = waiting.iter().sum();
                let bottleneck = waiting.iter().enumerate().filter(|(_, w)| **w > 0.0).fold(
                    None,
                    |best: Option<(usize, f64)>, (s, &w)| match best {
                        Some((_, b)) if b >= w => best,
                        _ => Some((s, w)),
                    },
                );
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
                    bottleneck_share: bottleneck.map(|(_, w)| w / total),
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

//! Results by clock hour and by day across replications, and each hour's and day's
//! bottleneck: the station with the largest share of the patient-minutes waited in it.
//!
//! Streaming, like the rest of the summary: sums over replications per hour and station, so
//! memory does not grow with the number of replications.

use super::summary::{CONFIDENCE, Metric};
use crate::engine::ReplicationResult;
use crate::model::Model;
use crate::scenario::units::format_clock;
use crate::scenario::{EndOfDay, Weekday};
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
    /// Per day, per station: Σ sent home, Σ carried over, Σ overtime minutes.
    day_stations: Vec<Vec<(f64, f64, f64)>>,
    /// Per day, per shared resource: Σ overtime unit-minutes.
    day_pools: Vec<Vec<f64>>,
    /// With a calendar: each day's weekday (Monday = 0) when the clinic opens that day.
    open_weekday: Vec<Option<usize>>,
    /// Per weekday: Σ and Σ² over the replications of the mean arrivals per open day.
    weekday_arrivals: [(f64, f64); 7],
    /// Replications folded in.
    n: u32,
}

impl HourlyAcc {
    /// An empty accumulator for `model`.
    pub(crate) fn new(model: &Model) -> HourlyAcc {
        HourlyAcc {
            open_weekday: model.calendar.as_ref().map_or(Vec::new(), |c| {
                c.days
                    .iter()
                    .map(|d| d.open.then_some(d.weekday.index()))
                    .collect()
            }),
            ..HourlyAcc::default()
        }
    }

    /// Open days of each weekday in the run.
    fn weekday_days(&self) -> [u32; 7] {
        let mut n = [0; 7];
        for w in self.open_weekday.iter().flatten() {
            n[*w] += 1;
        }
        n
    }

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
        let mut by_weekday = [0.0; 7];
        for (d, day) in r.arrivals_by_hour.chunks(24).enumerate() {
            let a: f64 = day.iter().map(|&a| f64::from(a)).sum();
            self.day_arrivals[d].0 += a;
            self.day_arrivals[d].1 += a * a;
            if let Some(Some(w)) = self.open_weekday.get(d) {
                by_weekday[*w] += a;
            }
        }
        let per_weekday = self.weekday_days();
        for w in 0..7 {
            if per_weekday[w] > 0 {
                let a = by_weekday[w] / f64::from(per_weekday[w]);
                self.weekday_arrivals[w].0 += a;
                self.weekday_arrivals[w].1 += a * a;
            }
        }
        for (s, st) in r.stations.iter().enumerate() {
            for (d, c) in st.by_day.iter().enumerate() {
                while self.day_stations.len() <= d {
                    self.day_stations
                        .push(vec![(0.0, 0.0, 0.0); r.stations.len()]);
                }
                let e = &mut self.day_stations[d][s];
                e.0 += f64::from(c.sent_home);
                e.1 += f64::from(c.carried_over);
                e.2 += c.overtime;
            }
        }
        for (i, res) in r.resources.iter().enumerate() {
            for (d, o) in res.overtime_by_day.iter().enumerate() {
                while self.day_pools.len() <= d {
                    self.day_pools.push(vec![0.0; r.resources.len()]);
                }
                self.day_pools[d][i] += o;
            }
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

impl WeekdaySummary {
    /// Patient-hours spent waiting per open day, all stations.
    pub fn waiting(&self) -> f64 {
        self.waiting_hours.values().sum()
    }

    /// The weekday's bottleneck when at least [`NAMED_WAITING_MIN`] patient-minutes were waited.
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
    /// Mean wait at station `s` of the waits begun on the days `days` (0-based) and ended in
    /// service, pooled over those days and the replications.
    fn pooled_wait(&self, days: &[usize], s: usize) -> Option<f64> {
        let (count, minutes) = days
            .iter()
            .flat_map(|d| d * 24..(d + 1) * 24)
            .filter_map(|h| self.stations.get(h))
            .fold((0u64, 0.0), |(c, m), w| (c + w[s].1, m + w[s].2));
        (count > 0).then(|| minutes / count as f64)
    }

    /// Per replication, the mean over `days` (0-based) of entry `i` of a per-day table.
    fn per_day<T>(&self, table: &[Vec<T>], days: &[usize], i: usize, f: impl Fn(&T) -> f64) -> f64 {
        let total: f64 = days
            .iter()
            .filter_map(|d| table.get(*d))
            .map(|row| f(&row[i]))
            .sum();
        // `+ 0.0`: an empty sum is −0.0, which would print as "-0".
        total / f64::from(self.n.max(1)) / days.len().max(1) as f64 + 0.0
    }

    /// The end-of-day outcomes over `days` (0-based), per replication and day: overtime
    /// minutes by station and by resource (where overtime is worked), and patients sent home
    /// or carried over by station (under those rules).
    fn closings(&self, model: &Model, days: &[usize]) -> Closings {
        let rule = model.calendar.as_ref().map(|c| c.end_of_day);
        let by_station = |f: &dyn Fn(&(f64, f64, f64)) -> f64| -> BTreeMap<String, f64> {
            model
                .stations
                .iter()
                .enumerate()
                .map(|(s, st)| (st.id.clone(), self.per_day(&self.day_stations, days, s, f)))
                .collect()
        };
        Closings {
            overtime_min: model
                .stations
                .iter()
                .enumerate()
                .filter(|(_, st)| st.changes.iter().any(|c| c.overtime > 0))
                .map(|(s, st)| {
                    (
                        st.id.clone(),
                        self.per_day(&self.day_stations, days, s, |e| e.2),
                    )
                })
                .collect(),
            resource_overtime_min: model
                .resources
                .iter()
                .enumerate()
                .filter(|(_, r)| r.changes.iter().any(|c| c.overtime > 0))
                .map(|(i, r)| (r.id.clone(), self.per_day(&self.day_pools, days, i, |e| *e)))
                .collect(),
            sent_home: if rule == Some(EndOfDay::SendHome) {
                by_station(&|e| e.0)
            } else {
                BTreeMap::new()
            },
            carried_over: if rule == Some(EndOfDay::CarryOver) {
                by_station(&|e| e.1)
            } else {
                BTreeMap::new()
            },
        }
    }

    /// The days of the run: with a calendar every one of its days, otherwise from the first
    /// to the last with any arrival or waiting, from the same sums and the hours
    /// [`HourlyAcc::summary`] gave.
    pub(crate) fn days(&self, model: &Model, hours: &[HourSummary]) -> Vec<DaySummary> {
        // Without queue-length sampling there are no hours, and no days to list (their
        // arrivals and waiting are not recorded).
        let range = match (&model.calendar, hours.first(), hours.last()) {
            (Some(c), Some(_), Some(_)) => 1..=c.days.len() as u32,
            (None, Some(first), Some(last)) => first.day..=last.day,
            _ => return Vec::new(),
        };
        range
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
                    .map(|(s, st)| (st.id.clone(), self.pooled_wait(&[d], s)))
                    .collect();
                let calendar_day = model.calendar.as_ref().and_then(|c| c.days.get(d));
                let closings = self.closings(model, &[d]);
                DaySummary {
                    day,
                    weekday: calendar_day.map(|c| c.weekday.name().to_string()),
                    date: calendar_day.and_then(|c| c.date.map(|d| d.to_string())),
                    closed: calendar_day.is_some_and(|c| !c.open),
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
                    closings,
                }
            })
            .collect()
    }

    /// With a calendar: each weekday the clinic opens on in the run, averaged over its open
    /// days (from `days`, as [`HourlyAcc::days`] gave them).
    pub(crate) fn weekdays(&self, model: &Model, days: &[DaySummary]) -> Vec<WeekdaySummary> {
        if model.calendar.is_none() {
            return Vec::new();
        }
        let counts = self.weekday_days();
        Weekday::ALL
            .iter()
            .filter(|w| counts[w.index()] > 0)
            .map(|&w| {
                let of: Vec<usize> = self
                    .open_weekday
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| **o == Some(w.index()))
                    .map(|(d, _)| d)
                    .collect();
                let n = of.len() as f64;
                // Patient-minutes waited per open day, per station in file order.
                let minutes: Vec<f64> = model
                    .stations
                    .iter()
                    .map(|st| {
                        let total: f64 = of
                            .iter()
                            .filter_map(|d| days.get(*d))
                            .map(|day| day.waiting_hours[&st.id])
                            .sum();
                        total / n * 60.0
                    })
                    .collect();
                let bottleneck = bottleneck(&minutes);
                let (sum, sq) = self.weekday_arrivals[w.index()];
                let closings = self.closings(model, &of);
                WeekdaySummary {
                    weekday: w.name().to_string(),
                    days: of.len() as u32,
                    arrivals: moments_metric(self.n, sum, sq),
                    waiting_hours: model
                        .stations
                        .iter()
                        .zip(&minutes)
                        .map(|(st, m)| (st.id.clone(), m / 60.0))
                        .collect(),
                    wait_min: model
                        .stations
                        .iter()
                        .enumerate()
                        .map(|(s, st)| (st.id.clone(), self.pooled_wait(&of, s)))
                        .collect(),
                    bottleneck: bottleneck.map(|(s, _)| model.stations[s].id.clone()),
                    bottleneck_share: bottleneck.map(|(_, share)| share),
                    closings,
                }
            })
            .collect()
    }
}

/// A day's (or a weekday's, per open day) overtime and end-of-day outcomes, per replication;
/// written into its entry of `summary.json` (`by_day`, `by_weekday`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Closings {
    /// Per station that works overtime: server-minutes worked after its last shift of the
    /// day.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub overtime_min: BTreeMap<String, f64>,
    /// The same per shared resource (unit-minutes).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub resource_overtime_min: BTreeMap<String, f64>,
    /// Per station (with `end_of_day = "send_home"`): patients sent home unseen.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub sent_home: BTreeMap<String, f64>,
    /// Per station (with `end_of_day = "carry_over"`): patients still waiting at midnight
    /// after the day's end.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub carried_over: BTreeMap<String, f64>,
}

/// Which end-of-day count a run has, for tables: patients sent home or carried over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndOfDayCount {
    /// `end_of_day = "send_home"`.
    SentHome,
    /// `end_of_day = "carry_over"`.
    CarriedOver,
}

impl EndOfDayCount {
    /// The count the days of a run have, if any.
    pub fn of(days: &[DaySummary]) -> Option<EndOfDayCount> {
        if days.iter().any(|d| !d.closings.sent_home.is_empty()) {
            Some(EndOfDayCount::SentHome)
        } else if days.iter().any(|d| !d.closings.carried_over.is_empty()) {
            Some(EndOfDayCount::CarriedOver)
        } else {
            None
        }
    }
}

impl Closings {
    /// Staff-minutes of overtime, stations and shared resources.
    pub fn overtime(&self) -> f64 {
        self.overtime_min.values().sum::<f64>() + self.resource_overtime_min.values().sum::<f64>()
    }

    /// Patients counted by `count`, all stations.
    pub fn count(&self, count: EndOfDayCount) -> f64 {
        let map = match count {
            EndOfDayCount::SentHome => &self.sent_home,
            EndOfDayCount::CarriedOver => &self.carried_over,
        };
        map.values().sum::<f64>() + 0.0
    }
}

/// One day of the run across the replications.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DaySummary {
    /// Day of the run (1 for the first).
    pub day: u32,
    /// With a calendar: its weekday (`"mon"` … `"sun"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weekday: Option<String>,
    /// With a calendar that has a `start`: its date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// With a calendar: the clinic is closed (a closed weekday or a holiday).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub closed: bool,
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
    /// Overtime and the end-of-day outcomes that day, per replication.
    #[serde(flatten)]
    pub closings: Closings,
}

/// One weekday across its open days in the run and across the replications (with a
/// calendar): the same measures as a day's, per open day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekdaySummary {
    /// `"mon"` … `"sun"`.
    pub weekday: String,
    /// Open days of this weekday in the run.
    pub days: u32,
    /// Arrivals per open day, per replication.
    pub arrivals: Metric,
    /// Per station: patient-hours waited per open day, per replication.
    pub waiting_hours: BTreeMap<String, f64>,
    /// Per station: mean wait of the waits begun on these days and ended in service, pooled.
    pub wait_min: BTreeMap<String, Option<f64>>,
    /// The station with the largest share of the waiting on these days.
    pub bottleneck: Option<String>,
    /// Its share.
    pub bottleneck_share: Option<f64>,
    /// Overtime and the end-of-day outcomes per open day, per replication.
    #[serde(flatten)]
    pub closings: Closings,
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

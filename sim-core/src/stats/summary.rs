//! Summaries across replications: what `summary.json` contains (schema in
//! `docs/output-format.md`).
//!
//! Means come with a sample standard deviation and a Student-t 95% confidence interval computed
//! from the per-replication values (each replication is one independent observation).
//! Percentiles (p50, p90, p95) are of all observations pooled over the replications, read from
//! the merged quantile histograms of `stats`.
//!
//! **Streaming.** An [`Accumulator`] takes replications one at a time, in replication order:
//! it merges each one's histograms into the pooled ones and keeps only a small
//! [`ReplicationRecord`] (the per-replication values the intervals and paired comparisons
//! need), so memory grows by a few hundred bytes per replication instead of the tens of
//! kilobytes a replication's histograms take. Folding in replication order keeps every sum in
//! the same order whatever the number of threads, so results are bit-identical.

use crate::engine::{PatientCounts, ReplicationResult, ResourceResult};
use crate::model::Model;
use crate::scenario::EndOfDay;
use crate::stats::hourly::HourlyAcc;
pub use crate::stats::hourly::{DaySummary, HourSummary, WeekdaySummary};
pub use crate::stats::record::{ClassRecord, ReplicationRecord, StationRecord};
use crate::stats::targets::target_summaries;
pub use crate::stats::targets::{TargetSummary, Verdict};
use crate::stats::{Estimate, Moments, Tally};
use serde::Serialize;
use std::collections::BTreeMap;

/// Version of the `summary.json` schema; bump on any incompatible change.
pub const SCHEMA_VERSION: u32 = 2;
/// Confidence level of every interval in a summary.
pub const CONFIDENCE: f64 = 0.95;

/// A mean across replications with its spread and confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Metric {
    /// Mean across replications.
    pub mean: f64,
    /// Sample standard deviation across replications.
    pub sd: f64,
    /// Lower end of the 95% interval (null with one replication).
    pub ci95_low: Option<f64>,
    /// Upper end of the 95% interval (null with one replication).
    pub ci95_high: Option<f64>,
}

impl Metric {
    /// From per-replication values of a quantity that can take any sign (a difference).
    pub fn from_values(values: &[f64]) -> Metric {
        Metric::within(values, f64::NEG_INFINITY, f64::INFINITY)
    }

    /// From per-replication values of a quantity that cannot be negative (a count, a time, a
    /// queue length): the interval is clipped at zero, since a bound below zero is impossible.
    pub fn non_negative(values: &[f64]) -> Metric {
        Metric::within(values, 0.0, f64::INFINITY)
    }

    /// From per-replication values of a share between 0 and 1 (utilisation, a proportion): the
    /// interval is clipped to [0, 1].
    pub fn share(values: &[f64]) -> Metric {
        Metric::within(values, 0.0, 1.0)
    }

    /// From per-replication values of a quantity known to lie in [lo, hi]: the Student-t
    /// interval clipped to that range (the mean itself is never changed). `-0.0` is written as
    /// `0.0`.
    fn within(values: &[f64], lo: f64, hi: f64) -> Metric {
        let e = Estimate::from_values(values, CONFIDENCE);
        let finite = e.half_width.is_finite();
        // Adding +0.0 turns -0.0 into +0.0 and leaves every other value unchanged.
        Metric {
            mean: e.mean + 0.0,
            sd: e.sd + 0.0,
            ci95_low: finite.then(|| e.low().clamp(lo, hi) + 0.0),
            ci95_high: finite.then(|| e.high().clamp(lo, hi) + 0.0),
        }
    }
}

/// A time (minutes): mean with interval, plus pooled percentiles and the maximum.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TimeMetric {
    /// Mean across replications of the per-replication mean.
    pub mean: f64,
    /// Sample standard deviation of the per-replication means.
    pub sd: f64,
    /// Lower end of the 95% interval of the mean.
    pub ci95_low: Option<f64>,
    /// Upper end of the 95% interval of the mean.
    pub ci95_high: Option<f64>,
    /// Median of all observations pooled.
    pub p50: f64,
    /// 90th percentile, pooled.
    pub p90: f64,
    /// 95th percentile, pooled.
    pub p95: f64,
    /// Largest observation in any replication.
    pub max: f64,
    /// Number of observations pooled.
    pub observations: u64,
}

impl TimeMetric {
    /// From the per-replication moments and the pooled histogram.
    fn from_parts<'a>(moments: impl Iterator<Item = &'a Moments>, pooled: &Tally) -> TimeMetric {
        let means: Vec<f64> = moments.map(Moments::mean).collect();
        let m = Metric::non_negative(&means);
        TimeMetric {
            mean: m.mean,
            sd: m.sd,
            ci95_low: m.ci95_low,
            ci95_high: m.ci95_high,
            p50: pooled.quantile(0.5),
            p90: pooled.quantile(0.9),
            p95: pooled.quantile(0.95),
            max: pooled.max,
            observations: pooled.count,
        }
    }
}

/// Patient counts per replication, summarised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatientSummary {
    /// Arrivals.
    pub arrived: Metric,
    /// Completed pathways.
    pub completed: Metric,
    /// Left because a queue was full.
    pub balked: Metric,
    /// Left after running out of patience.
    pub reneged: Metric,
    /// Still inside when the run stopped.
    pub unfinished: Metric,
    /// Booked but did not come.
    pub no_shows: Metric,
    /// Sent home unseen at a day's end (`[calendar] end_of_day = "send_home"`).
    pub sent_home: Metric,
    /// Booked, came too late and told to book again (`late.then = "rebook"`).
    pub rebooked: Metric,
}

impl PatientSummary {
    fn from_counts(counts: &[PatientCounts]) -> PatientSummary {
        let f = |g: fn(&PatientCounts) -> u64| {
            Metric::non_negative(&counts.iter().map(|c| g(c) as f64).collect::<Vec<_>>())
        };
        PatientSummary {
            arrived: f(|c| c.arrived),
            completed: f(|c| c.completed),
            balked: f(|c| c.balked),
            reneged: f(|c| c.reneged),
            unfinished: f(|c| c.unfinished),
            no_shows: f(|c| c.no_shows),
            sent_home: f(|c| c.sent_home),
            rebooked: f(|c| c.rebooked),
        }
    }
}

/// One patient class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassSummary {
    /// Display name.
    pub name: String,
    /// Counts.
    pub patients: PatientSummary,
    /// Time in system of completed patients.
    pub time_in_system_min: TimeMetric,
}

/// One station.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StationSummary {
    /// Display name.
    pub name: String,
    /// Services started per replication.
    pub visits: Metric,
    /// Wait in queue before service.
    pub wait_min: TimeMetric,
    /// Mean service time.
    pub service_min: Metric,
    /// Busy server time over available server time (servers on shift). Written as
    /// `utilisation` in summary.json (the project's spelling; the Rust field keeps its name).
    #[serde(rename = "utilisation")]
    pub utilization: Metric,
    /// Time-average number waiting.
    pub queue_length: Metric,
    /// Longest queue in any replication.
    pub max_queue_length: u32,
    /// Balks per replication.
    pub balks: Metric,
    /// Reneges per replication.
    pub reneges: Metric,
    /// Share of visits that had to queue (found no free server).
    pub queued_share: Metric,
    /// Services interrupted by a patient of a higher class, per replication.
    pub preemptions: Metric,
    /// Services interrupted at a shift's end (resumed or restarted later), per replication.
    pub interruptions: Metric,
    /// Services handed over at a shift's end, per replication.
    pub handovers: Metric,
    /// Server-hours worked after the last shift of a day (or of the run) ended, per
    /// replication (inside the observation window).
    pub overtime_hours: Metric,
    /// Patients sent home unseen at the end of a day, per replication (with `[calendar]
    /// end_of_day = "send_home"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_home: Option<Metric>,
    /// Patients still waiting at the end of a day and carried over, per replication (with
    /// `end_of_day = "carry_over"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carried_over: Option<Metric>,
    /// At a station of shared resources: minutes per visit (mean over the visits, like
    /// `wait_min`) that its queue waited while each required resource was short, by resource
    /// id. Several can be short at once, so they do not add up to the wait. Absent elsewhere.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub waiting_for_min: BTreeMap<String, Metric>,
}

/// One shared resource (`[[resources]]`). Hours are unit-hours inside the observation window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceSummary {
    /// Display name.
    pub name: String,
    /// The most units ever on the rota.
    pub units_max: u32,
    /// Seized unit time over available unit time (on the rota, or busy past a shift's end).
    pub utilisation: Metric,
    /// Unit-hours seized.
    pub busy_hours: Metric,
    /// Unit-hours on the rota.
    pub rostered_hours: Metric,
    /// Unit-hours worked past the rota (finishing services after a shift's end, overtime).
    pub overtime_hours: Metric,
    /// Unit-hours seized by each station using the resource, by station id.
    pub busy_hours_by_station: BTreeMap<String, Metric>,
    /// Services that seized the resource, per replication.
    pub seizures: Metric,
    /// Services of its units interrupted by a higher class, per replication.
    pub preemptions: Metric,
    /// Services stopped at the end of its shifts (resumed or restarted), per replication.
    pub interruptions: Metric,
    /// Services handed over at the end of its shifts, per replication.
    pub handovers: Metric,
    /// `cost_per_hour` × (rostered + overtime hours), when the resource has a cost.
    pub staff_cost: Option<Metric>,
}

/// Run-level facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    /// When each replication ended (minutes after midnight).
    pub end_time_min: Metric,
    /// Length of the observation window (minutes).
    pub window_min: Metric,
    /// Time-average number of patients in the clinic.
    pub in_system: Metric,
    /// Most patients in the clinic at once, over all replications.
    pub max_in_system: u64,
    /// Mean number of queues a patient joined (had to wait in), per arrival.
    pub queues_per_patient: Metric,
}

/// Engine counters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EngineSummary {
    /// Events over all replications (arrivals, service starts, service ends).
    pub events: u64,
}

/// Queue length over the day, per station: mean and 5th/95th percentiles across replications.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueSeries {
    /// Time of the first sample (minutes after midnight).
    pub start_min: f64,
    /// Interval between samples (minutes).
    pub interval_min: f64,
    /// Per station id: the series.
    pub stations: BTreeMap<String, SeriesBand>,
    /// Per station id: utilisation by interval.
    pub utilisation: BTreeMap<String, UtilisationSeries>,
}

/// One sample of one station's queue-length band (a row of `queue_length.csv`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeriesRow<'a> {
    /// Sample time (minutes after midnight of the first day).
    pub time_min: f64,
    /// The station's id.
    pub station: &'a str,
    /// Mean across replications.
    pub mean: f64,
    /// 5th percentile across replications.
    pub p05: f64,
    /// 95th percentile across replications.
    pub p95: f64,
}

impl QueueSeries {
    /// The queue-length bands long: one row per (sample time, station), in time order and,
    /// at one time, in station-id order (`queue_length.csv`, the Python package's table).
    pub fn rows(&self) -> impl Iterator<Item = SeriesRow<'_>> {
        let len = self
            .stations
            .values()
            .map(|b| b.mean.len())
            .max()
            .unwrap_or(0);
        (0..len).flat_map(move |k| {
            let time_min = self.start_min + k as f64 * self.interval_min;
            self.stations.iter().filter_map(move |(id, band)| {
                Some(SeriesRow {
                    time_min,
                    station: id,
                    mean: *band.mean.get(k)?,
                    p05: *band.p05.get(k)?,
                    p95: *band.p95.get(k)?,
                })
            })
        })
    }
}

/// Utilisation by interval: busy over available server time between consecutive samples
/// (NaN, written as null, where nobody was on duty), mean and 5th/95th percentiles across
/// replications. Entry k covers [start + k·interval, start + (k+1)·interval).
pub type UtilisationSeries = SeriesBand;

/// One station's queue-length series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesBand {
    /// Mean across replications at each sample time.
    pub mean: Vec<f64>,
    /// 5th percentile across replications.
    pub p05: Vec<f64>,
    /// 95th percentile across replications.
    pub p95: Vec<f64>,
}

/// Everything `carepath run` reports for one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Schema version of this structure.
    pub schema_version: u32,
    /// Scenario name.
    pub scenario: String,
    /// Variant run (empty for the base scenario).
    pub variant: String,
    /// CarePath version that produced it.
    pub carepath_version: String,
    /// Base seed.
    pub seed: u64,
    /// Number of replications.
    pub replications: u32,
    /// Confidence level of the intervals.
    pub confidence_level: f64,
    /// Patient counts.
    pub patients: PatientSummary,
    /// Time in system of completed patients, all classes.
    pub time_in_system_min: TimeMetric,
    /// The distribution of time in system, pooled: (probability, minutes) at probabilities
    /// 0, 0.01, …, 1 — the empirical CDF read from the quantile histogram.
    pub time_in_system_distribution: Vec<[f64; 2]>,
    /// Per class.
    pub classes: BTreeMap<String, ClassSummary>,
    /// Per station.
    pub stations: BTreeMap<String, StationSummary>,
    /// Per shared resource (left out of summary.json when the scenario has none).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub resources: BTreeMap<String, ResourceSummary>,
    /// Run-level facts.
    pub run: RunSummary,
    /// Engine counters.
    pub engine: EngineSummary,
    /// Service-level targets (left out of summary.json when the scenario has none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<TargetSummary>,
    /// Results by clock hour with each hour's bottleneck (left out when queue-length sampling
    /// is off, `sample_interval = "0min"`, or nobody came).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_hour: Vec<HourSummary>,
    /// The same by day of the run (left out with `by_hour`, and for runs of one day).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_day: Vec<DaySummary>,
    /// With a `[calendar]`: each open weekday, averaged over its days in the run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_weekday: Vec<WeekdaySummary>,
    /// Warnings from validation.
    pub warnings: Vec<String>,
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

/// Queue-length and utilisation values of one station, one column per sample time, one entry
/// per replication (utilisation only where that replication has the interval).
#[derive(Debug, Clone, Default)]
struct SeriesColumns {
    queue: Vec<Vec<u32>>,
    utilisation: Vec<Vec<f64>>,
}

/// Replications folded into a summary one at a time, in replication order (see the module
/// documentation). Memory: one [`ReplicationRecord`] per replication, the pooled histograms,
/// and the queue-length series' values (per station, sample time and replication).
///
/// It does not keep the model (so it can live beside it, in a page's run or a study); the
/// methods that need it take it, and it must be the model the replications were run on.
#[derive(Debug, Clone)]
pub struct Accumulator {
    records: Vec<ReplicationRecord>,
    time_in_system: Tally,
    classes: Vec<Tally>,
    waits: Vec<Tally>,
    series: Vec<SeriesColumns>,
    hourly: HourlyAcc,
}

impl Accumulator {
    /// An empty accumulator for `model`.
    pub fn new(model: &Model) -> Self {
        Accumulator {
            records: Vec::new(),
            time_in_system: Tally::default(),
            classes: vec![Tally::default(); model.classes.len()],
            waits: vec![Tally::default(); model.stations.len()],
            series: vec![SeriesColumns::default(); model.stations.len()],
            hourly: HourlyAcc::new(model),
        }
    }

    /// An accumulator with `results` folded in, in order.
    pub fn from_results(model: &Model, results: &[ReplicationResult]) -> Self {
        let mut acc = Accumulator::new(model);
        for r in results {
            acc.add(r);
        }
        acc
    }

    /// Folds in the next replication. Replications must come in the order they are numbered
    /// in the study (0, 1, 2, …), which is what makes the result independent of threads.
    pub fn add(&mut self, r: &ReplicationResult) {
        debug_assert_eq!(
            r.stations.len(),
            self.waits.len(),
            "a replication of another model"
        );
        let n = self.records.len();
        self.time_in_system.merge(&r.time_in_system);
        for (pooled, c) in self.classes.iter_mut().zip(&r.classes) {
            pooled.merge(&c.time_in_system);
        }
        for (i, st) in r.stations.iter().enumerate() {
            self.waits[i].merge(&st.waits);
            let cols = &mut self.series[i];
            // A replication that ends later has more samples: earlier ones were empty there.
            while cols.queue.len() < st.samples.len() {
                cols.queue.push(vec![0; n]);
            }
            for (k, col) in cols.queue.iter_mut().enumerate() {
                col.push(st.samples.get(k).copied().unwrap_or(0));
            }
            let intervals = st.busy_samples.len().saturating_sub(1);
            while cols.utilisation.len() < intervals {
                cols.utilisation.push(Vec::new());
            }
            for (k, col) in cols.utilisation.iter_mut().enumerate().take(intervals) {
                let (b0, b1) = (st.busy_samples[k], st.busy_samples[k + 1]);
                let (Some(c0), Some(c1)) =
                    (st.capacity_samples.get(k), st.capacity_samples.get(k + 1))
                else {
                    continue;
                };
                if c1 - c0 > 1e-9 {
                    col.push(((b1 - b0) / (c1 - c0)).clamp(0.0, 1.0));
                }
            }
        }
        self.hourly.add(r);
        self.records.push(ReplicationRecord::of(r));
    }

    /// The replications folded in so far.
    pub fn records(&self) -> &[ReplicationRecord] {
        &self.records
    }

    /// Number of replications folded in.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True before the first replication.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The pooled time-in-system histogram over every replication so far.
    pub fn pooled_time_in_system(&self) -> &Tally {
        &self.time_in_system
    }

    /// The summary of the replications folded in so far.
    pub fn summary(&self, model: &Model) -> Summary {
        let results = &self.records;
        let vals = |f: &dyn Fn(&ReplicationRecord) -> f64| {
            Metric::non_negative(&results.iter().map(f).collect::<Vec<_>>())
        };
        let share = |f: &dyn Fn(&ReplicationRecord) -> f64| {
            Metric::share(&results.iter().map(f).collect::<Vec<_>>())
        };
        let counts: Vec<PatientCounts> = results.iter().map(|r| r.patients).collect();
        let rule = model.calendar.as_ref().map(|c| c.end_of_day);
        let classes = model
            .classes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let counts: Vec<PatientCounts> =
                    results.iter().map(|r| r.classes[i].patients).collect();
                (
                    c.id.clone(),
                    ClassSummary {
                        name: c.name.clone(),
                        patients: PatientSummary::from_counts(&counts),
                        time_in_system_min: TimeMetric::from_parts(
                            results.iter().map(|r| &r.classes[i].time_in_system),
                            &self.classes[i],
                        ),
                    },
                )
            })
            .collect();
        let stations = model
            .stations
            .iter()
            .enumerate()
            .map(|(i, s)| {
                (
                    s.id.clone(),
                    StationSummary {
                        name: s.name.clone(),
                        visits: vals(&|r| r.stations[i].visits as f64),
                        wait_min: TimeMetric::from_parts(
                            results.iter().map(|r| &r.stations[i].waits),
                            &self.waits[i],
                        ),
                        service_min: vals(&|r| {
                            ratio(r.stations[i].service_sum, r.stations[i].waits.count as f64)
                        }),
                        utilization: share(&|r| {
                            // Busy and available time are integrated separately; rounding can put their ratio a
                            // few ulps above 1 when servers never idle.
                            ratio(r.stations[i].busy_area, r.stations[i].capacity_area).min(1.0)
                        }),
                        queue_length: vals(&|r| ratio(r.stations[i].queue_area, r.window)),
                        max_queue_length: results
                            .iter()
                            .map(|r| r.stations[i].max_queue)
                            .max()
                            .unwrap_or(0),
                        balks: vals(&|r| r.stations[i].balks as f64),
                        reneges: vals(&|r| r.stations[i].reneges as f64),
                        queued_share: share(&|r| {
                            ratio(
                                r.stations[i].queued as f64,
                                (r.stations[i].visits + r.stations[i].reneges) as f64,
                            )
                        }),
                        preemptions: vals(&|r| r.stations[i].preemptions as f64),
                        interruptions: vals(&|r| r.stations[i].interruptions as f64),
                        handovers: vals(&|r| r.stations[i].handovers as f64),
                        overtime_hours: vals(&|r| r.stations[i].overtime / 60.0),
                        sent_home: (rule == Some(EndOfDay::SendHome))
                            .then(|| vals(&|r| r.stations[i].sent_home as f64)),
                        carried_over: (rule == Some(EndOfDay::CarryOver))
                            .then(|| vals(&|r| r.stations[i].carried_over as f64)),
                        waiting_for_min: model.stations[i]
                            .requires
                            .iter()
                            .enumerate()
                            .map(|(k, n)| {
                                (
                                    model.resources[n.resource as usize].id.clone(),
                                    vals(&|r| {
                                        ratio(
                                            r.waiting_for[i].get(k).copied().unwrap_or(0.0),
                                            r.stations[i].waits.count as f64,
                                        )
                                    }),
                                )
                            })
                            .collect(),
                    },
                )
            })
            .collect();
        let resources = model
            .resources
            .iter()
            .enumerate()
            .map(|(i, res)| {
                let hours = |f: &dyn Fn(&ResourceResult) -> f64| {
                    Metric::non_negative(
                        &results
                            .iter()
                            .map(|r| f(&r.resources[i]) / 60.0)
                            .collect::<Vec<_>>(),
                    )
                };
                let overtime = |r: &ResourceResult| (r.capacity_area - r.rostered_area).max(0.0);
                (
                    res.id.clone(),
                    ResourceSummary {
                        name: res.name.clone(),
                        units_max: res.max_units,
                        utilisation: share(&|r| {
                            let r = &r.resources[i];
                            ratio(r.busy_area, r.capacity_area).min(1.0)
                        }),
                        busy_hours: hours(&|r| r.busy_area),
                        rostered_hours: hours(&|r| r.rostered_area),
                        overtime_hours: hours(&overtime),
                        busy_hours_by_station: res
                            .users
                            .iter()
                            .enumerate()
                            .map(|(k, &s)| {
                                (
                                    model.stations[s as usize].id.clone(),
                                    hours(&|r| r.busy_by_station[k]),
                                )
                            })
                            .collect(),
                        seizures: vals(&|r| r.resources[i].seizures as f64),
                        preemptions: vals(&|r| r.resources[i].preemptions as f64),
                        interruptions: vals(&|r| r.resources[i].interruptions as f64),
                        handovers: vals(&|r| r.resources[i].handovers as f64),
                        staff_cost: res.cost_per_hour.map(|c| {
                            Metric::non_negative(
                                &results
                                    .iter()
                                    .map(|r| c * r.resources[i].capacity_area / 60.0)
                                    .collect::<Vec<_>>(),
                            )
                        }),
                    },
                )
            })
            .collect();
        let pooled = &self.time_in_system;
        let by_hour = self.hourly.summary(model);
        let days = self.hourly.days(model, &by_hour);
        let by_weekday = self.hourly.weekdays(model, &days);
        let by_day = if days.len() > 1 { days } else { Vec::new() };
        Summary {
            schema_version: SCHEMA_VERSION,
            scenario: model.name.clone(),
            variant: model.variant.clone(),
            carepath_version: env!("CARGO_PKG_VERSION").to_string(),
            seed: model.seed,
            replications: results.len() as u32,
            confidence_level: CONFIDENCE,
            patients: PatientSummary::from_counts(&counts),
            time_in_system_min: TimeMetric::from_parts(
                results.iter().map(|r| &r.time_in_system),
                pooled,
            ),
            time_in_system_distribution: (0..=100)
                .map(|k| [f64::from(k) / 100.0, pooled.quantile(f64::from(k) / 100.0)])
                .collect(),
            classes,
            stations,
            resources,
            run: RunSummary {
                end_time_min: vals(&|r| r.end_time),
                window_min: vals(&|r| r.window),
                in_system: vals(&|r| ratio(r.in_system_area, r.window)),
                max_in_system: results.iter().map(|r| r.max_in_system).max().unwrap_or(0),
                queues_per_patient: vals(&|r| {
                    ratio(r.queue_joins as f64, r.patients.arrived as f64)
                }),
            },
            engine: EngineSummary {
                events: results.iter().map(|r| r.events).sum(),
            },
            targets: target_summaries(model, results),
            by_day,
            by_weekday,
            by_hour,
            warnings: model.warnings.clone(),
        }
    }

    /// Queue-length series across the replications so far (replications that ended earlier
    /// contribute zeros: their clinic was empty), and utilisation by interval inside the
    /// observation window.
    pub fn queue_series(&self, model: &Model) -> QueueSeries {
        let band = |columns: &mut dyn Iterator<Item = Vec<f64>>| {
            let mut b = SeriesBand {
                mean: Vec::new(),
                p05: Vec::new(),
                p95: Vec::new(),
            };
            for col in columns {
                b.push(col);
            }
            b
        };
        let mut stations = BTreeMap::new();
        let mut utilisation = BTreeMap::new();
        for (s, cols) in model.stations.iter().zip(&self.series) {
            stations.insert(
                s.id.clone(),
                band(
                    &mut cols
                        .queue
                        .iter()
                        .map(|c| c.iter().map(|&v| f64::from(v)).collect()),
                ),
            );
            utilisation.insert(s.id.clone(), band(&mut cols.utilisation.iter().cloned()));
        }
        QueueSeries {
            start_min: model.open,
            interval_min: model.sample_interval,
            stations,
            utilisation,
        }
    }
}

impl SeriesBand {
    /// Appends one time point from the values of the replications (NaN when there are none).
    fn push(&mut self, mut column: Vec<f64>) {
        if column.is_empty() {
            self.mean.push(f64::NAN);
            self.p05.push(f64::NAN);
            self.p95.push(f64::NAN);
            return;
        }
        self.mean
            .push(column.iter().sum::<f64>() / column.len() as f64);
        column.sort_by(f64::total_cmp);
        self.p05.push(empirical_quantile(&column, 0.05));
        self.p95.push(empirical_quantile(&column, 0.95));
    }
}

/// Linear-interpolation quantile of sorted values (Hyndman & Fan type 7).
fn empirical_quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

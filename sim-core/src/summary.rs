//! Summaries across replications: what `summary.json` contains (schema in
//! `docs/output-format.md`).
//!
//! Means come with a sample standard deviation and a Student-t 95% confidence interval computed
//! from the per-replication values (each replication is one independent observation).
//! Percentiles (p50, p90, p95) are of all observations pooled over the replications, read from
//! the merged quantile histograms of `stats`.

use crate::engine::{PatientCounts, ReplicationResult};
use crate::model::Model;
use crate::stats::{Estimate, Tally};
use serde::Serialize;
use std::collections::BTreeMap;

/// Version of the `summary.json` schema; bump on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;
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
    /// From per-replication values.
    pub fn from_values(values: &[f64]) -> Metric {
        let e = Estimate::from_values(values, CONFIDENCE);
        let finite = e.half_width.is_finite();
        Metric {
            mean: e.mean,
            sd: e.sd,
            ci95_low: finite.then(|| e.low()),
            ci95_high: finite.then(|| e.high()),
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
    fn from_tallies<'a>(tallies: impl Iterator<Item = &'a Tally>) -> TimeMetric {
        let mut pooled = Tally::default();
        let mut means = Vec::new();
        for t in tallies {
            means.push(t.mean());
            pooled.merge(t);
        }
        let m = Metric::from_values(&means);
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
}

impl PatientSummary {
    fn from_counts(counts: &[PatientCounts]) -> PatientSummary {
        let f = |g: fn(&PatientCounts) -> u64| {
            Metric::from_values(&counts.iter().map(|c| g(c) as f64).collect::<Vec<_>>())
        };
        PatientSummary {
            arrived: f(|c| c.arrived),
            completed: f(|c| c.completed),
            balked: f(|c| c.balked),
            reneged: f(|c| c.reneged),
            unfinished: f(|c| c.unfinished),
            no_shows: f(|c| c.no_shows),
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
    /// Run-level facts.
    pub run: RunSummary,
    /// Engine counters.
    pub engine: EngineSummary,
    /// Warnings from validation.
    pub warnings: Vec<String>,
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

/// Summarises replications (in replication order, so the result does not depend on how they
/// were scheduled across threads).
pub fn summarize(model: &Model, results: &[ReplicationResult]) -> Summary {
    let vals = |f: &dyn Fn(&ReplicationResult) -> f64| {
        Metric::from_values(&results.iter().map(f).collect::<Vec<_>>())
    };
    let counts: Vec<PatientCounts> = results.iter().map(|r| r.patients).collect();
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
                    time_in_system_min: TimeMetric::from_tallies(
                        results.iter().map(|r| &r.classes[i].time_in_system),
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
                    wait_min: TimeMetric::from_tallies(
                        results.iter().map(|r| &r.stations[i].waits),
                    ),
                    service_min: vals(&|r| {
                        ratio(r.stations[i].service_sum, r.stations[i].waits.count as f64)
                    }),
                    utilization: vals(&|r| {
                        ratio(r.stations[i].busy_area, r.stations[i].capacity_area)
                    }),
                    queue_length: vals(&|r| ratio(r.stations[i].queue_area, r.window)),
                    max_queue_length: results
                        .iter()
                        .map(|r| r.stations[i].max_queue)
                        .max()
                        .unwrap_or(0),
                    balks: vals(&|r| r.stations[i].balks as f64),
                    reneges: vals(&|r| r.stations[i].reneges as f64),
                    queued_share: vals(&|r| {
                        ratio(
                            r.stations[i].queued as f64,
                            (r.stations[i].visits + r.stations[i].reneges) as f64,
                        )
                    }),
                },
            )
        })
        .collect();
    Summary {
        schema_version: SCHEMA_VERSION,
        scenario: model.name.clone(),
        variant: model.variant.clone(),
        carepath_version: env!("CARGO_PKG_VERSION").to_string(),
        seed: model.seed,
        replications: results.len() as u32,
        confidence_level: CONFIDENCE,
        patients: PatientSummary::from_counts(&counts),
        time_in_system_min: TimeMetric::from_tallies(results.iter().map(|r| &r.time_in_system)),
        time_in_system_distribution: {
            let mut pooled = Tally::default();
            for r in results {
                pooled.merge(&r.time_in_system);
            }
            (0..=100)
                .map(|k| [f64::from(k) / 100.0, pooled.quantile(f64::from(k) / 100.0)])
                .collect()
        },
        classes,
        stations,
        run: RunSummary {
            end_time_min: vals(&|r| r.end_time),
            window_min: vals(&|r| r.window),
            in_system: vals(&|r| ratio(r.in_system_area, r.window)),
            max_in_system: results.iter().map(|r| r.max_in_system).max().unwrap_or(0),
            queues_per_patient: vals(&|r| ratio(r.queue_joins as f64, r.patients.arrived as f64)),
        },
        engine: EngineSummary {
            events: results.iter().map(|r| r.events).sum(),
        },
        warnings: model.warnings.clone(),
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

/// One band per station, with `len(station)` time points whose replication values `value`
/// gives (None: that replication has no value there).
fn bands(
    model: &Model,
    results: &[ReplicationResult],
    len: impl Fn(usize) -> usize,
    value: impl Fn(&ReplicationResult, usize, usize) -> Option<f64>,
) -> BTreeMap<String, SeriesBand> {
    model
        .stations
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let n = len(i);
            let mut band = SeriesBand {
                mean: Vec::with_capacity(n),
                p05: Vec::with_capacity(n),
                p95: Vec::with_capacity(n),
            };
            for k in 0..n {
                band.push(results.iter().filter_map(|r| value(r, i, k)).collect());
            }
            (s.id.clone(), band)
        })
        .collect()
}

/// Queue-length series across replications (replications that ended earlier contribute zeros:
/// their clinic was empty), and utilisation by interval inside the observation window.
pub fn queue_series(model: &Model, results: &[ReplicationResult]) -> QueueSeries {
    let longest = |i: usize, f: fn(&crate::engine::StationResult) -> usize| {
        results.iter().map(|r| f(&r.stations[i])).max().unwrap_or(0)
    };
    let stations = bands(
        model,
        results,
        |i| longest(i, |s| s.samples.len()),
        |r, i, k| Some(r.stations[i].samples.get(k).map_or(0.0, |&v| f64::from(v))),
    );
    let utilisation = bands(
        model,
        results,
        |i| longest(i, |s| s.busy_samples.len()).saturating_sub(1),
        |r, i, k| {
            let st = &r.stations[i];
            let (b0, b1) = (st.busy_samples.get(k)?, st.busy_samples.get(k + 1)?);
            let (c0, c1) = (st.capacity_samples.get(k)?, st.capacity_samples.get(k + 1)?);
            (c1 - c0 > 1e-9).then(|| ((b1 - b0) / (c1 - c0)).clamp(0.0, 1.0))
        },
    );
    QueueSeries {
        start_min: model.open,
        interval_min: model.sample_interval,
        stations,
        utilisation,
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

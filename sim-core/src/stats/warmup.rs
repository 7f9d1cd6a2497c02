//! Warm-up: how long a steady-state run needs to forget that it started empty.
//!
//! A steady-state study (a `run_length` after a `warm_up`) starts with nobody in the system,
//! so its early queues are shorter than the long-run ones; statistics collected from the
//! start are biased low. The warm-up is read from the queue-length series averaged across
//! replications (Welch's procedure: averaging across replications removes the noise within
//! a time point, not the trend over time):
//!
//! - **MSER-5** (White, 1997; White, Cobb and Spratt, 2000) picks the truncation point: the
//!   series is cut into batches of 5 samples, and the number `d` of leading batches to drop
//!   minimises the marginal standard error `Σ_{j≥d} (Z_j − Z̄_d)² / (k − d)²` of the batch
//!   means `Z_j` that remain. Only the first half is searched; a minimum at its end means
//!   the series is still changing there and the run is too short to tell (inconclusive).
//! - **Welch's moving average** (Welch, 1983; Law, 2015, §9.5.1) is the chart beside it: the
//!   averaged series smoothed over a window of `2w + 1` samples (fewer near either end, where
//!   the window shrinks symmetrically), on which a reader checks the truncation by eye.
//!
//! [`analyse`] does both on the findings of pilot replications; [`Analysis::setting`] gives
//! the `run.warm_up` value that `run.warm_up = "auto"` is replaced with before the real run
//! ([`settle_together`]).

use crate::scenario::{Overrides, Setting};
use crate::stats::summary::{Accumulator, QueueSeries};
use crate::{Model, Scenario, ScenarioError};
use toml::Value;

/// MSER-5's batch size.
pub const BATCH: usize = 5;

/// Fewest batches MSER-5 is computed on (50 samples): with fewer, half the series is too few
/// batches to tell a trend from noise.
pub const MIN_BATCHES: usize = 10;

/// Why a warm-up cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WarmupError {
    /// Sampling is off.
    #[error(
        "the run keeps no queue-length samples (run.sample_interval = \"0min\"); the warm-up is read from them"
    )]
    NoSamples,
    /// The measure names no station.
    #[error("no station {name:?} (stations: {known})")]
    UnknownStation {
        /// The id asked for.
        name: String,
        /// The stations there are, comma-separated.
        known: String,
    },
    /// Too few samples for MSER-5.
    #[error(
        "only {have} queue-length samples; MSER-5 needs at least {need}: lengthen the run (run.run_length) or shorten run.sample_interval"
    )]
    TooShort {
        /// Samples in the series.
        have: usize,
        /// Samples needed.
        need: usize,
    },
}

/// What the warm-up is read from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Measure {
    /// Patients waiting at all stations together.
    #[default]
    AllStations,
    /// Patients waiting at one station (its id).
    Station(String),
}

/// MSER-5's result on one series.
#[derive(Debug, Clone, PartialEq)]
pub struct Mser {
    /// Batch size (5).
    pub batch: usize,
    /// Batch means (the trailing samples that do not fill a batch are left out).
    pub batch_means: Vec<f64>,
    /// The statistic for each number of leading batches dropped, 0 ..= half the batches.
    pub statistic: Vec<f64>,
    /// Leading batches dropped (the minimiser).
    pub dropped: usize,
    /// False when the minimum is at the end of the searched half: the series is still
    /// changing there, and the run is too short to tell where it settles.
    pub conclusive: bool,
}

impl Mser {
    /// Leading samples dropped (`dropped × batch`).
    pub fn truncation(&self) -> usize {
        self.dropped * self.batch
    }
}

/// MSER with batches of `batch` samples on `series`; `None` with fewer than
/// [`MIN_BATCHES`] batches.
pub fn mser(series: &[f64], batch: usize) -> Option<Mser> {
    let batch = batch.max(1);
    let k = series.len() / batch;
    if k < MIN_BATCHES {
        return None;
    }
    let batch_means: Vec<f64> = series
        .chunks_exact(batch)
        .map(|c| c.iter().sum::<f64>() / batch as f64)
        .collect();
    let half = k / 2;
    // Suffix sums make every candidate O(1): Σ(Z−Z̄)² = Σ Z² − (Σ Z)² / n.
    let mut statistic = vec![0.0; half + 1];
    let (mut sum, mut sum_sq) = (0.0, 0.0);
    for d in (0..k).rev() {
        let z = batch_means[d];
        sum += z;
        sum_sq += z * z;
        if d <= half {
            let n = (k - d) as f64;
            let ss = (sum_sq - sum * sum / n).max(0.0);
            statistic[d] = ss / (n * n);
        }
    }
    // The first minimum: ties (a flat series) keep the shortest warm-up.
    let mut dropped = 0;
    for (d, &s) in statistic.iter().enumerate() {
        if s < statistic[dropped] {
            dropped = d;
        }
    }
    Some(Mser {
        batch,
        batch_means,
        conclusive: dropped < half,
        statistic,
        dropped,
    })
}

/// Welch's moving average of `series` with half-window `w`: at sample `i` the mean of the
/// `2h + 1` samples centred on it, `h = min(w, i, n − 1 − i)` (the window shrinks
/// symmetrically near both ends, as Welch's does at the start).
pub fn welch(series: &[f64], w: usize) -> Vec<f64> {
    let n = series.len();
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0);
    for &y in series {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + y);
    }
    (0..n)
        .map(|i| {
            let h = w.min(i).min(n - 1 - i);
            (prefix[i + h + 1] - prefix[i - h]) / (2 * h + 1) as f64
        })
        .collect()
}

/// The default moving-average half-window: a fortieth of the series (at least 1), wide
/// enough to smooth a queue's noise and narrow enough to keep a warm-up of a tenth visible.
pub fn default_window(samples: usize) -> usize {
    (samples / 40).max(1)
}

/// A warm-up analysis of pilot replications.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// What the series measures ("patients waiting (all stations)").
    pub measure: String,
    /// Replications averaged.
    pub replications: u32,
    /// Clock minutes of the first sample, and minutes between samples.
    pub start_min: f64,
    /// Minutes between samples.
    pub interval_min: f64,
    /// The series averaged across replications.
    pub means: Vec<f64>,
    /// Welch's moving average of `means`.
    pub smoothed: Vec<f64>,
    /// The moving average's half-window (samples).
    pub window: usize,
    /// MSER-5 on `means`.
    pub mser: Mser,
}

impl Analysis {
    /// The warm-up MSER-5 found (minutes after opening), if it is conclusive.
    pub fn warm_up_min(&self) -> Option<f64> {
        self.mser
            .conclusive
            .then(|| self.mser.truncation() as f64 * self.interval_min)
    }

    /// The clock time (minutes after midnight) the warm-up ends, if conclusive.
    pub fn ends_at_min(&self) -> Option<f64> {
        self.warm_up_min().map(|w| self.start_min + w)
    }

    /// Mean of the averaged series over the samples MSER-5 keeps, and over all of them (the
    /// difference is the bias the warm-up removes).
    pub fn means_kept_and_all(&self) -> (f64, f64) {
        let used = self.mser.batch_means.len() * self.mser.batch;
        let all = &self.means[..used];
        let kept = &all[self.mser.truncation()..];
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        (mean(kept), mean(all))
    }

    /// `run.warm_up` set to the warm-up found (whole seconds, rounded up), if conclusive.
    pub fn setting(&self) -> Option<Setting> {
        self.warm_up_min().map(|w| {
            let seconds = (w * 60.0).ceil();
            Setting::new("run.warm_up", Value::String(format!("{seconds}s")))
                .with_origin("warm-up (auto)")
        })
    }
}

/// Reads the warm-up from the queue-length `series` of `replications` pilot replications
/// started empty: `measure` summed per sample, averaged across replications, MSER-5 on it
/// and Welch's moving average with half-window `window` (default [`default_window`]).
pub fn analyse(
    series: &QueueSeries,
    replications: u32,
    measure: &Measure,
    window: Option<usize>,
) -> Result<Analysis, WarmupError> {
    if series.interval_min <= 0.0 {
        return Err(WarmupError::NoSamples);
    }
    let (label, columns): (String, Vec<&Vec<f64>>) = match measure {
        Measure::AllStations => (
            "patients waiting (all stations)".into(),
            series.stations.values().map(|b| &b.mean).collect(),
        ),
        Measure::Station(id) => match series.stations.get(id) {
            Some(b) => (format!("patients waiting at {id}"), vec![&b.mean]),
            None => {
                return Err(WarmupError::UnknownStation {
                    name: id.clone(),
                    known: series
                        .stations
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        },
    };
    // Samples every replication reached (a replication's series ends with its run; a
    // time no replication reached is NaN in the mean).
    let len = columns.iter().map(|c| c.len()).min().unwrap_or(0);
    let mut means: Vec<f64> = (0..len)
        .map(|i| columns.iter().map(|c| c[i]).sum::<f64>())
        .collect();
    if let Some(end) = means.iter().position(|y| !y.is_finite()) {
        means.truncate(end);
    }
    let need = BATCH * MIN_BATCHES;
    let Some(mser) = mser(&means, BATCH) else {
        return Err(WarmupError::TooShort {
            have: means.len(),
            need,
        });
    };
    let window = window.unwrap_or_else(|| default_window(means.len())).max(1);
    Ok(Analysis {
        measure: label,
        replications,
        start_min: series.start_min,
        interval_min: series.interval_min,
        smoothed: welch(&means, window),
        means,
        window,
        mser,
    })
}

/// Why `run.warm_up = "auto"` could not be settled.
#[derive(Debug, thiserror::Error)]
pub enum SettleError<E> {
    /// The pilot replications failed (or were interrupted).
    #[error("{0}")]
    Pilot(E),
    /// The series cannot be analysed.
    #[error("run.warm_up = \"auto\": {0}")]
    Warmup(WarmupError),
    /// MSER-5 found no warm-up within the first half of the run.
    #[error(
        "run.warm_up = \"auto\": MSER-5 found no warm-up within the first half of the run (the {measure} are still changing at {at}); lengthen run.run_length, or check that the system is not overloaded"
    )]
    Inconclusive {
        /// What the series measures.
        measure: String,
        /// Where the search ended ("24 h after the start").
        at: String,
    },
    /// The model with the warm-up found could not be built.
    #[error("{0}")]
    Scenario(ScenarioError),
}

/// The warm-up `run.warm_up = "auto"` asks for: when `model` asks for it, runs its
/// replications with `pilot` (a warm-up of 0, the same seeds and observation window) and
/// reads the warm-up by MSER-5 from all stations' queues; `None` when the model has a fixed
/// warm-up (or none). An inconclusive analysis is an error, never a silent default.
pub fn find<E>(
    model: &Model,
    pilot: impl FnOnce(&Model) -> Result<Accumulator, E>,
) -> Result<Option<Analysis>, SettleError<E>> {
    if !model.warm_up_is_auto() {
        return Ok(None);
    }
    let acc = pilot(model).map_err(SettleError::Pilot)?;
    let series = acc.queue_series(model);
    let analysis = analyse(&series, acc.len() as u32, &Measure::AllStations, None)
        .map_err(SettleError::Warmup)?;
    if analysis.setting().is_none() {
        let end = (analysis.mser.statistic.len() - 1) as f64
            * analysis.mser.batch as f64
            * analysis.interval_min;
        return Err(SettleError::Inconclusive {
            measure: analysis.measure.clone(),
            at: format!(
                "{} h after the start",
                crate::scenario::units::format_number(end / 60.0)
            ),
        });
    }
    Ok(Some(analysis))
}

/// Settles `run.warm_up = "auto"` for `variants` of `scenario` run together (None = the
/// base): each model that asks for it runs its pilot with `pilot` ([`find`]), `found` is told
/// of each analysis, and the scenario comes back with `run.warm_up` set to the longest warm-up
/// found, so variants compared with common random numbers share one observation window. A
/// scenario with a fixed warm-up comes back as it was. Used by the CLI and the web page.
pub fn settle_together<E>(
    scenario: &Scenario,
    variants: &[Option<&str>],
    overrides: &Overrides,
    mut pilot: impl FnMut(&Model) -> Result<Accumulator, E>,
    mut found: impl FnMut(&Model, &Analysis),
) -> Result<Scenario, SettleError<E>> {
    let mut longest: Option<(f64, Setting)> = None;
    for &variant in variants {
        let model = scenario
            .model_with(variant, overrides)
            .map_err(SettleError::Scenario)?;
        let Some(a) = find(&model, &mut pilot)? else {
            continue;
        };
        found(&model, &a);
        if let (Some(w), Some(s)) = (a.warm_up_min(), a.setting())
            && longest.as_ref().is_none_or(|(l, _)| w > *l)
        {
            longest = Some((w, s));
        }
    }
    Ok(match longest {
        Some((_, s)) => scenario.with_settings(&[s]),
        None => scenario.clone(),
    })
}

impl<E: std::fmt::Display> SettleError<E> {
    /// The error as a scenario problem at `run.warm_up` (a model that cannot be built keeps
    /// its own problems), for callers that report scenario problems (the web page).
    pub fn into_scenario_error(self) -> ScenarioError {
        match self {
            SettleError::Scenario(e) => e,
            e => ScenarioError::Invalid(vec![crate::Problem::new(
                "run.warm_up".into(),
                e.to_string()
                    .trim_start_matches("run.warm_up = \"auto\": ")
                    .to_string(),
            )]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welch_shrinks_symmetrically_at_both_ends() {
        let y = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        let s = welch(&y, 2);
        // Ends: the sample itself; one in: three centred; the middle: five.
        assert_eq!(s, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]);
        let z = [0.0, 0.0, 9.0, 0.0, 0.0];
        assert_eq!(welch(&z, 1), vec![0.0, 3.0, 3.0, 3.0, 0.0]);
        assert_eq!(welch(&z, 5), vec![0.0, 3.0, 1.8, 3.0, 0.0]);
    }

    #[test]
    fn mser_drops_a_ramp_and_keeps_a_flat_series() {
        // 20 samples ramping up, then 200 flat with a little alternating noise.
        let mut y: Vec<f64> = (0..20).map(|i| i as f64 / 2.0).collect();
        y.extend((0..200).map(|i| 10.0 + if i % 2 == 0 { 0.3 } else { -0.3 }));
        let m = mser(&y, BATCH).unwrap();
        assert!(m.conclusive);
        assert_eq!(m.batch_means.len(), 44);
        assert_eq!(m.statistic.len(), 23);
        // The ramp ends at sample 20 = 4 batches; the last ramp batch (means 8..10) may stay.
        assert!((3..=4).contains(&m.dropped), "{}", m.dropped);
        let flat = vec![4.0; 100];
        let f = mser(&flat, BATCH).unwrap();
        assert_eq!((f.dropped, f.conclusive), (0, true));
    }

    #[test]
    fn mser_is_inconclusive_on_a_series_still_rising() {
        let y: Vec<f64> = (0..100).map(|i| i as f64).collect();
        let m = mser(&y, BATCH).unwrap();
        assert_eq!(m.dropped, 10);
        assert!(!m.conclusive);
        assert!(mser(&y[..49], BATCH).is_none());
    }

    fn series(values: &[f64]) -> QueueSeries {
        let band = crate::stats::summary::SeriesBand {
            mean: values.to_vec(),
            p05: values.to_vec(),
            p95: values.to_vec(),
        };
        QueueSeries {
            start_min: 0.0,
            interval_min: 15.0,
            stations: [("a".to_string(), band.clone()), ("b".to_string(), band)]
                .into_iter()
                .collect(),
            utilisation: Default::default(),
        }
    }

    #[test]
    fn analyse_sums_stations_and_sets_the_warm_up() {
        let mut y: Vec<f64> = (0..10).map(|i| i as f64).collect();
        y.extend(std::iter::repeat_n(10.0, 90));
        y.push(f64::NAN); // a time no replication reached is left out
        let a = analyse(&series(&y), 7, &Measure::AllStations, None).unwrap();
        assert_eq!(a.means.len(), 100);
        assert_eq!(a.means[99], 20.0);
        assert_eq!(a.window, 2);
        assert_eq!(a.mser.dropped, 2);
        assert_eq!(a.warm_up_min(), Some(150.0));
        let s = a.setting().unwrap();
        assert_eq!(s.path, "run.warm_up");
        assert_eq!(s.value, Value::String("9000s".into()));
        let (kept, all) = a.means_kept_and_all();
        assert_eq!(kept, 20.0);
        assert!(all < kept);
        let one = analyse(&series(&y), 7, &Measure::Station("b".into()), Some(3)).unwrap();
        assert_eq!((one.means[99], one.window), (10.0, 3));
        assert_eq!(one.measure, "patients waiting at b");
    }

    #[test]
    fn analyse_names_what_is_missing() {
        let y = vec![1.0; 30];
        assert_eq!(
            analyse(&series(&y), 1, &Measure::AllStations, None),
            Err(WarmupError::TooShort { have: 30, need: 50 })
        );
        let e = analyse(&series(&y), 1, &Measure::Station("x".into()), None).unwrap_err();
        assert_eq!(e.to_string(), "no station \"x\" (stations: a, b)");
        let mut off = series(&y);
        off.interval_min = 0.0;
        assert_eq!(
            analyse(&off, 1, &Measure::AllStations, None),
            Err(WarmupError::NoSamples)
        );
    }
}

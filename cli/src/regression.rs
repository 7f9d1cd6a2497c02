//! Regression checks: comparing a run with a stored baseline, metric by metric, with a
//! statistical test whose false-alarm rate is controlled across all metrics checked.
//!
//! A baseline stores every metric's per-replication values. The check then works in one of
//! three modes:
//! * **exact** — same scenario text, seed, replications and CarePath version: results must be
//!   bit-identical, and any difference at all is a *determinism break*;
//! * **paired** — same seed and replications but a changed model or version: replication r of
//!   both runs met the same patients (common random numbers), so each metric is tested with a
//!   paired t-test on the per-replication differences;
//! * **independent** — different seeds or replication counts: Welch's t-test.
//!
//! p-values are adjusted across all metrics of a scenario with Holm's step-down procedure, so
//! the chance that an unchanged model raises any alarm is at most `alpha` (family-wise error
//! rate). A significant difference is reported as a regression only when it also exceeds the
//! tolerance (absolute + relative × baseline mean; zero unless configured).
//!
//! Every change is labelled with its direction ([`Change`]): lower waits and times in system
//! are better, higher are worse; the other metrics (utilisation, patients completed) have no
//! better direction and are just "changed". [`FailOn`] says which changes fail a check.
//!
//! Metric names use the British spelling `utilisation`; baselines and tolerances written with
//! the old `utilization` still work ([`canonical_metric`]).

use serde::{Deserialize, Serialize};
use sim_core::Model;
use sim_core::summary::ReplicationRecord;
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::collections::BTreeMap;

/// Version of the baseline file format.
pub const BASELINE_VERSION: u32 = 1;

/// What `carepath check --bless` stores for one scenario (or variant).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// Baseline format version.
    pub schema_version: u32,
    /// Scenario name.
    pub scenario: String,
    /// Variant ("" for the base scenario).
    pub variant: String,
    /// FNV-1a hash of the scenario file's text, hex.
    pub scenario_hash: String,
    /// CarePath version that produced it.
    pub carepath_version: String,
    /// Seed.
    pub seed: u64,
    /// Replications.
    pub replications: u32,
    /// Per-replication values of each metric.
    pub metrics: BTreeMap<String, Vec<f64>>,
}

/// Tolerances below which a significant difference is not called a regression.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Tolerance {
    /// Absolute, in the metric's unit.
    pub absolute: f64,
    /// Relative to the baseline mean.
    pub relative: f64,
}

/// How the check compared the runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Same inputs and version: bit-for-bit comparison.
    Exact,
    /// Same seed and replications: paired t-tests.
    Paired,
    /// Otherwise: Welch t-tests.
    Independent,
}

/// Which way a metric moved, judged from what the metric measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Not significant (or within tolerance): nothing to report.
    None,
    /// Moved the good way (a wait or time in system fell).
    Better,
    /// Moved the bad way (a wait or time in system rose).
    Worse,
    /// Moved, for a metric without a better direction (utilisation, patients completed), or
    /// any difference in exact mode (a determinism break is neither better nor worse).
    Changed,
}

/// Which significant changes fail a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailOn {
    /// Every significant change beyond tolerance, better or worse (the default: a CI check
    /// should notice any change in the results, then the change is blessed on purpose).
    #[default]
    Any,
    /// Only changes that are not improvements: "worse" and undirected "changed" metrics (and
    /// determinism breaks and missing metrics) fail; "better" ones are reported and pass.
    Worse,
}

/// True when a lower value of `metric` is better (waits and times in system).
pub fn lower_is_better(metric: &str) -> bool {
    metric.starts_with("time_in_system_min.") || metric.ends_with(".wait_min.mean")
}

/// The current name of a metric: `…utilization` (the old spelling) becomes `…utilisation`.
pub fn canonical_metric(name: &str) -> String {
    match name.strip_suffix(".utilization") {
        Some(stem) => format!("{stem}.utilisation"),
        None => name.to_string(),
    }
}

/// A p-value as people read it: three decimals from 0.001 up, otherwise two significant
/// digits in scientific notation, and `< 1e-300` below that (where `f64` underflows).
pub fn format_p(p: f64) -> String {
    if p.is_nan() {
        "n/a".to_string()
    } else if p < 1e-300 {
        "< 1e-300".to_string()
    } else if p < 0.001 {
        format!("{p:.1e}")
    } else {
        format!("{p:.3}")
    }
}

/// The verdict on one metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricCheck {
    /// Metric name, e.g. `stations.consult.wait_min.mean`.
    pub metric: String,
    /// Baseline mean over replications.
    pub baseline: f64,
    /// Current mean over replications.
    pub current: f64,
    /// current − baseline.
    pub difference: f64,
    /// Unadjusted two-sided p-value (1 in exact mode).
    pub p_value: f64,
    /// Significant after Holm's adjustment.
    pub significant: bool,
    /// Larger than the tolerance.
    pub beyond_tolerance: bool,
    /// Significant and beyond tolerance (or any difference in exact mode).
    pub regression: bool,
    /// Which way it moved (`None` unless `regression`).
    pub change: Change,
}

/// The verdict on one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// Scenario name.
    pub scenario: String,
    /// Variant.
    pub variant: String,
    /// Comparison mode.
    pub mode: Mode,
    /// Family-wise false-alarm rate across this scenario's metrics.
    pub alpha: f64,
    /// Every metric, in name order.
    pub checks: Vec<MetricCheck>,
    /// Metrics present in only one of the two runs.
    pub missing: Vec<String>,
}

impl CheckReport {
    /// True when something moved (a regression, a determinism break or a missing metric).
    #[cfg(test)]
    pub fn failed(&self) -> bool {
        self.failed_on(FailOn::Any)
    }

    /// True when a change that `fail_on` counts moved (missing metrics always count).
    pub fn failed_on(&self, fail_on: FailOn) -> bool {
        !self.missing.is_empty() || self.checks.iter().any(|c| c.fails(fail_on))
    }
}

impl MetricCheck {
    /// True when this metric fails the check under `fail_on`.
    pub fn fails(&self, fail_on: FailOn) -> bool {
        self.regression && (fail_on == FailOn::Any || self.change != Change::Better)
    }
}

/// FNV-1a of a text, as 16 hex digits.
pub fn text_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The metrics a regression check watches, per replication.
pub fn metrics(model: &Model, results: &[ReplicationRecord]) -> BTreeMap<String, Vec<f64>> {
    let mut m = BTreeMap::new();
    let col = |f: &dyn Fn(&ReplicationRecord) -> f64| results.iter().map(f).collect::<Vec<f64>>();
    m.insert(
        "patients.completed".to_string(),
        col(&|r| r.patients.completed as f64),
    );
    m.insert(
        "time_in_system_min.mean".to_string(),
        col(&|r| r.time_in_system.mean()),
    );
    m.insert(
        "time_in_system_min.p90".to_string(),
        col(&|r| r.time_in_system_quantiles[1]),
    );
    for (i, s) in model.stations().iter().enumerate() {
        m.insert(
            format!("stations.{}.wait_min.mean", s.id),
            col(&|r| r.stations[i].waits.mean()),
        );
        m.insert(
            format!("stations.{}.utilisation", s.id),
            col(&|r| {
                let st = &r.stations[i];
                if st.capacity_area > 0.0 {
                    (st.busy_area / st.capacity_area).min(1.0)
                } else {
                    0.0
                }
            }),
        );
    }
    m
}

/// The names of the metrics [`metrics`] gives for `model` (known without running it).
pub fn metric_names(model: &Model) -> Vec<String> {
    let mut v = vec![
        "patients.completed".to_string(),
        "time_in_system_min.mean".to_string(),
        "time_in_system_min.p90".to_string(),
    ];
    for s in model.stations() {
        v.push(format!("stations.{}.wait_min.mean", s.id));
        v.push(format!("stations.{}.utilisation", s.id));
    }
    v.sort();
    v
}

impl Baseline {
    /// Renames metrics stored under old names (`…utilization`) to their current names, so
    /// baselines blessed before the rename still compare metric by metric.
    pub fn upgrade_names(&mut self) {
        if self.metrics.keys().any(|k| canonical_metric(k) != *k) {
            let old = std::mem::take(&mut self.metrics);
            self.metrics = old
                .into_iter()
                .map(|(k, v)| (canonical_metric(&k), v))
                .collect();
        }
    }
}

/// Builds a baseline from a run.
pub fn baseline(model: &Model, results: &[ReplicationRecord], scenario_text: &str) -> Baseline {
    Baseline {
        schema_version: BASELINE_VERSION,
        scenario: model.name().to_string(),
        variant: model.variant().to_string(),
        scenario_hash: text_hash(scenario_text),
        carepath_version: env!("CARGO_PKG_VERSION").to_string(),
        seed: model.seed(),
        replications: results.len() as u32,
        metrics: metrics(model, results),
    }
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

fn var(v: &[f64]) -> f64 {
    let m = mean(v);
    if v.len() < 2 {
        0.0
    } else {
        v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64
    }
}

/// Two-sided p-value of a t statistic.
fn p_two_sided(t: f64, df: f64) -> f64 {
    if !t.is_finite() {
        return 0.0;
    }
    // The survival function, not 1 − cdf: the subtraction cancels to 0 below about 1e-16,
    // which printed as "0.00e0" for every clear shift.
    match StudentsT::new(0.0, 1.0, df.max(1.0)) {
        Ok(d) => (2.0 * d.sf(t.abs())).clamp(0.0, 1.0),
        Err(_) => 1.0,
    }
}

/// p-value of "no difference" for one metric.
fn p_value(mode: Mode, base: &[f64], cur: &[f64]) -> f64 {
    match mode {
        Mode::Exact => 1.0,
        Mode::Paired => {
            let d: Vec<f64> = cur.iter().zip(base).map(|(c, b)| c - b).collect();
            let (m, v) = (mean(&d), var(&d));
            if d.len() < 2 {
                return 1.0;
            }
            if v == 0.0 {
                return if m == 0.0 { 1.0 } else { 0.0 };
            }
            p_two_sided(m / (v / d.len() as f64).sqrt(), (d.len() - 1) as f64)
        }
        Mode::Independent => {
            let (na, nb) = (base.len() as f64, cur.len() as f64);
            if na < 2.0 || nb < 2.0 {
                return 1.0;
            }
            let (va, vb) = (var(base) / na, var(cur) / nb);
            let diff = mean(cur) - mean(base);
            if va + vb == 0.0 {
                return if diff == 0.0 { 1.0 } else { 0.0 };
            }
            let df = (va + vb) * (va + vb) / (va * va / (na - 1.0) + vb * vb / (nb - 1.0));
            p_two_sided(diff / (va + vb).sqrt(), df)
        }
    }
}

/// Compares `current` with `base`. `tolerances` maps metric names to tolerances; `default`
/// applies to the rest.
pub fn check(
    base: &Baseline,
    current: &Baseline,
    alpha: f64,
    default: Tolerance,
    tolerances: &BTreeMap<String, Tolerance>,
) -> CheckReport {
    let mode = if base.scenario_hash == current.scenario_hash
        && base.seed == current.seed
        && base.replications == current.replications
        && base.carepath_version == current.carepath_version
    {
        Mode::Exact
    } else if base.seed == current.seed && base.replications == current.replications {
        Mode::Paired
    } else {
        Mode::Independent
    };
    let mut missing: Vec<String> = base
        .metrics
        .keys()
        .filter(|k| !current.metrics.contains_key(*k))
        .cloned()
        .collect();
    missing.extend(
        current
            .metrics
            .keys()
            .filter(|k| !base.metrics.contains_key(*k))
            .cloned(),
    );
    let mut checks: Vec<MetricCheck> = base
        .metrics
        .iter()
        .filter_map(|(name, b)| {
            let c = current.metrics.get(name)?;
            let (bm, cm) = (mean(b), mean(c));
            let tol = tolerances.get(name).copied().unwrap_or(default);
            let beyond = (cm - bm).abs() > tol.absolute + tol.relative * bm.abs();
            Some(MetricCheck {
                metric: name.clone(),
                baseline: bm,
                current: cm,
                difference: cm - bm,
                p_value: p_value(mode, b, c),
                significant: false,
                beyond_tolerance: beyond,
                regression: mode == Mode::Exact
                    && b.iter().zip(c).any(|(x, y)| x.to_bits() != y.to_bits()),
                change: Change::None,
            })
        })
        .collect();
    if mode != Mode::Exact {
        // Holm's step-down: the i-th smallest p-value is compared with alpha / (m - i).
        let mut order: Vec<usize> = (0..checks.len()).collect();
        order.sort_by(|&a, &b| checks[a].p_value.total_cmp(&checks[b].p_value));
        let m = checks.len();
        for (rank, &i) in order.iter().enumerate() {
            if checks[i].p_value <= alpha / (m - rank) as f64 {
                checks[i].significant = true;
            } else {
                break;
            }
        }
        for c in &mut checks {
            c.regression = c.significant && c.beyond_tolerance;
        }
    }
    for c in &mut checks {
        c.change = if !c.regression {
            Change::None
        } else if mode == Mode::Exact || !lower_is_better(&c.metric) || c.difference == 0.0 {
            Change::Changed
        } else if c.difference < 0.0 {
            Change::Better
        } else {
            Change::Worse
        };
    }
    CheckReport {
        scenario: current.scenario.clone(),
        variant: current.variant.clone(),
        mode,
        alpha,
        checks,
        missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(seed: u64, hash: &str, values: &[(&str, &[f64])]) -> Baseline {
        Baseline {
            schema_version: 1,
            scenario: "s".into(),
            variant: String::new(),
            scenario_hash: hash.into(),
            carepath_version: "1".into(),
            seed,
            replications: values[0].1.len() as u32,
            metrics: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_vec()))
                .collect(),
        }
    }

    #[test]
    fn exact_mode_reports_any_bit_difference() {
        let a = b(1, "h", &[("x", &[1.0, 2.0])]);
        let mut c = a.clone();
        assert!(!check(&a, &c, 0.01, Tolerance::default(), &BTreeMap::new()).failed());
        c.metrics.get_mut("x").unwrap()[1] = 2.0000000000000004;
        let r = check(&a, &c, 0.01, Tolerance::default(), &BTreeMap::new());
        assert_eq!(r.mode, Mode::Exact);
        assert!(r.failed());
    }

    #[test]
    fn paired_and_welch_tests_find_real_shifts_and_holm_adjusts() {
        let base: Vec<f64> = (0..20).map(|i| 10.0 + (i as f64 * 0.37).sin()).collect();
        let shifted: Vec<f64> = base.iter().map(|x| x + 0.5).collect();
        let noise: Vec<f64> = base
            .iter()
            .enumerate()
            .map(|(i, x)| x + 0.01 * ((i * 7 % 5) as f64 - 2.0))
            .collect();
        let a = b(1, "h1", &[("moved", &base), ("same", &base)]);
        let c = b(1, "h2", &[("moved", &shifted), ("same", &noise)]);
        let r = check(&a, &c, 0.01, Tolerance::default(), &BTreeMap::new());
        assert_eq!(r.mode, Mode::Paired);
        let moved = r.checks.iter().find(|c| c.metric == "moved").unwrap();
        let same = r.checks.iter().find(|c| c.metric == "same").unwrap();
        assert!(moved.regression && !same.regression, "{r:?}");
        // With a tolerance larger than the shift, it is no longer a regression.
        let tol = BTreeMap::from([(
            "moved".to_string(),
            Tolerance {
                absolute: 1.0,
                relative: 0.0,
            },
        )]);
        assert!(!check(&a, &c, 0.01, Tolerance::default(), &tol).failed());
        let c2 = b(2, "h2", &[("moved", &shifted), ("same", &noise)]);
        assert_eq!(
            check(&a, &c2, 0.01, Tolerance::default(), &BTreeMap::new()).mode,
            Mode::Independent
        );
    }

    #[test]
    fn changes_are_labelled_by_direction_and_fail_on_worse_passes_improvements() {
        let base: Vec<f64> = (0..20).map(|i| 10.0 + (i as f64 * 0.37).sin()).collect();
        let lower: Vec<f64> = base.iter().map(|x| x - 3.0).collect();
        let higher: Vec<f64> = base.iter().map(|x| x + 3.0).collect();
        let w = "stations.desk.wait_min.mean";
        let u = "stations.desk.utilisation";
        let a = b(1, "h1", &[(w, &base), (u, &base)]);
        let fell = b(1, "h2", &[(w, &lower), (u, &lower)]);
        let r = check(&a, &fell, 0.01, Tolerance::default(), &BTreeMap::new());
        let get =
            |r: &CheckReport, m: &str| r.checks.iter().find(|c| c.metric == m).unwrap().change;
        assert_eq!(get(&r, w), Change::Better);
        assert_eq!(
            get(&r, u),
            Change::Changed,
            "utilisation has no better direction"
        );
        assert!(r.failed_on(FailOn::Any));
        assert!(
            r.failed_on(FailOn::Worse),
            "the undirected utilisation change still fails"
        );
        let only_wait = b(1, "h1", &[(w, &base)]);
        let wait_fell = b(1, "h2", &[(w, &lower)]);
        let r = check(
            &only_wait,
            &wait_fell,
            0.01,
            Tolerance::default(),
            &BTreeMap::new(),
        );
        assert!(r.failed_on(FailOn::Any) && !r.failed_on(FailOn::Worse));
        let wait_rose = b(1, "h2", &[(w, &higher)]);
        let r = check(
            &only_wait,
            &wait_rose,
            0.01,
            Tolerance::default(),
            &BTreeMap::new(),
        );
        assert_eq!(get(&r, w), Change::Worse);
        assert!(r.failed_on(FailOn::Worse));
    }

    #[test]
    fn p_values_are_readable_and_do_not_cancel_to_zero() {
        assert_eq!(format_p(0.0), "< 1e-300");
        assert_eq!(format_p(0.5), "0.500");
        assert_eq!(format_p(0.0004), "4.0e-4");
        // t = 12 with 19 degrees of freedom: p ≈ 2.6e-10, which 1 − cdf still gets; t = 40 is
        // far below 1e-16, where 1 − cdf gave exactly 0.
        let p = p_two_sided(40.0, 19.0);
        assert!(p > 0.0 && p < 1e-16, "{p}");
    }

    #[test]
    fn old_utilization_names_are_upgraded() {
        let mut a = b(1, "h", &[("stations.x.utilization", &[1.0, 2.0])]);
        a.upgrade_names();
        assert!(a.metrics.contains_key("stations.x.utilisation"));
        assert_eq!(
            canonical_metric("stations.x.wait_min.mean"),
            "stations.x.wait_min.mean"
        );
    }

    #[test]
    fn missing_metrics_fail() {
        let a = b(1, "h", &[("x", &[1.0, 2.0])]);
        let c = b(1, "h", &[("y", &[1.0, 2.0])]);
        let r = check(&a, &c, 0.01, Tolerance::default(), &BTreeMap::new());
        assert_eq!(r.missing, vec!["x".to_string(), "y".to_string()]);
        assert!(r.failed());
    }
}

//! Comparing variants: paired differences with confidence intervals, and where the time goes.
//!
//! Variants run with the same seed share common random numbers (see `rng`): replication r of
//! every variant meets the same patients with the same needs. The difference between two
//! variants is therefore estimated replication by replication (paired), and its Student-t
//! interval is usually much narrower than one from independent runs, which is computed too
//! (from a second run of each later variant with an unrelated seed, Welch's interval) so the
//! gain can be seen.

use crate::model::Model;
use crate::stats::summary::{
    Accumulator, CONFIDENCE, Metric, ReplicationRecord, SCHEMA_VERSION, Summary,
};
use crate::stats::{Estimate, t_critical};
use serde::Serialize;
use std::collections::BTreeMap;

/// Seed offset for the independent-streams runs (any fixed value unrelated to the seed).
pub const INDEPENDENT_SEED_XOR: u64 = 0x9e37_79b9_7f4a_7c15;

/// One variant's results: its model and replications (common random numbers), and optionally
/// the same variant run with independent random numbers.
pub struct VariantRun<'a> {
    /// The variant's model.
    pub model: &'a Model,
    /// Its replications with the shared seed.
    pub run: &'a Accumulator,
    /// What they gave (computed once by the caller, who prints or draws it too).
    pub findings: &'a crate::study::Findings,
    /// Replications with an unrelated seed (for the independent-streams interval).
    pub independent: Option<&'a [ReplicationRecord]>,
}

/// Where the time goes: mean minutes per completed patient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    /// Queueing at each station.
    pub queueing_min: BTreeMap<String, f64>,
    /// In service, all stations.
    pub service_min: f64,
    /// In delay steps (waiting for results, walking).
    pub delay_min: f64,
    /// Time in system minus the parts above. Zero when every patient completes inside the
    /// window; otherwise it balances queueing and service of patients who balked, reneged or
    /// were still inside at the end (counted in the parts but not in time in system), and can
    /// be negative.
    pub other_min: f64,
    /// Mean time in system: the sum of the parts above.
    pub time_in_system_min: f64,
}

/// A paired difference `b − a` of one metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairedDifference {
    /// Baseline variant.
    pub a: String,
    /// Compared variant.
    pub b: String,
    /// Metric name (e.g. `time_in_system_min.mean`, `stations.payment.wait_min.mean`).
    pub metric: String,
    /// Mean of the metric in `a`.
    pub a_mean: f64,
    /// Mean of the metric in `b`.
    pub b_mean: f64,
    /// b − a, paired by replication: mean, sd and 95% interval.
    pub difference: Metric,
    /// Half-width of the 95% interval from independent runs (Welch), when computed.
    pub independent_ci95_half_width: Option<f64>,
}

/// The whole comparison (`comparison.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Schema version (shared with `summary.json`).
    pub schema_version: u32,
    /// Scenario name.
    pub scenario: String,
    /// Seed shared by all variants.
    pub seed: u64,
    /// Replications per variant.
    pub replications: u32,
    /// Confidence level of the intervals.
    pub confidence_level: f64,
    /// Variant order as compared.
    pub order: Vec<String>,
    /// Each variant's summary (the fields of `summary.json`), by variant id.
    pub variants: BTreeMap<String, Summary>,
    /// Each variant's time breakdown, by variant id.
    pub breakdown: BTreeMap<String, Breakdown>,
    /// Paired differences, for every pair (a before b in `order`).
    pub differences: Vec<PairedDifference>,
}

/// Per-replication values of each compared metric, by metric name.
type MetricValues = Vec<(String, Vec<f64>)>;

/// Per-replication values of the compared metrics, by name.
fn metric_values(model: &Model, results: &[ReplicationRecord]) -> MetricValues {
    let mut out = vec![
        (
            "time_in_system_min.mean".to_string(),
            results.iter().map(|r| r.time_in_system.mean()).collect(),
        ),
        (
            "time_in_system_min.p50".to_string(),
            results
                .iter()
                .map(|r| r.time_in_system_quantiles[0])
                .collect(),
        ),
        (
            "time_in_system_min.p90".to_string(),
            results
                .iter()
                .map(|r| r.time_in_system_quantiles[1])
                .collect(),
        ),
        (
            "time_in_system_min.p95".to_string(),
            results
                .iter()
                .map(|r| r.time_in_system_quantiles[2])
                .collect(),
        ),
        (
            "queues_per_patient".to_string(),
            results
                .iter()
                .map(|r| {
                    if r.patients.arrived > 0 {
                        r.queue_joins as f64 / r.patients.arrived as f64
                    } else {
                        0.0
                    }
                })
                .collect(),
        ),
    ];
    for (i, s) in model.stations.iter().enumerate() {
        out.push((
            format!("stations.{}.wait_min.mean", s.id),
            results.iter().map(|r| r.stations[i].waits.mean()).collect(),
        ));
    }
    // Each replication's share meeting a target; one that counted nobody had nobody miss it.
    for (i, t) in model.targets.list.iter().enumerate() {
        out.push((
            format!("targets.{}.share", t.id),
            results
                .iter()
                .map(|r| {
                    let c = r.targets.get(i).copied().unwrap_or_default();
                    if c.total > 0 {
                        c.met as f64 / c.total as f64
                    } else {
                        1.0
                    }
                })
                .collect(),
        ));
    }
    out
}

/// Where the time goes for one variant, averaged over replications.
pub fn breakdown(model: &Model, results: &[ReplicationRecord]) -> Breakdown {
    let n = results.len().max(1) as f64;
    let per = |r: &ReplicationRecord, v: f64| {
        if r.time_in_system.count > 0 {
            v / r.time_in_system.count as f64
        } else {
            0.0
        }
    };
    let mut queueing = BTreeMap::new();
    let mut parts = 0.0;
    for (i, s) in model.stations.iter().enumerate() {
        let q = results
            .iter()
            .map(|r| per(r, r.stations[i].waits.sum))
            .sum::<f64>()
            / n;
        parts += q;
        queueing.insert(s.id.clone(), q);
    }
    let service = results
        .iter()
        .map(|r| per(r, r.stations.iter().map(|s| s.service_sum).sum()))
        .sum::<f64>()
        / n;
    let delay = results.iter().map(|r| per(r, r.delay_sum)).sum::<f64>() / n;
    let total = results.iter().map(|r| r.time_in_system.mean()).sum::<f64>() / n;
    Breakdown {
        queueing_min: queueing,
        service_min: service,
        delay_min: delay,
        other_min: total - parts - service - delay,
        time_in_system_min: total,
    }
}

/// Welch half-width of the difference of two independent samples' means.
fn welch_half_width(a: &[f64], b: &[f64]) -> Option<f64> {
    let (ea, eb) = (
        Estimate::from_values(a, CONFIDENCE),
        Estimate::from_values(b, CONFIDENCE),
    );
    let (na, nb) = (a.len() as f64, b.len() as f64);
    if na < 2.0 || nb < 2.0 {
        return None;
    }
    let (va, vb) = (ea.sd * ea.sd / na, eb.sd * eb.sd / nb);
    let se2 = va + vb;
    if se2 == 0.0 {
        return Some(0.0);
    }
    let df = se2 * se2 / (va * va / (na - 1.0) + vb * vb / (nb - 1.0));
    Some(t_critical(CONFIDENCE, df.floor().max(1.0) as u64) * se2.sqrt())
}

/// Builds the comparison of `runs` (in order; every pair a < b is compared).
pub fn compare(runs: &[VariantRun<'_>]) -> Comparison {
    let first = runs.first().expect("at least one variant");
    let values: Vec<MetricValues> = runs
        .iter()
        .map(|v| metric_values(v.model, v.run.records()))
        .collect();
    let independent: Vec<Option<MetricValues>> = runs
        .iter()
        .map(|v| v.independent.map(|r| metric_values(v.model, r)))
        .collect();
    let mut differences = Vec::new();
    for i in 0..runs.len() {
        for j in i + 1..runs.len() {
            for (name, a) in &values[i] {
                let Some((_, b)) = values[j].iter().find(|(n, _)| n == name) else {
                    continue;
                };
                let paired: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
                let b_ind = independent[j]
                    .as_ref()
                    .and_then(|ind| ind.iter().find(|(n, _)| n == name))
                    .map(|(_, v)| v);
                differences.push(PairedDifference {
                    a: runs[i].model.variant.clone(),
                    b: runs[j].model.variant.clone(),
                    metric: name.clone(),
                    a_mean: a.iter().sum::<f64>() / a.len().max(1) as f64,
                    b_mean: b.iter().sum::<f64>() / b.len().max(1) as f64,
                    difference: Metric::from_values(&paired),
                    independent_ci95_half_width: b_ind.and_then(|bi| welch_half_width(a, bi)),
                });
            }
        }
    }
    Comparison {
        schema_version: SCHEMA_VERSION,
        scenario: first.model.name.clone(),
        seed: first.model.seed,
        replications: first.run.len() as u32,
        confidence_level: CONFIDENCE,
        order: runs.iter().map(|v| v.model.variant.clone()).collect(),
        variants: runs
            .iter()
            .map(|v| (v.model.variant.clone(), v.findings.summary.clone()))
            .collect(),
        breakdown: runs
            .iter()
            .map(|v| (v.model.variant.clone(), v.findings.breakdown.clone()))
            .collect(),
        differences,
    }
}

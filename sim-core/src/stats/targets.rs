//! Service-level targets across the replications: each target's share of patients meeting
//! it (the mean of the replications' shares, with its interval) and whether it is met with 95%
//! confidence, judged by the one-sided bounds (the ends of the two-sided 90% interval).

use super::Estimate;
use super::summary::{Metric, ReplicationRecord};
use crate::engine::TargetCount;
use crate::model::Model;
use serde::Serialize;

/// Whether a service-level target is met, judged with 95% confidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The one-sided 95% lower confidence bound of the share is at or above the target.
    Met,
    /// The one-sided 95% upper confidence bound is below the target.
    NotMet,
    /// Neither: more replications may decide (or the share is right at the target).
    Undecided,
    /// No patient was counted (or too few replications to judge).
    NoData,
}

impl Verdict {
    /// The verdict in words, for tables and reports.
    pub fn words(self) -> &'static str {
        match self {
            Verdict::Met => "met (95% confidence)",
            Verdict::NotMet => "not met (95% confidence)",
            Verdict::Undecided => "undecided: more replications needed",
            Verdict::NoData => "no data",
        }
    }
}

/// One service-level target across the replications.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetSummary {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `time_in_system` or `wait`.
    pub metric: &'static str,
    /// The station, for wait targets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub station: Option<String>,
    /// The class, when the target is for one class.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// The limit (minutes).
    pub within_min: f64,
    /// The share that must meet it.
    pub required_share: f64,
    /// The share of counted patients meeting it: mean of the per-replication shares, with its
    /// 95% interval (replications that counted nobody are left out).
    pub share: Metric,
    /// One-sided 95% bounds of the share (lower, upper): the verdict compares them with the
    /// required share. Null with fewer than two replications that counted patients.
    pub one_sided_95: Option<[f64; 2]>,
    /// Patients counted per replication.
    pub patients: Metric,
    /// Met, not met, undecided or no data.
    pub verdict: Verdict,
}

/// Each target's share across the replications and its verdict.
pub(crate) fn target_summaries(model: &Model, results: &[ReplicationRecord]) -> Vec<TargetSummary> {
    use crate::model::TargetKind;
    model
        .targets
        .list
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let counts: Vec<TargetCount> = results
                .iter()
                .map(|r| r.targets.get(i).copied().unwrap_or_default())
                .collect();
            let shares: Vec<f64> = counts
                .iter()
                .filter(|c| c.total > 0)
                .map(|c| c.met as f64 / c.total as f64)
                .collect();
            let one_sided = (shares.len() >= 2).then(|| {
                // A two-sided 90% interval's ends are one-sided 95% bounds.
                let e = Estimate::from_values(&shares, 0.90);
                [e.low().max(0.0) + 0.0, e.high().min(1.0) + 0.0]
            });
            let verdict = match one_sided {
                None => Verdict::NoData,
                Some([lo, _]) if lo >= t.share => Verdict::Met,
                Some([_, hi]) if hi < t.share => Verdict::NotMet,
                Some(_) => Verdict::Undecided,
            };
            let (metric, station) = match t.kind {
                TargetKind::TimeInSystem => ("time_in_system", None),
                TargetKind::Wait { station } => {
                    ("wait", Some(model.stations[station as usize].id.clone()))
                }
            };
            TargetSummary {
                id: t.id.clone(),
                name: t.name.clone(),
                metric,
                station,
                class: t.class.map(|c| model.classes[c as usize].id.clone()),
                within_min: t.within,
                required_share: t.share,
                share: Metric::share(&shares),
                one_sided_95: one_sided,
                patients: Metric::non_negative(
                    &counts.iter().map(|c| c.total as f64).collect::<Vec<_>>(),
                ),
                verdict,
            }
        })
        .collect()
}

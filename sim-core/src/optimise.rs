//! "The fewest staff (or the lowest staff cost) such that the targets are met with 95%
//! confidence": a search over a study's points, read from the study file's `[optimise]`
//! table beside its `[sweep]` and `[parameters]` (`docs/studies.md`).
//!
//! ```toml
//! [optimise]
//! cost = { "stations.consult.servers[0].count" = 1.0 }  # per unit; default 1 per parameter
//! max_replications = 320                                # default 640
//! confidence = 0.95                                     # for the whole answer
//! [[optimise.constraints]]
//! metric = "targets.two_hours.share"
//! at_least = 0.9
//! ```
//!
//! **The procedure** is a feasibility search with common random numbers and a Bonferroni
//! guard. The candidates (every point) are examined in order of cost, cheapest first (ties in
//! point order). Each gets the sweep's replications; every constraint is judged on its
//! confidence interval at the level `1 − (1 − confidence) / (candidates × constraints)`: met
//! when the whole interval is on the right side of the bound, violated when it is wholly on
//! the wrong side, open otherwise. A candidate is feasible when every constraint is met,
//! infeasible when one is violated; while it is neither, its replications are doubled (up to
//! `max_replications`), so replications are added only where the decision is close. The
//! answer is the first feasible candidate, the runner-up the next. By Bonferroni's
//! inequality, every verdict the search could make holds together with probability at least
//! `confidence`, so the answer is feasible, and every cheaper candidate judged infeasible is,
//! with that confidence. Cheaper candidates left open at `max_replications` are reported:
//! the answer is then the cheapest *proven* feasible, not necessarily the cheapest.
//!
//! This is the feasibility-determination question of ranking and selection (Batur and Kim,
//! 2010), answered with a simpler, conservative guard rather than a fully sequential test.

use crate::stats::Estimate;
use crate::sweep::{Sweep, SweepError};
use serde::Deserialize;
use toml::Value;

/// Default most replications per candidate.
pub const DEFAULT_MAX_REPLICATIONS: u32 = 640;

/// One side of a constraint.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    /// The metric's mean must be at least this.
    AtLeast(f64),
    /// The metric's mean must be at most this.
    AtMost(f64),
}

/// A constraint on one metric's mean.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    /// The metric (a sweep metric name).
    pub metric: String,
    /// The bound.
    pub bound: Bound,
}

impl Constraint {
    /// "targets.x.share ≥ 0.9".
    pub fn display(&self) -> String {
        match self.bound {
            Bound::AtLeast(b) => format!("{} ≥ {b}", self.metric),
            Bound::AtMost(b) => format!("{} ≤ {b}", self.metric),
        }
    }

    /// Met (Some(true)), violated (Some(false)) or open (None) on this interval.
    pub fn judge(&self, e: &Estimate) -> Option<bool> {
        let (lo, hi) = (e.low(), e.high());
        if !(lo.is_finite() && hi.is_finite()) {
            return None;
        }
        match self.bound {
            Bound::AtLeast(b) if lo >= b => Some(true),
            Bound::AtLeast(b) if hi < b => Some(false),
            Bound::AtMost(b) if hi <= b => Some(true),
            Bound::AtMost(b) if lo > b => Some(false),
            _ => None,
        }
    }
}

/// `[optimise]`, read and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Optimise {
    /// Cost per unit of each parameter, in the sweep's column order.
    pub costs: Vec<f64>,
    /// Most replications per candidate.
    pub max_replications: u32,
    /// Confidence of the whole answer.
    pub confidence: f64,
    /// The constraints, all of which must be met.
    pub constraints: Vec<Constraint>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OptimiseSection {
    #[serde(default)]
    cost: toml::Table,
    #[serde(default)]
    max_replications: Option<u32>,
    #[serde(default)]
    confidence: Option<f64>,
    #[serde(default)]
    constraints: Vec<ConstraintSection>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConstraintSection {
    metric: String,
    #[serde(default)]
    at_least: Option<f64>,
    #[serde(default)]
    at_most: Option<f64>,
}

fn invalid(at: impl Into<String>, message: impl Into<String>) -> SweepError {
    SweepError::Invalid {
        at: at.into(),
        message: message.into(),
    }
}

impl OptimiseSection {
    /// Checks the section against the sweep's parameters.
    pub(crate) fn check(self, parameters: &[String]) -> Result<Optimise, SweepError> {
        let mut costs = vec![1.0; parameters.len()];
        for (path, v) in &self.cost {
            let Some(i) = parameters.iter().position(|p| p == path) else {
                return Err(invalid(
                    format!("optimise.cost.{path:?}"),
                    format!(
                        "is not a parameter of the study (parameters: {})",
                        parameters.join(", ")
                    ),
                ));
            };
            let c = match v {
                Value::Integer(n) => *n as f64,
                Value::Float(x) => *x,
                other => {
                    return Err(invalid(
                        format!("optimise.cost.{path:?}"),
                        format!("must be a number (got {other})"),
                    ));
                }
            };
            if !(c.is_finite() && c >= 0.0) {
                return Err(invalid(
                    format!("optimise.cost.{path:?}"),
                    "must be a finite number at least 0",
                ));
            }
            costs[i] = c;
        }
        let confidence = self.confidence.unwrap_or(0.95);
        if !(0.5..1.0).contains(&confidence) {
            return Err(invalid(
                "optimise.confidence",
                format!("must be at least 0.5 and below 1 (got {confidence})"),
            ));
        }
        let max_replications = self.max_replications.unwrap_or(DEFAULT_MAX_REPLICATIONS);
        if !(2..=crate::model::MAX_REPLICATIONS).contains(&max_replications) {
            return Err(invalid(
                "optimise.max_replications",
                format!(
                    "must be between 2 and {} (got {max_replications})",
                    crate::model::MAX_REPLICATIONS
                ),
            ));
        }
        if self.constraints.is_empty() {
            return Err(invalid(
                "optimise.constraints",
                "names no constraint: add [[optimise.constraints]] with metric and at_least or at_most",
            ));
        }
        let mut constraints = Vec::new();
        for (i, c) in self.constraints.into_iter().enumerate() {
            let at = format!("optimise.constraints[{i}]");
            let bound = match (c.at_least, c.at_most) {
                (Some(b), None) if b.is_finite() => Bound::AtLeast(b),
                (None, Some(b)) if b.is_finite() => Bound::AtMost(b),
                (Some(_), Some(_)) => {
                    return Err(invalid(
                        at,
                        "give at_least or at_most, not both (two constraints for a range)",
                    ));
                }
                (None, None) => return Err(invalid(at, "needs at_least or at_most")),
                _ => return Err(invalid(at, "the bound must be a finite number")),
            };
            constraints.push(Constraint {
                metric: c.metric,
                bound,
            });
        }
        Ok(Optimise {
            costs,
            max_replications,
            confidence,
            constraints,
        })
    }
}

impl Optimise {
    /// The cost of `sweep`'s point `i`: Σ cost × value; an error names a value that is not a
    /// number.
    pub fn cost(&self, sweep: &Sweep, i: usize) -> Result<f64, SweepError> {
        let mut total = 0.0;
        for ((path, v), c) in sweep.parameters.iter().zip(sweep.point(i)).zip(&self.costs) {
            let x = match v {
                Value::Integer(n) => n as f64,
                Value::Float(x) => x,
                other => {
                    return Err(invalid(
                        format!("parameters.{path:?}"),
                        format!(
                            "takes the value {other}, which has no cost: optimise needs numbers"
                        ),
                    ));
                }
            };
            total += c * x;
        }
        Ok(total)
    }

    /// The confidence level of each constraint's interval with `candidates` candidates.
    pub fn test_level(&self, candidates: usize) -> f64 {
        1.0 - (1.0 - self.confidence) / (candidates.max(1) * self.constraints.len()) as f64
    }
}

/// A candidate's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every constraint met.
    Feasible,
    /// Some constraint violated.
    Infeasible,
    /// Neither, at the most replications allowed.
    Open,
}

impl Verdict {
    /// "feasible" / "infeasible" / "open".
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Feasible => "feasible",
            Verdict::Infeasible => "infeasible",
            Verdict::Open => "open",
        }
    }
}

/// What the search found out about one candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// The point.
    pub point: usize,
    /// Its cost.
    pub cost: f64,
    /// Replications run (the last round's).
    pub replications: u32,
    /// Each constraint's estimate, with its interval at the test level.
    pub estimates: Vec<Estimate>,
    /// The verdict.
    pub verdict: Verdict,
}

/// The search's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The candidates examined, in the order examined (cost order).
    pub examined: Vec<Evidence>,
    /// Index into `examined` of the answer (None: no candidate was proven feasible).
    pub answer: Option<usize>,
    /// Index into `examined` of the runner-up.
    pub runner_up: Option<usize>,
    /// Each interval's confidence level.
    pub test_level: f64,
    /// All candidates.
    pub candidates: usize,
    /// Replications run in all, every round counted.
    pub replications_run: u64,
}

impl Outcome {
    /// Candidates cheaper than the answer that were left open.
    pub fn open_before_answer(&self) -> Vec<&Evidence> {
        let end = self.answer.unwrap_or(self.examined.len());
        self.examined[..end]
            .iter()
            .filter(|e| e.verdict == Verdict::Open)
            .collect()
    }
}

/// Runs the search. `first` is the replications a candidate starts with (at least 2);
/// `evaluate(point, n)` runs replications `0..n` of the point (the same seeds at every point:
/// common random numbers) and returns each constraint's per-replication values, in
/// constraint order.
pub fn search<E>(
    sweep: &Sweep,
    goal: &Optimise,
    first: u32,
    mut evaluate: impl FnMut(usize, u32) -> Result<Vec<Vec<f64>>, E>,
) -> Result<Result<Outcome, SweepError>, E> {
    let mut order = Vec::with_capacity(sweep.len());
    for i in 0..sweep.len() {
        match goal.cost(sweep, i) {
            Ok(c) => order.push((c, i)),
            Err(e) => return Ok(Err(e)),
        }
    }
    order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let level = goal.test_level(order.len());
    let first = first.clamp(2, goal.max_replications);
    let mut examined = Vec::new();
    let (mut answer, mut runner_up) = (None, None);
    let mut replications_run = 0u64;
    for (cost, point) in order {
        let mut n = first;
        let evidence = loop {
            let values = evaluate(point, n)?;
            replications_run += u64::from(n);
            let estimates: Vec<Estimate> = values
                .iter()
                .map(|v| Estimate::from_values(v, level))
                .collect();
            let judged: Vec<Option<bool>> = goal
                .constraints
                .iter()
                .zip(&estimates)
                .map(|(c, e)| c.judge(e))
                .collect();
            let verdict = if judged.contains(&Some(false)) {
                Verdict::Infeasible
            } else if judged.iter().all(|j| *j == Some(true)) {
                Verdict::Feasible
            } else {
                Verdict::Open
            };
            if verdict != Verdict::Open || n >= goal.max_replications {
                break Evidence {
                    point,
                    cost,
                    replications: n,
                    estimates,
                    verdict,
                };
            }
            n = n.saturating_mul(2).min(goal.max_replications);
        };
        let feasible = evidence.verdict == Verdict::Feasible;
        examined.push(evidence);
        if feasible {
            if answer.is_none() {
                answer = Some(examined.len() - 1);
            } else {
                runner_up = Some(examined.len() - 1);
                break;
            }
        }
    }
    Ok(Ok(Outcome {
        examined,
        answer,
        runner_up,
        test_level: level,
        candidates: sweep.len(),
        replications_run,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STUDY: &str = r#"
[sweep]
scenario = "x.toml"
replications = 4
[parameters]
"stations.a.servers" = [1, 2, 3]
"stations.b.servers" = [1, 2]
[optimise]
cost = { "stations.b.servers" = 10 }
[[optimise.constraints]]
metric = "m"
at_most = 5.0
"#;

    #[test]
    fn candidates_are_examined_cheapest_first_until_a_runner_up() {
        let sweep = Sweep::parse(STUDY).unwrap();
        let goal = sweep.optimise.clone().unwrap();
        assert_eq!(goal.costs, vec![1.0, 10.0]);
        assert_eq!(goal.cost(&sweep, 5).unwrap(), 23.0);
        // The metric is 10 / (a + b) with small noise: feasible when a + b ≥ 2 exactly.
        let mut calls = Vec::new();
        let outcome = search(&sweep, &goal, 4, |point, n| {
            calls.push((point, n));
            let v = sweep.point(point);
            let total = (v[0].as_integer().unwrap() + v[1].as_integer().unwrap()) as f64;
            let values: Vec<f64> = (0..n)
                .map(|r| 10.0 / total + if r % 2 == 0 { 0.01 } else { -0.01 })
                .collect();
            Ok::<_, ()>(vec![values])
        })
        .unwrap()
        .unwrap();
        // Costs: (1,1)=11 (2,1)=12 (3,1)=13 (1,2)=21 ...; (1,1) gives 5.0 ± noise: open, so
        // doubled to the cap; (2,1) gives 3.33: feasible; (3,1) the runner-up.
        let points: Vec<usize> = outcome.examined.iter().map(|e| e.point).collect();
        assert_eq!(points, vec![0, 2, 4]);
        assert_eq!(outcome.examined[0].verdict, Verdict::Open);
        assert_eq!(outcome.examined[0].replications, DEFAULT_MAX_REPLICATIONS);
        assert_eq!(outcome.answer, Some(1));
        assert_eq!(outcome.runner_up, Some(2));
        assert_eq!(outcome.open_before_answer().len(), 1);
        assert_eq!(calls[..3], [(0, 4), (0, 8), (0, 16)]);
        assert!((outcome.test_level - (1.0 - 0.05 / 6.0)).abs() < 1e-15);
    }

    #[test]
    fn bad_sections_are_named() {
        let bad = |from: &str, to: &str| {
            Sweep::parse(&STUDY.replace(from, to))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            bad("at_most = 5.0", ""),
            "optimise.constraints[0]: needs at_least or at_most"
        );
        assert!(
            bad("\"stations.b.servers\" = 10", "\"stations.c.servers\" = 10")
                .starts_with("optimise.cost.\"stations.c.servers\": is not a parameter")
        );
        assert!(bad("[optimise]", "[optimise]\nconfidence = 1.5").contains("confidence"));
        assert!(bad("at_most = 5.0", "at_most = 5.0\nat_least = 1.0").contains("not both"));
        assert!(
            bad(
                "[[optimise.constraints]]\nmetric = \"m\"\nat_most = 5.0",
                ""
            )
            .contains("names no constraint")
        );
    }
}

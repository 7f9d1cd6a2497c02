//! Sweeps: one scenario run at many points, each point a set of [`Setting`]s (say
//! `stations.consult.servers = 12` and `workflow.adoption.adult = 0.6`), with the same seed
//! at every point, so every point sees the same patients (common random numbers) and the
//! differences between points are the parameters', not the dice's.
//!
//! A sweep is described by a study file (`docs/studies.md`):
//!
//! ```toml
//! [sweep]
//! scenario = "../future-hospital.toml"   # relative to the study file
//! variants = ["paper", "digital"]        # default: the base scenario
//! replications = 10                      # default: the scenario's run.replications
//! metrics = ["time_in_system_min.mean", "targets.within_2h.share"]  # default: see below
//! set = { "run.max_arrivals" = 500 }     # values set at every point
//!
//! [parameters]                            # every combination (full factorial) ...
//! "stations.doctor.servers[0].count" = { from = 150, to = 250, step = 10 }
//! "workflow.adoption.adult" = [0.3, 0.6, 0.9]
//!
//! # ... or listed points instead:
//! # points = [{ "stations.doctor.servers[0].count" = 150 }, ...]
//! ```
//!
//! This module reads the study, enumerates its points in a fixed order (the first parameter
//! varies slowest), and turns a point's replications into tidy rows (one per point, variant
//! and metric: mean and 95% interval). Running the points in parallel, writing and merging
//! files is the caller's (the CLI's `carepath sweep`); each point's rows depend on the point
//! alone, so any order, thread count or split across machines gives the same rows.

use crate::Model;
use crate::scenario::Setting;
use crate::stats::Estimate;
use crate::stats::summary::ReplicationRecord;
use serde::Deserialize;
use toml::{Table, Value};

/// Most points one sweep may have (each is at least one replication of a whole model).
pub const MAX_POINTS: usize = 1_000_000;

/// A study file that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SweepError {
    /// Not TOML, or not the study format.
    #[error("{line}:{column}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// Readable, but wrong.
    #[error("{at}: {message}")]
    Invalid {
        /// The key at fault (`parameters."stations.x.servers"`).
        at: String,
        /// What is wrong.
        message: String,
    },
}

fn invalid(at: impl Into<String>, message: impl Into<String>) -> SweepError {
    SweepError::Invalid {
        at: at.into(),
        message: message.into(),
    }
}

/// `[sweep]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepSection {
    scenario: String,
    #[serde(default)]
    variants: Vec<String>,
    #[serde(default)]
    replications: Option<u32>,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    metrics: Vec<String>,
    /// Values set at every point (paths as keys, quoted).
    #[serde(default)]
    set: Table,
}

/// A study file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct StudyFile {
    sweep: SweepSection,
    #[serde(default)]
    parameters: Option<Table>,
    #[serde(default)]
    points: Option<Vec<Table>>,
    /// `carepath optimise`'s costs and constraints (see [`crate::optimise`]).
    #[serde(default)]
    optimise: Option<crate::optimise::OptimiseSection>,
}

/// One parameter and the values it takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// The scenario path it sets.
    pub path: String,
    /// Its values, in order.
    pub values: Vec<Value>,
}

/// A sweep, read and checked (its points are checked against the scenario when each
/// point's model is built).
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    /// The scenario file, as written (relative to the study file).
    pub scenario: String,
    /// Variants run at every point (`None`: the base scenario).
    pub variants: Vec<Option<String>>,
    /// Replications per point and variant (`None`: the scenario's).
    pub replications: Option<u32>,
    /// Seed (`None`: the scenario's).
    pub seed: Option<u64>,
    /// Metrics asked for (empty: [`default_metrics`]).
    pub metrics: Vec<String>,
    /// Values set at every point (`[sweep.set]`), before the point's own.
    pub fixed: Vec<Setting>,
    /// The parameter paths, in column order.
    pub parameters: Vec<String>,
    /// `[optimise]`: what `carepath optimise` searches for (None when absent).
    pub optimise: Option<crate::optimise::Optimise>,
    /// How the points are made.
    design: Design,
}

#[derive(Debug, Clone, PartialEq)]
enum Design {
    /// Every combination of these parameters' values.
    Factorial(Vec<Parameter>),
    /// These points, each a value per parameter (in `Sweep::parameters` order).
    Listed(Vec<Vec<Value>>),
}

impl Sweep {
    /// Reads a study file's text.
    pub fn parse(text: &str) -> Result<Sweep, SweepError> {
        let file: StudyFile = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((1, 1), |s| crate::error::line_column(text, s.start));
            SweepError::Syntax {
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })?;
        let s = file.sweep;
        if s.replications == Some(0) || s.replications > Some(crate::model::MAX_REPLICATIONS) {
            return Err(invalid(
                "sweep.replications",
                format!("must be between 1 and {}", crate::model::MAX_REPLICATIONS),
            ));
        }
        for (i, v) in s.variants.iter().enumerate() {
            if s.variants[..i].contains(v) {
                return Err(invalid("sweep.variants", format!("{v:?} is listed twice")));
            }
        }
        let (parameters, design) = match (file.parameters, file.points) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "points",
                    "give either [parameters] (every combination) or points (listed), not both",
                ));
            }
            (None, None) => {
                return Err(invalid(
                    "parameters",
                    "a sweep needs [parameters] (every combination of their values) or points = [...]",
                ));
            }
            (Some(table), None) => {
                let mut params = Vec::new();
                flatten(&table, "", &mut params)?;
                if params.is_empty() {
                    return Err(invalid("parameters", "names no parameter"));
                }
                let mut n: usize = 1;
                for p in &params {
                    n = n.saturating_mul(p.values.len());
                }
                if n > MAX_POINTS {
                    return Err(invalid(
                        "parameters",
                        format!("make {n} points; at most {MAX_POINTS} are allowed"),
                    ));
                }
                (
                    params.iter().map(|p| p.path.clone()).collect(),
                    Design::Factorial(params),
                )
            }
            (None, Some(points)) => {
                if points.is_empty() {
                    return Err(invalid("points", "is empty"));
                }
                if points.len() > MAX_POINTS {
                    return Err(invalid(
                        "points",
                        format!(
                            "lists {} points; at most {MAX_POINTS} are allowed",
                            points.len()
                        ),
                    ));
                }
                let names: Vec<String> = points[0].keys().cloned().collect();
                let mut rows = Vec::with_capacity(points.len());
                for (i, p) in points.iter().enumerate() {
                    let keys: Vec<&String> = p.keys().collect();
                    if keys.len() != names.len() || keys.iter().zip(&names).any(|(a, b)| *a != b) {
                        return Err(invalid(
                            format!("points[{i}]"),
                            format!(
                                "sets {} but the first point sets {}: every point sets the same parameters",
                                keys.iter()
                                    .map(|k| k.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", "),
                                names.join(", ")
                            ),
                        ));
                    }
                    rows.push(names.iter().map(|k| p[k].clone()).collect());
                }
                for n in &names {
                    Setting::parse(&format!("{n}=0"))
                        .map_err(|m| invalid(format!("points.{n:?}"), m))?;
                }
                (names, Design::Listed(rows))
            }
        };
        let mut fixed = Vec::new();
        for (path, v) in &s.set {
            Setting::parse(&format!("{path}=0"))
                .map_err(|m| invalid(format!("sweep.set.{path:?}"), m))?;
            fixed.push(Setting::new(path.clone(), v.clone()));
        }
        let optimise = file.optimise.map(|o| o.check(&parameters)).transpose()?;
        Ok(Sweep {
            optimise,
            fixed,
            scenario: s.scenario,
            variants: if s.variants.is_empty() {
                vec![None]
            } else {
                s.variants.into_iter().map(Some).collect()
            },
            replications: s.replications,
            seed: s.seed,
            metrics: s.metrics,
            parameters,
            design,
        })
    }

    /// How many points the sweep has.
    pub fn len(&self) -> usize {
        match &self.design {
            Design::Factorial(params) => params.iter().map(|p| p.values.len()).product(),
            Design::Listed(rows) => rows.len(),
        }
    }

    /// True when the sweep has no points (never, once parsed).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values of point `index` (0-based), one per parameter in column order. In a
    /// factorial sweep the first parameter varies slowest, the last fastest.
    pub fn point(&self, index: usize) -> Vec<Value> {
        match &self.design {
            Design::Factorial(params) => {
                let mut rest = index;
                let mut out = vec![Value::Boolean(false); params.len()];
                for (k, p) in params.iter().enumerate().rev() {
                    out[k] = p.values[rest % p.values.len()].clone();
                    rest /= p.values.len();
                }
                out
            }
            Design::Listed(rows) => rows[index].clone(),
        }
    }

    /// The settings of point `index`.
    pub fn settings(&self, index: usize) -> Vec<Setting> {
        self.parameters
            .iter()
            .zip(self.point(index))
            .map(|(path, v)| Setting::new(path.clone(), v))
            .collect()
    }

    /// The points of shard `k` of `n` (1-based `k`): every `n`th point from the `k`th, so
    /// shards are about the same size and together hold every point once.
    pub fn shard(&self, k: usize, n: usize) -> impl Iterator<Item = usize> + use<> {
        (k.saturating_sub(1)..self.len()).step_by(n.max(1))
    }
}

/// Collects the parameters of `[parameters]`: a key whose value is a list (the values) or a
/// range `{ from, to, step }`; a table of other keys is a part of a path
/// (`stations.consult.servers = [...]` written unquoted nests tables).
fn flatten(table: &Table, prefix: &str, out: &mut Vec<Parameter>) -> Result<(), SweepError> {
    for (key, v) in table {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let at = format!("parameters.{path:?}");
        let values = match v {
            Value::Array(values) => {
                if values.is_empty() {
                    return Err(invalid(at, "lists no values"));
                }
                values.clone()
            }
            Value::Table(t) if t.contains_key("from") || t.contains_key("to") => range(t, &at)?,
            Value::Table(t) => {
                flatten(t, &path, out)?;
                continue;
            }
            other => {
                return Err(invalid(
                    at,
                    format!(
                        "must be a list of values or {{ from, to, step }} (got {other}); to fix a value for every point, use --set or the scenario"
                    ),
                ));
            }
        };
        Setting::parse(&format!("{path}=0")).map_err(|m| invalid(at.clone(), m))?;
        out.push(Parameter { path, values });
    }
    Ok(())
}

/// The values of `{ from, to, step }`: whole numbers when all three are, else decimals
/// (rounded to 9 decimal places, so 0.1 steps give 0.3, not 0.30000000000000004).
fn range(t: &Table, at: &str) -> Result<Vec<Value>, SweepError> {
    for k in t.keys() {
        if !["from", "to", "step"].contains(&k.as_str()) {
            return Err(invalid(
                format!("{at}.{k}"),
                "a range has only from, to and step",
            ));
        }
    }
    let get = |k: &str| {
        t.get(k)
            .ok_or_else(|| invalid(at, format!("a range needs `{k}`")))
    };
    let (from, to, step) = (get("from")?, get("to")?, get("step")?);
    if let (Value::Integer(a), Value::Integer(b), Value::Integer(s)) = (from, to, step) {
        if *s <= 0 || b < a {
            return Err(invalid(at, "needs from ≤ to and a positive step"));
        }
        let n = (b - a) / s + 1;
        if n as u64 > MAX_POINTS as u64 {
            return Err(invalid(at, format!("has {n} values; at most {MAX_POINTS}")));
        }
        return Ok((0..n).map(|k| Value::Integer(a + k * s)).collect());
    }
    let num = |v: &Value, k: &str| match v {
        Value::Integer(n) => Ok(*n as f64),
        Value::Float(x) if x.is_finite() => Ok(*x),
        _ => Err(invalid(format!("{at}.{k}"), "must be a number")),
    };
    let (a, b, s) = (num(from, "from")?, num(to, "to")?, num(step, "step")?);
    if s <= 0.0 || b < a {
        return Err(invalid(at, "needs from ≤ to and a positive step"));
    }
    let n = ((b - a) / s + 1e-9).floor() + 1.0;
    if n > MAX_POINTS as f64 {
        return Err(invalid(at, format!("has {n} values; at most {MAX_POINTS}")));
    }
    Ok((0..n as i64)
        .map(|k| Value::Float(((a + k as f64 * s) * 1e9).round() / 1e9))
        .collect())
}

/// The metrics a sweep collects unless it names its own: time in system (mean, p90), the
/// share meeting each target, and each station's mean wait and utilisation.
pub fn default_metrics(model: &Model) -> Vec<String> {
    let mut v = vec![
        "patients.completed".to_string(),
        "time_in_system_min.mean".to_string(),
        "time_in_system_min.p90".to_string(),
    ];
    for t in &model.targets.list {
        v.push(format!("targets.{}.share", t.id));
    }
    for s in model.stations() {
        v.push(format!("stations.{}.wait_min.mean", s.id));
        v.push(format!("stations.{}.utilisation", s.id));
    }
    v
}

/// Every metric name `model` has (what `metrics = [...]` may name).
pub fn metric_names(model: &Model) -> Vec<String> {
    let mut v: Vec<String> = [
        "patients.arrived",
        "patients.completed",
        "patients.balked",
        "patients.reneged",
        "time_in_system_min.mean",
        "time_in_system_min.p50",
        "time_in_system_min.p90",
        "time_in_system_min.p95",
    ]
    .map(String::from)
    .into();
    for t in &model.targets.list {
        v.push(format!("targets.{}.share", t.id));
    }
    for c in model.classes() {
        v.push(format!("classes.{}.time_in_system_min.mean", c.id));
    }
    for s in model.stations() {
        for m in ["wait_min.mean", "utilisation", "queue_length.mean"] {
            v.push(format!("stations.{}.{m}", s.id));
        }
    }
    v
}

/// The per-replication values of metric `name` (None: `model` has no such metric). A
/// target's share leaves out replications that counted nobody, as the summary does.
pub fn metric_values(model: &Model, records: &[ReplicationRecord], name: &str) -> Option<Vec<f64>> {
    let col = |f: &dyn Fn(&ReplicationRecord) -> f64| Some(records.iter().map(f).collect());
    match name {
        "patients.arrived" => return col(&|r| r.patients.arrived as f64),
        "patients.completed" => return col(&|r| r.patients.completed as f64),
        "patients.balked" => return col(&|r| r.patients.balked as f64),
        "patients.reneged" => return col(&|r| r.patients.reneged as f64),
        "time_in_system_min.mean" => return col(&|r| r.time_in_system.mean()),
        "time_in_system_min.p50" => return col(&|r| r.time_in_system_quantiles[0]),
        "time_in_system_min.p90" => return col(&|r| r.time_in_system_quantiles[1]),
        "time_in_system_min.p95" => return col(&|r| r.time_in_system_quantiles[2]),
        _ => {}
    }
    let parts: Vec<&str> = name.splitn(3, '.').collect();
    let [group, id, rest] = parts[..] else {
        return None;
    };
    match group {
        "targets" if rest == "share" => {
            let i = model.targets.list.iter().position(|t| t.id == id)?;
            Some(
                records
                    .iter()
                    .filter_map(|r| {
                        let c = r.targets.get(i).copied().unwrap_or_default();
                        (c.total > 0).then(|| c.met as f64 / c.total as f64)
                    })
                    .collect(),
            )
        }
        "classes" if rest == "time_in_system_min.mean" => {
            let i = model.classes().iter().position(|c| c.id == id)?;
            col(&|r| r.classes[i].time_in_system.mean())
        }
        "stations" => {
            let i = model.stations().iter().position(|s| s.id == id)?;
            match rest {
                "wait_min.mean" => col(&|r| r.stations[i].waits.mean()),
                "utilisation" => col(&|r| {
                    let s = &r.stations[i];
                    if s.capacity_area > 0.0 {
                        (s.busy_area / s.capacity_area).min(1.0)
                    } else {
                        0.0
                    }
                }),
                "queue_length.mean" => col(&|r| {
                    if r.window > 0.0 {
                        r.stations[i].queue_area / r.window
                    } else {
                        0.0
                    }
                }),
                _ => None,
            }
        }
        _ => None,
    }
}

/// One row of a sweep's tidy table: a metric at one point in one variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The point (0-based).
    pub point: usize,
    /// The variant ("" for the base scenario).
    pub variant: String,
    /// The metric.
    pub metric: String,
    /// Mean over the replications and the half-width of its 95% interval.
    pub estimate: Estimate,
    /// Replications counted (a target's share leaves out those that counted nobody).
    pub n: usize,
}

/// The rows of one point and variant: every metric of `metrics` (checked with
/// [`check_metrics`] first) over the replications `records`.
pub fn rows(
    point: usize,
    model: &Model,
    records: &[ReplicationRecord],
    metrics: &[String],
) -> Vec<Row> {
    metrics
        .iter()
        .map(|m| {
            let values = metric_values(model, records, m).unwrap_or_default();
            Row {
                point,
                variant: model.variant().to_string(),
                metric: m.clone(),
                estimate: Estimate::from_values(&values, 0.95),
                n: values.len(),
            }
        })
        .collect()
}

/// The metric names `model` lacks, with the names it has, as an error message.
pub fn check_metrics(model: &Model, metrics: &[String]) -> Result<(), SweepError> {
    let known = metric_names(model);
    for m in metrics {
        if !known.contains(m) {
            return Err(invalid(
                "sweep.metrics",
                format!(
                    "no metric is called {m:?} (there are: {})",
                    known.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_factorial_sweep_enumerates_every_combination_first_parameter_slowest() {
        let s = Sweep::parse(
            r#"
[sweep]
scenario = "x.toml"
[parameters]
"stations.desk.servers" = { from = 1, to = 3, step = 1 }
workflow.adoption.adult = [0.3, 0.6]
"#,
        )
        .unwrap();
        assert_eq!(s.len(), 6);
        // Keys come in the table's (sorted) order.
        assert_eq!(
            s.parameters,
            ["stations.desk.servers", "workflow.adoption.adult"]
        );
        let p: Vec<String> = (0..6)
            .map(|i| {
                s.settings(i)
                    .iter()
                    .map(Setting::display)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert_eq!(p[0], "stations.desk.servers=1 workflow.adoption.adult=0.3");
        assert_eq!(p[1], "stations.desk.servers=1 workflow.adoption.adult=0.6");
        assert_eq!(p[5], "stations.desk.servers=3 workflow.adoption.adult=0.6");
        let mut all: Vec<usize> = (1..=3)
            .flat_map(|k| s.shard(k, 3).collect::<Vec<_>>())
            .collect();
        all.sort();
        assert_eq!(all, (0..6).collect::<Vec<_>>());
        assert_eq!(s.shard(2, 4).collect::<Vec<_>>(), [1, 5]);
    }

    #[test]
    fn decimal_ranges_land_on_round_values() {
        let s = Sweep::parse(
            "[sweep]\nscenario = \"x.toml\"\n[parameters]\n\"workflow.adoption.adult\" = { from = 0.1, to = 0.9, step = 0.1 }\n",
        )
        .unwrap();
        assert_eq!(s.len(), 9);
        assert_eq!(s.point(2), [Value::Float(0.3)]);
        assert_eq!(s.point(8), [Value::Float(0.9)]);
    }

    #[test]
    fn listed_points_and_bad_studies() {
        let s = Sweep::parse(
            "[sweep]\nscenario = \"x.toml\"\npoints = [{ \"run.seed\" = 1 }, { \"run.seed\" = 5 }]\n",
        );
        // `points` belongs at the top level, not in [sweep].
        assert!(matches!(s, Err(SweepError::Syntax { .. })), "{s:?}");
        let s = Sweep::parse(
            "points = [{ \"run.seed\" = 1 }, { \"run.seed\" = 5 }]\n[sweep]\nscenario = \"x.toml\"\n",
        )
        .unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s.point(1), [Value::Integer(5)]);
        for (text, want) in [
            ("[sweep]\nscenario = \"x\"\n", "parameters: a sweep needs"),
            (
                "[sweep]\nscenario = \"x\"\n[parameters]\n\"a.b\" = 3\n",
                "must be a list of values",
            ),
            (
                "[sweep]\nscenario = \"x\"\n[parameters]\n\"a.b\" = { from = 3, to = 1, step = 1 }\n",
                "from ≤ to",
            ),
            (
                "[sweep]\nscenario = \"x\"\n[parameters]\n\"a.b\" = []\n",
                "lists no values",
            ),
            (
                "[sweep]\nscenario = \"x\"\nreplications = 0\n[parameters]\n\"a.b\" = [1]\n",
                "sweep.replications",
            ),
            (
                "[sweep]\nscenario = \"x\"\n[parameters]\n\"variants.d.levers\" = [1]\n",
                "after its variant's overlays",
            ),
            (
                "[sweep]\nscenario = \"x\"\n[parameters]\n\"a\" = { from = 1, to = 1000, step = 1 }\n\"b\" = { from = 1, to = 1001, step = 1 }\n",
                "at most 1000000",
            ),
            (
                "points = [{ a = 1 }, { b = 2 }]\n[sweep]\nscenario = \"x\"\n",
                "every point sets the same",
            ),
        ] {
            let e = Sweep::parse(text).unwrap_err().to_string();
            assert!(e.contains(want), "{text}\n→ {e}");
        }
    }
}

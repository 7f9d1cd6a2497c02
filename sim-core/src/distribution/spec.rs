//! A distribution as a scenario file writes it (`DistSpec`), before it is checked.

use crate::scenario::units::Offset;
use serde::Deserialize;

/// A distribution as written in a scenario file, e.g. `{ dist = "exponential", mean = "4min" }`.
///
/// A flat struct (rather than a tagged enum) so that a bad value keeps its exact line and
/// column; `Dist::compile` checks that each kind gets exactly the keys it takes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistSpec {
    /// Which distribution.
    pub dist: DistKind,
    /// Mean (exponential, lognormal, gamma, erlang; normal: mean before truncation).
    #[serde(default)]
    pub mean: Option<Offset>,
    /// Standard deviation (normal, lognormal).
    #[serde(default)]
    pub sd: Option<Offset>,
    /// Lower end (uniform, triangular) or truncation point (normal).
    #[serde(default)]
    pub min: Option<Offset>,
    /// Upper end (uniform, triangular).
    #[serde(default)]
    pub max: Option<Offset>,
    /// Most likely value (triangular).
    #[serde(default)]
    pub mode: Option<Offset>,
    /// The value (deterministic).
    #[serde(default)]
    pub value: Option<Offset>,
    /// Coefficient of variation, sd / mean (gamma).
    #[serde(default)]
    pub cv: Option<f64>,
    /// Number of phases (erlang).
    #[serde(default)]
    pub k: Option<u32>,
    /// Shape (weibull, log_logistic).
    #[serde(default)]
    pub shape: Option<f64>,
    /// Scale, a duration (weibull, log_logistic).
    #[serde(default)]
    pub scale: Option<Offset>,
    /// Values (empirical).
    #[serde(default)]
    pub values: Option<Vec<Offset>>,
    /// Relative weights of the values (empirical; normalised; equal when left out).
    #[serde(default)]
    pub weights: Option<Vec<f64>>,
    /// Piecewise linear between the sorted values rather than a discrete table (empirical).
    #[serde(default)]
    pub continuous: Option<bool>,
    /// A CSV file of observed values, relative to the scenario file (empirical). Replaced by
    /// `values` when the scenario's data files are attached ([`crate::data`]).
    #[serde(default)]
    pub file: Option<String>,
    /// The file's column (empirical with `file`; needed when the file has several).
    #[serde(default)]
    pub column: Option<String>,
    /// The unit of the file's values when neither the header nor the values state it.
    #[serde(default)]
    pub unit: Option<String>,
    /// Keep only draws within these bounds (any family; draws outside are redrawn).
    #[serde(default)]
    pub truncate: Option<Truncate>,
}

/// Truncation bounds, `truncate = { min = "2min", max = "40min" }` (either may be left out).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Truncate {
    /// Lowest value kept.
    #[serde(default)]
    pub min: Option<Offset>,
    /// Highest value kept.
    #[serde(default)]
    pub max: Option<Offset>,
}

/// Distribution families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DistKind {
    /// Exponential: `mean`.
    Exponential,
    /// Always `value`.
    Deterministic,
    /// Uniform on [`min`, `max`].
    Uniform,
    /// Triangular: `min`, `mode`, `max`.
    Triangular,
    /// Normal truncated below: `mean`, `sd`, `min` (values below `min` are redrawn).
    Normal,
    /// Lognormal by the `mean` and `sd` of the value itself.
    Lognormal,
    /// Gamma by `mean` and `cv`.
    Gamma,
    /// Erlang: `k` exponential phases with overall `mean`.
    Erlang,
    /// Observed `values` (inline with optional `weights`, or from a `file`), discrete or
    /// `continuous`.
    Empirical,
    /// Weibull by `shape` and `scale`.
    Weibull,
    /// Log-logistic by `shape` and `scale` (the median).
    LogLogistic,
    /// Beta-PERT: `min`, `mode`, `max`.
    Pert,
}

impl DistKind {
    /// The name as written in a file.
    pub fn name(self) -> &'static str {
        match self {
            DistKind::Exponential => "exponential",
            DistKind::Deterministic => "deterministic",
            DistKind::Uniform => "uniform",
            DistKind::Triangular => "triangular",
            DistKind::Normal => "normal",
            DistKind::Lognormal => "lognormal",
            DistKind::Gamma => "gamma",
            DistKind::Erlang => "erlang",
            DistKind::Empirical => "empirical",
            DistKind::Weibull => "weibull",
            DistKind::LogLogistic => "log_logistic",
            DistKind::Pert => "pert",
        }
    }

    /// The keys this family takes (all of them are needed, except the empirical's `weights`
    /// and `continuous`; `truncate` applies to every family).
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            DistKind::Exponential => &["mean"],
            DistKind::Deterministic => &["value"],
            DistKind::Uniform => &["min", "max"],
            DistKind::Triangular => &["min", "mode", "max"],
            DistKind::Normal => &["mean", "sd", "min"],
            DistKind::Lognormal => &["mean", "sd"],
            DistKind::Gamma => &["mean", "cv"],
            DistKind::Erlang => &["mean", "k"],
            DistKind::Empirical => &["values", "weights", "continuous"],
            DistKind::Weibull | DistKind::LogLogistic => &["shape", "scale"],
            DistKind::Pert => &["min", "mode", "max"],
        }
    }
}

impl DistSpec {
    /// A spec of the given kind with no parameters set (fill them in with struct update).
    pub fn of(dist: DistKind) -> DistSpec {
        DistSpec {
            dist,
            mean: None,
            sd: None,
            min: None,
            max: None,
            mode: None,
            value: None,
            cv: None,
            k: None,
            shape: None,
            scale: None,
            values: None,
            weights: None,
            continuous: None,
            file: None,
            column: None,
            unit: None,
            truncate: None,
        }
    }

    pub(super) fn set_keys(&self) -> Vec<&'static str> {
        [
            ("mean", self.mean.is_some()),
            ("sd", self.sd.is_some()),
            ("min", self.min.is_some()),
            ("max", self.max.is_some()),
            ("mode", self.mode.is_some()),
            ("value", self.value.is_some()),
            ("cv", self.cv.is_some()),
            ("k", self.k.is_some()),
            ("shape", self.shape.is_some()),
            ("scale", self.scale.is_some()),
            ("values", self.values.is_some()),
            ("weights", self.weights.is_some()),
            ("continuous", self.continuous.is_some()),
            ("file", self.file.is_some()),
            ("column", self.column.is_some()),
            ("unit", self.unit.is_some()),
        ]
        .into_iter()
        .filter_map(|(k, set)| set.then_some(k))
        .collect()
    }
}

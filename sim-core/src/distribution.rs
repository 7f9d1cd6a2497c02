//! Probability distributions for service times, delays, patience and punctuality offsets.
//!
//! `DistSpec` is what a scenario file says; `Dist` is the checked, precomputed form the engine
//! samples from. Samplers are written here rather than taken from `rand_distr` because every
//! transcendental function must come from the pure-Rust `libm` crate: the platform `ln`/`exp`
//! may differ in the last bit between native code and wasm32, and one differing bit changes
//! every later event of a run. Dispatch is a `match` on a closed enum (no trait objects).

use crate::rng::{uniform, uniform_open0};
use crate::scenario::units::Offset;
use rand_core::Rng;
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
    /// Values (empirical).
    #[serde(default)]
    pub values: Option<Vec<Offset>>,
    /// Relative weights of the values (empirical; normalised).
    #[serde(default)]
    pub weights: Option<Vec<f64>>,
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
    /// Discrete over `values` with `weights`.
    Empirical,
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
        }
    }

    /// The keys this family takes.
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
            DistKind::Empirical => &["values", "weights"],
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
            values: None,
            weights: None,
        }
    }

    fn set_keys(&self) -> Vec<&'static str> {
        [
            ("mean", self.mean.is_some()),
            ("sd", self.sd.is_some()),
            ("min", self.min.is_some()),
            ("max", self.max.is_some()),
            ("mode", self.mode.is_some()),
            ("value", self.value.is_some()),
            ("cv", self.cv.is_some()),
            ("k", self.k.is_some()),
            ("values", self.values.is_some()),
            ("weights", self.weights.is_some()),
        ]
        .into_iter()
        .filter_map(|(k, set)| set.then_some(k))
        .collect()
    }
}

/// Largest number of entries in an empirical table, and of Erlang phases.
pub const MAX_EMPIRICAL: usize = 100_000;
/// Largest Erlang phase count.
pub const MAX_ERLANG_K: u32 = 1_000;

/// A checked distribution, ready to sample (all values in minutes).
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    /// Exponential.
    Exp {
        /// Mean.
        mean: f64,
    },
    /// Deterministic.
    Det {
        /// Value.
        value: f64,
    },
    /// Uniform on [lo, lo + width].
    Uniform {
        /// Lower end.
        lo: f64,
        /// Width.
        width: f64,
    },
    /// Triangular.
    Triangular {
        /// Lower end.
        lo: f64,
        /// Mode.
        mode: f64,
        /// Upper end.
        hi: f64,
    },
    /// Normal truncated below.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
        /// Truncation point.
        min: f64,
    },
    /// Lognormal with log-scale parameters.
    LogNormal {
        /// Mean of ln X.
        mu: f64,
        /// Standard deviation of ln X.
        sigma: f64,
    },
    /// Gamma with shape and scale.
    Gamma {
        /// Shape.
        shape: f64,
        /// Scale.
        scale: f64,
    },
    /// Erlang with `k` phases of the given mean each.
    Erlang {
        /// Phases.
        k: u32,
        /// Mean of each phase.
        phase_mean: f64,
    },
    /// Discrete over values with cumulative probabilities. Boxed slices rather than `Vec`s:
    /// a `Vec`'s capacity would lend its spare values to the enum's tag, and every sample (and
    /// every `StepKind` match) would then decode the variant arithmetically instead of reading
    /// a tag byte.
    Empirical {
        /// Values.
        values: Box<[f64]>,
        /// Cumulative probabilities, last is 1.
        cumulative: Box<[f64]>,
    },
}

fn positive(name: &str, v: f64) -> Result<f64, String> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(format!("{name} must be greater than zero (got {v})"))
    }
}

impl Dist {
    /// Checks a specification. With `non_negative`, values below zero must be impossible
    /// (service times, delays, patience); offsets may be negative.
    pub fn compile(spec: &DistSpec, non_negative: bool) -> Result<Dist, String> {
        let kind = spec.dist;
        let set = spec.set_keys();
        let allowed = kind.keys();
        if let Some(extra) = set.iter().find(|k| !allowed.contains(k)) {
            return Err(format!(
                "`{extra}` does not apply to dist = \"{}\" (it takes {})",
                kind.name(),
                allowed.join(", ")
            ));
        }
        if let Some(missing) = allowed.iter().find(|k| !set.contains(k)) {
            return Err(format!("dist = \"{}\" needs `{missing}`", kind.name()));
        }
        // Every key is now known to be present.
        let o = |v: Option<Offset>| v.map_or(0.0, |x| x.0);
        let (mean, sd, min, max) = (o(spec.mean), o(spec.sd), o(spec.min), o(spec.max));
        let d = match kind {
            DistKind::Exponential => Dist::Exp {
                mean: positive("mean", mean)?,
            },
            DistKind::Deterministic => Dist::Det {
                value: o(spec.value),
            },
            DistKind::Uniform => {
                if max < min {
                    return Err(format!("uniform: max ({max}) is below min ({min})"));
                }
                Dist::Uniform {
                    lo: min,
                    width: max - min,
                }
            }
            DistKind::Triangular => {
                let mode = o(spec.mode);
                if !(min <= mode && mode <= max) || min == max {
                    return Err("triangular: need min <= mode <= max and min < max".into());
                }
                Dist::Triangular {
                    lo: min,
                    mode,
                    hi: max,
                }
            }
            DistKind::Normal => {
                let sd = positive("sd", sd)?;
                // Redrawing below `min` must not loop for long: demand a 1% acceptance rate.
                let z = (min - mean) / sd;
                let accept = 0.5 * libm::erfc(z / std::f64::consts::SQRT_2);
                if accept < 0.01 {
                    return Err(format!(
                        "normal: min is {z:.1} standard deviations above the mean, so almost every draw would be rejected"
                    ));
                }
                Dist::Normal { mean, sd, min }
            }
            DistKind::Lognormal => {
                let m = positive("mean", mean)?;
                let s = positive("sd", sd)?;
                let sigma2 = libm::log1p((s / m) * (s / m));
                Dist::LogNormal {
                    mu: libm::log(m) - 0.5 * sigma2,
                    sigma: libm::sqrt(sigma2),
                }
            }
            DistKind::Gamma => {
                let m = positive("mean", mean)?;
                let cv = positive("cv", spec.cv.unwrap_or(0.0))?;
                let shape = 1.0 / (cv * cv);
                if !(1e-3..=1e6).contains(&shape) {
                    return Err(format!("gamma: cv {cv} is outside the supported range"));
                }
                Dist::Gamma {
                    shape,
                    scale: m / shape,
                }
            }
            DistKind::Erlang => {
                let k = spec.k.unwrap_or(0);
                if k == 0 || k > MAX_ERLANG_K {
                    return Err(format!(
                        "erlang: k must be between 1 and {MAX_ERLANG_K} (got {k})"
                    ));
                }
                Dist::Erlang {
                    k,
                    phase_mean: positive("mean", mean)? / f64::from(k),
                }
            }
            DistKind::Empirical => {
                let values = spec.values.as_deref().unwrap_or_default();
                let weights = spec.weights.as_deref().unwrap_or_default();
                if values.is_empty() {
                    return Err("empirical: values is empty".into());
                }
                if values.len() > MAX_EMPIRICAL {
                    return Err(format!(
                        "empirical: {} values is more than the limit of {MAX_EMPIRICAL}",
                        values.len()
                    ));
                }
                if values.len() != weights.len() {
                    return Err(format!(
                        "empirical: {} values but {} weights",
                        values.len(),
                        weights.len()
                    ));
                }
                if let Some(w) = weights.iter().find(|w| !w.is_finite() || **w < 0.0) {
                    return Err(format!("empirical: weight {w} is negative or not finite"));
                }
                let total: f64 = weights.iter().sum();
                if total <= 0.0 || !total.is_finite() {
                    return Err("empirical: weights must have a positive sum".into());
                }
                let mut acc = 0.0;
                let mut cumulative: Vec<f64> = weights
                    .iter()
                    .map(|w| {
                        acc += w;
                        acc / total
                    })
                    .collect();
                *cumulative.last_mut().expect("non-empty") = 1.0;
                Dist::Empirical {
                    values: values.iter().map(|v| v.0).collect(),
                    cumulative: cumulative.into_boxed_slice(),
                }
            }
        };
        if let Some(bad) = d.all_values().find(|v| !v.is_finite()) {
            return Err(format!("parameter {bad} is not finite"));
        }
        if non_negative && d.lower_bound() < 0.0 {
            return Err(format!(
                "this distribution can give negative times (lowest possible value {}); times must be zero or more",
                d.lower_bound()
            ));
        }
        Ok(d)
    }

    fn all_values(&self) -> impl Iterator<Item = f64> + '_ {
        let v: Vec<f64> = match self {
            Dist::Exp { mean } => vec![*mean],
            Dist::Det { value } => vec![*value],
            Dist::Uniform { lo, width } => vec![*lo, *width],
            Dist::Triangular { lo, mode, hi } => vec![*lo, *mode, *hi],
            Dist::Normal { mean, sd, min } => vec![*mean, *sd, *min],
            Dist::LogNormal { mu, sigma } => vec![*mu, *sigma],
            Dist::Gamma { shape, scale } => vec![*shape, *scale],
            Dist::Erlang { phase_mean, .. } => vec![*phase_mean],
            Dist::Empirical { values, .. } => values.to_vec(),
        };
        v.into_iter()
    }

    /// The smallest value the distribution can produce.
    pub fn lower_bound(&self) -> f64 {
        match self {
            Dist::Exp { .. }
            | Dist::LogNormal { .. }
            | Dist::Gamma { .. }
            | Dist::Erlang { .. } => 0.0,
            Dist::Det { value } => *value,
            Dist::Uniform { lo, .. } | Dist::Triangular { lo, .. } => *lo,
            Dist::Normal { min, .. } => *min,
            Dist::Empirical { values, .. } => values.iter().copied().fold(f64::INFINITY, f64::min),
        }
    }

    /// A value the distribution practically never exceeds: its upper end when it has one,
    /// otherwise a quantile so far in the tail that no run reaches it (the mean plus 40
    /// standard deviations; for the lognormal, exp(μ + 9σ), beyond the 1 − 10⁻¹⁸ quantile).
    /// Validation bounds it so that every sampled time stays far inside what the clock can
    /// represent. Infinite when a parameter is so large that the bound itself overflows.
    pub fn practical_max(&self) -> f64 {
        match self {
            Dist::Exp { mean } => mean * 45.0,
            Dist::Det { value } => *value,
            Dist::Uniform { lo, width } => lo + width,
            Dist::Triangular { hi, .. } => *hi,
            Dist::Normal { mean, sd, min } => (mean + 40.0 * sd).max(*min),
            Dist::LogNormal { mu, sigma } => libm::exp(mu + 9.0 * sigma),
            Dist::Gamma { shape, scale } => scale * (shape + 40.0 * libm::sqrt(*shape) + 45.0),
            Dist::Erlang { k, phase_mean } => {
                let k = f64::from(*k);
                phase_mean * (k + 40.0 * libm::sqrt(k) + 45.0)
            }
            Dist::Empirical { values, .. } => {
                values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            }
        }
    }

    /// The mean (for the truncated normal, the mean after truncation).
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Exp { mean } => *mean,
            Dist::Det { value } => *value,
            Dist::Uniform { lo, width } => lo + width / 2.0,
            Dist::Triangular { lo, mode, hi } => (lo + mode + hi) / 3.0,
            Dist::Normal { mean, sd, min } => {
                let a = (min - mean) / sd;
                let pdf = libm::exp(-0.5 * a * a) / (2.0 * std::f64::consts::PI).sqrt();
                let tail = 0.5 * libm::erfc(a / std::f64::consts::SQRT_2);
                mean + sd * pdf / tail
            }
            Dist::LogNormal { mu, sigma } => libm::exp(mu + 0.5 * sigma * sigma),
            Dist::Gamma { shape, scale } => shape * scale,
            Dist::Erlang { k, phase_mean } => f64::from(*k) * phase_mean,
            Dist::Empirical { values, cumulative } => {
                let mut prev = 0.0;
                values
                    .iter()
                    .zip(cumulative)
                    .map(|(v, c)| {
                        let p = c - prev;
                        prev = *c;
                        v * p
                    })
                    .sum()
            }
        }
    }

    /// The squared coefficient of variation (variance / mean²), used by the M/G/1 check and by
    /// load warnings. Truncated normals report the untruncated value (an approximation).
    pub fn scv(&self) -> f64 {
        let m = self.mean();
        let var = match self {
            Dist::Exp { mean } => mean * mean,
            Dist::Det { .. } => 0.0,
            Dist::Uniform { width, .. } => width * width / 12.0,
            Dist::Triangular { lo, mode, hi } => {
                (lo * lo + mode * mode + hi * hi - lo * mode - lo * hi - mode * hi) / 18.0
            }
            Dist::Normal { sd, .. } => sd * sd,
            Dist::LogNormal { mu: _, sigma } => (libm::exp(sigma * sigma) - 1.0) * m * m,
            Dist::Gamma { shape, scale } => shape * scale * scale,
            Dist::Erlang { k, phase_mean } => f64::from(*k) * phase_mean * phase_mean,
            Dist::Empirical { values, cumulative } => {
                let mut prev = 0.0;
                values
                    .iter()
                    .zip(cumulative)
                    .map(|(v, c)| {
                        let p = c - prev;
                        prev = *c;
                        (v - m) * (v - m) * p
                    })
                    .sum()
            }
        };
        if m == 0.0 { 0.0 } else { var / (m * m) }
    }

    /// Draws one value. The exponential — by far the most common in queueing models — is
    /// sampled inline; the other families go through an out-of-line function so this stays
    /// small enough to inline into the engine's hot path.
    #[inline(always)]
    pub fn sample<R: Rng>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Exp { mean } => mean * standard_exp(rng),
            Dist::Det { value } => *value,
            _ => self.sample_other(rng),
        }
    }

    #[inline(never)]
    fn sample_other<R: Rng>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Exp { mean } => mean * standard_exp(rng),
            Dist::Det { value } => *value,
            Dist::Uniform { lo, width } => lo + width * uniform(rng),
            Dist::Triangular { lo, mode, hi } => {
                let u = uniform(rng);
                let split = (mode - lo) / (hi - lo);
                if u < split {
                    lo + libm::sqrt(u * (hi - lo) * (mode - lo))
                } else {
                    hi - libm::sqrt((1.0 - u) * (hi - lo) * (hi - mode))
                }
            }
            Dist::Normal { mean, sd, min } => loop {
                let x = mean + sd * standard_normal(rng);
                if x >= *min {
                    break x;
                }
            },
            Dist::LogNormal { mu, sigma } => libm::exp(mu + sigma * standard_normal(rng)),
            Dist::Gamma { shape, scale } => scale * standard_gamma(*shape, rng),
            Dist::Erlang { k, phase_mean } => {
                let mut s = 0.0;
                for _ in 0..*k {
                    s += standard_exp(rng);
                }
                s * phase_mean
            }
            Dist::Empirical { values, cumulative } => {
                let u = uniform(rng);
                let i = cumulative
                    .partition_point(|c| *c <= u)
                    .min(values.len() - 1);
                values[i]
            }
        }
    }
}

// Ziggurat tables for the standard exponential, 256 layers (Marsaglia & Tsang 2000):
// `ZIG_EXP_X` are the layer edges (x[0] = v / f(r), x[1] = r, decreasing to x[256] = 0) and
// `ZIG_EXP_F` = exp(-x). Generated by build.rs with libm, so the bits are the same everywhere,
// and compiled in as constants so sampling needs no initialisation check.
include!(concat!(env!("OUT_DIR"), "/zig_exp.rs"));

/// Standard exponential (mean 1) by the ziggurat method: one 64-bit draw and one multiply in
/// about 98.9% of cases; the logarithm is only needed in the tail and at layer edges. The
/// common case is inlined into the caller; the rest (`standard_exp_edge`) stays out of line so
/// that the common case needs no saved registers.
#[inline(always)]
pub fn standard_exp<R: Rng>(rng: &mut R) -> f64 {
    let bits = rng.next_u64();
    let i = (bits & 0xff) as usize;
    let x = (bits >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0) * ZIG_EXP_X[i];
    if x < ZIG_EXP_X[i + 1] {
        return x;
    }
    standard_exp_edge(rng, i, x)
}

/// The ziggurat's rare cases, from a draw that fell outside its layer's rectangle (layer `i`,
/// candidate `x`): the tail beyond `r`, or the wedge test, and new draws until one is accepted.
#[cold]
#[inline(never)]
fn standard_exp_edge<R: Rng>(rng: &mut R, mut i: usize, mut x: f64) -> f64 {
    loop {
        if i == 0 {
            return ZIG_EXP_R - libm::log(uniform_open0(rng));
        }
        if ZIG_EXP_F[i + 1] + (ZIG_EXP_F[i] - ZIG_EXP_F[i + 1]) * uniform(rng) < libm::exp(-x) {
            return x;
        }
        let bits = rng.next_u64();
        i = (bits & 0xff) as usize;
        x = (bits >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0) * ZIG_EXP_X[i];
        if x < ZIG_EXP_X[i + 1] {
            return x;
        }
    }
}

/// Standard normal by Marsaglia's polar method (libm only, so portable bit for bit).
#[inline]
pub fn standard_normal<R: Rng>(rng: &mut R) -> f64 {
    loop {
        let x = 2.0 * uniform(rng) - 1.0;
        let y = 2.0 * uniform(rng) - 1.0;
        let s = x * x + y * y;
        if s > 0.0 && s < 1.0 {
            return x * libm::sqrt(-2.0 * libm::log(s) / s);
        }
    }
}

/// Standard gamma (scale 1) by Marsaglia and Tsang (2000); shapes below one use the boost
/// `G(a) = G(a + 1) · U^(1/a)`.
fn standard_gamma<R: Rng>(shape: f64, rng: &mut R) -> f64 {
    if shape < 1.0 {
        let g = standard_gamma(shape + 1.0, rng);
        return g * libm::pow(uniform_open0(rng), 1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / libm::sqrt(9.0 * d);
    loop {
        let x = standard_normal(rng);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = uniform_open0(rng);
        if u < 1.0 - 0.0331 * x * x * x * x
            || libm::log(u) < 0.5 * x * x + d * (1.0 - v + libm::log(v))
        {
            return d * v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn moments(d: &Dist, n: usize) -> (f64, f64, f64) {
        let mut r = Xoshiro256PlusPlus::seed_from_u64(9);
        let (mut s, mut s2, mut lo) = (0.0, 0.0, f64::INFINITY);
        for _ in 0..n {
            let x = d.sample(&mut r);
            s += x;
            s2 += x * x;
            lo = lo.min(x);
        }
        let m = s / n as f64;
        (m, s2 / n as f64 - m * m, lo)
    }

    /// Parses the inside of an inline table, e.g. `dist = "exponential", mean = "4min"`.
    fn spec(fields: &str) -> DistSpec {
        let mut table: std::collections::BTreeMap<String, DistSpec> =
            toml::from_str(&format!("x = {{ {fields} }}"))
                .unwrap_or_else(|e| panic!("{fields}: {e}"));
        table.remove("x").expect("parsed")
    }

    /// Sample means must match analytic means within 4.5 standard errors (false alarm ~1e-5).
    #[test]
    fn sample_means_match_analytic_means() {
        let specs = [
            r#"dist = "exponential", mean = "4min""#,
            r#"dist = "deterministic", value = "2.5min""#,
            r#"dist = "uniform", min = "1min", max = "3min""#,
            r#"dist = "triangular", min = "1min", mode = "2min", max = "6min""#,
            r#"dist = "normal", mean = "5min", sd = "2min", min = "3min""#,
            r#"dist = "lognormal", mean = "45min", sd = "15min""#,
            r#"dist = "gamma", mean = "6.5min", cv = 0.6"#,
            r#"dist = "gamma", mean = "2min", cv = 1.8"#,
            r#"dist = "erlang", mean = "3min", k = 3"#,
            r#"dist = "empirical", values = ["1min", "2min", "10min"], weights = [5, 3, 2]"#,
        ];
        for text in specs {
            let d = Dist::compile(&spec(text), true).unwrap();
            let n = 200_000;
            let (m, var, lo) = moments(&d, n);
            let se = (d.scv() * d.mean() * d.mean() / n as f64)
                .sqrt()
                .max(var.sqrt() / (n as f64).sqrt());
            assert!(
                (m - d.mean()).abs() <= 4.5 * se + 1e-12,
                "{text}: mean {m} vs {}",
                d.mean()
            );
            assert!(lo >= d.lower_bound(), "{text}: {lo} below bound");
            if !matches!(d, Dist::Normal { .. }) {
                let rel = (var - d.scv() * d.mean() * d.mean()).abs() / (var + 1e-12);
                assert!(rel < 0.05, "{text}: variance {var}, scv {}", d.scv());
            }
        }
    }

    /// The ziggurat exponential against the exact CDF: Kolmogorov–Smirnov statistic on 200,000
    /// draws must stay below the 0.1% critical value 1.95 / sqrt(n).
    #[test]
    fn ziggurat_exponential_has_the_exponential_cdf() {
        let mut r = Xoshiro256PlusPlus::seed_from_u64(5);
        let n = 200_000;
        let mut v: Vec<f64> = (0..n).map(|_| standard_exp(&mut r)).collect();
        v.sort_by(f64::total_cmp);
        let d = v
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let cdf = 1.0 - (-x).exp();
                (cdf - i as f64 / n as f64)
                    .abs()
                    .max(((i + 1) as f64 / n as f64 - cdf).abs())
            })
            .fold(0.0, f64::max);
        assert!(d < 1.95 / (n as f64).sqrt(), "KS statistic {d}");
        // The tail beyond r is reached and correct in expectation: P(X > 8) = e^-8.
        let tail = v.iter().filter(|x| **x > 8.0).count() as f64 / n as f64;
        assert!((tail - (-8.0f64).exp()).abs() < 4.0 * ((-8.0f64).exp() / n as f64).sqrt());
    }

    #[test]
    fn rejects_bad_parameters() {
        let bad =
            |text: &str, non_negative: bool| Dist::compile(&spec(text), non_negative).unwrap_err();
        let e = bad(r#"dist = "exponential", mean = "0min""#, true);
        assert!(e.contains("greater than zero"), "{e}");
        let e = bad(r#"dist = "uniform", min = "3min", max = "1min""#, true);
        assert!(e.contains("below min"), "{e}");
        let e = bad(
            r#"dist = "normal", mean = "5min", sd = "1min", min = "-1min""#,
            true,
        );
        assert!(e.contains("negative"), "{e}");
        assert!(
            Dist::compile(
                &spec(r#"dist = "normal", mean = "-5min", sd = "1min", min = "-9min""#),
                false
            )
            .is_ok()
        );
        let e = bad(
            r#"dist = "normal", mean = "0min", sd = "1min", min = "5min""#,
            true,
        );
        assert!(e.contains("rejected"), "{e}");
        let e = bad(
            r#"dist = "empirical", values = ["1min"], weights = [1, 2]"#,
            true,
        );
        assert!(e.contains("1 values but 2 weights"), "{e}");
        let e = bad(r#"dist = "erlang", mean = "1min", k = 0"#, true);
        assert!(e.contains("k must be"), "{e}");
        let e = bad(r#"dist = "exponential", mean = "1min", sd = "1min""#, true);
        assert!(
            e.contains("`sd` does not apply to dist = \"exponential\""),
            "{e}"
        );
        let e = bad(r#"dist = "lognormal", mean = "1min""#, true);
        assert!(e.contains("needs `sd`"), "{e}");
    }
}

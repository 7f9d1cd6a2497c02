//! Probability distributions for service times, delays, patience and punctuality offsets.
//!
//! `DistSpec` is what a scenario file says; `Dist` is the checked, precomputed form the engine
//! samples from. Samplers are written here rather than taken from `rand_distr` because every
//! transcendental function must come from the pure-Rust `libm` crate: the platform `ln`/`exp`
//! may differ in the last bit between native code and wasm32, and one differing bit changes
//! every later event of a run. Dispatch is a `match` on a closed enum (no trait objects).
//!
//! `spec.rs` holds the form as written, `ziggurat.rs` the exponential and normal samplers,
//! `gamma.rs` Marsaglia and Tsang's gamma over the normal (also behind the beta-PERT),
//! `truncated.rs` truncation of any family, `cdf.rs` each family's distribution function over
//! the special functions of `special.rs`.

mod cdf;
mod gamma;
mod spec;
pub mod special;
#[cfg(test)]
mod tests;
mod truncated;
mod ziggurat;

pub use spec::{DistKind, DistSpec, Truncate};
pub use truncated::{MIN_ACCEPTANCE, Truncated};
pub use ziggurat::{standard_exp, standard_normal};

use crate::rng::uniform;
use crate::scenario::units::Offset;
use gamma::marsaglia_tsang;
use rand_core::Rng;

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
    /// Gamma with shape and scale, with Marsaglia and Tsang's constants precomputed (for
    /// shapes below one, those of shape + 1, which the sampler boosts).
    Gamma {
        /// Shape.
        shape: f64,
        /// Scale.
        scale: f64,
        /// d = a − 1/3, where a is the shape (or shape + 1 below one).
        d: f64,
        /// c = 1 / sqrt(9d).
        c: f64,
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
    /// Weibull: scale · E^(1/shape) for a standard exponential E.
    Weibull {
        /// Shape k.
        shape: f64,
        /// Scale λ.
        scale: f64,
    },
    /// Log-logistic: scale · (U / (1 − U))^(1/shape) for a uniform U.
    LogLogistic {
        /// Shape β (> 2, so that the variance is finite).
        shape: f64,
        /// Scale α (the median).
        scale: f64,
    },
    /// Beta-PERT on [min, max], boxed so the enum (in every step and station) stays small.
    Pert(Box<Pert>),
    /// Continuous empirical: piecewise linear between the sorted observations x₍₁₎ … x₍ₙ₎,
    /// F(x₍ᵢ₎) = (i − 1) / (n − 1) (Law, 2015, "Simulation Modeling and Analysis", §6.2.4).
    EmpiricalLinear {
        /// The observations, sorted (at least two, not all equal).
        values: Box<[f64]>,
    },
    /// Any continuous family cut to [lo, hi] (boxed: it holds a whole distribution).
    Truncated(Box<Truncated>),
}

/// A beta-PERT's parameters: min + (max − min) · B, B ~ Beta(α, β) drawn as X / (X + Y) from
/// two gammas with Marsaglia and Tsang's constants precomputed (α, β ≥ 1, so no boost).
#[derive(Debug, Clone, PartialEq)]
pub struct Pert {
    /// Lower end.
    pub min: f64,
    /// Most likely value.
    pub mode: f64,
    /// Upper end.
    pub max: f64,
    /// α = 1 + 4 (mode − min) / (max − min).
    pub alpha: f64,
    /// β = 1 + 4 (max − mode) / (max − min).
    pub beta: f64,
    /// d = α − 1/3 of the α gamma.
    pub da: f64,
    /// c = 1 / sqrt(9d) of the α gamma.
    pub ca: f64,
    /// d = β − 1/3 of the β gamma.
    pub db: f64,
    /// c = 1 / sqrt(9d) of the β gamma.
    pub cb: f64,
}

/// Cumulative probabilities of non-empty `weights` summing to `total` (> 0), the last exactly 1.
pub(crate) fn cumulative(weights: &[f64], total: f64) -> Box<[f64]> {
    let mut acc = 0.0;
    let mut c: Vec<f64> = weights
        .iter()
        .map(|w| {
            acc += w;
            acc / total
        })
        .collect();
    *c.last_mut().expect("non-empty weights") = 1.0;
    c.into()
}

/// Refuses a distribution with a parameter that is not finite.
fn finish(d: Dist) -> Result<Dist, String> {
    if let Some(bad) = d.all_values().find(|v| !v.is_finite()) {
        return Err(format!("parameter {bad} is not finite"));
    }
    Ok(d)
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
        let d = Dist::compile_untruncated(spec)?;
        let d = match spec.truncate {
            Some(t) => truncated::truncate(
                d,
                t.min.map_or(f64::NEG_INFINITY, |v| v.0),
                t.max.map_or(f64::INFINITY, |v| v.0),
            )?,
            None => d,
        };
        if non_negative && d.lower_bound() < 0.0 {
            return Err(format!(
                "this distribution can give negative times (lowest possible value {}); times must be zero or more",
                d.lower_bound()
            ));
        }
        Ok(d)
    }

    fn compile_untruncated(spec: &DistSpec) -> Result<Dist, String> {
        let kind = spec.dist;
        if let Some(file) = &spec.file {
            return Err(if kind == DistKind::Empirical {
                format!(
                    "the data file {file:?} was not loaded (the command or page reading this scenario attaches its data files)"
                )
            } else {
                format!(
                    "`file` applies to dist = \"empirical\" only, not to dist = \"{}\"",
                    kind.name()
                )
            });
        }
        let set = spec.set_keys();
        let allowed = kind.keys();
        if let Some(extra) = set.iter().find(|k| !allowed.contains(k)) {
            return Err(format!(
                "`{extra}` does not apply to dist = \"{}\" (it takes {})",
                kind.name(),
                allowed.join(", ")
            ));
        }
        let optional = ["weights", "continuous"];
        if let Some(missing) = allowed
            .iter()
            .find(|k| !set.contains(k) && !optional.contains(k))
        {
            return Err(format!(
                "dist = \"{}\" needs `{missing}`{}",
                kind.name(),
                if kind == DistKind::Empirical {
                    " (or `file`, a CSV file of observed values)"
                } else {
                    ""
                }
            ));
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
                let a = if shape < 1.0 { shape + 1.0 } else { shape };
                let d = a - 1.0 / 3.0;
                Dist::Gamma {
                    shape,
                    scale: m / shape,
                    d,
                    c: 1.0 / libm::sqrt(9.0 * d),
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
            DistKind::Weibull => Dist::Weibull {
                shape: positive("shape", spec.shape.unwrap_or(0.0))?,
                scale: positive("scale", o(spec.scale))?,
            },
            DistKind::LogLogistic => {
                let shape = spec.shape.unwrap_or(0.0);
                if !(shape.is_finite() && shape > 2.0) {
                    return Err(format!(
                        "log_logistic: shape must be greater than 2 so that the mean and variance are finite (got {shape})"
                    ));
                }
                Dist::LogLogistic {
                    shape,
                    scale: positive("scale", o(spec.scale))?,
                }
            }
            DistKind::Pert => {
                let mode = o(spec.mode);
                if !(min <= mode && mode <= max) || min == max {
                    return Err("pert: need min <= mode <= max and min < max".into());
                }
                let alpha = 1.0 + 4.0 * (mode - min) / (max - min);
                let beta = 1.0 + 4.0 * (max - mode) / (max - min);
                let (da, db) = (alpha - 1.0 / 3.0, beta - 1.0 / 3.0);
                Dist::Pert(Box::new(Pert {
                    min,
                    mode,
                    max,
                    alpha,
                    beta,
                    da,
                    ca: 1.0 / libm::sqrt(9.0 * da),
                    db,
                    cb: 1.0 / libm::sqrt(9.0 * db),
                }))
            }
            DistKind::Empirical => {
                let values = spec.values.as_deref().unwrap_or_default();
                if values.is_empty() {
                    return Err("empirical: values is empty".into());
                }
                if values.len() > MAX_EMPIRICAL {
                    return Err(format!(
                        "empirical: {} values is more than the limit of {MAX_EMPIRICAL}",
                        values.len()
                    ));
                }
                if spec.continuous == Some(true) {
                    if spec.weights.is_some() {
                        return Err("empirical: `weights` do not apply with continuous = true (each observation counts once)".into());
                    }
                    let mut sorted: Vec<f64> = values.iter().map(|v| v.0).collect();
                    sorted.sort_by(f64::total_cmp);
                    if sorted.len() < 2 || sorted[0] == sorted[sorted.len() - 1] {
                        return Err(
                            "empirical: continuous = true needs at least two different values"
                                .into(),
                        );
                    }
                    return finish(Dist::EmpiricalLinear {
                        values: sorted.into(),
                    });
                }
                let equal;
                let weights = match spec.weights.as_deref() {
                    Some(w) => w,
                    None => {
                        equal = vec![1.0; values.len()];
                        &equal
                    }
                };
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
                Dist::Empirical {
                    values: values.iter().map(|v| v.0).collect(),
                    cumulative: cumulative(weights, total),
                }
            }
        };
        finish(d)
    }

    fn all_values(&self) -> impl Iterator<Item = f64> + '_ {
        let v: Vec<f64> = match self {
            Dist::Exp { mean } => vec![*mean],
            Dist::Det { value } => vec![*value],
            Dist::Uniform { lo, width } => vec![*lo, *width],
            Dist::Triangular { lo, mode, hi } => vec![*lo, *mode, *hi],
            Dist::Normal { mean, sd, min } => vec![*mean, *sd, *min],
            Dist::LogNormal { mu, sigma } => vec![*mu, *sigma],
            Dist::Gamma { shape, scale, .. } => vec![*shape, *scale],
            Dist::Erlang { phase_mean, .. } => vec![*phase_mean],
            Dist::Empirical { values, .. } => values.to_vec(),
            Dist::Weibull { shape, scale } | Dist::LogLogistic { shape, scale } => {
                vec![*shape, *scale]
            }
            Dist::Pert(p) => vec![p.min, p.mode, p.max],
            Dist::EmpiricalLinear { values } => values.to_vec(),
            Dist::Truncated(t) => vec![t.lo, t.hi, t.mean, t.var],
        };
        v.into_iter()
    }

    /// The smallest value the distribution can produce.
    pub fn lower_bound(&self) -> f64 {
        match self {
            Dist::Exp { .. }
            | Dist::LogNormal { .. }
            | Dist::Gamma { .. }
            | Dist::Erlang { .. }
            | Dist::Weibull { .. }
            | Dist::LogLogistic { .. } => 0.0,
            Dist::Pert(p) => p.min,
            Dist::Det { value } => *value,
            Dist::Uniform { lo, .. } | Dist::Triangular { lo, .. } => *lo,
            Dist::Normal { min, .. } => *min,
            Dist::Empirical { values, .. } => values.iter().copied().fold(f64::INFINITY, f64::min),
            Dist::EmpiricalLinear { values } => values[0],
            Dist::Truncated(t) => t.lo,
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
            Dist::Gamma { shape, scale, .. } => scale * (shape + 40.0 * libm::sqrt(*shape) + 45.0),
            Dist::Erlang { k, phase_mean } => {
                let k = f64::from(*k);
                phase_mean * (k + 40.0 * libm::sqrt(k) + 45.0)
            }
            Dist::Empirical { values, .. } => {
                values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            }
            // P(X > x) = exp(−(x/λ)^k): beyond e^−45 at λ · 45^(1/k).
            Dist::Weibull { shape, scale } => scale * libm::pow(45.0, 1.0 / shape),
            // P(X > x) = 1 / (1 + (x/α)^β): 10⁻¹⁸ at α · 10^(18/β).
            Dist::LogLogistic { shape, scale } => scale * libm::pow(10.0, 18.0 / shape),
            Dist::Pert(p) => p.max,
            Dist::EmpiricalLinear { values } => values[values.len() - 1],
            Dist::Truncated(t) => t.hi,
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
            Dist::Gamma { shape, scale, .. } => shape * scale,
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
            Dist::Weibull { shape, scale } => scale * libm::tgamma(1.0 + 1.0 / shape),
            Dist::LogLogistic { shape, scale } => {
                let b = std::f64::consts::PI / shape;
                scale * b / libm::sin(b)
            }
            Dist::Pert(p) => (p.min + 4.0 * p.mode + p.max) / 6.0,
            // Each of the n − 1 segments is uniform with probability 1 / (n − 1).
            Dist::EmpiricalLinear { values } => {
                values.windows(2).map(|w| 0.5 * (w[0] + w[1])).sum::<f64>()
                    / (values.len() - 1) as f64
            }
            Dist::Truncated(t) => t.mean,
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
            Dist::Gamma { shape, scale, .. } => shape * scale * scale,
            Dist::Erlang { k, phase_mean } => f64::from(*k) * phase_mean * phase_mean,
            Dist::Weibull { shape, scale } => {
                let g1 = libm::tgamma(1.0 + 1.0 / shape);
                scale * scale * (libm::tgamma(1.0 + 2.0 / shape) - g1 * g1)
            }
            Dist::LogLogistic { shape, scale } => {
                let b = std::f64::consts::PI / shape;
                let s = libm::sin(b);
                scale * scale * (2.0 * b / libm::sin(2.0 * b) - b * b / (s * s))
            }
            Dist::Pert(p) => (m - p.min) * (p.max - m) / 7.0,
            Dist::EmpiricalLinear { values } => {
                let second = values
                    .windows(2)
                    .map(|w| (w[0] * w[0] + w[0] * w[1] + w[1] * w[1]) / 3.0)
                    .sum::<f64>()
                    / (values.len() - 1) as f64;
                (second - m * m).max(0.0)
            }
            Dist::Truncated(t) => t.var,
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
            Dist::LogNormal { mu, sigma } => {
                crate::fastmath::exp(mu + sigma * standard_normal(rng))
            }
            Dist::Gamma { shape, scale, d, c } => {
                let g = marsaglia_tsang(*d, *c, rng);
                if *shape < 1.0 {
                    // The boost G(a) = G(a + 1) · U^(1/a), with U^(1/a) written as
                    // exp(−E / a) for a standard exponential E = −ln U: the ziggurat gives E
                    // without a logarithm, and one `exp` replaces `pow`'s log and exp.
                    scale * (g * crate::fastmath::exp(-standard_exp(rng) / shape))
                } else {
                    scale * g
                }
            }
            Dist::Erlang { k, phase_mean } => {
                let mut s = 0.0;
                for _ in 0..*k {
                    s += standard_exp(rng);
                }
                s * phase_mean
            }
            Dist::Weibull { shape, scale } => scale * libm::pow(standard_exp(rng), 1.0 / shape),
            Dist::LogLogistic { shape, scale } => {
                let u = uniform(rng);
                scale * libm::pow(u / (1.0 - u), 1.0 / shape)
            }
            Dist::Pert(p) => {
                let x = marsaglia_tsang(p.da, p.ca, rng);
                let y = marsaglia_tsang(p.db, p.cb, rng);
                p.min + (p.max - p.min) * (x / (x + y))
            }
            Dist::Empirical { values, cumulative } => {
                let u = uniform(rng);
                let i = cumulative
                    .partition_point(|c| *c <= u)
                    .min(values.len() - 1);
                values[i]
            }
            Dist::EmpiricalLinear { values } => {
                let pos = uniform(rng) * (values.len() - 1) as f64;
                let i = (pos as usize).min(values.len() - 2);
                values[i] + (pos - i as f64) * (values[i + 1] - values[i])
            }
            // At least 1% of draws are kept (checked when compiled), so this ends quickly.
            Dist::Truncated(t) => loop {
                let x = t.inner.sample(rng);
                if x >= t.lo && x <= t.hi {
                    break x;
                }
            },
        }
    }
}

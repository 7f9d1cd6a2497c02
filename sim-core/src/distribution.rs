//! Probability distributions for service times, delays, patience and punctuality offsets.
//!
//! `DistSpec` is what a scenario file says; `Dist` is the checked, precomputed form the engine
//! samples from. Samplers are written here rather than taken from `rand_distr` because every
//! transcendental function must come from the pure-Rust `libm` crate: the platform `ln`/`exp`
//! may differ in the last bit between native code and wasm32, and one differing bit changes
//! every later event of a run. Dispatch is a `match` on a closed enum (no trait objects).

use crate::rng::{uniform, uniform_open0};
use crate::units::Offset;
use rand_core::Rng;
use serde::Deserialize;

/// A distribution as written in a scenario file, e.g. `{ dist = "exponential", mean = "4min" }`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum DistSpec {
    /// Exponential with the given mean.
    Exponential {
        /// Mean.
        mean: Offset,
    },
    /// Always the same value.
    Deterministic {
        /// The value.
        value: Offset,
    },
    /// Uniform on [min, max].
    Uniform {
        /// Lower end.
        min: Offset,
        /// Upper end.
        max: Offset,
    },
    /// Triangular on [min, max] with the given mode.
    Triangular {
        /// Lower end.
        min: Offset,
        /// Most likely value.
        mode: Offset,
        /// Upper end.
        max: Offset,
    },
    /// Normal, truncated below at `min` (values below are redrawn).
    Normal {
        /// Mean of the untruncated normal.
        mean: Offset,
        /// Standard deviation of the untruncated normal.
        sd: Offset,
        /// Truncation point: no value below it is ever returned.
        min: Offset,
    },
    /// Lognormal given by the mean and standard deviation of the value itself.
    Lognormal {
        /// Mean.
        mean: Offset,
        /// Standard deviation.
        sd: Offset,
    },
    /// Gamma given by mean and coefficient of variation (sd / mean).
    Gamma {
        /// Mean.
        mean: Offset,
        /// Coefficient of variation.
        cv: f64,
    },
    /// Erlang: the sum of `k` exponential phases, with the given overall mean.
    Erlang {
        /// Overall mean.
        mean: Offset,
        /// Number of phases.
        k: u32,
    },
    /// Discrete distribution over the listed values with the given weights (normalised).
    Empirical {
        /// The values.
        values: Vec<Offset>,
        /// Their relative weights.
        weights: Vec<f64>,
    },
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
    /// Discrete over values with cumulative probabilities.
    Empirical {
        /// Values.
        values: Vec<f64>,
        /// Cumulative probabilities, last is 1.
        cumulative: Vec<f64>,
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
        let d = match spec {
            DistSpec::Exponential { mean } => Dist::Exp {
                mean: positive("mean", mean.0)?,
            },
            DistSpec::Deterministic { value } => Dist::Det { value: value.0 },
            DistSpec::Uniform { min, max } => {
                if max.0 < min.0 {
                    return Err(format!("uniform: max ({}) is below min ({})", max.0, min.0));
                }
                Dist::Uniform {
                    lo: min.0,
                    width: max.0 - min.0,
                }
            }
            DistSpec::Triangular { min, mode, max } => {
                if !(min.0 <= mode.0 && mode.0 <= max.0) || min.0 == max.0 {
                    return Err("triangular: need min <= mode <= max and min < max".into());
                }
                Dist::Triangular {
                    lo: min.0,
                    mode: mode.0,
                    hi: max.0,
                }
            }
            DistSpec::Normal { mean, sd, min } => {
                let sd = positive("sd", sd.0)?;
                // Redrawing below `min` must not loop for long: demand a 1% acceptance rate.
                let z = (min.0 - mean.0) / sd;
                let accept = 0.5 * libm::erfc(z / std::f64::consts::SQRT_2);
                if accept < 0.01 {
                    return Err(format!(
                        "normal: min is {z:.1} standard deviations above the mean, so almost every draw would be rejected"
                    ));
                }
                Dist::Normal {
                    mean: mean.0,
                    sd,
                    min: min.0,
                }
            }
            DistSpec::Lognormal { mean, sd } => {
                let m = positive("mean", mean.0)?;
                let s = positive("sd", sd.0)?;
                let sigma2 = libm::log1p((s / m) * (s / m));
                Dist::LogNormal {
                    mu: libm::log(m) - 0.5 * sigma2,
                    sigma: libm::sqrt(sigma2),
                }
            }
            DistSpec::Gamma { mean, cv } => {
                let m = positive("mean", mean.0)?;
                let cv = positive("cv", *cv)?;
                let shape = 1.0 / (cv * cv);
                if !(1e-3..=1e6).contains(&shape) {
                    return Err(format!("gamma: cv {cv} is outside the supported range"));
                }
                Dist::Gamma {
                    shape,
                    scale: m / shape,
                }
            }
            DistSpec::Erlang { mean, k } => {
                if *k == 0 || *k > MAX_ERLANG_K {
                    return Err(format!(
                        "erlang: k must be between 1 and {MAX_ERLANG_K} (got {k})"
                    ));
                }
                Dist::Erlang {
                    k: *k,
                    phase_mean: positive("mean", mean.0)? / f64::from(*k),
                }
            }
            DistSpec::Empirical { values, weights } => {
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
                    cumulative,
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
            Dist::Empirical { values, .. } => values.clone(),
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

    /// Draws one value.
    #[inline]
    pub fn sample<R: Rng>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Exp { mean } => -mean * libm::log(uniform_open0(rng)),
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
                // Sum of logs rather than log of a product: a product of many uniforms underflows.
                let mut s = 0.0;
                for _ in 0..*k {
                    s -= libm::log(uniform_open0(rng));
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

    /// Sample means must match analytic means within 4.5 standard errors (false alarm ~1e-5).
    #[test]
    fn sample_means_match_analytic_means() {
        let o = |v: f64| Offset(v);
        let specs = vec![
            DistSpec::Exponential { mean: o(4.0) },
            DistSpec::Deterministic { value: o(2.5) },
            DistSpec::Uniform {
                min: o(1.0),
                max: o(3.0),
            },
            DistSpec::Triangular {
                min: o(1.0),
                mode: o(2.0),
                max: o(6.0),
            },
            DistSpec::Normal {
                mean: o(5.0),
                sd: o(2.0),
                min: o(3.0),
            },
            DistSpec::Lognormal {
                mean: o(45.0),
                sd: o(15.0),
            },
            DistSpec::Gamma {
                mean: o(6.5),
                cv: 0.6,
            },
            DistSpec::Gamma {
                mean: o(2.0),
                cv: 1.8,
            },
            DistSpec::Erlang { mean: o(3.0), k: 3 },
            DistSpec::Empirical {
                values: vec![o(1.0), o(2.0), o(10.0)],
                weights: vec![5.0, 3.0, 2.0],
            },
        ];
        for spec in specs {
            let d = Dist::compile(&spec, true).unwrap();
            let n = 200_000;
            let (m, var, lo) = moments(&d, n);
            let se = (d.scv() * d.mean() * d.mean() / n as f64)
                .sqrt()
                .max(var.sqrt() / (n as f64).sqrt());
            assert!(
                (m - d.mean()).abs() <= 4.5 * se + 1e-12,
                "{spec:?}: mean {m} vs {}",
                d.mean()
            );
            assert!(lo >= d.lower_bound(), "{spec:?}: {lo} below bound");
            if !matches!(d, Dist::Normal { .. }) {
                let rel = (var - d.scv() * d.mean() * d.mean()).abs() / (var + 1e-12);
                assert!(rel < 0.05, "{spec:?}: variance {var}, scv {}", d.scv());
            }
        }
    }

    #[test]
    fn rejects_bad_parameters() {
        let o = |v: f64| Offset(v);
        let e = Dist::compile(&DistSpec::Exponential { mean: o(0.0) }, true).unwrap_err();
        assert!(e.contains("greater than zero"), "{e}");
        let e = Dist::compile(
            &DistSpec::Uniform {
                min: o(3.0),
                max: o(1.0),
            },
            true,
        )
        .unwrap_err();
        assert!(e.contains("below min"), "{e}");
        let e = Dist::compile(
            &DistSpec::Normal {
                mean: o(5.0),
                sd: o(1.0),
                min: o(-1.0),
            },
            true,
        )
        .unwrap_err();
        assert!(e.contains("negative"), "{e}");
        assert!(
            Dist::compile(
                &DistSpec::Normal {
                    mean: o(-5.0),
                    sd: o(1.0),
                    min: o(-9.0)
                },
                false
            )
            .is_ok()
        );
        let e = Dist::compile(
            &DistSpec::Normal {
                mean: o(0.0),
                sd: o(1.0),
                min: o(5.0),
            },
            true,
        )
        .unwrap_err();
        assert!(e.contains("rejected"), "{e}");
        let e = Dist::compile(
            &DistSpec::Empirical {
                values: vec![o(1.0)],
                weights: vec![1.0, 2.0],
            },
            true,
        )
        .unwrap_err();
        assert!(e.contains("1 values but 2 weights"), "{e}");
        let e = Dist::compile(&DistSpec::Erlang { mean: o(1.0), k: 0 }, true).unwrap_err();
        assert!(e.contains("k must be"), "{e}");
    }
}

//! Each family's distribution function F(x) = P(X ≤ x): behind a truncation's acceptance
//! rate and moments, and the goodness-of-fit statistics of `carepath fit`.

use super::Dist;
use super::special::{beta_inc, gamma_p, phi};

impl Dist {
    /// P(X ≤ x).
    pub fn cdf(&self, x: f64) -> f64 {
        match self {
            Dist::Exp { mean } => {
                if x <= 0.0 {
                    0.0
                } else {
                    -libm::expm1(-x / mean)
                }
            }
            Dist::Det { value } => f64::from(u8::from(x >= *value)),
            Dist::Uniform { lo, width } => {
                if *width == 0.0 {
                    f64::from(u8::from(x >= *lo))
                } else {
                    ((x - lo) / width).clamp(0.0, 1.0)
                }
            }
            Dist::Triangular { lo, mode, hi } => {
                if x <= *lo {
                    0.0
                } else if x >= *hi {
                    1.0
                } else if x <= *mode {
                    (x - lo) * (x - lo) / ((hi - lo) * (mode - lo))
                } else {
                    1.0 - (hi - x) * (hi - x) / ((hi - lo) * (hi - mode))
                }
            }
            Dist::Normal { mean, sd, min } => {
                if x < *min {
                    return 0.0;
                }
                let below = phi((min - mean) / sd);
                ((phi((x - mean) / sd) - below) / (1.0 - below)).clamp(0.0, 1.0)
            }
            Dist::LogNormal { mu, sigma } => {
                if x <= 0.0 {
                    0.0
                } else {
                    phi((libm::log(x) - mu) / sigma)
                }
            }
            Dist::Gamma { shape, scale, .. } => gamma_p(*shape, x / scale),
            Dist::Erlang { k, phase_mean } => gamma_p(f64::from(*k), x / phase_mean),
            Dist::Weibull { shape, scale } => {
                if x <= 0.0 {
                    0.0
                } else {
                    -libm::expm1(-libm::pow(x / scale, *shape))
                }
            }
            Dist::LogLogistic { shape, scale } => {
                if x <= 0.0 {
                    0.0
                } else {
                    1.0 / (1.0 + libm::pow(x / scale, -shape))
                }
            }
            Dist::Pert(p) => beta_inc(p.alpha, p.beta, (x - p.min) / (p.max - p.min)),
            Dist::Empirical { values, cumulative } => {
                // Values are in file order, not sorted: sum the probability of each one ≤ x.
                let mut prev = 0.0;
                let mut total = 0.0;
                for (v, c) in values.iter().zip(cumulative.iter()) {
                    if *v <= x {
                        total += c - prev;
                    }
                    prev = *c;
                }
                total.min(1.0)
            }
            Dist::EmpiricalLinear { values } => {
                let n = values.len();
                if x <= values[0] {
                    return 0.0;
                }
                if x >= values[n - 1] {
                    return 1.0;
                }
                // values[i] < x ≤ values[i + 1].
                let i = values.partition_point(|v| *v < x) - 1;
                let (a, b) = (values[i], values[i + 1]);
                (i as f64 + (x - a) / (b - a)) / (n - 1) as f64
            }
            Dist::Truncated(t) => {
                if x < t.lo {
                    0.0
                } else if x >= t.hi {
                    1.0
                } else {
                    ((t.inner.cdf(x) - t.below) / t.mass).clamp(0.0, 1.0)
                }
            }
        }
    }
}

//! Goodness of fit: the Kolmogorov–Smirnov statistic D = sup |Fₙ − F| and the
//! Anderson–Darling statistic A² = −n − (1/n) Σ (2i − 1)[ln F(x₍ᵢ₎) + ln(1 − F(x₍ₙ₊₁₋ᵢ₎))],
//! which weights the tails (D'Agostino and Stephens, 1986, "Goodness-of-Fit Techniques"); and
//! the quantiles a Q-Q plot needs.

use crate::distribution::Dist;

/// (D, A²) of sorted observations `x` against `d`.
pub fn statistics(d: &Dist, x: &[f64]) -> (f64, f64) {
    let n = x.len();
    let nf = n as f64;
    let f: Vec<f64> = x
        .iter()
        .map(|&v| d.cdf(v).clamp(1e-300, 1.0 - 1e-16))
        .collect();
    let ks = f
        .iter()
        .enumerate()
        .map(|(i, &c)| (c - i as f64 / nf).max((i + 1) as f64 / nf - c))
        .fold(0.0, f64::max);
    let s: f64 = (0..n)
        .map(|i| (2 * i + 1) as f64 * (libm::log(f[i]) + libm::log(1.0 - f[n - 1 - i])))
        .sum();
    (ks, -nf - s / nf)
}

/// The p-quantile of `d` (0 < p < 1), by bisection on its distribution function.
pub fn quantile(d: &Dist, p: f64) -> f64 {
    let (mut lo, mut hi) = (d.lower_bound(), d.practical_max());
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if d.cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-12 * hi.abs().max(1.0) {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// The density of a fitted family at `x`.
pub fn density(d: &Dist, x: f64) -> f64 {
    libm::exp(super::mle::log_pdf(d, x))
}

//! Truncation of any family to [min, max] (`truncate = { min = …, max = … }`), as JaamSim's
//! MinValue/MaxValue do it: a draw outside the bounds is redrawn. Discrete tables are cut
//! exactly instead (their values outside the bounds dropped and the weights renormalised).
//!
//! Redrawing must end quickly whatever the input, so a truncation that keeps less than 1% of
//! the distribution is refused when the scenario is compiled (at least 1% acceptance bounds
//! the expected number of draws by 100). The truncated mean and variance, which the load
//! checks and the M/G/1 validation read, are integrals of the distribution function,
//! E[X] = lo + ∫ (1 − G) and E[X²] = lo² + ∫ 2x (1 − G), computed by adaptive Simpson.

use super::Dist;

/// Least share of the distribution a truncation may keep.
pub const MIN_ACCEPTANCE: f64 = 0.01;

/// A continuous distribution cut to [lo, hi].
#[derive(Debug, Clone, PartialEq)]
pub struct Truncated {
    /// The distribution before truncation.
    pub inner: Dist,
    /// Lowest value kept.
    pub lo: f64,
    /// Highest value kept.
    pub hi: f64,
    /// P(X < lo) before truncation.
    pub below: f64,
    /// P(lo ≤ X ≤ hi) before truncation: the acceptance rate.
    pub mass: f64,
    /// Mean after truncation.
    pub mean: f64,
    /// Variance after truncation.
    pub var: f64,
}

/// Truncates `inner` to [lo, hi] (either may be infinite).
pub(super) fn truncate(inner: Dist, lo: f64, hi: f64) -> Result<Dist, String> {
    if lo.is_nan() || hi.is_nan() || lo >= hi {
        return Err(format!(
            "truncate: min ({lo} min) must be below max ({hi} min)"
        ));
    }
    match inner {
        Dist::Det { value } => {
            if (lo..=hi).contains(&value) {
                Ok(Dist::Det { value })
            } else {
                Err(format!(
                    "truncate: the deterministic value {value} min is outside {lo}–{hi} min"
                ))
            }
        }
        Dist::Empirical { values, cumulative } => {
            let mut prev = 0.0;
            let (mut kept, mut weights) = (Vec::new(), Vec::new());
            for (v, c) in values.iter().zip(cumulative.iter()) {
                if (lo..=hi).contains(v) {
                    kept.push(*v);
                    weights.push(c - prev);
                }
                prev = *c;
            }
            let total: f64 = weights.iter().sum();
            if total < MIN_ACCEPTANCE {
                return Err(format!(
                    "truncate: only {:.3}% of the table's probability lies within {lo}–{hi} min (at least 1% must)",
                    100.0 * total
                ));
            }
            Ok(Dist::Empirical {
                values: kept.into(),
                cumulative: super::cumulative(&weights, total),
            })
        }
        inner => {
            let lo = lo.max(inner.lower_bound());
            let hi = hi.min(inner.practical_max());
            if lo >= hi {
                return Err(format!(
                    "truncate: the bounds leave nothing of the distribution (its values lie within {:.4}–{:.4} min)",
                    inner.lower_bound(),
                    inner.practical_max()
                ));
            }
            let below = inner.cdf(lo);
            let mass = inner.cdf(hi) - below;
            if mass.is_nan() || mass < MIN_ACCEPTANCE {
                return Err(format!(
                    "truncate: only {:.3}% of the distribution lies within {lo:.4}–{hi:.4} min, so almost every draw would be redrawn (at least 1% must lie within)",
                    100.0 * mass.max(0.0)
                ));
            }
            let survival = |x: f64| 1.0 - ((inner.cdf(x) - below) / mass).clamp(0.0, 1.0);
            let m1 = lo + integrate(&survival, lo, hi);
            let m2 = lo * lo + integrate(&|x| 2.0 * x * survival(x), lo, hi);
            Ok(Dist::Truncated(Box::new(Truncated {
                mean: m1,
                var: (m2 - m1 * m1).max(0.0),
                inner,
                lo,
                hi,
                below,
                mass,
            })))
        }
    }
}

/// ∫ f over [a, b] by adaptive Simpson (relative tolerance about 1e-10), with a budget of
/// evaluations so that no input can make compiling slow.
fn integrate(f: &dyn Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    let (fa, fm, fb) = (f(a), f(0.5 * (a + b)), f(b));
    let whole = (b - a) / 6.0 * (fa + 4.0 * fm + fb);
    let scale = whole.abs().max(1e-300);
    let mut budget = 100_000u32;
    simpson(
        f,
        (a, b),
        (fa, fm, fb),
        whole,
        1e-10 * scale,
        40,
        &mut budget,
    )
}

fn simpson(
    f: &dyn Fn(f64) -> f64,
    (a, b): (f64, f64),
    (fa, fm, fb): (f64, f64, f64),
    whole: f64,
    eps: f64,
    depth: u32,
    budget: &mut u32,
) -> f64 {
    let m = 0.5 * (a + b);
    *budget = budget.saturating_sub(2);
    let (lm, rm) = (0.5 * (a + m), 0.5 * (m + b));
    let (flm, frm) = (f(lm), f(rm));
    let left = (m - a) / 6.0 * (fa + 4.0 * flm + fm);
    let right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
    let delta = left + right - whole;
    // The first six levels always split: an estimate may look converged by accident (a
    // survival function flat at 1 over a wide range, then falling in a narrow band).
    if depth == 0 || *budget == 0 || (depth < 34 && delta.abs() <= 15.0 * eps) {
        left + right + delta / 15.0
    } else {
        simpson(f, (a, m), (fa, flm, fm), left, eps / 2.0, depth - 1, budget)
            + simpson(
                f,
                (m, b),
                (fm, frm, fb),
                right,
                eps / 2.0,
                depth - 1,
                budget,
            )
    }
}

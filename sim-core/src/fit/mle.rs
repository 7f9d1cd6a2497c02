//! Maximum-likelihood estimates for each candidate family (Law, 2015, "Simulation Modeling
//! and Analysis", §6.5): closed forms where they exist (exponential, normal, lognormal,
//! uniform), Newton's method for the gamma shape (on ln a − ψ(a) = ln x̄ − mean ln x) and the
//! Weibull shape, the best integer phase count for the Erlang, a search over the order
//! statistics for the triangular mode, and Nelder–Mead for the log-logistic.
//!
//! The fitted distribution is the one its TOML snippet compiles to (parameters rounded to
//! four significant digits, as a planner would paste them), and its log-likelihood is that of
//! the snippet's distribution, so what is ranked is exactly what a scenario would use.

use crate::distribution::special::phi;
use crate::distribution::{Dist, DistKind, DistSpec};

/// A family fitted to sorted observations.
#[derive(Debug, Clone)]
pub struct Fitted {
    /// The distribution the snippet compiles to.
    pub dist: Dist,
    /// The snippet, an inline TOML table.
    pub toml: String,
    /// Parameters estimated.
    pub parameters: u32,
    /// Log-likelihood of the observations under `dist`.
    pub log_likelihood: f64,
}

/// Four significant digits, printed as briefly as possible.
fn sig4(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = 3 - libm::log10(x.abs()).floor() as i32;
    let scale = 10f64.powi(digits);
    let r = (x * scale).round() / scale;
    let s = format!("{r:.prec$}", prec = digits.max(0) as usize);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn minutes(x: f64) -> String {
    format!("\"{}min\"", sig4(x))
}

/// `x` to four significant digits rounded down (`up = false`) or up, so that rounded ends
/// still contain every observation.
fn minutes_outward(x: f64, up: bool) -> String {
    if x == 0.0 {
        return "\"0min\"".into();
    }
    let digits = 3 - libm::log10(x.abs()).floor() as i32;
    let scale = 10f64.powi(digits);
    let r = if up {
        (x * scale).ceil()
    } else {
        (x * scale).floor()
    } / scale;
    let r = if up && r < x {
        r + 1.0 / scale
    } else if !up && r > x {
        r - 1.0 / scale
    } else {
        r
    };
    format!("\"{}min\"", sig4(r))
}

/// Fits `family` to `x` (sorted, not all equal, none negative).
pub fn fit(family: DistKind, x: &[f64]) -> Result<Fitted, String> {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let positive = || {
        if x[0] <= 0.0 {
            Err("an observation is 0, where this family's density is 0 or unbounded".to_string())
        } else {
            Ok(())
        }
    };
    let mean_ln = || x.iter().map(|&v| libm::log(v)).sum::<f64>() / n;
    let (toml, parameters) = match family {
        DistKind::Exponential => (
            format!("{{ dist = \"exponential\", mean = {} }}", minutes(mean)),
            1,
        ),
        DistKind::Gamma => {
            positive()?;
            let a = gamma_shape(libm::log(mean) - mean_ln());
            (
                format!(
                    "{{ dist = \"gamma\", mean = {}, cv = {} }}",
                    minutes(mean),
                    sig4(1.0 / a.sqrt())
                ),
                2,
            )
        }
        DistKind::Erlang => {
            positive()?;
            let a = gamma_shape(libm::log(mean) - mean_ln());
            let (lo, hi) = (
                (a.floor() as u32).clamp(1, 1000),
                (a.ceil() as u32).clamp(1, 1000),
            );
            let best = [lo, hi]
                .into_iter()
                .map(|k| {
                    let t = format!("{{ dist = \"erlang\", mean = {}, k = {k} }}", minutes(mean));
                    let ll = compile(&t)
                        .map(|d| log_likelihood(&d, x))
                        .unwrap_or(f64::NEG_INFINITY);
                    (t, ll)
                })
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .expect("two candidates");
            (best.0, 2)
        }
        DistKind::Weibull => {
            positive()?;
            let (k, scale) = weibull(x, mean);
            (
                format!(
                    "{{ dist = \"weibull\", shape = {}, scale = {} }}",
                    sig4(k),
                    minutes(scale)
                ),
                2,
            )
        }
        DistKind::Lognormal => {
            positive()?;
            let mu = mean_ln();
            let s2 = x.iter().map(|&v| (libm::log(v) - mu).powi(2)).sum::<f64>() / n;
            let m = libm::exp(mu + s2 / 2.0);
            let sd = m * libm::expm1(s2).sqrt();
            (
                format!(
                    "{{ dist = \"lognormal\", mean = {}, sd = {} }}",
                    minutes(m),
                    minutes(sd)
                ),
                2,
            )
        }
        DistKind::LogLogistic => {
            positive()?;
            let (alpha, beta) = log_logistic(x);
            if beta <= 2.0 {
                return Err(format!(
                    "the fitted shape {} is at most 2, where the variance is infinite (CarePath's log_logistic needs a shape above 2)",
                    sig4(beta)
                ));
            }
            (
                format!(
                    "{{ dist = \"log_logistic\", shape = {}, scale = {} }}",
                    sig4(beta),
                    minutes(alpha)
                ),
                2,
            )
        }
        DistKind::Normal => {
            let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
            if phi(-mean / sd) > 0.01 {
                return Err(format!(
                    "the fitted normal puts {:.1}% of its values below zero",
                    100.0 * phi(-mean / sd)
                ));
            }
            (
                format!(
                    "{{ dist = \"normal\", mean = {}, sd = {}, min = \"0min\" }}",
                    minutes(mean),
                    minutes(sd)
                ),
                2,
            )
        }
        DistKind::Uniform => (
            format!(
                "{{ dist = \"uniform\", min = {}, max = {} }}",
                minutes_outward(x[0], false),
                minutes_outward(x[x.len() - 1], true)
            ),
            2,
        ),
        DistKind::Triangular => (triangular(x)?, 3),
        other => return Err(format!("{} is not fitted", other.name())),
    };
    let mut toml = toml;
    let mut dist = compile(&toml)?;
    // A heavy tail (a log-logistic of shape 3, say) can reach beyond what a scenario's clock
    // accepts for a duration; such a fit is offered truncated far beyond the data (1,000
    // times the largest observation), which changes its likelihood by a negligible amount.
    if dist.practical_max() > crate::compile::bounds::MAX_DURATION_MIN / 10.0 {
        let cap = (1000.0 * x[x.len() - 1]).min(crate::compile::bounds::MAX_DURATION_MIN / 10.0);
        toml = format!(
            "{}, truncate = {{ max = {} }} }}",
            toml.trim_end_matches(" }"),
            minutes(cap)
        );
        dist = compile(&toml)?;
    }
    let log_likelihood = log_likelihood(&dist, x);
    if !log_likelihood.is_finite() {
        return Err("the rounded fit gives an observation zero density".into());
    }
    Ok(Fitted {
        dist,
        toml,
        parameters,
        log_likelihood,
    })
}

fn compile(toml_table: &str) -> Result<Dist, String> {
    let mut t: std::collections::BTreeMap<String, DistSpec> =
        toml::from_str(&format!("x = {toml_table}")).map_err(|e| e.message().to_string())?;
    Dist::compile(&t.remove("x").expect("parsed"), true)
}

/// Σ ln f(xᵢ) under `d`.
pub fn log_likelihood(d: &Dist, x: &[f64]) -> f64 {
    x.iter().map(|&v| log_pdf(d, v)).sum()
}

/// ln f(x) for the fitted families.
pub fn log_pdf(d: &Dist, x: f64) -> f64 {
    let ln2pi = libm::log(2.0 * std::f64::consts::PI);
    match d {
        Dist::Exp { mean } if x >= 0.0 => -libm::log(*mean) - x / mean,
        Dist::Gamma { shape, scale, .. } if x > 0.0 => {
            (shape - 1.0) * libm::log(x)
                - x / scale
                - libm::lgamma(*shape)
                - shape * libm::log(*scale)
        }
        Dist::Erlang { k, phase_mean } if x > 0.0 => {
            let k = f64::from(*k);
            (k - 1.0) * libm::log(x) - x / phase_mean - libm::lgamma(k) - k * libm::log(*phase_mean)
        }
        Dist::Weibull { shape, scale } if x > 0.0 => {
            libm::log(*shape) - libm::log(*scale) + (shape - 1.0) * libm::log(x / scale)
                - libm::pow(x / scale, *shape)
        }
        Dist::LogNormal { mu, sigma } if x > 0.0 => {
            let z = (libm::log(x) - mu) / sigma;
            -libm::log(x) - libm::log(*sigma) - 0.5 * ln2pi - 0.5 * z * z
        }
        Dist::LogLogistic { shape, scale } if x > 0.0 => {
            let r = libm::log(x / scale);
            libm::log(*shape) - libm::log(*scale) + (shape - 1.0) * r
                - 2.0 * libm::log1p(libm::exp(shape * r))
        }
        Dist::Normal { mean, sd, min } if x >= *min => {
            let z = (x - mean) / sd;
            -libm::log(*sd) - 0.5 * ln2pi - 0.5 * z * z - libm::log(1.0 - phi((min - mean) / sd))
        }
        Dist::Uniform { lo, width } if x >= *lo && x <= lo + width => -libm::log(*width),
        Dist::Triangular { lo, mode, hi } if x > *lo && x < *hi => {
            let base = std::f64::consts::LN_2 - libm::log(hi - lo);
            if x <= *mode {
                base + libm::log((x - lo) / (mode - lo))
            } else {
                base + libm::log((hi - x) / (hi - mode))
            }
        }
        Dist::Truncated(t) if x >= t.lo && x <= t.hi => log_pdf(&t.inner, x) - libm::log(t.mass),
        _ => f64::NEG_INFINITY,
    }
}

/// ψ(x), by recurrence up to x ≥ 6 and the asymptotic series.
fn digamma(mut x: f64) -> f64 {
    let mut r = 0.0;
    while x < 10.0 {
        r -= 1.0 / x;
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    r + libm::log(x)
        - 0.5 / x
        - f * (1.0 / 12.0 - f * (1.0 / 120.0 - f * (1.0 / 252.0 - f / 240.0)))
}

/// ψ′(x), likewise.
fn trigamma(mut x: f64) -> f64 {
    let mut r = 0.0;
    while x < 10.0 {
        r += 1.0 / (x * x);
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    r + 1.0 / x + f / 2.0 + f / x * (1.0 / 6.0 - f * (1.0 / 30.0 - f / 42.0))
}

/// The gamma shape a solving ln a − ψ(a) = s (s = ln x̄ − mean ln x > 0), by Newton's method
/// from Minka's (2002) starting value; clamped to the range `gamma` accepts.
fn gamma_shape(s: f64) -> f64 {
    if s <= 0.0 || !s.is_finite() {
        return 1e6;
    }
    let mut a = (3.0 - s + ((s - 3.0).powi(2) + 24.0 * s).sqrt()) / (12.0 * s);
    for _ in 0..100 {
        let step = (libm::log(a) - digamma(a) - s) / (1.0 / a - trigamma(a));
        let next = (a - step).max(a / 10.0);
        if (next - a).abs() < 1e-12 * a {
            a = next;
            break;
        }
        a = next;
    }
    a.clamp(1.001e-3, 1e6)
}

/// Weibull (shape, scale) by Newton's method on the profile equation
/// Σ yᵏ ln y / Σ yᵏ − 1/k − mean ln y = 0, with y = x / x̄ for numerical range.
fn weibull(x: &[f64], mean: f64) -> (f64, f64) {
    let n = x.len() as f64;
    let y: Vec<f64> = x.iter().map(|v| v / mean).collect();
    let ly: Vec<f64> = y.iter().map(|&v| libm::log(v)).collect();
    let mean_ly = ly.iter().sum::<f64>() / n;
    let sd_ly = (ly.iter().map(|l| (l - mean_ly).powi(2)).sum::<f64>() / n).sqrt();
    let mut k = (1.28 / sd_ly.max(1e-6)).clamp(0.05, 500.0);
    for _ in 0..200 {
        let (mut s0, mut s1, mut s2) = (0.0, 0.0, 0.0);
        for l in &ly {
            let w = libm::exp(k * l);
            s0 += w;
            s1 += w * l;
            s2 += w * l * l;
        }
        let g = s1 / s0 - 1.0 / k - mean_ly;
        let dg = (s2 * s0 - s1 * s1) / (s0 * s0) + 1.0 / (k * k);
        let next = (k - g / dg).clamp(k / 4.0, k * 4.0);
        if (next - k).abs() < 1e-12 * k {
            k = next;
            break;
        }
        k = next;
    }
    let scale = libm::pow(y.iter().map(|&v| libm::pow(v, k)).sum::<f64>() / n, 1.0 / k) * mean;
    (k, scale)
}

/// Log-logistic (scale α, shape β) by Nelder–Mead on (ln α, ln β), started from the median
/// and from ln X's spread (ln X is logistic with sd π / (β√3)).
fn log_logistic(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let lx: Vec<f64> = x.iter().map(|&v| libm::log(v)).collect();
    let m = lx.iter().sum::<f64>() / n;
    let sd = (lx.iter().map(|l| (l - m).powi(2)).sum::<f64>() / n)
        .sqrt()
        .max(1e-6);
    let median = lx[lx.len() / 2];
    let beta0 = std::f64::consts::PI / (sd * 3f64.sqrt());
    let nll = |p: [f64; 2]| -> f64 {
        let (la, b) = (p[0], libm::exp(p[1]));
        let s: f64 = lx
            .iter()
            .map(|l| {
                let r = b * (l - la);
                // ln(1 + e^r) without overflow.
                let soft = if r > 30.0 {
                    r
                } else {
                    libm::log1p(libm::exp(r))
                };
                libm::log(b) - la + (b - 1.0) * (l - la) - 2.0 * soft
            })
            .sum();
        -s
    };
    let p = nelder_mead(nll, [median, libm::log(beta0)], [0.1, 0.1]);
    (libm::exp(p[0]), libm::exp(p[1]))
}

/// Nelder–Mead minimisation in two dimensions (standard coefficients, at most 2,000 steps).
fn nelder_mead(f: impl Fn([f64; 2]) -> f64, start: [f64; 2], step: [f64; 2]) -> [f64; 2] {
    let mut s = [
        start,
        [start[0] + step[0], start[1]],
        [start[0], start[1] + step[1]],
    ];
    let mut v = s.map(&f);
    for _ in 0..2000 {
        let mut idx = [0, 1, 2];
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let (b, g, w) = (idx[0], idx[1], idx[2]);
        if (v[w] - v[b]).abs() <= 1e-12 * (1.0 + v[b].abs()) {
            break;
        }
        let c = [(s[b][0] + s[g][0]) / 2.0, (s[b][1] + s[g][1]) / 2.0];
        let at = |t: f64| [c[0] + t * (s[w][0] - c[0]), c[1] + t * (s[w][1] - c[1])];
        let r = at(-1.0);
        let fr = f(r);
        if fr < v[b] {
            let e = at(-2.0);
            let fe = f(e);
            (s[w], v[w]) = if fe < fr { (e, fe) } else { (r, fr) };
        } else if fr < v[g] {
            (s[w], v[w]) = (r, fr);
        } else {
            let k = if fr < v[w] { at(-0.5) } else { at(0.5) };
            let fk = f(k);
            if fk < v[w].min(fr) {
                (s[w], v[w]) = (k, fk);
            } else {
                for i in [g, w] {
                    s[i] = [(s[i][0] + s[b][0]) / 2.0, (s[i][1] + s[b][1]) / 2.0];
                    v[i] = f(s[i]);
                }
            }
        }
    }
    let best = (0..3)
        .min_by(|&a, &b| v[a].total_cmp(&v[b]))
        .expect("three points");
    s[best]
}

/// Triangular: ends just beyond the extreme observations (so that they have positive
/// density; the lower end kept at zero or above), the mode the order statistic that
/// maximises the likelihood (at most 512 candidates, evenly spaced in rank).
fn triangular(x: &[f64]) -> Result<String, String> {
    let n = x.len();
    let pad = (x[n - 1] - x[0]) / (n as f64);
    let lo = (x[0] - pad).max(0.0);
    let hi = x[n - 1] + pad;
    let candidates = n.min(512);
    let mut best = (f64::NEG_INFINITY, String::new());
    for j in 0..candidates {
        let mode = x[j * (n - 1) / (candidates - 1).max(1)];
        let t = format!(
            "{{ dist = \"triangular\", min = {}, mode = {}, max = {} }}",
            minutes_outward(lo, false),
            minutes(mode),
            minutes_outward(hi, true)
        );
        if let Ok(d) = compile(&t) {
            let ll = log_likelihood(&d, x);
            if ll > best.0 {
                best = (ll, t);
            }
        }
    }
    if best.0.is_finite() {
        Ok(best.1)
    } else {
        Err("no triangular distribution gives every observation a positive density".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_significant_digits() {
        assert_eq!(sig4(12.34567), "12.35");
        assert_eq!(sig4(0.0012345), "0.001235");
        assert_eq!(sig4(123456.0), "123500");
        assert_eq!(sig4(2.0), "2");
    }

    #[test]
    fn digamma_and_trigamma_match_known_values() {
        // ψ(1) = −γ, ψ′(1) = π²/6, ψ(0.5) = −γ − 2 ln 2.
        let euler = 0.577_215_664_901_532_9;
        assert!((digamma(1.0) + euler).abs() < 1e-12);
        assert!((trigamma(1.0) - std::f64::consts::PI.powi(2) / 6.0).abs() < 1e-10);
        assert!((digamma(0.5) + euler + 2.0 * 2f64.ln()).abs() < 1e-12);
    }
}

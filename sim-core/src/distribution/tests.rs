//! Statistical tests of the samplers against the exact distributions.

use super::special::{gamma_p, phi};
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
        toml::from_str(&format!("x = {{ {fields} }}")).unwrap_or_else(|e| panic!("{fields}: {e}"));
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
        r#"dist = "weibull", shape = 1.5, scale = "10min""#,
        r#"dist = "weibull", shape = 0.7, scale = "3min""#,
        r#"dist = "log_logistic", shape = 4.0, scale = "8min""#,
        r#"dist = "pert", min = "2min", mode = "5min", max = "15min""#,
        r#"dist = "pert", min = "2min", mode = "2min", max = "6min""#,
        r#"dist = "empirical", values = ["3min", "1min", "2min", "7min"], continuous = true"#,
        r#"dist = "empirical", values = ["1min", "2min", "2min", "10min"]"#,
        r#"dist = "exponential", mean = "4min", truncate = { max = "6min" }"#,
        r#"dist = "weibull", shape = 1.5, scale = "10min", truncate = { min = "2min", max = "25min" }"#,
        r#"dist = "lognormal", mean = "45min", sd = "30min", truncate = { max = "60min" }"#,
        r#"dist = "gamma", mean = "2min", cv = 1.8, truncate = { min = "0.5min" }"#,
        r#"dist = "erlang", mean = "3min", k = 3, truncate = { min = "1min", max = "5min" }"#,
        r#"dist = "log_logistic", shape = 4.0, scale = "8min", truncate = { max = "12min" }"#,
        r#"dist = "pert", min = "2min", mode = "5min", max = "15min", truncate = { max = "8min" }"#,
        r#"dist = "normal", mean = "5min", sd = "2min", min = "3min", truncate = { max = "6min" }"#,
        r#"dist = "uniform", min = "1min", max = "3min", truncate = { min = "2.5min" }"#,
        r#"dist = "triangular", min = "1min", mode = "2min", max = "6min", truncate = { min = "3min" }"#,
        r#"dist = "empirical", values = ["1min", "2min", "10min"], weights = [5, 3, 2], truncate = { max = "5min" }"#,
        r#"dist = "empirical", values = ["3min", "1min", "2min", "7min"], continuous = true, truncate = { min = "1.5min", max = "6min" }"#,
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

/// Kolmogorov–Smirnov statistic of `n` draws of `d` (seed `seed`) against the exact CDF.
fn ks(d: &Dist, seed: u64, n: usize, cdf: impl Fn(f64) -> f64) -> f64 {
    let mut r = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut v: Vec<f64> = (0..n).map(|_| d.sample(&mut r)).collect();
    v.sort_by(f64::total_cmp);
    let n = n as f64;
    v.iter()
        .enumerate()
        .map(|(i, x)| {
            let c = cdf(*x);
            (c - i as f64 / n).abs().max(((i + 1) as f64 / n - c).abs())
        })
        .fold(0.0, f64::max)
}

/// The 0.1% critical value of the KS statistic for `n` draws (asymptotic: 1.949 / sqrt(n)).
pub(super) fn ks_critical(n: usize) -> f64 {
    1.949 / (n as f64).sqrt()
}

/// A distribution function, boxed so the cases of one test can share a list.
type Cdf = Box<dyn Fn(f64) -> f64>;

/// Every continuous family the scenarios use, against its exact CDF: KS on 200,000 draws at
/// a fixed seed below the 0.1% critical value. Gamma shapes cover the boost (cv 1.8: shape
/// 0.31), shape 1, the shipped cv 0.6 and 0.5 (shapes 2.8 and 4) and a large shape; the
/// normal is the truncated one the punctuality offsets use.
#[test]
fn samplers_have_their_exact_cdfs() {
    let n = 200_000;
    let cases: Vec<(&str, Cdf)> = vec![
        (
            r#"dist = "gamma", mean = "5min", cv = 0.6"#,
            Box::new(|x| gamma_p(1.0 / 0.36, x / (5.0 * 0.36))),
        ),
        (
            r#"dist = "gamma", mean = "1.5min", cv = 0.5"#,
            Box::new(|x| gamma_p(4.0, x / (1.5 / 4.0))),
        ),
        (
            r#"dist = "gamma", mean = "2min", cv = 1.8"#,
            Box::new(|x| gamma_p(1.0 / 3.24, x / (2.0 * 3.24))),
        ),
        (
            r#"dist = "gamma", mean = "2min", cv = 1.0"#,
            Box::new(|x| gamma_p(1.0, x / 2.0)),
        ),
        (
            r#"dist = "gamma", mean = "3min", cv = 0.1"#,
            Box::new(|x| gamma_p(100.0, x / 0.03)),
        ),
        (
            r#"dist = "lognormal", mean = "4min", sd = "2min""#,
            Box::new(|x| {
                let s2 = (1.0f64 + 0.25).ln();
                phi((x.ln() - (4.0f64.ln() - 0.5 * s2)) / s2.sqrt())
            }),
        ),
        (
            r#"dist = "normal", mean = "-12.5min", sd = "7min", min = "-40min""#,
            Box::new(|x| {
                let a = phi((-40.0 + 12.5) / 7.0);
                (phi((x + 12.5) / 7.0) - a) / (1.0 - a)
            }),
        ),
        (
            r#"dist = "normal", mean = "5min", sd = "2min", min = "3min""#,
            Box::new(|x| {
                let a = phi(-1.0);
                (phi((x - 5.0) / 2.0) - a) / (1.0 - a)
            }),
        ),
        (
            r#"dist = "erlang", mean = "3min", k = 3"#,
            Box::new(|x| gamma_p(3.0, x)),
        ),
        (
            r#"dist = "exponential", mean = "4min""#,
            Box::new(|x| 1.0 - (-x / 4.0).exp()),
        ),
        (
            r#"dist = "weibull", shape = 1.5, scale = "10min""#,
            Box::new(|x| 1.0 - (-(x / 10.0f64).powf(1.5)).exp()),
        ),
        (
            r#"dist = "weibull", shape = 0.7, scale = "3min""#,
            Box::new(|x| 1.0 - (-(x / 3.0f64).powf(0.7)).exp()),
        ),
        (
            r#"dist = "log_logistic", shape = 4.0, scale = "8min""#,
            Box::new(|x| 1.0 / (1.0 + (x / 8.0f64).powf(-4.0))),
        ),
        (
            // Beta-PERT with mode at the lower end: α = 1, β = 5, so B has CDF 1 − (1 − b)^5.
            r#"dist = "pert", min = "2min", mode = "2min", max = "6min""#,
            Box::new(|x| 1.0 - (1.0 - ((x - 2.0) / 4.0f64).clamp(0.0, 1.0)).powi(5)),
        ),
        (
            r#"dist = "uniform", min = "1min", max = "3min""#,
            Box::new(|x| ((x - 1.0) / 2.0).clamp(0.0, 1.0)),
        ),
        (
            r#"dist = "triangular", min = "1min", mode = "2min", max = "6min""#,
            Box::new(|x| {
                if x < 2.0 {
                    (x - 1.0) * (x - 1.0) / 5.0
                } else {
                    1.0 - (6.0 - x) * (6.0 - x) / 20.0
                }
            }),
        ),
    ];
    for (seed, (text, cdf)) in cases.iter().enumerate() {
        let d = Dist::compile(&spec(text), false).unwrap();
        let stat = ks(&d, 100 + seed as u64, n, cdf);
        assert!(stat < ks_critical(n), "{text}: KS statistic {stat}");
        // `Dist::cdf` (used by truncation and `carepath fit`) is the same function.
        assert_eq!(d.cdf(d.lower_bound() - 1.0), 0.0, "{text}");
        for i in 1..=400 {
            let x = (d.lower_bound() + f64::from(i) * 0.1).min(d.practical_max());
            assert!((d.cdf(x) - cdf(x)).abs() < 1e-9, "{text}: cdf({x})");
        }
    }
}

/// Truncated samplers against their exact CDFs (F(x) − F(lo)) / (F(hi) − F(lo)), and the
/// continuous empirical against its piecewise-linear CDF.
#[test]
fn truncated_and_continuous_empirical_samplers_have_their_cdfs() {
    let n = 200_000;
    let weibull = |x: f64| 1.0 - (-(x / 10.0f64).powf(1.5)).exp();
    let gamma = |x: f64| gamma_p(1.0 / 3.24, x / (2.0 * 3.24));
    let cases: Vec<(&str, Cdf)> = vec![
        (
            r#"dist = "weibull", shape = 1.5, scale = "10min", truncate = { min = "2min", max = "25min" }"#,
            Box::new(move |x| {
                ((weibull(x.clamp(2.0, 25.0)) - weibull(2.0)) / (weibull(25.0) - weibull(2.0)))
                    .clamp(0.0, 1.0)
            }),
        ),
        (
            r#"dist = "gamma", mean = "2min", cv = 1.8, truncate = { min = "0.5min" }"#,
            Box::new(move |x| {
                ((gamma(x.max(0.5)) - gamma(0.5)) / (1.0 - gamma(0.5))).clamp(0.0, 1.0)
            }),
        ),
        (
            r#"dist = "empirical", values = ["3min", "1min", "2min", "7min"], continuous = true"#,
            Box::new(|x| {
                // Sorted 1, 2, 3, 7 at probabilities 0, 1/3, 2/3, 1.
                if x <= 1.0 {
                    0.0
                } else if x <= 3.0 {
                    (x - 1.0) / 3.0
                } else {
                    (2.0 / 3.0 + (x - 3.0) / 12.0).min(1.0)
                }
            }),
        ),
    ];
    for (seed, (text, cdf)) in cases.iter().enumerate() {
        let d = Dist::compile(&spec(text), false).unwrap();
        let stat = ks(&d, 300 + seed as u64, n, cdf);
        assert!(stat < ks_critical(n), "{text}: KS statistic {stat}");
        for i in 0..=400 {
            let x = f64::from(i) * 0.1;
            assert!((d.cdf(x) - cdf(x)).abs() < 1e-9, "{text}: cdf({x})");
        }
    }
}

/// The truncated moments (integrals of the CDF) against closed forms: Exp(m) cut at b has
/// mean m − b·e^(−b/m) / (1 − e^(−b/m)); Uniform(1, 3) cut below at 2.5 is Uniform(2.5, 3).
#[test]
fn truncated_moments_match_closed_forms() {
    let d = Dist::compile(
        &spec(r#"dist = "exponential", mean = "4min", truncate = { max = "6min" }"#),
        true,
    )
    .unwrap();
    let q = (-6.0f64 / 4.0).exp();
    assert!(
        (d.mean() - (4.0 - 6.0 * q / (1.0 - q))).abs() < 1e-8,
        "{}",
        d.mean()
    );
    let d = Dist::compile(
        &spec(r#"dist = "uniform", min = "1min", max = "3min", truncate = { min = "2.5min" }"#),
        true,
    )
    .unwrap();
    assert!((d.mean() - 2.75).abs() < 1e-9);
    assert!((d.scv() * d.mean() * d.mean() - 0.25 / 12.0).abs() < 1e-9);
    // A cut discrete table is exact: values 1 and 2 with weights 5 and 3.
    let d = Dist::compile(
        &spec(r#"dist = "empirical", values = ["1min", "2min", "10min"], weights = [5, 3, 2], truncate = { max = "5min" }"#),
        true,
    )
    .unwrap();
    assert!((d.mean() - (5.0 + 6.0) / 8.0).abs() < 1e-12);
    // Truncating below zero makes a normal usable as a service time.
    assert!(
        Dist::compile(
            &spec(r#"dist = "normal", mean = "5min", sd = "3min", min = "-20min", truncate = { min = "0min" }"#),
            true
        )
        .is_ok()
    );
}

/// The gamma's variance within 4 standard errors of shape·scale² at the shipped shapes and
/// across the boost (the variance of a sample variance is (μ₄ − σ⁴) / n, with the gamma's
/// μ₄ = σ⁴ (3 + 6 / shape)).
#[test]
fn gamma_variance_matches() {
    for (text, shape) in [
        (r#"dist = "gamma", mean = "5min", cv = 0.6"#, 1.0 / 0.36),
        (r#"dist = "gamma", mean = "1.5min", cv = 0.5"#, 4.0),
        (r#"dist = "gamma", mean = "2min", cv = 1.8"#, 1.0 / 3.24),
    ] {
        let d = Dist::compile(&spec(text), true).unwrap();
        let n = 400_000;
        let (m, var, _) = moments(&d, n);
        let sigma2 = d.scv() * d.mean() * d.mean();
        let se_mean = (sigma2 / n as f64).sqrt();
        assert!((m - d.mean()).abs() < 4.0 * se_mean, "{text}: mean {m}");
        let se_var = (sigma2 * sigma2 * (2.0 + 6.0 / shape) / n as f64).sqrt();
        assert!(
            (var - sigma2).abs() < 4.0 * se_var,
            "{text}: var {var} vs {sigma2}"
        );
    }
}

/// Bits, not statistics: the samplers are pure functions of the generator's words, so a
/// fixed seed gives fixed values. These pins fail if a sampler's algorithm or its tables
/// change (value-breaking: re-bless the regression baselines and flag it).
#[test]
fn sampler_values_are_pinned() {
    let mut r = Xoshiro256PlusPlus::seed_from_u64(2026);
    let got: Vec<u64> = [
        r#"dist = "gamma", mean = "5min", cv = 0.6"#,
        r#"dist = "gamma", mean = "2min", cv = 1.8"#,
        r#"dist = "lognormal", mean = "4min", sd = "2min""#,
        r#"dist = "normal", mean = "-12.5min", sd = "7min", min = "-40min""#,
        r#"dist = "exponential", mean = "4min""#,
    ]
    .iter()
    .flat_map(|text| {
        let d = Dist::compile(&spec(text), false).unwrap();
        (0..3)
            .map(|_| d.sample(&mut r).to_bits())
            .collect::<Vec<_>>()
    })
    .collect();
    let want: Vec<u64> = vec![
        // gamma, cv 0.6
        0x4007_85cd_76bf_082d,
        0x401a_fd66_c588_15e6,
        0x4011_1f95_b9fc_eaef,
        // gamma, cv 1.8 (boosted)
        0x3fe5_2840_5735_0957,
        0x3fe3_59dd_361f_f75c,
        0x3f81_a271_4068_43e2,
        // lognormal
        0x4011_8f2f_60b0_6d38,
        0x4010_7827_59fa_6991,
        0x4010_6d68_8208_f1fe,
        // truncated normal
        0xc020_7629_fd44_8902,
        0xc01e_815f_d556_40b5,
        0xc022_dd05_c351_29bb,
        // exponential
        0x3fe1_f4fc_50f0_3b72,
        0x401e_f578_1bcf_0481,
        0x400a_95ad_7ace_e519,
    ];
    assert_eq!(got, want, "sampler values changed: {got:#x?}");
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
    let e = bad(r#"dist = "weibull", shape = 0, scale = "1min""#, true);
    assert!(e.contains("shape must be greater than zero"), "{e}");
    let e = bad(r#"dist = "weibull", shape = 2, scale = "0min""#, true);
    assert!(e.contains("scale must be greater than zero"), "{e}");
    let e = bad(r#"dist = "log_logistic", shape = 2, scale = "1min""#, true);
    assert!(e.contains("greater than 2"), "{e}");
    let e = bad(
        r#"dist = "pert", min = "3min", mode = "1min", max = "5min""#,
        true,
    );
    assert!(e.contains("min <= mode <= max"), "{e}");
    let e = bad(
        r#"dist = "pert", min = "-3min", mode = "1min", max = "5min""#,
        true,
    );
    assert!(e.contains("negative"), "{e}");
    let e = bad(r#"dist = "weibull", shape = 2, mean = "1min""#, true);
    assert!(e.contains("`mean` does not apply"), "{e}");
    let e = bad(
        r#"dist = "weibull", shape = 1.5, scale = "10min", truncate = { min = "80min" }"#,
        true,
    );
    assert!(e.contains("almost every draw would be redrawn"), "{e}");
    let e = bad(
        r#"dist = "exponential", mean = "4min", truncate = { min = "5min", max = "5min" }"#,
        true,
    );
    assert!(e.contains("must be below max"), "{e}");
    let e = bad(
        r#"dist = "deterministic", value = "4min", truncate = { max = "3min" }"#,
        true,
    );
    assert!(e.contains("outside"), "{e}");
    let e = bad(
        r#"dist = "empirical", values = ["1min", "2min"], truncate = { min = "3min" }"#,
        true,
    );
    assert!(e.contains("table's probability"), "{e}");
    let e = bad(
        r#"dist = "normal", mean = "5min", sd = "3min", min = "-20min", truncate = { max = "9min" }"#,
        true,
    );
    assert!(e.contains("negative"), "{e}");
    let e = bad(
        r#"dist = "empirical", values = ["1min", "2min"], weights = [1, 1], continuous = true"#,
        true,
    );
    assert!(e.contains("`weights` do not apply"), "{e}");
    let e = bad(
        r#"dist = "empirical", values = ["2min", "2min"], continuous = true"#,
        true,
    );
    assert!(e.contains("two different values"), "{e}");
    let e = bad(r#"dist = "empirical", file = "x.csv""#, true);
    assert!(e.contains("was not loaded"), "{e}");
    let e = bad(
        r#"dist = "gamma", mean = "2min", cv = 1, file = "x.csv""#,
        true,
    );
    assert!(e.contains("applies to dist = \"empirical\" only"), "{e}");
    let e = bad(r#"dist = "empirical", weights = [1]"#, true);
    assert!(e.contains("needs `values` (or `file`"), "{e}");
}

/// Every step and station holds a `Dist`: the new families must not make it larger (the
/// beta-PERT's seven numbers are boxed for that reason).
#[test]
fn a_distribution_stays_five_words() {
    assert!(
        std::mem::size_of::<Dist>() <= 40,
        "{}",
        std::mem::size_of::<Dist>()
    );
}

proptest::proptest! {
    /// Any truncation of any continuous family either is refused when compiled (it keeps
    /// under 1%, or its bounds are the wrong way round) or gives only draws within its bounds,
    /// with a mean between them; it never panics.
    #[test]
    fn truncated_draws_stay_within_their_bounds(
        family in 0usize..5,
        scale in 0.1f64..50.0,
        shape in 0.3f64..8.0,
        from in 0.0f64..2.0,
        span in 0.0f64..5.0,
        seed in 0u64..1000,
    ) {
        // Bounds on the distribution's own scale, so that most cases keep enough to compile.
        let (lo, width) = (from * scale, span * scale);
        let fields = match family {
            0 => format!(r#"dist = "exponential", mean = "{scale}min""#),
            1 => format!(r#"dist = "gamma", mean = "{scale}min", cv = {}"#, 1.0 / shape),
            2 => format!(r#"dist = "weibull", shape = {shape}, scale = "{scale}min""#),
            3 => format!(r#"dist = "lognormal", mean = "{scale}min", sd = "{}min""#, scale / shape),
            _ => format!(r#"dist = "log_logistic", shape = {}, scale = "{scale}min""#, 2.1 + shape),
        };
        let hi = lo + width;
        let text = format!(r#"{fields}, truncate = {{ min = "{lo}min", max = "{hi}min" }}"#);
        let compiled = Dist::compile(&spec(&text), true);
        if from < 0.5 && span > 1.0 && shape >= 1.0 {
            // A scale's width from near the bottom keeps well over 1% of every family whose
            // shape is at least 1 (no pile of mass at zero).
            proptest::prop_assert!(compiled.is_ok(), "{text}: {compiled:?}");
        }
        if let Ok(d) = compiled {
            let mut r = Xoshiro256PlusPlus::seed_from_u64(seed);
            for _ in 0..200 {
                let x = d.sample(&mut r);
                proptest::prop_assert!(x >= lo && x <= hi, "{text}: {x}");
            }
            proptest::prop_assert!(d.mean() >= lo && d.mean() <= hi, "{text}: mean {}", d.mean());
        }
    }
}

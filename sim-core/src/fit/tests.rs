//! `fit_all` on samples drawn from known distributions.

use super::*;
use crate::distribution::DistSpec;

fn dist(fields: &str) -> Dist {
    let mut t: std::collections::BTreeMap<String, DistSpec> =
        toml::from_str(&format!("x = {{ {fields} }}")).unwrap();
    Dist::compile(&t.remove("x").unwrap(), true).unwrap()
}

fn draw(d: &Dist, n: usize, seed: u64) -> Vec<f64> {
    let mut r = Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..n).map(|_| d.sample(&mut r)).collect()
}

/// The generating family ranks first (lowest AIC) for samples of 300, counted over 100
/// fixed seeds. Families whose shapes no other family mimics must win at least 85 times;
/// where a two-parameter family nests the generating one (the exponential in the gamma and
/// the Weibull) or comes close to it (a normal with cv 0.1 is nearly a gamma of shape 100), at
/// least 70 times: AIC's penalty of 2 per parameter lets the larger family win whenever its
/// likelihood-ratio statistic exceeds 2, which for one extra parameter happens 16% of the
/// time. The Erlang is a gamma with integer shape and the same parameter count, so it can only
/// tie; for Erlang samples the gamma or the Erlang must win 90 times. docs/planner-guide.md
/// records the counts.
#[test]
fn the_generating_family_ranks_first() {
    let cases = [
        (
            DistKind::Gamma,
            r#"dist = "gamma", mean = "12min", cv = 0.4"#,
            85,
        ),
        (
            DistKind::Gamma,
            r#"dist = "gamma", mean = "12min", cv = 0.7"#,
            70,
        ),
        (
            DistKind::Weibull,
            r#"dist = "weibull", shape = 2.5, scale = "10min""#,
            85,
        ),
        (
            DistKind::Weibull,
            r#"dist = "weibull", shape = 1.5, scale = "10min""#,
            70,
        ),
        (
            DistKind::Lognormal,
            r#"dist = "lognormal", mean = "10min", sd = "8min""#,
            85,
        ),
        (
            DistKind::LogLogistic,
            r#"dist = "log_logistic", shape = 3.0, scale = "8min""#,
            85,
        ),
        (
            DistKind::Uniform,
            r#"dist = "uniform", min = "2min", max = "9min""#,
            85,
        ),
        (
            DistKind::Triangular,
            r#"dist = "triangular", min = "2min", mode = "4min", max = "15min""#,
            85,
        ),
        (
            DistKind::Exponential,
            r#"dist = "exponential", mean = "6min""#,
            70,
        ),
        (
            DistKind::Normal,
            r#"dist = "normal", mean = "30min", sd = "3min", min = "0min""#,
            70,
        ),
        (
            DistKind::Erlang,
            r#"dist = "erlang", mean = "12min", k = 3"#,
            90,
        ),
    ];
    for (family, fields, least) in cases {
        let d = dist(fields);
        let mut counts = std::collections::BTreeMap::new();
        for seed in 1..=100 {
            let r = fit_all(&draw(&d, 300, seed), 0, 1, &mut || true).unwrap();
            let mut first = r.fits[0].family;
            if family == DistKind::Erlang && first == DistKind::Gamma {
                first = DistKind::Erlang;
            }
            *counts.entry(first.name()).or_insert(0) += 1;
        }
        let won = counts.get(family.name()).copied().unwrap_or(0);
        assert!(
            won >= least,
            "{fields}: first in {won} of 100 (need {least}): {counts:?}"
        );
    }
}

/// Parameters recovered: 2,000 draws from Weibull(1.5, 10) and gamma(mean 12, cv 0.7).
#[test]
fn estimates_are_close_to_the_truth() {
    let x = draw(
        &dist(r#"dist = "weibull", shape = 1.5, scale = "10min""#),
        2000,
        4,
    );
    let mut s = x.clone();
    s.sort_by(f64::total_cmp);
    let f = mle::fit(DistKind::Weibull, &s).unwrap();
    let Dist::Weibull { shape, scale } = f.dist else {
        panic!()
    };
    assert!(
        (shape - 1.5).abs() < 0.08 && (scale - 10.0).abs() < 0.5,
        "{shape} {scale}"
    );
    let x = draw(
        &dist(r#"dist = "gamma", mean = "12min", cv = 0.7"#),
        2000,
        5,
    );
    let mut s = x.clone();
    s.sort_by(f64::total_cmp);
    let f = mle::fit(DistKind::Gamma, &s).unwrap();
    assert!((f.dist.mean() - 12.0).abs() < 0.5, "{}", f.dist.mean());
    assert!(
        (f.dist.scv().sqrt() - 0.7).abs() < 0.04,
        "{}",
        f.dist.scv().sqrt()
    );
}

/// Bootstrap p-values: a right family is not rejected; a wrong one (exponential fitted to
/// a near-normal sample) is, at 1%.
#[test]
fn bootstrap_p_values_tell_right_from_wrong() {
    let x = draw(&dist(r#"dist = "gamma", mean = "12min", cv = 0.3"#), 300, 8);
    let r = fit_all(&x, 99, 2, &mut || true).unwrap();
    let by = |k: DistKind| r.fits.iter().find(|f| f.family == k).unwrap();
    assert!(
        by(DistKind::Gamma).ad_p.unwrap() > 0.05,
        "{:?}",
        by(DistKind::Gamma)
    );
    assert!(by(DistKind::Exponential).ks_p.unwrap() <= 0.01);
    assert!(by(DistKind::Exponential).ad_p.unwrap() <= 0.01);
}

#[test]
fn bad_data_is_refused_and_zeros_skip_some_families() {
    let go = &mut || true;
    assert_eq!(fit_all(&[1.0, 2.0], 0, 1, go), Err(FitError::TooFew(2)));
    assert_eq!(fit_all(&[3.0; 10], 0, 1, go), Err(FitError::AllEqual(3.0)));
    assert_eq!(
        fit_all(&[1.0, -2.0, 3.0, 4.0, 5.0], 0, 1, go),
        Err(FitError::Negative(-2.0))
    );
    assert_eq!(
        fit_all(&[1.0, f64::NAN, 3.0, 4.0, 5.0], 0, 1, go)
            .unwrap_err()
            .to_string(),
        "the value NaN is not finite"
    );
    let mut calls = 0;
    let stop = &mut || {
        calls += 1;
        calls < 5
    };
    assert_eq!(
        fit_all(&[1.0, 2.0, 2.5, 3.0, 4.0, 6.0], 10, 1, stop),
        Err(FitError::Interrupted)
    );
    let r = fit_all(&[0.0, 1.0, 2.0, 2.5, 3.0, 4.0, 6.0], 0, 1, go).unwrap();
    assert!(
        r.skipped
            .iter()
            .any(|(k, why)| *k == DistKind::Gamma && why.contains("is 0"))
    );
    assert!(r.fits.iter().any(|f| f.family == DistKind::Exponential));
}

/// Every snippet compiles to the fit's distribution.
#[test]
fn snippets_compile_to_the_fitted_distribution() {
    let x = draw(
        &dist(r#"dist = "lognormal", mean = "10min", sd = "8min""#),
        300,
        3,
    );
    for f in fit_all(&x, 0, 1, &mut || true).unwrap().fits {
        let inner = f.toml.trim().trim_start_matches('{').trim_end_matches('}');
        assert_eq!(dist(inner), f.dist, "{}", f.toml);
    }
}

#[test]
fn quantiles_invert_the_cdf() {
    let d = dist(r#"dist = "gamma", mean = "12min", cv = 0.7"#);
    for p in [0.01, 0.25, 0.5, 0.9, 0.999] {
        assert!((d.cdf(gof::quantile(&d, p)) - p).abs() < 1e-9);
    }
}

//! Fitting distributions to observed durations (`carepath fit`), the job of Arena's Input
//! Analyzer and ExpertFit: each candidate family is fitted by maximum likelihood
//! ([`mle`]), ranked by Akaike's information criterion, and checked with the
//! Kolmogorov–Smirnov and Anderson–Darling statistics ([`gof`]), whose p-values come from a
//! parametric bootstrap (the parameters are estimated from the same data, so the tabled
//! p-values, which assume known parameters, would be far too kind; Stute, Manteiga and
//! Quindimil, 1993, "Bootstrap based goodness-of-fit tests").
//!
//! Pure computation over `Dist`, so the page can fit in the browser and the bootstrap is the
//! same on every platform (it draws with the engine's samplers and a fixed seed). Every
//! logarithm, exponential and power is `libm`'s, as in the rest of sim-core: std's `f64::ln`
//! and friends call the C library natively and a different implementation on wasm32, which
//! differ in the last bit now and then, so the page's `fit.json` would not be the CLI's (the
//! browser test compares the two byte for byte).

pub mod gof;
pub mod mle;
pub mod ranking;

use crate::distribution::{Dist, DistKind};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The families `carepath fit` tries, in the order they are listed on a tie.
pub const CANDIDATES: [DistKind; 9] = [
    DistKind::Exponential,
    DistKind::Erlang,
    DistKind::Gamma,
    DistKind::Weibull,
    DistKind::Lognormal,
    DistKind::LogLogistic,
    DistKind::Normal,
    DistKind::Triangular,
    DistKind::Uniform,
];

/// Fewest observations fitted.
pub const MIN_OBSERVATIONS: usize = 5;

/// One family fitted to the data.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// The family.
    pub family: DistKind,
    /// The fitted distribution.
    pub dist: Dist,
    /// The fitted distribution as a scenario writes it (an inline TOML table).
    pub toml: String,
    /// Parameters estimated.
    pub parameters: u32,
    /// Maximised log-likelihood.
    pub log_likelihood: f64,
    /// Akaike's information criterion, 2p − 2 ln L (smaller is better).
    pub aic: f64,
    /// The Bayesian information criterion, p ln n − 2 ln L.
    pub bic: f64,
    /// Kolmogorov–Smirnov statistic D.
    pub ks: f64,
    /// Its parametric-bootstrap p-value (None without a bootstrap).
    pub ks_p: Option<f64>,
    /// Anderson–Darling statistic A².
    pub ad: f64,
    /// Its parametric-bootstrap p-value (None without a bootstrap).
    pub ad_p: Option<f64>,
}

/// Every candidate's fit, best (lowest AIC) first.
#[derive(Debug, Clone, PartialEq)]
pub struct FitReport {
    /// Number of observations.
    pub n: usize,
    /// Sample mean (minutes).
    pub mean: f64,
    /// Sample standard deviation (minutes, n − 1 divisor).
    pub sd: f64,
    /// Smallest observation.
    pub min: f64,
    /// Largest observation.
    pub max: f64,
    /// Bootstrap replicates behind the p-values (0: none).
    pub bootstrap: u32,
    /// The fits, by AIC.
    pub fits: Vec<Fit>,
    /// Families that could not be fitted, with the reason (e.g. a zero observation for a
    /// family on (0, ∞)).
    pub skipped: Vec<(DistKind, String)>,
}

/// Why observations cannot be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// Fewer than [`MIN_OBSERVATIONS`].
    #[error("{0} observations are too few to fit a distribution (at least {MIN_OBSERVATIONS})")]
    TooFew(usize),
    /// A value that is not finite.
    #[error("the value {0} is not finite")]
    NotFinite(f64),
    /// A negative duration.
    #[error("the value {0} min is negative: durations must be zero or more")]
    Negative(f64),
    /// Every observation the same.
    #[error("every observation is {0} min: use dist = \"deterministic\"")]
    AllEqual(f64),
    /// The caller asked to stop (Ctrl-C during the bootstrap).
    #[error("interrupted")]
    Interrupted,
}

/// `fit.json`, as `carepath fit --out` and the page write it: the report with the data's
/// name, every fit's statistics and snippet, and the skipped families. Fields are declared in
/// alphabetical order, the order the file has always had.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FitFile<'a> {
    /// Parametric-bootstrap samples per family.
    pub bootstrap: u32,
    /// What was fitted (file and column).
    pub data: &'a str,
    /// The fits, by AIC.
    pub fits: Vec<FitEntry<'a>>,
    /// Largest observation.
    pub max_min: f64,
    /// Sample mean.
    pub mean_min: f64,
    /// Smallest observation.
    pub min_min: f64,
    /// Number of observations.
    pub observations: usize,
    /// Always `"aic"`.
    pub ranked_by: &'static str,
    /// Sample standard deviation.
    pub sd_min: f64,
    /// Families not fitted, with the reason.
    pub skipped: Vec<SkippedEntry<'a>>,
}

/// One fit in `fit.json` (fields in alphabetical order).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FitEntry<'a> {
    /// Anderson–Darling A².
    pub ad: f64,
    /// Its bootstrap p-value.
    pub ad_p: Option<f64>,
    /// AIC.
    pub aic: f64,
    /// BIC.
    pub bic: f64,
    /// Family name.
    pub family: &'static str,
    /// Kolmogorov–Smirnov D.
    pub ks: f64,
    /// Its bootstrap p-value.
    pub ks_p: Option<f64>,
    /// Maximised log-likelihood.
    pub log_likelihood: f64,
    /// The fitted distribution's mean.
    pub mean_min: f64,
    /// Parameters estimated.
    pub parameters: u32,
    /// The fitted distribution's standard deviation.
    pub sd_min: f64,
    /// The snippet.
    pub toml: &'a str,
}

/// A family not fitted, in `fit.json`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SkippedEntry<'a> {
    /// Family name.
    pub family: &'static str,
    /// Why.
    pub reason: &'a str,
}

impl FitReport {
    /// The report as `fit.json` holds it, for data named `label`.
    pub fn file<'a>(&'a self, label: &'a str) -> FitFile<'a> {
        FitFile {
            bootstrap: self.bootstrap,
            data: label,
            fits: self
                .fits
                .iter()
                .map(|f| FitEntry {
                    ad: f.ad,
                    ad_p: f.ad_p,
                    aic: f.aic,
                    bic: f.bic,
                    family: f.family.name(),
                    ks: f.ks,
                    ks_p: f.ks_p,
                    log_likelihood: f.log_likelihood,
                    mean_min: f.dist.mean(),
                    parameters: f.parameters,
                    sd_min: (f.dist.scv() * f.dist.mean() * f.dist.mean()).sqrt(),
                    toml: &f.toml,
                })
                .collect(),
            max_min: self.max,
            mean_min: self.mean,
            min_min: self.min,
            observations: self.n,
            ranked_by: "aic",
            sd_min: self.sd,
            skipped: self
                .skipped
                .iter()
                .map(|(k, why)| SkippedEntry {
                    family: k.name(),
                    reason: why,
                })
                .collect(),
        }
    }
}

/// Fits every candidate to `values` (minutes), with `bootstrap` parametric-bootstrap
/// replicates for the p-values (0 for none) drawn from `seed`. `tick` is called after each
/// bootstrap replicate (9 × `bootstrap` calls in all); returning false stops the fit with
/// [`FitError::Interrupted`].
pub fn fit_all(
    values: &[f64],
    bootstrap: u32,
    seed: u64,
    tick: &mut dyn FnMut() -> bool,
) -> Result<FitReport, FitError> {
    if values.len() < MIN_OBSERVATIONS {
        return Err(FitError::TooFew(values.len()));
    }
    if let Some(bad) = values.iter().find(|v| !v.is_finite()) {
        return Err(FitError::NotFinite(*bad));
    }
    if let Some(neg) = values.iter().find(|v| **v < 0.0) {
        return Err(FitError::Negative(*neg));
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if sorted[0] == sorted[n - 1] {
        return Err(FitError::AllEqual(sorted[0]));
    }
    let mean = sorted.iter().sum::<f64>() / n as f64;
    let sd = (sorted.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64).sqrt();
    let mut fits = Vec::new();
    let mut skipped = Vec::new();
    for (i, family) in CANDIDATES.into_iter().enumerate() {
        match mle::fit(family, &sorted) {
            Ok(m) => {
                let (ks, ad) = gof::statistics(&m.dist, &sorted);
                let (ks_p, ad_p) = if bootstrap == 0 {
                    (None, None)
                } else {
                    let (kp, ap) = bootstrap_p(
                        family,
                        &m.dist,
                        n,
                        (ks, ad),
                        bootstrap,
                        // Each family its own stream: the seed mixed with its place in the list.
                        seed ^ ((i as u64) << 32),
                        tick,
                    )?;
                    (Some(kp), Some(ap))
                };
                let p = f64::from(m.parameters);
                fits.push(Fit {
                    family,
                    toml: m.toml,
                    parameters: m.parameters,
                    log_likelihood: m.log_likelihood,
                    aic: 2.0 * p - 2.0 * m.log_likelihood,
                    bic: p * libm::log(n as f64) - 2.0 * m.log_likelihood,
                    ks,
                    ks_p,
                    ad,
                    ad_p,
                    dist: m.dist,
                });
            }
            Err(why) => skipped.push((family, why)),
        }
    }
    // Stable: on equal AIC the simpler family (listed first) stays first.
    fits.sort_by(|a, b| a.aic.total_cmp(&b.aic));
    Ok(FitReport {
        n,
        mean,
        sd,
        min: sorted[0],
        max: sorted[n - 1],
        bootstrap,
        fits,
        skipped,
    })
}

/// Parametric bootstrap: samples of `n` from the fitted distribution, each refitted, give the
/// null distribution of the statistics with estimated parameters. p = (1 + #{T* ≥ T}) / (B + 1).
fn bootstrap_p(
    family: DistKind,
    fitted: &Dist,
    n: usize,
    (ks, ad): (f64, f64),
    b: u32,
    seed: u64,
    tick: &mut dyn FnMut() -> bool,
) -> Result<(f64, f64), FitError> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let (mut ks_over, mut ad_over, mut done) = (0u32, 0u32, 0u32);
    let mut sample = vec![0.0; n];
    for _ in 0..b {
        for x in sample.iter_mut() {
            *x = fitted.sample(&mut rng);
        }
        sample.sort_by(f64::total_cmp);
        // A replicate the family cannot fit (e.g. all values equal) counts as extreme, which
        // only makes the p-value larger (conservative).
        match mle::fit(family, &sample) {
            Ok(m) => {
                let (k, a) = gof::statistics(&m.dist, &sample);
                ks_over += u32::from(k >= ks);
                ad_over += u32::from(a >= ad);
            }
            Err(_) => {
                ks_over += 1;
                ad_over += 1;
            }
        }
        done += 1;
        if !tick() {
            return Err(FitError::Interrupted);
        }
    }
    let p = |over: u32| f64::from(1 + over) / f64::from(done + 1);
    Ok((p(ks_over), p(ad_over)))
}

#[cfg(test)]
mod tests;

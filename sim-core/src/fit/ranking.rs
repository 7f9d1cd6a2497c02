//! The ranking as text, cell by cell: what `carepath fit` prints and the page's fit panel
//! shows, written once so the two read the same.

use super::FitReport;
use serde::Serialize;

/// One line of the ranking, each cell formatted as `carepath fit` prints it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Row {
    /// 1 for the best (lowest AIC).
    pub rank: usize,
    /// The family (`gamma`, `log_logistic`, …).
    pub family: String,
    /// Parameters estimated.
    pub params: u32,
    /// Maximised log-likelihood, 2 decimals.
    pub log_lik: String,
    /// AIC, 2 decimals.
    pub aic: String,
    /// AIC minus the best fit's, 2 decimals.
    pub delta_aic: String,
    /// Kolmogorov–Smirnov D, 4 decimals.
    pub ks: String,
    /// Its bootstrap p-value (3 decimals; `≤` the floor 1 / (B + 1); `—` without a bootstrap).
    pub ks_p: String,
    /// Anderson–Darling A², 3 decimals.
    pub ad: String,
    /// Its bootstrap p-value, as `ks_p`.
    pub ad_p: String,
}

/// A p-value; at the bootstrap's floor 1 / (B + 1) (no replicate as extreme) it is shown as
/// "≤" that floor, since the bootstrap cannot resolve smaller values.
pub fn p_cell(p: Option<f64>, bootstrap: u32) -> String {
    match p {
        None => "—".into(),
        Some(p) if p <= 1.0 / f64::from(bootstrap + 1) + 1e-12 => {
            format!("≤{:.3}", 1.0 / f64::from(bootstrap + 1))
        }
        Some(p) => format!("{p:.3}"),
    }
}

impl FitReport {
    /// The first line: `Fits to LABEL: 240 observations, mean 6.693 min, …`.
    pub fn heading(&self, label: &str) -> String {
        format!(
            "Fits to {label}: {} observations, mean {:.3} min, sd {:.3} min, min {:.3}, max {:.3}",
            self.n, self.mean, self.sd, self.min, self.max
        )
    }

    /// The ranking's cells, best first.
    pub fn rows(&self) -> Vec<Row> {
        let best = self.fits.first().map_or(0.0, |f| f.aic);
        self.fits
            .iter()
            .enumerate()
            .map(|(i, f)| Row {
                rank: i + 1,
                family: f.family.name().to_string(),
                params: f.parameters,
                log_lik: format!("{:.2}", f.log_likelihood),
                aic: format!("{:.2}", f.aic),
                delta_aic: format!("{:.2}", f.aic - best),
                ks: format!("{:.4}", f.ks),
                ks_p: p_cell(f.ks_p, self.bootstrap),
                ad: format!("{:.3}", f.ad),
                ad_p: p_cell(f.ad_p, self.bootstrap),
            })
            .collect()
    }

    /// How to read the table; `no_bootstrap` names how the reader asked for no bootstrap
    /// (`--bootstrap 0` on the command line).
    pub fn note(&self, no_bootstrap: &str) -> String {
        format!(
            "Ranked by AIC (2·params − 2·log-likelihood; a difference under 2 is no real evidence \
             either way). {}",
            if self.bootstrap > 0 {
                format!(
                    "p-values: parametric bootstrap, {} samples per family refitted (valid with \
                     estimated parameters); a small p (< 0.05) means the family does not fit.",
                    self.bootstrap
                )
            } else {
                format!("No p-values ({no_bootstrap}).")
            }
        )
    }
}

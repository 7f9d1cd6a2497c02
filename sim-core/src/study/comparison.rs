//! A comparison's runs: every variant with the shared seed (common random numbers) and every
//! variant but the baseline again with unrelated random numbers, to show what pairing buys;
//! then the findings of each and the [`Comparison`]. The CLI's `compare` and the Python
//! package's `compare` both run it, each with its own way of running a model's replications.

use super::Findings;
use crate::compare::{Comparison, INDEPENDENT_SEED_XOR, VariantRun, compare};
use crate::model::Model;
use crate::scenario::Overrides;
use crate::stats::summary::Accumulator;

/// What a comparison ran and found, one entry per variant in the order compared.
#[derive(Debug, Clone)]
pub struct Compared {
    /// Each variant's replications with the shared seed.
    pub results: Vec<Accumulator>,
    /// What each gave.
    pub findings: Vec<Findings>,
    /// The paired differences (`comparison.json`).
    pub comparison: Comparison,
}

/// The seed overrides of the unrelated twin of a variant whose model has `seed`.
pub fn twin_overrides(overrides: &Overrides, seed: u64) -> Overrides {
    Overrides {
        seed: Some(seed ^ INDEPENDENT_SEED_XOR),
        ..*overrides
    }
}

/// Runs a comparison of `models` (the first is the baseline): `run(model, twin)` runs one
/// model's replications (`twin` is true for the unrelated-seed runs, which a caller may run
/// quietly), and `twin_of(i, model)` builds variant `i`'s model with the seed of
/// [`twin_overrides`].
pub fn run<E>(
    models: &[Model],
    mut twin_of: impl FnMut(usize, &Model) -> Result<Model, E>,
    mut run: impl FnMut(&Model, bool) -> Result<Accumulator, E>,
) -> Result<Compared, E> {
    let mut results = Vec::with_capacity(models.len());
    let mut independent = Vec::with_capacity(models.len());
    for (i, m) in models.iter().enumerate() {
        results.push(run(m, false)?);
        independent.push(if i == 0 {
            None
        } else {
            let other = twin_of(i, m)?;
            Some(run(&other, true)?.records().to_vec())
        });
    }
    let findings: Vec<Findings> = models
        .iter()
        .zip(&results)
        .map(|(m, r)| Findings::of(m, r))
        .collect();
    let runs: Vec<VariantRun<'_>> = results
        .iter()
        .zip(&independent)
        .zip(models.iter().zip(&findings))
        .map(|((run, ind), (model, findings))| VariantRun {
            model,
            run,
            findings,
            independent: ind.as_deref(),
        })
        .collect();
    let comparison = compare(&runs);
    drop(runs);
    Ok(Compared {
        results,
        findings,
        comparison,
    })
}

//! `--charts DIR` for `run` and `compare`: every chart of `carepath-charts` written as SVG and
//! PNG, staged with the command's other result files (see `output::Outputs`) so they appear
//! together or not at all. What the charts show is described in `docs/charts.md`.
//!
//! File names come from the charts' stems. Two variants whose ids differ only in characters a
//! file name cannot hold (`v.1` and `v_1`) would give the same stem; that is refused with an
//! error naming both charts rather than letting one overwrite the other, and a stem that is
//! not a plain file name is refused too, so nothing is ever written outside DIR.

use crate::output::Outputs;
use anyhow::{Result, bail};
use carepath_charts::{Chart, VariantInput};
use sim_core::Model;
use sim_core::compare::Comparison;
use sim_core::study::Findings;
use sim_core::summary::QueueSeries;
use std::path::Path;

/// The label of a single run's variant in charts ("base" for the base scenario).
pub fn run_label(model: &Model) -> &str {
    crate::model_label(model)
}

/// Charts of one run (`carepath run --charts DIR`).
pub fn stage_run(
    files: &mut Outputs,
    dir: &Path,
    model: &Model,
    findings: &Findings,
    quiet: bool,
) -> Result<usize> {
    let input = VariantInput::new(
        run_label(model),
        model,
        &findings.summary,
        &findings.breakdown,
    )
    .with_series(&findings.series);
    stage_all(files, dir, &[input], quiet)
}

/// Charts of a comparison (`carepath compare --charts DIR`); `findings[i]` are those of
/// `models[i]` (common random numbers).
pub fn stage_comparison(
    files: &mut Outputs,
    dir: &Path,
    comparison: &Comparison,
    models: &[Model],
    findings: &[Findings],
    quiet: bool,
) -> Result<usize> {
    let series: Vec<QueueSeries> = findings.iter().map(|f| f.series.clone()).collect();
    let inputs = carepath_charts::comparison_inputs(comparison, models, Some(&series))?;
    stage_all(files, dir, &inputs, quiet)
}

/// Renders every chart and stages `<stem>.svg` and `<stem>.png` for `dir`. Charts without
/// data (queue length and utilisation over the day with sampling off) are skipped with a
/// warning. Returns the number of charts.
pub fn stage_all(
    files: &mut Outputs,
    dir: &Path,
    inputs: &[VariantInput<'_>],
    quiet: bool,
) -> Result<usize> {
    let (charts, skipped) = carepath_charts::standard_charts(inputs)?;
    for e in &skipped {
        if !quiet {
            crate::eprint_clean(&format!("warning: {e}\n"));
        }
    }
    check_stems(&charts.iter().map(Chart::file_stem).collect::<Vec<_>>())?;
    for chart in &charts {
        let stem = chart.file_stem();
        files.write(dir, &format!("{stem}.svg"), chart.svg()?.as_bytes())?;
        files.write(dir, &format!("{stem}.png"), &chart.png()?)?;
    }
    Ok(charts.len())
}

/// The line printed once the charts are in place.
pub fn wrote_line(charts: usize, dir: &Path) -> String {
    format!("wrote {charts} charts (SVG and PNG) to {}\n", dir.display())
}

/// Refuses stems that collide or are not plain file names.
fn check_stems(stems: &[&str]) -> Result<()> {
    for (i, s) in stems.iter().enumerate() {
        if s.is_empty()
            || !s
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            || s.starts_with('.')
        {
            bail!("chart file name {s:?} is not a plain file name; rename the variant");
        }
        if stems[..i].contains(s) {
            bail!(
                "two charts would both be written as {s}.svg (variant ids that differ only in \
                 characters a file name cannot hold, such as `v.1` and `v_1`); rename one of \
                 the variants"
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colliding_or_unsafe_stems_are_refused() {
        assert!(check_stems(&["queue_length_v_1", "queue_length_v_2"]).is_ok());
        let e = check_stems(&["queue_length_v_1", "queue_length_v_1"]).unwrap_err();
        assert!(e.to_string().contains("v.1"), "{e}");
        assert!(check_stems(&["../x"]).is_err());
        assert!(check_stems(&[".hidden"]).is_err());
        assert!(check_stems(&[""]).is_err());
    }
}

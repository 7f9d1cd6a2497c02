//! `--charts DIR` for `run` and `compare`: every chart of `carepath-charts` written as SVG and
//! PNG, each file atomically (see `output::write_atomic`). What the charts show is described in
//! `docs/charts.md`.

use crate::output::write_atomic;
use anyhow::{Context, Result};
use carepath_charts::{Chart, VariantInput};
use sim_core::Model;
use sim_core::compare::{Breakdown, Comparison};
use sim_core::summary::Accumulator;
use sim_core::summary::{QueueSeries, Summary};
use std::path::Path;

/// The label of a single run's variant in charts ("base" for the base scenario).
pub fn run_label(model: &Model) -> &str {
    if model.variant.is_empty() {
        "base"
    } else {
        &model.variant
    }
}

/// Charts of one run (`carepath run --charts DIR`).
pub fn write_run(
    dir: &Path,
    model: &Model,
    summary: &Summary,
    run: &Accumulator,
    quiet: bool,
) -> Result<()> {
    let breakdown: Breakdown = sim_core::compare::breakdown(model, run.records());
    let series = run.queue_series(model);
    let input =
        VariantInput::new(run_label(model), model, summary, &breakdown).with_series(&series);
    write_all(dir, &[input], quiet)
}

/// Charts of a comparison (`carepath compare --charts DIR`); `runs[i]` are the replications
/// of `models[i]` (common random numbers).
pub fn write_comparison(
    dir: &Path,
    comparison: &Comparison,
    models: &[Model],
    runs: &[Accumulator],
    quiet: bool,
) -> Result<()> {
    let series: Vec<QueueSeries> = models
        .iter()
        .zip(runs)
        .map(|(m, r)| r.queue_series(m))
        .collect();
    let inputs = carepath_charts::comparison_inputs(comparison, models, Some(&series))?;
    write_all(dir, &inputs, quiet)
}

/// Renders every chart and writes `<stem>.svg` and `<stem>.png` into `dir` (created if
/// missing). Charts without data (queue length and utilisation over the day with sampling off)
/// are skipped with a warning.
pub fn write_all(dir: &Path, inputs: &[VariantInput<'_>], quiet: bool) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating directory {}", dir.display()))?;
    let (charts, skipped) = carepath_charts::standard_charts(inputs)?;
    for e in &skipped {
        if !quiet {
            eprintln!("warning: {e}");
        }
    }
    for chart in &charts {
        write_chart(dir, chart)
            .with_context(|| format!("writing chart {} to {}", chart.file_stem(), dir.display()))?;
    }
    if !quiet {
        println!(
            "wrote {} charts (SVG and PNG) to {}",
            charts.len(),
            dir.display()
        );
    }
    Ok(())
}

fn write_chart(dir: &Path, chart: &Chart) -> Result<()> {
    let svg = chart.svg()?;
    write_atomic(
        &dir.join(format!("{}.svg", chart.file_stem())),
        svg.as_bytes(),
    )?;
    let png = chart.png()?;
    write_atomic(&dir.join(format!("{}.png", chart.file_stem())), &png)?;
    Ok(())
}

//! A wasm32 module with two exports, run under Node by `run.mjs` with every JavaScript import
//! replaced by a function that throws:
//!
//! * `render()` runs the workflow fixture (two variants, 3 replications) and renders every chart
//!   to SVG; it must succeed, proving that no chart touches the DOM (plotters' text measurement
//!   on wasm32 would call `window()`).
//! * `control()` asks plotters' own font layer for a text size; it must fail, proving that the
//!   stubs do catch DOM access.

/// Renders every chart; returns the total SVG length in bytes.
#[unsafe(no_mangle)]
pub extern "C" fn render() -> u32 {
    let text = include_str!("../../../tests/fixtures/workflow/clinic.toml");
    let mut models = Vec::new();
    for v in ["paper", "digital"] {
        let mut m = sim_core::Model::from_toml_variant(text, Some(v)).expect("fixture builds");
        m.replications = 3;
        models.push(m);
    }
    let results: Vec<Vec<_>> = models
        .iter()
        .map(|m| {
            (0..m.replications)
                .map(|r| sim_core::run_replication(m, r))
                .collect()
        })
        .collect();
    let summaries: Vec<_> = models
        .iter()
        .zip(&results)
        .map(|(m, r)| sim_core::summary::Accumulator::from_results(m, r).summary(m))
        .collect();
    let breakdowns: Vec<_> = models
        .iter()
        .zip(&results)
        .map(|(m, r)| sim_core::compare::breakdown(m, r))
        .collect();
    let series: Vec<_> = models
        .iter()
        .zip(&results)
        .map(|(m, r)| sim_core::summary::Accumulator::from_results(m, r).queue_series(m))
        .collect();
    let inputs: Vec<_> = (0..models.len())
        .map(|i| {
            carepath_charts::VariantInput::new(
                &models[i].variant,
                &models[i],
                &summaries[i],
                &breakdowns[i],
            )
            .with_series(&series[i])
        })
        .collect();
    let (charts, _) = carepath_charts::standard_charts(&inputs).expect("charts");
    charts
        .iter()
        .map(|c| c.svg().expect("svg").len() as u32)
        .sum()
}

/// plotters' own text measurement (the DOM on wasm32): must fail under the stubs.
#[unsafe(no_mangle)]
pub extern "C" fn control() -> u32 {
    use plotters::style::{FontDesc, FontFamily, FontStyle};
    FontDesc::new(FontFamily::SansSerif, 12.0, FontStyle::Normal)
        .box_size("x")
        .map_or(0, |(w, _)| w)
}

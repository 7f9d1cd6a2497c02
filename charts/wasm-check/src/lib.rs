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
    let scenario = sim_core::Scenario::parse(text).expect("fixture parses");
    let three = sim_core::scenario::Overrides {
        replications: Some(3),
        ..Default::default()
    };
    let models: Vec<sim_core::Model> = ["paper", "digital"]
        .iter()
        .map(|v| {
            scenario
                .model_with(Some(v), &three)
                .expect("fixture builds")
        })
        .collect();
    let findings: Vec<sim_core::study::Findings> = models
        .iter()
        .map(|m| {
            let mut study = sim_core::Study::new(m);
            study.run().expect("replications run");
            study.findings()
        })
        .collect();
    let inputs: Vec<_> = models
        .iter()
        .zip(&findings)
        .map(|(m, f)| {
            carepath_charts::VariantInput::new(m.variant(), m, &f.summary, &f.breakdown)
                .with_series(&f.series)
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

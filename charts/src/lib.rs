//! CarePath's charts: the pictures behind `carepath run --charts`, `carepath compare --charts`
//! and `carepath report`, written once for every target.
//!
//! Inputs are sim-core's public result types — [`sim_core::Summary`],
//! [`sim_core::summary::QueueSeries`], [`sim_core::compare::Breakdown`] (or a whole
//! [`sim_core::compare::Comparison`]) and the [`sim_core::Model`] each variant ran — gathered
//! per variant in a [`VariantInput`]. Each chart is a [`Chart`] value that renders to SVG on
//! every target ([`Chart::svg`]) and to PNG on native targets with the `png` feature
//! ([`Chart::png`]).
//!
//! | chart | constructor | file stem |
//! |---|---|---|
//! | where the time goes (stacked bars per variant) | [`Chart::time_breakdown`] | `time_breakdown` |
//! | time in system: empirical CDF per variant, p50 and p90 marked | [`Chart::time_in_system`] | `time_in_system` |
//! | queue length over the day per station, one chart per variant | [`Chart::queue_length`] | `queue_length[_VARIANT]` |
//! | utilisation per station with the 85% line | [`Chart::utilisation`] | `utilisation` |
//! | utilisation by interval over the day per station, one chart per variant | [`Chart::utilisation_by_interval`] | `utilisation_by_interval[_VARIANT]` |
//! | mean wait per station with 95% CIs | [`Chart::waits`] | `waits` |
//! | utilisation per shared resource with the 85% line (`[[resources]]`) | [`Chart::resource_utilisation`] | `resource_utilisation` |
//! | patient-hours waited and staff-hours of overtime per day (runs of several days) | [`Chart::by_day`] | `by_day` |
//! | `carepath fit`: histogram with the best fits' densities | [`Chart::fit_density`] | `fit_density` |
//! | `carepath fit`: Q-Q plot of the best fits | [`Chart::fit_qq`] | `fit_qq` |
//! | `carepath sweep`: a metric across the sweep, a line per variant (and value of the other varying parameters) with 95% bands | [`Chart::sweep`] | `sweep_METRIC` |
//! | `carepath sweep`: a metric over two varying parameters, a heatmap cell per point, those clearing a target outlined | [`Chart::sweep_heatmap`] | `sweep_heatmap_METRIC[_VARIANT]` |
//! | warm-up (Welch's method): the averaged series, its moving average and the MSER-5 truncation | [`Chart::warmup`] | `warmup` |
//!
//! [`standard_charts`] makes the ones of a run or comparison at once (not the `fit`, sweep and
//! warm-up charts, which have inputs of their own: [`SweepInput`], [`WarmupInput`]).
//!
//! # No platform text measurement
//!
//! Text is measured with `ab_glyph` on an embedded copy of DejaVu Sans ([`font`]), through a
//! backend wrapper ([`backend::Measured`]) that replaces plotters' platform measurement (the
//! browser DOM on wasm32). Chart code therefore needs no system fonts natively and no DOM in
//! the browser, so it runs in a Web Worker.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let model = sim_core::Model::from_toml(r#"
//! [scenario]
//! name = "desk"
//! [run]
//! open = "08:00"
//! close = "10:00"
//! replications = 3
//! [[stations]]
//! id = "desk"
//! servers = 1
//! service = { dist = "exponential", mean = "3min" }
//! [[arrivals]]
//! id = "walk_in"
//! kind = "poisson"
//! rate = "15/h"
//! pathway = "visit"
//! [[pathways]]
//! id = "visit"
//! steps = [{ id = "desk", station = "desk", next = "exit" }]
//! "#)?;
//! let mut study = sim_core::Study::new(&model);
//! study.run()?;
//! let f = study.findings();
//! let input = carepath_charts::VariantInput::new("base", &model, &f.summary, &f.breakdown)
//!     .with_series(&f.series);
//! let chart = carepath_charts::Chart::waits(&[input])?;
//! let svg = chart.svg()?;
//! assert!(svg.contains("Waiting time per station"));
//! # Ok(()) }
//! ```

pub mod backend;
mod chart;
pub mod diagram;
mod error;
pub mod font;
mod input;
mod layout;
pub mod report;
pub mod style;

pub use chart::{
    Chart, ChartKind, JourneyInput, MAX_JOURNEYS, MAX_LINES, SweepInput, WarmupInput,
    standard_charts,
};
pub use error::ChartError;
pub use input::{VariantInput, comparison_inputs};

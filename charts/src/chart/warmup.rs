//! The warm-up chart (Welch's method): a series averaged across replications, bin by bin, as a
//! thin light line, its moving average as a bold line, and where MSER-5 puts the end of the
//! warm-up as a dashed vertical line. The x axis is clock time, as on the queue-length chart.

use super::{Context, Y_DESC_SPACE, format_number, nice_max};
use crate::ChartError;
use crate::font::text_width;
use crate::layout::{Area, Frame, LegendEntry, MARGIN, Swatch};
use crate::style::{self, BLUE, INK, SKY_BLUE, VERMILLION};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters_backend::DrawingBackend;
use sim_core::scenario::units::format_clock;

/// A warm-up analysis, as the Welch chart needs it.
#[derive(Debug, Clone, Copy)]
pub struct WarmupInput<'a> {
    /// Scenario name (subtitle).
    pub scenario: &'a str,
    /// Replications averaged (subtitle and legend).
    pub replications: u32,
    /// What the series measures, e.g. "patients waiting (all stations)".
    pub measure: &'a str,
    /// Clock minutes of the first bin's start.
    pub start_min: f64,
    /// The bin width in minutes.
    pub interval_min: f64,
    /// The series averaged across replications (one value per bin).
    pub means: &'a [f64],
    /// Welch's moving average of `means` (same length).
    pub smoothed: &'a [f64],
    /// Moving-average half-window w (bins).
    pub window: usize,
    /// Bin index where the warm-up ends (MSER-5), if found.
    pub truncation: Option<usize>,
}

/// Height of the plot (pixels), with the strip above it for the truncation's label.
const PLOT_H: i32 = 440;
/// Room above the plot for the truncation's label.
const LABEL_STRIP: i32 = 30;
/// Width of the averaged series' line.
pub(super) const MEAN_W: u32 = 1;
/// Width of the moving average's line.
pub(super) const SMOOTH_W: u32 = 3;

/// Prepared data.
#[derive(Debug, Clone)]
pub(crate) struct Data {
    pub frame: Frame,
    y_desc: String,
    /// First bin's start and the bin width (hours after midnight).
    start_h: f64,
    step_h: f64,
    means: Vec<f64>,
    smoothed: Vec<f64>,
    /// Where the warm-up ends (hours after midnight) and its label.
    truncation: Option<(f64, String)>,
    /// The axis runs past midnight.
    past_midnight: bool,
}

impl Data {
    pub fn new(input: &WarmupInput<'_>) -> Result<Data, ChartError> {
        let no_data = |reason: String| ChartError::NoData {
            chart: "warm-up",
            reason,
        };
        let n = input.means.len();
        if n < 2 {
            return Err(no_data(format!(
                "the series has {n} bins; at least two are needed"
            )));
        }
        if input.smoothed.len() != n {
            return Err(no_data(format!(
                "the moving average has {} values for {n} bins",
                input.smoothed.len()
            )));
        }
        let width_ok = input.interval_min > 0.0 && input.interval_min.is_finite();
        if !(width_ok && input.start_min.is_finite()) {
            return Err(no_data(
                "the bins have no positive width or no start".into(),
            ));
        }
        if let Some(t) = input.truncation.filter(|&t| t >= n) {
            return Err(no_data(format!(
                "the warm-up ends at bin {t}, past the series' {n} bins"
            )));
        }
        if !input.means.iter().any(|v| v.is_finite()) {
            return Err(no_data("the series has no finite value".into()));
        }
        let ctx = Context {
            scenario: input.scenario.to_string(),
            replications: input.replications,
        };
        let start_h = input.start_min / 60.0;
        let step_h = input.interval_min / 60.0;
        let truncation = input.truncation.map(|t| {
            let min = input.start_min + input.interval_min * t as f64;
            (
                min / 60.0,
                format!("warm-up ends {} (MSER-5)", format_clock(min)),
            )
        });
        let mut legend = vec![
            LegendEntry::new(
                Swatch::Line(SKY_BLUE, MEAN_W + 1),
                format!("mean of {}", ctx.reps()),
            ),
            LegendEntry::new(
                Swatch::Line(BLUE, SMOOTH_W),
                format!("Welch moving average (w = {})", input.window),
            ),
        ];
        if truncation.is_some() {
            legend.push(LegendEntry::new(
                Swatch::Dashed(VERMILLION),
                "end of the warm-up (MSER-5)",
            ));
        }
        let mut notes = vec![format!(
            "Bins of {} min from {}; the moving average at each bin is the mean of the {} bins \
             around it (fewer near either end).",
            format_number(input.interval_min),
            format_clock(input.start_min),
            2 * input.window + 1
        )];
        match input.truncation {
            Some(_) => notes.push(
                "MSER-5 puts the end of the warm-up where leaving out the bins before it makes \
                 the standard error of the rest's mean smallest; results from then on carry \
                 little of the start-up bias."
                    .to_string(),
            ),
            None => notes.push(
                "MSER-5 found no end of the warm-up: the series may not settle within the run \
                 (run it longer, or check that the system is stable)."
                    .to_string(),
            ),
        }
        let end_min = input.start_min + input.interval_min * n as f64;
        Ok(Data {
            frame: Frame {
                title: "Warm-up (Welch's method)".into(),
                subtitle: format!(
                    "{}: {}, mean across {} in bins of {} min, and its moving average",
                    ctx.scenario,
                    input.measure,
                    ctx.reps(),
                    format_number(input.interval_min)
                ),
                legend,
                notes,
            },
            y_desc: input.measure.to_string(),
            start_h,
            step_h,
            means: input.means.to_vec(),
            smoothed: input.smoothed.to_vec(),
            truncation,
            past_midnight: end_min > 24.0 * 60.0,
        })
    }

    pub fn height(&self) -> u32 {
        let w = super::WIDTH as i32;
        (self.frame.header_height(w) + self.frame.footer_height(w) + PLOT_H + LABEL_STRIP) as u32
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        let plot = self.frame.draw(root)?;
        let n = self.means.len();
        let end_h = self.start_h + self.step_h * n as f64;
        let finite = self
            .means
            .iter()
            .chain(&self.smoothed)
            .copied()
            .filter(|v| v.is_finite());
        let top = finite.clone().fold(0.0f64, f64::max);
        let low = finite.fold(0.0f64, f64::min);
        let ymax = nice_max(top * 1.1, 1.0);
        let ymin = if low < 0.0 {
            -nice_max(-low * 1.1, 1e-9)
        } else {
            0.0
        };
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(MARGIN - 10)
            .margin_right(MARGIN + 10)
            .margin_top(10 + LABEL_STRIP)
            .x_label_area_size(58)
            .y_label_area_size(54 + Y_DESC_SPACE)
            .build_cartesian_2d(self.start_h..end_h, ymin..ymax)?;
        chart
            .configure_mesh()
            .x_labels(10)
            .y_labels(8)
            .x_label_formatter(&|h| format_clock(h * 60.0))
            .y_label_formatter(&|v| format_number(*v))
            .label_style(style::text(style::TICK, INK))
            .axis_desc_style(style::text(style::AXIS, INK))
            .x_desc(if self.past_midnight {
                "clock time (HH:MM, hours counted on past midnight)"
            } else {
                "time of day (HH:MM)"
            })
            .y_desc(self.y_desc.as_str())
            .bold_line_style(style::GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(INK.stroke_width(1))
            .draw()?;
        // Each bin's value at its midpoint; runs of finite values, broken between.
        let t = |k: usize| self.start_h + self.step_h * (k as f64 + 0.5);
        for (series, colour, width) in [
            (&self.means, SKY_BLUE, MEAN_W),
            (&self.smoothed, BLUE, SMOOTH_W),
        ] {
            let mut k = 0;
            while k < series.len() {
                if !series[k].is_finite() {
                    k += 1;
                    continue;
                }
                let first = k;
                while k < series.len() && series[k].is_finite() {
                    k += 1;
                }
                if k - first == 1 {
                    let p = chart.backend_coord(&(t(first), series[first]));
                    root.draw(&Circle::new(p, 2 + width as i32 / 2, colour.filled()))?;
                    continue;
                }
                chart.draw_series(LineSeries::new(
                    (first..k).map(|j| (t(j), series[j])),
                    colour.stroke_width(width),
                ))?;
            }
        }
        if let Some((h, label)) = &self.truncation {
            let (x, y_bottom) = chart.backend_coord(&(*h, ymin));
            let (x_end, y_top) = chart.backend_coord(&(end_h, ymax));
            let (x_start, _) = chart.backend_coord(&(self.start_h, ymax));
            let label_top = y_top - LABEL_STRIP + 4;
            let mut y = y_bottom;
            while y > label_top + style::VALUE as i32 {
                let end = (y - 6).max(label_top + style::VALUE as i32);
                root.draw(&PathElement::new(
                    vec![(x, y), (x, end)],
                    VERMILLION.stroke_width(2),
                ))?;
                y -= 10;
            }
            // Right of the line, or left of it near the right edge.
            let w = text_width(label, style::VALUE);
            let (tx, anchor) = if x + 4 + w <= x_end {
                ((x + 4).max(x_start), HPos::Left)
            } else {
                (x - 4, HPos::Right)
            };
            root.draw(&Text::new(
                label.clone(),
                (tx, label_top),
                style::anchored(style::VALUE, VERMILLION, anchor, VPos::Top),
            ))?;
        }
        Ok(())
    }
}

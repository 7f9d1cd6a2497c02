//! Time in system per variant: the empirical distribution function (CDF) of completed
//! patients' time from arrival to leaving, pooled over the replications, one line per variant,
//! with the median (p50) and the 90th percentile (p90) marked on each line. The mean with its
//! 95% confidence interval over replications is written in a footnote per variant.

use super::{Context, Y_DESC_SPACE, format_number, nice_max};
use crate::layout::{Area, Frame, LegendEntry, MARGIN, Marker, Swatch, marker};
use crate::style::{self, INK, variant_colour};
use crate::{ChartError, VariantInput};
use plotters::prelude::*;
use plotters_backend::DrawingBackend;

#[derive(Debug, Clone)]
struct Line {
    /// (minutes, share of patients 0–1), sorted by share; empty without completed patients.
    points: Vec<(f64, f64)>,
    /// Median and 90th percentile (minutes), read from the line.
    p50: f64,
    p90: f64,
}

/// Prepared data.
#[derive(Debug, Clone)]
pub(crate) struct Data {
    pub frame: Frame,
    lines: Vec<Line>,
}

/// Height of the plot (pixels).
const PLOT_H: i32 = 440;
/// Width of the CDF lines.
const LINE_W: u32 = 3;

/// Minutes at probability `p` on a line (linear interpolation between grid points).
fn quantile(points: &[(f64, f64)], p: f64) -> f64 {
    for w in points.windows(2) {
        let ((x0, p0), (x1, p1)) = (w[0], w[1]);
        if p >= p0 - 1e-12 && p <= p1 + 1e-12 {
            if p1 - p0 < 1e-12 {
                return x0;
            }
            return x0 + (x1 - x0) * (p - p0) / (p1 - p0);
        }
    }
    points.last().map_or(0.0, |q| q.0)
}

impl Data {
    pub fn new(ctx: Context, inputs: &[VariantInput<'_>]) -> Data {
        let lines: Vec<Line> = inputs
            .iter()
            .map(|v| {
                let t = &v.summary.time_in_system_min;
                let mut points: Vec<(f64, f64)> = if t.observations == 0 {
                    Vec::new()
                } else {
                    v.summary
                        .time_in_system_distribution
                        .iter()
                        .filter(|[p, m]| p.is_finite() && m.is_finite())
                        .map(|&[p, m]| (m, p))
                        .collect()
                };
                points.sort_by(|a, b| a.1.total_cmp(&b.1));
                if points.len() < 2 {
                    points.clear();
                }
                Line {
                    p50: quantile(&points, 0.5),
                    p90: quantile(&points, 0.9),
                    points,
                }
            })
            .collect();
        let mut legend: Vec<LegendEntry> = inputs
            .iter()
            .enumerate()
            .map(|(i, v)| LegendEntry::new(Swatch::Line(variant_colour(i), LINE_W), v.label))
            .collect();
        legend.push(LegendEntry::new(
            Swatch::Point(Marker::Circle, INK),
            "median (p50)",
        ));
        legend.push(LegendEntry::new(
            Swatch::Point(Marker::Triangle, INK),
            "90th percentile (p90)",
        ));
        let mut notes = vec![
            "Share of completed patients (pooled over the replications) whose time from arrival \
             to leaving was at most the given number of minutes; markers in each line's colour."
                .to_string(),
        ];
        for (v, line) in inputs.iter().zip(&lines) {
            let t = &v.summary.time_in_system_min;
            if line.points.is_empty() {
                notes.push(format!("{}: no completed patients.", v.label));
                continue;
            }
            let ci = match t.ci95_low.zip(t.ci95_high) {
                Some((lo, hi)) => format!(" (95% CI {:.0}–{:.0})", lo, hi),
                None => " (no CI with a single replication)".into(),
            };
            notes.push(format!(
                "{}: p50 {:.0} min, p90 {:.0} min, mean {:.0} min{ci}.",
                v.label, line.p50, line.p90, t.mean
            ));
        }
        Data {
            frame: Frame {
                title: "Time in system".into(),
                subtitle: format!(
                    "{}: distribution of minutes from arrival to leaving, completed patients \
                     ({})",
                    ctx.scenario,
                    ctx.reps()
                ),
                legend,
                notes,
            },
            lines,
        }
    }

    pub fn height(&self) -> u32 {
        let w = super::WIDTH as i32;
        (self.frame.header_height(w) + self.frame.footer_height(w) + PLOT_H) as u32
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        let plot = self.frame.draw(root)?;
        let top = self
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.0))
            .fold(0.0f64, f64::max);
        let xmax = nice_max(top * 1.02, 1.0);
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(MARGIN - 10)
            .margin_right(MARGIN + 10)
            .margin_top(10)
            .x_label_area_size(58)
            .y_label_area_size(54 + Y_DESC_SPACE)
            .build_cartesian_2d(0.0..xmax, 0.0..100.0)?;
        chart
            .configure_mesh()
            .x_labels(10)
            .y_labels(11)
            .x_label_formatter(&|v| format_number(*v))
            .y_label_formatter(&|v| format!("{}%", format_number(*v)))
            .label_style(style::text(style::TICK, INK))
            .axis_desc_style(style::text(style::AXIS, INK))
            .x_desc("time in system (minutes)")
            .y_desc("share of patients (%)")
            .bold_line_style(style::GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(INK.stroke_width(1))
            .draw()?;
        for (i, line) in self.lines.iter().enumerate() {
            if line.points.is_empty() {
                continue;
            }
            let colour = variant_colour(i);
            chart.draw_series(LineSeries::new(
                line.points.iter().map(|&(m, p)| (m, p * 100.0)),
                colour.stroke_width(LINE_W),
            ))?;
        }
        // Markers after every line, so that no line covers them.
        for (i, line) in self.lines.iter().enumerate() {
            if line.points.is_empty() {
                continue;
            }
            let colour = variant_colour(i);
            let at = |m: f64, p: f64| chart.backend_coord(&(m, p));
            marker(root, Marker::Circle, colour, at(line.p50, 50.0), 7)?;
            marker(root, Marker::Triangle, colour, at(line.p90, 90.0), 7)?;
        }
        Ok(())
    }
}

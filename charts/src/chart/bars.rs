//! Grouped bars per station, variants side by side, with 95% confidence-interval whiskers:
//! utilisation (with the 85% line) and mean waits.

use super::{Context, Y_DESC_SPACE, finite, format_number, nice_max};
use crate::font::text_width;
use crate::layout::{Area, Frame, LegendEntry, MARGIN, Swatch, ellipsize, whisker_v, wrap};
use crate::style::{self, INK, variant_colour};
use crate::{ChartError, VariantInput};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters_backend::DrawingBackend;

/// One bar: mean and optional 95% interval.
#[derive(Debug, Clone, Copy)]
struct Bar {
    mean: f64,
    ci: Option<(f64, f64)>,
}

/// Prepared data.
#[derive(Debug, Clone)]
pub(crate) struct Data {
    pub frame: Frame,
    stations: Vec<String>,
    variants: Vec<String>,
    /// `bars[station][variant]` (None: the variant has no such station).
    bars: Vec<Vec<Option<Bar>>>,
    y_desc: String,
    /// Values are shown ×100 with a % sign.
    percent: bool,
    /// A reference line: (value, label).
    threshold: Option<(f64, String)>,
}

/// Most lines a station name is wrapped onto (the last is ellipsized if needed).
const NAME_LINES: usize = 3;
/// Height of the plot (pixels).
const PLOT_H: i32 = 430;
/// Utilisation above which a station is considered overloaded (drawn as a line).
pub(crate) const UTILISATION_LINE: f64 = 0.85;

impl Data {
    fn new(
        inputs: &[VariantInput<'_>],
        frame: Frame,
        y_desc: &str,
        percent: bool,
        pick: fn(&sim_core::summary::StationSummary) -> Bar,
    ) -> Data {
        let stations = super::stations(inputs);
        let bars = stations
            .iter()
            .map(|(id, _)| {
                inputs
                    .iter()
                    .map(|v| v.summary.stations.get(id).map(pick))
                    .collect()
            })
            .collect();
        Data {
            frame,
            stations: stations.into_iter().map(|(_, name)| name).collect(),
            variants: inputs.iter().map(|v| v.label.to_string()).collect(),
            bars,
            y_desc: y_desc.into(),
            percent,
            threshold: None,
        }
    }

    fn legend(inputs: &[VariantInput<'_>]) -> Vec<LegendEntry> {
        let mut legend: Vec<LegendEntry> = inputs
            .iter()
            .enumerate()
            .map(|(i, v)| LegendEntry::new(Swatch::Fill(variant_colour(i)), v.label))
            .collect();
        legend.push(LegendEntry::new(
            Swatch::Whisker(INK),
            "95% confidence interval",
        ));
        legend
    }

    fn ci_note(inputs: &[VariantInput<'_>], notes: &mut Vec<String>) {
        if inputs.iter().any(|v| v.summary.replications < 2) {
            notes.push("No confidence interval with a single replication.".into());
        }
    }

    pub fn utilisation(ctx: Context, inputs: &[VariantInput<'_>]) -> Data {
        let mut legend = Self::legend(inputs);
        legend.push(LegendEntry::new(
            Swatch::Dashed(INK),
            format!(
                "{:.0}% line (above it, queues grow quickly)",
                UTILISATION_LINE * 100.0
            ),
        ));
        let mut notes = vec![
            "Utilisation = busy server time ÷ on-shift server time over the whole observation \
             window; the utilisation-over-the-day charts show it by interval."
                .to_string(),
        ];
        Self::ci_note(inputs, &mut notes);
        let frame = Frame {
            title: "Utilisation per station".into(),
            subtitle: format!(
                "{}: share of on-shift server time spent serving, mean over {}",
                ctx.scenario,
                ctx.reps()
            ),
            legend,
            notes,
        };
        let mut d = Data::new(inputs, frame, "utilisation (%)", true, |s| Bar {
            mean: finite(s.utilization.mean),
            ci: s.utilization.ci95_low.zip(s.utilization.ci95_high),
        });
        d.threshold = Some((
            UTILISATION_LINE,
            format!("{:.0}%", UTILISATION_LINE * 100.0),
        ));
        d
    }

    pub fn waits(ctx: Context, inputs: &[VariantInput<'_>]) -> Data {
        let mut notes = vec![
            "Wait = time in the queue before service starts, averaged over the visits to the \
             station (patients served without queueing count as zero)."
                .to_string(),
        ];
        Self::ci_note(inputs, &mut notes);
        let frame = Frame {
            title: "Waiting time per station".into(),
            subtitle: format!(
                "{}: mean wait before service, mean over {}",
                ctx.scenario,
                ctx.reps()
            ),
            legend: Self::legend(inputs),
            notes,
        };
        Data::new(inputs, frame, "mean wait (minutes)", false, |s| Bar {
            mean: finite(s.wait_min.mean),
            ci: s.wait_min.ci95_low.zip(s.wait_min.ci95_high),
        })
    }

    pub fn height(&self) -> u32 {
        let w = super::WIDTH as i32;
        (self.frame.header_height(w) + self.frame.footer_height(w) + PLOT_H) as u32
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        let plot = self.frame.draw(root)?;
        let scale = if self.percent { 100.0 } else { 1.0 };
        let top = self
            .bars
            .iter()
            .flatten()
            .flatten()
            .map(|b| b.mean.max(b.ci.map_or(0.0, |c| c.1)))
            .fold(0.0f64, f64::max)
            .max(self.threshold.as_ref().map_or(0.0, |t| t.0));
        // Percentages end at 100% unless something exceeds it; value labels above the tallest
        // bars go into the headroom above the plot (margin_top).
        let ymax = if self.percent && top <= 1.0 {
            100.0
        } else {
            nice_max(top * scale * 1.1, 1.0)
        };
        let n = self.stations.len().max(1);
        // Station names wrap onto up to three lines within their slot (computed here from the
        // layout, before the chart is built, to size the label area).
        let y_area = 54 + Y_DESC_SPACE;
        let margin_right = if self.threshold.is_some() { 56 } else { MARGIN };
        let plot_w = plot.dim_in_pixel().0 as i32 - (MARGIN - 10) - margin_right - y_area;
        let slot_w = plot_w / n as i32;
        let names: Vec<Vec<String>> = self
            .stations
            .iter()
            .map(|name| {
                let mut lines = wrap(name, style::TICK, slot_w - 10);
                if lines.len() > NAME_LINES {
                    lines[NAME_LINES - 1] = lines[NAME_LINES - 1..].join(" ");
                    lines.truncate(NAME_LINES);
                }
                lines
                    .iter()
                    .map(|l| ellipsize(l, style::TICK, slot_w - 10))
                    .collect()
            })
            .collect();
        let name_lines = names.iter().map(|l| l.len().max(1)).max().unwrap_or(1) as i32;
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(MARGIN - 10)
            .margin_right(margin_right)
            .margin_top(26)
            .x_label_area_size(42 + name_lines * (style::TICK as i32 + 2))
            .y_label_area_size(y_area)
            .build_cartesian_2d(0.0..n as f64, 0.0..ymax)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(8)
            .y_label_formatter(&|v| format_number(*v))
            .label_style(style::text(style::TICK, INK))
            .axis_desc_style(style::text(style::AXIS, INK))
            .x_desc("station")
            .y_desc(self.y_desc.as_str())
            .bold_line_style(style::GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(INK.stroke_width(1))
            .draw()?;
        let k = self.variants.len().max(1) as f64;
        // Share of each station's slot used by its bars (narrower groups for few variants).
        let group = (0.2 + 0.2 * k).min(0.8);
        let bar_w = group / k;
        let value_label = |b: &Bar| {
            if self.percent {
                format!("{:.0}%", b.mean * 100.0)
            } else {
                format!("{:.1}", b.mean)
            }
        };
        // Values above the bars only if every one of them fits inside its bar's width (all or
        // nothing, so that no bar looks special).
        let bar_px = {
            let (a, _) = chart.backend_coord(&(0.0, 0.0));
            let (b, _) = chart.backend_coord(&(bar_w, 0.0));
            b - a
        };
        let show_values = self
            .bars
            .iter()
            .flatten()
            .flatten()
            .all(|b| text_width(&value_label(b), style::VALUE) + 6 <= bar_px);
        for (s, row) in self.bars.iter().enumerate() {
            for (v, bar) in row.iter().enumerate() {
                let Some(bar) = bar else { continue };
                let x0 = s as f64 + (1.0 - group) / 2.0 + bar_w * v as f64;
                let x1 = x0 + bar_w;
                let colour = variant_colour(v);
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x0, 0.0), (x1, bar.mean * scale)],
                    colour.filled(),
                )))?;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x0, 0.0), (x1, bar.mean * scale)],
                    WHITE.stroke_width(1),
                )))?;
                let (px0, _) = chart.backend_coord(&(x0, 0.0));
                let (px1, _) = chart.backend_coord(&(x1, 0.0));
                let cx = (px0 + px1) / 2;
                let mut label_y = chart.backend_coord(&(x0, bar.mean * scale)).1;
                if let Some((lo, hi)) = bar.ci {
                    let (_, y_lo) = chart.backend_coord(&(x0, lo.max(0.0) * scale));
                    let (_, y_hi) = chart.backend_coord(&(x0, hi * scale));
                    let cap = ((px1 - px0) / 4).clamp(2, 6);
                    whisker_v(root, INK, cx, y_hi, y_lo, cap)?;
                    label_y = label_y.min(y_hi);
                }
                if show_values {
                    root.draw(&Text::new(
                        value_label(bar),
                        (cx, label_y - 4),
                        style::anchored(style::VALUE, INK, HPos::Center, VPos::Bottom),
                    ))?;
                }
            }
        }
        if let Some((value, label)) = &self.threshold {
            let y = value * scale;
            chart.draw_series(DashedLineSeries::new(
                vec![(0.0, y), (n as f64, y)],
                8,
                5,
                INK.stroke_width(2),
            ))?;
            let (x, py) = chart.backend_coord(&(n as f64, y));
            root.draw(&Text::new(
                label.clone(),
                (x + 6, py),
                style::anchored(style::VALUE, INK, HPos::Left, VPos::Center),
            ))?;
        }
        // Station names under each group.
        for (s, lines) in names.iter().enumerate() {
            let (cx, y) = chart.backend_coord(&(s as f64 + 0.5, 0.0));
            for (i, line) in lines.iter().enumerate() {
                root.draw(&Text::new(
                    line.clone(),
                    (cx, y + 8 + i as i32 * (style::TICK as i32 + 2)),
                    style::anchored(style::TICK, INK, HPos::Center, VPos::Top),
                ))?;
            }
        }
        Ok(())
    }
}

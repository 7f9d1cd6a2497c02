//! Grouped bars per station (or shared resource), variants side by side, with 95%
//! confidence-interval whiskers: utilisation (with the 85% line), mean waits, and the shared
//! resources' utilisation.

use super::{Context, Y_DESC_SPACE, finite, format_number, nice_max};
use crate::font::text_width;
use crate::layout::{Area, Frame, LegendEntry, MARGIN, Swatch, whisker_v, wrap_breaking};
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
    /// What the groups are ("station", "resource").
    x_desc: String,
    /// Values are shown ×100 with a % sign.
    percent: bool,
    /// A reference line: (value, label).
    threshold: Option<(f64, String)>,
    /// The label under each station's group, one entry per line: the whole name wrapped to the
    /// group's width, or the station's number when the names are listed in a footnote.
    names: Vec<Vec<String>>,
}

/// Most lines a station name is wrapped onto under its group. Names that need more are not
/// cut: the groups are numbered and a footnote gives every number's full name.
const NAME_LINES: usize = 5;
/// Name lines the plot height already leaves room for.
const BASE_NAME_LINES: usize = 3;
/// Height of one line of a station name.
const NAME_ROW: i32 = style::TICK as i32 + 2;
/// Height of the plot with up to three lines of station names (pixels).
const PLOT_H: i32 = 430;
/// Width of the y-axis labels plus the axis description.
const Y_AREA: i32 = 54 + Y_DESC_SPACE;
/// Utilisation above which a station is considered overloaded (drawn as a line).
pub(crate) const UTILISATION_LINE: f64 = 0.85;

impl Data {
    /// Bars for each station, `pick`ed from its summary.
    fn new(
        inputs: &[VariantInput<'_>],
        frame: Frame,
        y_desc: &str,
        percent: bool,
        threshold: Option<(f64, String)>,
        pick: fn(&sim_core::summary::StationSummary) -> Bar,
    ) -> Data {
        Self::of_groups(
            inputs,
            super::stations(inputs),
            "station",
            frame,
            y_desc,
            percent,
            threshold,
            &|v, id| v.summary.stations.get(id).map(pick),
        )
    }

    /// Bars for each of `groups` (id, name), `pick`ed from a variant by id; `noun` (singular,
    /// lower case) names the groups on the axis and in the footnote that numbers them when
    /// their names do not fit.
    #[allow(clippy::too_many_arguments)]
    fn of_groups(
        inputs: &[VariantInput<'_>],
        groups: Vec<(String, String)>,
        noun: &str,
        mut frame: Frame,
        y_desc: &str,
        percent: bool,
        threshold: Option<(f64, String)>,
        pick: &dyn Fn(&VariantInput<'_>, &str) -> Option<Bar>,
    ) -> Data {
        let stations = groups;
        let bars = stations
            .iter()
            .map(|(id, _)| inputs.iter().map(|v| pick(v, id)).collect())
            .collect();
        let stations: Vec<String> = stations.into_iter().map(|(_, name)| name).collect();
        let names = station_labels(&stations, slot_width(stations.len(), threshold.is_some()));
        if names.is_none() {
            // The key goes first among the footnotes: the numbers mean nothing without it.
            let key: Vec<String> = stations
                .iter()
                .enumerate()
                .map(|(i, name)| format!("{} = {name}", i + 1))
                .collect();
            frame
                .notes
                .insert(0, format!("{}s: {}.", capitalised(noun), key.join("; ")));
        }
        let names =
            names.unwrap_or_else(|| (1..=stations.len()).map(|i| vec![i.to_string()]).collect());
        Data {
            frame,
            stations,
            variants: inputs.iter().map(|v| v.label.to_string()).collect(),
            bars,
            y_desc: y_desc.into(),
            x_desc: noun.into(),
            percent,
            threshold,
            names,
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

    /// The variants' legend plus the 85% line's entry (both utilisation charts).
    fn utilisation_legend(inputs: &[VariantInput<'_>]) -> Vec<LegendEntry> {
        let mut legend = Self::legend(inputs);
        legend.push(LegendEntry::new(
            Swatch::Dashed(INK),
            format!(
                "{:.0}% line (above it, queues grow quickly)",
                UTILISATION_LINE * 100.0
            ),
        ));
        legend
    }

    /// The 85% reference line and its label (both utilisation charts).
    fn utilisation_line() -> Option<(f64, String)> {
        Some((
            UTILISATION_LINE,
            format!("{:.0}%", UTILISATION_LINE * 100.0),
        ))
    }

    fn ci_note(inputs: &[VariantInput<'_>], notes: &mut Vec<String>) {
        if inputs.iter().any(|v| v.summary.replications < 2) {
            notes.push("No confidence interval with a single replication.".into());
        }
    }

    pub fn utilisation(ctx: Context, inputs: &[VariantInput<'_>]) -> Data {
        let legend = Self::utilisation_legend(inputs);
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
        let threshold = Self::utilisation_line();
        Data::new(inputs, frame, "utilisation (%)", true, threshold, |s| Bar {
            mean: finite(s.utilization.mean),
            ci: s.utilization.ci95_low.zip(s.utilization.ci95_high),
        })
    }

    /// Utilisation of each shared resource (seized ÷ available unit time).
    pub fn resource_utilisation(ctx: Context, inputs: &[VariantInput<'_>]) -> Data {
        let legend = Self::utilisation_legend(inputs);
        let mut notes = vec![
            "Utilisation = unit time seized ÷ unit time available (on the rota, or busy past a \
             shift's end) over the whole observation window, summed over every station that \
             requires the resource."
                .to_string(),
        ];
        Self::ci_note(inputs, &mut notes);
        let frame = Frame {
            title: "Utilisation per shared resource".into(),
            subtitle: format!(
                "{}: share of available staff or room time in use, mean over {}",
                ctx.scenario,
                ctx.reps()
            ),
            legend,
            notes,
        };
        let threshold = Self::utilisation_line();
        Self::of_groups(
            inputs,
            super::resources(inputs),
            "resource",
            frame,
            "utilisation (%)",
            true,
            threshold,
            &|v, id| {
                v.summary.resources.get(id).map(|r| Bar {
                    mean: finite(r.utilisation.mean),
                    ci: r.utilisation.ci95_low.zip(r.utilisation.ci95_high),
                })
            },
        )
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
        Data::new(inputs, frame, "mean wait (minutes)", false, None, |s| Bar {
            mean: finite(s.wait_min.mean),
            ci: s.wait_min.ci95_low.zip(s.wait_min.ci95_high),
        })
    }

    pub fn height(&self) -> u32 {
        let w = super::WIDTH as i32;
        (self.frame.header_height(w) + self.frame.footer_height(w) + PLOT_H + self.extra_name_h())
            as u32
    }

    /// Lines of station names under the axis.
    fn name_lines(&self) -> usize {
        self.names.iter().map(|l| l.len().max(1)).max().unwrap_or(1)
    }

    /// Height added for station names of more than three lines, so the plot keeps its size.
    fn extra_name_h(&self) -> i32 {
        self.name_lines().saturating_sub(BASE_NAME_LINES) as i32 * NAME_ROW
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
        let margin_right = margin_right(self.threshold.is_some());
        let name_lines = self.name_lines() as i32;
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(MARGIN - 10)
            .margin_right(margin_right)
            .margin_top(26)
            .x_label_area_size(42 + name_lines * NAME_ROW)
            .y_label_area_size(Y_AREA)
            .build_cartesian_2d(0.0..n as f64, 0.0..ymax)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(8)
            .y_label_formatter(&|v| format_number(*v))
            .label_style(style::text(style::TICK, INK))
            .axis_desc_style(style::text(style::AXIS, INK))
            .x_desc(self.x_desc.as_str())
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
        for (s, lines) in self.names.iter().enumerate() {
            let (cx, y) = chart.backend_coord(&(s as f64 + 0.5, 0.0));
            for (i, line) in lines.iter().enumerate() {
                root.draw(&Text::new(
                    line.clone(),
                    (cx, y + 8 + i as i32 * NAME_ROW),
                    style::anchored(style::TICK, INK, HPos::Center, VPos::Top),
                ))?;
            }
        }
        Ok(())
    }
}

/// Right margin of the plot: room for the reference line's label when there is one.
fn margin_right(threshold: bool) -> i32 {
    if threshold { 56 } else { MARGIN }
}

/// Width of one station's group in pixels, from the chart's fixed layout (the plot spans the
/// chart's width; the frame only takes height).
fn slot_width(stations: usize, threshold: bool) -> i32 {
    let plot_w = super::WIDTH as i32 - (MARGIN - 10) - margin_right(threshold) - Y_AREA;
    plot_w / stations.max(1) as i32
}

/// Every station name wrapped whole onto lines that fit its group (long words broken between
/// characters), or `None` when some name would need more than [`NAME_LINES`] lines.
fn station_labels(stations: &[String], slot_w: i32) -> Option<Vec<Vec<String>>> {
    let width = slot_w - 10;
    // The numbers of the keyed layout must fit too; below that nothing helps, so wrap anyway.
    let labels: Vec<Vec<String>> = stations
        .iter()
        .map(|name| wrap_breaking(name, style::TICK, width.max(1)))
        .collect();
    let fits = labels.iter().all(|l| l.len() <= NAME_LINES);
    let keyed_fits = text_width(&stations.len().to_string(), style::TICK) <= width;
    (fits || !keyed_fits).then_some(labels)
}

/// `s` with its first letter in upper case.
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

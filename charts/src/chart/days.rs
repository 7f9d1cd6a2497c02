//! Waiting and overtime by day, for runs of several days (`Summary::by_day`): two panels on
//! one day axis, the patient-hours spent waiting each day above and the staff-hours of
//! overtime below, variants side by side in each day's group. Closed days (calendar runs) are
//! shaded and labelled; with a calendar the days are named by weekday and date.

use super::{Context, Y_DESC_SPACE, finite, format_number, nice_max};
use crate::font::text_width;
use crate::layout::{Area, Frame, LegendEntry, MARGIN, Swatch};
use crate::style::{self, INK, MUTED, OTHER_GREY, variant_colour};
use crate::{ChartError, VariantInput};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters_backend::DrawingBackend;
use sim_core::scenario::EndOfDay;
use sim_core::stats::hourly::EndOfDayCount;
use sim_core::summary::DaySummary;

/// One day on the axis.
#[derive(Debug, Clone)]
struct Day {
    /// The label under its group, one entry per line.
    lines: Vec<String>,
    /// Closed in every variant that has the day.
    closed: bool,
}

/// One panel: a measure per day and variant.
#[derive(Debug, Clone)]
struct Panel {
    /// Written above the plot.
    title: String,
    /// The y-axis description.
    y_desc: String,
    /// `values[day][variant]` (None: the variant has no such day, or is closed that day and
    /// nothing happened on it).
    values: Vec<Vec<Option<f64>>>,
    /// Height of the plot (pixels).
    height: i32,
}

/// Prepared data.
#[derive(Debug, Clone)]
pub(crate) struct Data {
    pub frame: Frame,
    days: Vec<Day>,
    variants: usize,
    /// Waiting, then overtime (left out when no variant can work any).
    panels: Vec<Panel>,
}

/// Height of the waiting panel's plot.
const WAITING_H: i32 = 290;
/// Height of the overtime panel's plot.
const OVERTIME_H: i32 = 200;
/// Room above each plot for its title.
const TITLE_H: i32 = 34;
/// Height of one line of a day's label.
const LABEL_ROW: i32 = style::TICK as i32 + 2;
/// Width of the y-axis labels plus the axis description.
const Y_AREA: i32 = 54 + Y_DESC_SPACE;
/// Gap between the waiting panel and the overtime panel's title.
const PANEL_GAP: i32 = 22;
/// Opacity of the closed days' shading.
const CLOSED_ALPHA: f64 = 0.8;

impl Data {
    pub fn new(ctx: Context, inputs: &[VariantInput<'_>]) -> Result<Data, ChartError> {
        let n = inputs
            .iter()
            .filter(|v| super::has_days(v))
            .map(|v| v.summary.by_day.len())
            .max()
            .unwrap_or(0);
        if n == 0 {
            return Err(ChartError::NoData {
                chart: "by day",
                reason: "the run has no results by day (one day only, or sampling is off)".into(),
            });
        }
        fn day_of<'a>(v: &VariantInput<'a>, d: usize) -> Option<&'a DaySummary> {
            super::has_days(v)
                .then(|| v.summary.by_day.get(d))
                .flatten()
        }
        let days: Vec<Day> = (0..n)
            .map(|d| {
                let first = inputs.iter().find_map(|v| day_of(v, d));
                Day {
                    lines: first.map_or_else(|| vec![(d + 1).to_string()], day_label),
                    closed: inputs.iter().filter_map(|v| day_of(v, d)).all(|x| x.closed),
                }
            })
            .collect();
        let values = |f: &dyn Fn(&DaySummary) -> f64| -> Vec<Vec<Option<f64>>> {
            (0..n)
                .map(|d| {
                    inputs
                        .iter()
                        .map(|v| {
                            let value =
                                day_of(v, d).map(|x| (x.closed, finite(f(x)).max(0.0) + 0.0));
                            // A closed day has a bar only for what happened on it anyway
                            // (patients carried over wait through it).
                            value
                                .filter(|&(closed, x)| !closed || x > 0.0)
                                .map(|(_, x)| x)
                        })
                        .collect()
                })
                .collect()
        };
        let rule = |v: &VariantInput<'_>| v.model.calendar().map(|c| c.end_of_day);
        // Overtime is drawn when some variant has a station or shared resource that works it.
        let works_overtime = |v: &VariantInput<'_>| {
            (0..n).filter_map(|d| day_of(v, d)).any(|d| {
                !d.closings.overtime_min.is_empty() || !d.closings.resource_overtime_min.is_empty()
            })
        };
        let mut panels = vec![Panel {
            title: "Waiting: patient-hours spent in the queues".into(),
            y_desc: "patient-hours".into(),
            values: values(&|d| d.waiting()),
            height: WAITING_H,
        }];
        if inputs.iter().any(works_overtime) {
            panels.push(Panel {
                title: "Overtime: staff-hours worked after the day's last shift".into(),
                y_desc: "staff-hours".into(),
                values: values(&|d| d.closings.overtime() / 60.0),
                height: OVERTIME_H,
            });
        }
        let mut legend: Vec<LegendEntry> = inputs
            .iter()
            .enumerate()
            .map(|(i, v)| LegendEntry::new(Swatch::Fill(variant_colour(i)), v.label))
            .collect();
        if days.iter().any(|d| d.closed) {
            legend.push(LegendEntry::new(
                Swatch::Band(OTHER_GREY, CLOSED_ALPHA),
                "clinic closed",
            ));
        }
        let overtime = panels.len() > 1;
        let mut notes =
            vec![if overtime {
            "Waiting = patient-hours spent in the queues that day, all stations together. \
             Overtime = staff-hours worked after the day's last shift: server-hours at the \
             stations plus unit-hours of shared resources. Both are means per replication; \
             the results by day have no confidence intervals."
        } else {
            "Waiting = patient-hours spent in the queues that day, all stations together, mean \
             per replication; the results by day have no confidence intervals."
        }
        .to_string()];
        let several = inputs.len() > 1;
        for v in inputs {
            let who = if several {
                format!("{}: p", v.label)
            } else {
                "P".to_string()
            };
            match rule(v) {
                Some(EndOfDay::SendHome) => notes.push(format!(
                    "{who}atients still waiting when a station's day ends are sent home unseen \
                     (end_of_day = \"send_home\"): {} per replication over the run; nobody \
                     works overtime.",
                    format_count(v.summary.patients.sent_home.mean)
                )),
                Some(EndOfDay::CarryOver) => {
                    let carried: f64 = v
                        .summary
                        .by_day
                        .iter()
                        .map(|d| d.closings.count(EndOfDayCount::CarriedOver))
                        .sum();
                    notes.push(format!(
                        "{who}atients still waiting when a station's day ends wait in its queue \
                         until it next opens (end_of_day = \"carry_over\"): {} per replication, \
                         summed over the days; their wait through the night and through closed \
                         days counts as waiting, and nobody works overtime.",
                        format_count(carried)
                    ));
                }
                _ => {}
            }
        }
        // Without overtime anywhere, say why unless every variant's end-of-day rule did.
        let explained = |v: &VariantInput<'_>| {
            matches!(rule(v), Some(EndOfDay::SendHome | EndOfDay::CarryOver))
        };
        if !overtime && !inputs.iter().all(explained) {
            notes.push(format!(
                "No station or shared resource works past its last shift in {}, so no overtime \
                 is drawn.",
                if several {
                    "these variants"
                } else {
                    "this run"
                }
            ));
        }
        Ok(Data {
            frame: Frame {
                title: "Waiting and overtime by day".into(),
                subtitle: format!(
                    "{}: patient-hours waited {}each day, mean over {}",
                    ctx.scenario,
                    if overtime {
                        "and staff-hours of overtime "
                    } else {
                        ""
                    },
                    ctx.reps()
                ),
                legend,
                notes,
            },
            days,
            variants: inputs.len(),
            panels,
        })
    }

    /// Lines of the day labels under the axis.
    fn label_lines(&self) -> i32 {
        self.days.iter().map(|d| d.lines.len()).max().unwrap_or(1) as i32
    }

    /// Height of the x-axis label area under the last panel (labels and description).
    fn x_area(&self) -> i32 {
        42 + self.label_lines() * LABEL_ROW
    }

    /// Height of panel `k` with its title (and the day labels under the last one).
    fn panel_height(&self, k: usize) -> i32 {
        let last = k + 1 == self.panels.len();
        let gap = if k == 0 { 0 } else { PANEL_GAP };
        gap + TITLE_H + self.panels[k].height + if last { self.x_area() } else { 8 }
    }

    pub fn height(&self) -> u32 {
        let w = super::WIDTH as i32;
        let panels: i32 = (0..self.panels.len()).map(|k| self.panel_height(k)).sum();
        (self.frame.header_height(w) + self.frame.footer_height(w) + panels) as u32
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        let mut rest = self.frame.draw(root)?;
        for k in 0..self.panels.len() {
            let (area, below) = rest.split_vertically(self.panel_height(k));
            self.draw_panel(root, &area, k)?;
            rest = below;
        }
        Ok(())
    }

    fn draw_panel<DB: DrawingBackend>(
        &self,
        root: &Area<DB>,
        area: &Area<DB>,
        k: usize,
    ) -> Result<(), ChartError> {
        let p = &self.panels[k];
        let last = k + 1 == self.panels.len();
        let n = self.days.len().max(1);
        let top = p
            .values
            .iter()
            .flatten()
            .flatten()
            .fold(0.0f64, |a, &b| a.max(b));
        // Headroom above the tallest bar for its value label.
        let ymax = nice_max(top * 1.15, 1.0);
        let mut chart = ChartBuilder::on(area)
            .margin_left(MARGIN - 10)
            .margin_right(MARGIN)
            .margin_top(TITLE_H + if k == 0 { 0 } else { PANEL_GAP })
            .x_label_area_size(if last { self.x_area() } else { 8 })
            .y_label_area_size(Y_AREA)
            .build_cartesian_2d(0.0..n as f64, 0.0..ymax)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(if p.height < WAITING_H { 5 } else { 7 })
            .y_label_formatter(&|v| format_number(*v))
            .label_style(style::text(style::TICK, INK))
            .axis_desc_style(style::text(style::AXIS, INK))
            .x_desc(if last { "day of the run" } else { "" })
            .y_desc(p.y_desc.as_str())
            .bold_line_style(style::GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(INK.stroke_width(1))
            .draw()?;
        // The panel's title, left-aligned with the y axis.
        let (x_left, y_top) = chart.backend_coord(&(0.0, ymax));
        root.draw(&Text::new(
            p.title.clone(),
            (x_left, y_top - TITLE_H + 6),
            style::anchored(style::AXIS, INK, HPos::Left, VPos::Top),
        ))?;
        // Pixel x of a data x (the coordinate map, apart from the chart borrowed to draw).
        let coord = chart.as_coord_spec().clone();
        let px = |x: f64| coord.translate(&(x, 0.0)).0;
        let slot_px = px(1.0) - px(0.0);
        let (_, y_bottom) = chart.backend_coord(&(0.0, 0.0));
        let v = self.variants.max(1) as f64;
        let group = (0.2 + 0.2 * v).min(0.8);
        let bar_w = group / v;
        let bar_px = px(bar_w) - px(0.0);
        let digits = if top >= 100.0 { 0 } else { 1 };
        let value_label = |x: f64| format!("{x:.digits$}");
        // Values above the bars only if every one fits its bar's width (all or nothing).
        let show_values = p
            .values
            .iter()
            .flatten()
            .flatten()
            .all(|&x| text_width(&value_label(x), style::VALUE) + 6 <= bar_px);
        let y_of = |value: f64| coord.translate(&(0.0, value)).1;
        // Closed days: shaded across the plot, "closed" written in the middle of the space
        // above any bar (patients carried over wait on closed days too) when it fits.
        for d in (0..self.days.len()).filter(|&d| self.days[d].closed) {
            let x = d as f64;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x, 0.0), (x + 1.0, ymax)],
                OTHER_GREY.mix(CLOSED_ALPHA).filled(),
            )))?;
            let label_h = if show_values {
                style::VALUE as i32 + 4
            } else {
                0
            };
            let free_bottom = p.values[d]
                .iter()
                .flatten()
                .map(|&value| y_of(value) - label_h)
                .min()
                .unwrap_or(y_bottom);
            let free = free_bottom - y_top;
            let cx = (px(x) + px(x + 1.0)) / 2;
            let cy = (y_top + free_bottom) / 2;
            let word = text_width(CLOSED, style::VALUE);
            if word + 6 <= slot_px && free >= style::VALUE as i32 + 8 {
                root.draw(&Text::new(
                    CLOSED,
                    (cx, cy),
                    style::anchored(style::VALUE, MUTED, HPos::Center, VPos::Center),
                ))?;
            } else if slot_px >= style::VALUE as i32 + 4 && free >= word + 8 {
                root.draw(&Text::new(
                    CLOSED,
                    (cx, cy),
                    style::vertical(style::VALUE, MUTED),
                ))?;
            }
        }
        for (d, row) in p.values.iter().enumerate() {
            for (i, value) in row.iter().enumerate() {
                let Some(value) = *value else { continue };
                let x0 = d as f64 + (1.0 - group) / 2.0 + bar_w * i as f64;
                let x1 = x0 + bar_w;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x0, 0.0), (x1, value)],
                    variant_colour(i).filled(),
                )))?;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x0, 0.0), (x1, value)],
                    WHITE.stroke_width(1),
                )))?;
                if show_values {
                    let (_, y) = chart.backend_coord(&(x0, value));
                    root.draw(&Text::new(
                        value_label(value),
                        ((px(x0) + px(x1)) / 2, y - 4),
                        style::anchored(style::VALUE, INK, HPos::Center, VPos::Bottom),
                    ))?;
                }
            }
        }
        if last {
            self.draw_day_labels(root, slot_px, &|d| px(d as f64 + 0.5), y_bottom)?;
        }
        Ok(())
    }

    /// The days' labels under the axis, at tick size or a little smaller when that makes
    /// them fit; when they still do not, every `step`-th (the first day's, then one a step
    /// apart), so that none overlaps its neighbour.
    fn draw_day_labels<DB: DrawingBackend>(
        &self,
        root: &Area<DB>,
        slot_px: i32,
        centre: &dyn Fn(usize) -> i32,
        y: i32,
    ) -> Result<(), ChartError> {
        let widest = |size: f64| {
            self.days
                .iter()
                .flat_map(|d| &d.lines)
                .map(|l| text_width(l, size))
                .max()
                .unwrap_or(0)
        };
        let size = [style::TICK, style::VALUE]
            .into_iter()
            .find(|&s| label_step(widest(s), slot_px) == 1)
            .unwrap_or(style::VALUE);
        let step = label_step(widest(size), slot_px);
        for (d, day) in self.days.iter().enumerate().step_by(step) {
            for (i, line) in day.lines.iter().enumerate() {
                root.draw(&Text::new(
                    line.clone(),
                    (centre(d), y + 8 + i as i32 * LABEL_ROW),
                    style::anchored(size, INK, HPos::Center, VPos::Top),
                ))?;
            }
        }
        Ok(())
    }
}

/// Written on closed days.
const CLOSED: &str = "closed";

/// Every how many days a label is written, for labels `widest` pixels wide on days
/// `slot_px` apart (at least 6 pixels between neighbouring labels).
fn label_step(widest: i32, slot_px: i32) -> usize {
    let need = widest + 6;
    let slot = slot_px.max(1);
    ((need + slot - 1) / slot).max(1) as usize
}

/// The label of a day: with a calendar its weekday and date ("Mon", "2 Mar") or its weekday
/// and number ("Mon", "day 1"), otherwise its number.
fn day_label(d: &DaySummary) -> Vec<String> {
    match (&d.weekday, &d.date) {
        (Some(w), Some(date)) => vec![weekday_name(w), short_date(date)],
        (Some(w), None) => vec![weekday_name(w), format!("day {}", d.day)],
        _ => vec![d.day.to_string()],
    }
}

/// `"mon"` as `"Mon"`.
pub(crate) fn weekday_name(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// `"2026-03-02"` as `"2 Mar"` (day and month, unambiguous in every locale); anything else
/// as written.
fn short_date(date: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut parts = date.split('-').skip(1);
    let month = parts.next().and_then(|m| m.parse::<usize>().ok());
    let day = parts.next().and_then(|d| d.parse::<u32>().ok());
    match (month, day) {
        (Some(m @ 1..=12), Some(d)) => format!("{d} {}", MONTHS[m - 1]),
        _ => date.to_string(),
    }
}

/// A mean count with as many decimals as it takes not to read as zero.
fn format_count(m: f64) -> String {
    if m >= 10.0 {
        format!("{m:.0}")
    } else if m >= 0.1 {
        format!("{m:.1}")
    } else {
        format!("{m:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_day_and_month() {
        assert_eq!(short_date("2026-03-02"), "2 Mar");
        assert_eq!(short_date("2026-12-31"), "31 Dec");
        assert_eq!(short_date("soon"), "soon");
        assert_eq!(weekday_name("mon"), "Mon");
    }

    #[test]
    fn labels_are_thinned_only_when_they_do_not_fit() {
        assert_eq!(label_step(40, 120), 1);
        assert_eq!(label_step(40, 46), 1);
        assert_eq!(label_step(40, 45), 2);
        assert_eq!(label_step(40, 10), 5);
        assert_eq!(label_step(40, 0), 46);
    }
}

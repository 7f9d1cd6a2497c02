//! Queue length over the day, one panel per station: the mean number waiting across
//! replications, the band between the 5th and 95th percentiles across replications at each
//! sample time, and the staffing changes of the station's schedule (dashed lines labelled with
//! the servers on duty from then on). The x axis is clock time.

use super::{Context, Y_DESC_SPACE, finite, format_number, nice_max};
use crate::font::text_width;
use crate::layout::{Area, Frame, LegendEntry, Swatch, ellipsize, wrap_breaking};
use crate::style::{self, BLUE, INK, MUTED, SKY_BLUE, VERMILLION};
use crate::{ChartError, VariantInput};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters_backend::DrawingBackend;
use sim_core::scenario::units::format_clock;

#[derive(Debug, Clone)]
pub(super) struct Panel {
    pub name: String,
    /// Values (non-finite: no value, the line and band are broken there).
    pub mean: Vec<f64>,
    pub p05: Vec<f64>,
    pub p95: Vec<f64>,
    /// Servers on duty at the first sample.
    pub initial: u32,
    /// Staffing changes after the first sample: (hours after midnight, servers on duty).
    pub changes: Vec<(f64, u32)>,
    /// When the station's last shift ends (hours after midnight), if it ends inside the axis:
    /// after it only servers still serving count as on duty (overtime).
    pub last_shift_end: Option<f64>,
    /// The variant sends nobody to this station (no service started in any replication): the
    /// panel says so instead of drawing an empty axis.
    pub unused: bool,
}

/// What the panels show: queue length (counts, samples at instants) or utilisation
/// (fractions drawn in percent, one value per interval drawn at its midpoint, with the 85%
/// line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Measure {
    Queue,
    Utilisation,
}

/// Prepared data.
#[derive(Debug, Clone)]
pub(crate) struct Data {
    pub frame: Frame,
    pub(super) panels: Vec<Panel>,
    /// First sample (hours after midnight).
    pub(super) start_h: f64,
    /// Sample interval (hours).
    pub(super) step_h: f64,
    /// End of the x axis (hours after midnight).
    pub(super) end_h: f64,
    /// Rows of staffing labels above each panel (1 when no station changes staffing).
    pub(super) staff_rows: usize,
    /// Rows of station name above each panel (2 when some name needs a second line).
    pub(super) name_rows: usize,
    pub(super) measure: Measure,
}

/// Staffing of station `s` as seen from `start_min` to `end_h` hours: servers on duty at the
/// start and the later changes (hours after midnight, servers on duty).
pub(super) fn staffing(
    s: &sim_core::model::Station,
    start_min: f64,
    end_h: f64,
) -> (u32, Vec<(f64, u32)>) {
    let mut initial = s.initial_servers;
    let mut changes = Vec::new();
    for c in &s.changes {
        if c.at <= start_min {
            initial = c.count;
        } else if c.at / 60.0 <= end_h {
            changes.push((c.at / 60.0, c.count));
        }
    }
    (initial, changes)
}

/// One panel per station of the model that has a band in `bands` (values passed through
/// `pad`), the variant suffix for titles, the number of staffing-label rows needed and the
/// number of rows the station names need. Shared by the queue-length and
/// utilisation-over-the-day charts.
pub(super) fn station_panels(
    chart: &'static str,
    input: &VariantInput<'_>,
    bands: &std::collections::BTreeMap<String, sim_core::summary::SeriesBand>,
    start_min: f64,
    end_h: f64,
    pad: impl Fn(&[f64]) -> Vec<f64>,
) -> Result<(Vec<Panel>, String, usize, usize), ChartError> {
    let mut panels = Vec::new();
    for s in &input.model.stations {
        let Some(band) = bands.get(&s.id) else {
            continue;
        };
        let (initial, changes) = staffing(s, start_min, end_h);
        // The schedule's end: its last change takes everyone off duty.
        let last_shift_end = s
            .changes
            .last()
            .filter(|c| c.count == 0)
            .map(|c| c.at / 60.0)
            .filter(|&h| h > start_min / 60.0 && h < end_h);
        let unused = input
            .summary
            .stations
            .get(&s.id)
            .is_none_or(|st| st.visits.mean == 0.0);
        panels.push(Panel {
            name: s.name.clone(),
            mean: pad(&band.mean),
            p05: pad(&band.p05),
            p95: pad(&band.p95),
            initial,
            changes,
            last_shift_end,
            unused,
        });
    }
    if panels.is_empty() {
        return Err(ChartError::NoData {
            chart,
            reason: "the series has none of the model's stations".into(),
        });
    }
    let variant = if input.label.is_empty() {
        String::new()
    } else {
        format!(" — {}", input.label)
    };
    let staff_rows = if panels.iter().any(|p| !p.changes.is_empty()) {
        STAFF_ROWS
    } else {
        1
    };
    let name_w = name_width(panels.len());
    let name_rows = if panels
        .iter()
        .any(|p| text_width(&p.name, style::AXIS) > name_w)
    {
        NAME_ROWS
    } else {
        1
    };
    Ok((panels, variant, staff_rows, name_rows))
}

/// Columns of panels for `panels` stations.
fn columns(panels: usize) -> usize {
    if panels >= 3 { 2 } else { 1 }
}

/// Left edge of the station name inside its panel, aligned with the plot's y axis.
const NAME_X: i32 = 12 + Y_DESC_SPACE + 44;

/// Room for a station name above its panel (pixels).
fn name_width(panels: usize) -> i32 {
    super::WIDTH as i32 / columns(panels) as i32 - NAME_X - 10
}

/// A station name on at most [`NAME_ROWS`] lines of `width` pixels; only a name too long for
/// that is shortened, on its last line.
fn name_lines(name: &str, width: i32) -> Vec<String> {
    let mut lines = wrap_breaking(name, style::AXIS, width);
    if lines.len() > NAME_ROWS {
        let rest = lines[NAME_ROWS - 1..].join(" ");
        lines.truncate(NAME_ROWS - 1);
        lines.push(ellipsize(&rest, style::AXIS, width));
    }
    lines
}

/// Height of a panel with one row of staffing labels.
const PANEL_H: i32 = 260;
/// Most rows of staffing labels above each panel.
pub(super) const STAFF_ROWS: usize = 2;
/// Height of one row of staffing labels.
const STAFF_ROW: i32 = 19;
/// Most lines of station name above a panel.
const NAME_ROWS: usize = 2;
/// Height of one line of station name.
const NAME_ROW: i32 = style::AXIS as i32 + 4;
/// Size of staffing labels.
pub(super) const STAFF_LABEL: f64 = style::VALUE - 1.0;
pub(super) const BAND_ALPHA: f64 = 0.35;

impl Data {
    pub fn new(ctx: Context, input: &VariantInput<'_>) -> Result<Data, ChartError> {
        let no_data = |reason: &str| ChartError::NoData {
            chart: "queue length",
            reason: reason.to_string(),
        };
        let series = input
            .series
            .ok_or_else(|| no_data("no queue-length series was given"))?;
        let len = series
            .stations
            .values()
            .map(|b| b.mean.len())
            .max()
            .unwrap_or(0);
        if series.interval_min <= 0.0 || len == 0 {
            return Err(no_data(
                "queue-length sampling is off (run.sample_interval = \"0min\")",
            ));
        }
        let start_h = series.start_min / 60.0;
        let step_h = series.interval_min / 60.0;
        let end_h = start_h + step_h * (len.max(2) - 1) as f64;
        let pad = |v: &[f64]| -> Vec<f64> {
            (0..len)
                .map(|k| finite(v.get(k).copied().unwrap_or(0.0)))
                .collect()
        };
        let (panels, variant, staff_rows, name_rows) = station_panels(
            "queue length",
            input,
            &series.stations,
            series.start_min,
            end_h,
            pad,
        )?;
        let mut legend = vec![
            LegendEntry::new(Swatch::Line(BLUE, 3), "mean across replications"),
            LegendEntry::new(
                Swatch::Band(SKY_BLUE, BAND_ALPHA),
                "5th–95th percentile of replications (90% band)",
            ),
        ];
        if staff_rows > 1 {
            legend.push(LegendEntry::new(
                Swatch::Dashed(VERMILLION),
                "staffing change (servers on duty from then)",
            ));
        }
        let mut notes = vec![format!(
            "Patients waiting (not those in service), sampled every {} min from {}.",
            format_number(series.interval_min),
            format_clock(series.start_min)
        )];
        if ctx.replications < 20 {
            notes.push(format!(
                "With {} the 5–95% band is close to the range of the replications.",
                ctx.reps()
            ));
        }
        Ok(Data {
            frame: Frame {
                title: format!("Queue length over the day{variant}"),
                subtitle: format!(
                    "{}: patients waiting at each station; mean and 5th–95th percentile band \
                     across {}",
                    ctx.scenario,
                    ctx.reps()
                ),
                legend,
                notes,
            },
            panels,
            start_h,
            step_h,
            end_h,
            staff_rows,
            name_rows,
            measure: Measure::Queue,
        })
    }

    /// Height of the staffing strip above each plot.
    fn strip(&self) -> i32 {
        self.staff_rows as i32 * STAFF_ROW + 4
    }

    fn cols(&self) -> usize {
        columns(self.panels.len())
    }

    /// Height of the station name above each plot beyond the first line.
    fn extra_name(&self) -> i32 {
        (self.name_rows as i32 - 1) * NAME_ROW
    }

    fn rows(&self) -> usize {
        self.panels.len().div_ceil(self.cols())
    }

    pub fn height(&self) -> u32 {
        let w = super::WIDTH as i32;
        let panel = PANEL_H + (self.staff_rows as i32 - 1) * STAFF_ROW + self.extra_name();
        (self.frame.header_height(w) + self.frame.footer_height(w) + panel * self.rows() as i32)
            as u32
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        let plot = self.frame.draw(root)?;
        let (rows, cols) = (self.rows(), self.cols());
        let areas = plot.split_evenly((rows, cols));
        // The lowest panel with an axis in each column carries the x-axis description (a
        // panel for an unused station has no axis to describe).
        let lowest_drawn = |col: usize| {
            (col..self.panels.len())
                .step_by(cols)
                .rfind(|&k| !self.panels[k].unused)
        };
        for (k, (panel, area)) in self.panels.iter().zip(&areas).enumerate() {
            let bottom = lowest_drawn(k % cols) == Some(k);
            self.draw_panel(root, area, panel, bottom)?;
        }
        Ok(())
    }

    fn draw_panel<DB: DrawingBackend>(
        &self,
        root: &Area<DB>,
        area: &Area<DB>,
        p: &Panel,
        bottom: bool,
    ) -> Result<(), ChartError> {
        let percent = self.measure == Measure::Utilisation;
        let scale = if percent { 100.0 } else { 1.0 };
        let top = p
            .p95
            .iter()
            .chain(&p.mean)
            .filter(|v| v.is_finite())
            .fold(0.0f64, |a, &b| a.max(b));
        let ymax = if percent {
            if top <= 1.0 {
                100.0
            } else {
                nice_max(top * 100.0, 100.0)
            }
        } else {
            nice_max(top * 1.15, 1.0)
        };
        let (w, h) = area.dim_in_pixel();
        let (ax, ay) = area.get_base_pixel();
        // Station name above the panel, on two lines when it needs them.
        for (i, line) in name_lines(&p.name, name_width(self.panels.len()))
            .into_iter()
            .enumerate()
        {
            root.draw(&Text::new(
                line,
                (ax + NAME_X, ay + 4 + i as i32 * NAME_ROW),
                style::anchored(style::AXIS, INK, HPos::Left, VPos::Top),
            ))?;
        }
        if p.unused {
            // No axis: an empty 0–1 axis would look like a measured zero.
            root.draw(&Text::new(
                "not used in this variant",
                (ax + w as i32 / 2, ay + h as i32 / 2),
                style::anchored(style::AXIS - 2.0, MUTED, HPos::Center, VPos::Center),
            ))?;
            return Ok(());
        }
        let mut chart = ChartBuilder::on(area)
            .margin_left(12)
            .margin_top(30 + self.extra_name() + self.strip())
            .margin_right(if percent { 52 } else { 30 })
            .margin_bottom(4)
            .x_label_area_size(if bottom { 58 } else { 30 })
            .y_label_area_size(44 + Y_DESC_SPACE)
            .build_cartesian_2d(self.start_h..self.end_h, 0.0..ymax)?;
        chart
            .configure_mesh()
            .x_labels(8)
            .y_labels(if percent { 6 } else { 5 })
            .x_label_formatter(&|h| format_clock(h * 60.0))
            .y_label_formatter(&|v| {
                if percent {
                    format!("{}%", format_number(*v))
                } else {
                    format_number(*v)
                }
            })
            .label_style(style::text(style::TICK - 1.0, INK))
            .axis_desc_style(style::text(style::AXIS - 2.0, INK))
            .x_desc(if bottom { "time of day (HH:MM)" } else { "" })
            .y_desc(if percent {
                "utilisation (%)"
            } else {
                "patients waiting"
            })
            .bold_line_style(style::GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(INK.stroke_width(1))
            .draw()?;
        // After the last shift only the servers still serving count as on duty, so any
        // interval with work reads close to 100%: shade it so it is not read as full use of
        // scheduled capacity (the legend and a footnote say what it is).
        let overtime = p
            .last_shift_end
            .filter(|_| percent && self.shows_overtime(p));
        if let Some(h) = overtime {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(h, 0.0), (self.end_h, ymax)],
                OVERTIME_GREY.mix(OVERTIME_ALPHA).filled(),
            )))?;
        }
        // Utilisation of an interval is drawn at the interval's midpoint.
        let offset = if percent { 0.5 } else { 0.0 };
        let t = |k: usize| self.start_h + self.step_h * (k as f64 + offset);
        if percent {
            // The 85% line, labelled at its right end.
            let y = super::bars::UTILISATION_LINE * 100.0;
            chart.draw_series(DashedLineSeries::new(
                vec![(self.start_h, y), (self.end_h, y)],
                8,
                5,
                INK.stroke_width(2),
            ))?;
            let (x, py) = chart.backend_coord(&(self.end_h, y));
            root.draw(&Text::new(
                format!("{}%", format_number(y)),
                (x + 5, py),
                style::anchored(STAFF_LABEL, INK, HPos::Left, VPos::Center),
            ))?;
        }
        // Runs of consecutive points with all three values; the line and band break between.
        let len = p.mean.len().min(p.p05.len()).min(p.p95.len());
        let ok = |k: usize| p.mean[k].is_finite() && p.p05[k].is_finite() && p.p95[k].is_finite();
        let mut k = 0;
        while k < len {
            if !ok(k) {
                k += 1;
                continue;
            }
            let first = k;
            while k < len && ok(k) {
                k += 1;
            }
            let run = first..k;
            if run.len() == 1 {
                let (x, y) = chart.backend_coord(&(t(first), p.mean[first] * scale));
                root.draw(&Circle::new((x, y), 3, BLUE.filled()))?;
                continue;
            }
            let mut band: Vec<(f64, f64)> = run.clone().map(|j| (t(j), p.p05[j] * scale)).collect();
            band.extend(run.clone().rev().map(|j| (t(j), p.p95[j] * scale)));
            chart.draw_series(std::iter::once(Polygon::new(
                band,
                SKY_BLUE.mix(BAND_ALPHA).filled(),
            )))?;
            chart.draw_series(LineSeries::new(
                run.map(|j| (t(j), p.mean[j] * scale)),
                BLUE.stroke_width(3),
            ))?;
        }
        if let Some(h) = overtime {
            // "overtime" inside the shaded region, near its bottom, when it fits.
            let (x0, y0) = chart.backend_coord(&(h, 0.0));
            let (x1, _) = chart.backend_coord(&(self.end_h, 0.0));
            if text_width(OVERTIME_WORD, STAFF_LABEL) + 6 <= x1 - x0 {
                root.draw(&Text::new(
                    OVERTIME_WORD,
                    ((x0 + x1) / 2, y0 - 6),
                    style::anchored(STAFF_LABEL, INK, HPos::Center, VPos::Bottom),
                ))?;
            }
        }
        // Staffing: "N on duty" labels in a strip between the station name and the plot, each
        // joined to the plot by a dashed line at the change time. A label takes the first of
        // the strip's rows where it does not collide with the previous label; it is written
        // left of its line near the right edge, shortened to "N" when "N on duty" finds no
        // room, and left out (the line stays) when even that does not fit.
        let (x_start, y_bottom) = chart.backend_coord(&(self.start_h, 0.0));
        let (x_end, y_top) = chart.backend_coord(&(self.end_h, ymax));
        let strip_top = y_top - self.strip();
        let mut right_edge = vec![i32::MIN; self.staff_rows];
        let mut place = |x: i32, count: u32| -> Option<(String, i32, i32, HPos)> {
            for text in [format!("{count} on duty"), count.to_string()] {
                let w = text_width(&text, STAFF_LABEL);
                for (row, right) in right_edge.iter_mut().enumerate() {
                    let (left, anchor, ax) = if x + 3 + w <= x_end + 14 {
                        (x + 3, HPos::Left, x + 3)
                    } else {
                        (x - 3 - w, HPos::Right, x - 3)
                    };
                    if left > *right + 8 {
                        *right = left + w;
                        let y = strip_top + row as i32 * STAFF_ROW;
                        return Some((text, ax, y, anchor));
                    }
                }
            }
            None
        };
        let label = |root: &Area<DB>, (text, x, y, anchor): (String, i32, i32, HPos)| {
            root.draw(&Text::new(
                text,
                (x, y),
                style::anchored(STAFF_LABEL, VERMILLION, anchor, VPos::Top),
            ))
        };
        if let Some(l) = place(x_start, p.initial) {
            label(root, l)?;
        }
        for &(h, count) in &p.changes {
            let (x, _) = chart.backend_coord(&(h, 0.0));
            let placed = place(x, count);
            let top = placed.as_ref().map_or(y_top, |l| l.2);
            dashed_v(root, x, y_bottom, top)?;
            if let Some(l) = placed {
                label(root, l)?;
            }
        }
        Ok(())
    }
}

impl Data {
    /// True when panel `p` has a value in some interval that ends after its last shift.
    pub(super) fn shows_overtime(&self, p: &Panel) -> bool {
        let Some(end) = p.last_shift_end else {
            return false;
        };
        p.mean
            .iter()
            .enumerate()
            .any(|(k, v)| v.is_finite() && self.start_h + self.step_h * (k as f64 + 1.0) > end)
    }
}

/// Fill of the region after the last shift (overtime) on the utilisation-over-the-day chart.
pub(super) const OVERTIME_GREY: RGBColor = style::DELAY_GREY;
pub(super) const OVERTIME_ALPHA: f64 = 0.45;
/// The word written in that region.
const OVERTIME_WORD: &str = "overtime";

/// A vertical dashed staffing line from `y0` up to `y1` (pixels).
fn dashed_v<DB: DrawingBackend>(
    root: &Area<DB>,
    x: i32,
    y0: i32,
    y1: i32,
) -> Result<(), ChartError> {
    let mut y = y0;
    while y > y1 {
        let end = (y - 6).max(y1);
        root.draw(&PathElement::new(
            vec![(x, y), (x, end)],
            VERMILLION.stroke_width(2),
        ))?;
        y -= 10;
    }
    Ok(())
}

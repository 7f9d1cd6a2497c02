//! A sweep's results (`carepath sweep`'s tidy table): a metric across the sweep as lines (the
//! first parameter that varies on the x axis, one line per variant and value of the other
//! varying parameters, each mean with its 95% confidence interval as a band), and as a heatmap
//! over two varying parameters (one cell per point, coloured and labelled with the mean, the
//! points whose interval clears a target outlined).

use super::{Context, Y_DESC_SPACE, format_number};
use crate::ChartError;
use crate::font::text_width;
use crate::layout::{
    Area, Frame, LegendEntry, MARGIN, Marker, Swatch, ellipsize, marker, whisker_v,
};
use crate::style::{self, INK, MUTED, OTHER_GREY, variant_colour};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters_backend::DrawingBackend;
use sim_core::sweep::Row;

/// A sweep's tidy table, as the sweep charts need it.
#[derive(Debug, Clone, Copy)]
pub struct SweepInput<'a> {
    /// Scenario name (subtitle).
    pub scenario: &'a str,
    /// Replications per point (subtitle).
    pub replications: u32,
    /// Parameter paths, in column order (e.g. `stations.consult.servers`).
    pub parameters: &'a [String],
    /// Each point's parameter values as displayed text, indexed by point then parameter
    /// (`"12"`, `"0.3"`, `"lognormal"`).
    pub points: &'a [Vec<String>],
    /// The rows: one per point, variant and metric.
    pub rows: &'a [Row],
}

/// Most lines the sweep line chart draws (beyond that they cannot be told apart).
pub const MAX_LINES: usize = 12;
/// Lines drawn solid; the ones after them are dashed, with triangle markers (the palette
/// has eight colours, so their colours repeat).
const SOLID_LINES: usize = style::VARIANT_COLOURS.len();
/// Height of the line chart's plot (pixels).
const PLOT_H: i32 = 440;
/// Width of the mean lines.
const LINE_W: u32 = 3;
/// Opacity of the confidence bands (several may overlap).
pub(super) const BAND_ALPHA: f64 = 0.18;
/// Steps of the heatmap's colour bar.
pub(super) const BAR_STEPS: usize = 64;
/// Width of the heatmap's target outline.
pub(super) const OUTLINE_W: u32 = 4;

/// The rows of one metric, checked against the points.
struct Table<'a> {
    rows: Vec<&'a Row>,
}

impl<'a> Table<'a> {
    /// The rows of `metric` (and of `variant`, if given); `NoData` when there are none or a
    /// row's point has no values for every parameter.
    fn of(
        input: &SweepInput<'a>,
        chart: &'static str,
        metric: &str,
        variant: Option<&str>,
    ) -> Result<Table<'a>, ChartError> {
        let no_data = |reason: String| ChartError::NoData { chart, reason };
        if input.parameters.is_empty() {
            return Err(no_data("the sweep has no parameters".into()));
        }
        let of_metric: Vec<&Row> = input.rows.iter().filter(|r| r.metric == metric).collect();
        if of_metric.is_empty() {
            return Err(no_data(format!("no row has the metric {metric:?}")));
        }
        let rows: Vec<&Row> = of_metric
            .into_iter()
            .filter(|r| variant.is_none_or(|v| r.variant == v))
            .collect();
        if rows.is_empty() {
            return Err(no_data(format!(
                "no row of variant {:?} has the metric {metric:?}",
                variant.unwrap_or_default()
            )));
        }
        for r in &rows {
            match input.points.get(r.point) {
                None => {
                    return Err(no_data(format!(
                        "a row is for point {} but the sweep has {} points",
                        r.point,
                        input.points.len()
                    )));
                }
                Some(values) if values.len() != input.parameters.len() => {
                    return Err(no_data(format!(
                        "point {} has {} values for {} parameters",
                        r.point,
                        values.len(),
                        input.parameters.len()
                    )));
                }
                Some(_) => {}
            }
        }
        Ok(Table { rows })
    }

    /// The points that have rows, ascending, each once.
    fn points(&self) -> Vec<usize> {
        let mut p: Vec<usize> = self.rows.iter().map(|r| r.point).collect();
        p.sort_unstable();
        p.dedup();
        p
    }

    /// The parameters (indices) that take more than one value at those points.
    fn varying(&self, input: &SweepInput<'_>) -> Vec<usize> {
        let points = self.points();
        (0..input.parameters.len())
            .filter(|&j| {
                let first = &input.points[points[0]][j];
                points.iter().any(|&p| &input.points[p][j] != first)
            })
            .collect()
    }

    /// "path = value" for each parameter that takes one value only.
    fn fixed(&self, input: &SweepInput<'_>, varying: &[usize]) -> Vec<String> {
        let p = self.points()[0];
        (0..input.parameters.len())
            .filter(|j| !varying.contains(j))
            .map(|j| format!("{} = {}", input.parameters[j], input.points[p][j]))
            .collect()
    }
}

/// The values parameter `j` takes at `points`: numbers ascending when every one reads as a
/// number, otherwise in point order; each once.
fn axis_values(input: &SweepInput<'_>, points: &[usize], j: usize) -> Axis {
    let mut labels: Vec<String> = Vec::new();
    for &p in points {
        let v = &input.points[p][j];
        if !labels.contains(v) {
            labels.push(v.clone());
        }
    }
    let numbers: Option<Vec<f64>> = labels
        .iter()
        .map(|l| l.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect();
    match numbers {
        Some(numbers) => {
            let mut pairs: Vec<(f64, String)> = numbers.into_iter().zip(labels).collect();
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
            Axis {
                positions: pairs.iter().map(|p| p.0).collect(),
                labels: pairs.into_iter().map(|p| p.1).collect(),
                numeric: true,
            }
        }
        None => Axis {
            positions: (0..labels.len()).map(|i| i as f64).collect(),
            labels,
            numeric: false,
        },
    }
}

/// A parameter's values on an axis.
#[derive(Debug, Clone)]
struct Axis {
    /// The values as displayed.
    labels: Vec<String>,
    /// Where each is drawn: its number, or its index on a categorical axis.
    positions: Vec<f64>,
    /// Every value is a number.
    numeric: bool,
}

impl Axis {
    fn position(&self, label: &str) -> Option<f64> {
        self.labels
            .iter()
            .position(|l| l == label)
            .map(|i| self.positions[i])
    }

    fn index(&self, label: &str) -> Option<usize> {
        self.labels.iter().position(|l| l == label)
    }
}

/// The shortest tail of `path` (whole dot-separated segments) that no other of `all` ends with.
fn short_name(path: &str, all: &[String]) -> String {
    let segments: Vec<&str> = path.split('.').collect();
    for k in 1..=segments.len() {
        let tail = segments[segments.len() - k..].join(".");
        let clash = all
            .iter()
            .filter(|other| other.as_str() != path)
            .any(|other| *other == tail || other.ends_with(&format!(".{tail}")));
        if !clash {
            return tail;
        }
    }
    path.to_string()
}

/// The y-axis description of a metric ("(min)" added to minutes).
fn metric_desc(metric: &str) -> String {
    if metric.contains("_min") {
        format!("{metric} (min)")
    } else {
        metric.to_string()
    }
}

/// A variant as shown in legends and titles.
fn variant_name(v: &str) -> &str {
    if v.is_empty() { "base scenario" } else { v }
}

/// `v` with three significant digits (no exponent).
pub(crate) fn sig3(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    if v == 0.0 {
        return "0".into();
    }
    let round = |x: f64| {
        let mag = x.abs().log10().floor() as i32;
        let f = 10f64.powi(2 - mag);
        (x * f).round() / f
    };
    let r = round(v);
    let mag = r.abs().log10().floor() as i32;
    let decimals = (2 - mag).max(0) as usize;
    format!("{r:.decimals$}")
}

/// `v` with three significant digits, trailing zeros dropped (`0.7`, `125`).
fn sig3_short(v: f64) -> String {
    let s = sig3(v);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Tick labels for an axis spanning `span`: as many decimals as ticks about `span / 8` apart
/// need, trailing zeros dropped.
fn tick_label(v: f64, span: f64) -> String {
    let step = (span / 8.0).abs();
    let decimals = if step > 0.0 && step.is_finite() {
        (-step.log10().floor()).clamp(0.0, 6.0) as usize
    } else {
        2
    };
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// One line: a variant at one combination of the other varying parameters.
#[derive(Debug, Clone)]
struct Line {
    label: String,
    /// (x, mean, half-width; non-finite: no interval), by x.
    points: Vec<(f64, f64, f64)>,
}

/// Prepared data of the line chart.
#[derive(Debug, Clone)]
pub(crate) struct Lines {
    pub frame: Frame,
    x_desc: String,
    y_desc: String,
    axis: Axis,
    lines: Vec<Line>,
    target: Option<f64>,
}

impl Lines {
    pub fn new(
        input: &SweepInput<'_>,
        metric: &str,
        target: Option<f64>,
    ) -> Result<Lines, ChartError> {
        const CHART: &str = "sweep";
        let table = Table::of(input, CHART, metric, None)?;
        let varying = table.varying(input);
        let x_param = varying.first().copied().unwrap_or(0);
        // A parameter whose value is set by the x parameter's (listed points that move several
        // values together, such as adoption in every class) belongs to the x axis, not to a
        // line of its own.
        let pts = table.points();
        let follows_x = |j: usize| {
            pts.iter().all(|&p| {
                pts.iter().all(|&q| {
                    input.points[p][x_param] != input.points[q][x_param]
                        || input.points[p][j] == input.points[q][j]
                })
            })
        };
        let (with_x, others): (Vec<usize>, Vec<usize>) =
            varying.iter().copied().skip(1).partition(|&j| follows_x(j));
        let axis = axis_values(input, &pts, x_param);
        let mut variants: Vec<&str> = Vec::new();
        for r in &table.rows {
            if !variants.contains(&r.variant.as_str()) {
                variants.push(&r.variant);
            }
        }
        let combo = |p: usize| -> Vec<&str> {
            others
                .iter()
                .map(|&j| input.points[p][j].as_str())
                .collect()
        };
        let mut combos: Vec<Vec<&str>> = Vec::new();
        for p in table.points() {
            let c = combo(p);
            if !combos.contains(&c) {
                combos.push(c);
            }
        }
        let count = variants.len() * combos.len();
        if count > MAX_LINES {
            return Err(ChartError::TooManyLines {
                chart: CHART,
                lines: count,
                max: MAX_LINES,
            });
        }
        let names: Vec<String> = others
            .iter()
            .map(|&j| short_name(&input.parameters[j], input.parameters))
            .collect();
        let mut lines = Vec::new();
        for v in &variants {
            for c in &combos {
                let mut points: Vec<(f64, f64, f64)> = table
                    .rows
                    .iter()
                    .filter(|r| r.variant == *v && combo(r.point) == *c)
                    .filter(|r| r.estimate.mean.is_finite())
                    .filter_map(|r| {
                        axis.position(&input.points[r.point][x_param])
                            .map(|x| (x, r.estimate.mean, r.estimate.half_width))
                    })
                    .collect();
                if points.is_empty() {
                    continue;
                }
                points.sort_by(|a, b| a.0.total_cmp(&b.0));
                points.dedup_by(|a, b| a.0 == b.0);
                let mut parts: Vec<String> = Vec::new();
                if variants.len() > 1 || combos.len() == 1 {
                    parts.push(variant_name(v).to_string());
                }
                for (name, value) in names.iter().zip(c) {
                    parts.push(format!("{name}={value}"));
                }
                lines.push(Line {
                    label: parts.join(", "),
                    points,
                });
            }
        }
        if lines.is_empty() {
            return Err(ChartError::NoData {
                chart: CHART,
                reason: format!("no row of the metric {metric:?} has a finite mean"),
            });
        }
        let mut legend: Vec<LegendEntry> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| LegendEntry::new(line_swatch(i), l.label.clone()))
            .collect();
        legend.push(LegendEntry::new(
            Swatch::Band(MUTED, 0.3),
            "95% confidence interval (band in the line's colour)",
        ));
        if let Some(t) = target {
            legend.push(LegendEntry::new(
                Swatch::Dashed(INK),
                format!("target ({})", sig3_short(t)),
            ));
        }
        let mut notes = Vec::new();
        let fixed = table.fixed(input, &varying);
        if varying.is_empty() {
            notes.push("No parameter takes more than one value at these points.".to_string());
        }
        if !fixed.is_empty() {
            notes.push(format!("Fixed at every point: {}.", fixed.join("; ")));
        }
        if !with_x.is_empty() {
            let names: Vec<&str> = with_x
                .iter()
                .map(|&j| input.parameters[j].as_str())
                .collect();
            notes.push(format!(
                "Set together with {} at each point: {}.",
                input.parameters[x_param],
                names.join(", ")
            ));
        }
        if !axis.numeric {
            notes.push(format!(
                "{} is not numeric: its values are spaced evenly, in sweep order.",
                input.parameters[x_param]
            ));
        }
        if lines
            .iter()
            .flat_map(|l| &l.points)
            .any(|p| !p.2.is_finite())
        {
            notes.push(
                "No interval where fewer than two replications counted (a line's band breaks \
                 there)."
                    .to_string(),
            );
        }
        let ctx = Context {
            scenario: input.scenario.to_string(),
            replications: input.replications,
        };
        Ok(Lines {
            frame: Frame {
                title: format!("{metric} across the sweep"),
                subtitle: format!(
                    "{}: mean and 95% confidence interval at each point of the sweep, {} per \
                     point",
                    ctx.scenario,
                    ctx.reps()
                ),
                legend,
                notes,
            },
            x_desc: input.parameters[x_param].clone(),
            y_desc: metric_desc(metric),
            axis,
            lines,
            target,
        })
    }

    pub fn height(&self) -> u32 {
        let w = super::WIDTH as i32;
        (self.frame.header_height(w) + self.frame.footer_height(w) + PLOT_H) as u32
    }

    /// The y range: every mean, interval and the target, padded; from zero when the values
    /// are positive and zero is not far below them.
    fn y_range(&self) -> (f64, f64) {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for &(_, m, hw) in self.lines.iter().flat_map(|l| &l.points) {
            let (a, b) = if hw.is_finite() {
                (m - hw, m + hw)
            } else {
                (m, m)
            };
            lo = lo.min(a);
            hi = hi.max(b);
        }
        if let Some(t) = self.target {
            lo = lo.min(t);
            hi = hi.max(t);
        }
        let span = hi - lo;
        let pad = if span > 0.0 {
            span * 0.08
        } else {
            (hi.abs() * 0.1).max(1e-9)
        };
        let bottom = if lo >= 0.0 && lo <= 0.35 * hi {
            0.0
        } else {
            lo - pad
        };
        (bottom, hi + pad)
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        let plot = self.frame.draw(root)?;
        let (ymin, ymax) = self.y_range();
        let (xmin, xmax) = {
            let first = self.axis.positions.first().copied().unwrap_or(0.0);
            let last = self.axis.positions.last().copied().unwrap_or(0.0);
            if !self.axis.numeric {
                (-0.5, last + 0.5)
            } else if last > first {
                let pad = (last - first) * 0.04;
                (first - pad, last + pad)
            } else {
                (first - 1.0, first + 1.0)
            }
        };
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(MARGIN - 10)
            .margin_right(if self.target.is_some() {
                70
            } else {
                MARGIN + 10
            })
            .margin_top(10)
            .x_label_area_size(58)
            .y_label_area_size(70 + Y_DESC_SPACE)
            .build_cartesian_2d(xmin..xmax, ymin..ymax)?;
        // Ticks at the swept values themselves when their labels fit side by side (always on
        // a categorical axis, thinned if need be); otherwise plotters' round numbers.
        let coord = chart.as_coord_spec().clone();
        let px = |x: f64| coord.translate(&(x, ymin)).0;
        let widths: Vec<i32> = self
            .axis
            .labels
            .iter()
            .map(|l| text_width(l, style::TICK))
            .collect();
        let fits = self
            .axis
            .positions
            .windows(2)
            .zip(widths.windows(2))
            .all(|(x, w)| px(x[1]) - px(x[0]) >= (w[0] + w[1]) / 2 + 8);
        let own_ticks = !self.axis.numeric || fits;
        let span = ymax - ymin;
        let y_fmt = |v: &f64| tick_label(*v, span);
        let x_fmt = |v: &f64| format_number(*v);
        let mut mesh = chart.configure_mesh();
        mesh.y_labels(8)
            .y_label_formatter(&y_fmt)
            .x_label_formatter(&x_fmt)
            .label_style(style::text(style::TICK, INK))
            .axis_desc_style(style::text(style::AXIS, INK))
            .x_desc(self.x_desc.as_str())
            .y_desc(self.y_desc.as_str())
            .bold_line_style(style::GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(INK.stroke_width(1));
        if own_ticks {
            mesh.disable_x_mesh().x_labels(0);
        } else {
            mesh.x_labels(10);
        }
        mesh.draw()?;
        if own_ticks {
            let (_, y0) = chart.backend_coord(&(xmin, ymin));
            let slot = self
                .axis
                .positions
                .windows(2)
                .map(|x| px(x[1]) - px(x[0]))
                .min()
                .unwrap_or(i32::MAX);
            let widest = widths.iter().copied().max().unwrap_or(0);
            let step = if fits {
                1
            } else {
                ((widest + 8 + slot.max(1) - 1) / slot.max(1)).max(1) as usize
            };
            for (i, (&x, label)) in self
                .axis
                .positions
                .iter()
                .zip(&self.axis.labels)
                .enumerate()
            {
                chart.draw_series(LineSeries::new(
                    [(x, ymin), (x, ymax)],
                    style::GRID.stroke_width(1),
                ))?;
                let p = px(x);
                root.draw(&PathElement::new(
                    vec![(p, y0), (p, y0 + 5)],
                    INK.stroke_width(1),
                ))?;
                if i % step == 0 {
                    let text = if self.axis.numeric {
                        label.clone()
                    } else {
                        ellipsize(label, style::TICK, (slot * step as i32 - 8).max(20))
                    };
                    root.draw(&Text::new(
                        text,
                        (p, y0 + 8),
                        style::anchored(style::TICK, INK, HPos::Center, VPos::Top),
                    ))?;
                }
            }
        }
        if let Some(t) = self.target {
            chart.draw_series(DashedLineSeries::new(
                vec![(xmin, t), (xmax, t)],
                8,
                5,
                INK.stroke_width(2),
            ))?;
            let (x, py) = chart.backend_coord(&(xmax, t));
            root.draw(&Text::new(
                "target",
                (x + 6, py),
                style::anchored(style::VALUE, INK, HPos::Left, VPos::Center),
            ))?;
        }
        // Bands first, so that no band covers a line: runs of consecutive points with an
        // interval; a lone point with one gets a whisker.
        for (i, line) in self.lines.iter().enumerate() {
            let colour = variant_colour(i);
            let pts = &line.points;
            let mut k = 0;
            while k < pts.len() {
                if !pts[k].2.is_finite() {
                    k += 1;
                    continue;
                }
                let first = k;
                while k < pts.len() && pts[k].2.is_finite() {
                    k += 1;
                }
                let run = &pts[first..k];
                if run.len() == 1 {
                    let (x, m, hw) = run[0];
                    let (cx, y_hi) = chart.backend_coord(&(x, (m + hw).min(ymax)));
                    let (_, y_lo) = chart.backend_coord(&(x, (m - hw).max(ymin)));
                    whisker_v(root, colour, cx, y_hi, y_lo, 5)?;
                    continue;
                }
                let clamp = |y: f64| y.clamp(ymin, ymax);
                let mut band: Vec<(f64, f64)> =
                    run.iter().map(|&(x, m, hw)| (x, clamp(m - hw))).collect();
                band.extend(run.iter().rev().map(|&(x, m, hw)| (x, clamp(m + hw))));
                chart.draw_series(std::iter::once(Polygon::new(
                    band,
                    colour.mix(BAND_ALPHA).filled(),
                )))?;
            }
        }
        for (i, line) in self.lines.iter().enumerate() {
            let colour = variant_colour(i);
            let pts = line.points.iter().map(|&(x, m, _)| (x, m));
            if i < SOLID_LINES {
                chart.draw_series(LineSeries::new(pts, colour.stroke_width(LINE_W)))?;
            } else {
                chart.draw_series(DashedLineSeries::new(
                    pts,
                    10,
                    6,
                    colour.stroke_width(LINE_W),
                ))?;
            }
        }
        // Markers after every line, so that no line covers them.
        for (i, line) in self.lines.iter().enumerate() {
            let shape = if i < SOLID_LINES {
                Marker::Circle
            } else {
                Marker::Triangle
            };
            for &(x, m, _) in &line.points {
                marker(
                    root,
                    shape,
                    variant_colour(i),
                    chart.backend_coord(&(x, m)),
                    5,
                )?;
            }
        }
        Ok(())
    }
}

/// The legend swatch of line `i`.
fn line_swatch(i: usize) -> Swatch {
    if i < SOLID_LINES {
        Swatch::Line(variant_colour(i), LINE_W)
    } else {
        Swatch::Dashed(variant_colour(i))
    }
}

/// Anchors of the heatmap's sequential colour scale (viridis, which stays ordered in lightness
/// for the common forms of colour-vision deficiency and in grey), low to high.
const SCALE: [RGBColor; 9] = [
    RGBColor(0x44, 0x01, 0x54),
    RGBColor(0x47, 0x2D, 0x7B),
    RGBColor(0x3B, 0x52, 0x8B),
    RGBColor(0x2C, 0x72, 0x8E),
    RGBColor(0x21, 0x91, 0x8C),
    RGBColor(0x28, 0xAE, 0x80),
    RGBColor(0x5E, 0xC9, 0x62),
    RGBColor(0xAD, 0xDC, 0x30),
    RGBColor(0xFD, 0xE7, 0x25),
];

/// The colour at `t` ∈ [0, 1] on the scale.
pub(crate) fn scale_colour(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let pos = t * (SCALE.len() - 1) as f64;
    let i = (pos.floor() as usize).min(SCALE.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (SCALE[i], SCALE[i + 1]);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Prepared data of the heatmap.
#[derive(Debug, Clone)]
pub(crate) struct Heatmap {
    pub frame: Frame,
    x_desc: String,
    y_desc: String,
    /// What the colour bar shows (the title names the metric).
    bar_desc: String,
    xs: Vec<String>,
    ys: Vec<String>,
    /// `cells[y][x]`: (mean, half-width) at the point, if there is one.
    cells: Vec<Vec<Option<(f64, f64)>>>,
    /// The colour scale's ends.
    lo: f64,
    hi: f64,
    target: Option<f64>,
}

/// Room right of the heatmap for the colour bar, its labels and its description.
const BAR_AREA: i32 = 170;
/// Width of the colour bar.
const BAR_W: i32 = 22;

impl Heatmap {
    pub fn new(
        input: &SweepInput<'_>,
        metric: &str,
        variant: &str,
        target: Option<f64>,
    ) -> Result<Heatmap, ChartError> {
        const CHART: &str = "sweep heatmap";
        let table = Table::of(input, CHART, metric, Some(variant))?;
        let varying = table.varying(input);
        if varying.len() != 2 {
            return Err(ChartError::VaryingParameters {
                chart: CHART,
                needs: "exactly two",
                varying: varying
                    .iter()
                    .map(|&j| input.parameters[j].clone())
                    .collect(),
            });
        }
        let points = table.points();
        let (jx, jy) = (varying[0], varying[1]);
        let xs = axis_values(input, &points, jx);
        let ys = axis_values(input, &points, jy);
        let mut cells = vec![vec![None; xs.labels.len()]; ys.labels.len()];
        for r in &table.rows {
            let v = &input.points[r.point];
            if let (Some(x), Some(y)) = (xs.index(&v[jx]), ys.index(&v[jy]))
                && cells[y][x].is_none()
                && r.estimate.mean.is_finite()
            {
                cells[y][x] = Some((r.estimate.mean, r.estimate.half_width));
            }
        }
        let means = cells.iter().flatten().flatten().map(|c| c.0);
        let lo = means.clone().fold(f64::INFINITY, f64::min);
        let hi = means.fold(f64::NEG_INFINITY, f64::max);
        if !lo.is_finite() {
            return Err(ChartError::NoData {
                chart: CHART,
                reason: format!("no row of the metric {metric:?} has a finite mean"),
            });
        }
        let mut legend = Vec::new();
        let mut notes = vec![
            "Each cell is one point of the sweep: its colour (scale on the right) and its \
             label give the mean."
                .to_string(),
        ];
        if let Some(t) = target {
            legend.push(LegendEntry::new(
                Swatch::Line(INK, OUTLINE_W),
                format!(
                    "outlined: the whole 95% confidence interval is at or above the target ({})",
                    sig3_short(t)
                ),
            ));
            if cells.iter().flatten().flatten().any(|c| !c.1.is_finite()) {
                notes.push(
                    "A point without an interval (fewer than two replications counted) is never \
                     outlined."
                        .to_string(),
                );
            }
        }
        if cells.iter().flatten().any(Option::is_none) {
            notes.push("Grey cells with “—”: no result at that combination.".to_string());
        }
        let fixed = table.fixed(input, &varying);
        if !fixed.is_empty() {
            notes.push(format!("Fixed at every point: {}.", fixed.join("; ")));
        }
        let ctx = Context {
            scenario: input.scenario.to_string(),
            replications: input.replications,
        };
        let of_variant = if variant.is_empty() {
            String::new()
        } else {
            format!(" — {variant}")
        };
        Ok(Heatmap {
            frame: Frame {
                title: format!("{metric} across the sweep{of_variant}"),
                subtitle: format!(
                    "{}: mean at each point of the sweep ({}), {} per point",
                    ctx.scenario,
                    variant_name(variant),
                    ctx.reps()
                ),
                legend,
                notes,
            },
            x_desc: input.parameters[jx].clone(),
            y_desc: input.parameters[jy].clone(),
            bar_desc: if metric.contains("_min") {
                "mean (min)".into()
            } else {
                "mean".into()
            },
            xs: xs.labels,
            ys: ys.labels,
            cells,
            lo,
            hi,
            target,
        })
    }

    /// Height of one row of cells.
    fn cell_h(&self) -> i32 {
        (360 / self.ys.len().max(1) as i32).clamp(30, 120)
    }

    pub fn height(&self) -> u32 {
        let w = super::WIDTH as i32;
        let plot = self.cell_h() * self.ys.len() as i32 + 58 + 16;
        (self.frame.header_height(w) + self.frame.footer_height(w) + plot) as u32
    }

    /// Where `v` lies between the scale's ends (0.5 when they coincide).
    fn t(&self, v: f64) -> f64 {
        if self.hi > self.lo {
            (v - self.lo) / (self.hi - self.lo)
        } else {
            0.5
        }
    }

    /// The cell at (x, y) clears the target: its whole interval is at or above it.
    pub(super) fn clears(&self, (mean, hw): (f64, f64)) -> bool {
        self.target
            .is_some_and(|t| hw.is_finite() && mean - hw >= t)
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        let plot = self.frame.draw(root)?;
        let (nx, ny) = (self.xs.len().max(1), self.ys.len().max(1));
        let y_labels: Vec<String> = self
            .ys
            .iter()
            .map(|l| ellipsize(l, style::TICK, 200))
            .collect();
        let label_w = y_labels
            .iter()
            .map(|l| text_width(l, style::TICK))
            .max()
            .unwrap_or(0);
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(MARGIN - 10)
            .margin_right(BAR_AREA)
            .margin_top(16)
            .x_label_area_size(58)
            .y_label_area_size(label_w + 18 + Y_DESC_SPACE)
            .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(0)
            .y_labels(0)
            .label_style(style::text(style::TICK, INK))
            .axis_desc_style(style::text(style::AXIS, INK))
            .x_desc(self.x_desc.as_str())
            .y_desc(ellipsize(
                &self.y_desc,
                style::AXIS,
                self.cell_h() * self.ys.len() as i32,
            ))
            .axis_style(INK.stroke_width(1))
            .draw()?;
        let at = |x: f64, y: f64| chart.backend_coord(&(x, y));
        let (left, bottom) = at(0.0, 0.0);
        let (right, top) = at(nx as f64, ny as f64);
        let cell_w = (right - left) / nx as i32;
        let cell_h = (bottom - top) / ny as i32;
        let labels: Vec<Vec<Option<String>>> = self
            .cells
            .iter()
            .map(|row| row.iter().map(|c| c.map(|c| sig3(c.0))).collect())
            .collect();
        // Cell labels only if every one fits its cell (all or nothing).
        let show_values =
            labels.iter().flatten().flatten().all(|l| {
                text_width(l, style::VALUE) + 6 <= cell_w && cell_h >= style::VALUE as i32
            });
        for (y, row) in self.cells.iter().enumerate() {
            for (x, cell) in row.iter().enumerate() {
                let (x0, y0) = at(x as f64, (y + 1) as f64);
                let (x1, y1) = at((x + 1) as f64, y as f64);
                let fill = cell.map_or(OTHER_GREY, |c| scale_colour(self.t(c.0)));
                root.draw(&Rectangle::new(
                    [(x0 + 1, y0 + 1), (x1 - 1, y1 - 1)],
                    fill.filled(),
                ))?;
                let text = match (cell, &labels[y][x]) {
                    (Some(_), Some(l)) if show_values => Some(l.clone()),
                    (None, _) => Some("—".to_string()),
                    _ => None,
                };
                if let Some(text) = text {
                    root.draw(&Text::new(
                        text,
                        ((x0 + x1) / 2, (y0 + y1) / 2),
                        style::anchored(
                            style::VALUE,
                            style::ink_on(fill),
                            HPos::Center,
                            VPos::Center,
                        ),
                    ))?;
                }
            }
        }
        // Outlines last, over the neighbouring cells' edges.
        for (y, row) in self.cells.iter().enumerate() {
            for (x, cell) in row.iter().enumerate() {
                if cell.is_some_and(|c| self.clears(c)) {
                    let (x0, y0) = at(x as f64, (y + 1) as f64);
                    let (x1, y1) = at((x + 1) as f64, y as f64);
                    // A path, not a rectangle: SVG rectangles keep a one-pixel stroke. It goes
                    // round once more to the second corner so that every corner is a join.
                    let i = OUTLINE_W as i32 / 2;
                    let (x0, y0, x1, y1) = (x0 + i, y0 + i, x1 - i, y1 - i);
                    root.draw(&PathElement::new(
                        vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0), (x1, y0)],
                        INK.stroke_width(OUTLINE_W),
                    ))?;
                }
            }
        }
        // Axis labels at the cells' centres, every `step`-th when they do not all fit.
        let x_labels: Vec<String> = self.xs.clone();
        let widest = x_labels
            .iter()
            .map(|l| text_width(l, style::TICK))
            .max()
            .unwrap_or(0);
        let step = ((widest + 8 + cell_w.max(1) - 1) / cell_w.max(1)).max(1) as usize;
        for (x, label) in x_labels.iter().enumerate().step_by(step) {
            let (cx, _) = at(x as f64 + 0.5, 0.0);
            root.draw(&Text::new(
                ellipsize(label, style::TICK, (cell_w * step as i32 - 8).max(20)),
                (cx, bottom + 8),
                style::anchored(style::TICK, INK, HPos::Center, VPos::Top),
            ))?;
        }
        let y_step = ((style::TICK as i32 + 2 + cell_h.max(1) - 1) / cell_h.max(1)).max(1) as usize;
        for (y, label) in y_labels.iter().enumerate().step_by(y_step) {
            let (_, cy) = at(0.0, y as f64 + 0.5);
            root.draw(&Text::new(
                label.clone(),
                (left - 10, cy),
                style::anchored(style::TICK, INK, HPos::Right, VPos::Center),
            ))?;
        }
        self.draw_bar(root, right + 28, top, bottom)
    }

    /// The colour bar from `top` to `bottom` (pixels) at `x`, with five values and the
    /// metric's description.
    fn draw_bar<DB: DrawingBackend>(
        &self,
        root: &Area<DB>,
        x: i32,
        top: i32,
        bottom: i32,
    ) -> Result<(), ChartError> {
        let h = (bottom - top).max(1) as f64;
        for k in 0..BAR_STEPS {
            let y0 = bottom - (h * (k + 1) as f64 / BAR_STEPS as f64).round() as i32;
            let y1 = bottom - (h * k as f64 / BAR_STEPS as f64).round() as i32;
            let t = (k as f64 + 0.5) / BAR_STEPS as f64;
            root.draw(&Rectangle::new(
                [(x, y0), (x + BAR_W, y1)],
                scale_colour(t).filled(),
            ))?;
        }
        root.draw(&Rectangle::new(
            [(x, top), (x + BAR_W, bottom)],
            INK.stroke_width(1),
        ))?;
        let ticks: Vec<f64> = if self.hi > self.lo {
            (0..5)
                .map(|k| self.lo + (self.hi - self.lo) * k as f64 / 4.0)
                .collect()
        } else {
            vec![self.lo]
        };
        let mut widest = 0;
        for v in ticks {
            let y = bottom - (h * self.t(v)).round() as i32;
            root.draw(&PathElement::new(
                vec![(x + BAR_W, y), (x + BAR_W + 5, y)],
                INK.stroke_width(1),
            ))?;
            let label = sig3(v);
            widest = widest.max(text_width(&label, style::VALUE));
            root.draw(&Text::new(
                label,
                (x + BAR_W + 8, y),
                style::anchored(style::VALUE, INK, HPos::Left, VPos::Center),
            ))?;
        }
        let desc_x = x + BAR_W + 8 + widest + 16;
        root.draw(&Text::new(
            ellipsize(&self.bar_desc, style::AXIS - 2.0, (bottom - top).max(40)),
            (desc_x, (top + bottom) / 2),
            style::vertical(style::AXIS - 2.0, INK),
        ))?;
        Ok(())
    }
}

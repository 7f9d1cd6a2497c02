//! [`Chart`]: a chart's data, prepared from [`VariantInput`]s, and its rendering to SVG and PNG.
//!
//! Preparing (the constructors) picks and checks the numbers; drawing (one module per chart
//! type) is generic over the plotters backend, always wrapped in [`Measured`].

mod bars;
mod breakdown;
mod days;
mod fit;
mod journeys;
mod queue;
mod sweep;
mod time_in_system;
mod utilisation_day;
mod warmup;

pub use journeys::{JourneyInput, MAX_PATIENTS as MAX_JOURNEYS};
pub use sweep::{MAX_LINES, SweepInput};
pub use warmup::WarmupInput;

use crate::backend::Measured;
use crate::layout::Area;
use crate::{ChartError, VariantInput};
use plotters::prelude::*;
use plotters_backend::DrawingBackend;
use sim_core::fit::FitReport;

/// The kinds of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChartKind {
    /// Where the time goes: stacked horizontal bars per variant.
    TimeBreakdown,
    /// Time in system: empirical CDF per variant with p50 and p90 marked.
    TimeInSystem,
    /// Queue length over the day per station (one variant).
    QueueLength,
    /// Utilisation per station with the 85% line.
    Utilisation,
    /// Utilisation by interval over the day per station (one variant).
    UtilisationByInterval,
    /// Mean wait per station with 95% confidence intervals.
    Waits,
    /// Utilisation per shared resource with the 85% line (scenarios with `[[resources]]`).
    ResourceUtilisation,
    /// Patient-hours waited and staff-hours of overtime per day (runs of several days).
    ByDay,
    /// `carepath fit`: histogram of the observations with the best fits' densities.
    FitDensity,
    /// `carepath fit`: Q-Q plot of the observations against the best fits.
    FitQq,
    /// `carepath sweep`: a metric across the sweep, one line per variant and value of the
    /// other varying parameters, with 95% confidence bands.
    Sweep,
    /// `carepath sweep`: a metric over two varying parameters as a heatmap (one variant).
    SweepHeatmap,
    /// Warm-up (Welch's method): a series averaged across replications, its moving average
    /// and the end of the warm-up (MSER-5).
    Warmup,
    /// Patient journeys: a timeline of sampled patients per variant, from the event log.
    Journeys,
}

/// A chart ready to render.
#[derive(Debug, Clone)]
pub struct Chart {
    kind: ChartKind,
    stem: String,
    title: String,
    size: (u32, u32),
    body: Body,
}

#[derive(Debug, Clone)]
enum Body {
    Breakdown(breakdown::Data),
    TimeInSystem(time_in_system::Data),
    Queue(queue::Data),
    Bars(bars::Data),
    Days(days::Data),
    Fit(fit::Data),
    Sweep(sweep::Lines),
    SweepHeatmap(sweep::Heatmap),
    Warmup(warmup::Data),
    Journeys(journeys::Data),
}

/// Facts shown in every subtitle.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    /// Scenario name.
    pub scenario: String,
    /// Replications per variant.
    pub replications: u32,
}

impl Context {
    fn of(inputs: &[VariantInput<'_>]) -> Result<Context, ChartError> {
        let first = inputs.first().ok_or(ChartError::NoVariants)?;
        Ok(Context {
            scenario: first.summary.scenario.clone(),
            replications: first.summary.replications,
        })
    }

    /// "N replications" / "1 replication".
    pub fn reps(&self) -> String {
        if self.replications == 1 {
            "1 replication".into()
        } else {
            format!("{} replications", self.replications)
        }
    }
}

/// Chart width in pixels (every chart).
pub(crate) const WIDTH: u32 = 1000;

/// Stations in model order (first variant's model, then any station only later variants
/// have): (id, display name).
pub(crate) fn stations(inputs: &[VariantInput<'_>]) -> Vec<(String, String)> {
    first_seen(inputs.iter().map(|v| v.model), |m| {
        m.stations()
            .iter()
            .map(|s| (s.id.as_str(), s.name.as_str()))
            .collect()
    })
}

/// Shared resources in model order (as [`stations`]): (id, display name).
pub(crate) fn resources(inputs: &[VariantInput<'_>]) -> Vec<(String, String)> {
    resources_of(inputs.iter().map(|v| v.model))
}

/// Shared resources of `models` in model order (as [`stations`]): (id, display name).
pub(crate) fn resources_of<'a>(
    models: impl Iterator<Item = &'a sim_core::Model>,
) -> Vec<(String, String)> {
    first_seen(models, |m| {
        m.resources()
            .iter()
            .map(|r| (r.id.as_str(), r.name.as_str()))
            .collect()
    })
}

/// The (id, name) pairs `items` gives for each of `models`, each id once, in order of first
/// appearance.
fn first_seen<'a>(
    models: impl Iterator<Item = &'a sim_core::Model>,
    items: impl Fn(&'a sim_core::Model) -> Vec<(&'a str, &'a str)>,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for m in models {
        for (id, name) in items(m) {
            if !out.iter().any(|(seen, _)| seen == id) {
                out.push((id.to_string(), name.to_string()));
            }
        }
    }
    out
}

/// The variant has results by day: a run of several days, with the hourly results they are
/// made from (with sampling off a calendar run still lists its days, but nothing waited or
/// arrived is measured by hour, so its days' waiting would read as zero).
pub(crate) fn has_days(v: &VariantInput<'_>) -> bool {
    !v.summary.by_day.is_empty() && !v.summary.by_hour.is_empty()
}

pub(crate) use days::weekday_name;

/// A finite value or zero.
pub(crate) fn finite(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

impl Chart {
    /// Where the time goes: per variant, a stacked bar of mean minutes per completed patient
    /// queueing at each station, in service and in delays.
    pub fn time_breakdown(inputs: &[VariantInput<'_>]) -> Result<Chart, ChartError> {
        let ctx = Context::of(inputs)?;
        let data = breakdown::Data::new(ctx, inputs);
        Ok(Chart {
            kind: ChartKind::TimeBreakdown,
            stem: "time_breakdown".into(),
            title: data.frame.title.clone(),
            size: (WIDTH, data.height()),
            body: Body::Breakdown(data),
        })
    }

    /// Time in system per variant: the empirical distribution function (pooled over the
    /// replications) with the median and the 90th percentile marked; the mean with its 95%
    /// confidence interval in a footnote.
    pub fn time_in_system(inputs: &[VariantInput<'_>]) -> Result<Chart, ChartError> {
        let ctx = Context::of(inputs)?;
        let data = time_in_system::Data::new(ctx, inputs);
        Ok(Chart {
            kind: ChartKind::TimeInSystem,
            stem: "time_in_system".into(),
            title: data.frame.title.clone(),
            size: (WIDTH, data.height()),
            body: Body::TimeInSystem(data),
        })
    }

    /// Queue length over the day at each station of one variant: mean across replications, the
    /// band between the 5th and 95th percentiles across replications, staffing changes marked.
    /// `stem_suffix` is appended to the file stem (`queue_length_<suffix>`) when not empty.
    pub fn queue_length(input: &VariantInput<'_>, stem_suffix: &str) -> Result<Chart, ChartError> {
        let ctx = Context::of(std::slice::from_ref(input))?;
        let data = queue::Data::new(ctx, input)?;
        Ok(Chart {
            kind: ChartKind::QueueLength,
            stem: if stem_suffix.is_empty() {
                "queue_length".into()
            } else {
                format!("queue_length_{}", file_safe(stem_suffix))
            },
            title: data.frame.title.clone(),
            size: (WIDTH, data.height()),
            body: Body::Queue(data),
        })
    }

    /// Utilisation by interval over the day at each station of one variant: mean across
    /// replications, the band between the 5th and 95th percentiles across replications, the
    /// 85% line and staffing changes. `stem_suffix` is appended to the file stem
    /// (`utilisation_by_interval_<suffix>`) when not empty.
    pub fn utilisation_by_interval(
        input: &VariantInput<'_>,
        stem_suffix: &str,
    ) -> Result<Chart, ChartError> {
        let ctx = Context::of(std::slice::from_ref(input))?;
        let data = queue::Data::utilisation(ctx, input)?;
        Ok(Chart {
            kind: ChartKind::UtilisationByInterval,
            stem: if stem_suffix.is_empty() {
                "utilisation_by_interval".into()
            } else {
                format!("utilisation_by_interval_{}", file_safe(stem_suffix))
            },
            title: data.frame.title.clone(),
            size: (WIDTH, data.height()),
            body: Body::Queue(data),
        })
    }

    /// Utilisation per station (whole observation window), variants side by side, with 95%
    /// confidence intervals and the 85% line.
    pub fn utilisation(inputs: &[VariantInput<'_>]) -> Result<Chart, ChartError> {
        let ctx = Context::of(inputs)?;
        let data = bars::Data::utilisation(ctx, inputs);
        Ok(Chart {
            kind: ChartKind::Utilisation,
            stem: "utilisation".into(),
            title: data.frame.title.clone(),
            size: (WIDTH, data.height()),
            body: Body::Bars(data),
        })
    }

    /// Mean wait in queue per station, variants side by side, with 95% confidence intervals.
    pub fn waits(inputs: &[VariantInput<'_>]) -> Result<Chart, ChartError> {
        let ctx = Context::of(inputs)?;
        let data = bars::Data::waits(ctx, inputs);
        Ok(Chart {
            kind: ChartKind::Waits,
            stem: "waits".into(),
            title: data.frame.title.clone(),
            size: (WIDTH, data.height()),
            body: Body::Bars(data),
        })
    }

    /// Utilisation per shared resource, variants side by side, with 95% confidence
    /// intervals and the 85% line; `NoData` when no variant has `[[resources]]`.
    pub fn resource_utilisation(inputs: &[VariantInput<'_>]) -> Result<Chart, ChartError> {
        let ctx = Context::of(inputs)?;
        if resources(inputs).is_empty() {
            return Err(ChartError::NoData {
                chart: "resource utilisation",
                reason: "the scenario declares no [[resources]]".into(),
            });
        }
        let data = bars::Data::resource_utilisation(ctx, inputs);
        Ok(Chart {
            kind: ChartKind::ResourceUtilisation,
            stem: "resource_utilisation".into(),
            title: data.frame.title.clone(),
            size: (WIDTH, data.height()),
            body: Body::Bars(data),
        })
    }

    /// Waiting and overtime by day, for runs of several days (`Summary::by_day`): per day the
    /// patient-hours spent waiting and the staff-hours of overtime (a second panel, left out
    /// when no variant works overtime), variants side by side; closed days shaded and
    /// labelled, weekday and date under each day of a calendar run. `NoData` when no variant
    /// has results by day.
    pub fn by_day(inputs: &[VariantInput<'_>]) -> Result<Chart, ChartError> {
        let ctx = Context::of(inputs)?;
        let data = days::Data::new(ctx, inputs)?;
        Ok(Chart {
            kind: ChartKind::ByDay,
            stem: "by_day".into(),
            title: data.frame.title.clone(),
            size: (WIDTH, data.height()),
            body: Body::Days(data),
        })
    }

    /// `carepath fit`'s histogram of the observations (minutes, `sorted` ascending; at
    /// least two different values) with the densities of the best three fits of `report`.
    /// `data` names the data (file and column) in the subtitle.
    pub fn fit_density(
        data: &str,
        report: &FitReport,
        sorted: &[f64],
    ) -> Result<Chart, ChartError> {
        let d = fit::Data::density(fit_context(data, report, sorted)?, report, sorted);
        Ok(Chart {
            kind: ChartKind::FitDensity,
            stem: "fit_density".into(),
            title: d.frame.title.clone(),
            size: (WIDTH, d.height()),
            body: Body::Fit(d),
        })
    }

    /// `carepath fit`'s Q-Q plot of the observations against the best three fits.
    pub fn fit_qq(data: &str, report: &FitReport, sorted: &[f64]) -> Result<Chart, ChartError> {
        let d = fit::Data::qq(fit_context(data, report, sorted)?, report, sorted);
        Ok(Chart {
            kind: ChartKind::FitQq,
            stem: "fit_qq".into(),
            title: d.frame.title.clone(),
            size: (WIDTH, d.height()),
            body: Body::Fit(d),
        })
    }

    /// `carepath sweep`: `metric` across the sweep. The x axis is the first parameter that
    /// takes more than one value (numeric when every value reads as a number, otherwise its
    /// values evenly spaced in sweep order); one line per variant and combination of the other
    /// varying parameters (legend `paper, adult=0.6`), each point's mean with its 95%
    /// confidence interval as a translucent band (none where the half-width is infinite), and
    /// `target`, if given, as a dashed line. File stem `sweep_<metric>`. `NoData` when no row
    /// has the metric (or a row's point has no values), `TooManyLines` beyond [`MAX_LINES`].
    pub fn sweep(
        input: &SweepInput<'_>,
        metric: &str,
        target: Option<f64>,
    ) -> Result<Chart, ChartError> {
        let target = target.filter(|t| t.is_finite());
        let d = sweep::Lines::new(input, metric, target)?;
        Ok(Chart {
            kind: ChartKind::Sweep,
            stem: format!("sweep_{}", file_safe(metric)),
            title: d.frame.title.clone(),
            size: (WIDTH, d.height()),
            body: Body::Sweep(d),
        })
    }

    /// `carepath sweep`: `metric` of `variant` (`""`: the base scenario) as a heatmap over
    /// the sweep's two varying parameters (x the first, y the second): one cell per point,
    /// coloured on a sequential scale (colour bar on the right) and labelled with the mean
    /// (three significant digits). With a `target`, the cells whose whole 95% interval is at or
    /// above it (mean − half-width ≥ target) are outlined. File stem
    /// `sweep_heatmap_<metric>[_<variant>]`. `VaryingParameters` unless exactly two parameters
    /// take more than one value; `NoData` when no row of the variant has the metric.
    pub fn sweep_heatmap(
        input: &SweepInput<'_>,
        metric: &str,
        variant: &str,
        target: Option<f64>,
    ) -> Result<Chart, ChartError> {
        let target = target.filter(|t| t.is_finite());
        let d = sweep::Heatmap::new(input, metric, variant, target)?;
        let mut stem = format!("sweep_heatmap_{}", file_safe(metric));
        if !variant.is_empty() {
            stem += &format!("_{}", file_safe(variant));
        }
        Ok(Chart {
            kind: ChartKind::SweepHeatmap,
            stem,
            title: d.frame.title.clone(),
            size: (WIDTH, d.height()),
            body: Body::SweepHeatmap(d),
        })
    }

    /// Warm-up (Welch's method): the series averaged across replications as a thin light
    /// line, its moving average as a bold one, and the end of the warm-up MSER-5 found as a
    /// dashed vertical line labelled with its clock time; the x axis is clock time. File stem
    /// `warmup`. `NoData` when the series has fewer than two bins, the moving average another
    /// length, the bins no positive width or the truncation lies past the series.
    pub fn warmup(input: &WarmupInput<'_>) -> Result<Chart, ChartError> {
        let d = warmup::Data::new(input)?;
        Ok(Chart {
            kind: ChartKind::Warmup,
            stem: "warmup".into(),
            title: d.frame.title.clone(),
            size: (WIDTH, d.height()),
            body: Body::Warmup(d),
        })
    }

    /// Patient journeys: for each variant's event log (one panel each, side by side on the
    /// same clock), the first `patients` patients of `replication` (at most
    /// [`MAX_JOURNEYS`]) as rows: waiting in a queue as a light bar, being served as a bar in
    /// the station's colour, delays as a grey line. File stem `journeys`. `NoData` when a log
    /// holds no patient.
    pub fn journeys(
        scenario: &str,
        replication: u32,
        inputs: &[JourneyInput<'_>],
        patients: usize,
    ) -> Result<Chart, ChartError> {
        let d = journeys::Data::new(scenario, replication, inputs, patients)?;
        Ok(Chart {
            kind: ChartKind::Journeys,
            stem: "journeys".into(),
            title: d.frame.title.clone(),
            size: (WIDTH, d.height()),
            body: Body::Journeys(d),
        })
    }

    /// The kind of chart.
    pub fn kind(&self) -> ChartKind {
        self.kind
    }

    /// File name without extension (e.g. `time_breakdown`, `queue_length_digital`).
    pub fn file_stem(&self) -> &str {
        &self.stem
    }

    /// The chart's title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// Size in pixels (width, height).
    pub fn size(&self) -> (u32, u32) {
        self.size
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        match &self.body {
            Body::Breakdown(d) => d.draw(root),
            Body::TimeInSystem(d) => d.draw(root),
            Body::Queue(d) => d.draw(root),
            Body::Bars(d) => d.draw(root),
            Body::Days(d) => d.draw(root),
            Body::Fit(d) => d.draw(root),
            Body::Sweep(d) => d.draw(root),
            Body::SweepHeatmap(d) => d.draw(root),
            Body::Warmup(d) => d.draw(root),
            Body::Journeys(d) => d.draw(root),
        }
    }

    /// The chart as an SVG document (with a `<title>` element for screen readers).
    pub fn svg(&self) -> Result<String, ChartError> {
        let mut out = String::new();
        {
            let root = Measured(SVGBackend::with_string(&mut out, self.size)).into_drawing_area();
            self.draw(&root)?;
            root.present()?;
        }
        // Insert <title> right after the opening <svg ...> tag.
        if let Some(end) = out.find('>') {
            out.insert_str(
                end + 1,
                &format!("\n<title>{}</title>", escape(&self.title)),
            );
        }
        Ok(out)
    }

    /// The chart as a PNG image (RGB, 8 bits per channel).
    #[cfg(all(feature = "png", not(target_arch = "wasm32")))]
    pub fn png(&self) -> Result<Vec<u8>, ChartError> {
        use plotters::backend::{BitMapBackend, RGBPixel};
        crate::font::register_for_bitmaps()?;
        let (w, h) = self.size;
        let mut pixels = vec![0u8; w as usize * h as usize * 3];
        {
            let backend = BitMapBackend::<RGBPixel>::with_buffer_and_format(&mut pixels, (w, h))
                .map_err(|e| ChartError::Drawing(e.to_string()))?;
            let root = Measured(backend).into_drawing_area();
            self.draw(&root)?;
            root.present()?;
        }
        let mut out = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut out, w, h);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder
                .write_header()
                .map_err(|e| ChartError::Png(e.to_string()))?;
            writer
                .write_image_data(&pixels)
                .map_err(|e| ChartError::Png(e.to_string()))?;
            writer
                .finish()
                .map_err(|e| ChartError::Png(e.to_string()))?;
        }
        Ok(out)
    }
}

/// Every chart for these variants: where the time goes, time in system, utilisation, waits,
/// the shared resources' utilisation (with `[[resources]]`), waiting and overtime by day (runs
/// of several days), and queue length and utilisation over the day for each variant with a
/// series (file stems `queue_length` and `utilisation_by_interval` for a single variant,
/// `queue_length_<label>` and `utilisation_by_interval_<label>` for several). Variants without
/// a usable series are skipped for those charts; the reasons are returned alongside.
pub fn standard_charts(
    inputs: &[VariantInput<'_>],
) -> Result<(Vec<Chart>, Vec<ChartError>), ChartError> {
    let mut charts = vec![
        Chart::time_breakdown(inputs)?,
        Chart::time_in_system(inputs)?,
    ];
    let mut skipped = Vec::new();
    for v in inputs {
        let suffix = if inputs.len() == 1 { "" } else { v.label };
        match Chart::queue_length(v, suffix) {
            Ok(c) => charts.push(c),
            Err(e @ ChartError::NoData { .. }) => skipped.push(e),
            Err(e) => return Err(e),
        }
    }
    charts.push(Chart::utilisation(inputs)?);
    for v in inputs {
        let suffix = if inputs.len() == 1 { "" } else { v.label };
        match Chart::utilisation_by_interval(v, suffix) {
            Ok(c) => charts.push(c),
            Err(e @ ChartError::NoData { .. }) => skipped.push(e),
            Err(e) => return Err(e),
        }
    }
    charts.push(Chart::waits(inputs)?);
    // Only scenarios with shared resources have this chart (not a skipped one elsewhere).
    if !resources(inputs).is_empty() {
        charts.push(Chart::resource_utilisation(inputs)?);
    }
    // Only runs of several days have results by day; a one-day run has no such chart (it is
    // not a skipped one).
    if inputs.iter().any(has_days) {
        charts.push(Chart::by_day(inputs)?);
    }
    Ok((charts, skipped))
}

fn fit_context(data: &str, report: &FitReport, sorted: &[f64]) -> Result<Context, ChartError> {
    if report.fits.is_empty() || sorted.len() != report.n || sorted.windows(2).any(|w| w[0] > w[1])
    {
        return Err(ChartError::NoData {
            chart: "fit",
            reason: "no family could be fitted, or the observations are not the report's, sorted"
                .into(),
        });
    }
    Ok(Context {
        scenario: data.to_string(),
        replications: 0,
    })
}

/// Letters, digits, `-` and `_` kept; anything else becomes `_`.
fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// XML text escaping.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests;

/// A chart context on a measured backend with two `f64` axes.
pub(crate) type Ctx<'a, DB> = ChartContext<
    'a,
    Measured<DB>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Space for the rotated y-axis description.
pub(crate) const Y_DESC_SPACE: i32 = 34;

/// A chart with one horizontal row per label (first label on top, row `i` spanning
/// `y ∈ [n−1−i, n−i]`) and a numeric x axis from 0 to `xmax`; the row labels are drawn left of
/// the axis, ellipsized to at most 260 pixels.
pub(crate) fn rows_chart<'a, DB: DrawingBackend>(
    root: &Area<DB>,
    area: &'a Area<DB>,
    labels: &[String],
    xmax: f64,
    x_desc: &str,
    y_desc: &str,
) -> Result<Ctx<'a, DB>, ChartError> {
    use crate::font::text_width;
    use crate::layout::{MARGIN, ellipsize};
    use crate::style::{self, INK};
    use plotters::style::text_anchor::{HPos, VPos};
    let labels: Vec<String> = labels
        .iter()
        .map(|l| ellipsize(l, style::TICK, 260))
        .collect();
    let label_w = labels
        .iter()
        .map(|l| text_width(l, style::TICK))
        .max()
        .unwrap_or(0);
    let n = labels.len().max(1) as f64;
    let mut chart = ChartBuilder::on(area)
        .margin_left(MARGIN - 10)
        .margin_right(MARGIN)
        .margin_top(6)
        .x_label_area_size(58)
        .y_label_area_size(label_w + 18 + Y_DESC_SPACE)
        .build_cartesian_2d(0.0..xmax, 0.0..n)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(10)
        .x_label_formatter(&|v| format_number(*v))
        .label_style(style::text(style::TICK, INK))
        .axis_desc_style(style::text(style::AXIS, INK))
        .x_desc(x_desc)
        .y_desc(y_desc)
        .bold_line_style(style::GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(INK.stroke_width(1))
        .draw()?;
    for (i, label) in labels.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(0.0, n - 1.0 - i as f64 + 0.5));
        root.draw(&Text::new(
            label.clone(),
            (x - 10, y),
            style::anchored(style::TICK, INK, HPos::Right, VPos::Center),
        ))?;
    }
    Ok(chart)
}

/// Tick labels: integers without decimals, others with up to two.
pub(crate) fn format_number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A round upper limit ≥ `x` (1, 2, 2.5, 5 × 10ⁿ steps), at least `min`.
pub(crate) fn nice_max(x: f64, min: f64) -> f64 {
    let x = finite(x).max(min);
    if x <= 0.0 {
        return 1.0;
    }
    let mag = 10f64.powf(x.log10().floor());
    for m in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if m * mag >= x - 1e-12 {
            return m * mag;
        }
    }
    10.0 * mag
}

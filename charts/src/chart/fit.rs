//! The pictures of `carepath fit`: a histogram of the observations with the best fits'
//! densities over it, and a Q-Q plot of the observations against each best fit's quantiles
//! (points on the diagonal mean the fit is right in that part of the range; the tails are
//! where fits usually differ).

use super::{Context, Y_DESC_SPACE, format_number, nice_max};
use crate::ChartError;
use crate::layout::{Area, Frame, LegendEntry, MARGIN, Swatch};
use crate::style::{self, INK, OTHER_GREY, variant_colour};
use plotters::prelude::*;
use plotters_backend::DrawingBackend;
use sim_core::fit::{FitReport, gof};

/// Fits drawn (the best by AIC).
pub(crate) const SHOWN: usize = 3;
/// Most points on a Q-Q line (evenly spaced in rank beyond that).
const QQ_POINTS: usize = 400;
/// Height of the plot (pixels).
const PLOT_H: i32 = 440;

#[derive(Debug, Clone)]
pub(crate) struct Data {
    pub frame: Frame,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    /// Bins (left edge, width, density) and per fit its density curve.
    Density {
        bins: Vec<(f64, f64, f64)>,
        curves: Vec<Vec<(f64, f64)>>,
        xmax: f64,
    },
    /// Per fit, (fitted quantile, observation) points.
    Qq {
        lines: Vec<Vec<(f64, f64)>>,
        max: f64,
    },
}

fn legend(report: &FitReport) -> Vec<LegendEntry> {
    report
        .fits
        .iter()
        .take(SHOWN)
        .enumerate()
        .map(|(i, f)| {
            LegendEntry::new(
                Swatch::Line(variant_colour(i), 3),
                format!("{}. {} (AIC {:.1})", i + 1, f.family.name(), f.aic),
            )
        })
        .collect()
}

fn subtitle(ctx: &Context, report: &FitReport, what: &str) -> String {
    format!(
        "{}: {what}, {} observations (mean {:.2} min, sd {:.2} min)",
        ctx.scenario, report.n, report.mean, report.sd
    )
}

impl Data {
    /// `sorted` are the observations in minutes, ascending; `ctx.scenario` names the data.
    pub fn density(ctx: Context, report: &FitReport, sorted: &[f64]) -> Data {
        let n = sorted.len();
        let q = |p: f64| sorted[((n - 1) as f64 * p).round() as usize];
        // Freedman–Diaconis bin width, between 10 and 60 bins over the range.
        let (lo, hi) = (sorted[0], sorted[n - 1]);
        let iqr = q(0.75) - q(0.25);
        let fd = 2.0 * iqr / libm::cbrt(n as f64);
        let bins_n = if fd > 0.0 {
            ((hi - lo) / fd).ceil().clamp(10.0, 60.0) as usize
        } else {
            10
        };
        let width = (hi - lo) / bins_n as f64;
        let mut counts = vec![0usize; bins_n];
        for &x in sorted {
            let i = (((x - lo) / width) as usize).min(bins_n - 1);
            counts[i] += 1;
        }
        let bins: Vec<(f64, f64, f64)> = counts
            .iter()
            .enumerate()
            .map(|(i, &c)| (lo + i as f64 * width, width, c as f64 / (n as f64 * width)))
            .collect();
        let xmax = nice_max(hi * 1.02, 1e-9);
        let curves = report
            .fits
            .iter()
            .take(SHOWN)
            .map(|f| {
                (0..=400)
                    .map(|i| {
                        let x = xmax * f64::from(i) / 400.0;
                        (x, super::finite(gof::density(&f.dist, x)))
                    })
                    .collect()
            })
            .collect();
        let mut notes = vec![format!(
            "Bars: the observations' histogram as a density ({bins_n} bins of {} min). Lines: \
             the fitted densities of the best {} fits by AIC (maximum likelihood).",
            format_number(width),
            SHOWN.min(report.fits.len())
        )];
        if let Some(best) = report.fits.first() {
            notes.push(format!("Best: {}", best.toml));
        }
        let mut legend = vec![LegendEntry::new(Swatch::Fill(OTHER_GREY), "observations")];
        legend.extend(self::legend(report));
        Data {
            frame: Frame {
                title: "Observed durations and fitted distributions".into(),
                subtitle: subtitle(&ctx, report, "histogram and fitted densities"),
                legend,
                notes,
            },
            kind: Kind::Density { bins, curves, xmax },
        }
    }

    /// The Q-Q plot: observation x₍ᵢ₎ against the fit's quantile at (i − ½) / n.
    pub fn qq(ctx: Context, report: &FitReport, sorted: &[f64]) -> Data {
        let n = sorted.len();
        let take = n.min(QQ_POINTS);
        let lines: Vec<Vec<(f64, f64)>> = report
            .fits
            .iter()
            .take(SHOWN)
            .map(|f| {
                (0..take)
                    .map(|j| {
                        let i = if take == n {
                            j
                        } else {
                            j * (n - 1) / (take - 1)
                        };
                        let p = (i as f64 + 0.5) / n as f64;
                        (gof::quantile(&f.dist, p), sorted[i])
                    })
                    .collect()
            })
            .collect();
        let max = lines
            .iter()
            .flatten()
            .map(|&(a, b)| a.max(b))
            .fold(sorted[n - 1], f64::max);
        Data {
            frame: Frame {
                title: "Q-Q plot of the best fits".into(),
                subtitle: subtitle(&ctx, report, "observed against fitted quantiles"),
                legend: self::legend(report),
                notes: vec![
                    "Each point is an observation (y) against the fitted distribution's \
                     quantile of the same rank (x); on the grey diagonal the fit matches the \
                     data. Departures at the right are the upper tail, where long waits come \
                     from."
                        .into(),
                ],
            },
            kind: Kind::Qq {
                lines,
                max: nice_max(max * 1.02, 1e-9),
            },
        }
    }

    pub fn height(&self) -> u32 {
        let w = super::WIDTH as i32;
        (self.frame.header_height(w) + self.frame.footer_height(w) + PLOT_H) as u32
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        let plot = self.frame.draw(root)?;
        match &self.kind {
            Kind::Density { bins, curves, xmax } => {
                let top = bins
                    .iter()
                    .map(|b| b.2)
                    .chain(curves.iter().flatten().map(|p| p.1))
                    .fold(0.0f64, f64::max);
                // Densities that shoot up near zero (shape below one) would flatten the
                // histogram: cap the axis at 1.6 times the tallest bar.
                let bar_top = bins.iter().map(|b| b.2).fold(0.0f64, f64::max);
                let ymax = nice_max(top.min(bar_top * 1.6) * 1.05, 1e-9);
                let mut chart = ChartBuilder::on(&plot)
                    .margin_left(MARGIN - 10)
                    .margin_right(MARGIN + 10)
                    .margin_top(10)
                    .x_label_area_size(58)
                    .y_label_area_size(70 + Y_DESC_SPACE)
                    .build_cartesian_2d(0.0..*xmax, 0.0..ymax)?;
                chart
                    .configure_mesh()
                    .x_labels(10)
                    .y_labels(8)
                    .x_label_formatter(&|v| format_number(*v))
                    .y_label_formatter(&|v| format!("{v:.3}"))
                    .label_style(style::text(style::TICK, INK))
                    .axis_desc_style(style::text(style::AXIS, INK))
                    .x_desc("duration (minutes)")
                    .y_desc("density (per minute)")
                    .bold_line_style(style::GRID.stroke_width(1))
                    .light_line_style(TRANSPARENT)
                    .axis_style(INK.stroke_width(1))
                    .draw()?;
                chart.draw_series(bins.iter().map(|&(x, w, d)| {
                    Rectangle::new([(x, 0.0), (x + w, d.min(ymax))], OTHER_GREY.filled())
                }))?;
                for (i, c) in curves.iter().enumerate().rev() {
                    chart.draw_series(LineSeries::new(
                        c.iter().map(|&(x, y)| (x, y.min(ymax))),
                        variant_colour(i).stroke_width(3),
                    ))?;
                }
            }
            Kind::Qq { lines, max } => {
                let mut chart = ChartBuilder::on(&plot)
                    .margin_left(MARGIN - 10)
                    .margin_right(MARGIN + 10)
                    .margin_top(10)
                    .x_label_area_size(58)
                    .y_label_area_size(54 + Y_DESC_SPACE)
                    .build_cartesian_2d(0.0..*max, 0.0..*max)?;
                chart
                    .configure_mesh()
                    .x_labels(10)
                    .y_labels(10)
                    .x_label_formatter(&|v| format_number(*v))
                    .y_label_formatter(&|v| format_number(*v))
                    .label_style(style::text(style::TICK, INK))
                    .axis_desc_style(style::text(style::AXIS, INK))
                    .x_desc("fitted quantile (minutes)")
                    .y_desc("observed (minutes)")
                    .bold_line_style(style::GRID.stroke_width(1))
                    .light_line_style(TRANSPARENT)
                    .axis_style(INK.stroke_width(1))
                    .draw()?;
                chart.draw_series(LineSeries::new(
                    [(0.0, 0.0), (*max, *max)],
                    style::MUTED.stroke_width(1),
                ))?;
                for (i, line) in lines.iter().enumerate().rev() {
                    let colour = variant_colour(i);
                    chart.draw_series(line.iter().map(|&(x, y)| {
                        Circle::new((x.min(*max), y.min(*max)), 3, colour.filled())
                    }))?;
                }
            }
        }
        Ok(())
    }
}

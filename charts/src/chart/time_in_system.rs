//! Time in system per variant: the pooled median, 90th and 95th percentiles of completed
//! patients' time from arrival to leaving, and the mean with its 95% confidence interval.
//!
//! sim-core's summaries carry these quantiles but no histogram, so this is a quantile chart
//! rather than a full distribution (CDF or histogram); see `docs/charts.md`.

use super::{Context, finite, rows_chart};
use crate::font::text_width;
use crate::layout::{Area, Frame, LegendEntry, Marker, Swatch, marker, whisker_h};
use crate::style::{self, BLUE, REDDISH_PURPLE, SKY_BLUE, VERMILLION};
use crate::{ChartError, VariantInput};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters_backend::DrawingBackend;

#[derive(Debug, Clone)]
struct Row {
    label: String,
    p50: f64,
    p90: f64,
    p95: f64,
    mean: f64,
    ci: Option<(f64, f64)>,
    observations: u64,
}

/// Prepared data.
#[derive(Debug, Clone)]
pub(crate) struct Data {
    pub frame: Frame,
    rows: Vec<Row>,
}

const ROW: i32 = 70;
const MEAN_COLOUR: RGBColor = RGBColor(0, 0, 0);

impl Data {
    pub fn new(ctx: Context, inputs: &[VariantInput<'_>]) -> Data {
        let rows: Vec<Row> = inputs
            .iter()
            .map(|v| {
                let t = &v.summary.time_in_system_min;
                Row {
                    label: v.label.to_string(),
                    p50: finite(t.p50),
                    p90: finite(t.p90),
                    p95: finite(t.p95),
                    mean: finite(t.mean),
                    ci: t.ci95_low.zip(t.ci95_high),
                    observations: t.observations,
                }
            })
            .collect();
        let mut notes = vec![
            "Percentiles are of all completed patients pooled over the replications; the \
             summary data holds no histogram, so the full distribution (CDF) cannot be drawn yet."
                .to_string(),
        ];
        if rows.iter().any(|r| r.ci.is_none()) {
            notes.push("No confidence interval with a single replication.".into());
        }
        if rows.iter().any(|r| r.observations == 0) {
            notes.push("A variant without completed patients is drawn at zero.".into());
        }
        Data {
            frame: Frame {
                title: "Time in system".into(),
                subtitle: format!(
                    "{}: minutes from arrival to leaving, completed patients ({})",
                    ctx.scenario,
                    ctx.reps()
                ),
                legend: vec![
                    LegendEntry::new(Swatch::Point(Marker::Circle, BLUE), "median (p50)"),
                    LegendEntry::new(Swatch::Band(SKY_BLUE, 0.45), "p50 to p90"),
                    LegendEntry::new(
                        Swatch::Point(Marker::Triangle, VERMILLION),
                        "90th percentile (p90)",
                    ),
                    LegendEntry::new(
                        Swatch::Point(Marker::Square, REDDISH_PURPLE),
                        "95th percentile (p95)",
                    ),
                    LegendEntry::new(
                        Swatch::PointWhisker(Marker::Diamond, MEAN_COLOUR),
                        "mean with 95% CI",
                    ),
                ],
                notes,
            },
            rows,
        }
    }

    pub fn height(&self) -> u32 {
        let w = super::WIDTH as i32;
        (self.frame.header_height(w)
            + self.frame.footer_height(w)
            + 80
            + ROW * self.rows.len() as i32) as u32
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        let plot = self.frame.draw(root)?;
        let top = self
            .rows
            .iter()
            .map(|r| r.p95.max(r.ci.map_or(0.0, |c| c.1)).max(r.mean))
            .fold(0.0f64, f64::max);
        let xmax = top.max(1.0) * 1.06;
        let labels: Vec<String> = self.rows.iter().map(|r| r.label.clone()).collect();
        let chart = rows_chart(
            root,
            &plot,
            &labels,
            xmax,
            "time in system (minutes)",
            "variant",
        )?;
        let n = self.rows.len() as f64;
        for (i, r) in self.rows.iter().enumerate() {
            let yc = n - 1.0 - i as f64 + 0.5;
            let px = |x: f64| chart.backend_coord(&(x, yc));
            let (x50, y) = px(r.p50);
            let (x90, _) = px(r.p90);
            let (x95, _) = px(r.p95);
            // Band from p50 to p90, thin line on to p95.
            root.draw(&Rectangle::new(
                [(x50, y - 9), (x90, y + 9)],
                SKY_BLUE.mix(0.45).filled(),
            ))?;
            root.draw(&PathElement::new(
                vec![(x90, y), (x95, y)],
                RGBColor(0x99, 0x99, 0x99).stroke_width(2),
            ))?;
            // Mean with CI, a little below the percentile line.
            let ym = y + 18;
            if let Some((lo, hi)) = r.ci {
                whisker_h(root, MEAN_COLOUR, px(lo).0, px(hi).0, ym)?;
            }
            marker(root, Marker::Diamond, MEAN_COLOUR, (px(r.mean).0, ym), 5)?;
            marker(root, Marker::Square, REDDISH_PURPLE, (x95, y), 7)?;
            marker(root, Marker::Triangle, VERMILLION, (x90, y), 7)?;
            marker(root, Marker::Circle, BLUE, (x50, y), 7)?;
            // Values above the p50 and p90 markers (p90 only when it does not collide).
            let l50 = format!("{:.0}", r.p50);
            let l90 = format!("{:.0}", r.p90);
            let above = y - 13;
            root.draw(&Text::new(
                l50.clone(),
                (x50, above),
                style::anchored(style::VALUE, BLUE, HPos::Center, VPos::Bottom),
            ))?;
            let w50 = text_width(&l50, style::VALUE);
            let w90 = text_width(&l90, style::VALUE);
            if x90 - x50 >= (w50 + w90) / 2 + 6 {
                root.draw(&Text::new(
                    l90,
                    (x90, above),
                    style::anchored(style::VALUE, VERMILLION, HPos::Center, VPos::Bottom),
                ))?;
            }
        }
        Ok(())
    }
}

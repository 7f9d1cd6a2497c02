//! Where the time goes: for each variant, one stacked horizontal bar of the mean minutes a
//! completed patient spends queueing at each station, in service and in delays, with the total
//! time in system written at its end.

use super::{Context, finite, rows_chart};
use crate::layout::{Area, Frame, LegendEntry, Swatch, minutes_label};
use crate::style::{self, DELAY_GREY, INK, OTHER_GREY, SERVICE_GREY, STATION_COLOURS};
use crate::{ChartError, VariantInput};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters_backend::DrawingBackend;

/// One part of the bars (the same part in every variant).
#[derive(Debug, Clone)]
struct Segment {
    label: String,
    colour: RGBColor,
    /// Minutes per variant.
    values: Vec<f64>,
}

/// Prepared data.
#[derive(Debug, Clone)]
pub(crate) struct Data {
    pub frame: Frame,
    variants: Vec<String>,
    segments: Vec<Segment>,
    totals: Vec<f64>,
}

/// Parts smaller than this (minutes) in every variant are left out.
const NEGLIGIBLE: f64 = 0.05;
/// Height of one bar row in pixels.
const ROW: i32 = 64;

impl Data {
    pub fn new(ctx: Context, inputs: &[VariantInput<'_>]) -> Data {
        let mut segments = Vec::new();
        for (k, (id, name)) in super::stations(inputs).iter().enumerate() {
            let values: Vec<f64> = inputs
                .iter()
                .map(|v| finite(v.breakdown.queueing_min.get(id).copied().unwrap_or(0.0)))
                .collect();
            if values.iter().any(|&x| x >= NEGLIGIBLE) {
                segments.push(Segment {
                    label: format!("Queueing at {name}"),
                    colour: STATION_COLOURS[k % STATION_COLOURS.len()],
                    values,
                });
            }
        }
        let mut fixed = |label: &str, colour, f: fn(&VariantInput<'_>) -> f64| {
            let values: Vec<f64> = inputs.iter().map(|v| finite(f(v)).max(0.0)).collect();
            if values.iter().any(|&x| x >= NEGLIGIBLE) {
                segments.push(Segment {
                    label: label.into(),
                    colour,
                    values,
                });
            }
        };
        fixed("In service (all stations)", SERVICE_GREY, |v| {
            v.breakdown.service_min
        });
        fixed("In delays (results, walking)", DELAY_GREY, |v| {
            v.breakdown.delay_min
        });
        fixed("Other (left early, still inside)", OTHER_GREY, |v| {
            v.breakdown.other_min
        });
        let mut notes = Vec::new();
        if inputs.iter().any(|v| v.breakdown.other_min < -0.5) {
            notes.push(
                "Queueing and service of patients who left early are counted per completed \
                 patient, so some bars are longer than the mean time in system written at their end."
                    .to_string(),
            );
        }
        let legend = segments
            .iter()
            .map(|s| LegendEntry::new(Swatch::Fill(s.colour), s.label.clone()))
            .collect();
        Data {
            frame: Frame {
                title: "Where the time goes".into(),
                subtitle: format!(
                    "{}: mean minutes per completed patient, by activity; total = mean time in \
                     system ({})",
                    ctx.scenario,
                    ctx.reps()
                ),
                legend,
                notes,
            },
            variants: inputs.iter().map(|v| v.label.to_string()).collect(),
            segments,
            totals: inputs
                .iter()
                .map(|v| finite(v.breakdown.time_in_system_min))
                .collect(),
        }
    }

    pub fn height(&self) -> u32 {
        let w = super::WIDTH as i32;
        (self.frame.header_height(w)
            + self.frame.footer_height(w)
            + 80
            + ROW * self.variants.len() as i32) as u32
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        let plot = self.frame.draw(root)?;
        let stacked: Vec<f64> = (0..self.variants.len())
            .map(|i| self.segments.iter().map(|s| s.values[i]).sum::<f64>())
            .collect();
        let longest = stacked
            .iter()
            .chain(&self.totals)
            .fold(0.0f64, |a, &b| a.max(b));
        // Room at the right for the total label ("312 min (5 h 12 min)", about 190 px of a
        // plot about 700 px wide).
        let xmax = longest.max(1.0) * 1.36;
        let chart = rows_chart(
            root,
            &plot,
            &self.variants,
            xmax,
            "minutes per completed patient (mean)",
            "variant",
        )?;
        let n = self.variants.len() as f64;
        for i in 0..self.variants.len() {
            let (y0, y1) = (n - 1.0 - i as f64 + 0.18, n - i as f64 - 0.18);
            let mut x = 0.0;
            for s in &self.segments {
                let v = s.values[i];
                if v <= 0.0 {
                    continue;
                }
                let rect = [(x, y0), (x + v, y1)];
                chart
                    .plotting_area()
                    .draw(&Rectangle::new(rect, s.colour.filled()))?;
                chart
                    .plotting_area()
                    .draw(&Rectangle::new(rect, WHITE.stroke_width(1)))?;
                // Minutes inside the segment when they fit.
                let label = format!("{v:.0}");
                let (px0, py) = chart.backend_coord(&(x, (y0 + y1) / 2.0));
                let (px1, _) = chart.backend_coord(&(x + v, y1));
                if v >= 0.5 && px1 - px0 >= crate::font::text_width(&label, style::VALUE) + 8 {
                    root.draw(&Text::new(
                        label,
                        ((px0 + px1) / 2, py),
                        style::anchored(
                            style::VALUE,
                            style::ink_on(s.colour),
                            HPos::Center,
                            VPos::Center,
                        ),
                    ))?;
                }
                x += v;
            }
            let (px, py) = chart.backend_coord(&(x.max(self.totals[i]), (y0 + y1) / 2.0));
            root.draw(&Text::new(
                minutes_label(self.totals[i]),
                (px + 10, py),
                style::anchored(style::VALUE + 2.0, INK, HPos::Left, VPos::Center),
            ))?;
        }
        Ok(())
    }
}

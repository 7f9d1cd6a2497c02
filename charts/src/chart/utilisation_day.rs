//! Utilisation over the day, one panel per station of one variant: busy server time divided by
//! on-duty server time in each sampling interval, the mean across replications with the band
//! between the 5th and 95th percentiles across replications, the 85% line and the staffing
//! changes of the station's schedule. Intervals when nobody was on duty have no value; the line
//! and band break there. Drawing is shared with the queue-length chart (`queue.rs`).

use super::Context;
use super::bars::UTILISATION_LINE;
use super::format_number;
use super::queue::{BAND_ALPHA, Data, Measure, OVERTIME_ALPHA, OVERTIME_GREY, station_panels};
use crate::layout::{Frame, LegendEntry, Swatch};
use crate::style::{BLUE, INK, SKY_BLUE, VERMILLION};
use crate::{ChartError, VariantInput};
use sim_core::scenario::units::format_clock;

impl Data {
    pub fn utilisation(ctx: Context, input: &VariantInput<'_>) -> Result<Data, ChartError> {
        let no_data = |reason: &str| ChartError::NoData {
            chart: "utilisation over the day",
            reason: reason.to_string(),
        };
        let series = input
            .series
            .ok_or_else(|| no_data("no series by interval was given"))?;
        let len = series
            .utilisation
            .values()
            .map(|b| b.mean.len())
            .max()
            .unwrap_or(0);
        if series.interval_min <= 0.0 || len == 0 {
            return Err(no_data(
                "sampling by interval is off (run.sample_interval = \"0min\")",
            ));
        }
        let start_h = series.start_min / 60.0;
        let step_h = series.interval_min / 60.0;
        let end_h = start_h + step_h * len as f64;
        let pad = |v: &[f64]| -> Vec<f64> {
            (0..len)
                .map(|k| v.get(k).copied().unwrap_or(f64::NAN))
                .collect()
        };
        let (panels, variant, staff_rows, name_rows) = station_panels(
            "utilisation over the day",
            input,
            &series.utilisation,
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
            LegendEntry::new(
                Swatch::Dashed(INK),
                format!(
                    "{:.0}% line (above it, queues grow quickly)",
                    UTILISATION_LINE * 100.0
                ),
            ),
        ];
        if staff_rows > 1 {
            legend.push(LegendEntry::new(
                Swatch::Dashed(VERMILLION),
                "staffing change (servers on duty from then)",
            ));
        }
        let mut notes = vec![format!(
            "Utilisation = busy server time ÷ on-duty server time in each {}-min interval from {}, \
             drawn at the interval's middle; no value (a gap) where nobody was on duty.",
            format_number(series.interval_min),
            format_clock(series.start_min)
        )];
        let mut data = Data {
            frame: Frame {
                title: format!("Utilisation over the day{variant}"),
                subtitle: format!(
                    "{}: share of on-duty server time spent serving, by interval; mean and \
                     5th–95th percentile band across {}",
                    ctx.scenario,
                    ctx.reps()
                ),
                legend: Vec::new(),
                notes: Vec::new(),
            },
            panels,
            start_h,
            step_h,
            end_h,
            staff_rows,
            name_rows,
            measure: Measure::Utilisation,
        };
        if data.panels.iter().any(|p| data.shows_overtime(p)) {
            legend.push(LegendEntry::new(
                Swatch::Band(OVERTIME_GREY, OVERTIME_ALPHA),
                "overtime (after the last shift)",
            ));
            notes.push(
                "Overtime (shaded): after a station's last shift only the servers still serving \
                 count as on duty, so utilisation there reads near 100% whenever anyone is \
                 served. It shows that staff worked past their shift, not that scheduled \
                 capacity was fully used."
                    .into(),
            );
        }
        if ctx.replications < 20 {
            notes.push(format!(
                "With {} the 5–95% band is close to the range of the replications.",
                ctx.reps()
            ));
        }
        data.frame.legend = legend;
        data.frame.notes = notes;
        Ok(data)
    }
}

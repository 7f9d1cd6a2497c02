//! Patient journeys: a Gantt-style timeline of sampled patients from the event log, one row
//! per patient, waiting in a queue as a light bar, being served as a bar in the station's
//! colour, delays (walking, waiting for results) as a thin grey line; one panel per variant,
//! side by side on the same clock, so that the same patients (common random numbers) can be
//! followed under paper and digital.

use super::{Y_DESC_SPACE, format_number};
use crate::ChartError;
use crate::layout::{Area, Frame, LegendEntry, MARGIN, Swatch};
use crate::style::{self, DELAY_GREY, INK, MUTED, OTHER_GREY, variant_colour};
use plotters::prelude::*;
use plotters_backend::DrawingBackend;
use sim_core::engine::event_log::{Activity, LogEvent, NONE};
use sim_core::scenario::units::format_clock;

/// One variant's event log, as the journey chart needs it.
#[derive(Debug, Clone, Copy)]
pub struct JourneyInput<'a> {
    /// The variant's label (panel title).
    pub label: &'a str,
    /// The logged events, in time order.
    pub events: &'a [LogEvent],
    /// Station ids by index (legend; colours follow station order).
    pub stations: &'a [String],
}

/// Most patients drawn (rows).
pub const MAX_PATIENTS: usize = 60;
/// Height of one patient's row (pixels).
const ROW_H: i32 = 16;

/// A bar of one patient's journey (hours after midnight).
#[derive(Debug, Clone, Copy)]
struct Bar {
    from: f64,
    to: f64,
    kind: BarKind,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum BarKind {
    Wait,
    Service(u32),
    Delay,
}

/// One panel: a variant's patients.
#[derive(Debug, Clone)]
struct Panel {
    label: String,
    /// Per patient (row): the span in the clinic and its bars.
    rows: Vec<(f64, f64, Vec<Bar>)>,
}

/// Prepared data.
#[derive(Debug, Clone)]
pub(crate) struct Data {
    pub frame: Frame,
    panels: Vec<Panel>,
    patients: usize,
    x0: f64,
    x1: f64,
    stations: usize,
}

fn rows_of(events: &[LogEvent], patients: usize) -> Vec<(f64, f64, Vec<Bar>)> {
    let mut rows: Vec<(f64, f64, Vec<Bar>)> = vec![(f64::NAN, f64::NAN, Vec::new()); patients];
    // Open intervals per patient: (wait start, service start and its station, delay start).
    let mut open: Vec<(f64, f64, u32, f64)> = vec![(f64::NAN, f64::NAN, NONE, f64::NAN); patients];
    for e in events {
        let k = e.patient as usize;
        if k == 0 || k > patients {
            continue;
        }
        let (row, o) = (&mut rows[k - 1], &mut open[k - 1]);
        let h = e.time / 60.0;
        match e.activity {
            Activity::Arrive => row.0 = h,
            Activity::Leave => row.1 = h,
            Activity::JoinQueue => o.0 = h,
            Activity::StartService => {
                if o.0.is_finite() {
                    row.2.push(Bar {
                        from: o.0,
                        to: h,
                        kind: BarKind::Wait,
                    });
                    o.0 = f64::NAN;
                }
                o.1 = h;
                o.2 = e.station;
            }
            Activity::EndService | Activity::Preempted => {
                if o.1.is_finite() {
                    row.2.push(Bar {
                        from: o.1,
                        to: h,
                        kind: BarKind::Service(o.2),
                    });
                    o.1 = f64::NAN;
                }
                if e.activity == Activity::Preempted {
                    o.0 = h; // waits again for the rest of its service
                }
            }
            Activity::DelayStart => o.3 = h,
            Activity::DelayEnd => {
                if o.3.is_finite() {
                    row.2.push(Bar {
                        from: o.3,
                        to: h,
                        kind: BarKind::Delay,
                    });
                    o.3 = f64::NAN;
                }
            }
            Activity::Balk | Activity::Renege => {
                if o.0.is_finite() {
                    row.2.push(Bar {
                        from: o.0,
                        to: h,
                        kind: BarKind::Wait,
                    });
                    o.0 = f64::NAN;
                }
            }
        }
    }
    rows
}

impl Data {
    pub fn new(
        scenario: &str,
        replication: u32,
        inputs: &[JourneyInput<'_>],
        patients: usize,
    ) -> Result<Data, ChartError> {
        let no_data = |reason: String| ChartError::NoData {
            chart: "journeys",
            reason,
        };
        let first = inputs.first().ok_or(ChartError::NoVariants)?;
        let logged = inputs
            .iter()
            .map(|i| {
                i.events
                    .iter()
                    .map(|e| e.patient as usize)
                    .max()
                    .unwrap_or(0)
            })
            .min()
            .unwrap_or(0);
        let patients = patients.min(MAX_PATIENTS).min(logged);
        if patients == 0 {
            return Err(no_data("the event log holds no patient".into()));
        }
        let panels: Vec<Panel> = inputs
            .iter()
            .map(|i| Panel {
                label: i.label.to_string(),
                rows: rows_of(i.events, patients),
            })
            .collect();
        let spans = panels
            .iter()
            .flat_map(|p| &p.rows)
            .flat_map(|r| [r.0, r.1].into_iter().chain(r.2.iter().map(|b| b.to)))
            .filter(|x| x.is_finite());
        let (x0, x1) = spans.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
        if !(x0.is_finite() && x1 > x0) {
            return Err(no_data("the patients' journeys take no time".into()));
        }
        let mut legend = vec![LegendEntry::new(
            Swatch::Fill(OTHER_GREY),
            "waiting in a queue",
        )];
        let used: std::collections::BTreeSet<u32> = panels
            .iter()
            .flat_map(|p| &p.rows)
            .flat_map(|r| &r.2)
            .filter_map(|b| match b.kind {
                BarKind::Service(s) if s != NONE => Some(s),
                _ => None,
            })
            .collect();
        for &s in &used {
            legend.push(LegendEntry::new(
                Swatch::Fill(variant_colour(s as usize)),
                format!("served at {}", first.stations[s as usize]),
            ));
        }
        legend.push(LegendEntry::new(
            Swatch::Line(DELAY_GREY, 3),
            "delay (walking, waiting for results)",
        ));
        let mean_stay = |p: &Panel| {
            let stays: Vec<f64> = p
                .rows
                .iter()
                .filter(|r| r.0.is_finite() && r.1.is_finite())
                .map(|r| (r.1 - r.0) * 60.0)
                .collect();
            stays.iter().sum::<f64>() / stays.len().max(1) as f64
        };
        let notes = vec![format!(
            "Mean time in the clinic of these patients: {}. One row per patient, in the order \
             they arrived; the same row is the same patient in every panel (common random \
             numbers).",
            panels
                .iter()
                .map(|p| format!("{} {} min", p.label, format_number(mean_stay(p))))
                .collect::<Vec<_>>()
                .join(", ")
        )];
        Ok(Data {
            frame: Frame {
                title: "Patient journeys".into(),
                subtitle: format!(
                    "{scenario}: the first {patients} patients of replication {replication}, waiting and being served at each step"
                ),
                legend,
                notes,
            },
            panels,
            patients,
            x0,
            x1,
            stations: first.stations.len(),
        })
    }

    pub fn height(&self) -> u32 {
        let w = super::WIDTH as i32;
        (self.frame.header_height(w) + self.frame.footer_height(w) + self.plot_h() + 90) as u32
    }

    fn plot_h(&self) -> i32 {
        (self.patients as i32 * ROW_H).max(160)
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        let plot = self.frame.draw(root)?;
        let panels = plot.split_evenly((1, self.panels.len()));
        let n = self.patients as f64;
        for (k, (area, panel)) in panels.iter().zip(&self.panels).enumerate() {
            let mut chart = ChartBuilder::on(area)
                .caption(panel.label.as_str(), style::text(style::AXIS, INK))
                .margin_left(if k == 0 { MARGIN - 10 } else { 8 })
                .margin_right(if k + 1 == self.panels.len() {
                    MARGIN
                } else {
                    8
                })
                .margin_top(6)
                .x_label_area_size(50)
                .y_label_area_size(if k == 0 { 40 + Y_DESC_SPACE } else { 10 })
                .build_cartesian_2d(self.x0..self.x1, n + 0.5..0.5)?;
            let mut mesh = chart.configure_mesh();
            mesh.x_labels(6)
                .y_labels(self.patients.min(12))
                .x_label_formatter(&|h| format_clock(h * 60.0))
                .y_label_formatter(&|v| format!("{}", v.round() as i64))
                .label_style(style::text(style::TICK, INK))
                .axis_desc_style(style::text(style::AXIS, INK))
                .x_desc("time of day")
                .bold_line_style(style::GRID.stroke_width(1))
                .light_line_style(TRANSPARENT)
                .axis_style(INK.stroke_width(1));
            if k == 0 {
                mesh.y_desc("patient");
            }
            mesh.draw()?;
            for (i, (arrive, leave, bars)) in panel.rows.iter().enumerate() {
                let y = (i + 1) as f64;
                if arrive.is_finite() {
                    let end = if leave.is_finite() { *leave } else { self.x1 };
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(*arrive, y), (end, y)],
                        MUTED.stroke_width(1),
                    )))?;
                }
                for b in bars {
                    match b.kind {
                        BarKind::Delay => {
                            chart.draw_series(std::iter::once(PathElement::new(
                                vec![(b.from, y), (b.to, y)],
                                DELAY_GREY.stroke_width(4),
                            )))?;
                        }
                        BarKind::Wait | BarKind::Service(_) => {
                            let colour = match b.kind {
                                BarKind::Service(s)
                                    if s != NONE && (s as usize) < self.stations =>
                                {
                                    variant_colour(s as usize)
                                }
                                BarKind::Service(_) => MUTED,
                                _ => OTHER_GREY,
                            };
                            let half = if b.kind == BarKind::Wait { 0.22 } else { 0.36 };
                            chart.draw_series(std::iter::once(Rectangle::new(
                                [(b.from, y - half), (b.to, y + half)],
                                colour.filled(),
                            )))?;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

//! Which of the engine's features a compiled model uses, and so which event loop it runs in.
//!
//! The event loop is written once, generic over `const LEAN: bool`; the lean instance leaves
//! out the checks for the features below. Eligibility is not a hand-kept list of conditions:
//! [`Features::of`] takes the model, and every part of it that reaches the engine, apart with
//! exhaustive patterns (no `..`), so a field added to `Model`, `Station`, `Class`, `Stream`,
//! `StreamKind`, `Step`, `StepKind` or `Workflow` does not compile until it is classified here,
//! either as a feature the lean loop must not see or, with a reason, as one it handles. The
//! unit test `random_lean_models_run_the_same_in_both_loops` (engine/tests.rs) checks the
//! classification over random models, bit for bit.

use crate::model::workflow::Workflow;
use crate::model::{Class, Model, Station, Step, StepKind, Stream, StreamKind};
use crate::scenario::{Discipline, ShiftEnd};

/// The features of a model that only the general event loop handles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Features {
    /// More than one patient class (per-class counts, class draws).
    pub classes: bool,
    /// Class service-time multipliers.
    pub multipliers: bool,
    /// Staffing changes over the day (shifts, overtime).
    pub staffing_changes: bool,
    /// A queue with a capacity, or balking by queue length.
    pub queue_capacity: bool,
    /// Priority queues.
    pub priorities: bool,
    /// Patience (reneging, and with it stale queue entries).
    pub patience: bool,
    /// Digital levers with some adoption (skips, kiosks, face scan, online booking).
    pub digital: bool,
    /// Appointment or batch streams, or streams of a fixed class.
    pub scheduled_arrivals: bool,
    /// Queue-length sampling.
    pub sampling: bool,
    /// Stations that seize shared resources (`[[resources]]`).
    pub shared_resources: bool,
    /// Services that can be interrupted (preemption by priority, shift-end rules).
    pub interruptions: bool,
    /// Arrivals possible before the observation window opens (a warm-up, or a window that
    /// opens before the clinic), so waits and stays must be clipped to the window.
    pub clipped_window: bool,
    /// Service-level targets, counted per patient (the lean loop does not count them).
    pub targets: bool,
    /// Some station's queue calls booked patients by their slot time (a keyed queue).
    pub appointment_order: bool,
}

impl Features {
    /// The features `model` uses.
    pub fn of(model: &Model) -> Features {
        let Model {
            // Names, documentation and the study's size never reach the event loop.
            name: _,
            description: _,
            seed: _,
            replications: _,
            warnings: _,
            variant: _,
            variant_ids: _,
            // Only decides which model is run, never how.
            warm_up_auto: _,
            // Both loops stop arrivals at the cap, at closing time and at the hard stop.
            close: _,
            stop: _,
            max_arrivals: _,
            // With one class (below) there is nothing to draw.
            class_cumulative: _,
            // Routing is the same code in both loops.
            pathways: _,
            routes: _,
            open,
            stats_start,
            sample_interval,
            classes,
            stations,
            resources,
            steps,
            streams,
            has_multipliers,
            workflow,
            targets,
            // A calendar acts through what it expands into: staffing changes (the end-of-day
            // rule rides on them) and stream pieces, classified below.
            calendar: _,
        } = model;
        let mut f = Features {
            classes: classes.len() > 1,
            multipliers: *has_multipliers,
            sampling: *sample_interval > 0.0,
            clipped_window: stats_start < open,
            digital: Self::digital(workflow),
            shared_resources: !resources.is_empty(),
            interruptions: resources.iter().any(|r| r.shift_end != ShiftEnd::Finish),
            targets: !targets.is_empty(),
            ..Features::default()
        };
        for class in classes {
            let Class {
                id: _,
                name: _,
                // Priorities matter only at priority stations (below).
                priority: _,
                multipliers: _,
                // Matters only where patients can leave (`patience`, `queue_capacity`).
                leaves: _,
            } = class;
        }
        for station in stations {
            f.station(station);
        }
        for step in steps {
            let Step {
                id: _,
                pathway: _,
                kind,
                routes: _,
                cyclic: _,
                keys: _,
                // A role matters only to digital patients (`digital`).
                role: _,
                fixed_next: _,
            } = step;
            match kind {
                StepKind::Visit {
                    station: _,
                    service: _,
                    // Marks its station (`appointment_order`, below at the station).
                    by_appointment: _,
                }
                | StepKind::Delay { delay: _ } => {}
            }
        }
        for stream in streams {
            f.stream(stream, *stats_start);
        }
        f
    }

    /// True when the model uses none of the features: it may run in the lean loop.
    pub fn lean(&self) -> bool {
        *self == Features::default()
    }

    fn digital(workflow: &Workflow) -> bool {
        let Workflow {
            adoption,
            // Levers act only through adopters: with no adoption nobody is digital.
            levers: _,
            online,
            point_of_care: _,
            credit: _,
            results_online: _,
            face_scan: _,
            e_prescription: _,
        } = workflow;
        // Online registration changes arrivals even where nobody adopts it (the booked
        // stream's shape is consulted), so it alone sends a model to the general loop.
        online.is_some() || adoption.iter().any(|a| *a > 0.0)
    }

    fn station(&mut self, station: &Station) {
        let Station {
            id: _,
            name: _,
            initial_servers: _,
            // The station's own service applies only at a kiosk, that is to digital patients.
            service: _,
            // A validation bound.
            max_servers: _,
            changes,
            discipline,
            capacity,
            patience,
            balking,
            requires,
            // Alternatives are among `requires` (`shared_resources`).
            choose: _,
            // Ranks only stations that require shared resources (`shared_resources`).
            priority: _,
            shift_end,
            preemption,
            by_appointment,
        } = station;
        self.appointment_order |= *by_appointment;
        self.interruptions |= *shift_end != ShiftEnd::Finish || preemption.is_some();
        self.shared_resources |= !requires.is_empty();
        self.staffing_changes |= !changes.is_empty();
        self.queue_capacity |= *capacity != u32::MAX || !balking.is_empty();
        self.priorities |= *discipline == Discipline::Priority;
        self.patience |= !patience.is_empty();
    }

    fn stream(&mut self, stream: &Stream, stats_start: f64) {
        let Stream {
            id: _,
            hash: _,
            start_step: _,
            // The day's shape is used only for online booking (`digital`).
            shape: _,
            class,
            kind,
        } = stream;
        self.scheduled_arrivals |= class.is_some_and(|c| c != 0);
        match kind {
            StreamKind::Poisson { pieces } => {
                // Poisson arrivals never precede their first piece, so with every first piece
                // inside the window nothing needs clipping.
                self.clipped_window |= pieces.first().is_some_and(|p| p.0 < stats_start);
            }
            StreamKind::Appointments {
                sessions: _,
                slot: _,
                per_slot: _,
                no_show: _,
                punctuality: _,
                late: _,
                no_show_by_session: _,
            }
            | StreamKind::Batch { at: _, count: _ } => self.scheduled_arrivals = true,
        }
    }
}

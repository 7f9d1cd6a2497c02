//! Patient slots: what the engine knows of a patient in the clinic, kept in a slab reused as
//! patients leave.

use super::Simulator;
use super::index::StationIx;
use super::index::StreamIx;

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Patient {
    pub(super) key: u64,
    pub(super) arrival: f64,
    pub(super) enqueued: f64,
    pub(super) step: u32,
    /// The current step's `fixed_next` (or `ROUTED`), copied when the step is entered so that
    /// the common case of leaving it needs no look-up of the step.
    pub(super) next: u32,
    /// Bumped whenever a wait ends or the slot is reused, so stale queue entries and
    /// patience timers can be recognised.
    pub(super) generation: u32,
    pub(super) loop_visits: u32,
    pub(super) class: u16,
    /// Uses the digital workflow (drawn once from the class's adoption share).
    pub(super) digital: bool,
    /// Which service distribution applies at the current station (see `Service`).
    pub(super) service: Service,
    /// Station the patient is queueing or being served at.
    pub(super) at_station: StationIx,
    /// What the patient is doing (for the end-of-run accounting of waits and services).
    pub(super) state: State,
    /// At stations whose services can be interrupted: while in service, when the service
    /// ends; while waiting after an interruption (`interrupted`), the service time still owed.
    pub(super) work: f64,
    /// Service-end events still pending from interrupted services (each is ignored when it
    /// comes; they always come before the live one, see `engine::interruption`).
    pub(super) stale: u32,
    /// Waiting again after an interruption: the next service is owed `work`, and is not a new
    /// visit.
    pub(super) interrupted: bool,
    /// At a station with alternatives among its shared resources: the one this service took
    /// (a `Need::alt`; 0 elsewhere).
    pub(super) option: u8,
}

/// Which service distribution a patient gets at the station they joined.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum Service {
    /// The step's own (or its station's) distribution.
    #[default]
    Step,
    /// The joined station's default (a kiosk instead of the counter).
    Station,
    /// The face-scan distribution.
    FaceScan,
}

/// What a patient slot holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum State {
    /// Nobody (a free slot).
    #[default]
    Free,
    /// A booked patient who has not walked in yet.
    Booked,
    /// In the clinic: on a delay step or between steps.
    Elsewhere,
    /// In a station's queue since `enqueued`.
    Waiting,
    /// In service since `enqueued`.
    InService,
}

impl<'m> Simulator<'m> {
    #[inline(always)]
    pub(super) fn allocate<const LEAN: bool>(&mut self, key: u64, s: StreamIx) -> u32 {
        // Lean: one class and no digital adoption, so neither draws.
        let class = if LEAN { 0 } else { self.class_for(s, key) };
        let digital = !LEAN && self.is_digital(key, class);
        let start = self.model.streams[s.ix()].start_step;
        let p = Patient {
            key,
            step: start,
            next: self.fixed_next(start),
            class,
            digital,
            state: State::Booked,
            ..Default::default()
        };
        let i = match self.free.pop() {
            Some(i) => {
                let g = self.patients[i as usize].generation.wrapping_add(1);
                self.patients[i as usize] = Patient { generation: g, ..p };
                i
            }
            None => {
                self.patients.push(p);
                (self.patients.len() - 1) as u32
            }
        };
        if !LEAN && self.keyed {
            self.clear_booking(i);
        }
        if !LEAN && self.logging {
            self.log_enter(i, key);
        }
        i
    }

    pub(super) fn release(&mut self, p: u32) {
        let pat = &mut self.patients[p as usize];
        pat.generation = pat.generation.wrapping_add(1);
        pat.state = State::Free;
        self.free.push(p);
    }
}

//! The next-event engine: one replication of a model, from an empty clinic to the last
//! departure (or the hard stop).
//!
//! Design for speed, in this order of importance:
//! * the event set is one small `Copy` enum dispatched by `match`, held in a 4-ary heap;
//! * patient state lives in a slab (`Vec<Patient>` plus a free list) reused as patients leave,
//!   so storage grows with the number of patients *in the system*, not ever simulated;
//! * station queues are ring buffers of `(slot, generation)` words; a patient who reneges is
//!   left in place and skipped when reached (lazy deletion), so leaving a queue is O(1);
//! * routing, service distributions and class multipliers were resolved to indices when the
//!   model was built: nothing is hashed, looked up by name or allocated per event.

use crate::error::RunError;
use crate::event_queue::EventQueue;
use crate::model::{Model, StreamKind};
use crate::rng::{self};
use std::sync::atomic::{AtomicBool, Ordering};

/// The event loop looks at the caller's stop flag once every this many events (a power of
/// two): often enough to stop within milliseconds, rarely enough to cost nothing measurable.
const STOP_CHECK_EVENTS: u32 = 4096;

/// Most patients in the clinic at once (patient slots, about 50 bytes each, plus their events
/// and queue entries: about 2 GB). A model this overloaded stops with
/// [`RunError::TooManyInSystem`] instead of running the machine out of memory; checked with
/// the stop flag, so at most a few thousand slots beyond it are ever allocated.
pub const MAX_IN_SYSTEM: usize = 25_000_000;

mod appointment;
mod arrivals;
mod closing;
mod event;
pub mod event_log;
pub mod event_queue;
pub mod features;
pub mod hourly;
mod index;
mod interruption;
mod measure;
mod pathway;
mod patience;
mod patient;
mod resource;
mod staffing;
mod station;
#[cfg(test)]
mod tests;
mod workflow;

use arrivals::{StreamState, lead_time};
use event::Ev;
pub use features::Features;
use index::{StationIx, StreamIx};
pub use measure::{
    ClassResult, PatientCounts, ReplicationResult, ResourceResult, StationResult, TargetCount,
};
use patient::Patient;
use resource::ResourceState;
use station::StationState;

/// Runs replications of one model, reusing its storage between them.
pub struct Simulator<'m> {
    model: &'m Model,
    patients: Vec<Patient>,
    free: Vec<u32>,
    events: EventQueue<Ev>,
    /// Pending patience timers: (patient slot, the patient's generation during the wait the
    /// timer was set for). A slab reused through `free_timers`. Identifying a timer by the
    /// patient's generation, not by its event's sequence number, keeps it valid when the event
    /// queue renumbers its sequence (after 2^32 events).
    timers: Vec<(u32, u32)>,
    free_timers: Vec<u32>,
    stations: Vec<StationState>,
    /// Shared pools (empty unless the model declares `[[resources]]`).
    resources: Vec<ResourceState>,
    /// For each station of shared resources: every station sharing one of its resources
    /// (itself included), in station order: the candidates for units it frees.
    rivals: Vec<Vec<u32>>,
    streams: Vec<StreamState>,
    /// Priority level of each (station, class).
    level_of: Vec<Vec<u16>>,
    rep_key: u64,
    in_system: u64,
    /// Pending events that can still bring patients (arrivals, slots, batches, booked visits).
    pending_sources: u64,
    class_in_system: Vec<u64>,
    stop_arrivals: bool,
    /// Queue lengths are sampled (`sample_interval > 0`): only then is `busy_since_sum` kept.
    sampling: bool,
    /// Some station chooses among alternative resources by a rule that compares pools
    /// (`first_free`, `least_utilised`): only then do pools keep what it compares.
    track_choice: bool,
    /// One patient class: its counts and time-in-system tally are the overall ones, copied at
    /// the end.
    one_class: bool,
    /// The model uses none of the [`Features`] only the general loop handles: the event loop
    /// then runs its `LEAN = true` instance, without those checks and without clipping
    /// waits, services and stays to the window (about 10% faster on the canonical workload;
    /// docs/performance.md).
    lean: bool,
    /// Raised by the caller to stop a run (checked every `STOP_CHECK_EVENTS` events).
    stop_flag: Option<&'m AtomicBool>,
    /// `MAX_IN_SYSTEM` (lower in tests).
    max_in_system: usize,
    /// Time of the replication's first arrival (infinite before it; kept only outside the
    /// lean loop, whose models never open the window before the clinic).
    first_arrival: f64,
    /// Stations whose constant servers count as staffed only from opening time (the window
    /// opens earlier because booked patients may come early).
    staffed_from_open: Vec<u32>,
    /// Some station calls booked patients by their slot (see `engine::appointment`): then
    /// each patient slot's booked call time (NaN when not booked) and queue call time.
    keyed: bool,
    booked_at: Vec<f64>,
    queue_key: Vec<f64>,
    /// An event log is kept (`with_event_log`): the general loop's hooks record into `log`.
    logging: bool,
    log: event_log::LogState,
    out: ReplicationResult,
}

/// Runs one replication (convenience wrapper around [`Simulator`]).
pub fn run_replication(model: &Model, replication: u32) -> Result<ReplicationResult, RunError> {
    Simulator::new(model).run(replication)
}

impl<'m> Simulator<'m> {
    /// Prepares a simulator for `model`.
    pub fn new(model: &'m Model) -> Self {
        let level_of = model
            .stations
            .iter()
            .map(|s| {
                if s.discipline == crate::scenario::Discipline::Priority {
                    let mut prios: Vec<i32> = model.classes.iter().map(|c| c.priority).collect();
                    prios.sort_unstable_by(|a, b| b.cmp(a));
                    prios.dedup();
                    model
                        .classes
                        .iter()
                        .map(|c| prios.iter().position(|p| *p == c.priority).unwrap_or(0) as u16)
                        .collect()
                } else {
                    vec![0; model.classes.len()]
                }
            })
            .collect();
        Simulator {
            model,
            patients: Vec::new(),
            free: Vec::new(),
            events: EventQueue::new(),
            timers: Vec::new(),
            free_timers: Vec::new(),
            stations: Vec::new(),
            resources: Vec::new(),
            rivals: model
                .stations
                .iter()
                .map(|s| {
                    let mut r: Vec<u32> = s
                        .requires
                        .iter()
                        .flat_map(|n| model.resources[n.resource as usize].users.iter().copied())
                        .collect();
                    r.sort_unstable();
                    r.dedup();
                    r
                })
                .collect(),
            streams: Vec::new(),
            level_of,
            rep_key: 0,
            in_system: 0,
            pending_sources: 0,
            class_in_system: Vec::new(),
            stop_arrivals: false,
            sampling: model.sample_interval > 0.0,
            track_choice: model.stations.iter().any(|s| {
                s.choose
                    .is_some_and(|c| c != crate::scenario::Choose::Preference)
            }),
            one_class: model.classes.len() == 1,
            lean: Self::is_lean(model),
            stop_flag: None,
            max_in_system: MAX_IN_SYSTEM,
            first_arrival: f64::INFINITY,
            staffed_from_open: if model.stats_start < model.open {
                (0..model.stations.len() as u32)
                    .filter(|&i| {
                        let s = &model.stations[i as usize];
                        // Stations of shared resources follow their pools (`engine::resource`).
                        s.changes.is_empty() && s.requires.is_empty()
                    })
                    .collect()
            } else {
                Vec::new()
            },
            keyed: model.stations.iter().any(|s| s.by_appointment),
            booked_at: Vec::new(),
            queue_key: Vec::new(),
            logging: false,
            log: event_log::LogState::default(),
            out: ReplicationResult::default(),
        }
    }

    /// Makes the run stop with [`RunError::Interrupted`] soon after `flag` becomes true, even
    /// in the middle of a long replication.
    pub fn with_stop_flag(mut self, flag: &'m AtomicBool) -> Self {
        self.stop_flag = Some(flag);
        self
    }

    /// Whether `model` can run in the lean event loop: it uses none of the [`Features`]
    /// only the general loop handles.
    pub(super) fn is_lean(model: &Model) -> bool {
        Features::of(model).lean()
    }

    pub(super) fn reset(&mut self, replication: u32) {
        let m = self.model;
        self.patients.clear();
        self.free.clear();
        self.events.clear();
        self.timers.clear();
        self.free_timers.clear();
        self.rep_key = rng::replication_key(m.seed, replication);
        self.in_system = 0;
        self.first_arrival = f64::INFINITY;
        self.pending_sources = 0;
        self.class_in_system.clear();
        self.class_in_system.resize(m.classes.len(), 0);
        self.stop_arrivals = false;
        if self.logging {
            self.log.reset();
        }
        // Station states and results keep their storage from the last replication (queues,
        // histograms, sample vectors): cleared, not reallocated, so a study of thousands of
        // short replications does not allocate and zero its buffers afresh each time (see
        // `run_into` and `finish`).
        self.stations.truncate(m.stations.len());
        self.stations
            .resize_with(m.stations.len(), StationState::default);
        for (st, (s, levels)) in self
            .stations
            .iter_mut()
            .zip(m.stations.iter().zip(&self.level_of))
        {
            st.reset(s.initial_servers, levels);
        }
        self.streams.clear();
        self.streams.extend(m.streams.iter().map(|s| StreamState {
            rng: rng::stream_rng(self.rep_key, s.hash),
            base: rng::stream_base(self.rep_key, s.hash),
            piece: 0,
            steady: match &s.kind {
                StreamKind::Poisson { pieces } => match pieces[..] {
                    [(from, to, rate)] if to == f64::INFINITY && rate > 0.0 => (from, rate),
                    _ => (0.0, 0.0),
                },
                _ => (0.0, 0.0),
            },
            ordinal: 0,
            slot_in_session: 0,
        }));
        self.out
            .reset(replication, m.classes.len(), m.targets.list.len());
        // First push: at equal times it precedes every other event.
        self.events.push(m.stats_start.max(0.0), Ev::StatsStart);
        self.reset_resources();
        self.mark_interruptible();
        let pools_from_open =
            m.stats_start < m.open && m.resources.iter().any(|r| r.changes.is_empty());
        if !self.staffed_from_open.is_empty() || pools_from_open {
            for &i in &self.staffed_from_open {
                // Until opening, only busy servers count as available (`touch_capacity`
                // integrates max(on duty, busy)); `avail` keeps them serving early patients.
                self.stations[i as usize].on_duty = 0;
            }
            self.events.push(m.open, Ev::Open);
        }
        for (i, s) in m.stations.iter().enumerate() {
            if !s.changes.is_empty() {
                self.events
                    .push(s.changes[0].at, Ev::Staff(StationIx(i as u32)));
            }
        }
        for (i, s) in m.streams.iter().enumerate() {
            let i = StreamIx(i as u32);
            match &s.kind {
                StreamKind::Poisson { .. } => {
                    if let Some(t) = self.next_poisson(i, f64::NEG_INFINITY) {
                        self.schedule_arrival(t, i);
                    }
                }
                StreamKind::Appointments {
                    sessions,
                    punctuality,
                    ..
                } => {
                    if let Some(&(first, _)) = sessions.first() {
                        self.schedule_source(
                            (first + lead_time(punctuality)).max(0.0),
                            Ev::Slot(i),
                        );
                    }
                }
                StreamKind::Batch { at, .. } => {
                    self.schedule_source(*at, Ev::Batch(i));
                }
            }
        }
    }

    /// Runs replication `replication` to completion and returns its measurements.
    ///
    /// Fails only when the stop flag was raised, or, as a last guard behind validation, when
    /// an event time is not finite or the clock stops advancing.
    pub fn run(&mut self, replication: u32) -> Result<ReplicationResult, RunError> {
        let mut out = ReplicationResult::default();
        self.run_into(replication, &mut out)?;
        Ok(out)
    }

    /// [`run`](Self::run) into `out`, reusing the storage of the result it held (its
    /// histograms and vectors) instead of allocating new: a study that folds each result and
    /// passes it back runs its replications without allocating. `out` holds the new
    /// replication's results on success; on an error its contents are unspecified.
    pub fn run_into(
        &mut self,
        replication: u32,
        out: &mut ReplicationResult,
    ) -> Result<(), RunError> {
        // The loop reads the flag every few thousand events; a study of many short
        // replications must also stop between them.
        if self.stop_flag.is_some_and(|f| f.load(Ordering::Relaxed)) {
            return Err(RunError::Interrupted);
        }
        std::mem::swap(&mut self.out, out);
        self.reset(replication);
        let m = self.model;
        let stop = m.stop.unwrap_or(f64::INFINITY);
        let interval = m.sample_interval;
        let mut next_sample = if interval > 0.0 {
            m.open
        } else {
            f64::INFINITY
        };
        let result = if self.lean {
            self.event_loop::<true>(stop, interval, &mut next_sample)
        } else {
            self.event_loop::<false>(stop, interval, &mut next_sample)
        };
        let outcome = result.and_then(|(now, stopped)| {
            // Patients stuck with no server left wait until the hard stop, if there is one.
            let end = if stopped || (self.in_system > 0 && stop.is_finite()) {
                stop
            } else {
                now
            };
            while next_sample <= end {
                next_sample = self.sample(next_sample, interval)?;
            }
            self.finish(end);
            if self.log.overflow {
                return Err(RunError::EventLogFull {
                    limit: self.log.spec.map_or(0, |s| s.max_events),
                });
            }
            Ok(())
        });
        std::mem::swap(&mut self.out, out);
        outcome
    }

    /// The event loop proper, up to the stop or the end of the run: returns the time of the
    /// last event and whether the hard stop was reached. `LEAN` (see `lean`) leaves out the
    /// checks for features the model does not use.
    pub(super) fn event_loop<const LEAN: bool>(
        &mut self,
        stop: f64,
        interval: f64,
        next_sample: &mut f64,
    ) -> Result<(f64, bool), RunError> {
        let mut now = 0.0;
        let mut stopped = false;
        // Events before `fast_until` need neither the stop check nor a sample: one compare per
        // event instead of two. (`t > stop` is `t >= stop.next_up()`.) `fast_until` is always
        // finite, so an infinite time (and, by the negated compare, NaN) takes the slow path,
        // where it is refused.
        let limit = stop.next_up().min(f64::MAX);
        let mut fast_until = (*next_sample).min(limit);
        let mut until_check = STOP_CHECK_EVENTS;
        while let Some(e) = self.events.pop() {
            #[allow(clippy::neg_cmp_op_on_partial_ord)]
            if !(e.time < fast_until) {
                if !e.time.is_finite() {
                    return Err(RunError::NonFiniteTime {
                        replication: self.out.replication,
                        event: e.event.name(),
                        time: e.time,
                    });
                }
                if e.time > stop {
                    stopped = true;
                    break;
                }
                while *next_sample <= e.time {
                    *next_sample = self.sample(*next_sample, interval)?;
                }
                fast_until = (*next_sample).min(limit);
            }
            until_check -= 1;
            if until_check == 0 {
                until_check = STOP_CHECK_EVENTS;
                if self.stop_flag.is_some_and(|f| f.load(Ordering::Relaxed)) {
                    return Err(RunError::Interrupted);
                }
                if self.patients.len() > self.max_in_system {
                    return Err(RunError::TooManyInSystem {
                        replication: self.out.replication,
                        limit: self.max_in_system,
                    });
                }
            }
            now = e.time;
            match e.event {
                Ev::ServiceEnd(p) => self.on_service_end::<LEAN>(p, now),
                Ev::Arrival(s) => {
                    self.pending_sources -= 1;
                    self.on_poisson_arrival::<LEAN>(s, now);
                }
                Ev::Slot(s) => {
                    self.pending_sources -= 1;
                    self.on_slot(s, now);
                }
                Ev::Batch(s) => {
                    self.pending_sources -= 1;
                    self.on_batch(s, now);
                }
                Ev::Booked(p) => {
                    self.pending_sources -= 1;
                    if !self.admit_allocated::<false>(p, now) {
                        self.release(p);
                    }
                }
                Ev::DelayEnd(p) => {
                    if !LEAN && self.logging {
                        self.log_event(p, event_log::Activity::DelayEnd, None, now);
                    }
                    self.advance::<LEAN>(p, now)
                }
                Ev::Renege(t) => self.on_renege(t, now),
                Ev::Staff(s) => self.on_staff_change(s, now),
                Ev::Resource(r) => self.on_resource_change(r, now),
                Ev::StatsStart => self.on_stats_start(now),
                Ev::Open => self.on_open(now),
            }
            // The clinic is empty and nobody else can come: later events (shift changes,
            // stale patience timers) cannot change anything. Lean models have no such events,
            // so their queue is empty by then and the loop ends by itself.
            debug_assert!(
                !LEAN || self.in_system > 0 || self.pending_sources > 0 || self.events.is_empty(),
                "a lean model left events behind an empty clinic"
            );
            if !LEAN && self.in_system == 0 && self.pending_sources == 0 {
                break;
            }
        }
        Ok((now, stopped))
    }
}

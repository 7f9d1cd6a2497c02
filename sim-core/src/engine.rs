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
use crate::event_queue::{EventQueue, PackedEvent};
use crate::model::{EXIT, Model, StepKind, StreamKind};
use crate::rng::{self, Purpose, draw_rng, patient_key, purpose_key, uniform};
use crate::scenario::Role;
use crate::stats::Tally;
use crate::workflow::Action;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};

/// The event loop looks at the caller's stop flag once every this many events (a power of
/// two): often enough to stop within milliseconds, rarely enough to cost nothing measurable.
const STOP_CHECK_EVENTS: u32 = 4096;

/// Most patients in the clinic at once (patient slots, about 50 bytes each, plus their events
/// and queue entries: about 2 GB). A model this overloaded stops with
/// [`RunError::TooManyInSystem`] instead of running the machine out of memory; checked with
/// the stop flag, so at most a few thousand slots beyond it are ever allocated.
pub const MAX_IN_SYSTEM: usize = 25_000_000;

/// Patient counts of one replication (or one class in it). Over a whole run
/// `arrived = completed + balked + reneged + unfinished`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PatientCounts {
    /// Patients who arrived.
    pub arrived: u64,
    /// Patients who finished their pathway.
    pub completed: u64,
    /// Patients who left because a queue was full.
    pub balked: u64,
    /// Patients who left a queue after running out of patience.
    pub reneged: u64,
    /// Patients still in the clinic when the run stopped.
    pub unfinished: u64,
    /// Booked patients who did not come (not counted as arrivals).
    pub no_shows: u64,
}

/// Results of one station in one replication.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StationResult {
    /// Services started.
    pub visits: u64,
    /// Waits in queue (minutes), for services started inside the observation window.
    pub waits: Tally,
    /// Sum of service times started inside the window (minutes).
    pub service_sum: f64,
    /// ∫ queue length dt over the window.
    pub queue_area: f64,
    /// ∫ busy servers dt over the window.
    pub busy_area: f64,
    /// ∫ servers available dt over the window (servers on shift, or busy past a shift's end).
    pub capacity_area: f64,
    /// Longest queue seen.
    pub max_queue: u32,
    /// Arrivals that found the queue full.
    pub balks: u64,
    /// Patients who gave up waiting.
    pub reneges: u64,
    /// Patients who had to queue (found no free server).
    pub queued: u64,
    /// Queue length sampled every `sample_interval` from opening time.
    pub samples: Vec<u32>,
    /// Busy server-minutes accumulated (inside the window) up to each sample time.
    pub busy_samples: Vec<f64>,
    /// Available server-minutes accumulated (inside the window) up to each sample time.
    pub capacity_samples: Vec<f64>,
}

/// Results of one patient class in one replication.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClassResult {
    /// Counts.
    pub patients: PatientCounts,
    /// Time in system of patients who completed inside the window (minutes).
    pub time_in_system: Tally,
}

/// Everything measured in one replication.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplicationResult {
    /// Replication number.
    pub replication: u32,
    /// Time the run ended (last departure, or the hard stop).
    pub end_time: f64,
    /// Length of the observation window: from its start, or, when it opens before the
    /// clinic's opening time (booked patients who may come early), from the first arrival if
    /// that is later. Time averages (queue length, patients in the clinic) are over this span;
    /// nobody is present before the first arrival, so their integrals are the same.
    pub window: f64,
    /// Events: arrivals, service starts and service ends (the benchmark's definition).
    pub events: u64,
    /// Counts over all classes.
    pub patients: PatientCounts,
    /// Time in system over all classes.
    pub time_in_system: Tally,
    /// Per class.
    pub classes: Vec<ClassResult>,
    /// Per station.
    pub stations: Vec<StationResult>,
    /// ∫ patients in system dt over the window.
    pub in_system_area: f64,
    /// Sum of delay-step durations started inside the window (minutes).
    pub delay_sum: f64,
    /// Times patients had to queue, over all stations.
    pub queue_joins: u64,
    /// Most patients in the system at once.
    pub max_in_system: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ev {
    /// Next arrival of a Poisson stream.
    Arrival(u32),
    /// Generate the patients of a stream's next appointment slot.
    Slot(u32),
    /// A batch stream's group arrives.
    Batch(u32),
    /// A booked patient (already allocated) walks in.
    Booked(u32),
    /// A patient's service ends.
    ServiceEnd(u32),
    /// A patient's delay step ends.
    DelayEnd(u32),
    /// A patience timer (an index into `Simulator::timers`) runs out: the patient reneges if
    /// still in the wait the timer was set for.
    Renege(u32),
    /// A station's staffing changes.
    Staff(u32),
    /// The observation window opens (end of warm-up, or first possible arrival): statistics
    /// gathered so far are discarded, so nothing per event needs to check the window.
    StatsStart,
    /// The clinic opens: stations with a constant number of servers count them as staffed
    /// from now on (before opening, only time spent serving early patients counts).
    Open,
}

impl Ev {
    fn name(self) -> &'static str {
        match self {
            Ev::Arrival(_) => "arrival",
            Ev::Slot(_) => "appointment slot",
            Ev::Batch(_) => "batch arrival",
            Ev::Booked(_) => "booked arrival",
            Ev::ServiceEnd(_) => "end of service",
            Ev::DelayEnd(_) => "end of delay",
            Ev::Renege(_) => "patience running out",
            Ev::Staff(_) => "staffing change",
            Ev::StatsStart => "start of the observation window",
            Ev::Open => "opening time",
        }
    }
}

/// Indices must fit in 28 bits (268 million patient slots, streams or stations).
const EV_INDEX_BITS: u32 = 28;
const EV_INDEX_MASK: u32 = (1 << EV_INDEX_BITS) - 1;

impl PackedEvent for Ev {
    #[inline(always)]
    fn pack(self) -> u32 {
        let (tag, i) = match self {
            Ev::Arrival(i) => (0, i),
            Ev::Slot(i) => (1, i),
            Ev::Batch(i) => (2, i),
            Ev::Booked(i) => (3, i),
            Ev::ServiceEnd(i) => (4, i),
            Ev::DelayEnd(i) => (5, i),
            Ev::Renege(i) => (6, i),
            Ev::Staff(i) => (7, i),
            Ev::StatsStart => (8, 0),
            Ev::Open => (9, 0),
        };
        debug_assert!(i <= EV_INDEX_MASK);
        (tag << EV_INDEX_BITS) | i
    }
    #[inline(always)]
    fn unpack(bits: u32) -> Self {
        let i = bits & EV_INDEX_MASK;
        match bits >> EV_INDEX_BITS {
            0 => Ev::Arrival(i),
            1 => Ev::Slot(i),
            2 => Ev::Batch(i),
            3 => Ev::Booked(i),
            4 => Ev::ServiceEnd(i),
            5 => Ev::DelayEnd(i),
            6 => Ev::Renege(i),
            7 => Ev::Staff(i),
            8 => Ev::StatsStart,
            _ => Ev::Open,
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Patient {
    key: u64,
    arrival: f64,
    enqueued: f64,
    step: u32,
    /// The current step's `fixed_next` (or `ROUTED`), copied when the step is entered so that
    /// the common case of leaving it needs no look-up of the step.
    next: u32,
    /// Bumped whenever a wait ends or the slot is reused, so stale queue entries and
    /// patience timers can be recognised.
    generation: u32,
    loop_visits: u32,
    class: u16,
    /// Uses the digital workflow (drawn once from the class's adoption share).
    digital: bool,
    /// Which service distribution applies at the current station (see `Service`).
    service: Service,
    /// Station the patient is queueing or being served at.
    at_station: u32,
    /// What the patient is doing (for the end-of-run accounting of waits and services).
    state: State,
}

/// Which service distribution a patient gets at the station they joined.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Service {
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
enum State {
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

#[derive(Debug, Clone, Default)]
struct StationState {
    busy: u32,
    on_duty: u32,
    overtime: bool,
    next_change: usize,
    /// Ring buffer of the highest priority level (the only one without priorities).
    queue: VecDeque<u64>,
    /// Ring buffers of the lower priority levels, highest first (empty without priorities).
    lower: Vec<VecDeque<u64>>,
    waiting: u32,
    last: f64,
    /// Σ over patients in service of max(service start, window start): with `busy` it gives the
    /// busy time of services still running, for utilisation by interval.
    busy_since_sum: f64,
    /// Servers who may start a service now: `on_duty`, or during overtime at least the
    /// station's overtime servers (kept up to date at staffing changes).
    avail: u32,
    /// This station's results, kept beside its state so an event touches one record.
    r: StationResult,
}

#[derive(Debug, Clone)]
struct StreamState {
    rng: Xoshiro256PlusPlus,
    /// Root of this stream's patient keys in the current replication.
    base: u64,
    piece: usize,
    /// A Poisson stream of one piece with no end: its start and rate (> 0), else rate 0.
    steady: (f64, f64),
    ordinal: u64,
    slot_in_session: u64,
}

/// How long before a slot its patients must be booked in: the largest possible earliness.
fn lead_time(punctuality: &Option<crate::distribution::Dist>) -> f64 {
    punctuality
        .as_ref()
        .map_or(0.0, |p| p.lower_bound().min(0.0))
}

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
    /// One patient class: its counts and time-in-system tally are the overall ones, copied at
    /// the end.
    one_class: bool,
    /// The model uses none of: staffing changes, queue capacities, priority levels, patience,
    /// class multipliers, several classes, the digital workflow, appointment or batch streams,
    /// sampling, arrivals before the statistics window opens (a warm-up that ends after the
    /// first possible arrival). The event loop then runs a copy (`LEAN = true`) without those
    /// checks, and without clipping waits, services and stays to the window.
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
            streams: Vec::new(),
            level_of,
            rep_key: 0,
            in_system: 0,
            pending_sources: 0,
            class_in_system: Vec::new(),
            stop_arrivals: false,
            sampling: model.sample_interval > 0.0,
            one_class: model.classes.len() == 1,
            lean: Self::is_lean(model),
            stop_flag: None,
            max_in_system: MAX_IN_SYSTEM,
            first_arrival: f64::INFINITY,
            staffed_from_open: if model.stats_start < model.open {
                (0..model.stations.len() as u32)
                    .filter(|&i| model.stations[i as usize].changes.is_empty())
                    .collect()
            } else {
                Vec::new()
            },
            out: ReplicationResult::default(),
        }
    }

    /// Makes the run stop with [`RunError::Interrupted`] soon after `flag` becomes true, even
    /// in the middle of a long replication.
    pub fn with_stop_flag(mut self, flag: &'m AtomicBool) -> Self {
        self.stop_flag = Some(flag);
        self
    }

    /// Whether `model` can run in the lean event loop (see `lean`).
    fn is_lean(model: &Model) -> bool {
        let w = &model.workflow;
        model.classes.len() == 1
            && model.stats_start >= model.open
            && model.sample_interval <= 0.0
            && !model.has_multipliers
            && w.online.is_none()
            && w.adoption.iter().all(|a| *a <= 0.0)
            && model.stations.iter().all(|s| {
                // No changes: overtime (after the last change) never starts either.
                s.changes.is_empty()
                    && s.capacity == u32::MAX
                    && s.patience.is_none()
                    && s.discipline != crate::scenario::Discipline::Priority
            })
            && model.streams.iter().all(|s| {
                // Poisson arrivals never precede their first piece, so with every first piece
                // inside the window (no warm-up) `clip` would change nothing.
                let StreamKind::Poisson { pieces } = &s.kind else {
                    return false;
                };
                s.class.is_none_or(|c| c == 0)
                    && pieces.first().is_none_or(|p| p.0 >= model.stats_start)
            })
    }

    /// Largest number of patient slots and pending events used so far (memory high-water marks).
    pub fn high_water(&self) -> (usize, usize) {
        (self.patients.len(), self.events.capacity())
    }

    fn reset(&mut self, replication: u32) {
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
        self.class_in_system = vec![0; m.classes.len()];
        self.stop_arrivals = false;
        self.stations = m
            .stations
            .iter()
            .zip(&self.level_of)
            .map(|(s, levels)| StationState {
                on_duty: s.initial_servers,
                avail: s.initial_servers,
                lower: vec![VecDeque::new(); levels.iter().copied().max().map_or(0, usize::from)],
                ..Default::default()
            })
            .collect();
        self.streams = m
            .streams
            .iter()
            .map(|s| StreamState {
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
            })
            .collect();
        self.out = ReplicationResult {
            replication,
            classes: vec![ClassResult::default(); m.classes.len()],
            ..Default::default()
        };
        // First push: at equal times it precedes every other event.
        self.events.push(m.stats_start.max(0.0), Ev::StatsStart);
        if !self.staffed_from_open.is_empty() {
            for &i in &self.staffed_from_open {
                // Until opening, only busy servers count as available (`touch_capacity`
                // integrates max(on duty, busy)); `avail` keeps them serving early patients.
                self.stations[i as usize].on_duty = 0;
            }
            self.events.push(m.open, Ev::Open);
        }
        for (i, s) in m.stations.iter().enumerate() {
            if !s.changes.is_empty() {
                self.events.push(s.changes[0].at, Ev::Staff(i as u32));
            }
        }
        for (i, s) in m.streams.iter().enumerate() {
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
                            Ev::Slot(i as u32),
                        );
                    }
                }
                StreamKind::Batch { at, .. } => {
                    self.schedule_source(*at, Ev::Batch(i as u32));
                }
            }
        }
    }

    /// Runs replication `replication` to completion and returns its measurements.
    ///
    /// Fails only when the stop flag was raised, or, as a last guard behind validation, when
    /// an event time is not finite or the clock stops advancing.
    pub fn run(&mut self, replication: u32) -> Result<ReplicationResult, RunError> {
        self.reset(replication);
        let m = self.model;
        let stop = m.stop.unwrap_or(f64::INFINITY);
        let interval = m.sample_interval;
        let mut next_sample = if interval > 0.0 {
            m.open
        } else {
            f64::INFINITY
        };
        let (now, stopped) = if self.lean {
            self.event_loop::<true>(stop, interval, &mut next_sample)?
        } else {
            self.event_loop::<false>(stop, interval, &mut next_sample)?
        };
        // Patients stuck with no server left wait until the hard stop, if there is one.
        let end = if stopped || (self.in_system > 0 && stop.is_finite()) {
            stop
        } else {
            now
        };
        while next_sample <= end {
            next_sample = self.sample(next_sample, interval)?;
        }
        if end < m.stats_start {
            // The run ended before the window opened: nothing was observed.
            self.on_stats_start(end);
        }
        for s in 0..self.stations.len() {
            self.touch_capacity(s, end);
            // Staff on a shift stay until it ends even when the clinic has emptied: their idle
            // time counts as available time, so utilisation is against every on-shift minute.
            let spec = &m.stations[s];
            let st = &self.stations[s];
            let (mut t, mut on, mut extra) = (end, st.on_duty, 0.0);
            for c in &spec.changes[st.next_change..] {
                if c.at > stop {
                    // Up to the hard stop: the shift was still on when the run was cut.
                    extra += f64::from(on) * (stop - t.max(m.stats_start)).max(0.0);
                    break;
                }
                extra += f64::from(on) * (c.at - t.max(m.stats_start)).max(0.0);
                t = c.at;
                on = c.count;
            }
            self.stations[s].r.capacity_area += extra;
        }
        // Waits and services still open at the end count up to the end.
        for i in 0..self.patients.len() {
            let pat = self.patients[i];
            if matches!(
                pat.state,
                State::Elsewhere | State::Waiting | State::InService
            ) {
                self.out.in_system_area += self.clip(pat.arrival, end);
            }
            let station = pat.at_station;
            let part = self.clip(pat.enqueued, end);
            match pat.state {
                State::Waiting => self.stations[station as usize].r.queue_area += part,
                State::InService => self.stations[station as usize].r.busy_area += part,
                State::Free | State::Booked | State::Elsewhere => {}
            }
        }
        if self.lean {
            // The lean loop does not count events one by one: an event is an admitted
            // arrival, a service start (each is a visit) or a service end (each start has
            // ended except the services still running).
            let starts: u64 = self.stations.iter().map(|st| st.r.visits).sum();
            let running: u64 = self.stations.iter().map(|st| u64::from(st.busy)).sum();
            self.out.events = self.out.patients.arrived + 2 * starts - running;
        }
        self.out.stations = self
            .stations
            .iter_mut()
            .map(|st| std::mem::take(&mut st.r))
            .collect();
        let out = &mut self.out;
        out.end_time = end;
        // Before the clinic opens, the window only counts from the first patient: an early
        // bound on punctuality must not dilute time averages with empty hours.
        let from = if m.stats_start < m.open && self.first_arrival.is_finite() {
            m.stats_start.max(self.first_arrival.min(m.open))
        } else {
            m.stats_start
        };
        out.window = (end - from).max(0.0);
        out.patients.unfinished = self.in_system;
        for (c, n) in out.classes.iter_mut().zip(&self.class_in_system) {
            c.patients.unfinished = *n;
        }
        if self.one_class {
            // The same observations in the same order as the overall tally, and the same
            // counts (the hot path counts arrivals, completions and patients in the system
            // only overall when there is one class).
            out.classes[0].time_in_system = out.time_in_system.clone();
            out.classes[0].patients = out.patients;
        }
        Ok(std::mem::take(&mut self.out))
    }

    /// The event loop proper, up to the stop or the end of the run: returns the time of the
    /// last event and whether the hard stop was reached. `LEAN` (see `lean`) leaves out the
    /// checks for features the model does not use.
    fn event_loop<const LEAN: bool>(
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
                    self.on_poisson_arrival::<LEAN>(s as usize, now);
                }
                Ev::Slot(s) => {
                    self.pending_sources -= 1;
                    self.on_slot(s as usize, now);
                }
                Ev::Batch(s) => {
                    self.pending_sources -= 1;
                    self.on_batch(s as usize, now);
                }
                Ev::Booked(p) => {
                    self.pending_sources -= 1;
                    if !self.admit_allocated::<false>(p, now) {
                        self.release(p);
                    }
                }
                Ev::DelayEnd(p) => self.advance::<LEAN>(p, now),
                Ev::Renege(t) => self.on_renege(t, now),
                Ev::Staff(s) => self.on_staff_change(s as usize, now),
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

    /// Opening time: stations with constant servers count them as staffed from now on.
    fn on_open(&mut self, now: f64) {
        for k in 0..self.staffed_from_open.len() {
            let s = self.staffed_from_open[k] as usize;
            self.touch_capacity(s, now);
            self.stations[s].on_duty = self.model.stations[s].initial_servers;
        }
    }

    /// Opens the observation window: clears every statistic that is windowed (waits, service
    /// sums, time integrals, time in system, delays) and restarts the integrals at `now`.
    /// Patient counts, visits, balks and reneges cover the whole run and are kept.
    fn on_stats_start(&mut self, now: f64) {
        for st in self.stations.iter_mut() {
            st.last = now;
            let r = &mut st.r;
            r.waits = Tally::default();
            r.service_sum = 0.0;
            r.queue_area = 0.0;
            r.busy_area = 0.0;
            r.capacity_area = 0.0;
        }
        self.out.in_system_area = 0.0;
        self.out.time_in_system = Tally::default();
        for c in &mut self.out.classes {
            c.time_in_system = Tally::default();
        }
        self.out.delay_sum = 0.0;
    }

    /// Schedules an event that may bring patients (see `pending_sources`).
    #[inline]
    fn schedule_source(&mut self, time: f64, ev: Ev) {
        self.pending_sources += 1;
        self.events.push(time, ev);
    }

    /// Schedules the next arrival of Poisson stream `s`: a source event that is always
    /// pending, so it is held beside the heap when that slot is free.
    #[inline]
    fn schedule_arrival(&mut self, time: f64, s: usize) {
        self.pending_sources += 1;
        self.events.push_beside(time, Ev::Arrival(s as u32));
    }

    /// Records one queue-length sample at `at` and returns the next sample time: infinite once
    /// `MAX_SAMPLES` are kept (so a tiny interval cannot make the loop run on), an error if
    /// the interval no longer advances the clock.
    fn sample(&mut self, at: f64, interval: f64) -> Result<f64, RunError> {
        let ss = self.model.stats_start;
        if self
            .stations
            .first()
            .is_some_and(|st| st.r.samples.len() >= crate::model::MAX_SAMPLES)
        {
            return Ok(f64::INFINITY);
        }
        let next = at + interval;
        // NaN is not finite, so this also catches a NaN step.
        if !next.is_finite() || next <= at {
            return Err(RunError::ClockStalled {
                replication: self.out.replication,
                what: "the queue-sampling interval",
                at,
                step: interval,
            });
        }
        for s in 0..self.stations.len() {
            let st = &mut self.stations[s];
            let running = if at > ss {
                f64::from(st.busy) * at - st.busy_since_sum
            } else {
                0.0
            };
            // Read the integral up to `at` without folding it in, so sampling never changes the
            // rounding of the run's own totals.
            let pending = f64::from(st.on_duty.max(st.busy)) * (at - st.last).max(0.0);
            let res = &mut st.r;
            res.samples.push(st.waiting);
            res.busy_samples.push(res.busy_area + running);
            res.capacity_samples.push(res.capacity_area + pending);
        }
        Ok(next)
    }

    /// Next arrival time of Poisson stream `s` after `from`, by inverting the cumulative rate
    /// of its piecewise-constant profile (exact; no thinning rejections). A stream of one
    /// endless piece (the common case) is done inline: the same arithmetic as the first pass
    /// of the general loop, whose piece never runs out.
    #[inline(always)]
    fn next_poisson(&mut self, s: usize, from: f64) -> Option<f64> {
        let st = &mut self.streams[s];
        let (start, rate) = st.steady;
        if rate > 0.0 {
            let e = crate::distribution::standard_exp(&mut st.rng);
            let at = from.max(start) + e / rate;
            return match self.model.close {
                Some(c) if at >= c => None,
                _ => Some(at),
            };
        }
        self.next_poisson_piecewise(s, from)
    }

    /// `next_poisson` for a profile of several pieces or with an end.
    #[inline(never)]
    fn next_poisson_piecewise(&mut self, s: usize, from: f64) -> Option<f64> {
        let StreamKind::Poisson { pieces } = &self.model.streams[s].kind else {
            return None;
        };
        let st = &mut self.streams[s];
        let mut e = crate::distribution::standard_exp(&mut st.rng);
        let mut t = from;
        while st.piece < pieces.len() {
            let (a, b, rate) = pieces[st.piece];
            if t < a {
                t = a;
            }
            let room = rate * (b - t);
            if e < room {
                let at = t + e / rate;
                return match self.model.close {
                    Some(c) if at >= c => None,
                    _ => Some(at),
                };
            }
            e -= room.max(0.0);
            st.piece += 1;
        }
        None
    }

    fn on_poisson_arrival<const LEAN: bool>(&mut self, s: usize, now: f64) {
        let ordinal = self.streams[s].ordinal;
        self.streams[s].ordinal += 1;
        if !LEAN && self.model.workflow.online.is_some() && !self.stop_arrivals {
            // A digital patient books online: instead of walking in now, they come at the
            // booked time with the same rank in the day (or not at all).
            let key = patient_key(self.streams[s].base, ordinal);
            let class = self.class_for(s, key);
            if self.is_digital(key, class) {
                self.book_online(s, key, class, now);
                if let Some(t) = self.next_poisson(s, now) {
                    self.schedule_arrival(t, s);
                }
                return;
            }
        }
        if !self.admit::<LEAN>(s, ordinal, now) {
            return;
        }
        if let Some(t) = self.next_poisson(s, now) {
            self.schedule_arrival(t, s);
        }
    }

    fn on_batch(&mut self, s: usize, now: f64) {
        let StreamKind::Batch { count, .. } = self.model.streams[s].kind else {
            return;
        };
        for ordinal in 0..u64::from(count) {
            if !self.admit::<false>(s, ordinal, now) {
                break;
            }
        }
    }

    /// Online registration for a digital walk-in whose walk-in time would have been `now`.
    fn book_online(&mut self, s: usize, key: u64, class: u16, now: f64) {
        let m = self.model;
        let online = m
            .workflow
            .online
            .as_ref()
            .expect("online registration is on");
        if online.no_show > 0.0
            && uniform(&mut draw_rng(key, purpose_key(Purpose::NoShow, 1), 0)) < online.no_show
        {
            self.out.patients.no_shows += 1;
            self.out.classes[class as usize].patients.no_shows += 1;
            return;
        }
        let shape = m.streams[s]
            .shape
            .as_ref()
            .expect("validated: walk-in streams end");
        let booked = online.booked.inverse(shape.fraction(now));
        let offset = online.punctuality.as_ref().map_or(0.0, |d| {
            d.sample(&mut draw_rng(key, purpose_key(Purpose::Punctuality, 1), 0))
        });
        let p = self.allocate::<false>(key, s);
        self.schedule_source((booked + offset).max(now), Ev::Booked(p));
    }

    /// Books the patients of a stream's next slot: each either fails to attend or is scheduled
    /// to walk in at the slot time plus a punctuality offset. The slot event fires early by the
    /// largest possible earliness, so no patient is scheduled in the past.
    fn on_slot(&mut self, s: usize, now: f64) {
        let stream = &self.model.streams[s];
        let StreamKind::Appointments {
            sessions,
            slot,
            per_slot,
            no_show,
            punctuality,
        } = &stream.kind
        else {
            return;
        };
        if self.stop_arrivals {
            return;
        }
        let st = &mut self.streams[s];
        // For appointment streams `ordinal` counts slots so far and `piece` is the session.
        let k = st.ordinal;
        let (from, to) = sessions[st.piece];
        let slot_time = from + st.slot_in_session as f64 * slot;
        st.ordinal += 1;
        st.slot_in_session += 1;
        if st.slot_in_session >= crate::model::slot_count(from, to, *slot) {
            st.piece += 1;
            st.slot_in_session = 0;
        }
        let next = sessions
            .get(st.piece)
            .map(|&(f, _)| f + st.slot_in_session as f64 * slot);
        let base = st.base;
        for j in 0..*per_slot {
            let key = patient_key(base, k * u64::from(*per_slot) + u64::from(j));
            if *no_show > 0.0
                && uniform(&mut draw_rng(key, purpose_key(Purpose::NoShow, 0), 0)) < *no_show
            {
                self.out.patients.no_shows += 1;
                let c = self.class_for(s, key);
                self.out.classes[c as usize].patients.no_shows += 1;
                continue;
            }
            let offset = punctuality.as_ref().map_or(0.0, |d| {
                d.sample(&mut draw_rng(key, purpose_key(Purpose::Punctuality, 0), 0))
            });
            let p = self.allocate::<false>(key, s);
            self.schedule_source((slot_time + offset).max(now), Ev::Booked(p));
        }
        if let Some(next) = next {
            self.schedule_source((next + lead_time(punctuality)).max(now), Ev::Slot(s as u32));
        }
    }

    /// Whether a patient uses the digital workflow: one draw per patient against the class's
    /// adoption share, keyed so the same patient gets the same number in every variant.
    #[inline]
    fn is_digital(&self, key: u64, class: u16) -> bool {
        let a = self
            .model
            .workflow
            .adoption
            .get(class as usize)
            .copied()
            .unwrap_or(0.0);
        a > 0.0 && uniform(&mut draw_rng(key, purpose_key(Purpose::Workflow, 0), 0)) < a
    }

    fn class_for(&self, s: usize, key: u64) -> u16 {
        match self.model.streams[s].class {
            Some(c) => c,
            // One class: nothing to draw.
            None if self.model.class_cumulative.len() == 1 => 0,
            None => {
                let u = uniform(&mut draw_rng(key, purpose_key(Purpose::Class, 0), 0));
                let cum = &self.model.class_cumulative;
                cum.partition_point(|c| *c <= u).min(cum.len() - 1) as u16
            }
        }
    }

    #[inline(always)]
    fn allocate<const LEAN: bool>(&mut self, key: u64, s: usize) -> u32 {
        // Lean: one class and no digital adoption, so neither draws.
        let class = if LEAN { 0 } else { self.class_for(s, key) };
        let digital = !LEAN && self.is_digital(key, class);
        let start = self.model.streams[s].start_step;
        let p = Patient {
            key,
            step: start,
            next: self.fixed_next(start),
            class,
            digital,
            state: State::Booked,
            ..Default::default()
        };
        match self.free.pop() {
            Some(i) => {
                let g = self.patients[i as usize].generation.wrapping_add(1);
                self.patients[i as usize] = Patient { generation: g, ..p };
                i
            }
            None => {
                self.patients.push(p);
                (self.patients.len() - 1) as u32
            }
        }
    }

    fn release(&mut self, p: u32) {
        let pat = &mut self.patients[p as usize];
        pat.generation = pat.generation.wrapping_add(1);
        pat.state = State::Free;
        self.free.push(p);
    }

    /// A new patient of stream `s` arrives; false once the arrival cap is reached.
    fn admit<const LEAN: bool>(&mut self, s: usize, ordinal: u64, now: f64) -> bool {
        if self.stop_arrivals {
            return false;
        }
        let key = patient_key(self.streams[s].base, ordinal);
        let p = self.allocate::<LEAN>(key, s);
        if !self.admit_allocated::<LEAN>(p, now) {
            self.release(p);
            return false;
        }
        true
    }

    fn admit_allocated<const LEAN: bool>(&mut self, p: u32, now: f64) -> bool {
        if self.stop_arrivals {
            return false;
        }
        let out = &mut self.out;
        out.patients.arrived += 1;
        if let Some(cap) = self.model.max_arrivals
            && out.patients.arrived >= cap
        {
            self.stop_arrivals = true;
        }
        if !LEAN {
            out.events += 1;
            if self.first_arrival == f64::INFINITY {
                self.first_arrival = now;
            }
        }
        let pat = &mut self.patients[p as usize];
        pat.arrival = now;
        if self.model.steps[pat.step as usize].cyclic {
            pat.loop_visits += 1;
        }
        if !LEAN && !self.one_class {
            let class = pat.class as usize;
            out.classes[class].patients.arrived += 1;
            self.class_in_system[class] += 1;
        }
        self.patients[p as usize].state = State::Elsewhere;
        self.in_system += 1;
        self.out.max_in_system = self.out.max_in_system.max(self.in_system);
        self.enter_step::<LEAN>(p, now);
        true
    }

    /// Accumulates available server time, ∫ max(on duty, busy) dt, up to `now`. That value
    /// only changes at staffing changes or while more servers are busy than on duty (past a
    /// shift's end, overtime), so the hot path calls this only in those cases. Queue length
    /// and busy servers are integrated per patient instead (see `clip`).
    #[inline]
    fn touch_capacity(&mut self, s: usize, now: f64) {
        let st = &mut self.stations[s];
        st.r.capacity_area += f64::from(st.on_duty.max(st.busy)) * (now - st.last);
        st.last = now;
    }

    /// Length of [from, now] inside the observation window: integrals of queue length and
    /// busy servers are sums of these per wait and per service (the same integrals, summed by
    /// patient instead of by time), which costs nothing on events that change no state.
    #[inline(always)]
    fn clip(&self, from: f64, now: f64) -> f64 {
        (now - from.max(self.model.stats_start)).max(0.0)
    }

    /// Puts patient `p` into its current step.
    #[inline]
    fn enter_step<const LEAN: bool>(&mut self, p: u32, now: f64) {
        let m = self.model;
        let pat = &mut self.patients[p as usize];
        if pat.step == EXIT {
            self.depart::<LEAN>(p, now);
            return;
        }
        let step = &m.steps[pat.step as usize];
        if !LEAN && pat.digital && step.role.is_some() {
            self.enter_digital(p, now);
            return;
        }
        if !LEAN {
            // Lean models have no digital levers: the service never changes from `Step`.
            pat.service = Service::Step;
        }
        self.enter_plain::<LEAN>(p, step, now);
    }

    /// Puts patient `p` into `step` (its current step), with its `service` already set.
    #[inline(always)]
    fn enter_plain<const LEAN: bool>(&mut self, p: u32, step: &'m crate::model::Step, now: f64) {
        match &step.kind {
            StepKind::Visit { station, .. } => self.join::<LEAN>(*station as usize, p, step, now),
            StepKind::Delay { delay } => {
                let pat = &self.patients[p as usize];
                let visit = if step.cyclic { pat.loop_visits } else { 0 };
                let d = delay.sample(&mut draw_rng(pat.key, step.keys.delay, visit));
                self.out.delay_sum += d;
                self.events.push(now + d, Ev::DelayEnd(p));
            }
        }
    }

    /// `enter_step` for a digital patient at a step with a role: the levers may skip it
    /// (possibly several steps in a row), redirect it to a kiosk or change its service.
    #[inline(never)]
    fn enter_digital(&mut self, p: u32, now: f64) {
        let m = self.model;
        let mut pat = self.patients[p as usize];
        let mut step = &m.steps[pat.step as usize];
        let mut service = Service::Step;
        loop {
            match self.digital_action(&pat, step) {
                Action::Skip => {
                    self.route(p);
                    pat = self.patients[p as usize];
                    if pat.step == EXIT {
                        self.depart::<false>(p, now);
                        return;
                    }
                    step = &m.steps[pat.step as usize];
                    if step.role.is_none() {
                        break;
                    }
                }
                Action::Redirect(kiosk) => {
                    self.patients[p as usize].service = self.face_scan_or(step, Service::Station);
                    self.join::<false>(kiosk as usize, p, step, now);
                    return;
                }
                Action::Visit => {
                    service = self.face_scan_or(step, Service::Step);
                    break;
                }
            }
        }
        self.patients[p as usize].service = service;
        self.enter_plain::<false>(p, step, now);
    }

    /// What a digital patient does at a step with a role, under this variant's levers.
    fn digital_action(&self, pat: &Patient, step: &crate::model::Step) -> Action {
        let w = &self.model.workflow;
        let visit = if step.cyclic { pat.loop_visits } else { 0 };
        let u = || uniform(&mut draw_rng(pat.key, step.keys.workflow, visit));
        match step.role {
            Some(Role::Registration) if w.online.is_some() => Action::Skip,
            Some(Role::Prepayment) if w.credit => Action::Skip,
            Some(Role::Prepayment | Role::Payment) => match &w.point_of_care {
                Some(pc) => {
                    let x = u();
                    if x < pc.counter {
                        Action::Visit
                    } else if x < pc.counter_or_kiosk {
                        pc.kiosk_station.map_or(Action::Visit, Action::Redirect)
                    } else {
                        Action::Skip
                    }
                }
                None => Action::Visit,
            },
            Some(Role::ReportCollection) if w.results_online.is_some() => Action::Skip,
            Some(Role::Revisit) => match w.results_online {
                Some(share) if u() < share => Action::Skip,
                _ => Action::Visit,
            },
            Some(Role::Pharmacy) => match w.e_prescription {
                Some(share) if u() < share => Action::Skip,
                _ => Action::Visit,
            },
            _ => Action::Visit,
        }
    }

    /// Face scan replaces the service at identity and payment steps; otherwise `other`.
    fn face_scan_or(&self, step: &crate::model::Step, other: Service) -> Service {
        match (self.model.workflow.face_scan.as_ref(), step.role) {
            (Some(_), Some(role)) if crate::workflow::face_scan_applies(role) => Service::FaceScan,
            _ => other,
        }
    }

    /// Patient `p` arrives at station `s` for `step` (its current step): served at once if a
    /// server is free and nobody is waiting, else queued (or turned away when the queue is full).
    #[inline(always)]
    fn join<const LEAN: bool>(&mut self, s: usize, p: u32, step: &'m crate::model::Step, now: f64) {
        let pat = &mut self.patients[p as usize];
        pat.at_station = s as u32;
        pat.enqueued = now;
        let st = &self.stations[s];
        // Lean: the servers available never change, so while anyone waits all are busy.
        if (LEAN || st.waiting == 0) && st.busy < st.avail {
            self.start_service_at::<LEAN>(s, p, step, now);
        } else {
            self.enqueue::<LEAN>(s, p, now);
        }
    }

    /// Puts `p` (whose wait starts `now`) into station `s`'s queue, or turns it away.
    #[inline(always)]
    fn enqueue<const LEAN: bool>(&mut self, s: usize, p: u32, now: f64) {
        let spec = &self.model.stations[s];
        let st = &mut self.stations[s];
        if !LEAN && st.waiting >= spec.capacity {
            self.balk(s, p, now);
            return;
        }
        let pat = &mut self.patients[p as usize];
        pat.state = State::Waiting;
        let entry = (u64::from(pat.generation) << 32) | u64::from(p);
        if LEAN || st.lower.is_empty() {
            st.queue.push_back(entry);
        } else {
            Self::enqueue_by_level(st, &self.level_of[s], pat.class, entry);
        }
        st.waiting += 1;
        let r = &mut st.r;
        r.max_queue = r.max_queue.max(st.waiting);
        r.queued += 1;
        self.out.queue_joins += 1;
        if !LEAN && spec.patience.is_some() {
            self.start_patience(s, p, now);
        }
    }

    /// Queues `entry` at its class's priority level (stations with priorities).
    #[inline(never)]
    fn enqueue_by_level(st: &mut StationState, levels: &[u16], class: u16, entry: u64) {
        match levels[class as usize] as usize {
            0 => st.queue.push_back(entry),
            level => st.lower[level - 1].push_back(entry),
        }
    }

    /// Patient `p` finds station `s`'s queue full and leaves.
    #[inline(never)]
    fn balk(&mut self, s: usize, p: u32, now: f64) {
        self.stations[s].r.balks += 1;
        self.out.patients.balked += 1;
        let c = self.patients[p as usize].class as usize;
        self.out.classes[c].patients.balked += 1;
        self.leave::<false>(p, now);
    }

    /// Sets the patience timer of `p`, who has just started to wait at station `s`.
    #[inline(never)]
    fn start_patience(&mut self, s: usize, p: u32, now: f64) {
        let m = self.model;
        let Some(patience) = &m.stations[s].patience else {
            return;
        };
        let pat = &self.patients[p as usize];
        let step = &m.steps[pat.step as usize];
        let visit = if step.cyclic { pat.loop_visits } else { 0 };
        let d = patience.sample(&mut draw_rng(pat.key, step.keys.patience, visit));
        let timer = (p, pat.generation);
        let t = match self.free_timers.pop() {
            Some(t) => {
                self.timers[t as usize] = timer;
                t
            }
            None => {
                self.timers.push(timer);
                (self.timers.len() - 1) as u32
            }
        };
        self.events.push(now + d, Ev::Renege(t));
    }

    /// Starts serving `p` at station `s`; the patient's `enqueued` holds the start of its wait.
    /// Only the station's available-time integral needs bringing up to `now` (when the number
    /// of busy servers passes the number on duty); queue length and busy servers are
    /// integrated per patient.
    #[inline(always)]
    fn start_service<const LEAN: bool>(&mut self, s: usize, p: u32, now: f64) {
        let step = &self.model.steps[self.patients[p as usize].step as usize];
        self.start_service_at::<LEAN>(s, p, step, now);
    }

    /// `start_service` with the patient's current step already looked up.
    #[inline(always)]
    fn start_service_at<const LEAN: bool>(
        &mut self,
        s: usize,
        p: u32,
        step: &'m crate::model::Step,
        now: f64,
    ) {
        let m = self.model;
        let ss = m.stats_start;
        let pat = &mut self.patients[p as usize];
        debug_assert!(std::ptr::eq(step, &m.steps[pat.step as usize]));
        // Lean: no patience, so no timer or queue entry can outlive this wait (see `pop_waiting`).
        if !LEAN {
            pat.generation = pat.generation.wrapping_add(1);
        }
        let StepKind::Visit { service, .. } = &step.kind else {
            unreachable!("joined a queue from a delay step")
        };
        let visit = if step.cyclic { pat.loop_visits } else { 0 };
        let rng = &mut draw_rng(pat.key, step.keys.service, visit);
        let mut d = match pat.service {
            _ if LEAN => service.sample(rng),
            Service::Step => service.sample(rng),
            Service::Station => m.stations[s].service.sample(rng),
            Service::FaceScan => m
                .workflow
                .face_scan
                .as_ref()
                .expect("face scan is on")
                .sample(rng),
        };
        let waited_from = pat.enqueued;
        pat.enqueued = now; // from here on: the service start
        pat.state = State::InService;
        if !LEAN && m.has_multipliers {
            d *= m.classes[pat.class as usize].multipliers[s];
        }
        let st = &mut self.stations[s];
        // Lean: nobody starts beyond the servers on duty (no staffing changes, no overtime).
        if !LEAN && st.busy >= st.on_duty {
            // max(on duty, busy) is about to grow.
            st.r.capacity_area += f64::from(st.on_duty.max(st.busy)) * (now - st.last);
            st.last = now;
        }
        st.busy += 1;
        if !LEAN && self.sampling {
            st.busy_since_sum += now.max(ss);
        }
        // Lean: the wait lies inside the observation window (see `lean`).
        let queued = if LEAN {
            now - waited_from
        } else {
            (now - waited_from.max(ss)).max(0.0)
        };
        let r = &mut st.r;
        r.visits += 1;
        r.queue_area += queued;
        r.waits.add(now - waited_from);
        r.service_sum += d;
        if !LEAN {
            self.out.events += 1;
        }
        self.events.push(now + d, Ev::ServiceEnd(p));
    }

    fn on_service_end<const LEAN: bool>(&mut self, p: u32, now: f64) {
        let ss = self.model.stats_start;
        let pat = &mut self.patients[p as usize];
        let s = pat.at_station as usize;
        let started = pat.enqueued;
        pat.state = State::Elsewhere;
        let st = &mut self.stations[s];
        if !LEAN && st.busy > st.on_duty {
            // max(on duty, busy) is about to shrink.
            st.r.capacity_area += f64::from(st.on_duty.max(st.busy)) * (now - st.last);
            st.last = now;
        }
        if !LEAN && self.sampling {
            st.busy_since_sum -= started.max(ss);
        }
        st.r.busy_area += if LEAN {
            now - started
        } else {
            (now - started.max(ss)).max(0.0)
        };
        st.busy -= 1;
        if !LEAN {
            self.out.events += 1;
        }
        // Lean: the servers available never change, so a server has just come free.
        if st.waiting > 0 && (LEAN || st.busy < st.avail) {
            self.serve_next::<LEAN>(s, now);
        }
        self.advance::<LEAN>(p, now);
    }

    /// Starts services from the queue while servers are free. The caller has touched the
    /// station at `now`.
    fn serve_waiting(&mut self, s: usize, now: f64) {
        loop {
            let st = &mut self.stations[s];
            if st.waiting == 0 || st.busy >= st.avail {
                break;
            }
            let Some(p) = Self::pop_waiting::<false>(st, &self.patients) else {
                break;
            };
            st.waiting -= 1;
            self.start_service::<false>(s, p, now);
        }
    }

    /// Starts the service of the next waiting patient at station `s` after a service end, when
    /// a patient waits and a server is free. Only one can start: while anyone waits every
    /// available server is busy (joining queues only then, and staffing changes and
    /// `serve_waiting` fill every free server), so one service end frees at most one.
    fn serve_next<const LEAN: bool>(&mut self, s: usize, now: f64) {
        let st = &mut self.stations[s];
        let Some(p) = Self::pop_waiting::<LEAN>(st, &self.patients) else {
            return;
        };
        st.waiting -= 1;
        self.start_service::<LEAN>(s, p, now);
        let st = &self.stations[s];
        debug_assert!(st.waiting == 0 || st.busy >= st.avail);
    }

    /// Takes the next live entry from the highest non-empty priority level.
    #[inline]
    fn pop_waiting<const LEAN: bool>(st: &mut StationState, patients: &[Patient]) -> Option<u32> {
        if LEAN {
            // Nobody reneges without patience, so every entry is live.
            return st.queue.pop_front().map(|entry| entry as u32);
        }
        let live = |entry: u64| patients[entry as u32 as usize].generation == (entry >> 32) as u32;
        while let Some(entry) = st.queue.pop_front() {
            if live(entry) {
                return Some(entry as u32);
            }
        }
        for level in st.lower.iter_mut() {
            while let Some(entry) = level.pop_front() {
                if live(entry) {
                    return Some(entry as u32);
                }
            }
        }
        None
    }

    /// Moves a patient past its current step (after a service or a delay) and into the next:
    /// `route` then `enter_step`, with the common case (no digital levers at the next step)
    /// done here without reloading the patient.
    #[inline(always)]
    fn advance<const LEAN: bool>(&mut self, p: u32, now: f64) {
        let m = self.model;
        let pat = &mut self.patients[p as usize];
        let next = if pat.next != crate::model::ROUTED {
            pat.next
        } else {
            Self::pick(m, pat, &m.steps[pat.step as usize])
        };
        pat.step = next;
        if next == EXIT {
            self.depart::<LEAN>(p, now);
            return;
        }
        let step = &m.steps[next as usize];
        pat.next = step.fixed_next;
        if step.cyclic {
            pat.loop_visits += 1;
        }
        if !LEAN && pat.digital && step.role.is_some() {
            self.enter_digital(p, now);
            return;
        }
        if !LEAN {
            // Lean models have no digital levers: the service never changes from `Step`.
            pat.service = Service::Step;
        }
        self.enter_plain::<LEAN>(p, step, now);
    }

    /// `fixed_next` of `step`, which may be `EXIT` (leaving needs no routing then either).
    fn fixed_next(&self, step: u32) -> u32 {
        if step == EXIT {
            EXIT
        } else {
            self.model.steps[step as usize].fixed_next
        }
    }

    /// The next step from a routed step: by the class's table, with a branch draw if needed.
    #[inline(always)]
    fn pick(m: &Model, pat: &Patient, step: &crate::model::Step) -> u32 {
        let table = &m.routes[step.routes[pat.class as usize] as usize];
        if table.targets.len() == 1 {
            table.targets[0]
        } else {
            let visit = if step.cyclic { pat.loop_visits } else { 0 };
            table.pick(uniform(&mut draw_rng(pat.key, step.keys.branch, visit)))
        }
    }

    /// Chooses the patient's next step after the current one (branch draw if needed).
    #[inline]
    fn route(&mut self, p: u32) {
        let m = self.model;
        let pat = &mut self.patients[p as usize];
        let step = &m.steps[pat.step as usize];
        let next = if step.fixed_next != crate::model::ROUTED {
            step.fixed_next
        } else {
            Self::pick(m, pat, step)
        };
        pat.step = next;
        if next != EXIT {
            let step = &m.steps[next as usize];
            pat.next = step.fixed_next;
            if step.cyclic {
                pat.loop_visits += 1;
            }
        }
    }

    #[inline(never)]
    fn on_renege(&mut self, t: u32, now: f64) {
        let (p, generation) = self.timers[t as usize];
        self.free_timers.push(t);
        let pat = &self.patients[p as usize];
        // Any end of the wait (service start, leaving, reuse of the slot) bumps the generation.
        if pat.generation != generation || pat.state != State::Waiting {
            return; // served (or gone) before patience ran out
        }
        let s = self.patients[p as usize].at_station as usize;
        let queued = self.clip(self.patients[p as usize].enqueued, now);
        self.stations[s].r.queue_area += queued;
        self.stations[s].waiting -= 1;
        self.stations[s].r.reneges += 1;
        self.out.patients.reneged += 1;
        let c = self.patients[p as usize].class as usize;
        self.out.classes[c].patients.reneged += 1;
        self.leave::<false>(p, now);
    }

    fn on_staff_change(&mut self, s: usize, now: f64) {
        self.touch_capacity(s, now);
        let spec = &self.model.stations[s];
        let st = &mut self.stations[s];
        let change = spec.changes[st.next_change];
        st.on_duty = change.count;
        st.next_change += 1;
        st.overtime =
            st.next_change == spec.changes.len() && change.count == 0 && spec.overtime_servers > 0;
        st.avail = if st.overtime {
            st.on_duty.max(spec.overtime_servers)
        } else {
            st.on_duty
        };
        if let Some(next) = spec.changes.get(st.next_change) {
            self.events.push(next.at, Ev::Staff(s as u32));
        }
        self.serve_waiting(s, now);
    }

    fn depart<const LEAN: bool>(&mut self, p: u32, now: f64) {
        let pat = self.patients[p as usize];
        let out = &mut self.out;
        out.patients.completed += 1;
        let tis = now - pat.arrival;
        out.time_in_system.add(tis);
        if !LEAN && !self.one_class {
            let class = &mut out.classes[pat.class as usize];
            class.patients.completed += 1;
            class.time_in_system.add(tis);
        }
        self.leave::<LEAN>(p, now);
    }

    /// Removes a patient from the system (completed, balked or reneged).
    #[inline(always)]
    fn leave<const LEAN: bool>(&mut self, p: u32, now: f64) {
        let arrival = self.patients[p as usize].arrival;
        let stay = if LEAN {
            now - arrival
        } else {
            self.clip(arrival, now)
        };
        self.out.in_system_area += stay;
        self.in_system -= 1;
        if !LEAN && !self.one_class {
            self.class_in_system[self.patients[p as usize].class as usize] -= 1;
        }
        self.release(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"
[scenario]
name = "guards"
[run]
close = "12:00"
replications = 1
[[stations]]
id = "desk"
servers = 1
service = { dist = "exponential", mean = "4min" }
[[arrivals]]
id = "walk_in"
kind = "poisson"
rate = "12/h"
pathway = "visit"
[[pathways]]
id = "visit"
steps = [{ id = "desk", station = "desk", next = "exit" }]
"#;

    /// Behind validation, the engine refuses an infinite event time instead of running on.
    /// (Validation refuses such a duration; the model is changed after validation here to
    /// reach the guard.)
    #[test]
    fn an_infinite_event_time_stops_the_run_with_an_error() {
        let mut m = Model::from_toml(SMALL).unwrap();
        m.stations[0].service = crate::distribution::Dist::Det {
            value: f64::INFINITY,
        };
        if let StepKind::Visit { service, .. } = &mut m.steps[0].kind {
            *service = crate::distribution::Dist::Det {
                value: f64::INFINITY,
            };
        }
        let e = Simulator::new(&m).run(0).unwrap_err();
        assert!(
            matches!(
                e,
                RunError::NonFiniteTime {
                    event: "end of service",
                    ..
                }
            ),
            "{e}"
        );
    }

    /// A sampling step below the clock's resolution is an error, not a loop that never ends.
    #[test]
    fn a_sampling_step_that_does_not_advance_the_clock_is_an_error() {
        let mut m = Model::from_toml(SMALL).unwrap();
        // Sampling from 10^17 minutes on, where adding 1 minute changes nothing, while a
        // service that lasts until 2·10^17 keeps the run going.
        m.open = 1e17;
        m.stats_start = 0.0;
        m.sample_interval = 1.0;
        let long = crate::distribution::Dist::Det { value: 2e17 };
        m.stations[0].service = long.clone();
        if let StepKind::Visit { service, .. } = &mut m.steps[0].kind {
            *service = long;
        }
        let e = Simulator::new(&m).run(0).unwrap_err();
        assert!(matches!(e, RunError::ClockStalled { .. }), "{e}");
    }

    /// Sampling stops once `MAX_SAMPLES` are kept, so a tiny (but resolvable) interval over a
    /// long run cannot make the loop spin: the run ends and keeps exactly that many samples.
    #[test]
    fn sampling_ends_after_the_last_kept_sample() {
        let mut m = Model::from_toml(SMALL).unwrap();
        m.sample_interval = 1e-6;
        let r = Simulator::new(&m).run(0).unwrap();
        assert_eq!(r.stations[0].samples.len(), crate::model::MAX_SAMPLES);
    }

    /// A model so overloaded that its queues would exhaust memory stops with an error once
    /// the clinic holds more patients than the engine keeps, instead of aborting on a failed
    /// allocation (the limit is lowered here so the test stays small).
    #[test]
    fn an_overloaded_clinic_stops_before_memory_runs_out() {
        let m = Model::from_toml(
            &SMALL
                .replace("close = \"12:00\"", "max_arrivals = 200000")
                .replace("rate = \"12/h\"", "rate = \"100/min\""),
        )
        .unwrap();
        let mut sim = Simulator::new(&m);
        sim.max_in_system = 50_000;
        let e = sim.run(0).unwrap_err();
        assert_eq!(
            e,
            RunError::TooManyInSystem {
                replication: 0,
                limit: 50_000
            }
        );
        assert!(sim.patients.len() <= 50_000 + STOP_CHECK_EVENTS as usize);
    }

    /// A raised stop flag ends the replication (checked every `STOP_CHECK_EVENTS` events).
    #[test]
    fn the_stop_flag_interrupts_a_replication() {
        let m = Model::from_toml(&SMALL.replace("close = \"12:00\"", "max_arrivals = 1000000"))
            .unwrap();
        let flag = AtomicBool::new(true);
        let e = Simulator::new(&m).with_stop_flag(&flag).run(0).unwrap_err();
        assert_eq!(e, RunError::Interrupted);
        flag.store(false, Ordering::Relaxed);
        let r = Simulator::new(&m).with_stop_flag(&flag).run(0).unwrap();
        assert_eq!(r.patients.completed, 1_000_000);
    }

    /// Two overloaded stations in a row, each with a small waiting room and a patience, so
    /// that patients renege at both, and stale patience timers (of patients served in time)
    /// are still pending when the same patient, or a later one in the same slot, waits again.
    const RENEGING: &str = r#"
[scenario]
name = "reneging at two stations"
[run]
open = "08:00"
close = "16:00"
seed = 7
replications = 4
[[stations]]
id = "a"
servers = 2
service = { dist = "exponential", mean = "6.5min" }
capacity = 8
patience = { dist = "lognormal", mean = "20min", sd = "10min" }
[[stations]]
id = "b"
servers = 1
service = { dist = "exponential", mean = "3.3min" }
capacity = 6
patience = { dist = "exponential", mean = "15min" }
[[arrivals]]
id = "walk_in"
kind = "poisson"
pathway = "visit"
rate = "20/h"
[[pathways]]
id = "visit"
steps = [{ id = "first", station = "a", next = "second" }, { id = "second", station = "b", next = "exit" }]
"#;

    /// A lean-eligible model with everything the lean loop still handles: a profile stream
    /// starting after opening, a branch, a delay step, a loop back to an earlier step (visit
    /// numbers in the draws), two stations, a non-exponential service and an arrival cap.
    const LEAN_MIX: &str = r#"
[scenario]
name = "lean mix"
[run]
open = "08:00"
close = "12:00"
seed = 11
replications = 3
max_arrivals = 400
sample_interval = "0min"
[[stations]]
id = "desk"
servers = 2
service = { dist = "exponential", mean = "2min" }
[[stations]]
id = "doctor"
servers = 3
service = { dist = "lognormal", mean = "6min", sd = "3min" }
[[arrivals]]
id = "walk_in"
kind = "profile"
pathway = "visit"
rates = [{ from = "08:30", to = "10:00", rate = "40/h" }, { from = "10:00", to = "12:00", rate = "25/h" }]
[[pathways]]
id = "visit"
[[pathways.steps]]
id = "register"
station = "desk"
next = "see"
[[pathways.steps]]
id = "see"
station = "doctor"
branches = [{ to = "walk", p = 0.3 }, { to = "exit", p = 0.7 }]
[[pathways.steps]]
id = "walk"
delay = { dist = "uniform", min = "5min", max = "15min" }
next = "see"
"#;

    /// Runs every replication of `model` in the loop chosen by `lean`.
    fn run_all(model: &Model, lean: bool) -> Vec<ReplicationResult> {
        let mut sim = Simulator::new(model);
        sim.lean = lean;
        (0..model.replications)
            .map(|r| sim.run(r).unwrap())
            .collect()
    }

    /// The lean copy of the event loop leaves out checks and window clipping that cannot
    /// matter for the models it is chosen for: its results must be bit for bit those of the
    /// general loop.
    #[test]
    fn lean_and_general_loops_agree() {
        let mut bench = Model::from_toml(include_str!("../../scenarios/benchmark.toml"))
            .expect("valid scenario");
        bench.max_arrivals = Some(20_000);
        let mix = Model::from_toml(LEAN_MIX).expect("valid scenario");
        // Cut at 09:30 with patients waiting and in service (events then count the starts of
        // services that never end).
        let cut = LEAN_MIX.replace(
            "close = \"12:00\"",
            "close = \"12:00\"\nhard_stop = \"09:30\"",
        );
        let cut = Model::from_toml(&cut).expect("valid scenario");
        for model in [&bench, &mix, &cut] {
            assert!(Simulator::is_lean(model), "{} should run lean", model.name);
            let lean = run_all(model, true);
            assert!(lean.iter().all(|r| r.patients.completed > 0));
            assert_eq!(lean, run_all(model, false), "{}", model.name);
        }
        let cut_runs = run_all(&cut, true);
        assert!(cut_runs.iter().any(|r| r.patients.unfinished > 0));
    }

    /// A warm-up that ends after the first possible arrival moves the observation window
    /// past some arrivals, so waits and stays must be clipped: such a model runs in the
    /// general loop. One that ends by the first possible arrival clips nothing and may run
    /// lean, with the general loop's results.
    #[test]
    fn warm_up_past_the_first_arrival_is_not_lean() {
        let warm = |w: &str| {
            let text = LEAN_MIX.replace(
                "max_arrivals = 400",
                &format!("max_arrivals = 400\nwarm_up = \"{w}\""),
            );
            Model::from_toml(&text).expect("valid scenario")
        };
        let late = warm("60min"); // window opens 09:00, arrivals from 08:30
        assert!(late.stats_start > late.open + 30.0);
        assert!(!Simulator::is_lean(&late));
        // Forced into the lean loop it would count waits from before the window opened.
        assert_ne!(run_all(&late, true), run_all(&late, false));
        let on_time = warm("30min"); // window opens 08:30 with the first possible arrival
        assert!(Simulator::is_lean(&on_time));
        assert_eq!(run_all(&on_time, true), run_all(&on_time, false));
    }

    /// Renumbering the event sequence (normally after 2^32 events; here forced every few dozen
    /// events, dozens of times over the four replications, while patients wait with pending patience timers)
    /// must not change which patients renege or when: results are identical to a run without
    /// renumbering.
    #[test]
    fn reneges_survive_sequence_renumbering() {
        let model = Model::from_toml(RENEGING).expect("valid scenario");
        let mut plain = Simulator::new(&model);
        let mut renumbered = Simulator::new(&model);
        renumbered.events.set_seq_limit(50);
        let mut reneged = 0;
        for r in 0..4 {
            let want = plain.run(r).unwrap();
            let got = renumbered.run(r).unwrap();
            reneged += want.patients.reneged;
            assert!(want.stations.iter().all(|s| s.reneges > 0));
            assert_eq!(got.patients, want.patients, "replication {r}");
            let reneges =
                |x: &ReplicationResult| x.stations.iter().map(|s| s.reneges).collect::<Vec<_>>();
            assert_eq!(reneges(&got), reneges(&want), "replication {r}");
            assert!(got == want, "replication {r}: results differ");
        }
        assert!(reneged > 20, "too few reneges to test: {reneged}");
        assert!(
            renumbered.events.renumbered > 40,
            "renumbered only {} times",
            renumbered.events.renumbered
        );
    }
}

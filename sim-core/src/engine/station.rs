//! Stations: joining a queue, starting and ending services, taking the next patient.

use super::Simulator;
use super::event::Ev;
use super::index::StationIx;
use super::measure::StationResult;
use super::patient::Patient;
use super::patient::Service;
use super::patient::State;
use crate::model::StepKind;
use crate::rng::{draw_rng, uniform};
use std::collections::VecDeque;

#[derive(Debug, Clone, Default)]
pub(super) struct StationState {
    pub(super) busy: u32,
    pub(super) on_duty: u32,
    pub(super) overtime: bool,
    /// Closed for the day under `end_of_day = "send_home"`: whoever comes is sent home.
    pub(super) closed: bool,
    /// Closed for the day under `end_of_day = "carry_over"`: those waiting at the next
    /// opening were carried over from day `closed_day`.
    pub(super) carrying: bool,
    pub(super) closed_day: u32,
    /// While in overtime: `r.capacity_area` when it began, and the day it belongs to.
    pub(super) ot_mark: f64,
    pub(super) ot_day: u32,
    pub(super) next_change: usize,
    /// Ring buffer of the highest priority level (the only one without priorities).
    pub(super) queue: VecDeque<u64>,
    /// Ring buffers of the lower priority levels, highest first (empty without priorities).
    pub(super) lower: Vec<VecDeque<u64>>,
    pub(super) waiting: u32,
    pub(super) last: f64,
    /// Σ over patients in service of max(service start, window start): with `busy` it gives the
    /// busy time of services still running, for utilisation by interval.
    pub(super) busy_since_sum: f64,
    /// Servers who may start a service now: `on_duty`, or during overtime at least the
    /// station's overtime servers (kept up to date at staffing changes).
    pub(super) avail: u32,
    /// The station seizes shared resources (`avail` is then unlimited and `on_duty` the
    /// services it could run at once with every unit to itself; see `engine::resource`).
    pub(super) pooled: bool,
    /// Services here can be interrupted (preemption, a shift-end rule of the station or of a
    /// resource it requires): `serving` lists the patients in service.
    pub(super) interruptible: bool,
    pub(super) serving: Vec<u32>,
    /// At a station of shared resources: the time up to which `r.waiting_for` is integrated.
    pub(super) blocked_last: f64,
    /// This station's results, kept beside its state so an event touches one record.
    pub(super) r: StationResult,
}

impl StationState {
    /// The state at the start of a replication, with `initial` servers on duty and `levels`
    /// giving each class's priority level; queue and result storage are kept.
    pub(super) fn reset(&mut self, initial: u32, levels: &[u16]) {
        let lower = levels.iter().copied().max().map_or(0, usize::from);
        self.busy = 0;
        self.on_duty = initial;
        self.avail = initial;
        self.overtime = false;
        self.closed = false;
        self.carrying = false;
        self.closed_day = 0;
        self.ot_mark = 0.0;
        self.ot_day = 0;
        self.next_change = 0;
        self.queue.clear();
        self.lower.truncate(lower);
        self.lower.iter_mut().for_each(VecDeque::clear);
        self.lower.resize_with(lower, VecDeque::new);
        self.waiting = 0;
        self.last = 0.0;
        self.busy_since_sum = 0.0;
        self.pooled = false;
        self.interruptible = false;
        self.serving.clear();
        self.blocked_last = 0.0;
        self.r.clear();
    }
}

impl<'m> Simulator<'m> {
    /// Patient `p` arrives at station `s` for `step` (its current step): served at once if a
    /// server is free and nobody is waiting, else queued (or turned away when the queue is full).
    #[inline(always)]
    pub(super) fn join<const LEAN: bool>(
        &mut self,
        s: StationIx,
        p: u32,
        step: &'m crate::model::Step,
        now: f64,
    ) {
        let pat = &mut self.patients[p as usize];
        pat.at_station = s;
        pat.enqueued = now;
        let st = &self.stations[s.ix()];
        // Lean: the servers available never change, so while anyone waits all are busy.
        let free = (LEAN || st.waiting == 0)
            && st.busy < st.avail
            && (LEAN || !st.pooled || self.can_seize(s));
        // With preemption, a lower class in service may have to make way.
        if free
            || (!LEAN
                && self.model.stations[s.ix()].preemption.is_some()
                && self.preempt_for(s, p, now))
        {
            self.start_service_at::<LEAN>(s, p, step, now);
        } else {
            self.enqueue::<LEAN>(s, p, now);
        }
    }

    /// Puts `p` (whose wait starts `now`) into station `s`'s queue, or turns it away.
    #[inline(always)]
    pub(super) fn enqueue<const LEAN: bool>(&mut self, s: StationIx, p: u32, now: f64) {
        let spec = &self.model.stations[s.ix()];
        if !LEAN
            && (self.stations[s.ix()].waiting >= spec.capacity
                || self.stations[s.ix()].closed
                || (!spec.balking.is_empty() && self.balks_by_choice(s, p)))
        {
            if self.stations[s.ix()].closed {
                self.send_home(s, p, now);
            } else {
                self.balk(s, p, now);
            }
            return;
        }
        if !LEAN && self.stations[s.ix()].pooled {
            self.touch_blocked(&[s.0], now);
        }
        let st = &mut self.stations[s.ix()];
        let pat = &mut self.patients[p as usize];
        pat.state = State::Waiting;
        let entry = (u64::from(pat.generation) << 32) | u64::from(p);
        if !LEAN && spec.by_appointment {
            self.enqueue_keyed(s, p, entry, now);
        } else if LEAN || st.lower.is_empty() {
            st.queue.push_back(entry);
        } else {
            Self::enqueue_by_level(st, &self.level_of[s.ix()], pat.class, entry);
        }
        let st = &mut self.stations[s.ix()];
        st.waiting += 1;
        let r = &mut st.r;
        r.max_queue = r.max_queue.max(st.waiting);
        r.queued += 1;
        self.out.queue_joins += 1;
        if !LEAN && !spec.patience.is_empty() {
            self.start_patience(s, p, now);
        }
        if !LEAN && self.logging {
            self.log_event(p, super::event_log::Activity::JoinQueue, Some(s), now);
        }
    }

    /// Queues `entry` at its class's priority level (stations with priorities).
    #[inline(never)]
    pub(super) fn enqueue_by_level(st: &mut StationState, levels: &[u16], class: u16, entry: u64) {
        match levels[class as usize] as usize {
            0 => st.queue.push_back(entry),
            level => st.lower[level - 1].push_back(entry),
        }
    }

    /// True when `p`, about to join station `s`'s queue, balks by choice: with probability
    /// its class's `balking[n]` for n already waiting (the list's last entry beyond it), drawn from the
    /// patient's own stream for this step (common random numbers across variants).
    #[inline(never)]
    pub(super) fn balks_by_choice(&self, s: StationIx, p: u32) -> bool {
        let m = self.model;
        let pat = &self.patients[p as usize];
        let balking = &m.stations[s.ix()].balking[pat.class as usize];
        if balking.is_empty() {
            return false; // this class never balks by choice here
        }
        let waiting = self.stations[s.ix()].waiting as usize;
        let chance = balking[waiting.min(balking.len() - 1)];
        let step = &m.steps[pat.step as usize];
        let visit = if step.cyclic { pat.loop_visits } else { 0 };
        chance > 0.0 && uniform(&mut draw_rng(pat.key, step.keys.balk, visit)) < chance
    }

    /// Patient `p` finds station `s`'s queue full (or balks by choice) and leaves.
    #[inline(never)]
    pub(super) fn balk(&mut self, s: StationIx, p: u32, now: f64) {
        if self.logging {
            self.log_event(p, super::event_log::Activity::Balk, Some(s), now);
        }
        self.stations[s.ix()].r.balks += 1;
        self.out.patients.balked += 1;
        let c = self.patients[p as usize].class as usize;
        self.out.classes[c].patients.balked += 1;
        self.count_unserved(s, c as u32);
        self.leave::<false>(p, now);
    }

    /// Starts serving `p` at station `s`; the patient's `enqueued` holds the start of its wait.
    /// Only the station's available-time integral needs bringing up to `now` (when the number
    /// of busy servers passes the number on duty); queue length and busy servers are
    /// integrated per patient.
    #[inline(always)]
    pub(super) fn start_service<const LEAN: bool>(&mut self, s: StationIx, p: u32, now: f64) {
        let step = &self.model.steps[self.patients[p as usize].step as usize];
        self.start_service_at::<LEAN>(s, p, step, now);
    }

    /// `start_service` with the patient's current step already looked up.
    #[inline(always)]
    pub(super) fn start_service_at<const LEAN: bool>(
        &mut self,
        s: StationIx,
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
        // A service interrupted earlier continues with what it is still owed: no new draw, and
        // not a new visit (its wait and service were counted when it first started).
        let resumed = !LEAN && pat.interrupted;
        let mut d = if resumed {
            pat.interrupted = false;
            pat.work
        } else {
            let visit = if step.cyclic { pat.loop_visits } else { 0 };
            let rng = &mut draw_rng(pat.key, step.keys.service, visit);
            match pat.service {
                _ if LEAN => service.sample(rng),
                Service::Step => service.sample(rng),
                Service::Station => m.stations[s.ix()].service.sample(rng),
                Service::FaceScan => m
                    .workflow
                    .face_scan
                    .as_ref()
                    .expect("face scan is on")
                    .sample(rng),
            }
        };
        let waited_from = pat.enqueued;
        pat.enqueued = now; // from here on: the service start
        pat.state = State::InService;
        if !LEAN && m.has_multipliers && !resumed {
            d *= m.classes[pat.class as usize].multipliers[s.ix()];
        }
        let st = &mut self.stations[s.ix()];
        if !LEAN && st.interruptible {
            pat.work = now + d;
            st.serving.push(p);
        }
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
        if !LEAN && st.pooled {
            self.seize(s, p, now);
        }
        let st = &mut self.stations[s.ix()];
        // Lean: the wait lies inside the observation window (see `lean`).
        let queued = if LEAN {
            now - waited_from
        } else {
            (now - waited_from.max(ss)).max(0.0)
        };
        let r = &mut st.r;
        r.queue_area += queued;
        if !resumed {
            r.visits += 1;
            r.waits.add(now - waited_from);
            r.service_sum += d;
            if !LEAN && !m.targets.is_empty() {
                let class = self.patients[p as usize].class;
                self.count_wait_targets(s, u32::from(class), Some(now - waited_from));
            }
            if !LEAN && self.sampling {
                self.hourly_wait(s, waited_from, now, true);
            }
        }
        if !LEAN {
            self.out.events += 1;
            if self.logging {
                self.log_event(p, super::event_log::Activity::StartService, Some(s), now);
            }
        }
        self.events.push(now + d, Ev::ServiceEnd(p));
    }

    pub(super) fn on_service_end<const LEAN: bool>(&mut self, p: u32, now: f64) {
        let ss = self.model.stats_start;
        let pat = &mut self.patients[p as usize];
        if !LEAN && pat.stale > 0 {
            // The end of a service that was interrupted (see `engine::interruption`).
            pat.stale -= 1;
            return;
        }
        let s = pat.at_station;
        let started = pat.enqueued;
        pat.state = State::Elsewhere;
        if !LEAN && self.logging {
            self.log_event(p, super::event_log::Activity::EndService, Some(s), now);
        }
        let st = &mut self.stations[s.ix()];
        if !LEAN && st.interruptible {
            Self::stop_serving(st, p);
        }
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
        if !LEAN && st.pooled {
            // Freed units go to whoever should have them, here or at a station sharing them,
            // before this patient moves on.
            let option = self.patients[p as usize].option;
            self.release_units(s, option, started, now);
        } else if st.waiting > 0 && (LEAN || st.busy < st.avail) {
            // Lean: the servers available never change, so a server has just come free.
            self.serve_next::<LEAN>(s, now);
        }
        self.advance::<LEAN>(p, now);
    }

    /// Starts services from the queue while servers are free. The caller has touched the
    /// station at `now`.
    pub(super) fn serve_waiting(&mut self, s: StationIx, now: f64) {
        loop {
            let st = &mut self.stations[s.ix()];
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
    pub(super) fn serve_next<const LEAN: bool>(&mut self, s: StationIx, now: f64) {
        let st = &mut self.stations[s.ix()];
        let Some(p) = Self::pop_waiting::<LEAN>(st, &self.patients) else {
            return;
        };
        st.waiting -= 1;
        self.start_service::<LEAN>(s, p, now);
        let st = &self.stations[s.ix()];
        debug_assert!(st.waiting == 0 || st.busy >= st.avail);
    }

    /// The next live entry from the highest non-empty priority level, left in the queue
    /// (stale entries before it are dropped).
    pub(super) fn peek_waiting(st: &mut StationState, patients: &[Patient]) -> Option<u32> {
        let live = |entry: u64| patients[entry as u32 as usize].generation == (entry >> 32) as u32;
        for level in std::iter::once(&mut st.queue).chain(st.lower.iter_mut()) {
            while let Some(&entry) = level.front() {
                if live(entry) {
                    return Some(entry as u32);
                }
                level.pop_front();
            }
        }
        None
    }

    /// Takes the next live entry from the highest non-empty priority level.
    #[inline]
    pub(super) fn pop_waiting<const LEAN: bool>(
        st: &mut StationState,
        patients: &[Patient],
    ) -> Option<u32> {
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
}

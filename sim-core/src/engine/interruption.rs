//! Interrupted services: a higher class preempting a lower one, and the shift-end rules
//! (`shift_end = "resume" | "restart" | "hand_over"`) when staff on duty fall below those busy.
//!
//! An interrupted patient goes back to the *front* of its priority level's queue at the
//! station, owing either the rest of its service (resume, hand-over) or all of it (restart); the
//! next service it starts is that work, not a new visit, so its wait and service are counted
//! once, when it first started. Which service is interrupted: for preemption the lowest class
//! in service, most recently started first; at a shift's end the most recently started
//! (the least work lost).
//!
//! The interrupted service's end event cannot be taken out of the event heap; the patient
//! counts it in `stale` and ignores it when it comes. Those stale events always come before
//! the live one: the owed work is rounded so that a service resumed at `t ≥` the interruption
//! never ends before the interrupted one would have (float addition is monotone), and at an
//! equal time the older event pops first. Stations whose services cannot be interrupted (no
//! preemption, `shift_end = "finish"` everywhere) never come here.

use super::Simulator;
use super::index::StationIx;
use super::patient::State;
use super::station::StationState;
use crate::scenario::{Preemption, ShiftEnd};

/// How an interrupted service continues, and what it is counted as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Interruption {
    /// By a higher class, resumed later.
    PreemptResume,
    /// By a higher class, started again later.
    PreemptRestart,
    /// At a shift's end, resumed later.
    ShiftResume,
    /// At a shift's end, started again later.
    ShiftRestart,
    /// At a shift's end, continued by the next free unit of the pool.
    HandOver,
}

impl Interruption {
    fn restarts(self) -> bool {
        matches!(
            self,
            Interruption::PreemptRestart | Interruption::ShiftRestart
        )
    }

    /// The interruption a shift-end rule gives (none for `finish`).
    pub(super) fn at_shift_end(rule: ShiftEnd) -> Option<Interruption> {
        match rule {
            ShiftEnd::Finish => None,
            ShiftEnd::Resume => Some(Interruption::ShiftResume),
            ShiftEnd::Restart => Some(Interruption::ShiftRestart),
            ShiftEnd::HandOver => Some(Interruption::HandOver),
        }
    }
}

impl<'m> Simulator<'m> {
    /// Marks the stations whose services can be interrupted (at the start of a replication).
    pub(super) fn mark_interruptible(&mut self) {
        let m = self.model;
        for (st, s) in self.stations.iter_mut().zip(&m.stations) {
            st.interruptible = s.preemption.is_some()
                || s.shift_end != ShiftEnd::Finish
                || s.requires
                    .iter()
                    .any(|n| m.resources[n.resource as usize].shift_end != ShiftEnd::Finish);
        }
    }

    /// Takes `p` off station `st`'s list of patients in service.
    pub(super) fn stop_serving(st: &mut StationState, p: u32) {
        if let Some(i) = st.serving.iter().position(|&q| q == p) {
            st.serving.swap_remove(i);
        }
    }

    /// `p` has found every server of station `s` busy: interrupts the lowest class in service
    /// below `p`'s (the most recently started of them) and returns true, or returns false when
    /// nobody in service is of a lower class.
    pub(super) fn preempt_for(&mut self, s: StationIx, p: u32, now: f64) -> bool {
        let levels = &self.level_of[s.ix()];
        let mine = levels[self.patients[p as usize].class as usize];
        let mut victim: Option<(u16, f64, u32)> = None;
        for &q in &self.stations[s.ix()].serving {
            let pat = &self.patients[q as usize];
            let level = levels[pat.class as usize];
            // Larger level numbers are lower classes.
            if level <= mine {
                continue;
            }
            let better = match victim {
                None => true,
                Some((l, since, _)) => level > l || (level == l && pat.enqueued >= since),
            };
            if better {
                victim = Some((level, pat.enqueued, q));
            }
        }
        let Some((_, _, q)) = victim else {
            return false;
        };
        let how = match self.model.stations[s.ix()].preemption {
            Some(Preemption::Restart) => Interruption::PreemptRestart,
            _ => Interruption::PreemptResume,
        };
        self.interrupt(s, q, how, now);
        // At a station of shared resources the victim's units are those `p` needs (the same
        // station's needs, and one of its alternatives), so `p` can now seize them: nobody else
        // is offered them.
        let option = self.patients[q as usize].option;
        for n in self.model.stations[s.ix()]
            .requires
            .iter()
            .filter(|n| n.held_by(option))
        {
            self.resources[n.resource as usize].r.preemptions += 1;
        }
        true
    }

    /// Stops the service of `q` at station `s` and puts `q` back at the front of its queue.
    pub(super) fn interrupt(&mut self, s: StationIx, q: u32, how: Interruption, now: f64) {
        if self.logging {
            self.log_event(q, super::event_log::Activity::Preempted, Some(s), now);
        }
        let ss = self.model.stats_start;
        let pat = &mut self.patients[q as usize];
        debug_assert_eq!(pat.state, State::InService);
        let (start, end) = (pat.enqueued, pat.work);
        let from = if how.restarts() { start } else { now };
        let mut owed = (end - from).max(0.0);
        // Never end before the interrupted service would have (see the module documentation).
        if from + owed < end {
            owed = owed.next_up();
        }
        pat.work = owed;
        pat.interrupted = true;
        pat.stale += 1;
        pat.state = State::Waiting;
        pat.enqueued = now;
        let (class, generation, option) = (pat.class, pat.generation, pat.option);
        let st = &mut self.stations[s.ix()];
        Self::stop_serving(st, q);
        let shrinks = st.busy > st.on_duty;
        if shrinks {
            // max(on duty, busy) is about to shrink.
            self.touch_capacity(s, now);
        }
        let st = &mut self.stations[s.ix()];
        if self.sampling {
            st.busy_since_sum -= start.max(ss);
        }
        st.r.busy_area += (now - start.max(ss)).max(0.0);
        st.busy -= 1;
        if st.pooled {
            self.touch_blocked(&[s.0], now);
        }
        let st = &mut self.stations[s.ix()];
        let entry = (u64::from(generation) << 32) | u64::from(q);
        match self.level_of[s.ix()][class as usize] as usize {
            0 => st.queue.push_front(entry),
            level => st.lower[level - 1].push_front(entry),
        }
        st.waiting += 1;
        st.r.max_queue = st.r.max_queue.max(st.waiting);
        match how {
            Interruption::PreemptResume | Interruption::PreemptRestart => st.r.preemptions += 1,
            Interruption::ShiftResume | Interruption::ShiftRestart => st.r.interruptions += 1,
            Interruption::HandOver => st.r.handovers += 1,
        }
        if st.pooled {
            self.free_units(s, option, start, now);
        }
    }

    /// A station's servers available have just fallen to `avail`: with a shift-end rule
    /// other than `finish`, the services beyond them stop (the most recently started first).
    pub(super) fn interrupt_beyond_shift(&mut self, s: StationIx, now: f64) {
        let Some(how) = Interruption::at_shift_end(self.model.stations[s.ix()].shift_end) else {
            return;
        };
        while self.stations[s.ix()].busy > self.stations[s.ix()].avail {
            let Some(q) = self.latest_started(&[s.0], None) else {
                break;
            };
            self.interrupt(s, q, how, now);
        }
    }

    /// A pool's units available have just fallen: with a shift-end rule other than `finish`,
    /// services holding its units stop (the most recently started first, at any station that
    /// requires it) until no more are seized than are available; the other units they held
    /// may then start someone elsewhere.
    pub(super) fn interrupt_beyond_rota(&mut self, i: u32, now: f64) {
        let m = self.model;
        let spec = &m.resources[i as usize];
        let Some(how) = Interruption::at_shift_end(spec.shift_end) else {
            return;
        };
        let mut any = false;
        while self.resources[i as usize].busy > self.resources[i as usize].avail {
            let Some(q) = self.latest_started(&spec.users, Some(i)) else {
                break;
            };
            let s = self.patients[q as usize].at_station;
            self.interrupt(s, q, how, now);
            let r = &mut self.resources[i as usize].r;
            if how == Interruption::HandOver {
                r.handovers += 1;
            } else {
                r.interruptions += 1;
            }
            any = true;
        }
        if any {
            // Units of the pool's other resources came free too.
            for &u in &spec.users {
                let rivals = std::mem::take(&mut self.rivals[u as usize]);
                self.dispatch(&rivals, now);
                self.rivals[u as usize] = rivals;
            }
        }
    }

    /// The patient in service at `stations` who started last (ties: the later in the list);
    /// with `pool`, only among services holding units of that resource (at a station with
    /// alternatives, not every service does).
    fn latest_started(&self, stations: &[u32], pool: Option<u32>) -> Option<u32> {
        let mut best: Option<(f64, u32)> = None;
        for &u in stations {
            let needs = &self.model.stations[u as usize].requires;
            for &q in &self.stations[u as usize].serving {
                if let Some(i) = pool
                    && !needs
                        .iter()
                        .any(|n| n.resource == i && n.held_by(self.patients[q as usize].option))
                {
                    continue;
                }
                let since = self.patients[q as usize].enqueued;
                if best.is_none_or(|(b, _)| since >= b) {
                    best = Some((since, q));
                }
            }
        }
        best.map(|(_, q)| q)
    }
}

//! The four kinds of arrivals (Poisson streams, appointment slots, batches, booked online
//! visits) and the admission of a patient into the clinic.

use super::Simulator;
use super::event::Ev;
use super::index::StreamIx;
use super::patient::State;
use crate::model::StreamKind;
use crate::rng::Purpose;
use crate::rng::draw_rng;
use crate::rng::patient_key;
use crate::rng::purpose_key;
use crate::rng::uniform;
use crate::scenario::LateRule;
use rand_xoshiro::Xoshiro256PlusPlus;

#[derive(Debug, Clone)]
pub(super) struct StreamState {
    pub(super) rng: Xoshiro256PlusPlus,
    /// Root of this stream's patient keys in the current replication.
    pub(super) base: u64,
    pub(super) piece: usize,
    /// A Poisson stream of one piece with no end: its start and rate (> 0), else rate 0.
    pub(super) steady: (f64, f64),
    pub(super) ordinal: u64,
    pub(super) slot_in_session: u64,
}

/// How long before a slot its patients must be booked in: the largest possible earliness.
pub(super) fn lead_time(punctuality: &Option<crate::distribution::Dist>) -> f64 {
    punctuality
        .as_ref()
        .map_or(0.0, |p| p.lower_bound().min(0.0))
}

impl<'m> Simulator<'m> {
    /// Schedules an event that may bring patients (see `pending_sources`).
    #[inline]
    pub(super) fn schedule_source(&mut self, time: f64, ev: Ev) {
        self.pending_sources += 1;
        self.events.push(time, ev);
    }

    /// Schedules the next arrival of Poisson stream `s`: a source event that is always
    /// pending, so it is held beside the heap when that slot is free.
    #[inline]
    pub(super) fn schedule_arrival(&mut self, time: f64, s: StreamIx) {
        self.pending_sources += 1;
        self.events.push_beside(time, Ev::Arrival(s));
    }

    /// Next arrival time of Poisson stream `s` after `from`, by inverting the cumulative rate
    /// of its piecewise-constant profile (exact; no thinning rejections). A stream of one
    /// endless piece (the common case) is done inline: the same arithmetic as the first pass
    /// of the general loop, whose piece never runs out.
    #[inline(always)]
    pub(super) fn next_poisson(&mut self, s: StreamIx, from: f64) -> Option<f64> {
        let st = &mut self.streams[s.ix()];
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
    pub(super) fn next_poisson_piecewise(&mut self, s: StreamIx, from: f64) -> Option<f64> {
        let StreamKind::Poisson { pieces } = &self.model.streams[s.ix()].kind else {
            return None;
        };
        let st = &mut self.streams[s.ix()];
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

    pub(super) fn on_poisson_arrival<const LEAN: bool>(&mut self, s: StreamIx, now: f64) {
        let ordinal = self.streams[s.ix()].ordinal;
        self.streams[s.ix()].ordinal += 1;
        if !LEAN && self.model.workflow.online.is_some() && !self.stop_arrivals {
            // A digital patient books online: instead of walking in now, they come at the
            // booked time with the same rank in the day (or not at all).
            let key = patient_key(self.streams[s.ix()].base, ordinal);
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

    pub(super) fn on_batch(&mut self, s: StreamIx, now: f64) {
        let StreamKind::Batch { count, .. } = self.model.streams[s.ix()].kind else {
            return;
        };
        for ordinal in 0..u64::from(count) {
            if !self.admit::<false>(s, ordinal, now) {
                break;
            }
        }
    }

    /// Online registration for a digital walk-in whose walk-in time would have been `now`.
    pub(super) fn book_online(&mut self, s: StreamIx, key: u64, class: u16, now: f64) {
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
        let shape = m.streams[s.ix()]
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
    pub(super) fn on_slot(&mut self, s: StreamIx, now: f64) {
        let stream = &self.model.streams[s.ix()];
        let StreamKind::Appointments {
            sessions,
            slot,
            per_slot,
            no_show,
            punctuality,
            late,
            no_show_by_session,
        } = &stream.kind
        else {
            return;
        };
        if self.stop_arrivals {
            return;
        }
        let st = &mut self.streams[s.ix()];
        // For appointment streams `ordinal` counts slots so far and `piece` is the session.
        let k = st.ordinal;
        let session = st.piece;
        let (from, to) = sessions[session];
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
            // The class is a pure function of the patient's key, so finding it first (only
            // when classes differ in no-shows) draws nothing and leaves every other draw as it
            // was.
            let table = if no_show_by_session.is_empty() {
                &no_show[..]
            } else {
                &no_show_by_session[session][..]
            };
            let p = match table {
                [all] => *all,
                by_class => by_class[self.class_for(s, key) as usize],
            };
            if p > 0.0 && uniform(&mut draw_rng(key, purpose_key(Purpose::NoShow, 0), 0)) < p {
                let c = self.class_for(s, key);
                self.out.patients.no_shows += 1;
                self.out.classes[c as usize].patients.no_shows += 1;
                continue;
            }
            let offset = punctuality.as_ref().map_or(0.0, |d| {
                d.sample(&mut draw_rng(key, purpose_key(Purpose::Punctuality, 0), 0))
            });
            // Late beyond the limit: told to book again, or called as a walk-in or at the
            // session's end (which matters at steps called by appointment).
            let call = match late {
                Some((after, rule)) if offset > *after => match rule {
                    LateRule::Rebook => {
                        let c = self.class_for(s, key);
                        self.out.patients.rebooked += 1;
                        self.out.classes[c as usize].patients.rebooked += 1;
                        continue;
                    }
                    LateRule::WalkIn => f64::NAN,
                    LateRule::EndOfSession => to,
                },
                _ => slot_time,
            };
            let p = self.allocate::<false>(key, s);
            self.book_call(p, call);
            self.schedule_source((slot_time + offset).max(now), Ev::Booked(p));
        }
        if let Some(next) = next {
            self.schedule_source((next + lead_time(punctuality)).max(now), Ev::Slot(s));
        }
    }

    pub(super) fn class_for(&self, s: StreamIx, key: u64) -> u16 {
        match self.model.streams[s.ix()].class {
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

    /// A new patient of stream `s` arrives; false once the arrival cap is reached.
    pub(super) fn admit<const LEAN: bool>(&mut self, s: StreamIx, ordinal: u64, now: f64) -> bool {
        if self.stop_arrivals {
            return false;
        }
        let key = patient_key(self.streams[s.ix()].base, ordinal);
        let p = self.allocate::<LEAN>(key, s);
        if !self.admit_allocated::<LEAN>(p, now) {
            self.release(p);
            return false;
        }
        true
    }

    pub(super) fn admit_allocated<const LEAN: bool>(&mut self, p: u32, now: f64) -> bool {
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
        if !LEAN && self.sampling {
            self.hourly_arrival(now);
        }
        self.patients[p as usize].state = State::Elsewhere;
        if !LEAN && self.logging {
            self.log_event(p, super::event_log::Activity::Arrive, None, now);
        }
        self.in_system += 1;
        self.out.max_in_system = self.out.max_in_system.max(self.in_system);
        self.enter_step::<LEAN>(p, now);
        true
    }
}

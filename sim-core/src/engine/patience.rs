//! Reneging: patience timers set when a wait starts, and leaving the queue when one runs out.

use super::Simulator;
use super::event::Ev;
use super::index::StationIx;
use super::patient::State;
use crate::rng::draw_rng;

impl<'m> Simulator<'m> {
    /// Sets the patience timer of `p`, who has just started to wait at station `s`.
    #[inline(never)]
    pub(super) fn start_patience(&mut self, s: StationIx, p: u32, now: f64) {
        let m = self.model;
        let pat = &self.patients[p as usize];
        let Some(Some(patience)) = m.stations[s.ix()].patience.get(pat.class as usize) else {
            return; // this class never reneges here
        };
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

    #[inline(never)]
    pub(super) fn on_renege(&mut self, t: u32, now: f64) {
        let (p, generation) = self.timers[t as usize];
        self.free_timers.push(t);
        let pat = &self.patients[p as usize];
        // Any end of the wait (service start, leaving, reuse of the slot) bumps the generation.
        if pat.generation != generation || pat.state != State::Waiting {
            return; // served (or gone) before patience ran out
        }
        let s = self.patients[p as usize].at_station;
        if self.logging {
            self.log_event(p, super::event_log::Activity::Renege, Some(s), now);
        }
        if self.stations[s.ix()].pooled {
            self.touch_blocked(&[s.0], now);
        }
        if self.sampling {
            self.hourly_wait(s, self.patients[p as usize].enqueued, now, false);
        }
        let queued = self.clip(self.patients[p as usize].enqueued, now);
        self.stations[s.ix()].r.queue_area += queued;
        self.stations[s.ix()].waiting -= 1;
        self.stations[s.ix()].r.reneges += 1;
        self.out.patients.reneged += 1;
        let c = self.patients[p as usize].class as usize;
        self.out.classes[c].patients.reneged += 1;
        self.count_unserved(s, c as u32);
        self.leave::<false>(p, now);
    }
}

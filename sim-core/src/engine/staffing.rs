//! Staffing: shift changes, overtime and opening time.

use super::Simulator;
use super::event::Ev;
use super::index::StationIx;

impl<'m> Simulator<'m> {
    /// Opening time: stations with constant servers count them as staffed from now on.
    pub(super) fn on_open(&mut self, now: f64) {
        for k in 0..self.staffed_from_open.len() {
            let s = StationIx(self.staffed_from_open[k]);
            self.touch_capacity(s, now);
            self.stations[s.ix()].on_duty = self.model.stations[s.ix()].initial_servers;
        }
        self.open_resources(now);
    }

    pub(super) fn on_staff_change(&mut self, s: StationIx, now: f64) {
        self.touch_capacity(s, now);
        let spec = &self.model.stations[s.ix()];
        let st = &mut self.stations[s.ix()];
        let change = spec.changes[st.next_change];
        self.close_day(s, change, now);
        let st = &mut self.stations[s.ix()];
        st.on_duty = change.count;
        st.next_change += 1;
        st.overtime = change.overtime > 0;
        st.avail = if st.overtime {
            st.on_duty.max(change.overtime)
        } else {
            st.on_duty
        };
        if let Some(next) = spec.changes.get(st.next_change) {
            self.events.push(next.at, Ev::Staff(s));
        }
        if st.busy > st.avail && st.interruptible {
            self.interrupt_beyond_shift(s, now);
            self.send_home_if_closed(s, now);
        }
        self.serve_waiting(s, now);
    }
}

//! The end of a clinic day: overtime worked after a station's or pool's last shift (by day),
//! and the `[calendar] end_of_day` rules for patients still waiting then: `send_home` (they
//! leave unseen, and so does anyone who reaches the station before its next shift) and
//! `carry_over` (they stay, with anyone who reaches the closed station, and are counted and
//! put ahead of everyone who comes later when it opens again). Everything here runs at
//! staffing changes, never per patient event.

use super::Simulator;
use super::index::StationIx;
use super::patient::State;
use super::resource::ResourceState;
use super::station::StationState;
use crate::model::StaffChange;
use crate::model::calendar::day_of_end;
use crate::scenario::EndOfDay;

/// One station's end-of-day outcomes on one day of one replication.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DayCounts {
    /// Patients sent home unseen (`end_of_day = "send_home"`).
    pub sent_home: u32,
    /// Patients still waiting at the day's end, carried over (`end_of_day = "carry_over"`).
    pub carried_over: u32,
    /// Server-minutes worked after the day's last shift ended (inside the observation window).
    pub overtime: f64,
}

/// Entry `day` of a per-day list, growing it as needed (kept between replications).
fn on_day<T: Default + Clone>(list: &mut Vec<T>, day: usize) -> &mut T {
    if list.len() <= day {
        list.resize(day + 1, T::default());
    }
    &mut list[day]
}

impl StationState {
    /// Ends the overtime running since `ot_mark` (if any): its server-minutes go to its day.
    /// Called at the next staffing change and at the end of the run, after `capacity_area`
    /// has been brought up to that moment.
    pub(super) fn end_overtime(&mut self) {
        if self.overtime {
            let worked = self.r.capacity_area - self.ot_mark;
            on_day(&mut self.r.by_day, self.ot_day as usize).overtime += worked;
            self.overtime = false;
        }
    }
}

impl ResourceState {
    /// A pool's [`StationState::end_overtime`]: the unit-minutes worked beyond the rota.
    pub(super) fn end_overtime(&mut self) {
        if self.overtime {
            let worked = self.r.capacity_area - self.r.rostered_area - self.ot_mark;
            *on_day(&mut self.r.overtime_by_day, self.ot_day as usize) += worked;
            self.overtime = false;
        }
    }
}

impl<'m> Simulator<'m> {
    /// Station `s` changes staffing with `change` (its capacity integral already brought up
    /// to `now`): closes the overtime that was running, notes overtime starting, and applies
    /// the end-of-day rule at a day's end.
    pub(super) fn close_day(&mut self, s: StationIx, change: StaffChange, now: f64) {
        let st = &mut self.stations[s.ix()];
        st.end_overtime();
        if change.overtime > 0 {
            st.ot_mark = st.r.capacity_area;
            st.ot_day = day_of_end(now) as u32;
        }
        st.closed = false;
        // Counted at midnight (the change `compile::calendar` adds there), or when the station
        // reopens before it: those who arrive in the small hours were never carried.
        if st.carrying && !change.day_end {
            st.carrying = false;
            self.carry_over(s);
        }
        if !change.day_end {
            return;
        }
        let st = &mut self.stations[s.ix()];
        st.closed_day = day_of_end(now) as u32;
        match self.model.calendar.as_ref().map(|c| c.end_of_day) {
            Some(EndOfDay::SendHome) => {
                st.closed = true;
                self.send_home_waiting(s, now);
            }
            Some(EndOfDay::CarryOver) => st.carrying = true,
            Some(EndOfDay::Overtime) | None => {}
        }
    }

    /// Pool `i` changes its rota with `change` (its integrals already brought up to `now`):
    /// the overtime per day of the pool, as for a station.
    pub(super) fn close_pool_day(&mut self, i: usize, change: StaffChange, now: f64) {
        let r = &mut self.resources[i];
        r.end_overtime();
        r.overtime = change.overtime > 0;
        if r.overtime {
            r.ot_mark = r.r.capacity_area - r.r.rostered_area;
            r.ot_day = day_of_end(now) as u32;
        }
    }

    /// After services were stopped at a shift's end (`shift_end = "resume"` or `"restart"`):
    /// at a station closed for the day under `send_home`, they went back to a queue nobody will
    /// serve today, so they are sent home too.
    pub(super) fn send_home_if_closed(&mut self, s: StationIx, now: f64) {
        if self.stations[s.ix()].closed && self.stations[s.ix()].waiting > 0 {
            self.send_home_waiting(s, now);
        }
    }

    /// `send_home` at the day's end: everyone waiting at station `s` leaves unseen.
    fn send_home_waiting(&mut self, s: StationIx, now: f64) {
        if self.stations[s.ix()].pooled {
            self.touch_blocked(&[s.0], now);
        }
        while let Some(p) = {
            let st = &mut self.stations[s.ix()];
            Self::pop_waiting::<false>(st, &self.patients)
        } {
            let from = self.patients[p as usize].enqueued;
            if self.sampling {
                self.hourly_wait(s, from, now, false);
            }
            let queued = self.clip(from, now);
            let st = &mut self.stations[s.ix()];
            st.r.queue_area += queued;
            st.waiting -= 1;
            self.send_home(s, p, now);
        }
    }

    /// Patient `p`, waiting at (or reaching) station `s` after its day has ended under
    /// `send_home`, leaves unseen.
    #[inline(never)]
    pub(super) fn send_home(&mut self, s: StationIx, p: u32, now: f64) {
        if self.logging {
            self.log_event(p, super::event_log::Activity::Balk, Some(s), now);
        }
        let st = &mut self.stations[s.ix()];
        st.r.sent_home += 1;
        on_day(&mut st.r.by_day, day_of_end(now)).sent_home += 1;
        self.out.patients.sent_home += 1;
        let c = self.patients[p as usize].class as usize;
        self.out.classes[c].patients.sent_home += 1;
        self.count_unserved(s, c as u32);
        debug_assert!(self.patients[p as usize].state != State::InService);
        self.leave::<false>(p, now);
    }

    /// `carry_over`, at midnight after a day's end (or when station `s` opens again before
    /// it): everyone waiting now (since the day's end, or since they reached the closed
    /// station that evening) was carried over, and
    /// is seen ahead of everyone who joins later whatever their priority (the lower priority
    /// levels are moved behind the top one, in order).
    fn carry_over(&mut self, s: StationIx) {
        let st = &mut self.stations[s.ix()];
        let waiting = st.waiting;
        st.r.carried_over += u64::from(waiting);
        on_day(&mut st.r.by_day, st.closed_day as usize).carried_over += waiting;
        let StationState { queue, lower, .. } = st;
        for level in lower.iter_mut() {
            queue.extend(level.drain(..));
        }
    }
}

//! Shared resources: seizing every unit a service needs at once, releasing them, shift changes
//! of a pool, and handing freed units to the patient who should have them.
//!
//! The rule (docs/scenario-format.md, "Shared resources"): a patient starts only when every
//! unit its station requires is free, and takes them all at once (all-or-nothing, so nobody
//! holds a unit while waiting for another and no set of stations can deadlock). When units
//! come free (a service ends, a shift starts), the stations that share them are offered their
//! queue's head (by the station's own discipline) in turn: among heads that can start now,
//! the station with the larger `priority` first, then the patient who has waited longest, then
//! the station listed first. A patient who cannot start does not hold back another whose
//! needs are met. Stations with servers of their own never come here, so their results are
//! unchanged by this module.
//!
//! A station may offer alternatives (`one_of`): a service then needs one of them (with every
//! other need), and takes the one its station's `choose` rule picks among those with enough
//! units free: the first listed, the one whose free unit has been idle longest, or the least
//! utilised so far. The choice is kept with the patient (`Patient::option`) until the units go back.

use super::Simulator;
use super::index::StationIx;
use super::measure::ResourceResult;
use crate::model::resource::could_serve;
use crate::scenario::Choose;
use std::collections::VecDeque;

/// One pool during a replication.
#[derive(Debug, Clone, Default)]
pub(super) struct ResourceState {
    /// Units seized.
    pub(super) busy: u32,
    /// Units on the rota now.
    pub(super) on_duty: u32,
    /// Units who may be seized now: `on_duty`, or during overtime at least the pool's
    /// overtime units.
    pub(super) avail: u32,
    pub(super) next_change: usize,
    /// In overtime after a closing change; then (capacity − rostered) when it began, and the
    /// day it belongs to.
    pub(super) overtime: bool,
    pub(super) ot_mark: f64,
    pub(super) ot_day: u32,
    /// Time up to which the capacity integrals are taken.
    pub(super) last: f64,
    /// This pool's results.
    pub(super) r: ResourceResult,
    /// For `choose = "first_free"`: since when each free unit has been free, the longest idle
    /// first (as many entries as units free).
    pub(super) idle: VecDeque<f64>,
    /// For `choose = "least_utilised"`: ∫ units seized dt and ∫ max(on duty, seized) dt from
    /// the start of the replication up to `acc`.
    pub(super) used: f64,
    pub(super) staffed: f64,
    pub(super) acc: f64,
}

impl ResourceState {
    /// Brings the integrals the `choose` rules compare up to `now`, before a change.
    #[inline]
    fn accrue(&mut self, now: f64) {
        let dt = now - self.acc;
        self.used += f64::from(self.busy) * dt;
        self.staffed += f64::from(self.on_duty.max(self.busy)) * dt;
        self.acc = now;
    }

    /// Brings the free units' idle times in line with a change: units seized leave from the
    /// front (the longest idle serves), units freed or coming on duty join at the back, and
    /// units going off duty leave from the back.
    #[inline]
    fn note_free(&mut self, now: f64, seized: bool) {
        let free = self.avail.saturating_sub(self.busy) as usize;
        while self.idle.len() > free {
            if seized {
                self.idle.pop_front();
            } else {
                self.idle.pop_back();
            }
        }
        while self.idle.len() < free {
            self.idle.push_back(now);
        }
    }

    /// Utilisation so far (seized over available unit time; 0 before any unit time).
    fn utilisation_so_far(&self, now: f64) -> f64 {
        let dt = now - self.acc;
        let used = self.used + f64::from(self.busy) * dt;
        let staffed = self.staffed + f64::from(self.on_duty.max(self.busy)) * dt;
        if staffed > 0.0 { used / staffed } else { 0.0 }
    }
}

impl<'m> Simulator<'m> {
    /// Resets every pool for a new replication and schedules its first shift change.
    pub(super) fn reset_resources(&mut self) {
        let m = self.model;
        self.resources.truncate(m.resources.len());
        self.resources
            .resize_with(m.resources.len(), ResourceState::default);
        for (i, (st, spec)) in self.resources.iter_mut().zip(&m.resources).enumerate() {
            st.busy = 0;
            // Before opening, pools of constant size count as staffed only while busy (as
            // stations' own servers do, see `Simulator::staffed_from_open`).
            let from_open = m.stats_start < m.open && spec.changes.is_empty();
            st.on_duty = if from_open { 0 } else { spec.initial };
            st.avail = spec.initial;
            st.next_change = 0;
            st.overtime = false;
            st.ot_mark = 0.0;
            st.ot_day = 0;
            st.last = 0.0;
            st.idle.clear();
            st.note_free(0.0, false);
            st.used = 0.0;
            st.staffed = 0.0;
            st.acc = 0.0;
            st.r.clear(spec.users.len());
            if let Some(c) = spec.changes.first() {
                self.events.push(c.at, super::event::Ev::Resource(i as u32));
            }
        }
        for s in 0..m.stations.len() {
            if !m.stations[s].requires.is_empty() {
                let could = self.could_serve(s);
                let st = &mut self.stations[s];
                st.pooled = true;
                st.r.waiting_for.resize(m.stations[s].requires.len(), 0.0);
                st.avail = u32::MAX;
                st.on_duty = could;
            }
        }
    }

    /// The services station `s` could run at once with every unit on duty to itself: its
    /// notional number of servers, against which its own utilisation is measured.
    fn could_serve(&self, s: usize) -> u32 {
        could_serve(&self.model.stations[s].requires, |n| {
            self.resources[n.resource as usize].on_duty
        })
    }

    /// True when every unit station `s` needs is free (and, with alternatives, enough units of
    /// one of them).
    #[inline]
    pub(super) fn can_seize(&self, s: StationIx) -> bool {
        let station = &self.model.stations[s.ix()];
        let mut alternative = station.choose.is_none();
        for n in &station.requires {
            let r = &self.resources[n.resource as usize];
            let free = r.busy + n.count <= r.avail;
            if n.alt == 0 {
                if !free {
                    return false;
                }
            } else {
                alternative |= free;
            }
        }
        alternative
    }

    /// The alternative a service at station `s` takes now by `rule`, among those with enough
    /// units free (the caller checked `can_seize`); ties go to the one listed first.
    fn choose(&self, s: StationIx, rule: Choose, now: f64) -> u8 {
        let mut best: Option<(f64, u8)> = None;
        for n in self.model.stations[s.ix()]
            .requires
            .iter()
            .filter(|n| n.alt != 0)
        {
            let r = &self.resources[n.resource as usize];
            if r.busy + n.count > r.avail {
                continue;
            }
            let key = match rule {
                Choose::Preference => return n.alt,
                Choose::FirstFree => r.idle.front().copied().unwrap_or(f64::INFINITY),
                Choose::LeastUtilised => r.utilisation_so_far(now),
            };
            if best.is_none_or(|(k, _)| key < k) {
                best = Some((key, n.alt));
            }
        }
        best.map_or(0, |(_, alt)| alt)
    }

    /// Seizes the units of one service of `p` at station `s` (the caller checked
    /// `can_seize`), choosing among alternatives first.
    pub(super) fn seize(&mut self, s: StationIx, p: u32, now: f64) {
        self.touch_rivals(s, now);
        let station = &self.model.stations[s.ix()];
        let option = match station.choose {
            None => 0,
            Some(rule) => self.choose(s, rule, now),
        };
        self.patients[p as usize].option = option;
        for n in station.requires.iter().filter(|n| n.held_by(option)) {
            let r = &mut self.resources[n.resource as usize];
            if r.busy + n.count > r.on_duty {
                // max(on duty, busy) is about to grow.
                Self::touch_pool(r, now);
            }
            if self.track_choice {
                r.accrue(now);
            }
            r.busy += n.count;
            r.r.seizures += 1;
            if self.track_choice {
                r.note_free(now, true);
            }
        }
    }

    /// Releases the units of a service at station `s` that started at `started`, then hands
    /// them (and any others free) to the stations that share them.
    pub(super) fn release_units(&mut self, s: StationIx, option: u8, started: f64, now: f64) {
        self.free_units(s, option, started, now);
        let rivals = std::mem::take(&mut self.rivals[s.ix()]);
        self.dispatch(&rivals, now);
        self.rivals[s.ix()] = rivals;
    }

    /// Gives back the units of a service at station `s` (that took alternative `option`)
    /// that started at `started`, counting their busy time, without handing them on.
    pub(super) fn free_units(&mut self, s: StationIx, option: u8, started: f64, now: f64) {
        self.touch_rivals(s, now);
        let part = self.clip(started, now);
        for n in self.model.stations[s.ix()]
            .requires
            .iter()
            .filter(|n| n.held_by(option))
        {
            let r = &mut self.resources[n.resource as usize];
            if r.busy > r.on_duty {
                // max(on duty, busy) is about to shrink.
                Self::touch_pool(r, now);
            }
            if self.track_choice {
                r.accrue(now);
            }
            let units = f64::from(n.count);
            r.r.busy_area += units * part;
            r.r.busy_by_station[n.user as usize] += units * part;
            r.busy -= n.count;
            if self.track_choice {
                r.note_free(now, false);
            }
        }
    }

    /// Starts services at `stations` while some queue head can seize everything it needs,
    /// choosing among heads by the rule in the module documentation.
    pub(super) fn dispatch(&mut self, stations: &[u32], now: f64) {
        loop {
            let mut best: Option<(i32, f64, u32, u32)> = None;
            for &u in stations {
                if self.stations[u as usize].waiting == 0 {
                    continue;
                }
                let Some(p) = Self::peek_waiting(&mut self.stations[u as usize], &self.patients)
                else {
                    continue;
                };
                if !self.can_seize(StationIx(u)) {
                    continue;
                }
                let rank = (
                    self.model.stations[u as usize].priority,
                    self.patients[p as usize].enqueued,
                );
                let better = match best {
                    None => true,
                    // Larger priority, then earlier wait; `stations` is in station order, so
                    // the first of equals stays.
                    Some((prio, since, _, _)) => {
                        rank.0 > prio || (rank.0 == prio && rank.1 < since)
                    }
                };
                if better {
                    best = Some((rank.0, rank.1, u, p));
                }
            }
            let Some((_, _, u, p)) = best else {
                break;
            };
            self.touch_blocked(&[u], now);
            let st = &mut self.stations[u as usize];
            let taken = Self::pop_waiting::<false>(st, &self.patients);
            debug_assert_eq!(taken, Some(p));
            st.waiting -= 1;
            self.start_service::<false>(StationIx(u), p, now);
        }
    }

    /// A pool's rota changes: the new number on duty, overtime after the last shift, the
    /// notional servers of the stations using it, and services for whoever can now start.
    pub(super) fn on_resource_change(&mut self, i: u32, now: f64) {
        let m = self.model;
        let spec = &m.resources[i as usize];
        self.touch_blocked(&spec.users, now);
        let track = self.track_choice;
        let r = &mut self.resources[i as usize];
        Self::touch_pool(r, now);
        if track {
            r.accrue(now);
        }
        let change = spec.changes[r.next_change];
        self.close_pool_day(i as usize, change, now);
        let r = &mut self.resources[i as usize];
        r.on_duty = change.count;
        r.next_change += 1;
        r.avail = if change.overtime > 0 {
            r.on_duty.max(change.overtime)
        } else {
            r.on_duty
        };
        if track {
            r.note_free(now, false);
        }
        if let Some(next) = spec.changes.get(r.next_change) {
            self.events.push(next.at, super::event::Ev::Resource(i));
        }
        if r.busy > r.avail {
            self.interrupt_beyond_rota(i, now);
            for &u in &spec.users {
                self.send_home_if_closed(StationIx(u), now);
            }
        }
        self.refresh_users(i, now);
        self.dispatch(&spec.users, now);
    }

    /// Opening time: pools of constant size count as staffed from now on.
    pub(super) fn open_resources(&mut self, now: f64) {
        let m = self.model;
        for i in 0..self.resources.len() {
            let spec = &m.resources[i];
            if spec.changes.is_empty() {
                Self::touch_pool(&mut self.resources[i], now);
                self.resources[i].on_duty = spec.initial;
                self.refresh_users(i as u32, now);
            }
        }
    }

    /// Brings the notional servers of the stations using pool `i` up to date.
    fn refresh_users(&mut self, i: u32, now: f64) {
        for &u in &self.model.resources[i as usize].users {
            self.touch_capacity(StationIx(u), now);
            self.stations[u as usize].on_duty = self.could_serve(u as usize);
        }
    }

    /// Brings the waiting-for integrals of every station sharing a resource with `s` up to
    /// `now` (before a pool's free units change).
    fn touch_rivals(&mut self, s: StationIx, now: f64) {
        let rivals = std::mem::take(&mut self.rivals[s.ix()]);
        self.touch_blocked(&rivals, now);
        self.rivals[s.ix()] = rivals;
    }

    /// Accrues, at each station of shared resources in `stations`, the patient-minutes its
    /// queue has waited since the last call while each of its needs was short (too few units
    /// free; alternatives only while all are), up to `now`. Called before anything it depends
    /// on changes: the queue's length, or the free units of a pool the station needs.
    pub(super) fn touch_blocked(&mut self, stations: &[u32], now: f64) {
        let m = self.model;
        for &u in stations {
            let st = &mut self.stations[u as usize];
            let dt = now - st.blocked_last;
            st.blocked_last = now;
            if st.waiting == 0 || dt <= 0.0 {
                continue;
            }
            let area = f64::from(st.waiting) * dt;
            let needs = &m.stations[u as usize].requires;
            let resources = &self.resources;
            let short = |n: &crate::model::Need| {
                let r = &resources[n.resource as usize];
                r.busy + n.count > r.avail
            };
            let alternatives_short = needs.iter().filter(|n| n.alt != 0).all(short);
            for (k, n) in needs.iter().enumerate() {
                if (n.alt == 0 && short(n)) || (n.alt != 0 && alternatives_short) {
                    st.r.waiting_for[k] += area;
                }
            }
        }
    }

    /// Accumulates a pool's available and rostered unit time up to `now`.
    #[inline]
    pub(super) fn touch_pool(r: &mut ResourceState, now: f64) {
        let dt = now - r.last;
        r.r.capacity_area += f64::from(r.on_duty.max(r.busy)) * dt;
        r.r.rostered_area += f64::from(r.on_duty) * dt;
        r.last = now;
    }

    /// Closes a pool's books at `end`: its integrals up to `end`, then the rest of any shift
    /// still on (up to the hard stop), as for stations' own servers.
    pub(super) fn finish_resources(&mut self, end: f64) {
        let m = self.model;
        let stop = m.stop.unwrap_or(f64::INFINITY);
        for (st, spec) in self.resources.iter_mut().zip(&m.resources) {
            Self::touch_pool(st, end);
            // Overtime still running ends with the run, before the rest of the rota counts.
            st.end_overtime();
            let (mut t, mut on, mut extra) = (end, st.on_duty, 0.0);
            for c in &spec.changes[st.next_change..] {
                let until = c.at.min(stop);
                extra += f64::from(on) * (until - t.max(m.stats_start)).max(0.0);
                if c.at > stop {
                    break;
                }
                t = c.at;
                on = c.count;
            }
            st.r.capacity_area += extra;
            st.r.rostered_area += extra;
        }
    }

    /// A service still running at `end` at a station of shared resources: its units' busy
    /// time up to the end.
    pub(super) fn finish_service_units(
        &mut self,
        s: StationIx,
        option: u8,
        started: f64,
        end: f64,
    ) {
        let part = self.clip(started, end);
        for n in self.model.stations[s.ix()]
            .requires
            .iter()
            .filter(|n| n.held_by(option))
        {
            let r = &mut self.resources[n.resource as usize];
            let units = f64::from(n.count);
            r.r.busy_area += units * part;
            r.r.busy_by_station[n.user as usize] += units * part;
        }
    }
}

//! What one replication measures: the result schema, the observation window, the time integrals
//! and the queue-length samples.

use super::Simulator;
use super::index::StationIx;
use super::patient::State;
use crate::error::RunError;
use crate::stats::Tally;

/// Patient counts of one replication (or one class in it). Over a whole run
/// `arrived = completed + balked + reneged + sent_home + unfinished`.
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
    /// Patients sent home unseen at a day's end (`[calendar] end_of_day = "send_home"`).
    pub sent_home: u64,
    /// Booked patients who did not come (not counted as arrivals).
    pub no_shows: u64,
    /// Booked patients who came too late and were told to book again (`late.then =
    /// "rebook"`; not counted as arrivals).
    pub rebooked: u64,
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
    /// Services interrupted by a patient of a higher class.
    pub preemptions: u64,
    /// Services interrupted at a shift's end (`shift_end = "resume"` or `"restart"`, of the
    /// station or of a resource it requires).
    pub interruptions: u64,
    /// Services handed over at a shift's end (`shift_end = "hand_over"`).
    pub handovers: u64,
    /// At a station of shared resources, for each entry of its `requires`: ∫ patients
    /// waiting dt over the window while that resource had too few units free (for
    /// alternatives: while every alternative had). Several can be short at once. Empty at
    /// stations with servers of their own.
    pub waiting_for: Vec<f64>,
    /// Queue length sampled every `sample_interval` from opening time.
    pub samples: Vec<u32>,
    /// Busy server-minutes accumulated (inside the window) up to each sample time.
    pub busy_samples: Vec<f64>,
    /// Available server-minutes accumulated (inside the window) up to each sample time.
    pub capacity_samples: Vec<f64>,
    /// By clock hour (with sampling on): waiting in each hour (see `engine::hourly`).
    pub by_hour: Vec<super::hourly::HourWaits>,
    /// Patients sent home unseen at the end of a day (over the whole run).
    pub sent_home: u64,
    /// Patients waiting at the end of a day, carried over to the next (over the whole run).
    pub carried_over: u64,
    /// By day of the run: the end-of-day outcomes and the overtime (see `engine::closing`).
    pub by_day: Vec<super::closing::DayCounts>,
}

/// Results of one shared resource in one replication (all inside the observation window).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourceResult {
    /// ∫ units seized dt.
    pub busy_area: f64,
    /// ∫ units available dt: on the rota, or busy past a shift's end (overtime).
    pub capacity_area: f64,
    /// ∫ units on the rota dt; `capacity_area − rostered_area` is the overtime worked.
    pub rostered_area: f64,
    /// ∫ units seized dt by each station using the pool (in the resource's `users` order).
    pub busy_by_station: Vec<f64>,
    /// Services that seized this resource (over the whole run).
    pub seizures: u64,
    /// Services of its units interrupted by a higher class (`preemption` at a station).
    pub preemptions: u64,
    /// Services stopped at the end of this pool's shifts (`shift_end = "resume"`/`"restart"`).
    pub interruptions: u64,
    /// Services handed over at the end of this pool's shifts (`shift_end = "hand_over"`).
    pub handovers: u64,
    /// By day of the run: unit-minutes worked after the day's last shift ended.
    pub overtime_by_day: Vec<f64>,
}

impl ResourceResult {
    /// Empties the result for a pool with `users` stations, keeping its storage.
    pub fn clear(&mut self, users: usize) {
        let ResourceResult {
            busy_area,
            capacity_area,
            rostered_area,
            busy_by_station,
            seizures,
            preemptions,
            interruptions,
            handovers,
            overtime_by_day,
        } = self;
        overtime_by_day.clear();
        *preemptions = 0;
        *interruptions = 0;
        *handovers = 0;
        *busy_area = 0.0;
        *capacity_area = 0.0;
        *rostered_area = 0.0;
        busy_by_station.clear();
        busy_by_station.resize(users, 0.0);
        *seizures = 0;
    }

    /// Empties the windowed integrals (the observation window opens).
    fn open_window(&mut self) {
        self.busy_area = 0.0;
        self.capacity_area = 0.0;
        self.rostered_area = 0.0;
        self.busy_by_station.iter_mut().for_each(|b| *b = 0.0);
    }
}

/// One service-level target in one replication: the patients it counted (inside the
/// observation window) and those who met it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TargetCount {
    /// Patients who met the target.
    pub met: u64,
    /// Patients counted: served or finished, and those who left unserved (balked, reneged),
    /// who count as not meeting it.
    pub total: u64,
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
    /// Per shared resource.
    pub resources: Vec<ResourceResult>,
    /// ∫ patients in system dt over the window.
    pub in_system_area: f64,
    /// Sum of delay-step durations started inside the window (minutes).
    pub delay_sum: f64,
    /// Times patients had to queue, over all stations.
    pub queue_joins: u64,
    /// Most patients in the system at once.
    pub max_in_system: u64,
    /// Per service-level target (in the model's order).
    pub targets: Vec<TargetCount>,
    /// Arrivals in each clock hour (with sampling on; see `engine::hourly`).
    pub arrivals_by_hour: Vec<u32>,
}

impl StationResult {
    /// Empties the result, keeping the storage of its histogram and sample vectors.
    pub fn clear(&mut self) {
        let StationResult {
            visits,
            waits,
            service_sum,
            queue_area,
            busy_area,
            capacity_area,
            max_queue,
            balks,
            reneges,
            queued,
            preemptions,
            interruptions,
            handovers,
            waiting_for,
            samples,
            busy_samples,
            capacity_samples,
            by_hour,
            sent_home,
            carried_over,
            by_day,
        } = self;
        by_hour.clear();
        by_day.clear();
        *sent_home = 0;
        *carried_over = 0;
        waiting_for.clear();
        *preemptions = 0;
        *interruptions = 0;
        *handovers = 0;
        *visits = 0;
        waits.clear();
        *service_sum = 0.0;
        *queue_area = 0.0;
        *busy_area = 0.0;
        *capacity_area = 0.0;
        *max_queue = 0;
        *balks = 0;
        *reneges = 0;
        *queued = 0;
        samples.clear();
        busy_samples.clear();
        capacity_samples.clear();
    }
}

impl ReplicationResult {
    /// The empty result of replication `replication` with `classes` patient classes, keeping
    /// the storage of its histograms (`stations` is left as it is: `finish` replaces it).
    pub(super) fn reset(&mut self, replication: u32, classes: usize, targets: usize) {
        let ReplicationResult {
            replication: number,
            end_time,
            window,
            events,
            patients,
            time_in_system,
            classes: per_class,
            stations: _,
            resources: _,
            in_system_area,
            delay_sum,
            queue_joins,
            max_in_system,
            targets: per_target,
            arrivals_by_hour,
        } = self;
        arrivals_by_hour.clear();
        per_target.clear();
        per_target.resize(targets, TargetCount::default());
        *number = replication;
        *end_time = 0.0;
        *window = 0.0;
        *events = 0;
        *patients = PatientCounts::default();
        time_in_system.clear();
        per_class.truncate(classes);
        for c in per_class.iter_mut() {
            c.patients = PatientCounts::default();
            c.time_in_system.clear();
        }
        per_class.resize_with(classes, ClassResult::default);
        *in_system_area = 0.0;
        *delay_sum = 0.0;
        *queue_joins = 0;
        *max_in_system = 0;
    }
}

impl<'m> Simulator<'m> {
    /// Opens the observation window: clears every statistic that is windowed (waits, service
    /// sums, time integrals, time in system, delays) and restarts the integrals at `now`.
    /// Patient counts, visits, balks and reneges cover the whole run and are kept.
    pub(super) fn on_stats_start(&mut self, now: f64) {
        for st in self.stations.iter_mut() {
            st.last = now;
            let r = &mut st.r;
            r.waits.clear();
            r.service_sum = 0.0;
            r.queue_area = 0.0;
            r.busy_area = 0.0;
            r.capacity_area = 0.0;
            r.waiting_for.iter_mut().for_each(|w| *w = 0.0);
            st.blocked_last = now;
            st.ot_mark = 0.0;
            // Overtime is available time, so windowed too (the day's other counts are not).
            st.r.by_day.iter_mut().for_each(|d| d.overtime = 0.0);
        }
        for r in self.resources.iter_mut() {
            r.last = now;
            r.r.open_window();
            r.ot_mark = 0.0;
            r.r.overtime_by_day.iter_mut().for_each(|o| *o = 0.0);
        }
        self.out.in_system_area = 0.0;
        self.out.time_in_system.clear();
        for c in &mut self.out.classes {
            c.time_in_system.clear();
        }
        self.out.delay_sum = 0.0;
        self.out
            .targets
            .iter_mut()
            .for_each(|t| *t = TargetCount::default());
    }

    /// Counts a patient of `class` at station `s`'s wait targets: a wait of `wait` minutes
    /// (None: left the queue unserved, which does not meet any target).
    pub(super) fn count_wait_targets(&mut self, s: StationIx, class: u32, wait: Option<f64>) {
        let targets = &self.model.targets;
        for &t in targets.wait_at[s.ix()].iter() {
            let target = &targets.list[t as usize];
            if target.counts(class) {
                let c = &mut self.out.targets[t as usize];
                c.total += 1;
                c.met += u64::from(wait.is_some_and(|w| w <= target.within));
            }
        }
    }

    /// Counts a patient of `class` at the time-in-system targets (None: left unserved).
    pub(super) fn count_time_targets(&mut self, class: u32, time: Option<f64>) {
        let targets = &self.model.targets;
        for &t in targets.time_in_system.iter() {
            let target = &targets.list[t as usize];
            if target.counts(class) {
                let c = &mut self.out.targets[t as usize];
                c.total += 1;
                c.met += u64::from(time.is_some_and(|w| w <= target.within));
            }
        }
    }

    /// A patient of `class` left station `s` unserved (balked or reneged): it meets neither
    /// the station's wait targets nor any time-in-system target.
    pub(super) fn count_unserved(&mut self, s: StationIx, class: u32) {
        if !self.model.targets.is_empty() {
            self.count_wait_targets(s, class, None);
            self.count_time_targets(class, None);
        }
    }

    /// Records one queue-length sample at `at` and returns the next sample time: infinite once
    /// `MAX_SAMPLES` are kept (so a tiny interval cannot make the loop run on), an error if
    /// the interval no longer advances the clock.
    pub(super) fn sample(&mut self, at: f64, interval: f64) -> Result<f64, RunError> {
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
        for st in self.stations.iter_mut() {
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

    /// Accumulates available server time, ∫ max(on duty, busy) dt, up to `now`. That value
    /// only changes at staffing changes or while more servers are busy than on duty (past a
    /// shift's end, overtime), so the hot path calls this only in those cases. Queue length
    /// and busy servers are integrated per patient instead (see `clip`).
    #[inline]
    pub(super) fn touch_capacity(&mut self, s: StationIx, now: f64) {
        let st = &mut self.stations[s.ix()];
        st.r.capacity_area += f64::from(st.on_duty.max(st.busy)) * (now - st.last);
        st.last = now;
    }

    /// Length of [from, now] inside the observation window: integrals of queue length and
    /// busy servers are sums of these per wait and per service (the same integrals, summed by
    /// patient instead of by time), which costs nothing on events that change no state.
    #[inline(always)]
    pub(super) fn clip(&self, from: f64, now: f64) -> f64 {
        (now - from.max(self.model.stats_start)).max(0.0)
    }

    /// Closes the books at `end`: capacity of shifts still on, waits, services and stays still
    /// open, the event count of the lean loop, and the window's length.
    pub(super) fn finish(&mut self, end: f64) {
        let m = self.model;
        let stop = m.stop.unwrap_or(f64::INFINITY);
        if end < m.stats_start {
            // The run ended before the window opened: nothing was observed.
            self.on_stats_start(end);
        }
        for s in (0..self.stations.len() as u32).map(StationIx) {
            self.touch_capacity(s, end);
            // Overtime still running ends with the run (before the rest of any shift ahead
            // is counted as available time below).
            self.stations[s.ix()].end_overtime();
            // Staff on a shift stay until it ends even when the clinic has emptied: their idle
            // time counts as available time, so utilisation is against every on-shift minute.
            let spec = &m.stations[s.ix()];
            let st = &self.stations[s.ix()];
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
            self.stations[s.ix()].r.capacity_area += extra;
        }
        for u in 0..self.stations.len() {
            if self.stations[u].pooled {
                self.touch_blocked(&[u as u32], end);
            }
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
                State::Waiting => self.stations[station.ix()].r.queue_area += part,
                State::InService => {
                    self.stations[station.ix()].r.busy_area += part;
                    if self.stations[station.ix()].pooled {
                        self.finish_service_units(station, pat.option, pat.enqueued, end);
                    }
                }
                State::Free | State::Booked | State::Elsewhere => {}
            }
        }
        self.finish_resources(end);
        if self.lean {
            // The lean loop does not count events one by one: an event is an admitted
            // arrival, a service start (each is a visit) or a service end (each start has
            // ended except the services still running).
            let starts: u64 = self.stations.iter().map(|st| st.r.visits).sum();
            let running: u64 = self.stations.iter().map(|st| u64::from(st.busy)).sum();
            self.out.events = self.out.patients.arrived + 2 * starts - running;
        }
        // Hand the stations' results over by swapping them with the (stale) ones `out` held,
        // which the next replication clears and reuses (allocated only on a first run).
        let n = self.stations.len();
        self.out.stations.truncate(n);
        self.out.stations.resize_with(n, StationResult::default);
        for (st, r) in self.stations.iter_mut().zip(self.out.stations.iter_mut()) {
            std::mem::swap(&mut st.r, r);
        }
        let n = self.resources.len();
        self.out.resources.truncate(n);
        self.out.resources.resize_with(n, ResourceResult::default);
        for (st, r) in self.resources.iter_mut().zip(self.out.resources.iter_mut()) {
            std::mem::swap(&mut st.r, r);
        }
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
            out.classes[0]
                .time_in_system
                .clone_from(&out.time_in_system);
            out.classes[0].patients = out.patients;
        }
    }
}

//! The patient-level event log: what happened to a sample of one replication's patients, as
//! process-mining tools read it (`carepath run --events`).
//!
//! Off by default, and then nothing changes: a model with the log off runs the same loops
//! (the lean one untouched; the general one tests one flag at each hook). With it on the
//! general loop always runs (the hooks live there), the simulator keeps one [`LogEvent`] of
//! 40 bytes per event of each logged patient, and refuses to keep more than the
//! [`LogSpec::max_events`] it was given ([`crate::RunError::EventLogFull`]). Logging draws no
//! random numbers, so a replication's results are the same with the log on or off.

use super::Simulator;
use super::index::StationIx;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Activity {
    /// Walked into the clinic.
    Arrive,
    /// Joined a station's queue (no server was free).
    JoinQueue,
    /// A service started (or resumed after an interruption).
    StartService,
    /// A service ended.
    EndService,
    /// A delay step started (walking, waiting for results).
    DelayStart,
    /// A delay step ended.
    DelayEnd,
    /// Turned away: the queue was full, the patient chose not to wait, or the station had
    /// closed.
    Balk,
    /// Left the queue when patience ran out.
    Renege,
    /// The service was interrupted (a higher class, or the end of a shift).
    Preempted,
    /// Left the clinic (after the last step, a balk or a renege).
    Leave,
}

impl Activity {
    /// Every activity, in this order.
    pub const ALL: [Activity; 10] = [
        Activity::Arrive,
        Activity::JoinQueue,
        Activity::StartService,
        Activity::EndService,
        Activity::DelayStart,
        Activity::DelayEnd,
        Activity::Balk,
        Activity::Renege,
        Activity::Preempted,
        Activity::Leave,
    ];

    /// The name written in the log (`start_service`).
    pub fn name(self) -> &'static str {
        match self {
            Activity::Arrive => "arrive",
            Activity::JoinQueue => "join_queue",
            Activity::StartService => "start_service",
            Activity::EndService => "end_service",
            Activity::DelayStart => "delay_start",
            Activity::DelayEnd => "delay_end",
            Activity::Balk => "balk",
            Activity::Renege => "renege",
            Activity::Preempted => "preempted",
            Activity::Leave => "leave",
        }
    }
}

/// "No step" / "no station" in a [`LogEvent`].
pub const NONE: u32 = u32::MAX;

/// One logged event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogEvent {
    /// Clock time (minutes after midnight of the first day).
    pub time: f64,
    /// The patient: 1, 2, … in the order patients entered the replication (booked patients
    /// when booked), among the logged.
    pub patient: u32,
    /// The patient's class (index into the model's classes).
    pub class: u16,
    /// The patient uses the digital workflow.
    pub digital: bool,
    /// What happened.
    pub activity: Activity,
    /// The pathway step (index into the model's steps), or [`NONE`].
    pub step: u32,
    /// The station, or [`NONE`].
    pub station: u32,
    /// At a station of shared resources, the resource whose unit serves (the chosen
    /// alternative, else the first it needs) on `start_service` and `end_service`, or
    /// [`NONE`].
    pub resource: u32,
}

/// Which patients are logged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sample {
    /// Every patient.
    All,
    /// The first N patients to enter the replication.
    First(u32),
    /// Each patient with this probability, decided by the patient's identity (no random
    /// draw, so the run is unchanged).
    Rate(f64),
}

/// What to log.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogSpec {
    /// Which patients.
    pub sample: Sample,
    /// Most events kept (the run stops with an error beyond).
    pub max_events: usize,
}

/// The log of a simulator that keeps one.
#[derive(Debug, Clone, Default)]
pub(super) struct LogState {
    pub(super) spec: Option<LogSpec>,
    /// Per patient slot: the logged patient's number, or 0 when not logged.
    pub(super) id_of_slot: Vec<u32>,
    /// Patients entered so far (numbers handed out).
    pub(super) entered: u32,
    pub(super) events: Vec<LogEvent>,
    /// More events came than `max_events`.
    pub(super) overflow: bool,
}

impl LogState {
    pub(super) fn reset(&mut self) {
        self.id_of_slot.clear();
        self.entered = 0;
        self.events.clear();
        self.overflow = false;
    }
}

impl<'m> Simulator<'m> {
    /// Keeps an event log of the patients `spec` samples (see the module documentation).
    pub fn with_event_log(mut self, spec: LogSpec) -> Self {
        self.log.spec = Some(spec);
        self.logging = true;
        self.lean = false;
        self
    }

    /// The events logged in the last replication, in time order (ties in the order they
    /// happened).
    pub fn event_log(&self) -> &[LogEvent] {
        &self.log.events
    }

    /// Numbers patient slot `p` (just allocated, with patient key `key`) if it is sampled.
    #[inline(never)]
    pub(super) fn log_enter(&mut self, p: u32, key: u64) {
        let Some(spec) = self.log.spec else { return };
        let slot = p as usize;
        if self.log.id_of_slot.len() <= slot {
            self.log.id_of_slot.resize(slot + 1, 0);
        }
        self.log.entered += 1;
        let n = self.log.entered;
        let logged = match spec.sample {
            Sample::All => true,
            Sample::First(k) => n <= k,
            // The key's top 53 bits as a uniform number in [0, 1).
            Sample::Rate(r) => ((key >> 11) as f64) * (1.0 / (1u64 << 53) as f64) < r,
        };
        self.log.id_of_slot[slot] = if logged { n } else { 0 };
    }

    /// Logs `activity` of patient slot `p` at `now` (at `station`, if any), if it is logged.
    #[inline(never)]
    pub(super) fn log_event(
        &mut self,
        p: u32,
        activity: Activity,
        station: Option<StationIx>,
        now: f64,
    ) {
        let id = self.log.id_of_slot.get(p as usize).copied().unwrap_or(0);
        if id == 0 {
            return;
        }
        let max = self.log.spec.map_or(0, |s| s.max_events);
        if self.log.events.len() >= max {
            self.log.overflow = true;
            return;
        }
        let pat = &self.patients[p as usize];
        let resource = match (activity, station) {
            (Activity::StartService | Activity::EndService, Some(s)) => {
                let needs = &self.model.stations[s.ix()].requires;
                needs
                    .iter()
                    .find(|n| n.alt != 0 && n.alt == pat.option)
                    .or_else(|| needs.iter().find(|n| n.alt == 0))
                    .map_or(NONE, |n| n.resource)
            }
            _ => NONE,
        };
        self.log.events.push(LogEvent {
            resource,
            time: now,
            patient: id,
            class: pat.class,
            digital: pat.digital,
            activity,
            step: if pat.step == crate::model::EXIT {
                NONE
            } else {
                pat.step
            },
            station: station.map_or(NONE, |s| s.0),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Model;

    fn model(text: &str) -> Model {
        crate::Scenario::parse(text).unwrap().model(None).unwrap()
    }

    const SCENARIOS: [&str; 5] = [
        include_str!("../../../scenarios/outpatient-clinic.toml"),
        include_str!("../../../scenarios/teaching-reneging.toml"),
        include_str!("../../../scenarios/teaching-triage.toml"),
        include_str!("../../../scenarios/teaching-shared-doctor.toml"),
        include_str!("../../../scenarios/mm1.toml"),
    ];

    const ALL: LogSpec = LogSpec {
        sample: Sample::All,
        max_events: 10_000_000,
    };

    #[test]
    fn logging_changes_no_result_and_counts_what_the_results_count() {
        for text in SCENARIOS {
            let mut m = model(text);
            m.stop = m.stop.map(|s| s.min(m.open + 2000.0));
            let plain = Simulator::new(&m).run(2).unwrap();
            let mut sim = Simulator::new(&m).with_event_log(ALL);
            let logged = sim.run(2).unwrap();
            let mut a = plain.clone();
            a.events = logged.events; // the lean loop does not count events
            assert_eq!(a, logged, "{}", m.name());
            let log = sim.event_log();
            let count = |act: Activity| log.iter().filter(|e| e.activity == act).count() as u64;
            let p = &logged.patients;
            assert_eq!(count(Activity::Arrive), p.arrived, "{}", m.name());
            assert_eq!(
                count(Activity::Balk),
                p.balked + p.sent_home,
                "{}",
                m.name()
            );
            assert_eq!(count(Activity::Renege), p.reneged, "{}", m.name());
            assert_eq!(
                count(Activity::Leave),
                p.completed + p.balked + p.reneged + p.sent_home,
                "{}",
                m.name()
            );
            for (i, st) in logged.stations.iter().enumerate() {
                let at = |act: Activity| {
                    log.iter()
                        .filter(|e| e.activity == act && e.station == i as u32)
                        .count() as u64
                };
                // A resumed service starts again without a new visit.
                assert_eq!(
                    at(Activity::StartService),
                    st.visits + at(Activity::Preempted),
                    "{}",
                    m.name()
                );
                assert_eq!(at(Activity::JoinQueue), st.queued, "{}", m.name());
            }
            assert!(log.windows(2).all(|w| w[0].time <= w[1].time), "time order");
            // Services at stations of shared resources name the resource, and only those.
            for e in log.iter().filter(|e| e.activity == Activity::StartService) {
                let pooled = !m.stations()[e.station as usize].requires.is_empty();
                assert_eq!(e.resource != NONE, pooled, "{}", m.name());
            }
        }
    }

    #[test]
    fn samples_and_limits() {
        let m = model(SCENARIOS[0]);
        let mut sim = Simulator::new(&m).with_event_log(LogSpec {
            sample: Sample::First(5),
            max_events: 1_000,
        });
        sim.run(0).unwrap();
        let ids: std::collections::BTreeSet<u32> =
            sim.event_log().iter().map(|e| e.patient).collect();
        assert_eq!(ids, (1..=5).collect());
        let mut rate = Simulator::new(&m).with_event_log(LogSpec {
            sample: Sample::Rate(0.25),
            max_events: 1_000_000,
        });
        let r = rate.run(0).unwrap();
        let n = rate
            .event_log()
            .iter()
            .filter(|e| e.activity == Activity::Arrive)
            .count() as f64;
        let share = n / r.patients.arrived as f64;
        assert!((0.2..0.3).contains(&share), "{share}");
        let mut small = Simulator::new(&m).with_event_log(LogSpec {
            sample: Sample::All,
            max_events: 100,
        });
        assert_eq!(
            small.run(0).unwrap_err(),
            crate::RunError::EventLogFull { limit: 100 }
        );
    }
}

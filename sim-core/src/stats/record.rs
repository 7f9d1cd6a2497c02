//! What a study keeps of each replication once its histograms and series are merged into the
//! summary: a few hundred bytes of per-replication values (counts, moments, time integrals),
//! behind the confidence intervals, paired differences and regression checks.

use crate::engine::{PatientCounts, ReplicationResult, ResourceResult, TargetCount};
use crate::stats::Moments;

/// One station in one replication, without its histogram and series.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StationRecord {
    /// Services started.
    pub visits: u64,
    /// Waits in queue (count, moments, range).
    pub waits: Moments,
    /// Sum of service times started inside the window.
    pub service_sum: f64,
    /// ∫ queue length dt over the window.
    pub queue_area: f64,
    /// ∫ busy servers dt over the window.
    pub busy_area: f64,
    /// ∫ servers available dt over the window.
    pub capacity_area: f64,
    /// Longest queue seen.
    pub max_queue: u32,
    /// Balks.
    pub balks: u64,
    /// Reneges.
    pub reneges: u64,
    /// Patients who had to queue.
    pub queued: u64,
    /// Services interrupted by a higher class.
    pub preemptions: u64,
    /// Services interrupted at a shift's end.
    pub interruptions: u64,
    /// Services handed over at a shift's end.
    pub handovers: u64,
    /// Sent home at a day's end.
    pub sent_home: u64,
    /// Carried over at a day's end.
    pub carried_over: u64,
    /// Server-minutes of overtime after a day's (or the run's) last shift.
    pub overtime: f64,
}

/// One class in one replication, without its histogram.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ClassRecord {
    /// Counts.
    pub patients: PatientCounts,
    /// Time in system (count, moments, range).
    pub time_in_system: Moments,
}

/// What a study keeps of one replication once its histograms and series have been merged:
/// the per-replication values behind the confidence intervals, paired differences and
/// regression checks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplicationRecord {
    /// Replication number.
    pub replication: u32,
    /// Time the run ended.
    pub end_time: f64,
    /// Length of the observation window.
    pub window: f64,
    /// Events.
    pub events: u64,
    /// Counts over all classes.
    pub patients: PatientCounts,
    /// Time in system over all classes.
    pub time_in_system: Moments,
    /// This replication's p50, p90 and p95 of time in system.
    pub time_in_system_quantiles: [f64; 3],
    /// Per class.
    pub classes: Vec<ClassRecord>,
    /// Per station.
    pub stations: Vec<StationRecord>,
    /// Per shared resource (its result has no histogram, so it is kept whole).
    pub resources: Vec<ResourceResult>,
    /// Per station, `StationResult::waiting_for` (empty at stations of their own servers, so
    /// nothing is allocated for them).
    pub waiting_for: Vec<Vec<f64>>,
    /// ∫ patients in system dt over the window.
    pub in_system_area: f64,
    /// Sum of delay-step durations started inside the window.
    pub delay_sum: f64,
    /// Times patients had to queue.
    pub queue_joins: u64,
    /// Most patients in the system at once.
    pub max_in_system: u64,
    /// Per service-level target.
    pub targets: Vec<TargetCount>,
}

impl ReplicationRecord {
    /// The record of a replication's results.
    pub fn of(r: &ReplicationResult) -> ReplicationRecord {
        ReplicationRecord {
            replication: r.replication,
            end_time: r.end_time,
            window: r.window,
            events: r.events,
            patients: r.patients,
            time_in_system: r.time_in_system.moments(),
            time_in_system_quantiles: [
                r.time_in_system.quantile(0.5),
                r.time_in_system.quantile(0.9),
                r.time_in_system.quantile(0.95),
            ],
            classes: r
                .classes
                .iter()
                .map(|c| ClassRecord {
                    patients: c.patients,
                    time_in_system: c.time_in_system.moments(),
                })
                .collect(),
            stations: r
                .stations
                .iter()
                .map(|s| StationRecord {
                    visits: s.visits,
                    waits: s.waits.moments(),
                    service_sum: s.service_sum,
                    queue_area: s.queue_area,
                    busy_area: s.busy_area,
                    capacity_area: s.capacity_area,
                    max_queue: s.max_queue,
                    balks: s.balks,
                    reneges: s.reneges,
                    queued: s.queued,
                    preemptions: s.preemptions,
                    interruptions: s.interruptions,
                    handovers: s.handovers,
                    sent_home: s.sent_home,
                    carried_over: s.carried_over,
                    overtime: s.by_day.iter().map(|d| d.overtime).sum(),
                })
                .collect(),
            resources: r.resources.clone(),
            waiting_for: r.stations.iter().map(|s| s.waiting_for.clone()).collect(),
            in_system_area: r.in_system_area,
            delay_sum: r.delay_sum,
            queue_joins: r.queue_joins,
            max_in_system: r.max_in_system,
            targets: r.targets.clone(),
        }
    }
}

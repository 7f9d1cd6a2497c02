//! Memory a study of a model needs, estimated before it runs, so that a model too large for a
//! machine is refused with the estimate in the message instead of ending in an allocation
//! failure halfway through.
//!
//! What is counted (sizes of the engine's and the summary's own structures):
//! * per replication in flight: one quantile histogram per station, per class and overall
//!   ([`crate::stats::BUCKETS`] counters each), and the queue-length samples of each station;
//! * per replication finished: its [`crate::stats::summary::ReplicationRecord`] and its values in the
//!   queue-length and utilisation series (the only parts a study keeps per replication).
//!
//! Not counted: patients in the system at once (the engine's slab grows with them, and how
//! many there are depends on the run, not on the model's size). The estimate is therefore a
//! lower bound of what a run uses, and the budget leaves room for that.

use crate::model::{MAX_SAMPLES, Model};

/// Largest estimated memory of a study, in bytes (4 GiB).
pub const MEMORY_BUDGET: u64 = 4 << 30;
/// Replications assumed to be in flight at once (a few per thread on a large machine).
pub const IN_FLIGHT: u64 = 64;

/// The estimate, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryEstimate {
    /// One replication's histograms and samples while it runs.
    pub per_replication: u64,
    /// What the study keeps of each finished replication.
    pub per_record: u64,
    /// The whole study: `IN_FLIGHT` replications running plus every record.
    pub total: u64,
}

/// Queue-length samples per station and replication.
fn samples(model: &Model) -> u64 {
    if model.sample_interval <= 0.0 {
        return 0;
    }
    let end = model.stop.or(model.close).unwrap_or(model.open + 1440.0);
    let n = ((end - model.open).max(0.0) / model.sample_interval).ceil() + 1.0;
    (n.min(MAX_SAMPLES as f64)) as u64
}

/// Estimates the memory a study of `model` (with its replication count) needs.
pub fn estimate(model: &Model) -> MemoryEstimate {
    let stations = model.stations.len() as u64;
    let classes = model.classes.len() as u64;
    let histogram = (crate::stats::BUCKETS * 8) as u64 + 64;
    let samples = samples(model);
    // Queue length (u32) and busy and available server time (f64) per sample and station.
    // With sampling on, results by clock hour: per station and hour three numbers, per hour
    // the arrivals (at most `MAX_HOURS` hours).
    let hours = if model.sample_interval > 0.0 {
        crate::engine::hourly::MAX_HOURS as u64
    } else {
        0
    };
    let per_replication = histogram * (1 + classes + stations)
        + samples * stations * 20
        + hours * (24 * stations + 4)
        + 256;
    // Shared resources keep, per record, each pool's result (with its busy time by station)
    // and each station's waiting-for integrals (one per need; an empty list elsewhere).
    let needs: u64 = model.stations.iter().map(|s| s.requires.len() as u64).sum();
    let pools: u64 = model
        .resources
        .iter()
        .map(|r| 96 + 8 * r.users.len() as u64)
        .sum();
    // Each service-level target keeps two counts per record (and a list header).
    let targets = 24 + 16 * model.targets.list.len() as u64;
    // A record, plus its values in the series columns (u32 queue length, f64 utilisation).
    let per_record = 160
        + (104 + 24) * stations
        + 72 * classes
        + samples * stations * 12
        + 8 * needs
        + pools
        + targets;
    let reps = u64::from(model.replications);
    let total = per_replication
        .saturating_mul(IN_FLIGHT.min(reps))
        .saturating_add(per_record.saturating_mul(reps));
    MemoryEstimate {
        per_replication,
        per_record,
        total,
    }
}

/// Refuses a study whose estimate is above [`MEMORY_BUDGET`], saying what to change.
pub fn check(model: &Model) -> Result<(), String> {
    let e = estimate(model);
    if e.total <= MEMORY_BUDGET {
        return Ok(());
    }
    let mib = |b: u64| b as f64 / (1 << 20) as f64;
    Err(format!(
        "this study would need about {:.0} MiB of memory ({:.1} MiB per running replication, {:.3} MiB kept per replication × {} replications), more than the budget of {:.0} MiB; use fewer replications, fewer stations or classes, or a longer sample_interval (\"0min\" turns the queue-length series off)",
        mib(e.total),
        mib(e.per_replication),
        mib(e.per_record),
        model.replications,
        mib(MEMORY_BUDGET)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MM1: &str = r#"
[scenario]
name = "mm1"
[run]
max_arrivals = 100
replications = 100000
sample_interval = "0min"
[[stations]]
id = "server"
servers = 1
service = { dist = "exponential", mean = "3min" }
[[arrivals]]
id = "a"
kind = "poisson"
rate = "15/h"
pathway = "q"
[[pathways]]
id = "q"
steps = [{ id = "serve", station = "server", next = "exit" }]
"#;

    #[test]
    fn a_one_station_study_of_100000_replications_fits_in_200_mb() {
        let m = Model::from_toml(MM1).unwrap();
        let e = estimate(&m);
        assert!(e.total < 200 << 20, "{e:?}");
        assert!(check(&m).is_ok());
    }

    #[test]
    fn a_study_above_the_budget_is_refused_with_the_estimate() {
        // 100,000 replications of a day sampled every minute at 2,000 stations.
        let mut text = MM1
            .replace("max_arrivals = 100", "close = \"23:00\"")
            .replace("sample_interval = \"0min\"", "sample_interval = \"1min\"");
        for i in 0..2000 {
            text += &format!(
                "[[stations]]\nid = \"s{i}\"\nservers = 1\nservice = {{ dist = \"exponential\", mean = \"3min\" }}\n"
            );
        }
        let err = match Model::from_toml(&text) {
            Err(crate::ScenarioError::Invalid(p)) => p
                .iter()
                .find(|p| p.at == "run.replications")
                .expect("a memory problem")
                .message
                .clone(),
            other => panic!("{other:?}"),
        };
        assert!(err.contains("MiB of memory"), "{err}");
    }
}

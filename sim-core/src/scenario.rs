//! The scenario file format: what a planner writes in TOML, exactly as written.
//!
//! These types mirror the file one to one and reject unknown keys, so a typo such as
//! `sevrers = 4` is an error rather than a silently ignored line. Checking that the pieces fit
//! together (ids exist, probabilities sum to one, pathways exit) is `model`'s job; every key,
//! unit and default is documented in `docs/scenario-format.md`.

use crate::distribution::DistSpec;
use crate::units::{ClockTime, Duration, Rate};
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;

/// A whole scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Name and description.
    pub scenario: Meta,
    /// Run settings: hours, seed, replications, stopping rules.
    pub run: RunSpec,
    /// Patient classes; when absent every patient is of one class named `patient`.
    #[serde(default)]
    pub classes: Vec<ClassSpec>,
    /// Stations (queues with servers).
    pub stations: Vec<StationSpec>,
    /// Arrival streams.
    pub arrivals: Vec<ArrivalSpec>,
    /// Pathways (graphs of steps).
    pub pathways: Vec<PathwaySpec>,
}

/// `[scenario]`: what the model is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Short name shown in reports.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
}

/// `[run]`: clinic hours, stopping rules, seed and replications.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    /// Clinic opening time: the default start of arrival streams (default `"00:00"`).
    #[serde(default)]
    pub open: Option<ClockTime>,
    /// Clinic closing time: no arrivals after it; patients inside are still served.
    #[serde(default)]
    pub close: Option<ClockTime>,
    /// Optional hard stop: the run ends here even if patients remain (reported as unfinished).
    #[serde(default)]
    pub hard_stop: Option<ClockTime>,
    /// Optional cap on the total number of arrivals (then the system drains).
    #[serde(default)]
    pub max_arrivals: Option<u64>,
    /// Base seed (default 1).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Number of independent replications (default 10).
    #[serde(default = "default_replications")]
    pub replications: u32,
    /// Steady-state studies: statistics start after this warm-up, counted from `open`.
    #[serde(default)]
    pub warm_up: Option<Duration>,
    /// Steady-state studies: length of the observation window after the warm-up; the run
    /// stops at its end.
    #[serde(default)]
    pub run_length: Option<Duration>,
    /// Interval between queue-length samples for the time series (default `"15min"`;
    /// `"0min"` turns sampling off).
    #[serde(default)]
    pub sample_interval: Option<Duration>,
}

fn default_seed() -> u64 {
    1
}
fn default_replications() -> u32 {
    10
}

/// `[[classes]]`: a patient class.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassSpec {
    /// Identifier used elsewhere in the file.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Share of arrivals from streams that do not fix a class (shares must sum to one).
    #[serde(default)]
    pub share: Option<f64>,
    /// Priority at stations with `discipline = "priority"`: larger is served first (default 0).
    #[serde(default)]
    pub priority: i32,
    /// Multiplier on every service time of this class (default 1).
    #[serde(default)]
    pub service_multiplier: Option<f64>,
    /// Per-station multipliers, replacing `service_multiplier` at the stations listed.
    #[serde(default)]
    pub station_multipliers: BTreeMap<String, f64>,
}

/// `[[stations]]`: a queue served by a pool of servers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StationSpec {
    /// Identifier.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Number of servers: a constant, or a list of shifts.
    pub servers: Servers,
    /// Service-time distribution (steps may override it).
    pub service: DistSpec,
    /// `"fifo"` (default) or `"priority"` (by class priority, FIFO within a priority).
    #[serde(default)]
    pub discipline: Discipline,
    /// Maximum number waiting; arrivals to a full queue balk (leave). Default: unlimited.
    #[serde(default)]
    pub capacity: Option<u32>,
    /// Patience: a patient who has waited this long leaves the queue (reneges). Default: none.
    #[serde(default)]
    pub patience: Option<DistSpec>,
    /// After the last shift, staff keep serving until nobody is waiting (default true).
    #[serde(default = "default_true")]
    pub overtime: bool,
}

fn default_true() -> bool {
    true
}

/// Queue discipline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Discipline {
    /// First come, first served.
    #[default]
    Fifo,
    /// Highest class priority first; FIFO among equals.
    Priority,
}

/// A station's staffing: constant or by shifts.
#[derive(Debug, Clone, PartialEq)]
pub enum Servers {
    /// The same number all the time.
    Constant(u32),
    /// Shifts over the day; no servers outside them.
    Schedule(Vec<Shift>),
}

/// One staffing interval.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shift {
    /// Start time.
    pub from: ClockTime,
    /// End time.
    pub to: ClockTime,
    /// Servers on duty.
    pub count: u32,
}

impl<'de> Deserialize<'de> for Servers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Servers;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number of servers, or a list of shifts such as [{ from = \"08:00\", to = \"12:00\", count = 30 }]")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Servers, E> {
                u32::try_from(v).map(Servers::Constant).map_err(|_| {
                    E::custom(format!(
                        "servers must be a whole number of zero or more (got {v})"
                    ))
                })
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Servers, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(-1))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Servers, E> {
                Err(E::custom(format!(
                    "servers must be a whole number (got {v})"
                )))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Servers, A::Error> {
                let mut shifts = Vec::new();
                while let Some(s) = seq.next_element::<Shift>()? {
                    shifts.push(s);
                }
                Ok(Servers::Schedule(shifts))
            }
        }
        d.deserialize_any(V)
    }
}

/// `[[arrivals]]`: one arrival stream. The `kind` key selects the process.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ArrivalSpec {
    /// Homogeneous Poisson arrivals at a constant rate.
    Poisson {
        /// Stream identifier (part of every patient's random key).
        id: String,
        /// Pathway the patients follow.
        pathway: String,
        /// Fixed class; default: drawn from the class shares.
        #[serde(default)]
        class: Option<String>,
        /// Arrival rate, e.g. `"10/min"`.
        rate: Rate,
        /// First possible arrival (default: `run.open`).
        #[serde(default)]
        start: Option<ClockTime>,
        /// No arrivals after this (default: `run.close`).
        #[serde(default)]
        end: Option<ClockTime>,
    },
    /// Non-homogeneous Poisson arrivals with a piecewise-constant rate over the day.
    Profile {
        /// Stream identifier.
        id: String,
        /// Pathway.
        pathway: String,
        /// Fixed class.
        #[serde(default)]
        class: Option<String>,
        /// Rate pieces; the rate is zero outside them.
        rates: Vec<RatePiece>,
    },
    /// Booked appointments in slots.
    Appointments {
        /// Stream identifier.
        id: String,
        /// Pathway.
        pathway: String,
        /// Fixed class.
        #[serde(default)]
        class: Option<String>,
        /// Sessions in which slots are offered.
        sessions: Vec<Session>,
        /// Slot length.
        slot: Duration,
        /// Patients booked per slot.
        per_slot: u32,
        /// Probability a booked patient does not come (default 0).
        #[serde(default)]
        no_show: f64,
        /// Arrival time relative to the slot (negative is early). Default: exactly on time.
        #[serde(default)]
        punctuality: Option<DistSpec>,
    },
    /// A group arriving together, such as the queue already waiting at opening.
    Batch {
        /// Stream identifier.
        id: String,
        /// Pathway.
        pathway: String,
        /// Fixed class.
        #[serde(default)]
        class: Option<String>,
        /// When they arrive.
        at: ClockTime,
        /// How many.
        count: u32,
    },
}

impl ArrivalSpec {
    /// Stream identifier.
    pub fn id(&self) -> &str {
        match self {
            ArrivalSpec::Poisson { id, .. }
            | ArrivalSpec::Profile { id, .. }
            | ArrivalSpec::Appointments { id, .. }
            | ArrivalSpec::Batch { id, .. } => id,
        }
    }
    /// Pathway identifier.
    pub fn pathway(&self) -> &str {
        match self {
            ArrivalSpec::Poisson { pathway, .. }
            | ArrivalSpec::Profile { pathway, .. }
            | ArrivalSpec::Appointments { pathway, .. }
            | ArrivalSpec::Batch { pathway, .. } => pathway,
        }
    }
    /// Fixed class, if any.
    pub fn class(&self) -> Option<&str> {
        match self {
            ArrivalSpec::Poisson { class, .. }
            | ArrivalSpec::Profile { class, .. }
            | ArrivalSpec::Appointments { class, .. }
            | ArrivalSpec::Batch { class, .. } => class.as_deref(),
        }
    }
}

/// One piece of a rate profile.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatePiece {
    /// Start.
    pub from: ClockTime,
    /// End.
    pub to: ClockTime,
    /// Rate during [from, to).
    pub rate: Rate,
}

/// An appointment session.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// First slot starts here.
    pub from: ClockTime,
    /// No slot starts at or after this.
    pub to: ClockTime,
}

/// `[[pathways]]`: a directed graph of steps.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathwaySpec {
    /// Identifier.
    pub id: String,
    /// First step (default: the first listed).
    #[serde(default)]
    pub start: Option<String>,
    /// The steps.
    pub steps: Vec<StepSpec>,
}

/// One step of a pathway: a visit to a station, or a delay that uses no server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    /// Identifier, unique within the pathway; also part of the patient's random keys, so the
    /// same step name draws the same numbers across variants.
    pub id: String,
    /// Station visited (exactly one of `station` and `delay`).
    #[serde(default)]
    pub station: Option<String>,
    /// Service time for this step, overriding the station's.
    #[serde(default)]
    pub service: Option<DistSpec>,
    /// A delay that uses no server (lab turnaround, walking).
    #[serde(default)]
    pub delay: Option<DistSpec>,
    /// The single next step, or `"exit"`.
    #[serde(default)]
    pub next: Option<String>,
    /// Probabilistic branches (instead of `next`); probabilities sum to one.
    #[serde(default)]
    pub branches: Option<Vec<Branch>>,
    /// Class-specific branches, replacing `branches`/`next` for the classes named.
    #[serde(default)]
    pub class_branches: BTreeMap<String, Vec<Branch>>,
}

/// One branch.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Branch {
    /// Target step or `"exit"`.
    pub to: String,
    /// Probability.
    pub p: f64,
}

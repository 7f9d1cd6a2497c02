//! The scenario file format: what a planner writes in TOML, exactly as written.
//!
//! These types mirror the file one to one and reject unknown keys, so a typo such as
//! `sevrers = 4` is an error rather than a silently ignored line. Checking that the pieces fit
//! together (ids exist, probabilities sum to one, pathways exit) is `compile`'s job; every key,
//! unit and default is documented in `docs/scenario-format.md`.
//!
//! One file per section: `[run]`, `[[classes]]` and `[[stations]]` here, [`resources`], [`arrivals`], [`calendar`],
//! [`pathways`], [`workflow`] (with `[[variants]]`) and [`targets`] beside it; [`units`] parses durations,
//! clock times and rates; [`variant`] merges a variant's overlays into the base tree. This
//! layer imports neither `compile` nor `model`.

pub mod arrivals;
pub mod calendar;
pub mod pathways;
pub mod resources;
pub mod setting;
pub mod targets;
pub mod units;
pub mod variant;
pub mod workflow;

pub use arrivals::{ArrivalKind, ArrivalSpec, LateRule, LateSpec, RatePiece, Session};
pub use calendar::{CalendarSpec, Date, EndOfDay, Weekday};
pub use pathways::{Branch, PathwaySpec, QueueOrder, Role, StepSpec};
pub use resources::{Choose, NeedSpec, ResourceSpec};
pub use setting::Setting;
pub use targets::{TargetMetric, TargetSpec};
pub use workflow::{
    CreditPaymentSpec, EPrescriptionSpec, FaceScanSpec, Lever, OnlineRegistrationSpec,
    PointOfCareSpec, ResultsOnlineSpec, VariantSpec, WorkflowSpec,
};

use crate::distribution::DistSpec;
use crate::error::Problem;
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;
use units::{ClockTime, Duration, WarmUp};

/// A whole scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Name and description.
    pub scenario: Meta,
    /// Run settings: hours, seed, replications, stopping rules.
    pub run: RunSpec,
    /// A replication of several days: weekdays, holidays, the end-of-day rule.
    #[serde(default)]
    pub calendar: Option<CalendarSpec>,
    /// Patient classes; when absent every patient is of one class named `patient`.
    #[serde(default)]
    pub classes: Vec<ClassSpec>,
    /// Shared pools of staff or rooms that stations require.
    #[serde(default)]
    pub resources: Vec<ResourceSpec>,
    /// Stations (queues with servers).
    pub stations: Vec<StationSpec>,
    /// Arrival streams.
    pub arrivals: Vec<ArrivalSpec>,
    /// Pathways (graphs of steps).
    pub pathways: Vec<PathwaySpec>,
    /// The digital workflow: its levers' parameters and adoption by class.
    #[serde(default)]
    pub workflow: Option<WorkflowSpec>,
    /// Named variants: overlays on this base (levers switched on, staffing or arrival changes).
    #[serde(default)]
    pub variants: Vec<VariantSpec>,
    /// Service-level targets reported with the results.
    #[serde(default)]
    pub targets: Vec<TargetSpec>,
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
    /// Clinic closing time: walk-in streams (`poisson`, `profile`) stop here; appointment
    /// sessions and batches must lie before it (booked patients may still arrive late).
    /// Patients inside are still served.
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
    /// Steady-state studies: statistics start after this warm-up, counted from `open`;
    /// `"auto"` finds it by MSER-5 from the replications before the run (`stats::warmup`).
    #[serde(default)]
    pub warm_up: Option<WarmUp>,
    /// Steady-state studies: length of the observation window after the warm-up; the run
    /// stops at its end.
    #[serde(default)]
    pub run_length: Option<Duration>,
    /// Interval between queue-length samples for the time series (default `"15min"`;
    /// `"0min"` turns sampling off).
    #[serde(default)]
    pub sample_interval: Option<Duration>,
}

/// `[run]` values given from outside the file (a command line, a page's controls), used as if
/// they had been written in it and checked the same way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `run.seed`.
    pub seed: Option<u64>,
    /// `run.replications`.
    pub replications: Option<u32>,
    /// `run.max_arrivals`.
    pub max_arrivals: Option<u64>,
}

impl Overrides {
    /// True when nothing is overridden.
    pub fn is_empty(&self) -> bool {
        *self == Overrides::default()
    }

    /// True when the value at `path` (a problem's place) is one of these overrides.
    pub fn covers(&self, path: &str) -> bool {
        (self.seed.is_some() && path == "run.seed")
            || (self.replications.is_some() && path == "run.replications")
            || (self.max_arrivals.is_some() && path == "run.max_arrivals")
    }

    /// `run` with these values in place of its own.
    pub fn apply(&self, run: &RunSpec) -> RunSpec {
        let mut run = run.clone();
        if let Some(seed) = self.seed {
            run.seed = seed;
        }
        if let Some(n) = self.replications {
            run.replications = n;
        }
        if let Some(n) = self.max_arrivals {
            run.max_arrivals = Some(n);
        }
        run
    }
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
    /// False: patients of this class never leave a queue early: no reneging (`patience`) and
    /// no balking by choice (`balking`) at any station (default true). A full queue
    /// (`capacity`) still turns them away.
    #[serde(default = "default_true")]
    pub leaves: bool,
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
    /// Number of servers: a constant, or a list of shifts. Absent when the station
    /// `requires` shared resources instead.
    #[serde(default)]
    pub servers: Option<Servers>,
    /// Shared resources each service seizes, all at once (instead of `servers`).
    #[serde(default)]
    pub requires: Vec<NeedSpec>,
    /// When stations compete for a freed shared resource: larger first (default 0; ties go
    /// to the patient who has waited longest).
    #[serde(default)]
    pub priority: i32,
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
    /// Patience by class id, replacing `patience` for the classes named (`"none"`: they never
    /// renege here).
    #[serde(default)]
    pub patience_by_class: BTreeMap<String, PatienceSpec>,
    /// Balking by queue length: entry n is the probability that a patient who finds n
    /// patients waiting (and no server free) leaves at once; the last entry applies to longer
    /// queues. Default: nobody balks by choice.
    #[serde(default)]
    pub balking: Option<Vec<f64>>,
    /// Balking by class id, replacing `balking` for the classes named (`[]`: they never balk
    /// by choice here).
    #[serde(default)]
    pub balking_by_class: BTreeMap<String, Vec<f64>>,
    /// After the last shift, staff keep serving until nobody is waiting (default true).
    #[serde(default = "default_true")]
    pub overtime: bool,
    /// What happens to a service in progress when the staff on duty fall below the number
    /// busy (a shift ends, a break starts): finished (default), or interrupted.
    #[serde(default)]
    pub shift_end: ShiftEnd,
    /// With `discipline = "priority"`: an arriving patient of a higher class interrupts the
    /// service of a lower class when no server is free (resumed or restarted later).
    #[serde(default)]
    pub preemption: Option<Preemption>,
}

fn default_true() -> bool {
    true
}

/// A class's patience at a station: a distribution, or `"none"` (never reneges).
#[derive(Debug, Clone)]
pub enum PatienceSpec {
    /// Never reneges.
    Never,
    /// Reneges after this long in the queue (boxed: a spec is large next to `Never`).
    Dist(Box<DistSpec>),
}

impl<'de> Deserialize<'de> for PatienceSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, MapAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PatienceSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("\"none\" or a distribution such as { dist = \"exponential\", mean = \"30min\" }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PatienceSpec, E> {
                if v == "none" {
                    Ok(PatienceSpec::Never)
                } else {
                    Err(E::custom(format!(
                        "patience is \"none\" or a distribution table (got {v:?})"
                    )))
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<PatienceSpec, A::Error> {
                DistSpec::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|d| PatienceSpec::Dist(Box::new(d)))
            }
        }
        d.deserialize_any(V)
    }
}

/// What happens to a service in progress when the staff on duty fall below the number busy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShiftEnd {
    /// The leaving staff member finishes the patient (no interruption).
    #[default]
    Finish,
    /// The service stops; the patient goes back to the front of the queue and later gets
    /// only the remaining service time.
    Resume,
    /// The service stops; the patient goes back to the front of the queue and later gets the
    /// whole service again (the work done is lost).
    Restart,
    /// Mechanically as `resume` (the units of a pool are identical, so the next free one
    /// continues the patient's remaining service ahead of everyone waiting); counted as a
    /// hand-over rather than an interruption.
    HandOver,
}

/// How an interrupted service continues after a higher class preempts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preemption {
    /// Only the remaining service time later.
    Resume,
    /// The whole service again later.
    Restart,
    /// No preemption (as leaving the key out; lets a variant switch it off).
    None,
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
    /// With a `[calendar]`: the weekdays this shift is worked (default every open day).
    #[serde(default)]
    pub days: Option<Vec<Weekday>>,
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

/// A scenario file parsed once, from which the base model and every variant are built (by
/// `compile`: [`Scenario::parse`] and [`Scenario::model`] are defined there).
///
/// Building a variant costs time in proportion to the base scenario and that variant's
/// overlays, not to the number of variants: the parsed tree is kept without its variant
/// list, and problems with the list itself (duplicate ids) are found once.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The text, kept to place problems in it (parsed again for spans only on failure).
    pub(crate) source: std::sync::Arc<str>,
    pub(crate) file: ScenarioFile,
    /// The file's TOML tree without `variants`, which overlays are applied to.
    pub(crate) base: toml::Table,
    /// Every declared variant id, shared by the models built from it.
    pub(crate) variant_ids: std::sync::Arc<[String]>,
    /// Problems with the variant list (reported with every model built).
    pub(crate) variant_problems: Vec<Problem>,
    /// Index into `file.variants` by id (the first of any duplicates), so that finding each
    /// of n variants costs log n, not n.
    pub(crate) variant_index: BTreeMap<String, usize>,
    /// The data files the text refers to (base and variants), found once when parsed.
    pub(crate) data_files: Vec<String>,
    /// Values set from outside the file, applied to every model built (see [`setting`]).
    pub(crate) settings: std::sync::Arc<[Setting]>,
}

impl Scenario {
    /// The ids of the declared variants, in file order.
    pub fn variant_ids(&self) -> &[String] {
        &self.variant_ids
    }

    /// This scenario with `settings` applied to every model built from it, after the
    /// settings it already has (a later setting of the same path wins). The settings are
    /// checked when a model is built, by the same compiler as the file.
    pub fn with_settings(&self, settings: &[Setting]) -> Scenario {
        let mut s = self.clone();
        s.settings = self.settings.iter().chain(settings).cloned().collect();
        s
    }

    /// The settings applied to every model built from this scenario.
    pub fn settings(&self) -> &[Setting] {
        &self.settings
    }

    /// Says where the problems of a model built with `overrides` come from when that is not
    /// the text: a problem with an overridden `[run]` value is put at `spell(key, value)`
    /// (key `replications`, `seed` or `max_arrivals`: the CLI spells `--replications 0`, the
    /// Python package `replications=0`), one in a set value names the setting
    /// ([`name_settings`](Self::name_settings)).
    pub fn name_outside_values(
        &self,
        e: &mut crate::error::ScenarioError,
        overrides: &Overrides,
        spell: impl Fn(&str, String) -> String,
    ) {
        let crate::error::ScenarioError::Invalid(problems) = e else {
            return;
        };
        for p in problems.iter_mut() {
            let overridden = match p.at.as_str() {
                "run.replications" => overrides
                    .replications
                    .map(|n| ("replications", n.to_string())),
                "run.seed" => overrides.seed.map(|n| ("seed", n.to_string())),
                "run.max_arrivals" => overrides
                    .max_arrivals
                    .map(|n| ("max_arrivals", n.to_string())),
                _ => None,
            };
            match overridden {
                Some((key, value)) => p.at = spell(key, value),
                None => self.name_settings(std::slice::from_mut(p)),
            }
        }
    }

    /// Says which setting a problem found while building a model lies in, since a set value
    /// is not in the text: `at` becomes `ORIGIN PATH=VALUE` for a problem with the set value
    /// itself, `at (ORIGIN PATH=VALUE)` for one inside it (one shift of a list set). Problems
    /// outside every setting are left as they are.
    pub fn name_settings(&self, problems: &mut [Problem]) {
        for p in problems {
            if let Some(s) = self.settings.iter().rev().find(|s| s.covers(&p.at)) {
                let origin = if s.origin.is_empty() {
                    "set"
                } else {
                    &s.origin
                };
                p.at = if s.path == p.at {
                    format!("{origin} {}", s.display())
                } else {
                    format!("{} ({origin} {})", p.at, s.display())
                };
            }
        }
    }
}

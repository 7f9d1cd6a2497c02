//! The compiled model: a scenario checked and turned into compact, index-based tables the engine
//! can run without further checks (or hashing, or string look-ups).
//!
//! This layer only describes: it is built by `compile` (the single gate, see
//! [`crate::compile`]) and read by the engine and the statistics. It imports the scenario
//! layer's small enums (`Role`, `Lever`, `Discipline`) and never `compile`.
//!
//! One file per table: [`station`], [`resource`] (shared pools), [`pathway`] (steps and routing tables), [`stream`] (arrival
//! streams) and [`workflow`] (the digital levers of one variant, and the one definition of what
//! they make a digital patient do at each step).

pub mod calendar;
pub mod pathway;
pub mod resource;
pub mod station;
pub mod stream;
pub mod target;
pub mod workflow;

pub use pathway::{MAX_STEPS, Pathway, RouteTable, Step, StepKeys, StepKind};
pub use resource::{Need, Resource};
pub use station::{StaffChange, Station};
pub use stream::{Stream, StreamKind};
pub use target::{Target, TargetKind, Targets};
pub use workflow::Workflow;

/// Step index meaning "leave the system".
pub const EXIT: u32 = u32::MAX;

/// Largest expected number of arrivals in one replication without an explicit `max_arrivals`.
pub const MAX_EXPECTED_ARRIVALS: f64 = 50_000_000.0;
/// Largest number of replications.
pub const MAX_REPLICATIONS: u32 = 100_000;
/// Largest number of servers at one station.
pub const MAX_SERVERS: u32 = 100_000;
/// Largest expected number of steps one patient passes through (loops included).
pub const MAX_EXPECTED_VISITS: f64 = 10_000.0;
/// Largest number of queue-length samples per station and replication.
pub const MAX_SAMPLES: usize = 20_000;

/// `Step::fixed_next` value for steps whose next step depends on a draw or on the class.
pub const ROUTED: u32 = u32::MAX - 1;

/// A patient class, compiled.
#[derive(Debug, Clone)]
pub struct Class {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Priority (larger first).
    pub priority: i32,
    /// Service-time multiplier at each station, by station index.
    pub multipliers: Vec<f64>,
    /// Patients of this class may leave a queue early (renege, balk by choice).
    pub leaves: bool,
}

/// A checked, runnable model.
#[derive(Debug, Clone)]
pub struct Model {
    /// Scenario name.
    pub(crate) name: String,
    /// Scenario description.
    pub(crate) description: String,
    /// Clinic opening time.
    pub(crate) open: f64,
    /// Arrivals stop at this time (if set).
    pub(crate) close: Option<f64>,
    /// The run stops here (if set).
    pub(crate) stop: Option<f64>,
    /// Cap on arrivals per replication.
    pub(crate) max_arrivals: Option<u64>,
    /// Base seed.
    pub(crate) seed: u64,
    /// Replications.
    pub(crate) replications: u32,
    /// Statistics are collected from this time on: `open + warm_up` with a warm-up, otherwise
    /// the earlier of opening time and the first possible arrival. Time integrals (utilisation,
    /// queue length) start here too, so staff on duty before the clinic opens do not dilute
    /// utilisation.
    pub(crate) stats_start: f64,
    /// Queue-length sampling interval (0 = off).
    pub(crate) sample_interval: f64,
    /// `run.warm_up = "auto"`: built with no warm-up, to be replaced by the model with the
    /// warm-up MSER-5 finds (`stats::warmup`) before it is run for results.
    pub(crate) warm_up_auto: bool,
    /// Patient classes.
    pub(crate) classes: Vec<Class>,
    /// Cumulative class shares (for streams without a fixed class), if defined.
    pub(crate) class_cumulative: Vec<f64>,
    /// Stations.
    pub(crate) stations: Vec<Station>,
    /// Shared resources (empty when every station has servers of its own).
    pub(crate) resources: Vec<Resource>,
    /// All pathway steps.
    pub(crate) steps: Vec<Step>,
    /// Pathways.
    pub(crate) pathways: Vec<Pathway>,
    /// Routing tables referenced by `Step::routes`.
    pub(crate) routes: Vec<RouteTable>,
    /// Arrival streams.
    pub(crate) streams: Vec<Stream>,
    /// Warnings found while checking (the model still runs).
    pub(crate) warnings: Vec<String>,
    /// True when some class has a service multiplier other than 1.
    pub(crate) has_multipliers: bool,
    /// The variant this model was built for (empty for the base scenario).
    pub(crate) variant: String,
    /// Every variant the scenario file declares.
    pub(crate) variant_ids: std::sync::Arc<[String]>,
    /// The digital workflow of this variant.
    pub(crate) workflow: Workflow,
    /// Service-level targets.
    pub(crate) targets: Targets,
    /// The days of a `[calendar]` run (None: a run without a calendar).
    pub(crate) calendar: Option<calendar::Calendar>,
}

/// Read-only access: a model is built and checked by the compiler and cannot be changed
/// afterwards (values from outside the file go in as [`crate::scenario::Overrides`]).
impl Model {
    /// Scenario name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Scenario description.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Clinic opening time (minutes after midnight of day one).
    pub fn open(&self) -> f64 {
        self.open
    }

    /// Arrivals stop at this time, if set.
    pub fn close(&self) -> Option<f64> {
        self.close
    }

    /// The run stops at this time, if set (the hard stop).
    pub fn stop(&self) -> Option<f64> {
        self.stop
    }

    /// Cap on arrivals per replication, if set.
    pub fn max_arrivals(&self) -> Option<u64> {
        self.max_arrivals
    }

    /// Base seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Replications of a study.
    pub fn replications(&self) -> u32 {
        self.replications
    }

    /// Start of the observation window (see the field).
    pub fn stats_start(&self) -> f64 {
        self.stats_start
    }

    /// Queue-length sampling interval (0 = off).
    pub fn sample_interval(&self) -> f64 {
        self.sample_interval
    }

    /// True when the scenario asks for `run.warm_up = "auto"`: this model has no warm-up yet
    /// and is meant for the pilot replications that find it (`stats::warmup::settle_together`).
    pub fn warm_up_is_auto(&self) -> bool {
        self.warm_up_auto
    }

    /// Patient classes.
    pub fn classes(&self) -> &[Class] {
        &self.classes
    }

    /// Stations.
    pub fn stations(&self) -> &[Station] {
        &self.stations
    }

    /// Shared resources.
    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    /// All pathway steps.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Pathways.
    pub fn pathways(&self) -> &[Pathway] {
        &self.pathways
    }

    /// Routing tables referenced by `Step::routes`.
    pub fn routes(&self) -> &[RouteTable] {
        &self.routes
    }

    /// Arrival streams.
    pub fn streams(&self) -> &[Stream] {
        &self.streams
    }

    /// Service-level targets.
    pub fn targets(&self) -> &[Target] {
        &self.targets.list
    }

    /// The days of a `[calendar]` run (None without a calendar).
    pub fn calendar(&self) -> Option<&calendar::Calendar> {
        self.calendar.as_ref()
    }

    /// Warnings found while checking (the model still runs).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The variant this model was built for (empty for the base scenario).
    pub fn variant(&self) -> &str {
        &self.variant
    }

    /// Every variant the scenario file declares.
    pub fn variant_ids(&self) -> &[String] {
        &self.variant_ids
    }

    /// The digital workflow of this variant.
    pub fn workflow(&self) -> &Workflow {
        &self.workflow
    }

    /// Cumulative class shares (for streams without a fixed class).
    pub fn class_cumulative(&self) -> &[f64] {
        &self.class_cumulative
    }

    /// True when some class has a service multiplier other than 1.
    pub fn has_multipliers(&self) -> bool {
        self.has_multipliers
    }

    /// Index of a station by id.
    pub fn station_index(&self, id: &str) -> Option<usize> {
        self.stations.iter().position(|s| s.id == id)
    }

    /// Index of a class by id.
    pub fn class_index(&self, id: &str) -> Option<usize> {
        self.classes.iter().position(|c| c.id == id)
    }
}

/// Number of slots in a session [from, to) with the given slot length (no slot starts at or
/// after `to`; the tolerance absorbs rounding in `from + k * slot`).
pub fn slot_count(from: f64, to: f64, slot: f64) -> u64 {
    if to <= from || slot <= 0.0 {
        return 0;
    }
    ((to - from) / slot - 1e-9).ceil().max(0.0) as u64
}

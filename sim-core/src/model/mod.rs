//! The compiled model: a scenario checked and turned into compact, index-based tables the engine
//! can run without further checks (or hashing, or string look-ups).
//!
//! This layer only describes: it is built by `compile` (the single gate, see
//! [`crate::compile`]) and read by the engine and the statistics. It imports the scenario
//! layer's small enums (`Role`, `Lever`, `Discipline`) and never `compile`.
//!
//! One file per table: [`station`], [`pathway`] (steps and routing tables), [`stream`] (arrival
//! streams) and [`workflow`] (the digital levers of one variant, and the one definition of what
//! they make a digital patient do at each step).

pub mod pathway;
pub mod station;
pub mod stream;
pub mod workflow;

pub use pathway::{MAX_STEPS, Pathway, RouteTable, Step, StepKeys, StepKind};
pub use station::{StaffChange, Station};
pub use stream::{Stream, StreamKind};
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
}

/// A checked, runnable model.
#[derive(Debug, Clone)]
pub struct Model {
    /// Scenario name.
    pub name: String,
    /// Scenario description.
    pub description: String,
    /// Clinic opening time.
    pub open: f64,
    /// Arrivals stop at this time (if set).
    pub close: Option<f64>,
    /// The run stops here (if set).
    pub stop: Option<f64>,
    /// Cap on arrivals per replication.
    pub max_arrivals: Option<u64>,
    /// Base seed.
    pub seed: u64,
    /// Replications.
    pub replications: u32,
    /// Statistics are collected from this time on: `open + warm_up` with a warm-up, otherwise
    /// the earlier of opening time and the first possible arrival. Time integrals (utilisation,
    /// queue length) start here too, so staff on duty before the clinic opens do not dilute
    /// utilisation.
    pub stats_start: f64,
    /// Queue-length sampling interval (0 = off).
    pub sample_interval: f64,
    /// Patient classes.
    pub classes: Vec<Class>,
    /// Cumulative class shares (for streams without a fixed class), if defined.
    pub class_cumulative: Vec<f64>,
    /// Stations.
    pub stations: Vec<Station>,
    /// All pathway steps.
    pub steps: Vec<Step>,
    /// Pathways.
    pub pathways: Vec<Pathway>,
    /// Routing tables referenced by `Step::routes`.
    pub routes: Vec<RouteTable>,
    /// Arrival streams.
    pub streams: Vec<Stream>,
    /// Warnings found while checking (the model still runs).
    pub warnings: Vec<String>,
    /// True when some class has a service multiplier other than 1.
    pub has_multipliers: bool,
    /// The variant this model was built for (empty for the base scenario).
    pub variant: String,
    /// Every variant the scenario file declares.
    pub variant_ids: std::sync::Arc<[String]>,
    /// The digital workflow of this variant.
    pub workflow: Workflow,
}

impl Model {
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

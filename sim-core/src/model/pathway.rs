//! Pathways, compiled: every step of every pathway in one table (global step indices), what
//! each step does, its draw keys, and the routing tables that say where a patient goes next.

use crate::distribution::Dist;
use crate::scenario::Role;

/// What a step does.
#[derive(Debug, Clone)]
pub enum StepKind {
    /// Queue for and be served at a station.
    Visit {
        /// Station index.
        station: u32,
        /// Service-time distribution for this step.
        service: Dist,
        /// The queue calls booked patients by their slot time (`order = "appointment"`).
        by_appointment: bool,
    },
    /// Wait a while without using a server.
    Delay {
        /// Delay distribution.
        delay: Dist,
    },
}

/// A pathway step, compiled.
#[derive(Debug, Clone)]
pub struct Step {
    /// Identifier (`pathway.step` for messages is built from `pathway`).
    pub id: String,
    /// Owning pathway index.
    pub pathway: u32,
    /// What happens here.
    pub kind: StepKind,
    /// Routing table index for each class (indexed by class).
    pub routes: Vec<u32>,
    /// True when the step lies on a loop; draws there are keyed by the patient's loop count.
    pub cyclic: bool,
    /// Draw keys for this step, derived from the step id's hash and each purpose (service,
    /// branch, patience, delay, workflow): part of every random key drawn here.
    pub keys: StepKeys,
    /// The step's part in the workflow (for the digital levers).
    pub role: Option<Role>,
    /// The next step when every class goes to the same single place (no draw, no table
    /// look-up), else `ROUTED`.
    pub fixed_next: u32,
}

/// Draw keys of a step (see `rng::purpose_key`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StepKeys {
    /// Service time.
    pub service: u64,
    /// Branch choice.
    pub branch: u64,
    /// Patience.
    pub patience: u64,
    /// Delay length.
    pub delay: u64,
    /// Workflow choices at this step (payment channel, remote review, home delivery).
    pub workflow: u64,
    /// Balking by choice at this step's station.
    pub balk: u64,
}

impl StepKeys {
    /// Keys for a step with the given name hash.
    pub fn new(step_hash: u64) -> StepKeys {
        use crate::rng::{Purpose, purpose_key};
        StepKeys {
            service: purpose_key(Purpose::Service, step_hash),
            branch: purpose_key(Purpose::Branch, step_hash),
            patience: purpose_key(Purpose::Patience, step_hash),
            delay: purpose_key(Purpose::Delay, step_hash),
            workflow: purpose_key(Purpose::Workflow, step_hash),
            balk: purpose_key(Purpose::Balk, step_hash),
        }
    }
}

/// A pathway, compiled.
#[derive(Debug, Clone)]
pub struct Pathway {
    /// Identifier.
    pub id: String,
    /// First step (global step index).
    pub start: u32,
}

/// Largest number of steps in one pathway.
pub const MAX_STEPS: usize = 10_000;

/// Where a patient goes after a step: cumulative probabilities and targets (global step
/// indices or `EXIT`). A single entry means no random draw is needed.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteTable {
    /// Cumulative probabilities; the last is exactly 1.
    pub cumulative: Vec<f64>,
    /// Targets, same length.
    pub targets: Vec<u32>,
}

impl RouteTable {
    /// The target for a uniform draw `u` in [0, 1).
    #[inline]
    pub fn pick(&self, u: f64) -> u32 {
        let i = self
            .cumulative
            .partition_point(|c| *c <= u)
            .min(self.targets.len() - 1);
        self.targets[i]
    }
}

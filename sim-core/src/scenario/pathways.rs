//! `[[pathways]]` as written: steps, their branches and the part (role) each plays in the
//! paper workflow.

use crate::distribution::DistSpec;
use serde::Deserialize;
use std::collections::BTreeMap;

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
    /// The step's part in the workflow, for the digital levers.
    #[serde(default)]
    pub role: Option<Role>,
    /// The order its queue calls patients in: first come (`"arrival"`, the default) or by
    /// booked time (`"appointment"`).
    #[serde(default)]
    pub order: QueueOrder,
}

/// The order in which a step's queue calls patients.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueOrder {
    /// First come, first served (from joining the queue).
    #[default]
    Arrival,
    /// Booked patients by their slot time, whenever they came (walk-ins, and late patients
    /// seen as walk-ins, by the time they joined the queue).
    Appointment,
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

/// The part a step plays in the paper workflow, which the digital levers act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A registration window (skipped with online registration; face scan shortens it).
    Registration,
    /// An identity check (face scan shortens it).
    Identity,
    /// Paying before a test or treatment (skipped with credit payment; channel mix applies).
    Prepayment,
    /// Paying / settling (channel mix applies; face scan shortens it).
    Payment,
    /// Collecting printed results (skipped with results online).
    ReportCollection,
    /// The return consultation after results (some skipped with results online).
    Revisit,
    /// The pharmacy window (some skipped with e-prescription home delivery).
    Pharmacy,
}

impl Role {
    /// Every role, in declaration order.
    pub const ALL: [Role; 7] = [
        Role::Registration,
        Role::Identity,
        Role::Prepayment,
        Role::Payment,
        Role::ReportCollection,
        Role::Revisit,
        Role::Pharmacy,
    ];

    /// The role as written in a file.
    pub fn name(self) -> &'static str {
        match self {
            Role::Registration => "registration",
            Role::Identity => "identity",
            Role::Prepayment => "prepayment",
            Role::Payment => "payment",
            Role::ReportCollection => "report_collection",
            Role::Revisit => "revisit",
            Role::Pharmacy => "pharmacy",
        }
    }
}

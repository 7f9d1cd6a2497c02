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
    /// The digital workflow: its levers' parameters and adoption by class.
    #[serde(default)]
    pub workflow: Option<WorkflowSpec>,
    /// Named variants: overlays on this base (levers switched on, staffing or arrival changes).
    #[serde(default)]
    pub variants: Vec<VariantSpec>,
}

/// `[workflow]`: the parameters of each digital lever and who adopts it. A lever acts only in
/// a variant that lists it in `levers`, and only on patients who adopt the digital workflow.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowSpec {
    /// Share of each class's patients who use the digital workflow (class id → share).
    #[serde(default)]
    pub adoption: BTreeMap<String, f64>,
    /// Online pre-registration / booked time slots.
    #[serde(default)]
    pub online_registration: Option<OnlineRegistrationSpec>,
    /// Paying at the point of care (phone, kiosk, or in the consulting room).
    #[serde(default)]
    pub pay_at_point_of_care: Option<PointOfCareSpec>,
    /// "Treat first, pay later": no prepayment steps, one settlement at the end.
    #[serde(default)]
    pub credit_payment: Option<CreditPaymentSpec>,
    /// Results pushed online: no report collection; some revisits done remotely.
    #[serde(default)]
    pub results_online: Option<ResultsOnlineSpec>,
    /// Face-scan identity and payment: shorter service at identity and payment steps.
    #[serde(default)]
    pub face_scan: Option<FaceScanSpec>,
    /// E-prescriptions delivered home: some patients skip the pharmacy.
    #[serde(default)]
    pub e_prescription: Option<EPrescriptionSpec>,
}

/// `[workflow.online_registration]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnlineRegistrationSpec {
    /// Shape of booked arrivals over the day (relative rates). A patient who would have walked
    /// in at the q-th quantile of their stream's day arrives at the q-th quantile of this
    /// profile instead (so nobody queues before opening just to get a number) — but never
    /// earlier than they would have walked in, since the booking is made at that moment.
    pub booked_rates: Vec<RatePiece>,
    /// Offset from the booked time (negative is early). Default: on time.
    #[serde(default)]
    pub punctuality: Option<DistSpec>,
    /// Probability that a patient who booked online does not come (default 0).
    #[serde(default)]
    pub no_show: f64,
}

/// `[workflow.pay_at_point_of_care]`: the payment channel mix of digital patients.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointOfCareSpec {
    /// Share still paying at the counter (the pathway's payment station).
    pub counter: f64,
    /// Share paying at a self-service kiosk (`kiosk_station`).
    #[serde(default)]
    pub kiosk: f64,
    /// Share paying by phone or in the consulting room: no payment queue at all.
    pub in_consultation: f64,
    /// Station used by kiosk payers (needed when `kiosk` > 0).
    #[serde(default)]
    pub kiosk_station: Option<String>,
}

/// `[workflow.credit_payment]` (no parameters: `credit_payment = {}`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditPaymentSpec {}

/// `[workflow.results_online]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultsOnlineSpec {
    /// Share of digital patients whose revisit consult is replaced by a remote review.
    #[serde(default)]
    pub remote_review: f64,
}

/// `[workflow.face_scan]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaceScanSpec {
    /// Service time at registration, identity and payment steps for digital patients.
    pub service: DistSpec,
}

/// `[workflow.e_prescription]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EPrescriptionSpec {
    /// Share of digital patients whose medicines are delivered home (they skip the pharmacy).
    pub home_delivery: f64,
}

/// A digital lever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lever {
    /// Online pre-registration / booked slots.
    OnlineRegistration,
    /// Pay at the point of care.
    PayAtPointOfCare,
    /// Treat first, pay later.
    CreditPayment,
    /// Results pushed online.
    ResultsOnline,
    /// Face-scan identity and payment.
    FaceScan,
    /// E-prescription with home delivery.
    EPrescription,
}

impl Role {
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

impl Lever {
    /// The lever's name as written in a file.
    pub fn name(self) -> &'static str {
        match self {
            Lever::OnlineRegistration => "online_registration",
            Lever::PayAtPointOfCare => "pay_at_point_of_care",
            Lever::CreditPayment => "credit_payment",
            Lever::ResultsOnline => "results_online",
            Lever::FaceScan => "face_scan",
            Lever::EPrescription => "e_prescription",
        }
    }
}

/// `[[variants]]`: a named overlay on the base scenario. Lists of tables (`stations`,
/// `arrivals`, `classes`) are merged by `id`: keys given replace the base's keys of the item
/// with that id; an unknown id adds a new item. `workflow` merges into `[workflow]` key by key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantSpec {
    /// Identifier used by `--variant` and `--variants`.
    pub id: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Digital levers switched on in this variant.
    #[serde(default)]
    pub levers: Vec<Lever>,
    /// Adoption by class, replacing `[workflow].adoption`.
    #[serde(default)]
    pub adoption: Option<BTreeMap<String, f64>>,
    /// Station overlays.
    #[serde(default)]
    pub stations: Vec<toml::Table>,
    /// Arrival-stream overlays.
    #[serde(default)]
    pub arrivals: Vec<toml::Table>,
    /// Class overlays.
    #[serde(default)]
    pub classes: Vec<toml::Table>,
    /// Workflow parameter overlays.
    #[serde(default)]
    pub workflow: Option<toml::Table>,
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

/// `[[arrivals]]`: one arrival stream. The `kind` key selects the process; each kind takes its
/// own keys (checked in `model`, which names any key that does not apply). A flat struct rather
/// than a tagged enum so that errors inside a stream keep their exact line and column.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArrivalSpec {
    /// Stream identifier (part of every patient's random key).
    pub id: String,
    /// Pathway the patients follow.
    pub pathway: String,
    /// Fixed class; default: drawn from the class shares.
    #[serde(default)]
    pub class: Option<String>,
    /// The process.
    pub kind: ArrivalKind,
    /// `poisson`: arrival rate, e.g. `"10/min"`.
    #[serde(default)]
    pub rate: Option<Rate>,
    /// `poisson`: first possible arrival (default: `run.open`).
    #[serde(default)]
    pub start: Option<ClockTime>,
    /// `poisson`: no arrivals after this (default: `run.close`).
    #[serde(default)]
    pub end: Option<ClockTime>,
    /// `profile`: rate pieces; the rate is zero outside them.
    #[serde(default)]
    pub rates: Option<Vec<RatePiece>>,
    /// `appointments`: sessions in which slots are offered.
    #[serde(default)]
    pub sessions: Option<Vec<Session>>,
    /// `appointments`: slot length.
    #[serde(default)]
    pub slot: Option<Duration>,
    /// `appointments`: patients booked per slot.
    #[serde(default)]
    pub per_slot: Option<u32>,
    /// `appointments`: probability a booked patient does not come (default 0).
    #[serde(default)]
    pub no_show: Option<f64>,
    /// `appointments`: arrival time relative to the slot (negative is early); default on time.
    #[serde(default)]
    pub punctuality: Option<DistSpec>,
    /// `batch`: when the group arrives.
    #[serde(default)]
    pub at: Option<ClockTime>,
    /// `batch`: how many.
    #[serde(default)]
    pub count: Option<u32>,
}

/// Arrival process kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrivalKind {
    /// Homogeneous Poisson arrivals at a constant `rate`.
    Poisson,
    /// Non-homogeneous Poisson with a piecewise-constant rate profile (`rates`).
    Profile,
    /// Booked appointments in slots.
    Appointments,
    /// A group arriving together (`at`, `count`).
    Batch,
}

impl ArrivalKind {
    /// The kind as written in a file.
    pub fn name(self) -> &'static str {
        match self {
            ArrivalKind::Poisson => "poisson",
            ArrivalKind::Profile => "profile",
            ArrivalKind::Appointments => "appointments",
            ArrivalKind::Batch => "batch",
        }
    }
}

impl ArrivalSpec {
    /// Keys that are set, by name, with whether they are allowed for this kind.
    pub fn set_keys(&self) -> Vec<(&'static str, bool)> {
        use ArrivalKind::*;
        let k = self.kind;
        [
            ("rate", self.rate.is_some(), k == Poisson),
            ("start", self.start.is_some(), k == Poisson),
            ("end", self.end.is_some(), k == Poisson),
            ("rates", self.rates.is_some(), k == Profile),
            ("sessions", self.sessions.is_some(), k == Appointments),
            ("slot", self.slot.is_some(), k == Appointments),
            ("per_slot", self.per_slot.is_some(), k == Appointments),
            ("no_show", self.no_show.is_some(), k == Appointments),
            ("punctuality", self.punctuality.is_some(), k == Appointments),
            ("at", self.at.is_some(), k == Batch),
            ("count", self.count.is_some(), k == Batch),
        ]
        .into_iter()
        .filter(|(_, set, _)| *set)
        .map(|(name, _, ok)| (name, ok))
        .collect()
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
    /// The step's part in the workflow, for the digital levers.
    #[serde(default)]
    pub role: Option<Role>,
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

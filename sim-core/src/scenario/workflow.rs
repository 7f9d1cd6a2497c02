//! `[workflow]` and `[[variants]]` as written: each digital lever's parameters, who adopts
//! the digital workflow, and the named overlays that switch levers on.

use crate::distribution::DistSpec;
use crate::scenario::RatePiece;
use serde::Deserialize;
use std::collections::BTreeMap;

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
    /// Resource overlays.
    #[serde(default)]
    pub resources: Vec<toml::Table>,
    /// Arrival-stream overlays.
    #[serde(default)]
    pub arrivals: Vec<toml::Table>,
    /// Class overlays.
    #[serde(default)]
    pub classes: Vec<toml::Table>,
    /// Pathway overlays: steps merged by id (changed, added, or `remove = true`).
    #[serde(default)]
    pub pathways: Vec<toml::Table>,
    /// Workflow parameter overlays.
    #[serde(default)]
    pub workflow: Option<toml::Table>,
    /// Calendar overlays, key by key (e.g. another `end_of_day` rule).
    #[serde(default)]
    pub calendar: Option<toml::Table>,
}

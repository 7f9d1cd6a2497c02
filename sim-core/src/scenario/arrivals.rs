//! `[[arrivals]]` as written: one flat table per stream, whose `kind` selects the keys that
//! apply.

use crate::distribution::DistSpec;
use crate::scenario::units::{ClockTime, Duration, Rate};
use serde::Deserialize;

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
    /// `appointments`: the no-show probability of some classes, by class id (the others keep
    /// `no_show`).
    #[serde(default)]
    pub no_show_by_class: Option<std::collections::BTreeMap<String, f64>>,
    /// `appointments`: arrival time relative to the slot (negative is early); default on time.
    #[serde(default)]
    pub punctuality: Option<DistSpec>,
    /// `appointments`: what happens to patients who come later than a limit after their slot.
    #[serde(default)]
    pub late: Option<LateSpec>,
    /// `appointments`, with a `[calendar]`: the no-show probability on these weekdays
    /// (replacing `no_show`; a class's own `no_show_by_class` still wins).
    #[serde(default)]
    pub no_show_by_weekday: Option<std::collections::BTreeMap<super::Weekday, f64>>,
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
            (
                "no_show_by_class",
                self.no_show_by_class.is_some(),
                k == Appointments,
            ),
            ("punctuality", self.punctuality.is_some(), k == Appointments),
            ("late", self.late.is_some(), k == Appointments),
            (
                "no_show_by_weekday",
                self.no_show_by_weekday.is_some(),
                k == Appointments,
            ),
            ("at", self.at.is_some(), k == Batch),
            ("count", self.count.is_some(), k == Batch),
        ]
        .into_iter()
        .filter(|(_, set, _)| *set)
        .map(|(name, _, ok)| (name, ok))
        .collect()
    }
}

/// `late = { after = "15min", then = "walk_in" }`: the lateness rule of an appointment stream.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LateSpec {
    /// Patients who come more than this after their slot are late.
    pub after: Duration,
    /// What happens to them.
    pub then: LateRule,
}

/// What happens to a booked patient who comes late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LateRule {
    /// Seen as a walk-in: at steps called by appointment, by the time they joined the queue.
    WalkIn,
    /// Seen at the end of their session: at steps called by appointment, as if booked at the
    /// session's end.
    EndOfSession,
    /// Not seen today: told to book again (counted as `rebooked`, not as an arrival).
    Rebook,
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
    /// With a `[calendar]`: the weekdays this piece applies to (default every open day).
    #[serde(default)]
    pub days: Option<Vec<super::Weekday>>,
}

/// An appointment session.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// First slot starts here.
    pub from: ClockTime,
    /// No slot starts at or after this.
    pub to: ClockTime,
    /// With a `[calendar]`: the weekdays this session is held (default every open day).
    #[serde(default)]
    pub days: Option<Vec<super::Weekday>>,
}

//! `[[targets]]`: service levels in the board's terms, e.g. "time in system within 120 min for
//! 90% of patients" or "wait at registration within 15 min for 95% of adults".

use super::units::Duration;
use serde::Deserialize;

/// One service-level target as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    /// Identifier (used in results).
    pub id: String,
    /// Display name (default: a sentence built from the target).
    #[serde(default)]
    pub name: Option<String>,
    /// What is measured.
    pub metric: TargetMetric,
    /// The station (for `metric = "wait"`).
    #[serde(default)]
    pub station: Option<String>,
    /// Only patients of this class (default: every class).
    #[serde(default)]
    pub class: Option<String>,
    /// The limit: a patient meets the target when the measure is at most this.
    pub within: Duration,
    /// The share of patients that must meet it (0–1).
    pub share: f64,
}

/// What a target measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetMetric {
    /// Minutes from arrival to leaving.
    TimeInSystem,
    /// Minutes waiting in the queue of one station.
    Wait,
}

//! `[[targets]]`: each target's station and class must exist, its limit be a positive
//! duration the clock can hold, and its share lie in (0, 1].

use super::Builder;
use super::bounds::MAX_DURATION_MIN;
use crate::model::{Class, Station, Target, TargetKind, Targets};
use crate::scenario::{TargetMetric, TargetSpec};
use std::collections::BTreeMap;

/// Most targets in one scenario.
pub const MAX_TARGETS: usize = 1_000;

impl Builder {
    /// Compiles the targets.
    pub(crate) fn targets(
        &mut self,
        specs: &[TargetSpec],
        station_ix: &BTreeMap<&str, usize>,
        stations: &[Station],
        classes: &[Class],
    ) -> Targets {
        self.dup_check("targets", specs.iter().map(|t| t.id.as_str()));
        if specs.len() > MAX_TARGETS {
            self.err(
                "targets".into(),
                format!(
                    "{} targets is more than the limit of {MAX_TARGETS}",
                    specs.len()
                ),
            );
            return Targets::default();
        }
        let mut list = Vec::new();
        for t in specs {
            let at = format!("targets.{}", t.id);
            let kind = match (t.metric, &t.station) {
                (TargetMetric::TimeInSystem, None) => Some(TargetKind::TimeInSystem),
                (TargetMetric::TimeInSystem, Some(_)) => {
                    self.err(
                        format!("{at}.station"),
                        "`station` applies to metric = \"wait\" only (time in system is the whole visit)".into(),
                    );
                    None
                }
                (TargetMetric::Wait, None) => {
                    self.err(
                        format!("{at}.station"),
                        "metric = \"wait\" needs `station`, the station whose queue is measured"
                            .into(),
                    );
                    None
                }
                (TargetMetric::Wait, Some(s)) => match station_ix.get(s.as_str()) {
                    Some(&i) => Some(TargetKind::Wait { station: i as u32 }),
                    None => {
                        let known: Vec<&str> = station_ix.keys().copied().collect();
                        self.err(
                            format!("{at}.station"),
                            format!(
                                "no station is called {s:?} (stations: {})",
                                known.join(", ")
                            ),
                        );
                        None
                    }
                },
            };
            let class = match &t.class {
                None => Some(None),
                Some(c) => match classes.iter().position(|k| &k.id == c) {
                    Some(i) => Some(Some(i as u32)),
                    None => {
                        let known: Vec<&str> = classes.iter().map(|k| k.id.as_str()).collect();
                        self.err(
                            format!("{at}.class"),
                            format!("no class is called {c:?} (classes: {})", known.join(", ")),
                        );
                        None
                    }
                },
            };
            let within = t.within.minutes();
            if !(within > 0.0 && within <= MAX_DURATION_MIN) {
                self.err(
                    format!("{at}.within"),
                    format!(
                        "must be greater than zero and at most {MAX_DURATION_MIN:e} min (got {within} min)"
                    ),
                );
            }
            if !(t.share > 0.0 && t.share <= 1.0) {
                self.err(
                    format!("{at}.share"),
                    format!(
                        "must be a share greater than 0 and at most 1, e.g. 0.9 for 90% of patients (got {})",
                        t.share
                    ),
                );
            }
            let (Some(kind), Some(class)) = (kind, class) else {
                continue;
            };
            let name = t.name.clone().unwrap_or_else(|| {
                let who = class.map_or("patients".to_string(), |c| {
                    format!("{} patients", classes[c as usize].name)
                });
                let what = match kind {
                    TargetKind::TimeInSystem => "time in system".to_string(),
                    TargetKind::Wait { station } => {
                        format!("wait at {}", stations[station as usize].name)
                    }
                };
                format!(
                    "{what} within {} min for {}% of {who}",
                    crate::scenario::units::format_number(within),
                    crate::scenario::units::format_number(100.0 * t.share)
                )
            });
            list.push(Target {
                id: t.id.clone(),
                name,
                kind,
                class,
                within,
                share: t.share,
            });
        }
        Targets::new(list, stations.len())
    }
}

//! Leaving a queue early, compiled: each station's patience and balking by queue length for
//! each class (`patience`, `patience_by_class`, `balking`, `balking_by_class`, and classes
//! that never leave).
//!
//! Both are resolved after the classes are compiled, because a class's own setting (`leaves =
//! false`) and a station's `*_by_class` tables name classes.

use super::Builder;
use crate::distribution::Dist;
use crate::model::{Class, Station};
use crate::scenario::{PatienceSpec, StationSpec};

/// Longest balking list accepted (entries beyond a realistic queue length change nothing).
const MAX_BALKING: usize = 10_000;

impl Builder {
    /// Checks a balking list (at `at`) and returns it.
    pub(crate) fn balking(&mut self, at: &str, list: &[f64]) -> Vec<f64> {
        if list.is_empty() {
            self.err(
                at.to_string(),
                "give at least one probability (the chance of balking on finding 0 waiting, then 1, …)".into(),
            );
            return Vec::new();
        }
        if list.len() > MAX_BALKING {
            self.err(
                at.to_string(),
                format!("at most {MAX_BALKING} entries (got {})", list.len()),
            );
            return Vec::new();
        }
        for (n, &p) in list.iter().enumerate() {
            if !(0.0..=1.0).contains(&p) {
                self.err(
                    format!("{at}[{n}]"),
                    format!("a probability must be between 0 and 1 (got {p})"),
                );
            }
        }
        list.to_vec()
    }

    /// Fills in every station's patience and balking by class: the class's entry in
    /// `patience_by_class` (`balking_by_class`), else the station's `patience` (`balking`);
    /// none for classes with `leaves = false`.
    pub(crate) fn leaving(
        &mut self,
        specs: &[StationSpec],
        stations: &mut [Station],
        classes: &[Class],
    ) {
        for (spec, station) in specs.iter().zip(stations.iter_mut()) {
            let at = format!("stations.{}", spec.id);
            let base = spec
                .patience
                .as_ref()
                .map(|p| self.patience_dist(format!("{at}.patience"), p));
            let mut by: Vec<Option<Dist>> = classes
                .iter()
                .map(|c| if c.leaves { base.clone() } else { None })
                .collect();
            for (id, p) in &spec.patience_by_class {
                let pat = format!("{at}.patience_by_class.{id}");
                let Some(c) = self.class_named(&pat, id, classes) else {
                    continue;
                };
                let d = match p {
                    PatienceSpec::Never => None,
                    PatienceSpec::Dist(d) => Some(self.patience_dist(pat.clone(), d)),
                };
                if d.is_some() && !classes[c].leaves {
                    self.err(
                        pat,
                        format!("class {id:?} has `leaves = false`, so it never reneges: remove this entry or the class's setting"),
                    );
                    continue;
                }
                by[c] = d;
            }
            station.patience = if by.iter().any(Option::is_some) {
                by
            } else {
                Vec::new()
            };
            station.balking = self.balking_by_class(&at, spec, classes);
        }
    }

    /// Station `spec`'s balking list for each class (checked where `balking` is written, in
    /// `Builder::station`; the by-class lists here), or no lists when no class balks.
    fn balking_by_class(
        &mut self,
        at: &str,
        spec: &StationSpec,
        classes: &[Class],
    ) -> Vec<Vec<f64>> {
        let base = spec.balking.clone().unwrap_or_default();
        let mut by: Vec<Vec<f64>> = classes
            .iter()
            .map(|c| if c.leaves { base.clone() } else { Vec::new() })
            .collect();
        for (id, list) in &spec.balking_by_class {
            let bat = format!("{at}.balking_by_class.{id}");
            let Some(c) = self.class_named(&bat, id, classes) else {
                continue;
            };
            if list.is_empty() {
                // `[]`: this class never balks by choice here.
                by[c] = Vec::new();
                continue;
            }
            if !classes[c].leaves {
                self.err(
                    bat,
                    format!("class {id:?} has `leaves = false`, so it never balks by choice: remove this entry or the class's setting"),
                );
                continue;
            }
            by[c] = self.balking(&bat, list);
        }
        if by.iter().any(|b| !b.is_empty()) {
            by
        } else {
            Vec::new()
        }
    }

    /// The index of class `id`, or a problem at `at` naming the classes there are.
    fn class_named(&mut self, at: &str, id: &str, classes: &[Class]) -> Option<usize> {
        let found = classes.iter().position(|c| c.id == id);
        if found.is_none() {
            let known: Vec<&str> = classes.iter().map(|c| c.id.as_str()).collect();
            self.err(
                at.to_string(),
                format!("no class is called {id:?} (classes: {})", known.join(", ")),
            );
        }
        found
    }

    /// A patience distribution (non-negative, positive mean).
    fn patience_dist(&mut self, at: String, spec: &crate::distribution::DistSpec) -> Dist {
        let d = self.dist(at.clone(), spec, true);
        if d.mean() <= 0.0 {
            self.err(at, "patience must have a positive mean".into());
        }
        d
    }
}

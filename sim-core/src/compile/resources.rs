//! `[[resources]]` and the stations' `requires`: pools compiled to staffing timelines like a
//! station's servers, each station's needs resolved to indices, and the checks that make a
//! shared pool safe to run (every need exists, fits the pool and is on duty together with the
//! rest of its station's needs at some time).

use super::Builder;
use crate::model::resource::{could_serve, on_duty_at};
use crate::model::{MAX_SERVERS, Need, Resource, StaffChange};
use crate::scenario::{Choose, ResourceSpec, StationSpec};
use std::collections::BTreeMap;

/// `Need::resource` of a need naming no declared resource (only while problems are found).
const UNKNOWN: u32 = u32::MAX;

impl Builder {
    /// Compiles every resource (their `users` are filled in by [`Builder::link_users`]).
    pub(crate) fn resources(&mut self, specs: &[ResourceSpec]) -> Vec<Resource> {
        self.dup_check("resources", specs.iter().map(|r| r.id.as_str()));
        specs
            .iter()
            .map(|r| {
                let at = format!("resources.{}", r.id);
                let (initial, changes, max_units) =
                    self.staffing_of(&at, "capacity", &r.capacity, r.overtime);
                if let Some(c) = r.cost_per_hour
                    && !(c.is_finite() && c >= 0.0)
                {
                    self.err(
                        format!("{at}.cost_per_hour"),
                        format!(
                            "a cost per hour must be a finite number of zero or more (got {c})"
                        ),
                    );
                }
                Resource {
                    id: r.id.clone(),
                    name: r.name.clone().unwrap_or_else(|| r.id.clone()),
                    initial,
                    changes,
                    max_units,
                    cost_per_hour: r.cost_per_hour,
                    users: Vec::new(),
                    shift_end: r.shift_end,
                }
            })
            .collect()
    }

    /// The needs of station `s` (at `at`), resolved against `resources`. Returns the needs,
    /// how a service picks among alternatives (when `requires` has a `one_of`), and the
    /// station's capacity timeline: the services it could run at once with every unit to
    /// itself (initial, changes, most ever).
    pub(crate) fn needs(
        &mut self,
        at: &str,
        s: &StationSpec,
        resources: &[Resource],
    ) -> (Vec<Need>, Option<Choose>, u32, Vec<StaffChange>, u32) {
        let index: BTreeMap<&str, usize> = resources
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let mut needs: Vec<Need> = Vec::new();
        let mut choose = None;
        let mut ok = true;
        for (i, spec) in s.requires.iter().enumerate() {
            let nat = format!("{at}.requires[{i}]");
            let count = spec.count;
            if spec.choose.is_some() {
                if choose.is_some() {
                    self.err(
                        nat,
                        "only one entry of `requires` may offer alternatives (`one_of`)".into(),
                    );
                    ok = false;
                    continue;
                }
                choose = spec.choose;
            }
            let alternatives = spec.choose.is_some();
            if alternatives && spec.resources.len() > usize::from(u8::MAX) {
                self.err(nat, format!("at most {} alternatives are allowed", u8::MAX));
                ok = false;
                // A stand-in, as for an unknown resource: the station still counts as one of
                // shared resources, so this is its only problem.
                needs.push(Need {
                    resource: UNKNOWN,
                    count,
                    user: 0,
                    alt: 0,
                });
                continue;
            }
            for (k, resource) in spec.resources.iter().enumerate() {
                let Some(&r) = index.get(resource.as_str()) else {
                    let known: Vec<&str> = resources.iter().map(|r| r.id.as_str()).collect();
                    self.err(
                        nat.clone(),
                        if known.is_empty() {
                            format!("no resource is called {resource:?}: the scenario declares no [[resources]]")
                        } else {
                            format!("no resource is called {resource:?} (declared: {})", known.join(", "))
                        },
                    );
                    ok = false;
                    // A stand-in, so the station still counts as one of shared resources (and
                    // gets no second problem for having no servers); the model is not built.
                    needs.push(Need {
                        resource: UNKNOWN,
                        count,
                        user: 0,
                        alt: 0,
                    });
                    continue;
                };
                if needs.iter().any(|n| n.resource == r as u32) {
                    self.err(
                        nat.clone(),
                        if alternatives {
                            format!("resource {resource:?} is required twice (a station needs it, or lists it as an alternative, once)")
                        } else {
                            format!("resource {resource:?} is required twice; give one entry with a count")
                        },
                    );
                    ok = false;
                    continue;
                }
                let pool = &resources[r];
                if count == 0 {
                    self.err(nat.clone(), "a count must be at least 1".into());
                    ok = false;
                } else if count > pool.max_units {
                    self.err(
                        nat.clone(),
                        format!(
                            "needs {count} of {resource:?} for each service, but at most {} are ever on duty, so {}",
                            pool.max_units,
                            if alternatives { "this alternative could never be chosen" } else { "no service could start" }
                        ),
                    );
                    ok = false;
                }
                needs.push(Need {
                    resource: r as u32,
                    count: count.max(1),
                    user: 0,
                    alt: if alternatives { k as u8 + 1 } else { 0 },
                });
            }
        }
        if !ok || needs.is_empty() {
            return (needs, choose, 0, Vec::new(), 0);
        }
        let (initial, mut changes) = capacity_timeline(&needs, resources);
        // A station of shared pools closes for the day when they do (its pools' overtime is
        // their own, so none here).
        super::calendar::mark_closings(&mut changes, initial, self.calendar.as_ref(), false);
        let max = changes.iter().map(|c| c.count).fold(initial, u32::max);
        if max == 0 {
            let names: Vec<String> = needs
                .iter()
                .map(|n| format!("{} × {:?}", n.count, resources[n.resource as usize].id))
                .collect();
            self.err(
                format!("{at}.requires"),
                format!(
                    "the required resources ({}) are never on duty at the same time, so no service could start",
                    names.join(if choose.is_some() { "; one of the alternatives; " } else { ", " })
                ),
            );
        }
        (needs, choose, initial, changes, max)
    }

    /// Records which stations use each resource (and each need's place among them); warns of
    /// resources nobody requires.
    pub(crate) fn link_users(&mut self, resources: &mut [Resource], needs: &mut [Vec<Need>]) {
        for (s, station_needs) in needs.iter_mut().enumerate() {
            for n in station_needs.iter_mut().filter(|n| n.resource != UNKNOWN) {
                let users = &mut resources[n.resource as usize].users;
                n.user = users.len() as u32;
                users.push(s as u32);
            }
        }
        for r in resources.iter() {
            if r.users.is_empty() {
                self.warnings.push(format!(
                    "resources.{}: no station requires it, so it is never used",
                    r.id
                ));
            }
        }
    }
}

/// The services a station with `needs` could run at once, over time, if it had every unit to
/// itself (at time zero and at every change): see [`could_serve`].
pub(crate) fn capacity_timeline(needs: &[Need], resources: &[Resource]) -> (u32, Vec<StaffChange>) {
    let at = |t: f64| {
        could_serve(needs, |n| {
            let r = &resources[n.resource as usize];
            on_duty_at(r.initial, &r.changes, t)
        })
    };
    let mut times: Vec<f64> = needs
        .iter()
        .flat_map(|n| resources[n.resource as usize].changes.iter().map(|c| c.at))
        .collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    let initial = at(f64::NEG_INFINITY);
    let mut changes: Vec<StaffChange> = Vec::new();
    let mut current = initial;
    for t in times {
        let count = at(t);
        if count != current {
            changes.push(StaffChange::new(t, count));
            current = count;
        }
    }
    debug_assert!(changes.iter().all(|c| c.count <= MAX_SERVERS));
    (initial, changes)
}

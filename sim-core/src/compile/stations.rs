//! `[[stations]]`: staffing (constant or by shifts, merged into staffing changes), service and
//! patience distributions, queue discipline and capacity.

use super::Builder;
use super::calendar::{check_days, expand, mark_closings};
use crate::model::calendar::DAY;
use crate::model::{MAX_SERVERS, Need, Resource, StaffChange, Station};
use crate::scenario::units::format_clock;
use crate::scenario::{Servers, StationSpec};

impl Builder {
    /// Compiles every station (ids checked once for the list).
    /// Compiles every station (ids checked once for the list), resolving the shared
    /// resources they require and recording them as the resources' users.
    pub(crate) fn stations(
        &mut self,
        specs: &[StationSpec],
        resources: &mut [Resource],
    ) -> Vec<Station> {
        self.dup_check("stations", specs.iter().map(|s| s.id.as_str()));
        if specs.is_empty() {
            self.err("stations".into(), "no stations are defined".into());
        }
        let mut stations: Vec<Station> = specs.iter().map(|s| self.station(s, resources)).collect();
        let mut needs: Vec<Vec<Need>> = stations
            .iter_mut()
            .map(|s| std::mem::take(&mut s.requires))
            .collect();
        self.link_users(resources, &mut needs);
        for (s, n) in stations.iter_mut().zip(needs) {
            s.requires = n;
        }
        stations
    }

    fn station(&mut self, s: &StationSpec, resources: &[Resource]) -> Station {
        let at = format!("stations.{}", s.id);
        let mut choose = None;
        let (initial, changes, max_servers, requires) = match (&s.servers, s.requires.is_empty()) {
            (Some(servers), true) => {
                let (i, c, m) = self.staffing(&at, servers, s.overtime);
                (i, c, m, Vec::new())
            }
            (None, false) => {
                let (needs, how, i, c, m) = self.needs(&at, s, resources);
                choose = how;
                (i, c, m, needs)
            }
            (Some(servers), false) => {
                self.err(
                    format!("{at}.requires"),
                    "give either `servers` (staff of the station's own) or `requires` (shared resources), not both".into(),
                );
                let (i, c, m) = self.staffing(&at, servers, s.overtime);
                (i, c, m, Vec::new())
            }
            (None, true) => {
                self.err(
                    at.clone(),
                    "needs `servers` (staff of its own) or `requires` (shared resources from [[resources]])".into(),
                );
                // A stand-in server, so this is the station's only problem (no model is built).
                (1, Vec::new(), 1, Vec::new())
            }
        };
        // `"none"` is the same as no key (a variant's way of switching preemption off).
        let preemption = s
            .preemption
            .filter(|p| *p != crate::scenario::Preemption::None);
        if preemption.is_some() && s.discipline != crate::scenario::Discipline::Priority {
            self.err(
                format!("{at}.preemption"),
                "preemption needs `discipline = \"priority\"`: it is a higher class interrupting a lower one".into(),
            );
        }
        if s.shift_end != crate::scenario::ShiftEnd::Finish && !s.requires.is_empty() {
            self.err(
                format!("{at}.shift_end"),
                "a station of shared resources follows its resources' shifts: set `shift_end` on the [[resources]] instead".into(),
            );
        }
        if s.priority != 0 && s.requires.is_empty() {
            self.warnings.push(format!(
                "stations.{}: `priority` only ranks stations that compete for shared resources, and this one requires none",
                s.id
            ));
        }
        let service = self.dist(format!("{at}.service"), &s.service, true);
        if let Some(b) = &s.balking {
            self.balking(&format!("{at}.balking"), b);
        }
        if !s.overtime
            && s.requires.is_empty()
            && self
                .calendar
                .as_ref()
                .is_some_and(|c| c.end_of_day == crate::scenario::EndOfDay::Overtime)
            && !changes.is_empty()
        {
            self.warnings.push(format!(
                "stations.{}: overtime is off, so patients still waiting when a day's last shift ends wait for the station's next shift",
                s.id
            ));
        } else if !s.overtime
            && s.requires.is_empty()
            && self.calendar.is_none()
            && let Some(last) = changes.last()
        {
            self.warnings.push(format!(
                "stations.{}: overtime is off, so patients still waiting when the last shift ends at {} are never served (they count as unfinished)",
                s.id,
                format_clock(last.at)
            ));
        }
        Station {
            id: s.id.clone(),
            name: s.name.clone().unwrap_or_else(|| s.id.clone()),
            initial_servers: initial,
            changes,
            discipline: s.discipline,
            capacity: s.capacity.unwrap_or(u32::MAX),
            // By class, once the classes are known (`Builder::leaving`).
            patience: Vec::new(),
            balking: Vec::new(),
            service,
            max_servers,
            requires,
            choose,
            priority: s.priority,
            shift_end: s.shift_end,
            preemption,
            // Set once the pathways are known (`Builder::build`).
            by_appointment: false,
        }
    }

    /// Returns (initial servers, later changes, max servers); with `overtime`, the servers
    /// of each day's last shift (or the last shift's) keep working while patients wait.
    pub(crate) fn staffing(
        &mut self,
        at: &str,
        servers: &Servers,
        overtime: bool,
    ) -> (u32, Vec<StaffChange>, u32) {
        self.staffing_of(at, "servers", servers, overtime)
    }

    /// [`Builder::staffing`] of the key `key` (`servers`, or a resource's `capacity`).
    pub(crate) fn staffing_of(
        &mut self,
        at: &str,
        key: &str,
        servers: &Servers,
        overtime: bool,
    ) -> (u32, Vec<StaffChange>, u32) {
        let noun = if key == "servers" { "servers" } else { "units" };
        match servers {
            Servers::Constant(n) => {
                if *n > MAX_SERVERS {
                    self.err(
                        format!("{at}.{key}"),
                        format!("{n} {noun} is more than the limit of {MAX_SERVERS}"),
                    );
                }
                (*n, Vec::new(), *n)
            }
            Servers::Schedule(shifts) => {
                if shifts.is_empty() {
                    self.err(format!("{at}.{key}"), "the schedule has no shifts".into());
                    return (0, Vec::new(), 0);
                }
                let calendar = self.calendar.take();
                let mut max = 0;
                for (i, s) in shifts.iter().enumerate() {
                    let sat = format!("{at}.{key}[{i}]");
                    if s.to.0 <= s.from.0 {
                        self.err(
                            sat.clone(),
                            format!(
                                "shift {}–{} ends before it starts",
                                format_clock(s.from.0),
                                format_clock(s.to.0)
                            ),
                        );
                    }
                    if calendar.is_some() && s.to.0 > DAY {
                        self.err(
                            sat.clone(),
                            format!(
                                "with a [calendar], a shift is a time of day: it must end by 24:00 (got {})",
                                format_clock(s.to.0)
                            ),
                        );
                    }
                    check_days(self, &sat, s.days.as_deref(), calendar.is_some());
                    if s.count > MAX_SERVERS {
                        self.err(
                            sat,
                            format!("{} {noun} is more than the limit of {MAX_SERVERS}", s.count),
                        );
                    }
                    max = max.max(s.count);
                }
                // The shifts as worked: once as written, or on every open day they apply to
                // (in time order within a day, see `expand`).
                let worked: Vec<(f64, usize)> = match &calendar {
                    None => (0..shifts.len()).map(|i| (0.0, i)).collect(),
                    Some(c) => expand(c, shifts, |s| s.days.as_deref(), |s| s.from.0)
                        .into_iter()
                        .map(|(day, i)| (day.start(), i))
                        .collect(),
                };
                let mut changes: Vec<StaffChange> = Vec::new();
                let mut prev_end = f64::NEG_INFINITY;
                let mut misordered = vec![false; shifts.len()];
                for &(offset, i) in &worked {
                    let s = &shifts[i];
                    let (from, to) = (offset + s.from.0, offset + s.to.0);
                    if from < prev_end && !misordered[i] {
                        misordered[i] = true;
                        self.err(
                            format!("{at}.{key}[{i}]"),
                            if calendar.is_some() {
                                "shifts worked on the same day must not overlap".into()
                            } else {
                                "shifts must be in time order and must not overlap".into()
                            },
                        );
                    }
                    changes.push(StaffChange::new(from, s.count));
                    changes.push(StaffChange::new(to, 0));
                    prev_end = to;
                }
                self.calendar = calendar;
                // Back-to-back shifts: the later entry at the same instant wins, so there is no gap.
                let mut merged: Vec<StaffChange> = Vec::new();
                for c in changes {
                    match merged.last_mut() {
                        Some(last) if last.at == c.at => last.count = c.count,
                        _ => merged.push(c),
                    }
                }
                let initial = if merged.first().is_some_and(|c| c.at <= 0.0) {
                    merged.remove(0).count
                } else {
                    0
                };
                mark_closings(&mut merged, initial, self.calendar.as_ref(), overtime);
                (initial, merged, max)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{MM1, problems_of, warnings_of};
    use crate::Model;

    fn with_servers(servers: &str) -> String {
        MM1.replace("servers = 1", &format!("servers = {servers}"))
    }

    #[test]
    fn back_to_back_shifts_merge_without_a_gap() {
        let m = Model::from_toml(&with_servers(
            r#"[{ from = "00:00", to = "08:00", count = 1 }, { from = "08:00", to = "12:00", count = 3 }]"#,
        ))
        .unwrap();
        let s = &m.stations[0];
        assert_eq!(
            (
                s.initial_servers,
                s.max_servers,
                s.changes.last().map(|c| c.overtime)
            ),
            (1, 3, Some(3))
        );
        let changes: Vec<(f64, u32)> = s.changes.iter().map(|c| (c.at, c.count)).collect();
        assert_eq!(changes, [(480.0, 3), (720.0, 0)]);
    }

    #[test]
    fn shifts_out_of_order_or_backwards_are_refused() {
        assert_eq!(
            problems_of(&with_servers(
                r#"[{ from = "09:00", to = "08:00", count = 1 }, { from = "07:00", to = "10:00", count = 200000 }]"#
            )),
            [
                "stations.desk.servers[0]: shift 09:00–08:00 ends before it starts",
                "stations.desk.servers[1]: 200000 servers is more than the limit of 100000",
                "stations.desk.servers[1]: shifts must be in time order and must not overlap",
            ]
        );
        assert_eq!(
            problems_of(&with_servers("[]")),
            [
                "stations.desk.servers: the schedule has no shifts",
                "pathways.visit.steps.desk: visits station \"desk\", which never has any servers, so patients would never leave",
            ]
        );
    }

    #[test]
    fn overtime_off_warns_about_patients_left_waiting() {
        let text = with_servers(r#"[{ from = "00:00", to = "12:00", count = 1 }]"#).replace(
            "service = {",
            "overtime = false
service = {",
        );
        assert_eq!(
            warnings_of(&text),
            [
                "stations.desk: overtime is off, so patients still waiting when the last shift ends at 12:00 are never served (they count as unfinished)"
            ]
        );
    }
}

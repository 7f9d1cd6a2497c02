//! `[[pathways]]`: each pathway's steps compiled to global step indices, its branches to
//! routing tables, and a petgraph graph proving that every patient can finish it.
//!
//! A pathway is a directed graph whose nodes are steps plus a virtual `exit`. For every patient
//! class the checks are: every step is reachable from the start (for some class), every branch's
//! probabilities sum to one within 1e-9, and every step a class can reach can also reach the
//! exit. The last rules out loops without an exit probability: a set of steps that feeds only
//! itself is reported by name.

use super::Builder;
use crate::distribution::Dist;
use crate::error::Problem;
use crate::model::{
    Class, EXIT, MAX_STEPS, Pathway, ROUTED, RouteTable, Station, Step, StepKeys, StepKind,
};
use crate::rng::name_hash;
use crate::scenario::{Branch, PathwaySpec, Role, StepSpec};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, EdgeRef, Reversed};
use std::collections::BTreeMap;

/// Every pathway, compiled.
pub(crate) struct Paths {
    /// Pathways (start `EXIT` for one that did not compile).
    pub pathways: Vec<Pathway>,
    /// All steps, global indices.
    pub steps: Vec<Step>,
    /// Routing tables the steps refer to.
    pub routes: Vec<RouteTable>,
}

/// For each class, where a patient goes after one step: (target, probability) after
/// resolution.
type ClassBranches = Vec<Vec<(u32, f64)>>;

impl Builder {
    /// Compiles every pathway, then checks that no step visits a station nobody staffs.
    pub(crate) fn pathways(
        &mut self,
        specs: &[PathwaySpec],
        station_ix: &BTreeMap<&str, usize>,
        stations: &[Station],
        classes: &[Class],
    ) -> Paths {
        self.dup_check("pathways", specs.iter().map(|p| p.id.as_str()));
        let mut paths = Paths {
            pathways: Vec::new(),
            steps: Vec::new(),
            routes: Vec::new(),
        };
        for (pi, p) in specs.iter().enumerate() {
            let at = format!("pathways.{}", p.id);
            let compiled = check_pathway(
                p,
                pi as u32,
                paths.steps.len() as u32,
                &at,
                station_ix,
                stations,
                classes,
                &mut paths.routes,
            );
            let start = match compiled {
                Ok((start, mut s)) => {
                    paths.steps.append(&mut s);
                    start
                }
                Err(mut probs) => {
                    self.problems.append(&mut probs);
                    EXIT
                }
            };
            paths.pathways.push(Pathway {
                id: p.id.clone(),
                start,
            });
        }
        if specs.is_empty() {
            self.err("pathways".into(), "no pathways are defined".into());
        }
        // A visited station with nobody ever on duty would hold its patients forever.
        for st in &paths.steps {
            if let StepKind::Visit { station, .. } = st.kind {
                let s = &stations[station as usize];
                // (A station of shared resources that never meet has its own problem.)
                if s.max_servers == 0 && s.requires.is_empty() {
                    self.err(format!("pathways.{}.steps.{}", specs[st.pathway as usize].id, st.id), format!("visits station {:?}, which never has any servers, so patients would never leave", s.id));
                }
            }
        }
        paths
    }
}

/// Compiles one pathway. Steps get global indices starting at `offset`; routing tables are
/// appended to `routes`. Returns the start step and the steps, or every problem found.
#[allow(clippy::too_many_arguments)]
pub fn check_pathway(
    p: &PathwaySpec,
    pathway: u32,
    offset: u32,
    at: &str,
    station_ix: &BTreeMap<&str, usize>,
    stations: &[Station],
    classes: &[Class],
    routes: &mut Vec<RouteTable>,
) -> Result<(u32, Vec<Step>), Vec<Problem>> {
    let mut problems: Vec<Problem> = Vec::new();
    if p.steps.is_empty() {
        problems.push(Problem::new(
            format!("{at}.steps"),
            "the pathway has no steps".into(),
        ));
        return Err(problems);
    }
    if p.steps.len() > MAX_STEPS {
        problems.push(Problem::new(
            format!("{at}.steps"),
            format!(
                "{} steps is more than the limit of {MAX_STEPS}",
                p.steps.len()
            ),
        ));
        return Err(problems);
    }
    let local = step_ids(p, at, &mut problems);
    let class_ix: BTreeMap<&str, usize> = classes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let resolve = |to: &str| -> Option<u32> {
        if to == "exit" {
            Some(EXIT)
        } else {
            local.get(to).map(|&i| i + offset)
        }
    };
    let mut steps = Vec::new();
    let mut per_class: Vec<ClassBranches> = Vec::new();
    for s in &p.steps {
        let sat = format!("{at}.steps.{}", s.id);
        let kind = step_kind(s, &sat, station_ix, stations, &mut problems);
        per_class.push(step_branches(
            s,
            &sat,
            &resolve,
            &class_ix,
            classes,
            &mut problems,
        ));
        role_fits(s, &sat, &kind, &mut problems);
        steps.push(Step {
            id: s.id.clone(),
            pathway,
            kind,
            routes: Vec::new(),
            cyclic: false,
            keys: StepKeys::new(name_hash(&s.id)),
            fixed_next: ROUTED,
            role: s.role,
        });
    }
    let start = match &p.start {
        Some(sid) => match local.get(sid.as_str()) {
            Some(&i) => i,
            None => {
                problems.push(Problem::new(
                    format!("{at}.start"),
                    format!("no step is called {sid:?}"),
                ));
                0
            }
        },
        None => 0,
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    graph_checks(
        p,
        at,
        &per_class,
        start,
        offset,
        classes,
        &mut steps,
        &mut problems,
    );
    if !problems.is_empty() {
        return Err(problems);
    }
    route_tables(per_class, &mut steps, routes);
    Ok((start + offset, steps))
}

/// Step ids, local indices by id: none empty or `exit`, none twice.
fn step_ids<'a>(
    p: &'a PathwaySpec,
    at: &str,
    problems: &mut Vec<Problem>,
) -> BTreeMap<&'a str, u32> {
    let mut local: BTreeMap<&str, u32> = BTreeMap::new();
    for (i, s) in p.steps.iter().enumerate() {
        if s.id.is_empty() || s.id == "exit" {
            problems.push(Problem::new(
                format!("{at}.steps[{i}]"),
                format!("{:?} cannot be used as a step id", s.id),
            ));
        } else if local.insert(s.id.as_str(), i as u32).is_some() {
            problems.push(Problem::new(
                format!("{at}.steps.{}", s.id),
                format!("step id {:?} is used twice", s.id),
            ));
        }
    }
    local
}

/// What a step does: a visit to a station (with the step's service or the station's) or a
/// delay. A step in error becomes a zero delay so that checking can go on.
fn step_kind(
    s: &StepSpec,
    sat: &str,
    station_ix: &BTreeMap<&str, usize>,
    stations: &[Station],
    problems: &mut Vec<Problem>,
) -> StepKind {
    macro_rules! err {
        ($at:expr, $msg:expr) => {
            problems.push(Problem::new($at, $msg))
        };
    }
    match (&s.station, &s.delay) {
        (Some(st), None) => match station_ix.get(st.as_str()) {
            Some(&si) => {
                let service = match &s.service {
                    Some(spec) => Dist::compile(spec, true).unwrap_or_else(|m| {
                        err!(format!("{sat}.service"), m);
                        Dist::Det { value: 0.0 }
                    }),
                    None => stations[si].service.clone(),
                };
                StepKind::Visit {
                    station: si as u32,
                    service,
                    by_appointment: s.order == crate::scenario::QueueOrder::Appointment,
                }
            }
            None => {
                err!(
                    format!("{sat}.station"),
                    format!("no station is called {st:?}")
                );
                StepKind::Delay {
                    delay: Dist::Det { value: 0.0 },
                }
            }
        },
        (None, Some(d)) => {
            if s.order != crate::scenario::QueueOrder::Arrival {
                err!(
                    format!("{sat}.order"),
                    "a delay step has no queue to call patients from; `order` belongs on a station step".into()
                );
            }
            if s.service.is_some() {
                err!(
                    format!("{sat}.service"),
                    "a delay step has no service; its length is `delay`".into()
                );
            }
            StepKind::Delay {
                delay: Dist::compile(d, true).unwrap_or_else(|m| {
                    err!(format!("{sat}.delay"), m);
                    Dist::Det { value: 0.0 }
                }),
            }
        }
        (Some(_), Some(_)) => {
            err!(
                sat.to_string(),
                "a step has either `station` or `delay`, not both".into()
            );
            StepKind::Delay {
                delay: Dist::Det { value: 0.0 },
            }
        }
        (None, None) => {
            err!(
                sat.to_string(),
                "a step needs `station` (a queue) or `delay` (time without a server)".into()
            );
            StepKind::Delay {
                delay: Dist::Det { value: 0.0 },
            }
        }
    }
}

/// Where each class goes after a step: the step's `next` or `branches`, replaced for the
/// classes named in `class_branches`.
fn step_branches(
    s: &StepSpec,
    sat: &str,
    resolve: &dyn Fn(&str) -> Option<u32>,
    class_ix: &BTreeMap<&str, usize>,
    classes: &[Class],
    problems: &mut Vec<Problem>,
) -> ClassBranches {
    macro_rules! err {
        ($at:expr, $msg:expr) => {
            problems.push(Problem::new($at, $msg))
        };
    }
    let default: Option<Vec<(u32, f64)>> = match (&s.next, &s.branches) {
        (Some(n), None) => match resolve(n) {
            Some(t) => Some(vec![(t, 1.0)]),
            None => {
                err!(
                    format!("{sat}.next"),
                    format!("{n:?} is not a step of this pathway (or \"exit\")")
                );
                Some(Vec::new())
            }
        },
        (None, Some(list)) => Some(check_branches(
            problems,
            resolve,
            list,
            format!("{sat}.branches"),
        )),
        (Some(_), Some(_)) => {
            err!(
                sat.to_string(),
                "give either `next` or `branches`, not both".into()
            );
            Some(Vec::new())
        }
        (None, None) => None,
    };
    let mut lists = vec![default.clone(); classes.len()];
    for (cid, list) in &s.class_branches {
        match class_ix.get(cid.as_str()) {
            Some(&ci) => {
                lists[ci] = Some(check_branches(
                    problems,
                    resolve,
                    list,
                    format!("{sat}.class_branches.{cid}"),
                ))
            }
            None => err!(
                format!("{sat}.class_branches.{cid}"),
                format!("no class is called {cid:?}")
            ),
        }
    }
    let mut resolved = Vec::new();
    for (ci, l) in lists.into_iter().enumerate() {
        match l {
            Some(l) => resolved.push(l),
            None => {
                err!(
                    sat.to_string(),
                    format!(
                        "no `next` or `branches` says where class {:?} goes after this step (use next = \"exit\" to leave)",
                        classes[ci].id
                    )
                );
                resolved.push(Vec::new());
            }
        }
    }
    resolved
}

/// A role on a delay step: only report collection may be one (every lever either skips it or
/// leaves it alone; the others redirect or time a service).
fn role_fits(s: &StepSpec, sat: &str, kind: &StepKind, problems: &mut Vec<Problem>) {
    if let (Some(role), StepKind::Delay { .. }) = (s.role, kind)
        && role != Role::ReportCollection
    {
        problems.push(Problem::new(
            format!("{sat}.role"),
            format!(
                "role {} needs a station step (only report_collection may be a delay)",
                role.name()
            ),
        ));
    }
}

/// Graph checks, per class, on the edges with positive probability: a trap (steps that cannot
/// reach the exit) and unreachable steps are problems; steps on a cycle are marked `cyclic`.
#[allow(clippy::too_many_arguments)]
fn graph_checks(
    p: &PathwaySpec,
    at: &str,
    per_class: &[ClassBranches],
    start: u32,
    offset: u32,
    classes: &[Class],
    steps: &mut [Step],
    problems: &mut Vec<Problem>,
) {
    macro_rules! err {
        ($at:expr, $msg:expr) => {
            problems.push(Problem::new($at, $msg))
        };
    }
    let n = steps.len();
    let node = |t: u32| if t == EXIT { n } else { (t - offset) as usize };
    let mut reachable_any = vec![false; n];
    for (ci, class) in classes.iter().enumerate() {
        let mut g: DiGraph<(), ()> = DiGraph::new();
        let nodes: Vec<NodeIndex> = (0..=n).map(|_| g.add_node(())).collect();
        for (si, lists) in per_class.iter().enumerate() {
            for &(t, prob) in &lists[ci] {
                if prob > 0.0 {
                    g.update_edge(nodes[si], nodes[node(t)], ());
                }
            }
        }
        let mut from_start = vec![false; n + 1];
        let mut dfs = Dfs::new(&g, nodes[start as usize]);
        while let Some(x) = dfs.next(&g) {
            from_start[x.index()] = true;
        }
        let mut to_exit = vec![false; n + 1];
        let rev = Reversed(&g);
        let mut dfs = Dfs::new(rev, nodes[n]);
        while let Some(x) = dfs.next(rev) {
            to_exit[x.index()] = true;
        }
        let stuck: Vec<usize> = (0..n).filter(|&i| from_start[i] && !to_exit[i]).collect();
        if !stuck.is_empty() {
            // Name the trap: the stuck steps and where they lead.
            let names: Vec<String> = stuck
                .iter()
                .map(|&i| {
                    let succ: Vec<&str> = g
                        .edges(nodes[i])
                        .map(|e| p.steps[e.target().index()].id.as_str())
                        .collect();
                    format!("{} → {}", p.steps[i].id, succ.join(" | "))
                })
                .collect();
            let who = if classes.len() > 1 {
                format!(" for class {:?}", class.id)
            } else {
                String::new()
            };
            err!(
                format!("{at}.steps"),
                format!(
                    "patients{who} can enter a loop that never exits: {}",
                    names.join(", ")
                )
            );
        }
        for i in 0..n {
            reachable_any[i] |= from_start[i];
        }
        for scc in petgraph::algo::tarjan_scc(&g) {
            let looped = scc.len() > 1 || scc.iter().any(|&x| g.contains_edge(x, x));
            for x in scc {
                if looped && x.index() < n {
                    steps[x.index()].cyclic = true;
                }
            }
        }
    }
    for (i, r) in reachable_any.iter().enumerate() {
        if !r {
            err!(
                format!("{at}.steps.{}", p.steps[i].id),
                "no patient can reach this step from the start".into()
            );
        }
    }
}

/// Routing tables, shared between classes that route identically; a step whose every class
/// goes to one place gets it as `fixed_next`.
fn route_tables(per_class: Vec<ClassBranches>, steps: &mut [Step], routes: &mut Vec<RouteTable>) {
    for (si, lists) in per_class.into_iter().enumerate() {
        let mut by_list: Vec<(Vec<(u32, f64)>, u32)> = Vec::new();
        for list in lists {
            let idx = match by_list.iter().find(|(l, _)| *l == list) {
                Some((_, idx)) => *idx,
                None => {
                    let kept: Vec<(u32, f64)> =
                        list.iter().copied().filter(|(_, p)| *p > 0.0).collect();
                    let total: f64 = kept.iter().map(|(_, p)| p).sum();
                    let mut acc = 0.0;
                    let mut cumulative: Vec<f64> = kept
                        .iter()
                        .map(|(_, p)| {
                            acc += p;
                            acc / total
                        })
                        .collect();
                    if let Some(l) = cumulative.last_mut() {
                        *l = 1.0;
                    }
                    routes.push(RouteTable {
                        cumulative,
                        targets: kept.iter().map(|(t, _)| *t).collect(),
                    });
                    let idx = (routes.len() - 1) as u32;
                    by_list.push((list, idx));
                    idx
                }
            };
            steps[si].routes.push(idx);
        }
    }
    for step in steps.iter_mut() {
        let first = &routes[step.routes[0] as usize];
        if first.targets.len() == 1 && step.routes.iter().all(|&r| routes[r as usize] == *first) {
            step.fixed_next = first.targets[0];
        }
    }
}

fn check_branches(
    problems: &mut Vec<Problem>,
    resolve: &dyn Fn(&str) -> Option<u32>,
    list: &[Branch],
    at: String,
) -> Vec<(u32, f64)> {
    let mut out = Vec::new();
    let mut sum = 0.0;
    if list.is_empty() {
        problems.push(Problem::new(at.clone(), "the branch list is empty".into()));
    }
    for b in list {
        if !(b.p.is_finite() && (0.0..=1.0).contains(&b.p)) {
            problems.push(Problem::new(
                at.clone(),
                format!(
                    "branch to {:?} has probability {}, outside [0, 1]",
                    b.to, b.p
                ),
            ));
        }
        sum += b.p;
        match resolve(&b.to) {
            Some(t) => out.push((t, b.p)),
            None => problems.push(Problem::new(
                at.clone(),
                format!(
                    "branch target {:?} is not a step of this pathway (or \"exit\")",
                    b.to
                ),
            )),
        }
    }
    if !list.is_empty() && (sum - 1.0).abs() > 1e-9 {
        problems.push(Problem::new(
            at,
            format!("branch probabilities sum to {sum}, not 1"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{MM1, problems_of};
    use crate::Model;
    use crate::model::{EXIT, ROUTED};

    fn with_steps(steps: &str) -> String {
        MM1.replace(
            r#"steps = [{ id = "desk", station = "desk", next = "exit" }]"#,
            &format!("steps = {steps}"),
        )
    }

    #[test]
    fn a_single_next_is_fixed_and_a_loop_is_marked_cyclic() {
        let m = Model::from_toml(&with_steps(
            r#"[{ id = "desk", station = "desk", next = "check" }, { id = "check", station = "desk", branches = [{ to = "check", p = 0.25 }, { to = "exit", p = 0.75 }] }]"#,
        ))
        .unwrap();
        assert_eq!(m.steps[0].fixed_next, 1);
        assert!(!m.steps[0].cyclic);
        assert_eq!(m.steps[1].fixed_next, ROUTED);
        assert!(m.steps[1].cyclic);
        let table = &m.routes[m.steps[1].routes[0] as usize];
        assert_eq!(table.cumulative, [0.25, 1.0]);
        assert_eq!(table.targets, [1, EXIT]);
    }

    #[test]
    fn zero_probability_branches_are_left_out_of_the_table() {
        let m = Model::from_toml(&with_steps(
            r#"[{ id = "desk", station = "desk", branches = [{ to = "desk", p = 0.0 }, { to = "exit", p = 1.0 }] }]"#,
        ))
        .unwrap();
        assert_eq!(m.steps[0].fixed_next, EXIT);
        assert!(!m.steps[0].cyclic, "an edge of probability 0 is no loop");
    }

    #[test]
    fn a_trap_is_named_with_where_it_leads() {
        assert_eq!(
            problems_of(&with_steps(
                r#"[{ id = "desk", station = "desk", next = "a" }, { id = "a", station = "desk", next = "b" }, { id = "b", station = "desk", next = "a" }]"#
            )),
            [
                "pathways.visit.steps: patients can enter a loop that never exits: desk → a, a → b, b → a"
            ]
        );
    }

    #[test]
    fn a_step_nobody_reaches_is_refused() {
        assert_eq!(
            problems_of(&with_steps(
                r#"[{ id = "desk", station = "desk", next = "exit" }, { id = "lost", station = "desk", next = "exit" }]"#
            )),
            ["pathways.visit.steps.lost: no patient can reach this step from the start"]
        );
    }

    #[test]
    fn branch_problems_are_all_reported() {
        assert_eq!(
            problems_of(&with_steps(
                r#"[{ id = "desk", station = "desk", branches = [{ to = "lab", p = 0.5 }, { to = "exit", p = 1.5 }] }]"#
            )),
            [
                "pathways.visit.steps.desk.branches: branch target \"lab\" is not a step of this pathway (or \"exit\")",
                "pathways.visit.steps.desk.branches: branch to \"exit\" has probability 1.5, outside [0, 1]",
                "pathways.visit.steps.desk.branches: branch probabilities sum to 2, not 1",
            ]
        );
    }
}

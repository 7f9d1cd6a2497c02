//! Pathways: compiling a pathway's steps and branches into routing tables, and proving with a
//! petgraph graph that every patient can finish it.
//!
//! A pathway is a directed graph whose nodes are steps plus a virtual `exit`. For every patient
//! class the checks are: every step is reachable from the start (for some class), every branch's
//! probabilities sum to one within 1e-9, and every step a class can reach can also reach the
//! exit. The last rules out loops without an exit probability: a set of steps that feeds only
//! itself is reported by name.

use crate::distribution::Dist;
use crate::error::Problem;
use crate::model::{Class, EXIT, Station, Step, StepKind};
use crate::rng::name_hash;
use crate::scenario::{Branch, PathwaySpec};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, EdgeRef, Reversed};
use std::collections::BTreeMap;

/// Largest number of steps in one pathway.
pub const MAX_STEPS: usize = 10_000;

/// Where a patient goes after a step: cumulative probabilities and targets (global step
/// indices or `EXIT`). A single entry means no random draw is needed.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteTable {
    /// Cumulative probabilities; the last is exactly 1.
    pub cumulative: Vec<f64>,
    /// Targets, same length.
    pub targets: Vec<u32>,
}

impl RouteTable {
    /// The target for a uniform draw `u` in [0, 1).
    #[inline]
    pub fn pick(&self, u: f64) -> u32 {
        let i = self
            .cumulative
            .partition_point(|c| *c <= u)
            .min(self.targets.len() - 1);
        self.targets[i]
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
    macro_rules! err {
        ($at:expr, $msg:expr) => {
            problems.push(Problem::new($at, $msg))
        };
    }
    if p.steps.is_empty() {
        err!(format!("{at}.steps"), "the pathway has no steps".into());
        return Err(problems);
    }
    if p.steps.len() > MAX_STEPS {
        err!(
            format!("{at}.steps"),
            format!(
                "{} steps is more than the limit of {MAX_STEPS}",
                p.steps.len()
            )
        );
        return Err(problems);
    }
    let mut local: BTreeMap<&str, u32> = BTreeMap::new();
    for (i, s) in p.steps.iter().enumerate() {
        if s.id.is_empty() || s.id == "exit" {
            err!(
                format!("{at}.steps[{i}]"),
                format!("{:?} cannot be used as a step id", s.id)
            );
        } else if local.insert(s.id.as_str(), i as u32).is_some() {
            err!(
                format!("{at}.steps.{}", s.id),
                format!("step id {:?} is used twice", s.id)
            );
        }
    }
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
    // For each step and class, the branch list (target, p) after resolution.
    let mut per_class: Vec<Vec<Vec<(u32, f64)>>> = Vec::new();
    for s in &p.steps {
        let sat = format!("{at}.steps.{}", s.id);
        let kind = match (&s.station, &s.delay) {
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
                    sat.clone(),
                    "a step has either `station` or `delay`, not both".into()
                );
                StepKind::Delay {
                    delay: Dist::Det { value: 0.0 },
                }
            }
            (None, None) => {
                err!(
                    sat.clone(),
                    "a step needs `station` (a queue) or `delay` (time without a server)".into()
                );
                StepKind::Delay {
                    delay: Dist::Det { value: 0.0 },
                }
            }
        };

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
                &mut problems,
                &resolve,
                list,
                format!("{sat}.branches"),
            )),
            (Some(_), Some(_)) => {
                err!(
                    sat.clone(),
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
                        &mut problems,
                        &resolve,
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
                        sat.clone(),
                        format!(
                            "no `next` or `branches` says where class {:?} goes after this step (use next = \"exit\" to leave)",
                            classes[ci].id
                        )
                    );
                    resolved.push(Vec::new());
                }
            }
        }
        if let (Some(role), StepKind::Delay { .. }) = (s.role, &kind)
            && role != crate::scenario::Role::ReportCollection
        {
            err!(
                format!("{sat}.role"),
                format!(
                    "role {} needs a station step (only report_collection may be a delay)",
                    role.name()
                )
            );
        }
        per_class.push(resolved);
        steps.push(Step {
            id: s.id.clone(),
            pathway,
            kind,
            routes: Vec::new(),
            cyclic: false,
            keys: crate::model::StepKeys::new(name_hash(&s.id)),
            fixed_next: crate::model::ROUTED,
            role: s.role,
        });
    }

    let start = match &p.start {
        Some(sid) => match local.get(sid.as_str()) {
            Some(&i) => i,
            None => {
                err!(format!("{at}.start"), format!("no step is called {sid:?}"));
                0
            }
        },
        None => 0,
    };
    if !problems.is_empty() {
        return Err(problems);
    }

    // Graph checks, per class, on the edges with positive probability.
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
    if !problems.is_empty() {
        return Err(problems);
    }

    // Routing tables, shared between classes that route identically.
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
    for step in &mut steps {
        let first = &routes[step.routes[0] as usize];
        if first.targets.len() == 1 && step.routes.iter().all(|&r| routes[r as usize] == *first) {
            step.fixed_next = first.targets[0];
        }
    }
    Ok((start + offset, steps))
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

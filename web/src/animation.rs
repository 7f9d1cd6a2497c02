//! The animated day: what the page's *Animated day* panel (`www/animate.js`) and `carepath
//! animate` draw. Replication 0 of each model is run again with the patient-level event log
//! on (every patient; logging draws no random numbers, so it is the replication the run just
//! summarised), and the log is handed over compactly, as columns of numbers, with the places
//! the patients move between (stations and delay steps, laid out in pathway order) and the
//! replication's own counts (arrived, completed, visits per station), which the animation's
//! counts at the end must equal.
//!
//! This file is the one implementation: it uses nothing but sim-core and serde, and the CLI
//! compiles the same file into itself (`cli/src/animate.rs`, `#[path]`), so the page and the
//! command write the same JSON for the same models without the CLI depending on this crate
//! (and so on wasm-bindgen).

use serde::Serialize;
use sim_core::engine::event_log::{Activity, LogEvent, LogSpec, NONE, Sample};
use sim_core::{Model, Scenario, ScenarioError};
use std::collections::VecDeque;

/// Most events animated, over every variant together (a 10,000-patient day of the flagship
/// has about 150,000 per variant; each event costs about 20 bytes of JSON).
pub const MAX_EVENTS: usize = 3_000_000;

/// Everything the animation needs.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Animation {
    /// Scenario name.
    pub scenario: String,
    /// The replication animated (always 0).
    pub replication: u32,
    /// Opening time (clock minutes after midnight of day 1).
    pub open: f64,
    /// Arrivals stop here (clock minutes), if the scenario says so.
    pub close: Option<f64>,
    /// Activity names by code (the codes of [`Day::activity`]).
    pub activities: Vec<&'static str>,
    /// One day per variant, in the order given.
    pub variants: Vec<Day>,
}

/// A place patients are at: a station (queue and service) or a delay step.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Place {
    /// `"station"` or `"delay"`.
    pub kind: &'static str,
    /// Station id, or the delay step's id.
    pub id: String,
    /// Display name (the station's name; the delay step's id).
    pub name: String,
    /// Layout column, left to right in the order the pathways first reach the place (0 is
    /// the first step); None for a station no step visits.
    pub column: Option<u32>,
    /// Row within the column (top to bottom).
    pub row: u32,
    /// Most servers ever on duty (stations).
    pub servers: Option<u32>,
}

/// What one replication counted.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Counts {
    /// Patients who arrived.
    pub arrived: u64,
    /// Patients who finished their pathway.
    pub completed: u64,
    /// Turned away by a full queue.
    pub balked: u64,
    /// Left a queue when patience ran out.
    pub reneged: u64,
    /// Sent home unseen at a day's end.
    pub sent_home: u64,
    /// Still inside when the run stopped.
    pub unfinished: u64,
    /// Services started, per station (model order).
    pub visits: Vec<u64>,
}

/// One variant's replication 0, as columns.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Day {
    /// `base`, or the variant id.
    pub label: String,
    /// Class ids (index = class code).
    pub classes: Vec<String>,
    /// Stations (indices 0.. in model order), then the delay steps.
    pub places: Vec<Place>,
    /// Patients logged (ids 1..=patients).
    pub patients: u32,
    /// Class code of each patient (index = id − 1).
    pub class: Vec<u16>,
    /// 1 when the patient uses the digital workflow (index = id − 1).
    pub digital: Vec<u8>,
    /// Event times (clock minutes, to the millisecond), in time order.
    pub time: Vec<f64>,
    /// Event patient ids.
    pub patient: Vec<u32>,
    /// Event activity codes (index into [`Animation::activities`]).
    pub activity: Vec<u8>,
    /// Event place (index into `places`), or −1 (arriving, leaving).
    pub place: Vec<i32>,
    /// The replication's end (last departure, or the hard stop).
    pub end_time: f64,
    /// The replication's own counts.
    pub counts: Counts,
}

/// "base" for the base scenario, else the variant id.
fn label(m: &Model) -> &str {
    if m.variant().is_empty() {
        "base"
    } else {
        m.variant()
    }
}

/// The places of a model and the place of each step: stations first (place = station
/// index), then one place per delay step.
fn places(model: &Model) -> (Vec<Place>, Vec<i32>) {
    use sim_core::model::StepKind;
    let steps = model.steps();
    // Breadth-first from every pathway's first step, over every class's routes.
    let mut depth: Vec<Option<u32>> = vec![None; steps.len()];
    let mut queue = VecDeque::new();
    for p in model.pathways() {
        if let Some(d) = depth.get_mut(p.start as usize)
            && d.is_none()
        {
            *d = Some(0);
            queue.push_back(p.start as usize);
        }
    }
    while let Some(s) = queue.pop_front() {
        let next = depth[s].unwrap_or(0) + 1;
        for &r in &steps[s].routes {
            let Some(table) = model.routes().get(r as usize) else {
                continue;
            };
            for &t in &table.targets {
                if let Some(d) = depth.get_mut(t as usize)
                    && d.is_none()
                {
                    *d = Some(next);
                    queue.push_back(t as usize);
                }
            }
        }
    }
    let mut out: Vec<Place> = model
        .stations()
        .iter()
        .map(|s| Place {
            kind: "station",
            id: s.id.clone(),
            name: s.name.clone(),
            column: None,
            row: 0,
            servers: Some(s.max_servers),
        })
        .collect();
    let mut place_of_step = vec![-1; steps.len()];
    // (depth, first step) of each place, for the columns and the rows.
    let mut first: Vec<Option<(u32, usize)>> = vec![None; out.len()];
    for (i, step) in steps.iter().enumerate() {
        let place = match step.kind {
            StepKind::Visit { station, .. } => station as usize,
            StepKind::Delay { .. } => {
                out.push(Place {
                    kind: "delay",
                    id: step.id.clone(),
                    name: step.id.replace('_', " "),
                    column: None,
                    row: 0,
                    servers: None,
                });
                first.push(None);
                out.len() - 1
            }
        };
        place_of_step[i] = place as i32;
        if let Some(d) = depth[i] {
            let f = &mut first[place];
            if f.is_none_or(|(fd, _)| d < fd) {
                *f = Some((d, i));
            }
        }
    }
    // Columns: the distinct depths, numbered from 0; rows in order of the first step.
    let mut depths: Vec<u32> = first.iter().flatten().map(|&(d, _)| d).collect();
    depths.sort_unstable();
    depths.dedup();
    let mut order: Vec<usize> = (0..out.len()).filter(|&p| first[p].is_some()).collect();
    order.sort_by_key(|&p| first[p]);
    let mut rows = vec![0u32; depths.len()];
    for p in order {
        let (d, _) = first[p].expect("filtered");
        let c = depths.binary_search(&d).expect("collected") as u32;
        out[p].column = Some(c);
        out[p].row = rows[c as usize];
        rows[c as usize] += 1;
    }
    (out, place_of_step)
}

/// Gives a column to each station no step visits but patients do (a workflow lever's
/// station, such as payment kiosks in place of the cashier): one right of the column patients
/// most often come from, in a new row.
fn place_unplaced(
    mut places: Vec<Place>,
    patient: &[u32],
    place: &[i32],
    patients: u32,
) -> Vec<Place> {
    let unplaced: Vec<usize> = (0..places.len())
        .filter(|&p| places[p].column.is_none())
        .collect();
    if unplaced.is_empty() {
        return places;
    }
    let mut last = vec![-1i32; patients as usize + 1];
    // votes[k][c]: patients who came to unplaced[k] from column c.
    let columns = places
        .iter()
        .filter_map(|p| p.column)
        .max()
        .map_or(0, |c| c as usize + 1);
    let mut votes = vec![vec![0u64; columns + 1]; unplaced.len()];
    for (&id, &at) in patient.iter().zip(place) {
        if at < 0 {
            continue;
        }
        let prev = last[id as usize];
        if prev != at
            && let Some(k) = unplaced.iter().position(|&u| u as i32 == at)
        {
            let from = if prev < 0 {
                0
            } else {
                places[prev as usize].column.map_or(0, |c| c as usize + 1)
            };
            votes[k][from] += 1;
        }
        last[id as usize] = at;
    }
    for (k, &u) in unplaced.iter().enumerate() {
        if votes[k].iter().all(|&n| n == 0) {
            continue; // never visited: stays off the layout
        }
        let mut best = 0;
        for c in 1..votes[k].len() {
            if votes[k][c] > votes[k][best] {
                best = c;
            }
        }
        let column = best as u32; // one right of column best − 1 (0: from the entrance)
        let row = places.iter().filter(|p| p.column == Some(column)).count() as u32;
        places[u].column = Some(column);
        places[u].row = row;
    }
    places
}

/// Runs replication 0 of `model` with every patient logged (at most `max_events` events).
pub fn day_of(model: &Model, max_events: usize) -> Result<Day, String> {
    let mut sim = sim_core::Simulator::new(model).with_event_log(LogSpec {
        sample: Sample::All,
        max_events,
    });
    let result = sim.run(0).map_err(|e| match e {
        sim_core::RunError::EventLogFull { .. } => format!(
            "{}: replication 0 has more than {MAX_EVENTS} events in all, too many to animate (fewer patients, e.g. a shorter day or run.max_arrivals, would do)",
            label(model)
        ),
        e => format!("{}: the simulation stopped: {e}", label(model)),
    })?;
    let log = sim.event_log();
    let (places, place_of_step) = places(model);
    let patients = log.iter().map(|e| e.patient).max().unwrap_or(0);
    let mut class = vec![0u16; patients as usize];
    let mut digital = vec![0u8; patients as usize];
    for e in log {
        let i = (e.patient - 1) as usize;
        class[i] = e.class;
        digital[i] = u8::from(e.digital);
    }
    let code = |a: Activity| Activity::ALL.iter().position(|&x| x == a).unwrap_or(0) as u8;
    let place = |e: &LogEvent| {
        if e.station != NONE {
            e.station as i32
        } else if matches!(e.activity, Activity::DelayStart | Activity::DelayEnd) && e.step != NONE
        {
            place_of_step.get(e.step as usize).copied().unwrap_or(-1)
        } else {
            -1
        }
    };
    let place: Vec<i32> = log.iter().map(place).collect();
    let places = place_unplaced(
        places,
        &log.iter().map(|e| e.patient).collect::<Vec<_>>(),
        &place,
        patients,
    );
    let p = &result.patients;
    Ok(Day {
        label: label(model).to_string(),
        classes: model.classes().iter().map(|c| c.id.clone()).collect(),
        places,
        patients,
        class,
        digital,
        time: log
            .iter()
            .map(|e| (e.time * 1000.0).round() / 1000.0)
            .collect(),
        patient: log.iter().map(|e| e.patient).collect(),
        activity: log.iter().map(|e| code(e.activity)).collect(),
        place,
        end_time: result.end_time,
        counts: Counts {
            arrived: p.arrived,
            completed: p.completed,
            balked: p.balked,
            reneged: p.reneged,
            sent_home: p.sent_home,
            unfinished: p.unfinished,
            visits: result.stations.iter().map(|s| s.visits).collect(),
        },
    })
}

/// The animation of replication 0 of each of `models` (built and settled by the caller, as
/// for the run), refused beyond [`MAX_EVENTS`] events in all.
pub fn animation(models: &[Model]) -> Result<Animation, String> {
    let first = models.first().ok_or("no model to animate")?;
    let mut left = MAX_EVENTS;
    let mut variants = Vec::with_capacity(models.len());
    for m in models {
        let day = day_of(m, left)?;
        left -= day.time.len();
        variants.push(day);
    }
    Ok(Animation {
        scenario: first.name().to_string(),
        replication: 0,
        open: first.open(),
        close: first.close(),
        activities: Activity::ALL.iter().map(|a| a.name()).collect(),
        variants,
    })
}

/// The JSON the page and `carepath animate` hand to `animate.js`: the animation with
/// `"ok": true`, or `{"ok": false, "error": ...}`.
pub fn to_json(result: Result<Animation, String>) -> String {
    match result.and_then(|a| serde_json::to_value(a).map_err(|e| e.to_string())) {
        Ok(mut out) => {
            out["ok"] = true.into();
            out.to_string()
        }
        Err(e) => serde_json::json!({ "ok": false, "error": e }).to_string(),
    }
}

/// Settles `run.warm_up = "auto"` as the command line does (`warmup::settle_together`): each
/// model that asks for it runs its replications once as a pilot (here, in this worker, one
/// after another), and the scenario takes the longest warm-up MSER-5 finds. An inconclusive
/// analysis is a scenario problem at `run.warm_up`.
pub fn settle_warm_up(
    scenario: &sim_core::Scenario,
    variants: &[Option<&str>],
) -> Result<sim_core::Scenario, ScenarioError> {
    sim_core::stats::warmup::settle_together(
        scenario,
        variants,
        &Default::default(),
        |m| {
            let mut study = sim_core::Study::new(m);
            study.run().map(|()| study.into_accumulator())
        },
        |_, _| {},
    )
    .map_err(sim_core::stats::warmup::SettleError::into_scenario_error)
}

/// The models the page's run builds for `variants` (empty: the base) of a parsed scenario
/// with its data attached: the warm-up settled, then each variant built.
pub fn models_of(scenario: &Scenario, variants: &[String]) -> Result<Vec<Model>, String> {
    let names: Vec<Option<&str>> = if variants.is_empty() {
        vec![None]
    } else {
        variants.iter().map(|v| Some(v.as_str())).collect()
    };
    let scenario = settle_warm_up(scenario, &names).map_err(|e| e.to_string())?;
    names
        .iter()
        .map(|&v| scenario.model(v).map_err(|e| e.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str, variants: &[&str]) -> Animation {
        let scenario = Scenario::parse(text).unwrap();
        let v: Vec<String> = variants.iter().map(|s| s.to_string()).collect();
        animation(&models_of(&scenario, &v).unwrap()).unwrap()
    }

    #[test]
    fn the_events_count_what_the_replication_counts() {
        let text = include_str!("../../scenarios/future-hospital.toml");
        let a = day(text, &["paper", "digital"]);
        assert_eq!(a.variants.len(), 2);
        assert_eq!(a.activities[0], "arrive");
        for d in &a.variants {
            let n = |code: u8| d.activity.iter().filter(|&&c| c == code).count() as u64;
            let c = &d.counts;
            assert!(c.arrived > 9_000, "{} arrived {}", d.label, c.arrived);
            assert_eq!(n(0), c.arrived);
            assert_eq!(n(9) - n(6) - n(7), c.completed);
            for (s, &visits) in c.visits.iter().enumerate() {
                let at = |code: u8| {
                    d.activity
                        .iter()
                        .zip(&d.place)
                        .filter(|&(&a, &p)| a == code && p == s as i32)
                        .count() as u64
                };
                assert_eq!(at(2) - at(8), visits, "{} station {s}", d.label);
            }
            assert!(d.time.windows(2).all(|w| w[0] <= w[1]));
            assert_eq!(d.class.len(), d.patients as usize);
            // Delay steps are places of their own, laid out after registration.
            let reg = d.places.iter().find(|p| p.id == "registration").unwrap();
            assert_eq!(reg.column, Some(0));
            assert!(
                d.places
                    .iter()
                    .any(|p| p.kind == "delay" && p.column > Some(0))
            );
            assert!(
                d.place
                    .iter()
                    .zip(&d.activity)
                    .all(|(&p, &a)| (p >= 0) == !matches!(a, 0 | 9))
            );
        }
        // The same patients: paper and digital differ in workflow, not in who arrives.
        assert!(a.variants[1].digital.contains(&1));
        assert!(a.variants[0].digital.iter().all(|&x| x == 0));
        let json = to_json(Ok(a));
        assert!(json.len() < 20_000_000, "{}", json.len());
        if std::env::var_os("CAREPATH_SHOW_ANIMATION").is_some() {
            let v: serde_json::Value = serde_json::from_str(&json).unwrap();
            eprintln!(
                "{} bytes, {} places",
                json.len(),
                v["variants"][0]["places"]
            );
        }
    }

    #[test]
    fn too_many_events_are_refused_with_a_reason() {
        let m = Scenario::parse(include_str!("../../scenarios/outpatient-clinic.toml"))
            .unwrap()
            .model(None)
            .unwrap();
        let e = day_of(&m, 10).unwrap_err();
        assert!(e.contains("too many to animate"), "{e}");
    }
}

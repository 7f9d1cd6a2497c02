//! Unit tests of the engine's guards, the lean loop and sequence renumbering.

use super::*;

const SMALL: &str = r#"
[scenario]
name = "guards"
[run]
close = "12:00"
replications = 1
[[stations]]
id = "desk"
servers = 1
service = { dist = "exponential", mean = "4min" }
[[arrivals]]
id = "walk_in"
kind = "poisson"
rate = "12/h"
pathway = "visit"
[[pathways]]
id = "visit"
steps = [{ id = "desk", station = "desk", next = "exit" }]
"#;

/// Behind validation, the engine refuses an infinite event time instead of running on.
/// (Validation refuses such a duration; the model is changed after validation here to
/// reach the guard.)
#[test]
fn an_infinite_event_time_stops_the_run_with_an_error() {
    let mut m = Model::from_toml(SMALL).unwrap();
    m.stations[0].service = crate::distribution::Dist::Det {
        value: f64::INFINITY,
    };
    if let StepKind::Visit { service, .. } = &mut m.steps[0].kind {
        *service = crate::distribution::Dist::Det {
            value: f64::INFINITY,
        };
    }
    let e = Simulator::new(&m).run(0).unwrap_err();
    assert!(
        matches!(
            e,
            RunError::NonFiniteTime {
                event: "end of service",
                ..
            }
        ),
        "{e}"
    );
}

/// A sampling step below the clock's resolution is an error, not a loop that never ends.
#[test]
fn a_sampling_step_that_does_not_advance_the_clock_is_an_error() {
    let mut m = Model::from_toml(SMALL).unwrap();
    // Sampling from 10^17 minutes on, where adding 1 minute changes nothing, while a
    // service that lasts until 2·10^17 keeps the run going.
    m.open = 1e17;
    m.stats_start = 0.0;
    m.sample_interval = 1.0;
    let long = crate::distribution::Dist::Det { value: 2e17 };
    m.stations[0].service = long.clone();
    if let StepKind::Visit { service, .. } = &mut m.steps[0].kind {
        *service = long;
    }
    let e = Simulator::new(&m).run(0).unwrap_err();
    assert!(matches!(e, RunError::ClockStalled { .. }), "{e}");
}

/// Sampling stops once `MAX_SAMPLES` are kept, so a tiny (but resolvable) interval over a
/// long run cannot make the loop spin: the run ends and keeps exactly that many samples.
#[test]
fn sampling_ends_after_the_last_kept_sample() {
    let mut m = Model::from_toml(SMALL).unwrap();
    m.sample_interval = 1e-6;
    let r = Simulator::new(&m).run(0).unwrap();
    assert_eq!(r.stations[0].samples.len(), crate::model::MAX_SAMPLES);
}

/// A model so overloaded that its queues would exhaust memory stops with an error once
/// the clinic holds more patients than the engine keeps, instead of aborting on a failed
/// allocation (the limit is lowered here so the test stays small).
#[test]
fn an_overloaded_clinic_stops_before_memory_runs_out() {
    let m = Model::from_toml(
        &SMALL
            .replace("close = \"12:00\"", "max_arrivals = 200000")
            .replace("rate = \"12/h\"", "rate = \"100/min\""),
    )
    .unwrap();
    let mut sim = Simulator::new(&m);
    sim.max_in_system = 50_000;
    let e = sim.run(0).unwrap_err();
    assert_eq!(
        e,
        RunError::TooManyInSystem {
            replication: 0,
            limit: 50_000
        }
    );
    assert!(sim.patients.len() <= 50_000 + STOP_CHECK_EVENTS as usize);
}

/// A raised stop flag ends the replication (checked every `STOP_CHECK_EVENTS` events).
#[test]
fn the_stop_flag_interrupts_a_replication() {
    let m =
        Model::from_toml(&SMALL.replace("close = \"12:00\"", "max_arrivals = 1000000")).unwrap();
    let flag = AtomicBool::new(true);
    let e = Simulator::new(&m).with_stop_flag(&flag).run(0).unwrap_err();
    assert_eq!(e, RunError::Interrupted);
    flag.store(false, Ordering::Relaxed);
    let r = Simulator::new(&m).with_stop_flag(&flag).run(0).unwrap();
    assert_eq!(r.patients.completed, 1_000_000);
}

/// Two overloaded stations in a row, each with a small waiting room and a patience, so
/// that patients renege at both, and stale patience timers (of patients served in time)
/// are still pending when the same patient, or a later one in the same slot, waits again.
const RENEGING: &str = r#"
[scenario]
name = "reneging at two stations"
[run]
open = "08:00"
close = "16:00"
seed = 7
replications = 4
[[stations]]
id = "a"
servers = 2
service = { dist = "exponential", mean = "6.5min" }
capacity = 8
patience = { dist = "lognormal", mean = "20min", sd = "10min" }
[[stations]]
id = "b"
servers = 1
service = { dist = "exponential", mean = "3.3min" }
capacity = 6
patience = { dist = "exponential", mean = "15min" }
[[arrivals]]
id = "walk_in"
kind = "poisson"
pathway = "visit"
rate = "20/h"
[[pathways]]
id = "visit"
steps = [{ id = "first", station = "a", next = "second" }, { id = "second", station = "b", next = "exit" }]
"#;

/// A lean-eligible model with everything the lean loop still handles: a profile stream
/// starting after opening, a branch, a delay step, a loop back to an earlier step (visit
/// numbers in the draws), two stations, a non-exponential service and an arrival cap.
const LEAN_MIX: &str = r#"
[scenario]
name = "lean mix"
[run]
open = "08:00"
close = "12:00"
seed = 11
replications = 3
max_arrivals = 400
sample_interval = "0min"
[[stations]]
id = "desk"
servers = 2
service = { dist = "exponential", mean = "2min" }
[[stations]]
id = "doctor"
servers = 3
service = { dist = "lognormal", mean = "6min", sd = "3min" }
[[arrivals]]
id = "walk_in"
kind = "profile"
pathway = "visit"
rates = [{ from = "08:30", to = "10:00", rate = "40/h" }, { from = "10:00", to = "12:00", rate = "25/h" }]
[[pathways]]
id = "visit"
[[pathways.steps]]
id = "register"
station = "desk"
next = "see"
[[pathways.steps]]
id = "see"
station = "doctor"
branches = [{ to = "walk", p = 0.3 }, { to = "exit", p = 0.7 }]
[[pathways.steps]]
id = "walk"
delay = { dist = "uniform", min = "5min", max = "15min" }
next = "see"
"#;

/// Runs every replication of `model` in the loop chosen by `lean`.
fn run_all(model: &Model, lean: bool) -> Vec<ReplicationResult> {
    let mut sim = Simulator::new(model);
    sim.lean = lean;
    (0..model.replications)
        .map(|r| sim.run(r).unwrap())
        .collect()
}

/// The lean copy of the event loop leaves out checks and window clipping that cannot
/// matter for the models it is chosen for: its results must be bit for bit those of the
/// general loop.
#[test]
fn lean_and_general_loops_agree() {
    let mut bench = Model::from_toml(include_str!("../../../scenarios/benchmark.toml"))
        .expect("valid scenario");
    bench.max_arrivals = Some(20_000);
    let mix = Model::from_toml(LEAN_MIX).expect("valid scenario");
    // Cut at 09:30 with patients waiting and in service (events then count the starts of
    // services that never end).
    let cut = LEAN_MIX.replace(
        "close = \"12:00\"",
        "close = \"12:00\"\nhard_stop = \"09:30\"",
    );
    let cut = Model::from_toml(&cut).expect("valid scenario");
    for model in [&bench, &mix, &cut] {
        assert!(Simulator::is_lean(model), "{} should run lean", model.name);
        let lean = run_all(model, true);
        assert!(lean.iter().all(|r| r.patients.completed > 0));
        assert_eq!(lean, run_all(model, false), "{}", model.name);
    }
    let cut_runs = run_all(&cut, true);
    assert!(cut_runs.iter().any(|r| r.patients.unfinished > 0));
}

/// A warm-up that ends after the first possible arrival moves the observation window
/// past some arrivals, so waits and stays must be clipped: such a model runs in the
/// general loop. One that ends by the first possible arrival clips nothing and may run
/// lean, with the general loop's results.
#[test]
fn warm_up_past_the_first_arrival_is_not_lean() {
    let warm = |w: &str| {
        let text = LEAN_MIX.replace(
            "max_arrivals = 400",
            &format!("max_arrivals = 400\nwarm_up = \"{w}\""),
        );
        Model::from_toml(&text).expect("valid scenario")
    };
    let late = warm("60min"); // window opens 09:00, arrivals from 08:30
    assert!(late.stats_start > late.open + 30.0);
    assert!(!Simulator::is_lean(&late));
    // Forced into the lean loop it would count waits from before the window opened.
    assert_ne!(run_all(&late, true), run_all(&late, false));
    let on_time = warm("30min"); // window opens 08:30 with the first possible arrival
    assert!(Simulator::is_lean(&on_time));
    assert_eq!(run_all(&on_time, true), run_all(&on_time, false));
}

/// Renumbering the event sequence (normally after 2^32 events; here forced every few dozen
/// events, dozens of times over the four replications, while patients wait with pending patience timers)
/// must not change which patients renege or when: results are identical to a run without
/// renumbering.
#[test]
fn reneges_survive_sequence_renumbering() {
    let model = Model::from_toml(RENEGING).expect("valid scenario");
    let mut plain = Simulator::new(&model);
    let mut renumbered = Simulator::new(&model);
    renumbered.events.set_seq_limit(50);
    let mut reneged = 0;
    for r in 0..4 {
        let want = plain.run(r).unwrap();
        let got = renumbered.run(r).unwrap();
        reneged += want.patients.reneged;
        assert!(want.stations.iter().all(|s| s.reneges > 0));
        assert_eq!(got.patients, want.patients, "replication {r}");
        let reneges =
            |x: &ReplicationResult| x.stations.iter().map(|s| s.reneges).collect::<Vec<_>>();
        assert_eq!(reneges(&got), reneges(&want), "replication {r}");
        assert!(got == want, "replication {r}: results differ");
    }
    assert!(reneged > 20, "too few reneges to test: {reneged}");
    assert!(
        renumbered.events.renumbered > 40,
        "renumbered only {} times",
        renumbered.events.renumbered
    );
}

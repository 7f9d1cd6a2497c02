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

/// A random model (as scenario text) from `seed`: one to four stations with random servers
/// and service distributions, a pathway with branches, delays and a loop, one or two Poisson
/// streams with piecewise rates, a closing time, sometimes a hard stop, an arrival cap or a
/// warm-up that ends by the first arrival. With `feature`, one feature only the general loop
/// handles is added (0 = none).
fn random_model(seed: u64, feature: u32) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let dist = |k: u64, m: u64| -> String {
        let m = m + 1;
        match k {
            0 => format!(r#"{{ dist = "exponential", mean = "{m}min" }}"#),
            1 => format!(
                r#"{{ dist = "lognormal", mean = "{m}min", sd = "{}min" }}"#,
                m / 2 + 1
            ),
            2 => format!(
                r#"{{ dist = "gamma", mean = "{m}min", cv = 0.{} }}"#,
                m % 9 + 1
            ),
            3 => format!(
                r#"{{ dist = "uniform", min = "{}min", max = "{}min" }}"#,
                m / 2,
                m + 2
            ),
            4 => format!(
                r#"{{ dist = "triangular", min = "0min", mode = "{m}min", max = "{}min" }}"#,
                2 * m
            ),
            5 => format!(
                r#"{{ dist = "erlang", mean = "{m}min", k = {} }}"#,
                m % 4 + 1
            ),
            6 => format!(r#"{{ dist = "normal", mean = "{m}min", sd = "1min", min = "0.5min" }}"#),
            _ => format!(r#"{{ dist = "deterministic", value = "{m}min" }}"#),
        }
    };
    let stations = 1 + next(4);
    let mut text = String::from(
        "[scenario]\nname = \"random\"\n[run]\nopen = \"08:00\"\nclose = \"11:00\"\nreplications = 3\n",
    );
    text += &format!("seed = {}\n", next(1000));
    if feature != 8 {
        text += "sample_interval = \"0min\"\n";
    }
    match next(4) {
        0 => text += "hard_stop = \"10:30\"\n",
        1 => text += &format!("max_arrivals = {}\n", 20 + next(200)),
        2 if feature != 9 => text += "warm_up = \"0min\"\n",
        _ => {}
    }
    if feature == 9 {
        text += "warm_up = \"45min\"\n";
    }
    if feature == 1 {
        text += "[[classes]]\nid = \"a\"\nshare = 0.6\n[[classes]]\nid = \"b\"\nshare = 0.4\n";
    }
    if feature == 3 {
        text += "[[classes]]\nid = \"a\"\nshare = 0.6\npriority = 1\n[[classes]]\nid = \"b\"\nshare = 0.4\n";
    }
    for s in 0..stations {
        text += &format!("[[stations]]\nid = \"s{s}\"\n");
        if feature == 2 && s == 0 {
            text += "servers = [{ from = \"08:00\", to = \"09:30\", count = 2 }, { from = \"09:30\", to = \"11:00\", count = 1 }]\n";
        } else {
            text += &format!("servers = {}\n", 1 + next(5));
        }
        text += &format!("service = {}\n", dist(next(8), next(6)));
        match (feature, s) {
            (3, 0) => text += "discipline = \"priority\"\n",
            (4, 0) => text += "capacity = 2\n",
            (5, 0) => text += "patience = { dist = \"uniform\", min = \"2min\", max = \"9min\" }\n",
            _ => {}
        }
    }
    for a in 0..1 + next(2) {
        text += &format!("[[arrivals]]\nid = \"a{a}\"\npathway = \"p\"\n");
        if next(2) == 0 {
            text += &format!("kind = \"poisson\"\nrate = \"{}/h\"\n", 10 + next(40));
        } else {
            text += &format!(
                "kind = \"profile\"\nrates = [{{ from = \"08:00\", to = \"09:00\", rate = \"{}/h\" }}, {{ from = \"09:15\", to = \"10:30\", rate = \"{}/h\" }}]\n",
                10 + next(40),
                1 + next(30)
            );
        }
    }
    // The pathway: every station once, in order, with a delay, a branch that skips ahead
    // and a loop back to the first station.
    text += "[[pathways]]\nid = \"p\"\n";
    for s in 0..stations {
        text += &format!("[[pathways.steps]]\nid = \"v{s}\"\nstation = \"s{s}\"\n");
        let to = if s + 1 < stations {
            format!("v{}", s + 1)
        } else {
            "d".into()
        };
        match next(3) {
            0 => text += &format!("next = \"{to}\"\n"),
            1 => {
                text += &format!(
                    "branches = [{{ to = \"{to}\", p = 0.8 }}, {{ to = \"d\", p = 0.2 }}]\n"
                )
            }
            _ => {
                text += &format!(
                    "branches = [{{ to = \"{to}\", p = 0.85 }}, {{ to = \"v0\", p = 0.15 }}]\n"
                )
            }
        }
    }
    text += &format!(
        "[[pathways.steps]]\nid = \"d\"\ndelay = {}\nnext = \"exit\"\n",
        dist(next(8), next(3))
    );
    if feature == 6 {
        text += "[[stations]]\nid = \"extra\"\nservers = 1\nservice = { dist = \"exponential\", mean = \"1min\" }\n";
        text += "[[arrivals]]\nid = \"booked\"\nkind = \"appointments\"\npathway = \"p\"\nsessions = [{ from = \"08:00\", to = \"10:00\" }]\nslot = \"10min\"\nper_slot = 1\n";
    }
    if feature == 7 {
        text = text.replace("[[classes]]", "");
        text += "[[classes]]\nid = \"a\"\nshare = 1.0\nstation_multipliers = { s0 = 1.5 }\n";
    }
    text
}

/// The lean instance of the event loop gives the general instance's results bit for bit on
/// every random model the features classify as lean; and each feature on its own makes a
/// model not lean.
#[test]
fn random_lean_models_run_the_same_in_both_loops() {
    let mut lean_models = 0;
    for seed in 0..120 {
        let text = random_model(seed, 0);
        let model = Model::from_toml(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert!(
            Features::of(&model).lean(),
            "seed {seed}: {:?}",
            Features::of(&model)
        );
        lean_models += 1;
        let lean = run_all(&model, true);
        assert!(lean.iter().any(|r| r.patients.arrived > 0), "seed {seed}");
        assert_eq!(lean, run_all(&model, false), "seed {seed}\n{text}");
    }
    assert_eq!(lean_models, 120);
    for feature in 1..=9 {
        for seed in 0..5 {
            let text = random_model(seed, feature);
            let model = match Model::from_toml(&text) {
                Ok(m) => m,
                Err(e) => panic!("feature {feature}: {e}\n{text}"),
            };
            assert!(
                !Features::of(&model).lean(),
                "feature {feature} went unnoticed\n{text}"
            );
        }
    }
}

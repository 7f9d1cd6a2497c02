//! Property tests of engine invariants on randomly generated scenarios: conservation of
//! patients, no negative waits, utilisation within [0, 1], determinism under a fixed seed, and
//! identical results however replications are spread over threads.

use proptest::prelude::*;
use sim_core::{Model, Simulator, run_replication};

/// A random but valid scenario, as TOML text. It mixes every feature the engine has: shifts
/// with gaps, capacities (balking), patience (reneging), priority queues, several classes,
/// branches, a loop with an exit, delay steps, all arrival kinds, hard stops and caps.
fn scenario() -> impl Strategy<Value = String> {
    (
        (1usize..4, prop::collection::vec((0u32..3, 1u32..4, 0u8..4, prop::option::of(0u32..6), any::<bool>(), any::<bool>()), 3)),
        (1usize..4, 0u8..4, any::<bool>(), prop::option::of(300u32..900), 0.05f64..0.95),
        (1u64..1000, prop::option::of(20u64..400)),
    )
        .prop_map(|((nst, st), (ncls, arrival_kind, looped, hard_stop, p_branch), (seed, cap))| {
            let mut t = String::new();
            t += "[scenario]\nname = \"random\"\n[run]\nopen = \"08:00\"\nclose = \"10:00\"\n";
            t += &format!("seed = {seed}\nreplications = 3\nsample_interval = \"10min\"\n");
            if let Some(h) = hard_stop {
                t += &format!("hard_stop = \"{:02}:{:02}\"\n", 8 + h / 60, h % 60);
            }
            if let Some(c) = cap {
                t += &format!("max_arrivals = {c}\n");
            }
            for c in 0..ncls {
                let share = if c + 1 == ncls { 1.0 - (ncls as f64 - 1.0) * (1.0 / ncls as f64) } else { 1.0 / ncls as f64 };
                t += &format!("[[classes]]\nid = \"c{c}\"\nshare = {share}\npriority = {c}\nservice_multiplier = {}\n", 1.0 + c as f64 * 0.25);
            }
            let dists = [
                "{ dist = \"exponential\", mean = \"4min\" }",
                "{ dist = \"lognormal\", mean = \"5min\", sd = \"3min\" }",
                "{ dist = \"triangular\", min = \"1min\", mode = \"3min\", max = \"8min\" }",
                "{ dist = \"empirical\", values = [\"2min\", \"6min\"], weights = [3, 1] }",
            ];
            for (i, (kind, servers, dist, capacity, patience, priority)) in st.iter().take(nst).enumerate() {
                t += &format!("[[stations]]\nid = \"s{i}\"\n");
                t += &match kind {
                    0 => format!("servers = {servers}\n"),
                    1 => format!("servers = [{{ from = \"08:00\", to = \"09:00\", count = {servers} }}, {{ from = \"09:30\", to = \"11:00\", count = {} }}]\n", servers + 1),
                    _ => format!("servers = [{{ from = \"08:30\", to = \"10:30\", count = {servers} }}]\novertime = true\n"),
                };
                t += &format!("service = {}\n", dists[*dist as usize]);
                if let Some(c) = capacity {
                    t += &format!("capacity = {c}\n");
                }
                if *patience {
                    t += "patience = { dist = \"exponential\", mean = \"20min\" }\n";
                }
                if *priority {
                    t += "discipline = \"priority\"\n";
                }
            }
            t += "[[arrivals]]\nid = \"in\"\npathway = \"p\"\n";
            t += match arrival_kind {
                0 => "kind = \"poisson\"\nrate = \"1.5/min\"\n",
                1 => "kind = \"profile\"\nrates = [{ from = \"08:00\", to = \"09:00\", rate = \"2/min\" }, { from = \"09:00\", to = \"10:00\", rate = \"0.5/min\" }]\n",
                2 => "kind = \"appointments\"\nsessions = [{ from = \"08:00\", to = \"10:00\" }]\nslot = \"10min\"\nper_slot = 6\nno_show = 0.1\npunctuality = { dist = \"normal\", mean = \"-5min\", sd = \"5min\", min = \"-20min\" }\n",
                _ => "kind = \"batch\"\nat = \"08:00\"\ncount = 40\n",
            };
            t += "[[pathways]]\nid = \"p\"\n";
            for i in 0..nst {
                t += &format!("[[pathways.steps]]\nid = \"step{i}\"\nstation = \"s{i}\"\n");
                if i + 1 < nst {
                    t += &format!("branches = [{{ to = \"step{}\", p = {p_branch} }}, {{ to = \"wait\", p = {} }}]\n", i + 1, 1.0 - p_branch);
                } else if looped {
                    t += "branches = [{ to = \"step0\", p = 0.2 }, { to = \"exit\", p = 0.8 }]\n";
                } else {
                    t += "next = \"exit\"\n";
                }
            }
            if nst > 1 {
                t += &format!("[[pathways.steps]]\nid = \"wait\"\ndelay = {{ dist = \"uniform\", min = \"5min\", max = \"30min\" }}\nnext = \"step{}\"\n", nst - 1);
            }
            t
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold(text in scenario()) {
        let model = Model::from_toml(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        for rep in 0..model.replications() {
            let r = run_replication(&model, rep).unwrap();
            let p = r.patients;
            // Conservation: everybody who came is accounted for exactly once.
            prop_assert_eq!(p.arrived, p.completed + p.balked + p.reneged + p.sent_home + p.unfinished, "{}", text);
            let by_class: u64 = r.classes.iter().map(|c| c.patients.arrived).sum();
            prop_assert_eq!(by_class, p.arrived);
            let unfinished_by_class: u64 = r.classes.iter().map(|c| c.patients.unfinished).sum();
            prop_assert_eq!(unfinished_by_class, p.unfinished);
            if model.stop().is_none() {
                prop_assert_eq!(p.unfinished, 0, "without a hard stop the clinic drains");
            }
            if let Some(cap) = model.max_arrivals() {
                prop_assert!(p.arrived <= cap);
            }
            for (s, st) in r.stations.iter().enumerate() {
                // No negative waits (the histogram has no negative bucket: check min via sum/max).
                prop_assert!(st.waits.max >= 0.0 && st.waits.sum >= 0.0, "station {s}");
                prop_assert!(st.busy_area <= st.capacity_area + 1e-6, "utilisation above 1 at station {s}");
                prop_assert!(st.queue_area >= 0.0);
            }
            prop_assert!(r.time_in_system.sum >= 0.0);
        }
    }

    #[test]
    fn runs_are_deterministic_and_thread_independent(text in scenario()) {
        let model = Model::from_toml(&text).unwrap();
        let sequential: Vec<_> = {
            let mut sim = Simulator::new(&model);
            (0..model.replications()).map(|r| sim.run(r).unwrap()).collect()
        };
        // Fresh simulators, replications in reverse order on two threads.
        let parallel: Vec<_> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..model.replications()).rev().map(|r| { let m = &model; s.spawn(move || run_replication(m, r).unwrap()) }).collect();
            let mut v: Vec<_> = hs.into_iter().map(|h| h.join().unwrap()).collect();
            v.reverse();
            v
        });
        prop_assert_eq!(&sequential, &parallel);
        let a = sim_core::summary::Accumulator::from_results(&model, &sequential).summary(&model);
        let b = sim_core::summary::Accumulator::from_results(&model, &parallel).summary(&model);
        prop_assert_eq!(a, b);
    }
}

/// A random model with extreme but valid parameters: durations, rates, offsets, multipliers
/// and sampling intervals spread over twelve orders of magnitude. Returns the TOML text.
fn extreme_scenario() -> impl Strategy<Value = String> {
    (
        (-6.0f64..6.0, -6.0f64..6.0, 0u8..5, -3.0f64..3.0),
        (-4.0f64..4.0, -3.0f64..3.0, 1.0f64..4.7, 0u8..3),
        (-5.0f64..5.0, 1u64..1000, any::<bool>()),
    )
        .prop_map(
            |((mean_exp, sd_exp, dist, mult_exp), (rate_exp, interval_exp, close_exp, kind), (punct_exp, seed, patience))| {
                let mean = 10f64.powf(mean_exp);
                let sd = 10f64.powf(sd_exp);
                let service = match dist {
                    0 => format!("{{ dist = \"exponential\", mean = \"{mean:e}min\" }}"),
                    1 => format!("{{ dist = \"lognormal\", mean = \"{mean:e}min\", sd = \"{:e}min\" }}", sd.min(mean * 20.0)),
                    2 => format!("{{ dist = \"normal\", mean = \"{mean:e}min\", sd = \"{sd:e}min\", min = \"0min\" }}"),
                    3 => format!("{{ dist = \"triangular\", min = \"0min\", mode = \"{mean:e}min\", max = \"{:e}min\" }}", mean * 3.0),
                    _ => format!("{{ dist = \"deterministic\", value = \"{mean:e}min\" }}"),
                };
                // Clock times are "HHH:MM" (at most 999 hours).
                let close_min = 10f64.powf(close_exp).round().max(10.0) as u64;
                let clock = format!("{:02}:{:02}", close_min / 60, close_min % 60);
                let close = close_min as f64;
                let mut t = format!(
                    "[scenario]\nname = \"extreme\"\n[run]\nclose = \"{clock}\"\nmax_arrivals = 300\nseed = {seed}\nreplications = 2\nsample_interval = \"{:e}min\"\n",
                    10f64.powf(interval_exp)
                );
                t += &format!(
                    "[[classes]]\nid = \"c\"\nshare = 1\nservice_multiplier = {}\n",
                    10f64.powf(mult_exp)
                );
                t += &format!("[[stations]]\nid = \"desk\"\nservers = 2\nservice = {service}\n");
                if patience {
                    t += &format!("patience = {{ dist = \"exponential\", mean = \"{:e}min\" }}\n", mean * 2.0);
                }
                t += "[[arrivals]]\nid = \"in\"\npathway = \"p\"\n";
                let rate = 10f64.powf(rate_exp);
                t += &match kind {
                    0 => format!("kind = \"poisson\"\nrate = \"{rate:e}/min\"\n"),
                    1 => format!(
                        "kind = \"appointments\"\nsessions = [{{ from = \"00:00\", to = \"{clock}\" }}]\nslot = \"{:e}min\"\nper_slot = 2\npunctuality = {{ dist = \"uniform\", min = \"-{:e}min\", max = \"{:e}min\" }}\n",
                        (close / 200.0).max(1e-3),
                        10f64.powf(punct_exp),
                        10f64.powf(punct_exp)
                    ),
                    _ => "kind = \"batch\"\nat = \"00:00\"\ncount = 200\n".to_string(),
                };
                t += "[[pathways]]\nid = \"p\"\n[[pathways.steps]]\nid = \"desk\"\nstation = \"desk\"\nnext = \"exit\"\n";
                t
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// Whatever validation accepts finishes: within an event budget (at most 300 patients,
    /// each causing an arrival, a service start and end, and a patience timer), within a
    /// time limit enforced by the engine's stop flag, and with finite results. What
    /// validation refuses is refused with located problems.
    #[test]
    fn extreme_but_valid_models_finish_with_finite_results(text in extreme_scenario()) {
        let model = match Model::from_toml(&text) {
            Ok(m) => m,
            Err(sim_core::ScenarioError::Invalid(problems)) => {
                prop_assert!(problems.iter().all(|p| !p.at.is_empty() && !p.message.is_empty()));
                return Ok(());
            }
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n{text}"))),
        };
        let stop = std::sync::atomic::AtomicBool::new(false);
        let results = std::thread::scope(|s| {
            let watchdog = s.spawn(|| {
                // Generous for a debug build on a busy machine; a hang trips it.
                let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
                while std::time::Instant::now() < until {
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        return;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
            });
            let mut sim = Simulator::new(&model).with_stop_flag(&stop);
            let out: Vec<_> = (0..model.replications()).map(|r| sim.run(r)).collect();
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            watchdog.join().unwrap();
            out
        });
        let mut ok = Vec::new();
        for r in results {
            let r = r.map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            prop_assert!(r.events <= 300 * 4 + 10, "{} events\n{}", r.events, text);
            prop_assert!(r.end_time.is_finite() && r.window.is_finite());
            ok.push(r);
        }
        let s = sim_core::summary::Accumulator::from_results(&model, &ok).summary(&model);
        let st = &s.stations["desk"];
        for v in [
            s.time_in_system_min.mean,
            s.time_in_system_min.p95,
            s.time_in_system_min.max,
            st.wait_min.mean,
            st.utilization.mean,
            st.queue_length.mean,
            s.run.in_system.mean,
        ] {
            prop_assert!(v.is_finite(), "{v}\n{text}");
        }
        prop_assert!((0.0..=1.0).contains(&st.utilization.mean), "{}\n{}", st.utilization.mean, text);
    }
}

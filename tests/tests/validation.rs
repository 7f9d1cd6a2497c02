//! Statistical validation of the engine against queueing theory.
//!
//! Each check runs independent replications with a fixed seed, builds a Student-t confidence
//! interval from the replication means, and asserts that (a) the exact analytic value lies
//! inside the 99% interval and (b) the interval is narrow: half-width under 3% of the value.
//! Tolerances therefore come from the simulation's own variability, never from fudge factors.
//! Seeds are fixed, so a pass is reproducible bit for bit; the 99% level bounds the chance that
//! a correct engine would fail one check at a fresh seed.
//!
//! The quick set runs on every `cargo test`; the long set (every row of R1, the table of exact
//! M/M/s values in docs/sources.md#r1-mms-table, and heavier loads) runs when
//! `CAREPATH_LONG_TESTS=1`, as `.ci/run` sets.

use sim_core::stats::t_critical;
use sim_core::{Model, ReplicationResult, Simulator};

pub(super) fn long_tests() -> bool {
    std::env::var("CAREPATH_LONG_TESTS").is_ok_and(|v| v == "1")
}

/// Runs every replication of `model`, spread over two threads (results are per replication,
/// so the split does not matter).
pub(super) fn run(model: &Model) -> Vec<ReplicationResult> {
    let reps: Vec<u32> = (0..model.replications()).collect();
    let mut out: Vec<ReplicationResult> = std::thread::scope(|s| {
        let handles: Vec<_> = reps
            .chunks(reps.len().div_ceil(2))
            .map(|chunk| {
                s.spawn(move || {
                    let mut sim = Simulator::new(model);
                    chunk
                        .iter()
                        .map(|&r| sim.run(r).unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("replication thread"))
            .collect()
    });
    out.sort_by_key(|r| r.replication);
    out
}

/// (mean, 99% half-width) of per-replication values.
fn ci99(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (
        mean,
        t_critical(0.99, values.len() as u64 - 1) * (var / n).sqrt(),
    )
}

/// Asserts that `exact` is inside the 99% CI of `values` and the CI is within 3% of `exact`.
pub(super) fn assert_matches(what: &str, values: &[f64], exact: f64) {
    let (mean, hw) = ci99(values);
    eprintln!(
        "{what}: simulated {mean:.5} ± {hw:.5} (99%), exact {exact:.5}, half-width {:.2}%",
        100.0 * hw / exact
    );
    assert!(
        (mean - exact).abs() <= hw,
        "{what}: exact value {exact} outside the 99% CI {mean} ± {hw}"
    );
    assert!(
        hw < 0.03 * exact,
        "{what}: CI half-width {hw} is not under 3% of {exact}; run longer"
    );
}

/// Erlang C: probability an arrival waits in M/M/c with offered load a = λ/μ.
fn erlang_c(c: u32, a: f64) -> f64 {
    // Erlang B by the stable recursion, then C = B / (1 - ρ(1 - B)).
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    let rho = a / f64::from(c);
    b / (1.0 - rho * (1.0 - b))
}

/// Exact mean wait in queue of M/M/c.
pub(super) fn mmc_wq(interarrival: f64, service: f64, c: u32) -> f64 {
    let lambda = 1.0 / interarrival;
    let mu = 1.0 / service;
    erlang_c(c, lambda / mu) / (f64::from(c) * mu - lambda)
}

/// A single-station steady-state scenario with exponential arrivals.
fn single_station(
    interarrival: f64,
    servers: u32,
    service: &str,
    arrivals: u64,
    warm_up: f64,
    reps: u32,
) -> Model {
    let toml = format!(
        r#"
[scenario]
name = "single station"
[run]
max_arrivals = {arrivals}
warm_up = "{warm_up}min"
replications = {reps}
seed = 20261122
sample_interval = "0min"
[[stations]]
id = "s"
servers = {servers}
service = {service}
[[arrivals]]
id = "a"
kind = "poisson"
rate = "{rate}/min"
pathway = "p"
[[pathways]]
id = "p"
steps = [{{ id = "s", station = "s", next = "exit" }}]
"#,
        rate = 1.0 / interarrival
    );
    Model::from_toml(&toml).expect("valid scenario")
}

pub(super) fn mean_waits(results: &[ReplicationResult], station: usize) -> Vec<f64> {
    results
        .iter()
        .map(|r| r.stations[station].waits.mean())
        .collect()
}

#[test]
fn erlang_c_reproduces_the_r1_table() {
    // The analytic column of the R1 table in docs/sources.md#r1-mms-table (pydesrap_mms
    // parameter sets).
    let rows = [
        (4.0, 10.0, 5, 0.5215),
        (10.0, 3.0, 2, 0.0691),
        (6.0, 4.0, 2, 0.5),
        (4.0, 3.0, 1, 9.0),
        (5.5, 5.0, 3, 0.1717),
        (8.0, 4.0, 1, 4.0),
        (4.0, 10.0, 4, 2.1324),
    ];
    for (ia, s, c, wq) in rows {
        assert!((mmc_wq(ia, s, c) - wq).abs() < 5e-4, "{ia} {s} {c}");
    }
}

/// R1 rows as (inter-arrival, service mean, servers, arrivals per replication, replications).
/// Run lengths are chosen so the 99% half-width lands under 3%: heavier traffic needs longer.
fn r1_rows(long: bool) -> Vec<(f64, f64, u32, u64, u32)> {
    let mut rows = vec![
        (4.0, 10.0, 5, 400_000, 20),
        (6.0, 4.0, 2, 400_000, 20),
        (8.0, 4.0, 1, 400_000, 20),
    ];
    if long {
        rows.extend([
            (4.0, 3.0, 1, 2_000_000, 20),
            (4.0, 10.0, 4, 1_000_000, 20),
            (5.5, 5.0, 3, 1_000_000, 20),
            (10.0, 3.0, 2, 2_000_000, 20),
        ]);
    }
    rows
}

#[test]
fn mmc_mean_waits_match_erlang_c() {
    for (ia, s, c, n, reps) in r1_rows(long_tests()) {
        let exact = mmc_wq(ia, s, c);
        let model = single_station(
            ia,
            c,
            &format!(r#"{{ dist = "exponential", mean = "{s}min" }}"#),
            n,
            50.0 * ia * 100.0,
            reps,
        );
        let results = run(&model);
        assert_matches(
            &format!("M/M/{c} (ia {ia}, s {s}) Wq"),
            &mean_waits(&results, 0),
            exact,
        );
        // Utilisation is exact by flow balance: ρ = λ E[S] / c.
        let util: Vec<f64> = results
            .iter()
            .map(|r| r.stations[0].busy_area / r.stations[0].capacity_area)
            .collect();
        assert_matches(
            &format!("M/M/{c} (ia {ia}, s {s}) utilisation"),
            &util,
            s / ia / f64::from(c),
        );
    }
}

#[test]
fn negligible_wait_row_has_negligible_wait() {
    // R1 row 8: ρ = 0.011 with 15 servers; Erlang C gives P(wait) ≈ 1e-29.
    let exact = mmc_wq(60.0, 10.0, 15);
    assert!(exact < 1e-20);
    let model = single_station(
        60.0,
        15,
        r#"{ dist = "exponential", mean = "10min" }"#,
        50_000,
        1000.0,
        4,
    );
    let results = run(&model);
    for r in &results {
        assert_eq!(r.stations[0].waits.max, 0.0, "nobody should ever wait");
    }
}

/// Pollaczek–Khinchine: Wq = λ E[S²] / (2 (1 − ρ)).
fn pk_wq(interarrival: f64, mean: f64, var: f64) -> f64 {
    let lambda = 1.0 / interarrival;
    let rho = lambda * mean;
    lambda * (var + mean * mean) / (2.0 * (1.0 - rho))
}

#[test]
fn md1_and_mg1_match_pollaczek_khinchine() {
    let n = if long_tests() { 2_000_000 } else { 600_000 };
    let cases = [
        // M/D/1, ρ = 0.7.
        (
            "M/D/1",
            r#"{ dist = "deterministic", value = "2.8min" }"#,
            2.8,
            0.0,
        ),
        // M/G/1 with gamma service, cv 0.5, ρ = 0.7.
        (
            "M/G/1 gamma",
            r#"{ dist = "gamma", mean = "2.8min", cv = 0.5 }"#,
            2.8,
            (0.5f64 * 2.8).powi(2),
        ),
        // M/G/1 with uniform service on [1, 4.6] (mean 2.8, variance 3.6²/12), ρ = 0.7.
        (
            "M/G/1 uniform",
            r#"{ dist = "uniform", min = "1min", max = "4.6min" }"#,
            2.8,
            3.6f64 * 3.6 / 12.0,
        ),
    ];
    for (name, service, mean, var) in cases {
        let model = single_station(4.0, 1, service, n, 4000.0, 20);
        let results = run(&model);
        assert_matches(name, &mean_waits(&results, 0), pk_wq(4.0, mean, var));
    }
}

fn network_model(n: u64) -> Model {
    // Jackson network with feedback: arrivals λ = 0.2/min to A (1 server, mean 2 min); after A
    // a patient goes to B (2 servers, mean 5 min) with probability 0.25, else exits; after B
    // back to A. Traffic equations: λA = λ + λB, λB = 0.25 λA ⇒ λA = 0.2667, λB = 0.0667.
    let toml = format!(
        r#"
[scenario]
name = "jackson feedback"
[run]
max_arrivals = {n}
warm_up = "5000min"
replications = 20
seed = 7
sample_interval = "0min"
[[stations]]
id = "a"
servers = 1
service = {{ dist = "exponential", mean = "2min" }}
[[stations]]
id = "b"
servers = 2
service = {{ dist = "exponential", mean = "5min" }}
[[arrivals]]
id = "in"
kind = "poisson"
rate = "0.2/min"
pathway = "p"
[[pathways]]
id = "p"
[[pathways.steps]]
id = "a"
station = "a"
branches = [{{ to = "b", p = 0.25 }}, {{ to = "exit", p = 0.75 }}]
[[pathways.steps]]
id = "b"
station = "b"
next = "a"
"#
    );
    Model::from_toml(&toml).expect("valid scenario")
}

#[test]
fn tandem_network_matches_jackson() {
    // Two M/M/1 stations in series: the time in system is the sum of M/M/1 sojourn times.
    let n = if long_tests() { 1_500_000 } else { 500_000 };
    let toml = format!(
        r#"
[scenario]
name = "tandem"
[run]
max_arrivals = {n}
warm_up = "5000min"
replications = 20
seed = 11
sample_interval = "0min"
[[stations]]
id = "first"
servers = 1
service = {{ dist = "exponential", mean = "2.5min" }}
[[stations]]
id = "second"
servers = 1
service = {{ dist = "exponential", mean = "2min" }}
[[arrivals]]
id = "in"
kind = "poisson"
rate = "0.25/min"
pathway = "p"
[[pathways]]
id = "p"
steps = [{{ id = "first", station = "first", next = "second" }}, {{ id = "second", station = "second", next = "exit" }}]
"#
    );
    let model = Model::from_toml(&toml).unwrap();
    let results = run(&model);
    let lambda = 0.25;
    let w1 = 1.0 / (1.0 / 2.5 - lambda);
    let w2 = 1.0 / (1.0 / 2.0 - lambda);
    assert_matches("tandem: wait at first", &mean_waits(&results, 0), w1 - 2.5);
    assert_matches("tandem: wait at second", &mean_waits(&results, 1), w2 - 2.0);
    let tis: Vec<f64> = results.iter().map(|r| r.time_in_system.mean()).collect();
    assert_matches("tandem: time in system", &tis, w1 + w2);
}

#[test]
fn feedback_network_matches_jackson() {
    let n = if long_tests() { 1_500_000 } else { 400_000 };
    let model = network_model(n);
    let results = run(&model);
    let (la, lb) = (0.2 / 0.75, 0.2 / 0.75 * 0.25);
    let wqa = mmc_wq(1.0 / la, 2.0, 1);
    let wqb = mmc_wq(1.0 / lb, 5.0, 2);
    assert_matches("feedback: wait at A", &mean_waits(&results, 0), wqa);
    assert_matches("feedback: wait at B", &mean_waits(&results, 1), wqb);
    // Expected visits per patient: A 1/0.75, B 0.25/0.75.
    let tis_exact = (wqa + 2.0) / 0.75 + (wqb + 5.0) * 0.25 / 0.75;
    let tis: Vec<f64> = results.iter().map(|r| r.time_in_system.mean()).collect();
    assert_matches("feedback: time in system", &tis, tis_exact);
}

#[test]
fn littles_law_holds_at_a_station_and_for_the_clinic() {
    // L = λ W: the time-average number waiting (a time integral, measured independently of the
    // waits) must match λ × Wq from theory at each station, and the time-average number in the
    // clinic must match λ × W for the whole network.
    let model = network_model(if long_tests() { 1_500_000 } else { 400_000 });
    let results = run(&model);
    let (la, lb) = (0.2 / 0.75, 0.2 / 0.75 * 0.25);
    let wqa = mmc_wq(1.0 / la, 2.0, 1);
    let wqb = mmc_wq(1.0 / lb, 5.0, 2);
    for (s, name, exact) in [(0, "A", la * wqa), (1, "B", lb * wqb)] {
        let lq: Vec<f64> = results
            .iter()
            .map(|r| r.stations[s].queue_area / r.window)
            .collect();
        assert_matches(&format!("Little's law at {name}: Lq = λ Wq"), &lq, exact);
    }
    let w = (wqa + 2.0) / 0.75 + (wqb + 5.0) * 0.25 / 0.75;
    let l: Vec<f64> = results
        .iter()
        .map(|r| r.in_system_area / r.window)
        .collect();
    assert_matches("Little's law for the clinic: L = λ W", &l, 0.2 * w);
    // And as a sample-path identity inside each replication: L / (λ̂ Ŵ) = 1 up to the patients
    // straddling the window's edges, a few in hundreds of thousands.
    for r in &results {
        let ratio = (r.in_system_area / r.window)
            / (r.time_in_system.count as f64 / r.window * r.time_in_system.mean());
        assert!(
            (ratio - 1.0).abs() < 1e-3,
            "replication {}: L / (λW) = {ratio}",
            r.replication
        );
    }
}

#[test]
fn balking_by_queue_length_matches_the_birth_death_chain() {
    // M/M/1, λ = 0.8, μ = 1, balking [0, 0.25, 0.5, 1] by the number waiting: a patient who
    // finds k in the system (k ≥ 1, so k − 1 waiting) joins with probability 1 − b[k − 1].
    // Stationary π_k ∝ Π λ_i/μ; by PASTA the balking share is Σ π_k b[k − 1], and Wq = Lq / λ_eff.
    let b = [0.0, 0.25, 0.5, 1.0];
    let (lambda, mu) = (0.8, 1.0);
    let mut weights = vec![1.0];
    for k in 0..4 {
        let join = if k == 0 { 1.0 } else { 1.0 - b[k - 1] };
        weights.push(weights[k] * lambda * join / mu);
    }
    let total: f64 = weights.iter().sum();
    let pi: Vec<f64> = weights.iter().map(|w| w / total).collect();
    let balk_share: f64 = (1..pi.len()).map(|k| pi[k] * b[(k - 1).min(3)]).sum();
    let lq: f64 = (1..pi.len()).map(|k| (k - 1) as f64 * pi[k]).sum();
    let wq = lq / (lambda * (1.0 - balk_share));
    let arrivals = if long_tests() { 2_000_000 } else { 400_000 };
    let model = Model::from_toml(&format!(
        "[scenario]\nname = \"balking M/M/1\"\n[run]\nmax_arrivals = {arrivals}\nwarm_up = \"2000min\"\nreplications = 20\nseed = 20261202\nsample_interval = \"0min\"\n\
         [[stations]]\nid = \"desk\"\nservers = 1\nbalking = [0.0, 0.25, 0.5, 1.0]\nservice = {{ dist = \"exponential\", mean = \"1min\" }}\n\
         [[arrivals]]\nid = \"a\"\nkind = \"poisson\"\nrate = \"0.8/min\"\npathway = \"p\"\n\
         [[pathways]]\nid = \"p\"\nsteps = [{{ id = \"desk\", station = \"desk\", next = \"exit\" }}]\n"
    ))
    .unwrap();
    let results = run(&model);
    let shares: Vec<f64> = results
        .iter()
        .map(|r| r.patients.balked as f64 / r.patients.arrived as f64)
        .collect();
    assert_matches("balking share", &shares, balk_share);
    assert_matches("Wq of those who join", &mean_waits(&results, 0), wq);
}

/// Service-level targets against their exact shares: in M/M/c the wait is at most t with
/// probability 1 − C(c, a)·e^(−(cμ − λ)t) (Erlang C), and in M/M/1 the time in system is
/// exponential with rate μ − λ, so P(T ≤ t) = 1 − e^(−(μ − λ)t). Targets count exactly those
/// patients, so each replication's share is the fraction of its patients meeting them.
#[test]
fn service_level_shares_match_erlang_c() {
    for (interarrival, service, c, t) in [(1.0, 4.0, 5, 2.0), (1.25, 1.0, 1, 3.0)] {
        let toml = format!(
            r#"
[scenario]
name = "targets"
[run]
max_arrivals = 100000
warm_up = "500min"
replications = 20
seed = 20261203
sample_interval = "0min"
[[stations]]
id = "s"
servers = {c}
service = {{ dist = "exponential", mean = "{service}min" }}
[[arrivals]]
id = "a"
kind = "poisson"
rate = "{rate}/min"
pathway = "p"
[[pathways]]
id = "p"
steps = [{{ id = "s", station = "s", next = "exit" }}]
[[targets]]
id = "wait"
metric = "wait"
station = "s"
within = "{t}min"
share = 0.9
[[targets]]
id = "stay"
metric = "time_in_system"
within = "{t}min"
share = 0.5
"#,
            rate = 1.0 / interarrival
        );
        let model = Model::from_toml(&toml).expect("valid scenario");
        let results = run(&model);
        let (lambda, mu) = (1.0 / interarrival, 1.0 / service);
        let cf = f64::from(c);
        let wait_share = 1.0 - erlang_c(c, lambda / mu) * (-(cf * mu - lambda) * t).exp();
        let share = |k: usize| -> Vec<f64> {
            results
                .iter()
                .map(|r| r.targets[k].met as f64 / r.targets[k].total as f64)
                .collect()
        };
        assert_matches(&format!("M/M/{c} P(Wq ≤ {t})"), &share(0), wait_share);
        if c == 1 {
            let stay_share = 1.0 - (-(mu - lambda) * t).exp();
            assert_matches(&format!("M/M/1 P(T ≤ {t})"), &share(1), stay_share);
        }
        // Every served patient is counted once by each target.
        for r in &results {
            assert_eq!(r.targets[0].total, r.stations[0].waits.count);
            assert_eq!(r.targets[1].total, r.time_in_system.count);
        }
    }
}

//! `carepath optimise`: the cheapest point whose constraints hold with 95% confidence, tested
//! on M/M/c against Erlang C, on the shipped consult-doctors study, and on bad input.

use crate::support::run_carepath;
use serde_json::Value;

/// Erlang C mean wait (min) of M/M/c with arrival rate `lambda` and service rate `mu` per
/// minute.
fn erlang_c_wait(lambda: f64, mu: f64, c: u32) -> f64 {
    let a = lambda / mu;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..c {
        term *= a / k as f64;
        sum += term;
    }
    let top = term * a / c as f64 / (1.0 - a / c as f64);
    let p_wait = top / (sum + top);
    p_wait / (c as f64 * mu - lambda)
}

const MMC: &str = r#"
[scenario]
name = "M/M/c, a = 5"
[run]
warm_up = "1000min"
run_length = "10000min"
seed = 3
replications = 10
sample_interval = "0min"
[[stations]]
id = "server"
servers = 6
service = { dist = "exponential", mean = "10min" }
[[arrivals]]
id = "arrivals"
kind = "poisson"
rate = "30/h"
pathway = "queue"
[[pathways]]
id = "queue"
steps = [{ id = "serve", station = "server", next = "exit" }]
"#;

const STUDY: &str = r#"
[sweep]
scenario = "mmc.toml"
[parameters]
"stations.server.servers" = { from = 6, to = 11, step = 1 }
[optimise]
[[optimise.constraints]]
metric = "stations.server.wait_min.mean"
at_most = 4.0
"#;

#[test]
fn fewest_servers_for_a_mean_wait_is_erlang_cs_answer() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mmc.toml"), MMC).unwrap();
    let study = dir.path().join("study.toml");
    std::fs::write(&study, STUDY).unwrap();
    let (lambda, mu) = (0.5, 0.1);
    let exact: u32 = (6..=11)
        .find(|&c| erlang_c_wait(lambda, mu, c) <= 4.0)
        .unwrap();
    assert_eq!(exact, 7, "Wq(6) = {}", erlang_c_wait(lambda, mu, 6));
    let out = dir.path().join("out");
    let o = run_carepath([
        "optimise",
        study.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(0);
    assert!(
        o.stdout
            .contains("Answer:    stations.server.servers = 7 (cost 7)"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout
            .contains("Runner-up: stations.server.servers = 8 (cost 8)"),
        "{}",
        o.stdout
    );
    let j: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("optimise.json")).unwrap()).unwrap();
    assert_eq!(j["answer"], 1);
    assert_eq!(j["runner_up"], 2);
    assert!((j["test_level"].as_f64().unwrap() - (1.0 - 0.05 / 6.0)).abs() < 1e-12);
    // The evidence agrees with Erlang C: 6 servers shown to miss (Wq 5.88 > 4), 7 and 8 to
    // meet, each interval holding the exact mean wait.
    let ev = j["evidence"].as_array().unwrap();
    assert_eq!(ev.len(), 3);
    for (e, c) in ev.iter().zip(6..) {
        let k = &e["constraints"][0];
        let (lo, hi) = (k["low"].as_f64().unwrap(), k["high"].as_f64().unwrap());
        let wq = erlang_c_wait(lambda, mu, c);
        assert!(lo <= wq && wq <= hi, "c = {c}: [{lo}, {hi}] misses {wq}");
        assert_eq!(e["verdict"], if c == 6 { "infeasible" } else { "feasible" });
    }
    // The same answer for any thread count, and with --quiet only the answer.
    let o1 = run_carepath(["optimise", study.to_str().unwrap(), "--threads", "1", "-q"]);
    let o2 = run_carepath(["optimise", study.to_str().unwrap(), "--threads", "2", "-q"]);
    o1.expect_no_panic().expect_code(0);
    assert_eq!(o1.stdout, "stations.server.servers = 7 (cost 7)\n");
    assert_eq!(o1.stdout, o2.stdout);
}

#[test]
fn the_shipped_study_answers_the_doctors_question() {
    let o = run_carepath(["optimise", "scenarios/studies/consult-doctors.toml"]);
    o.expect_no_panic().expect_code(0);
    assert!(
        o.stdout
            .contains("Answer:    stations.consult.servers[0].count = "),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("Runner-up: "), "{}", o.stdout);
    assert!(o.stdout.contains("<- answer"), "{}", o.stdout);
    // Open verdicts only where the share sits within a hair of 0.9.
    for line in o.stdout.lines().filter(|l| l.trim_end().ends_with("open")) {
        let mean: f64 = line.split_whitespace().nth(5).unwrap().parse().unwrap();
        assert!((mean - 0.9).abs() < 0.005, "{line}");
    }
}

#[test]
fn studies_without_a_question_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mmc.toml"), MMC).unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let none = write("none.toml", &STUDY[..STUDY.find("[optimise]").unwrap()]);
    let o = run_carepath(["optimise", &none]);
    o.expect_no_panic().expect_code(2);
    assert!(o.stderr.contains("no [optimise] table"), "{}", o.stderr);
    let metric = write("metric.toml", &STUDY.replace("wait_min.mean", "wait.mean"));
    let o = run_carepath(["optimise", &metric]);
    o.expect_no_panic().expect_code(2);
    assert!(o.stderr.contains("wait.mean"), "{}", o.stderr);
    // Nothing can meet it: the answer is "none", exit 1, with the evidence.
    let impossible = write(
        "impossible.toml",
        &STUDY.replace("at_most = 4.0", "at_most = 0.0"),
    );
    let o = run_carepath(["optimise", &impossible, "-r", "4"]);
    o.expect_no_panic().expect_code(1);
    assert!(o.stdout.contains("Answer:    none"), "{}", o.stdout);
    // The same study file still runs as a sweep ([optimise] is not in the way).
    let study = write("study.toml", STUDY);
    let o = run_carepath([
        "sweep",
        &study,
        "-q",
        "-r",
        "2",
        "--out",
        dir.path().join("s").to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(0);
}

//! `carepath warmup` and `run.warm_up = "auto"`: MSER-5 on replications started empty, tested
//! on an M/M/3 queue at 90% load (scenarios/warmup-mmc.toml) against its relaxation time
//! and its exact steady state (Erlang C).

use crate::support::run_carepath;
use serde_json::Value;

const MMC: &str = "scenarios/warmup-mmc.toml";
/// Relaxation time of M/M/3 with mu = 0.1/min, a = 2.7: 1 / (mu (sqrt(c) - sqrt(a))^2), min.
fn tau() -> f64 {
    1.0 / (0.1 * (3f64.sqrt() - 2.7f64.sqrt()).powi(2))
}
/// Erlang C for M/M/3, rho 0.9: mean number waiting and mean wait (min).
const LQ: f64 = 7.3535;
const WQ: f64 = 27.235;

fn json(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn relaxation_time_and_erlang_c_are_what_the_test_assumes() {
    assert!((tau() - 1265.8).abs() < 0.5, "{}", tau());
    // Erlang C: P(wait) = (a^c / c! / (1 - rho)) P0.
    let a: f64 = 2.7;
    let top = a.powi(3) / 6.0 / 0.1;
    let p_wait = top / (1.0 + a + a * a / 2.0 + top);
    assert!((p_wait * 9.0 - LQ).abs() < 1e-3);
    assert!((p_wait * 9.0 / 0.27 - WQ).abs() < 1e-2);
}

#[test]
fn warmup_finds_about_a_relaxation_time_on_mmc_started_empty() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_carepath([
        "warmup",
        MMC,
        "-r",
        "400",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(0);
    assert!(
        o.stdout.contains("MSER-5:   drop the first"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("Set it in [run]: warm_up = \""),
        "{}",
        o.stdout
    );
    let j = json(&dir.path().join("warmup.json"));
    let w = j["warm_up_min"].as_f64().unwrap();
    // The empty start's bias decays like exp(-t / tau); MSER-5 cuts where what is left is
    // smaller than the noise of 400 replications: between half a relaxation time and three.
    assert!(
        (0.5 * tau()..=3.0 * tau()).contains(&w),
        "warm-up {w} min, tau {} min",
        tau()
    );
    assert_eq!(j["conclusive"], true);
    assert_eq!(j["replications"], 400);
    // Truncating removes a bias: the kept samples' mean is above the whole run's, and near Lq.
    let kept = j["mean_after_warm_up"].as_f64().unwrap();
    let all = j["mean_whole_run"].as_f64().unwrap();
    assert!(all < kept && (kept - LQ).abs() < 0.4, "{kept} {all}");
    let csv = std::fs::read_to_string(dir.path().join("warmup.csv")).unwrap();
    assert_eq!(csv.lines().next(), Some("time_min,clock,mean,welch"));
    assert_eq!(
        csv.lines().count() - 1,
        j["samples"].as_u64().unwrap() as usize
    );
    for f in ["warmup.svg", "warmup.png"] {
        assert!(
            std::fs::metadata(dir.path().join(f)).unwrap().len() > 1000,
            "{f}"
        );
    }
}

#[test]
fn warmup_is_the_same_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for t in ["1", "2"] {
        let out = dir.path().join(t);
        let o = run_carepath([
            "warmup",
            MMC,
            "-r",
            "40",
            "--threads",
            t,
            "-q",
            "--out",
            out.to_str().unwrap(),
        ]);
        o.expect_no_panic().expect_code(0);
        files.push((
            o.stdout,
            std::fs::read(out.join("warmup.json")).unwrap(),
            std::fs::read(out.join("warmup.csv")).unwrap(),
        ));
    }
    assert!(files[0].0.starts_with("warm_up = \""), "{}", files[0].0);
    assert_eq!(files[0], files[1]);
}

#[test]
fn auto_warm_up_gives_erlang_c_after_it_and_a_bias_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let (auto, none) = (dir.path().join("auto"), dir.path().join("none"));
    let o = run_carepath(["run", MMC, "-r", "400", "--out", auto.to_str().unwrap()]);
    o.expect_no_panic().expect_code(0);
    assert!(
        o.stderr
            .contains("warm-up (auto, base): 21.25h by MSER-5 on 400 pilot replications"),
        "{}",
        o.stderr
    );
    let s = json(&auto.join("summary.json"));
    let st = &s["stations"]["server"];
    for (metric, exact) in [("queue_length", LQ), ("wait_min", WQ)] {
        let (lo, hi) = (
            st[metric]["ci95_low"].as_f64().unwrap(),
            st[metric]["ci95_high"].as_f64().unwrap(),
        );
        assert!(
            lo <= exact && exact <= hi,
            "{metric}: [{lo}, {hi}] misses {exact}"
        );
    }
    // The observation window stays run_length; the warm-up comes before it.
    assert_eq!(s["run"]["window_min"]["mean"], 14400.0);
    assert_eq!(s["run"]["end_time_min"]["mean"], 14400.0 + 1275.0);
    // Started empty with statistics from the start (the same patients): shorter queues.
    let o = run_carepath([
        "run",
        MMC,
        "-r",
        "400",
        "-q",
        "--set",
        "run.warm_up=0min",
        "--out",
        none.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(0);
    let biased = json(&none.join("summary.json"))["stations"]["server"]["queue_length"]["mean"]
        .as_f64()
        .unwrap();
    assert!(
        biased < st["queue_length"]["mean"].as_f64().unwrap() - 0.05,
        "{biased}"
    );
}

#[test]
fn what_cannot_be_read_is_a_named_error() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    // A clinic day is not a steady-state run.
    let o = run_carepath(["warmup", "scenarios/outpatient-clinic.toml"]);
    o.expect_no_panic().expect_code(2);
    assert!(
        o.stderr.contains("is for steady-state runs"),
        "{}",
        o.stderr
    );
    // Too short to settle: the queue is still rising in the first half.
    let o = run_carepath(["warmup", MMC, "-r", "400", "--length", "20h"]);
    o.expect_no_panic().expect_code(2);
    assert!(o.stdout.contains("no truncation point"), "{}", o.stdout);
    assert!(o.stderr.contains("no warm-up found"), "{}", o.stderr);
    let o = run_carepath(["warmup", MMC, "--station", "nurse"]);
    o.expect_no_panic().expect_code(2);
    assert!(
        o.stderr.contains("no station \"nurse\" (stations: server)"),
        "{}",
        o.stderr
    );
    let o = run_carepath(["warmup", MMC, "--length", "soon"]);
    o.expect_no_panic().expect_code(2);
    assert!(o.stderr.contains("--length"), "{}", o.stderr);
    // "auto" needs a steady-state run: a located scenario error.
    let text = std::fs::read_to_string(crate::support::workspace_root().join(MMC)).unwrap();
    let day = write(
        "day.toml",
        &text.replace("run_length = \"240h\"", "close = \"12:00\""),
    );
    let o = run_carepath(["run", &day]);
    o.expect_no_panic().expect_code(2);
    assert!(
        o.stderr
            .contains("run.warm_up: \"auto\" needs a steady-state run"),
        "{}",
        o.stderr
    );
    let o = run_carepath(["validate", &day]);
    o.expect_no_panic().expect_code(2);
    // An automatic warm-up the run is too short to find fails the run, not silently zero.
    let short = write(
        "short.toml",
        &text.replace("run_length = \"240h\"", "run_length = \"20h\""),
    );
    let o = run_carepath(["run", &short]);
    o.expect_no_panic().expect_code(2);
    assert!(
        o.stderr
            .contains("MSER-5 found no warm-up within the first half of the run"),
        "{}",
        o.stderr
    );
    // Sweeps take one warm-up for all points.
    let study = write(
        "study.toml",
        &format!(
            "[sweep]\nscenario = {:?}\nreplications = 2\n[parameters]\n\"stations.server.servers\" = [3, 4]\n",
            crate::support::workspace_root().join(MMC)
        ),
    );
    let o = run_carepath([
        "sweep",
        &study,
        "--out",
        dir.path().join("s").to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(2);
    assert!(o.stderr.contains("is not used in sweeps"), "{}", o.stderr);
}

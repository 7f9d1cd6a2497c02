//! End-to-end tests of the `carepath` command line on the benchmark scenario: result files,
//! the `summary.json` schema, sanity of the numbers, reproducibility (same seed, any thread
//! count), the printed table, `validate`, and exit codes for bad arguments.
//!
//! The binary is built and located by `crate::support::carepath_bin` (see `tests/lib.rs` and `main.rs` here).
//! Runs are capped at 20 000 arrivals × 3 replications (about 0.3 s in a debug build); the
//! reference run is shared between tests through a `OnceLock`.

use crate::support::{Outcome, run_carepath};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

const BENCH: &str = "scenarios/benchmark.toml";
/// Station ids of the benchmark, in file order.
const STATIONS: [&str; 4] = ["registration", "consult", "lab", "payment"];
const ARRIVALS: f64 = 20_000.0;
const RESULT_FILES: [&str; 3] = ["queue_length.csv", "stations.csv", "summary.json"];

/// What one `carepath run … --out DIR` left behind.
struct RunFiles {
    outcome: Outcome,
    /// Every entry in DIR after the run (including hidden ones).
    names: BTreeSet<String>,
    summary_bytes: Vec<u8>,
    stations_csv: String,
    queue_csv: String,
}

impl RunFiles {
    fn summary(&self) -> Value {
        serde_json::from_slice(&self.summary_bytes).expect("summary.json is valid JSON")
    }
}

/// `carepath run scenarios/benchmark.toml --max-arrivals 20000 --replications 3 --quiet
/// --out DIR` plus `extra`, into a fresh directory that the run itself must create.
fn bench_run(extra: &[&str]) -> RunFiles {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("results").join("today");
    let mut args: Vec<&str> = vec![
        "run",
        BENCH,
        "--max-arrivals",
        "20000",
        "--replications",
        "3",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let outcome = run_carepath(&args);
    outcome.expect_no_panic().expect_code(0);
    let names = std::fs::read_dir(&out)
        .unwrap_or_else(|e| panic!("output directory {} missing: {e}", out.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let read = |n: &str| std::fs::read(out.join(n)).unwrap_or_else(|e| panic!("{n}: {e}"));
    RunFiles {
        outcome,
        names,
        summary_bytes: read("summary.json"),
        stations_csv: String::from_utf8(read("stations.csv")).unwrap(),
        queue_csv: String::from_utf8(read("queue_length.csv")).unwrap(),
    }
}

/// The reference run: default seed (2026 from the file), two worker threads.
fn reference() -> &'static RunFiles {
    static R: OnceLock<RunFiles> = OnceLock::new();
    R.get_or_init(|| bench_run(&["--threads", "2"]))
}

/// The value at a dotted path such as `stations.lab.wait_min.p90`.
fn at<'a>(v: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(v, |v, k| {
        v.get(k)
            .unwrap_or_else(|| panic!("summary.json has no `{path}` (missing `{k}`)"))
    })
}

/// The number at a dotted path (panics if missing or not a number).
fn num(v: &Value, path: &str) -> f64 {
    at(v, path)
        .as_f64()
        .unwrap_or_else(|| panic!("`{path}` is not a number: {}", at(v, path)))
}

fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "{what} = {got}, expected {want} ± {tol}"
    );
}

/// A mean with a 95% interval: all three present, finite and ordered.
fn check_interval(s: &Value, path: &str) {
    let (lo, m, hi) = (
        num(s, &format!("{path}.ci95_low")),
        num(s, &format!("{path}.mean")),
        num(s, &format!("{path}.ci95_high")),
    );
    assert!(
        lo.is_finite() && hi.is_finite() && lo <= m && m <= hi,
        "{path}: interval [{lo}, {hi}] around mean {m}"
    );
}

/// A time metric: mean with interval, and ordered pooled percentiles.
fn check_time_metric(s: &Value, path: &str) {
    check_interval(s, path);
    let q = |k: &str| num(s, &format!("{path}.{k}"));
    let (p50, p90, p95, max) = (q("p50"), q("p90"), q("p95"), q("max"));
    assert!(
        0.0 <= p50 && p50 <= p90 && p90 <= p95 && p95 <= max,
        "{path}: percentiles out of order: p50 {p50}, p90 {p90}, p95 {p95}, max {max}"
    );
    assert!(q("mean") >= 0.0, "{path}.mean is negative");
}

/// Patient counts: arrived = completed + balked + reneged + unfinished (the identity holds
/// per replication, hence for the means up to rounding).
fn check_patient_identity(s: &Value, path: &str) {
    let n = |k: &str| num(s, &format!("{path}.{k}.mean"));
    let parts = n("completed") + n("balked") + n("reneged") + n("unfinished");
    assert_close(
        &format!("{path}: completed+balked+reneged+unfinished"),
        parts,
        n("arrived"),
        1e-6,
    );
    for k in [
        "arrived",
        "completed",
        "balked",
        "reneged",
        "unfinished",
        "no_shows",
    ] {
        assert!(n(k) >= 0.0, "{path}.{k} is negative");
    }
}

#[test]
fn quiet_run_writes_exactly_the_three_result_files() {
    let r = reference();
    assert_eq!(r.outcome.stdout, "", "--quiet must print nothing on stdout");
    assert_eq!(
        r.outcome.stderr, "",
        "--quiet must print nothing but errors"
    );
    let expected: BTreeSet<String> = RESULT_FILES.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        r.names, expected,
        "the output directory must hold the three result files and no temporary leftovers"
    );
    assert!(r.summary_bytes.ends_with(b"}\n"));
}

#[test]
fn summary_json_has_the_documented_fields() {
    let s = reference().summary();
    assert_eq!(
        num(&s, "schema_version"),
        f64::from(sim_core::summary::SCHEMA_VERSION)
    );
    assert_eq!(num(&s, "replications"), 3.0);
    assert_eq!(num(&s, "seed"), 2026.0);
    let stations = at(&s, "stations").as_object().unwrap();
    assert_eq!(
        stations.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        STATIONS.into_iter().collect::<BTreeSet<_>>()
    );
    for id in STATIONS {
        let w = format!("stations.{id}.wait_min");
        for k in ["mean", "ci95_low", "ci95_high", "p50", "p90", "p95"] {
            num(&s, &format!("{w}.{k}"));
        }
        check_time_metric(&s, &w);
        let u = format!("stations.{id}.utilisation");
        for k in ["mean", "ci95_low", "ci95_high"] {
            let x = num(&s, &format!("{u}.{k}"));
            assert!((0.0..=1.0).contains(&x), "{u}.{k} = {x} is not a fraction");
        }
        check_interval(&s, &u);
    }
    for k in ["mean", "ci95_low", "ci95_high", "p50", "p90", "p95"] {
        num(&s, &format!("time_in_system_min.{k}"));
    }
    check_time_metric(&s, "time_in_system_min");
    check_patient_identity(&s, "patients");

    // One class (the default `patient`): its entry mirrors the totals.
    let classes = at(&s, "classes").as_object().unwrap();
    assert_eq!(classes.keys().collect::<Vec<_>>(), ["patient"]);
    check_patient_identity(&s, "classes.patient.patients");
    check_time_metric(&s, "classes.patient.time_in_system_min");
    for k in ["arrived", "completed", "balked", "reneged", "unfinished"] {
        assert_eq!(
            num(&s, &format!("classes.patient.patients.{k}.mean")),
            num(&s, &format!("patients.{k}.mean")),
            "class `patient` count {k} differs from the total"
        );
    }
    assert_eq!(
        at(&s, "classes.patient.time_in_system_min"),
        at(&s, "time_in_system_min")
    );
}

#[test]
fn summary_numbers_are_sane() {
    let s = reference().summary();
    // The cap is exact: every replication admits exactly 20 000 patients (sd 0), and with
    // no stop time, no capacity limit and no patience, all of them finish.
    assert_eq!(num(&s, "patients.arrived.mean"), ARRIVALS);
    assert_eq!(num(&s, "patients.arrived.sd"), 0.0);
    assert_eq!(num(&s, "patients.completed.mean"), ARRIVALS);
    for k in ["balked", "reneged", "unfinished", "no_shows"] {
        assert_eq!(num(&s, &format!("patients.{k}.mean")), 0.0, "{k}");
    }
    assert_eq!(num(&s, "time_in_system_min.observations"), 3.0 * ARRIVALS);

    // Utilisation, exact by flow balance (λ = 10/min): registration 10·0.3/4 = 0.75,
    // consult 10·(1 + 0.5·0.5)/15 = 0.833, lab 10·0.5·0.5/3 = 0.833, payment 0.75.
    //
    // Tolerance 0.03. Each replication covers ~2000 simulated minutes; the per-replication
    // standard deviation of a utilisation is ~0.007 (0.012 at the lab) — measured over 40
    // replications, and consistent with the reported 95% CI: half-width ≈ t(0.975, 2)·sd/√3
    // = 4.30·0.007/1.73 ≈ 0.018 (≈ 0.03 at the lab). The mean of 3 replications thus has
    // sd ≈ 0.004 (0.007), so ±0.03 is ≥ 4 sd at every station — it does not depend on the
    // seed — while a wrong service rate (±10% moves utilisation by ≥ 0.075) or a wrong
    // server count (3 or 5 clerks: 1.0 or 0.6) fails. Counting the final drain (servers idle
    // after the last arrival) biases utilisation down by only ~0.002.
    let exact = [0.75, 12.5 / 15.0, 2.5 / 3.0, 0.75];
    for (id, rho) in STATIONS.iter().zip(exact) {
        let u = format!("stations.{id}.utilisation");
        assert_close(
            &format!("{u}.mean"),
            num(&s, &format!("{u}.mean")),
            rho,
            0.03,
        );
        let half = (num(&s, &format!("{u}.ci95_high")) - num(&s, &format!("{u}.ci95_low"))) / 2.0;
        assert!(
            half > 0.0 && half < 0.06,
            "{u}: CI half-width {half} is implausible for 3 × 20000 arrivals"
        );
    }

    // Visits: one registration and one payment per patient exactly; consult 1.5 and lab 0.5
    // per patient on average (binomial sd per replication √(20000·¼) ≈ 71).
    assert_eq!(num(&s, "stations.registration.visits.mean"), ARRIVALS);
    assert_eq!(num(&s, "stations.payment.visits.mean"), ARRIVALS);
    assert_close(
        "consult visits",
        num(&s, "stations.consult.visits.mean"),
        1.5 * ARRIVALS,
        300.0,
    );
    assert_close(
        "lab visits",
        num(&s, "stations.lab.visits.mean"),
        0.5 * ARRIVALS,
        300.0,
    );

    // Registration is an exact M/M/4 queue: Wq = 0.152830 min. Per-replication sd of the
    // mean wait ≈ 0.013 (measured), so the 3-replication mean has sd ≈ 0.0075; ±0.04 ≈ 5 sd.
    assert_close(
        "registration wait",
        num(&s, "stations.registration.wait_min.mean"),
        0.152830,
        0.04,
    );

    // Time in system: at least the mean service content 0.3 + 1 + 0.5·(0.5 + 0.5) + 0.3 =
    // 2.1 min, plus modest waits (≈ 2.95 min in long runs).
    let t = num(&s, "time_in_system_min.mean");
    assert!((2.1..4.0).contains(&t), "mean time in system {t} min");
}

#[test]
fn stations_csv_agrees_with_summary_json() {
    let r = reference();
    let s = r.summary();
    let mut lines = r.stations_csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("stations.csv has no column {name}: {header:?}"))
    };
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows.iter().map(|r| r[col("station")]).collect::<Vec<_>>(),
        STATIONS,
        "one row per station, in file order"
    );
    for row in &rows {
        assert_eq!(row.len(), header.len(), "ragged row {row:?}");
        let id = row[col("station")];
        for (csv, json) in [
            ("wait_mean_min", "wait_min.mean"),
            ("wait_p90_min", "wait_min.p90"),
            ("utilisation_mean", "utilisation.mean"),
            ("utilisation_ci95_low", "utilisation.ci95_low"),
            ("visits_mean", "visits.mean"),
        ] {
            // Both files print the shortest round-trip decimal, but serde_json (without its
            // `float_roundtrip` feature) may parse it 1 ulp off: compare to 1e-14 relative.
            let v: f64 = row[col(csv)].parse().unwrap();
            let j = num(&s, &format!("stations.{id}.{json}"));
            assert!(
                (v - j).abs() <= 1e-14 * v.abs().max(j.abs()),
                "{id} {csv}: csv {v} vs json {j}"
            );
        }
    }
}

#[test]
fn queue_length_csv_has_its_header() {
    // The benchmark sets sample_interval = "0min": the series is off, only the header remains.
    assert_eq!(
        reference().queue_csv,
        "time_min,clock,station,mean,p05,p95\n"
    );
}

#[test]
fn same_seed_gives_byte_identical_results() {
    let again = bench_run(&["--threads", "2"]);
    let r = reference();
    assert!(
        again.summary_bytes == r.summary_bytes,
        "summary.json differs between two identical runs"
    );
    assert_eq!(again.stations_csv, r.stations_csv);
}

#[test]
fn thread_count_does_not_change_results() {
    let one = bench_run(&["--threads", "1"]);
    let r = reference(); // --threads 2
    assert!(
        one.summary_bytes == r.summary_bytes,
        "summary.json differs between --threads 1 and --threads 2"
    );
    assert_eq!(one.stations_csv, r.stations_csv);
    assert_eq!(one.queue_csv, r.queue_csv);
}

#[test]
fn a_different_seed_gives_different_results() {
    let other = bench_run(&["--seed", "7", "--threads", "2"]);
    let r = reference();
    assert!(
        other.summary_bytes != r.summary_bytes,
        "--seed 7 produced the same summary.json as seed 2026"
    );
    let (a, b) = (other.summary(), r.summary());
    assert_eq!(num(&a, "seed"), 7.0);
    assert_ne!(
        num(&a, "stations.registration.wait_min.mean"),
        num(&b, "stations.registration.wait_min.mean"),
        "the seed must change the random draws, not only the `seed` field"
    );
}

#[test]
fn non_quiet_run_prints_a_table_with_every_station() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run_carepath([
        "run",
        BENCH,
        "--max-arrivals",
        "2000",
        "--replications",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(0);
    assert_eq!(o.stderr, "", "no warnings are expected for the benchmark");
    assert!(
        o.stdout.contains("Benchmark: outpatient-net-v1"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("2 replications"), "{}", o.stdout);
    let header = o
        .stdout
        .lines()
        .find(|l| l.starts_with("station "))
        .unwrap_or_else(|| panic!("no table header in:\n{}", o.stdout));
    assert!(header.contains("utilisation"), "{header}");
    for id in STATIONS {
        assert!(
            o.stdout
                .lines()
                .any(|l| l.split_whitespace().next() == Some(id)),
            "no table row for station {id} in:\n{}",
            o.stdout
        );
    }
    assert!(
        o.stdout.contains(&format!("wrote {}", out.display())),
        "{}",
        o.stdout
    );
    assert!(out.join("summary.json").is_file());
}

#[test]
fn zero_replications_is_an_input_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run_carepath([
        "run",
        BENCH,
        "--replications",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(2);
    assert!(o.stderr.starts_with("error: "), "{}", o.stderr);
    assert!(
        o.stderr.contains("--replications") && o.stderr.contains("between 1 and"),
        "{}",
        o.stderr
    );
    assert!(
        !out.exists(),
        "nothing may be written when the input is rejected"
    );
}

#[test]
fn other_bad_run_arguments_are_input_errors() {
    let limit = sim_core::model::MAX_REPLICATIONS.to_string();
    let over = (sim_core::model::MAX_REPLICATIONS + 1).to_string();
    for (args, words) in [
        (
            vec!["run", BENCH, "--replications", over.as_str()],
            vec!["--replications", limit.as_str()],
        ),
        (
            vec!["run", BENCH, "--max-arrivals", "0"],
            vec!["--max-arrivals", "at least 1"],
        ),
        (vec!["run", BENCH, "--replications", "-1"], vec!["-1"]),
        (vec!["run", BENCH, "--no-such-flag"], vec!["--no-such-flag"]),
        (vec!["run"], vec!["SCENARIO"]),
        (vec!["frobnicate", BENCH], vec!["frobnicate"]),
    ] {
        let o = run_carepath(&args);
        o.expect_no_panic();
        assert_eq!(o.code, Some(2), "{args:?}: {o:#?}");
        for w in words {
            assert!(
                o.stderr.contains(w),
                "{args:?}: stderr lacks {w:?}: {}",
                o.stderr
            );
        }
    }
}

#[test]
fn unwritable_output_is_an_error_but_not_an_input_error() {
    let tmp = tempfile::tempdir().unwrap();
    let blocker = tmp.path().join("not_a_dir");
    std::fs::write(&blocker, "x").unwrap();
    let o = run_carepath([
        "run",
        BENCH,
        "--max-arrivals",
        "100",
        "--quiet",
        "--out",
        blocker.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(1);
    assert!(o.stderr.contains("writing results to"), "{}", o.stderr);
    assert_eq!(std::fs::read(&blocker).unwrap(), b"x");
}

#[test]
fn validate_benchmark_prints_ok_and_the_load_lines() {
    let o = run_carepath(["validate", BENCH]);
    o.expect_no_panic().expect_code(0);
    assert_eq!(o.stderr, "");
    let mut lines = o.stdout.lines();
    let first = lines.next().unwrap_or_default();
    assert!(first.starts_with(&format!("{BENCH}: ok")), "{first}");
    for part in ["4 stations", "1 pathway", "1 arrival stream", "1 class"] {
        assert!(first.contains(part), "{first:?} lacks {part:?}");
    }
    // One load line per station, in file order, with the exact offered load and percentage.
    let load: Vec<&str> = lines.collect();
    let expected = [
        ("registration", "3.00", "4", "(75%)"),
        ("consult", "12.50", "15", "(83%)"),
        ("lab", "2.50", "3", "(83%)"),
        ("payment", "3.00", "4", "(75%)"),
    ];
    assert_eq!(load.len(), expected.len(), "{}", o.stdout);
    for (line, (id, busy, servers, pct)) in load.iter().zip(expected) {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words.first(), Some(&id), "{line}");
        assert!(line.contains("peak offered load"), "{line}");
        assert!(words.contains(&busy) && words.contains(&servers), "{line}");
        assert!(line.ends_with(pct), "{line}");
    }
    assert!(!o.stdout.contains("warning"), "{}", o.stdout);
}

#[test]
fn missing_scenario_file_is_an_input_error() {
    let missing = "scenarios/no-such-scenario.toml";
    assert!(!crate::support::workspace_root().join(missing).exists());
    for cmd in ["validate", "run"] {
        let o = run_carepath([cmd, missing]);
        o.expect_no_panic().expect_code(2);
        assert!(
            o.stderr.contains("cannot read scenario") && o.stderr.contains(missing),
            "{cmd}: {}",
            o.stderr
        );
        assert_eq!(o.stdout, "");
    }
}

#[test]
fn a_directory_is_not_a_scenario() {
    let o = run_carepath(["validate", "scenarios"]);
    o.expect_no_panic().expect_code(2);
    assert!(o.stderr.contains("cannot read scenario"), "{}", o.stderr);
}

#[test]
fn binary_is_found_and_reports_its_version() {
    let bin: &Path = crate::support::carepath_bin();
    assert!(bin.is_absolute(), "{}", bin.display());
    let o = run_carepath(["--version"]);
    o.expect_code(0);
    assert_eq!(
        o.stdout.trim(),
        format!("carepath {}", env!("CARGO_PKG_VERSION"))
    );
}

// ---------------------------------------------------------------------------------------------
// Hardening (issue 12): outputs, CSV, terminal text, closed pipes, help, warnings.

/// A small valid scenario: one desk, walk-ins until `close`, with the given scenario name,
/// station id and station name (TOML basic-string escapes allowed), plus `extra_run` lines in
/// `[run]` and `extra` tables at the end.
fn tiny(name: &str, station: &str, station_name: &str, extra_run: &str, extra: &str) -> String {
    format!(
        "[scenario]\nname = \"{name}\"\n\n[run]\nclose = \"10:00\"\nreplications = 2\n{extra_run}\n\n\
         [[stations]]\nid = \"{station}\"\nname = \"{station_name}\"\nservers = 2\n\
         service = {{ dist = \"exponential\", mean = \"4min\" }}\n\n\
         [[arrivals]]\nid = \"walk_ins\"\nkind = \"poisson\"\nrate = \"20/h\"\npathway = \"visit\"\n\n\
         [[pathways]]\nid = \"visit\"\nsteps = [{{ id = \"check_in\", station = \"{station}\", next = \"exit\" }}]\n{extra}"
    )
}

fn write_scenario(dir: &Path, text: &str) -> String {
    let p = dir.join("s.toml");
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

fn names_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_failure_while_moving_results_into_place_keeps_every_old_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("summary.json"), "old summary").unwrap();
    std::fs::write(out.join("queue_length.csv"), "old queue").unwrap();
    // stations.csv is a non-empty directory: summary.json is moved first, then moving
    // stations.csv fails for real, and summary.json must be put back.
    std::fs::create_dir_all(out.join("stations.csv").join("blocker")).unwrap();
    let o = run_carepath([
        "run",
        BENCH,
        "--max-arrivals",
        "200",
        "-r",
        "1",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(1);
    assert!(
        o.stderr.contains("previous results are unchanged"),
        "{}",
        o.stderr
    );
    assert_eq!(
        std::fs::read_to_string(out.join("summary.json")).unwrap(),
        "old summary"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("queue_length.csv")).unwrap(),
        "old queue"
    );
    assert!(out.join("stations.csv").join("blocker").is_dir());
    assert_eq!(
        names_in(tmp.path()),
        BTreeSet::from(["out".to_string()]),
        "no staging left"
    );
    assert_eq!(
        names_in(&out),
        ["queue_length.csv", "stations.csv", "summary.json"]
            .map(String::from)
            .into()
    );
}

#[test]
fn charts_that_cannot_be_written_keep_the_run_files_from_changing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("summary.json"), "old summary").unwrap();
    let charts = tmp.path().join("charts");
    std::fs::write(&charts, "a file, not a directory").unwrap();
    let o = run_carepath([
        "run",
        BENCH,
        "--max-arrivals",
        "200",
        "-r",
        "1",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
        "--charts",
        charts.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(1);
    assert_eq!(
        std::fs::read_to_string(out.join("summary.json")).unwrap(),
        "old summary"
    );
    assert_eq!(names_in(&out), BTreeSet::from(["summary.json".to_string()]));
    assert_eq!(
        names_in(tmp.path()),
        BTreeSet::from(["charts".to_string(), "out".to_string()])
    );
}

/// A calendar week's `--charts` include waiting and overtime by day, and its report shows that
/// chart with the days' weekday, date, overtime and the closed Sunday; a run of one day has no
/// such chart.
#[test]
fn a_calendar_week_gets_the_by_day_chart_and_its_days_in_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    let week = "scenarios/clinic-week.toml";
    let charts = tmp.path().join("charts");
    let o = run_carepath([
        "run",
        week,
        "-r",
        "2",
        "--quiet",
        "--charts",
        charts.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(0);
    let names = names_in(&charts);
    assert!(
        names.contains("by_day.svg") && names.contains("by_day.png"),
        "{names:?}"
    );
    let report = tmp.path().join("week.html");
    let o = run_carepath([
        "report",
        week,
        "-r",
        "2",
        "--quiet",
        "--variants",
        "overtime,send_home",
        "-o",
        report.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(0);
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("<figure id=\"by_day\">"));
    assert!(html.contains("<th>overtime (staff-hours)</th>"));
    assert!(html.contains("<th>sent home unseen</th>"));
    assert!(
        html.contains(
            "<td>7</td><td>Sun</td><td>2026-03-08</td><td colspan=6 class=closed>closed</td>"
        ),
        "the closed Sunday"
    );
    let one = tmp.path().join("one");
    let o = run_carepath([
        "run",
        BENCH,
        "--max-arrivals",
        "200",
        "-r",
        "1",
        "--quiet",
        "--charts",
        one.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(0);
    assert!(!names_in(&one).contains("by_day.svg"));
}

#[test]
fn csv_cells_from_the_scenario_are_quoted_and_neutralised() {
    let tmp = tempfile::tempdir().unwrap();
    let s = write_scenario(
        tmp.path(),
        &tiny("csv", "=cmd\\r|x", "-2+3 desk, west", "", ""),
    );
    let out = tmp.path().join("out");
    run_carepath(["run", &s, "--quiet", "--out", out.to_str().unwrap()])
        .expect_no_panic()
        .expect_code(0);
    let csv = std::fs::read_to_string(out.join("stations.csv")).unwrap();
    let row = csv.split_once('\n').unwrap().1;
    assert!(
        row.starts_with("\"'=cmd\r|x\",\"'-2+3 desk, west\","),
        "the id (with its CR) and the name are one quoted, neutralised cell each: {row:?}"
    );
    // The CR is inside quotes, so the file still has one header and one row.
    assert_eq!(csv.matches('\n').count(), 2, "{csv:?}");
    let header = csv.lines().next().unwrap();
    assert!(header.contains("utilisation_mean"), "{header}");
    let queue = std::fs::read_to_string(out.join("queue_length.csv")).unwrap();
    assert!(queue.contains(",\"'=cmd\r|x\","), "{queue:?}");
}

#[test]
fn control_characters_in_names_never_reach_the_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let s = write_scenario(
        tmp.path(),
        &tiny(
            "ward\\u001b[2J\\r\\u0007\\u0000",
            "desk\\u001b]0;x\\u0007",
            "d",
            "",
            "",
        ),
    );
    for args in [vec!["run", s.as_str()], vec!["validate", s.as_str()]] {
        let o = run_carepath(&args);
        o.expect_no_panic().expect_code(0);
        for text in [&o.stdout, &o.stderr] {
            assert!(
                !text.contains(['\u{1b}', '\r', '\u{7}', '\u{0}']),
                "{args:?}: raw control character printed: {text:?}"
            );
        }
        assert!(o.stdout.contains("\\u{1b}"), "{args:?}: {}", o.stdout);
    }
    let o = run_carepath(["run", &s]);
    assert!(
        o.stdout.contains("ward\\u{1b}[2J\\u{d}\\u{7}\\u{0}"),
        "{}",
        o.stdout
    );
    // Error messages are cleaned too.
    let o = run_carepath(["run", &s, "--variant", "v\u{1b}[1m"]);
    o.expect_no_panic().expect_code(2);
    assert!(!o.stderr.contains('\u{1b}'), "{:?}", o.stderr);
}

/// Runs carepath with its standard output a pipe whose reading end is already closed.
fn with_closed_stdout(args: &[&str]) -> crate::support::Outcome {
    use std::process::Stdio;
    let mut child = crate::support::carepath(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // like `| head -0`: every write gets EPIPE
    let out = child.wait_with_output().unwrap();
    crate::support::Outcome {
        code: out.status.code(),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn a_closed_pipe_ends_output_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let clinic = "tests/fixtures/workflow/clinic.toml";
    for args in [
        vec!["validate", "scenarios/future-hospital.toml"],
        vec![
            "run",
            BENCH,
            "--max-arrivals",
            "500",
            "-r",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
        vec!["compare", clinic, "-r", "2"],
        vec!["--help"],
    ] {
        let o = with_closed_stdout(&args);
        o.expect_no_panic();
        assert_eq!(o.code, Some(0), "{args:?}: {o:#?}");
        assert!(!o.stderr.contains("Broken pipe"), "{args:?}: {}", o.stderr);
    }
    // The run carried on and wrote its files although nobody read the table.
    assert!(out.join("summary.json").is_file());
}

#[test]
fn top_level_help_lists_every_command_with_examples_and_the_docs() {
    let o = run_carepath(["--help"]);
    o.expect_code(0);
    for cmd in ["run", "validate", "compare", "report", "check"] {
        assert!(
            o.stdout.lines().any(|l| l.trim_start().starts_with(cmd)),
            "{cmd} missing from:\n{}",
            o.stdout
        );
    }
    for part in [
        "Examples:",
        "carepath run ",
        "docs/regression-checks.md",
        "-o/--out",
    ] {
        assert!(
            o.stdout.contains(part),
            "{part:?} missing from:\n{}",
            o.stdout
        );
    }
}

#[test]
fn run_table_puts_units_in_a_header_line_and_never_prints_minus_zero() {
    let o = run_carepath(["run", BENCH, "--max-arrivals", "500", "-r", "2"]);
    o.expect_no_panic().expect_code(0);
    let header = o
        .stdout
        .lines()
        .find(|l| l.starts_with("station "))
        .unwrap();
    assert!(!header.split_whitespace().any(|w| w == "min"), "{header}");
    assert!(
        o.stdout.contains("waits and service in minutes"),
        "{}",
        o.stdout
    );
    let minus_zero = o
        .stdout
        .split(|c: char| c.is_whitespace() || "[],%/".contains(c))
        .filter(|w| w.starts_with('-'))
        .find(|w| w.parse::<f64>() == Ok(0.0));
    assert_eq!(minus_zero, None, "{}", o.stdout);
}

#[test]
fn unfinished_patients_are_announced_at_the_top_of_the_table() {
    let tmp = tempfile::tempdir().unwrap();
    // A slow desk and a hard stop at closing time: patients are still waiting at the end.
    let s = write_scenario(
        tmp.path(),
        &tiny("busy", "desk", "Desk", "hard_stop = \"10:00\"", "").replace("\"4min\"", "\"9min\""),
    );
    let o = run_carepath(["run", &s]);
    o.expect_no_panic().expect_code(0);
    let warning = o.stdout.lines().position(|l| l.starts_with("WARNING: "));
    let table = o.stdout.lines().position(|l| l.starts_with("station "));
    assert!(
        matches!((warning, table), (Some(w), Some(t)) if w < t && w <= 2),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("still in the clinic"), "{}", o.stdout);
    // Without unfinished patients there is no such line.
    let o = run_carepath(["run", BENCH, "--max-arrivals", "300", "-r", "1"]);
    assert!(!o.stdout.contains("WARNING"), "{}", o.stdout);
}

/// The `warning: ` lines of an outcome (either stream), without the `(in: …)` tail.
fn warnings(text: &str) -> Vec<(String, Option<String>)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("warning: "))
        .map(|w| match w.rsplit_once(" (in: ") {
            Some((w, labels)) => (
                w.to_string(),
                Some(labels.trim_end_matches(')').to_string()),
            ),
            None => (w.to_string(), None),
        })
        .collect()
}

#[test]
fn every_command_prints_the_same_warnings_for_the_same_model() {
    const FUTURE: &str = "scenarios/future-hospital.toml";
    let validate = run_carepath(["validate", FUTURE]);
    validate.expect_no_panic().expect_code(0);
    let listed = warnings(&validate.stdout);
    assert!(!listed.is_empty(), "{}", validate.stdout);
    let expected_for = |variant: &str| -> BTreeSet<String> {
        listed
            .iter()
            .filter(|(_, labels)| {
                labels
                    .as_ref()
                    .is_none_or(|l| l.split(", ").any(|x| x == variant))
            })
            .map(|(w, _)| w.clone())
            .collect()
    };
    for variant in ["paper", "digital"] {
        let o = run_carepath(["run", FUTURE, "--variant", variant, "-r", "1"]);
        o.expect_no_panic().expect_code(0);
        let got: BTreeSet<String> = warnings(&o.stderr).into_iter().map(|w| w.0).collect();
        assert_eq!(got, expected_for(variant), "run --variant {variant}");
    }
    // compare and report on the same variants print the same lines.
    let tmp = tempfile::tempdir().unwrap();
    let cmp = run_carepath(["compare", FUTURE, "--variants", "paper,digital", "-r", "1"]);
    cmp.expect_no_panic().expect_code(0);
    let html = tmp.path().join("r.html");
    let rep = run_carepath([
        "report",
        FUTURE,
        "--variants",
        "paper,digital",
        "-r",
        "1",
        "-o",
        html.to_str().unwrap(),
    ]);
    rep.expect_no_panic().expect_code(0);
    assert!(html.is_file());
    assert!(!warnings(&cmp.stderr).is_empty(), "{}", cmp.stderr);
    assert_eq!(warnings(&cmp.stderr), warnings(&rep.stderr));
    // And each of them is one validate lists for that variant.
    for (w, labels) in warnings(&cmp.stderr) {
        let variants: Vec<String> = labels.map_or(vec!["paper".into(), "digital".into()], |l| {
            l.split(", ").map(String::from).collect()
        });
        for v in variants {
            assert!(expected_for(&v).contains(&w), "{v}: {w}");
        }
    }
}

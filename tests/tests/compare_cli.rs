//! End-to-end tests of `carepath run --variant` and `carepath compare` on the workflow test
//! clinic: the comparison JSON has the documented shape, the printed table shows every variant
//! and the breakdown, variants validate, and mistakes are input errors.

use carepath_tests::run_carepath;
use serde_json::Value;

const CLINIC: &str = "tests/fixtures/workflow/clinic.toml";

#[test]
fn compare_writes_the_documented_json_and_prints_every_variant() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let o = run_carepath([
        "compare",
        CLINIC,
        "--replications",
        "4",
        "--out",
        out.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(0);
    for v in [
        "paper",
        "digital",
        "digital_50pct",
        "digital_fewer_cashiers",
    ] {
        assert!(o.stdout.contains(v), "{}", o.stdout);
    }
    assert!(o.stdout.contains("Where the time goes"), "{}", o.stdout);
    assert!(
        o.stdout.contains("queueing at registration"),
        "{}",
        o.stdout
    );
    let c: Value =
        serde_json::from_slice(&std::fs::read(out.join("comparison.json")).unwrap()).unwrap();
    assert_eq!(c["schema_version"], 1);
    assert_eq!(c["replications"], 4);
    assert_eq!(c["order"].as_array().unwrap().len(), 4);
    // Each variant carries the summary.json fields.
    let digital = &c["variants"]["digital"];
    assert_eq!(digital["variant"], "digital");
    assert!(digital["time_in_system_min"]["p90"].is_number());
    assert!(digital["stations"]["cashier"]["wait_min"]["ci95_low"].is_number());
    let b = &c["breakdown"]["paper"];
    let parts: f64 = b["queueing_min"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_f64().unwrap())
        .sum::<f64>()
        + b["service_min"].as_f64().unwrap()
        + b["delay_min"].as_f64().unwrap()
        + b["other_min"].as_f64().unwrap();
    assert!((parts - b["time_in_system_min"].as_f64().unwrap()).abs() < 1e-9);
    let diffs = c["differences"].as_array().unwrap();
    assert_eq!(
        diffs
            .iter()
            .filter(|d| d["metric"] == "time_in_system_min.mean")
            .count(),
        6,
        "every pair of 4 variants"
    );
    let d = diffs
        .iter()
        .find(|d| {
            d["a"] == "paper" && d["b"] == "digital" && d["metric"] == "time_in_system_min.mean"
        })
        .unwrap();
    assert!(
        d["difference"]["ci95_high"].as_f64().unwrap() < 0.0,
        "digital is faster: {d}"
    );
    assert!(d["independent_ci95_half_width"].is_number());
}

#[test]
fn compare_is_reproducible_and_accepts_a_variant_list() {
    let run = || {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("c");
        run_carepath([
            "compare",
            CLINIC,
            "--variants",
            "paper,digital",
            "-r",
            "3",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ])
        .expect_no_panic()
        .expect_code(0);
        std::fs::read(out.join("comparison.json")).unwrap()
    };
    let a = run();
    assert_eq!(a, run(), "same seed, same bytes");
    let c: Value = serde_json::from_slice(&a).unwrap();
    assert_eq!(c["order"], serde_json::json!(["paper", "digital"]));
}

#[test]
fn run_with_a_variant_names_it() {
    let o = run_carepath(["run", CLINIC, "--variant", "digital", "-r", "2"]);
    o.expect_no_panic().expect_code(0);
    assert!(o.stdout.contains("variant digital"), "{}", o.stdout);
}

#[test]
fn validate_checks_every_variant() {
    let o = run_carepath(["validate", CLINIC]);
    o.expect_no_panic().expect_code(0);
    for v in [
        "paper",
        "digital",
        "digital_50pct",
        "digital_fewer_cashiers",
    ] {
        assert!(
            o.stdout.contains(&format!("variant {v}: ok")),
            "{}",
            o.stdout
        );
    }
}

#[test]
fn variant_mistakes_are_input_errors() {
    let o = run_carepath(["run", CLINIC, "--variant", "nope"]);
    o.expect_no_panic().expect_code(2);
    assert!(
        o.stderr.contains("no variant is called \"nope\""),
        "{}",
        o.stderr
    );
    let o = run_carepath(["compare", "scenarios/mm1.toml"]);
    o.expect_no_panic().expect_code(2);
    assert!(
        o.stderr.contains("compare needs at least two variants"),
        "{}",
        o.stderr
    );
    let o = run_carepath(["compare", CLINIC, "--variants", "paper,nope"]);
    o.expect_no_panic().expect_code(2);
    assert!(
        o.stderr.contains("no variant is called \"nope\""),
        "{}",
        o.stderr
    );
}

//! End-to-end tests of `carepath check`: exact reproduction passes, a deliberate small model
//! change (one fewer doctor) is caught, re-running an unchanged model with 20 other seeds raises
//! no more false alarms than the stated rate allows, JUnit output, and input errors.

use carepath_tests::{run_carepath, workspace_root};
use std::path::Path;

const CLINIC: &str = "tests/fixtures/workflow/clinic.toml";

fn setup() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("clinic.toml");
    std::fs::copy(workspace_root().join(CLINIC), &scenario).unwrap();
    let base = dir.path().join("baselines");
    (
        dir,
        scenario.to_str().unwrap().to_string(),
        base.to_str().unwrap().to_string(),
    )
}

fn bless(scenario: &str, base: &str, extra: &[&str]) {
    let mut args = vec!["check", "--bless", scenario, "--baseline", base];
    args.extend_from_slice(extra);
    run_carepath(args).expect_no_panic().expect_code(0);
}

#[test]
fn an_unchanged_model_reproduces_exactly() {
    let (_d, scenario, base) = setup();
    bless(&scenario, &base, &[]);
    assert!(Path::new(&base).join("clinic.json").exists());
    let o = run_carepath(["check", &scenario, "--baseline", &base]);
    o.expect_no_panic().expect_code(0);
    assert!(
        o.stdout.contains("exact reproduction") && o.stdout.contains("nothing moved"),
        "{}",
        o.stdout
    );
}

#[test]
fn one_fewer_doctor_is_caught() {
    let (d, scenario, base) = setup();
    bless(&scenario, &base, &[]);
    let text = std::fs::read_to_string(&scenario).unwrap();
    let changed = text.replacen(
        "id = \"doctor\"\nservers = 6",
        "id = \"doctor\"\nservers = 5",
        1,
    );
    assert_ne!(text, changed, "fixture layout changed");
    std::fs::write(&scenario, changed).unwrap();
    let junit = d.path().join("check.xml");
    let o = run_carepath([
        "check",
        &scenario,
        "--baseline",
        &base,
        "--junit",
        junit.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(1);
    assert!(o.stdout.contains("paired t-tests"), "{}", o.stdout);
    assert!(
        o.stdout.contains("stations.doctor.wait_min.mean") && o.stdout.contains("CHANGED (worse)"),
        "{}",
        o.stdout
    );
    let xml = std::fs::read_to_string(junit).unwrap();
    assert!(
        xml.contains("<testsuite") && xml.contains("<failure message=\"changed (worse)\""),
        "{xml}"
    );
}

#[test]
fn unchanged_model_with_other_seeds_raises_few_false_alarms() {
    // Family-wise rate 1% per check: over 20 independent re-runs the expected number of alarms
    // is 0.2, and more than 2 has probability below 0.2% (binomial), so a correct check passes
    // this test essentially always while an anti-conservative one would not.
    let (_d, scenario, base) = setup();
    bless(
        &scenario,
        &base,
        &["--seed", "1000", "--replications", "10"],
    );
    let mut alarms = 0;
    for k in 1..=20 {
        let seed = (1000 + k).to_string();
        let o = run_carepath([
            "check",
            &scenario,
            "--baseline",
            &base,
            "--seed",
            &seed,
            "--replications",
            "10",
            "--alpha",
            "0.01",
        ]);
        o.expect_no_panic();
        assert!(o.stdout.contains("Welch"), "{}", o.stdout);
        if o.code == Some(1) {
            alarms += 1;
        }
    }
    assert!(alarms <= 2, "{alarms} false alarms in 20 unchanged re-runs");
}

#[test]
fn check_input_errors() {
    let (_d, scenario, base) = setup();
    let o = run_carepath(["check", &scenario, "--baseline", &base]);
    o.expect_no_panic().expect_code(2);
    assert!(
        o.stderr.contains("no baseline") && o.stderr.contains("--bless"),
        "{}",
        o.stderr
    );
    let o = run_carepath(["check", &scenario, "--alpha", "1.5"]);
    o.expect_no_panic().expect_code(2);
}

#[test]
fn bad_tolerance_files_are_input_errors() {
    let (d, scenario, base) = setup();
    bless(&scenario, &base, &[]);
    let missing = d.path().join("none.toml");
    let o = run_carepath([
        "check",
        &scenario,
        "--baseline",
        &base,
        "--tolerances",
        missing.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(2);
    assert!(o.stderr.contains("cannot read tolerances"), "{}", o.stderr);
    let bad = d.path().join("tol.toml");
    std::fs::write(&bad, "[metrics.\"x\"]\nrelativ = 0.1\n").unwrap();
    let o = run_carepath([
        "check",
        &scenario,
        "--baseline",
        &base,
        "--tolerances",
        bad.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(2);
    assert!(o.stderr.contains("unknown field `relativ`"), "{}", o.stderr);
}

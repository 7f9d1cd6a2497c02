//! `--set PATH=VALUE` on `run` and `compare`: the same results as the value written in the
//! file, the value in effect in every variant, and located errors naming the option.

use crate::support::{run_carepath, workspace_root};
use serde_json::Value;

const CLINIC: &str = "tests/fixtures/workflow/clinic.toml";

fn summary(dir: &std::path::Path) -> Value {
    let mut v: Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    // Wall-clock figures differ between any two runs.
    v.as_object_mut().unwrap().remove("engine");
    v
}

/// `--set stations.doctor.servers=5` gives the bits the file edited to 5 gives, in a variant
/// too (the variant's own overlay of another station is kept).
#[test]
fn a_set_value_runs_as_if_written_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(workspace_root().join(CLINIC)).unwrap();
    let edited = text.replacen(
        "id = \"doctor\"\nservers = 6",
        "id = \"doctor\"\nservers = 5",
        1,
    );
    assert_ne!(edited, text, "the fixture's doctor line moved");
    let edited_path = dir.path().join("edited.toml");
    std::fs::write(&edited_path, edited).unwrap();
    for variant in ["paper", "digital_fewer_cashiers"] {
        let set = dir.path().join(format!("set-{variant}"));
        let file = dir.path().join(format!("file-{variant}"));
        run_carepath([
            "run",
            CLINIC,
            "--variant",
            variant,
            "-r",
            "3",
            "--quiet",
            "--set",
            "stations.doctor.servers=5",
            "--out",
            set.to_str().unwrap(),
        ])
        .expect_no_panic()
        .expect_code(0);
        run_carepath([
            "run",
            edited_path.to_str().unwrap(),
            "--variant",
            variant,
            "-r",
            "3",
            "--quiet",
            "--out",
            file.to_str().unwrap(),
        ])
        .expect_no_panic()
        .expect_code(0);
        assert_eq!(summary(&set), summary(&file), "{variant}");
    }
    // And the set value changes the results (the test could not pass by ignoring it).
    let plain = dir.path().join("plain");
    run_carepath([
        "run",
        CLINIC,
        "--variant",
        "paper",
        "-r",
        "3",
        "--quiet",
        "--out",
        plain.to_str().unwrap(),
    ])
    .expect_code(0);
    assert_ne!(summary(&plain), summary(&dir.path().join("set-paper")));
}

/// A setting wins over the variant's overlay of the same key: `digital_fewer_cashiers` is
/// `digital` with one cashier, so with `--set stations.cashier.servers=4` the two give the
/// same cashier results (and without it they do not).
#[test]
fn a_set_value_wins_over_the_variants_overlay() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let o = run_carepath([
        "compare",
        CLINIC,
        "--variants",
        "digital,digital_fewer_cashiers",
        "-r",
        "3",
        "--quiet",
        "--set",
        "stations.cashier.servers=4",
        "--out",
        out.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(0);
    let c: Value =
        serde_json::from_slice(&std::fs::read(out.join("comparison.json")).unwrap()).unwrap();
    let cashier = |v: &str| c["variants"][v]["stations"]["cashier"].clone();
    assert_eq!(cashier("digital"), cashier("digital_fewer_cashiers"));
    let o = run_carepath([
        "compare",
        CLINIC,
        "--variants",
        "digital,digital_fewer_cashiers",
        "-r",
        "3",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(0);
    let c: Value =
        serde_json::from_slice(&std::fs::read(out.join("comparison.json")).unwrap()).unwrap();
    assert_ne!(
        c["variants"]["digital"]["stations"]["cashier"],
        c["variants"]["digital_fewer_cashiers"]["stations"]["cashier"]
    );
}

/// Bad settings are input errors (exit 2) that name the option and say what is wrong.
#[test]
fn bad_settings_are_located_errors_naming_the_option() {
    for (set, expect) in [
        (
            "stations.doctr.servers=3",
            "--set stations.doctr.servers=3: stations has no entry called \"doctr\"",
        ),
        (
            "run.replications=0",
            "--set run.replications=0: replications must be between 1 and",
        ),
        (
            "stations.doctor.servers=many",
            "--set stations.doctor.servers=many: the scenario with the values set",
        ),
        (
            "stations.doctor.service.mean=-1min",
            "tests/fixtures/workflow/clinic.toml:23:1: error: stations.doctor.service: mean must be greater than zero (got -1) (with stations.doctor.service.mean=-1min set)",
        ),
        ("stations.doctor.sevrers=3", "unknown field `sevrers`"),
        (
            "no equals sign",
            "error: --set: \"no equals sign\" is not PATH=VALUE",
        ),
    ] {
        // No --replications: it would override run.replications.
        let o = run_carepath(["run", CLINIC, "--quiet", "--set", set]);
        o.expect_no_panic().expect_code(2);
        assert!(o.stderr.contains(expect), "--set {set}:\n{}", o.stderr);
    }
}

//! End-to-end tests of `carepath run --variant` and `carepath compare` on the workflow test
//! clinic: the comparison JSON has the documented shape, the printed table shows every variant
//! and the breakdown, variants validate, and mistakes are input errors.

use crate::support::run_carepath;
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
    assert_eq!(c["schema_version"], 2);
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

#[test]
fn a_variant_named_twice_is_an_input_error() {
    let o = run_carepath(["compare", CLINIC, "--variants", "digital,digital"]);
    o.expect_no_panic().expect_code(2);
    assert!(o.stderr.contains("names digital twice"), "{}", o.stderr);
}

/// The lines of the paired-differences section.
fn difference_lines(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .skip_while(|l| !l.starts_with("Paired differences"))
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .collect()
}

#[test]
fn differences_are_against_the_baseline_unless_all_pairs_are_asked_for() {
    let args = ["compare", CLINIC, "-r", "3"];
    let o = run_carepath(args);
    o.expect_no_panic().expect_code(0);
    let lines = difference_lines(&o.stdout);
    assert!(!lines.is_empty(), "{}", o.stdout);
    assert!(
        lines
            .iter()
            .all(|l| l.split_whitespace().nth(2) == Some("paper")),
        "only `x − paper`: {lines:#?}"
    );
    let o = run_carepath(args.iter().copied().chain(["--all-pairs"]));
    o.expect_no_panic().expect_code(0);
    let all = difference_lines(&o.stdout);
    assert!(
        all.iter()
            .any(|l| l.trim_start().starts_with("digital_50pct − digital ")),
        "{all:#?}"
    );
    // 6 pairs instead of 3, the same metrics each.
    assert_eq!(all.len(), 2 * lines.len());
}

#[test]
fn columns_stay_aligned_with_a_forty_character_variant_id() {
    let dir = tempfile::tempdir().unwrap();
    let long = "a_variant_id_that_is_forty_characters_xx";
    assert_eq!(long.len(), 40);
    let text = std::fs::read_to_string(crate::support::workspace_root().join(CLINIC))
        .unwrap()
        .replace("id = \"digital_50pct\"", &format!("id = \"{long}\""));
    let s = dir.path().join("clinic.toml");
    std::fs::write(&s, text).unwrap();
    let o = run_carepath([
        "compare",
        s.to_str().unwrap(),
        "--variants",
        &format!("paper,{long}"),
        "-r",
        "2",
    ]);
    o.expect_no_panic().expect_code(0);
    // In the variant table every row ends at the same column, and the long id is whole.
    let table: Vec<&str> = o
        .stdout
        .lines()
        .skip_while(|l| !(l.trim_start().starts_with("paper") && l.ends_with(long)))
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(table.len() > 4, "{}", o.stdout);
    let width = table[0].chars().count();
    for l in &table {
        assert_eq!(
            l.chars().count(),
            width,
            "misaligned row {l:?} in\n{}",
            o.stdout
        );
    }
    // The differences are aligned too: the metric column starts at the same place.
    let starts: Vec<usize> = difference_lines(&o.stdout)
        .iter()
        .map(|l| {
            l.find("time_in_system")
                .or_else(|| l.find("stations."))
                .or_else(|| l.find("queues"))
                .unwrap()
        })
        .collect();
    assert!(starts.windows(2).all(|w| w[0] == w[1]), "{}", o.stdout);
}

#[test]
fn a_note_says_why_arrivals_differ_under_online_registration() {
    let o = run_carepath(["compare", CLINIC, "--variants", "paper,digital", "-r", "3"]);
    o.expect_no_panic().expect_code(0);
    let note = o
        .stdout
        .lines()
        .find(|l| l.starts_with("Note: patients arrived differ"))
        .unwrap_or_else(|| panic!("no note in\n{}", o.stdout));
    assert!(
        note.contains("online registration (digital)") && note.contains("no-shows"),
        "{note}"
    );
    // Two variants without online registration arrive alike: no note.
    let o = run_carepath([
        "compare",
        CLINIC,
        "--variants",
        "digital,digital_fewer_cashiers",
        "-r",
        "2",
    ]);
    o.expect_no_panic().expect_code(0);
    assert!(
        !o.stdout.contains("Note: patients arrived differ"),
        "{}",
        o.stdout
    );
}

#[test]
fn compare_warns_per_variant_about_unfinished_patients() {
    let dir = tempfile::tempdir().unwrap();
    // A hard stop at closing time with one doctor in the `slow` variant leaves patients behind.
    let text = std::fs::read_to_string(crate::support::workspace_root().join(CLINIC))
        .unwrap()
        .replace(
            "close = \"12:00\"",
            "close = \"12:00\"\nhard_stop = \"12:00\"",
        )
        + "\n[[variants]]\nid = \"slow\"\nstations = [{ id = \"doctor\", servers = 1 }]\n";
    let s = dir.path().join("clinic.toml");
    std::fs::write(&s, text).unwrap();
    let o = run_carepath([
        "compare",
        s.to_str().unwrap(),
        "--variants",
        "digital,slow",
        "-r",
        "2",
    ]);
    o.expect_no_panic().expect_code(0);
    let head: Vec<&str> = o.stdout.lines().take(4).collect();
    assert!(
        head.iter()
            .any(|l| l.starts_with("WARNING (slow): ") && l.contains("still in the clinic")),
        "{}",
        o.stdout
    );
}

#[test]
fn chart_files_of_variants_never_overwrite_each_other_or_leave_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = std::fs::read_to_string(crate::support::workspace_root().join(CLINIC)).unwrap();
    for id in ["v.1", "v_1", "x/../../../escaped"] {
        text.push_str(&format!(
            "\n[[variants]]\nid = \"{id}\"\nstations = [{{ id = \"doctor\", servers = 7 }}]\n"
        ));
    }
    let s = dir.path().join("clinic.toml");
    std::fs::write(&s, text).unwrap();
    let charts = dir.path().join("charts");
    // v.1 and v_1 would share queue_length_v_1.svg: refused, nothing written.
    let o = run_carepath([
        "compare",
        s.to_str().unwrap(),
        "--variants",
        "v.1,v_1",
        "-r",
        "2",
        "--charts",
        charts.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(1);
    assert!(
        o.stderr.contains("rename one of the variants"),
        "{}",
        o.stderr
    );
    assert!(!charts.exists());
    // A path-like id stays a file name inside the directory.
    let o = run_carepath([
        "compare",
        s.to_str().unwrap(),
        "--variants",
        "paper,x/../../../escaped",
        "-r",
        "2",
        "--quiet",
        "--charts",
        charts.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(0);
    let mut top: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["charts", "clinic.toml"]);
    assert!(std::fs::read_dir(&charts).unwrap().count() > 4);
}

#[test]
fn report_out_is_a_directory_or_an_html_file_and_output_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("rep");
    for (flag, target, file) in [
        ("-o", d.clone(), d.join("report.html")),
        (
            "--out",
            dir.path().join("a.html"),
            dir.path().join("a.html"),
        ),
        (
            "--output",
            dir.path().join("b.html"),
            dir.path().join("b.html"),
        ),
    ] {
        run_carepath([
            "report",
            "scenarios/mm1.toml",
            "-r",
            "2",
            "--quiet",
            flag,
            target.to_str().unwrap(),
        ])
        .expect_no_panic()
        .expect_code(0);
        assert!(file.is_file(), "{flag}: {}", file.display());
    }
}

//! `carepath run --events FILE`: the patient-level event log (CSV, OCEL 2.0, XES), its
//! sampling and limits, and refusals. pm4py reads it in process-mining/test_pm4py.py.

use crate::support::run_carepath;

const CLINIC: &str = "scenarios/outpatient-clinic.toml";

fn rows(path: &std::path::Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect()
}

#[test]
fn the_csv_log_counts_what_the_summary_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (log, out) = (dir.path().join("log.csv"), dir.path().join("out"));
    let o = run_carepath([
        "run",
        CLINIC,
        "-r",
        "1",
        "--events",
        log.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(0);
    assert!(
        o.stdout.contains("events of 616 patients (replication 0)"),
        "{}",
        o.stdout
    );
    let header = std::fs::read_to_string(&log).unwrap();
    assert!(header.starts_with(
        "replication,patient,class,workflow,activity,step,station,resource,time_min,timestamp\n"
    ));
    let rows = rows(&log);
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let count = |act: &str| rows.iter().filter(|r| r[4] == act).count() as f64;
    assert_eq!(
        count("arrive"),
        s["patients"]["arrived"]["mean"].as_f64().unwrap()
    );
    assert_eq!(
        count("leave"),
        s["patients"]["completed"]["mean"].as_f64().unwrap()
    );
    let consult = rows
        .iter()
        .filter(|r| r[4] == "start_service" && r[6] == "consult")
        .count() as f64;
    assert_eq!(
        consult,
        s["stations"]["consult"]["visits"]["mean"].as_f64().unwrap()
    );
    // Times never go backwards, and each patient's events run arrive … leave.
    let times: Vec<f64> = rows.iter().map(|r| r[8].parse().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    let first = rows.iter().find(|r| r[1] == "1").unwrap();
    let last = rows.iter().rev().find(|r| r[1] == "1").unwrap();
    assert_eq!((first[4].as_str(), last[4].as_str()), ("arrive", "leave"));
    assert!(first[9].starts_with("2026-01-05T07:00"), "{first:?}");
}

#[test]
fn samples_replications_and_formats() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("first.csv");
    let o = run_carepath([
        "run",
        CLINIC,
        "-r",
        "3",
        "-q",
        "--events",
        log.to_str().unwrap(),
        "--events-sample",
        "20",
        "--events-replication",
        "2",
    ]);
    o.expect_no_panic().expect_code(0);
    let rows = rows(&log);
    let ids: std::collections::BTreeSet<u32> = rows.iter().map(|r| r[1].parse().unwrap()).collect();
    assert_eq!(ids, (1..=20).collect());
    assert!(rows.iter().all(|r| r[0] == "2"));
    for name in ["log.xes", "log.jsonocel"] {
        let path = dir.path().join(name);
        let o = run_carepath([
            "run",
            CLINIC,
            "-r",
            "1",
            "-q",
            "--events",
            path.to_str().unwrap(),
            "--events-sample",
            "5%",
        ]);
        o.expect_no_panic().expect_code(0);
        let text = std::fs::read_to_string(&path).unwrap();
        if name.ends_with("xes") {
            assert!(text.starts_with("<?xml") && text.contains("<trace>"));
        } else {
            let j: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(j["objectTypes"][0]["name"], "patient");
            assert!(!j["events"].as_array().unwrap().is_empty());
        }
    }
}

#[test]
fn bad_options_and_a_full_log_are_errors_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    for (args, message) in [
        (
            vec!["--events", &path("log.txt")],
            "the file's extension chooses the format",
        ),
        (
            vec!["--events", &path("log.csv"), "--events-sample", "lots"],
            "--events-sample lots",
        ),
        (
            vec!["--events", &path("log.csv"), "--events-replication", "5"],
            "--events-replication 5: the run has replications 0 to 1",
        ),
        (
            vec!["--events", &path("log.csv"), "--events-limit", "100"],
            "the event log would hold more than 100 events",
        ),
    ] {
        let mut all = vec!["run", CLINIC, "-r", "2", "-q"];
        all.extend(args.iter().map(|s| -> &str { s }));
        let o = run_carepath(all);
        o.expect_no_panic().expect_code(2);
        assert!(o.stderr.contains(message), "{}", o.stderr);
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn journeys_are_drawn_side_by_side_for_the_same_patients() {
    let dir = tempfile::tempdir().unwrap();
    let charts = dir.path().join("charts");
    let o = run_carepath([
        "compare",
        "scenarios/future-hospital.toml",
        "--variants",
        "paper,digital",
        "-r",
        "2",
        "-q",
        "--charts",
        charts.to_str().unwrap(),
        "--journeys",
        "12",
    ]);
    o.expect_no_panic().expect_code(0);
    let svg = std::fs::read_to_string(charts.join("journeys.svg")).unwrap();
    for text in [
        "Patient journeys",
        "paper",
        "digital",
        "the first 12 patients",
        "served at doctor",
    ] {
        assert!(svg.contains(text), "{text} not in the chart");
    }
    assert!(
        std::fs::metadata(charts.join("journeys.png"))
            .unwrap()
            .len()
            > 10_000
    );
    let o = run_carepath(["run", CLINIC, "-r", "1", "-q", "--journeys", "5"]);
    o.expect_no_panic().expect_code(2);
    assert!(o.stderr.contains("give --charts DIR too"), "{}", o.stderr);
    let o = run_carepath([
        "run",
        CLINIC,
        "-r",
        "1",
        "-q",
        "--charts",
        charts.to_str().unwrap(),
        "--journeys",
        "5",
    ]);
    o.expect_no_panic().expect_code(0);
    let one = std::fs::read_to_string(charts.join("journeys.svg")).unwrap();
    assert!(one.contains("the first 5 patients of replication 0"));
}

#[test]
fn services_at_shared_resources_name_the_resource() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("shared.csv");
    let o = run_carepath([
        "run",
        "scenarios/teaching-shared-doctor.toml",
        "-r",
        "1",
        "-q",
        "--events",
        log.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(0);
    let rows = rows(&log);
    let named = rows
        .iter()
        .filter(|r| r[4] == "start_service" && !r[7].is_empty())
        .count();
    assert!(named > 0, "no service names a resource");
    assert!(
        rows.iter()
            .all(|r| r[7].is_empty() || r[4].ends_with("_service"))
    );
}

#[test]
fn the_parquet_log_holds_the_csv_rows_typed() {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let dir = tempfile::tempdir().unwrap();
    let (csv_path, pq) = (dir.path().join("log.csv"), dir.path().join("log.parquet"));
    for p in [&csv_path, &pq] {
        let o = run_carepath([
            "run",
            CLINIC,
            "-r",
            "1",
            "-q",
            "--events",
            p.to_str().unwrap(),
        ]);
        o.expect_no_panic().expect_code(0);
    }
    let rows = rows(&csv_path);
    let reader = SerializedFileReader::new(std::fs::File::open(&pq).unwrap()).unwrap();
    assert_eq!(
        reader.metadata().file_metadata().num_rows() as usize,
        rows.len()
    );
    let first = reader
        .get_row_iter(None)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .to_string();
    assert!(
        first.starts_with("{replication: 0, patient: 1, class: \"child\", workflow: \"paper\", activity: \"arrive\""),
        "{first}"
    );
    assert!(first.contains("time_min: 420.0"), "{first}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
}

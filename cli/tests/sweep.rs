//! `carepath sweep` and `carepath merge`: the tidy table's shape, common random numbers
//! across points, the same bytes for any thread count, any split into shards and after a
//! resumed run, a point equal to `run --set` of its values, and refusals.

use crate::support::{run_carepath, workspace_root};
use std::path::Path;

/// A small study of the workflow test clinic: 3 doctor counts × 2 adoption shares, in the
/// paper and digital variants.
const STUDY: &str = r#"
[sweep]
scenario = "clinic.toml"
variants = ["paper", "digital"]
replications = 4
metrics = ["time_in_system_min.mean", "stations.doctor.wait_min.mean", "patients.completed"]
[parameters]
"stations.doctor.servers" = { from = 5, to = 7, step = 1 }
"workflow.adoption.adult" = [0.4, 0.8]
"#;

/// Writes the study beside a copy of the clinic into `dir`; returns the study's path.
fn study(dir: &Path) -> String {
    let clinic = workspace_root().join("tests/fixtures/workflow/clinic.toml");
    std::fs::copy(clinic, dir.join("clinic.toml")).unwrap();
    let path = dir.join("study.toml");
    std::fs::write(&path, STUDY).unwrap();
    path.to_str().unwrap().to_string()
}

fn sweep(study: &str, out: &Path, extra: &[&str]) -> crate::support::Outcome {
    let mut args = vec!["sweep", study, "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = run_carepath(args);
    o.expect_no_panic();
    o
}

fn table(out: &Path) -> String {
    std::fs::read_to_string(out.join("sweep.csv")).unwrap()
}

#[test]
fn the_table_has_a_row_per_point_variant_and_metric_and_points_share_their_patients() {
    let dir = tempfile::tempdir().unwrap();
    let study = study(dir.path());
    let out = dir.path().join("one");
    sweep(&study, &out, &["--threads", "1"]).expect_code(0);
    let t = table(&out);
    let mut rows = csv::Reader::from_reader(t.as_bytes());
    let header: Vec<String> = rows.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "point",
            "variant",
            "stations.doctor.servers",
            "workflow.adoption.adult",
            "metric",
            "mean",
            "ci95_low",
            "ci95_high",
            "half_width",
            "sd",
            "replications"
        ]
    );
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6 * 2 * 3);
    // Point 0 is 5 doctors and 40% adoption; point 5 is 7 doctors and 80%.
    assert_eq!(
        rows[0].iter().take(5).collect::<Vec<_>>(),
        ["0", "paper", "5", "0.4", "time_in_system_min.mean"]
    );
    assert_eq!(
        rows[35].iter().take(5).collect::<Vec<_>>(),
        ["5", "digital", "7", "0.8", "patients.completed"]
    );
    let mean = |point: &str, variant: &str, metric: &str| -> f64 {
        rows.iter()
            .find(|r| &r[0] == point && &r[1] == variant && &r[4] == metric)
            .unwrap()[5]
            .parse()
            .unwrap()
    };
    // Paper ignores adoption: points 0 and 1 differ only in it, so their paper rows are the
    // same patients with the same results (common random numbers) ...
    assert_eq!(
        mean("0", "paper", "time_in_system_min.mean"),
        mean("1", "paper", "time_in_system_min.mean")
    );
    // ... while digital changes with adoption and every variant with the doctors.
    assert_ne!(
        mean("0", "digital", "time_in_system_min.mean"),
        mean("1", "digital", "time_in_system_min.mean")
    );
    assert!(
        mean("0", "paper", "stations.doctor.wait_min.mean")
            > mean("4", "paper", "stations.doctor.wait_min.mean")
    );
    // The same arrivals at every point.
    assert_eq!(
        mean("0", "paper", "patients.completed"),
        mean("4", "paper", "patients.completed")
    );
    // Two threads write the same bytes.
    let two = dir.path().join("two");
    sweep(&study, &two, &["--threads", "2", "--quiet"]).expect_code(0);
    assert_eq!(table(&two), t);
}

/// A point's row is what `carepath run --set` of the point's values reports.
#[test]
fn a_point_is_the_run_of_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let study = study(dir.path());
    let out = dir.path().join("sweep");
    sweep(&study, &out, &["--quiet"]).expect_code(0);
    let t = table(&out);
    let row = t
        .lines()
        .find(|l| l.starts_with("3,digital,6,0.8,time_in_system_min.mean,"))
        .unwrap();
    let mean: f64 = row.split(',').nth(5).unwrap().parse().unwrap();
    let run = dir.path().join("run");
    run_carepath([
        "run",
        dir.path().join("clinic.toml").to_str().unwrap(),
        "--variant",
        "digital",
        "-r",
        "4",
        "--quiet",
        "--set",
        "stations.doctor.servers=6",
        "--set",
        "workflow.adoption.adult=0.8",
        "--out",
        run.to_str().unwrap(),
    ])
    .expect_code(0);
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["time_in_system_min"]["mean"].as_f64().unwrap(), mean);
}

/// Shards merged, and a sweep resumed after losing points, give the single machine's bytes;
/// a missing shard and a changed study are refused.
#[test]
fn shards_and_resumed_sweeps_give_the_same_table() {
    let dir = tempfile::tempdir().unwrap();
    let study = study(dir.path());
    let whole = dir.path().join("whole");
    sweep(&study, &whole, &["--quiet"]).expect_code(0);
    let mut shards = Vec::new();
    for k in 1..=4 {
        let d = dir.path().join(format!("shard{k}"));
        let o = sweep(&study, &d, &["--shard", &format!("{k}/4")]);
        o.expect_code(0);
        assert!(
            o.stdout.contains(&format!("shard {k}/4 is complete")),
            "{}",
            o.stdout
        );
        assert!(!d.join("sweep.csv").exists());
        shards.push(d.to_str().unwrap().to_string());
    }
    let merged = dir.path().join("merged");
    let mut args = vec!["merge".to_string()];
    args.extend(shards.iter().cloned());
    args.extend(["--out".to_string(), merged.to_str().unwrap().to_string()]);
    run_carepath(&args).expect_code(0);
    for file in ["sweep.csv", "sweep.parquet"] {
        assert_eq!(
            std::fs::read(merged.join(file)).unwrap(),
            std::fs::read(whole.join(file)).unwrap(),
            "{file}"
        );
    }
    let o = run_carepath([
        "merge",
        &shards[0],
        &shards[2],
        "--out",
        merged.to_str().unwrap(),
    ]);
    o.expect_code(2);
    assert!(
        o.stderr.contains("points are in none of the directories"),
        "{}",
        o.stderr
    );
    // Lose two points and the table (an interrupted sweep): running again computes only those.
    std::fs::remove_file(whole.join("points/000002.csv")).unwrap();
    std::fs::remove_file(whole.join("points/000005.csv")).unwrap();
    let before = std::fs::read(merged.join("sweep.csv")).unwrap();
    std::fs::remove_file(whole.join("sweep.csv")).unwrap();
    let o = sweep(&study, &whole, &[]);
    o.expect_code(0);
    assert!(
        o.stdout.contains("2 points run (4 already there)"),
        "{}",
        o.stdout
    );
    assert_eq!(std::fs::read(whole.join("sweep.csv")).unwrap(), before);
    // Other options are another sweep: refused rather than mixed in.
    let o = sweep(&study, &whole, &["--replications", "3"]);
    o.expect_code(2);
    assert!(
        o.stderr.contains("holds the results of another sweep"),
        "{}",
        o.stderr
    );
}

#[test]
fn bad_studies_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let study_path = study(dir.path());
    for (text, want) in [
        (
            STUDY.replace("scenario =", "scenaro ="),
            "study.toml:3:1: error: unknown field `scenaro`",
        ),
        (
            STUDY.replace("\"stations.doctor.servers\"", "\"stations.doctr.servers\""),
            "parameter stations.doctr.servers=5: stations has no entry called \"doctr\"",
        ),
        (
            STUDY.replace("patients.completed", "patients.happy"),
            "sweep.metrics: no metric is called \"patients.happy\"",
        ),
        (
            STUDY.replace("from = 5", "from = 0"),
            "in point 0 of the sweep (stations.doctor.servers=0, workflow.adoption.adult=0.4)",
        ),
        (
            STUDY.replace("[0.4, 0.8]", "[0.4, 1.8]"),
            "in point 1 of the sweep",
        ),
    ] {
        std::fs::write(&study_path, &text).unwrap();
        let o = sweep(&study_path, &dir.path().join("out"), &["--quiet"]);
        o.expect_code(2);
        assert!(o.stderr.contains(want), "want {want}\n{}", o.stderr);
        assert!(
            !dir.path().join("out/points/000000.csv").exists(),
            "nothing ran"
        );
    }
    let o = sweep(&study_path, &dir.path().join("out"), &["--shard", "5/4"]);
    o.expect_code(2);
    assert!(o.stderr.contains("--shard 5/4"), "{}", o.stderr);
}

/// The shipped studies run, and the doctors' study answers its question: `[sweep.set]` adds
/// the two-hour target at every point, and more doctors meet it better.
#[test]
fn the_shipped_studies_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("doctors");
    let o = run_carepath([
        "sweep",
        "scenarios/studies/consult-doctors.toml",
        "--out",
        out.to_str().unwrap(),
        "--replications",
        "5",
    ]);
    o.expect_no_panic().expect_code(0);
    let t = table(&out);
    let share = |am: &str, pm: &str| -> f64 {
        t.lines()
            .find(|l| {
                let c: Vec<&str> = l.split(',').collect();
                c[2] == am && c[3] == pm && c[4] == "targets.two_hours.share"
            })
            .unwrap()
            .split(',')
            .nth(5)
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(share("20", "12") > share("12", "6") + 0.2, "{t}");
    assert_eq!(t.lines().count(), 1 + 63 * 5);
    let out = dir.path().join("adoption");
    run_carepath([
        "sweep",
        "scenarios/studies/adoption.toml",
        "--out",
        out.to_str().unwrap(),
        "--replications",
        "2",
        "--quiet",
    ])
    .expect_code(0);
    assert_eq!(table(&out).lines().count(), 1 + 3 * 2 * 5);
}

/// The chart files in `dir`, sorted, with their bytes.
fn chart_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn charts_come_with_the_finished_sweep_and_merge_draws_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let study = study(dir.path());
    let (one, charts) = (dir.path().join("one"), dir.path().join("charts"));
    let o = sweep(&study, &one, &["--charts", charts.to_str().unwrap()]);
    o.expect_code(0);
    assert!(
        o.stdout.contains("wrote 9 charts (SVG and PNG)"),
        "{}",
        o.stdout
    );
    let files = chart_files(&charts);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    // Per metric: the line chart, and (two parameters vary) a heat map per variant.
    for stem in [
        "sweep_time_in_system_min_mean",
        "sweep_heatmap_time_in_system_min_mean_paper",
        "sweep_heatmap_time_in_system_min_mean_digital",
        "sweep_stations_doctor_wait_min_mean",
        "sweep_patients_completed",
    ] {
        for ext in ["svg", "png"] {
            assert!(
                names.contains(&format!("{stem}.{ext}").as_str()),
                "{names:?}"
            );
        }
    }
    assert_eq!(names.len(), 18, "{names:?}");
    let svg = String::from_utf8(
        files
            .iter()
            .find(|(n, _)| n == "sweep_time_in_system_min_mean.svg")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    for label in [
        "paper, adult=0.4",
        "digital, adult=0.8",
        "stations.doctor.servers",
    ] {
        assert!(svg.contains(label), "{label} not in the chart");
    }
    // A shard alone draws nothing; the merge that completes the sweep draws the same bytes.
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let shard_charts = dir.path().join("shard-charts");
    let o = sweep(
        &study,
        &a,
        &["--shard", "1/2", "--charts", shard_charts.to_str().unwrap()],
    );
    o.expect_code(0);
    assert!(!shard_charts.exists());
    assert!(
        o.stderr.contains("--charts waits for every point"),
        "{}",
        o.stderr
    );
    sweep(&study, &b, &["--shard", "2/2", "-q"]).expect_code(0);
    let merged_charts = dir.path().join("merged-charts");
    let o = run_carepath([
        "merge",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        dir.path().join("m").to_str().unwrap(),
        "--charts",
        merged_charts.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(0);
    assert_eq!(chart_files(&merged_charts), files);
}

#[test]
fn the_sweep_report_lists_the_points_that_meet_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("consult");
    let o = run_carepath([
        "sweep",
        "scenarios/studies/consult-doctors.toml",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(0);
    let html_path = dir.path().join("r.html");
    let o = run_carepath([
        "report",
        out.to_str().unwrap(),
        "--out",
        html_path.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(0);
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.contains("Points meeting targets.two_hours.share ≥ 0.9 with 95% confidence"));
    // The report's rows are exactly the table's rows whose interval clears 0.9.
    let table = table(&out);
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (am, pm) = (
        col("stations.consult.servers[0].count"),
        col("stations.consult.servers[1].count"),
    );
    let meeting: Vec<(String, String)> = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[col("metric")] == "targets.two_hours.share")
        .filter(|c| c[col("ci95_low")].parse::<f64>().unwrap() >= 0.9)
        .map(|c| (c[am].to_string(), c[pm].to_string()))
        .collect();
    assert!(!meeting.is_empty() && meeting.len() < 10, "{meeting:?}");
    let section = html
        .split("Points meeting targets.two_hours.share")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    assert_eq!(
        section.matches("<tr><td>").count(),
        meeting.len(),
        "{section}"
    );
    for (a, p) in &meeting {
        assert!(
            section.contains(&format!("<td>{a}</td><td>{p}</td>")),
            "{a}+{p}"
        );
    }
    assert!(html.matches("<figure><svg").count() >= 5);
    // An unfinished sweep, a plain directory and --variants are refused.
    let plain = dir.path().join("plain");
    std::fs::create_dir_all(&plain).unwrap();
    let o = run_carepath([
        "report",
        plain.to_str().unwrap(),
        "--out",
        html_path.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(2);
    assert!(o.stderr.contains("without sweep.json"), "{}", o.stderr);
    std::fs::remove_file(out.join("sweep.csv")).unwrap();
    let o = run_carepath([
        "report",
        out.to_str().unwrap(),
        "--out",
        html_path.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(2);
    assert!(
        o.stderr.contains("the sweep is not finished"),
        "{}",
        o.stderr
    );
}

//! End-to-end tests of the charts: `carepath compare … --charts DIR`, `carepath run …
//! --charts DIR` and `carepath report … -o FILE` on the workflow fixture (four variants), checking
//! that every chart is written as SVG and PNG (atomically: no temporary files left), carries its
//! title, and that the report is one self-contained HTML file.

use carepath_tests::{fixture, run_carepath};
use std::collections::BTreeSet;
use std::path::Path;

const VARIANTS: [&str; 4] = [
    "paper",
    "digital",
    "digital_50pct",
    "digital_fewer_cashiers",
];

/// Chart file stems and titles written by `compare` on the workflow fixture.
fn expected_charts() -> Vec<(String, String)> {
    let mut v = vec![
        (
            "time_breakdown".to_string(),
            "Where the time goes".to_string(),
        ),
        ("time_in_system".into(), "Time in system".into()),
        ("utilisation".into(), "Utilisation per station".into()),
        ("waits".into(), "Waiting time per station".into()),
    ];
    for id in VARIANTS {
        v.push((
            format!("queue_length_{id}"),
            format!("Queue length over the day — {id}"),
        ));
        v.push((
            format!("utilisation_by_interval_{id}"),
            format!("Utilisation over the day — {id}"),
        ));
    }
    v
}

fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn is_png(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG\r\n\x1a\n")
}

#[test]
fn compare_writes_every_chart_as_svg_and_png() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("charts");
    let fixture = fixture("workflow/clinic.toml");
    run_carepath([
        "compare".as_ref(),
        fixture.as_os_str(),
        "--replications".as_ref(),
        "3".as_ref(),
        "--quiet".as_ref(),
        "--charts".as_ref(),
        dir.as_os_str(),
    ])
    .expect_code(0)
    .expect_no_panic();
    let mut want = BTreeSet::new();
    for (stem, title) in expected_charts() {
        let svg = std::fs::read_to_string(dir.join(format!("{stem}.svg"))).unwrap();
        assert!(svg.starts_with("<svg"), "{stem}.svg");
        assert!(
            svg.contains(&format!("<title>{title}</title>")),
            "{stem}.svg lacks its title {title:?}"
        );
        assert!(svg.trim_end().ends_with("</svg>"));
        let png = std::fs::read(dir.join(format!("{stem}.png"))).unwrap();
        assert!(is_png(&png), "{stem}.png is not a PNG");
        want.insert(format!("{stem}.svg"));
        want.insert(format!("{stem}.png"));
    }
    // Exactly the charts, no temporary files.
    assert_eq!(names(&dir), want);
    // Variants appear in the comparison charts.
    let breakdown = std::fs::read_to_string(dir.join("time_breakdown.svg")).unwrap();
    for v in VARIANTS {
        assert!(breakdown.contains(&format!(">\n{v}\n</text>")), "{v}");
    }
}

#[test]
fn run_writes_charts_for_one_variant() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("charts");
    let fixture = fixture("workflow/clinic.toml");
    run_carepath([
        "run".as_ref(),
        fixture.as_os_str(),
        "--variant".as_ref(),
        "digital".as_ref(),
        "--replications".as_ref(),
        "2".as_ref(),
        "--quiet".as_ref(),
        "--charts".as_ref(),
        dir.as_os_str(),
    ])
    .expect_code(0)
    .expect_no_panic();
    let got = names(&dir);
    for stem in [
        "time_breakdown",
        "time_in_system",
        "queue_length",
        "utilisation",
        "utilisation_by_interval",
        "waits",
    ] {
        assert!(
            got.contains(&format!("{stem}.svg")),
            "{stem}.svg in {got:?}"
        );
        assert!(
            got.contains(&format!("{stem}.png")),
            "{stem}.png in {got:?}"
        );
    }
    assert_eq!(got.len(), 12, "{got:?}");
    let queue = std::fs::read_to_string(dir.join("queue_length.svg")).unwrap();
    assert!(queue.contains("<title>Queue length over the day — digital</title>"));
    let util = std::fs::read_to_string(dir.join("utilisation_by_interval.svg")).unwrap();
    assert!(util.contains("<title>Utilisation over the day — digital</title>"));
}

#[test]
fn report_is_one_self_contained_html_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out/report.html");
    let fixture = fixture("workflow/clinic.toml");
    run_carepath([
        "report".as_ref(),
        fixture.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--variants".as_ref(),
        "paper,digital".as_ref(),
        "--replications".as_ref(),
        "3".as_ref(),
        "--seed".as_ref(),
        "42".as_ref(),
        "--quiet".as_ref(),
    ])
    .expect_code(0)
    .expect_no_panic();
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    // Charts inline: breakdown, time in system, waits, utilisation, one queue chart and one
    // utilisation-over-the-day chart per variant; and the pathway diagram (STRESS-DES).
    assert_eq!(html.matches("<svg ").count(), 9);
    assert_eq!(html.matches("<figure class=diagram><svg ").count(), 1);
    for (stem, title) in expected_charts() {
        if stem.ends_with("digital_50pct") || stem.ends_with("cashiers") {
            continue;
        }
        assert!(html.contains(&format!("<title>{title}</title>")), "{title}");
    }
    // Summary and difference tables, the seed, the version and the scenario text (escaped).
    assert!(html.contains("Paired differences"));
    assert!(html.contains("seed 42"));
    assert!(html.contains(&format!("CarePath {}", env!("CARGO_PKG_VERSION"))));
    assert!(html.contains("name = &quot;workflow test clinic&quot;"));
    assert!(html.contains("# Test fixture for tests/tests/workflows.rs"));
    // Nothing is loaded from elsewhere (the only URL is the SVG namespace).
    for url in html.split("http").skip(1) {
        assert!(
            url.starts_with("://www.w3.org/2000/svg\""),
            "{}",
            &url[..40]
        );
    }
    assert!(!html.contains("<script") && !html.contains("<link"));
    // Every patient of the fixture leaves before the run ends: no unfinished-patients box.
    assert!(!html.contains("<div id=\"unfinished\""));
    // Nothing else was left in the output directory.
    assert_eq!(names(out.parent().unwrap()).len(), 1);
}

#[test]
fn report_of_a_scenario_without_variants_and_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report.html");
    run_carepath([
        "report".as_ref(),
        "scenarios/mm1.toml".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
        "--replications".as_ref(),
        "2".as_ref(),
        "--quiet".as_ref(),
    ])
    .expect_code(0)
    .expect_no_panic();
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("variant: base"));
    assert!(!html.contains("Paired differences"));
    // M/M/1 stops after its run length with a few of its ~100,000 patients per replication
    // still inside: the box says so, with their tiny share.
    assert!(html.contains("<div id=\"unfinished\""));
    assert!(html.contains("(under 0.1% of arrivals)"));
    // An unknown variant is bad input (exit 2), and no file is written.
    let out2 = tmp.path().join("nope.html");
    let fixture = fixture("workflow/clinic.toml");
    run_carepath([
        "report".as_ref(),
        fixture.as_os_str(),
        "-o".as_ref(),
        out2.as_os_str(),
        "--variants".as_ref(),
        "paper,no_such_variant".as_ref(),
    ])
    .expect_code(2)
    .expect_no_panic();
    assert!(!out2.exists());
}

#[test]
fn report_warns_first_when_patients_are_left_inside() {
    // One desk for 40 patients an hour of 3 minutes each, stopped hard at 10:00.
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("stopped.toml");
    std::fs::write(
        &scenario,
        r#"
[scenario]
name = "hard stop with a queue"
[run]
open = "08:00"
close = "10:00"
hard_stop = "10:00"
replications = 3
seed = 5
[[stations]]
id = "desk"
name = "Desk"
servers = 1
service = { dist = "exponential", mean = "3min" }
[[arrivals]]
id = "walk_in"
kind = "poisson"
rate = "40/h"
pathway = "visit"
[[pathways]]
id = "visit"
steps = [{ id = "desk", station = "desk", next = "exit" }]
"#,
    )
    .unwrap();
    let out = tmp.path().join("report.html");
    run_carepath([
        "report".as_ref(),
        scenario.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--quiet".as_ref(),
    ])
    .expect_code(0)
    .expect_no_panic();
    let html = std::fs::read_to_string(&out).unwrap();
    let boxed = html
        .find("<div id=\"unfinished\"")
        .expect("the unfinished-patients box");
    assert!(boxed < html.find("<section id=\"summary\"").unwrap());
    assert!(html.contains("patients were still in the clinic when the run stopped"));
    assert!(html.contains("counts only patients who left"));
    // Styled as a box by the report's own style sheet.
    assert!(html.contains(".unfinished{border:"));
}

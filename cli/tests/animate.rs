//! `carepath animate SCENARIO -o day.html`: one self-contained HTML file (nothing fetched),
//! whose embedded day is replication 0 of `carepath run -r 1`, and refusals. The animation
//! itself is played in Chromium by web/tests/animate.test.mjs.

use crate::support::run_carepath;

const CLINIC: &str = "scenarios/outpatient-clinic.toml";
const FLAGSHIP: &str = "scenarios/future-hospital.toml";

/// The JSON embedded in an animation file.
fn embedded(html: &str) -> serde_json::Value {
    let open = "<script type=\"application/json\" id=\"carepath-animation\">";
    let start = html.find(open).expect("the data block") + open.len();
    let end = start + html[start..].find("</script>").expect("its end");
    serde_json::from_str(&html[start..end].replace("\\u003c", "<")).unwrap()
}

fn summary(scenario: &str, variant: Option<&str>, dir: &std::path::Path) -> serde_json::Value {
    let out = dir.join(format!("run-{}", variant.unwrap_or("base")));
    let mut args = vec![
        "run",
        scenario,
        "-r",
        "1",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    if let Some(v) = variant {
        args.extend(["--variant", v]);
    }
    run_carepath(args).expect_no_panic().expect_code(0);
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn one_file_with_nothing_external_whose_counts_are_the_runs() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("day.html");
    let o = run_carepath([
        "animate",
        FLAGSHIP,
        "--variants",
        "paper,digital",
        "-o",
        file.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(0);
    assert!(o.stdout.contains("(replication 0; paper: "), "{}", o.stdout);
    // The only file written; no temporary file left beside it.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("day.html")]);
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains("export function mountAnimation"),
        "animate.js inline"
    );
    for bad in [
        "src=\"http",
        "src='http",
        "href=\"http",
        "href='http",
        "url(http",
        "import(",
    ] {
        assert!(!html.contains(bad), "external reference {bad}");
    }
    assert!(!html.contains("http://") && !html.contains("https://"));
    let day = embedded(&html);
    assert_eq!(day["ok"], true);
    assert_eq!(day["replication"], 0);
    for (k, label) in ["paper", "digital"].iter().enumerate() {
        let v = &day["variants"][k];
        assert_eq!(v["label"], *label);
        let s = summary(FLAGSHIP, Some(label), dir.path());
        let c = &v["counts"];
        for key in ["arrived", "completed"] {
            assert_eq!(
                c[key].as_f64().unwrap(),
                s["patients"][key]["mean"].as_f64().unwrap(),
                "{label} {key}"
            );
        }
        // Counted from the events as the animation counts them.
        let acts = v["activity"].as_array().unwrap();
        let n = |code: u64| acts.iter().filter(|a| a.as_u64() == Some(code)).count() as f64;
        assert_eq!(n(0), s["patients"]["arrived"]["mean"].as_f64().unwrap());
        assert_eq!(
            n(9) - n(6) - n(7),
            s["patients"]["completed"]["mean"].as_f64().unwrap()
        );
        let places = v["places"].as_array().unwrap();
        for (i, visits) in c["visits"].as_array().unwrap().iter().enumerate() {
            let id = places[i]["id"].as_str().unwrap();
            assert_eq!(
                visits.as_f64().unwrap(),
                s["stations"][id]["visits"]["mean"].as_f64().unwrap(),
                "{label} {id}"
            );
        }
    }
}

#[test]
fn the_base_scenario_and_the_seed_option() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clinic.html");
    let args = |seed: &str| {
        vec![
            "animate".to_string(),
            CLINIC.into(),
            "-s".into(),
            seed.into(),
            "-o".into(),
            file.to_str().unwrap().into(),
            "-q".into(),
        ]
    };
    let o = run_carepath(args("7"));
    o.expect_no_panic().expect_code(0);
    assert_eq!(o.stdout, "");
    let day = embedded(&std::fs::read_to_string(&file).unwrap());
    assert_eq!(day["variants"].as_array().unwrap().len(), 1);
    assert_eq!(day["variants"][0]["label"], "base");
    let out = dir.path().join("run");
    run_carepath([
        "run",
        CLINIC,
        "-r",
        "1",
        "-s",
        "7",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ])
    .expect_code(0);
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        day["variants"][0]["counts"]["completed"].as_f64().unwrap(),
        s["patients"]["completed"]["mean"].as_f64().unwrap()
    );
    run_carepath(args("8")).expect_code(0);
    let other = embedded(&std::fs::read_to_string(&file).unwrap());
    assert_ne!(other["variants"][0]["time"], day["variants"][0]["time"]);
}

#[test]
fn an_unknown_variant_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("day.html");
    let o = run_carepath([
        "animate",
        FLAGSHIP,
        "--variants",
        "paper,papr",
        "-o",
        file.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(2);
    assert!(o.stderr.contains("no variant `papr`"), "{}", o.stderr);
    assert!(o.stderr.contains("paper, digital"), "{}", o.stderr);
    assert!(!file.exists());
    let o = run_carepath(["animate", CLINIC, "--variants", "x", "-o", "x.html"]);
    o.expect_code(2);
    assert!(o.stderr.contains("it declares none"), "{}", o.stderr);
    // -o is required.
    run_carepath(["animate", CLINIC]).expect_code(2);
}

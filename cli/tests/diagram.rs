//! `carepath diagram` (the pathways as SVG) and the STRESS-DES part of `carepath report`.

use crate::support::{run_carepath, workspace_root};

#[test]
fn every_shipped_scenario_has_a_diagram_with_its_steps() {
    let dir = tempfile::tempdir().unwrap();
    let mut drawn = 0;
    for entry in std::fs::read_dir(workspace_root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let out = dir.path().join("d.svg");
        let o = run_carepath([
            "diagram",
            path.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        o.expect_no_panic().expect_code(0);
        let svg = std::fs::read_to_string(&out).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("arrivals") && svg.contains("leave"));
        drawn += 1;
    }
    assert!(drawn >= 10, "{drawn} scenarios");
    let o = run_carepath([
        "diagram",
        "scenarios/future-hospital.toml",
        "--variant",
        "digital",
    ]);
    o.expect_no_panic().expect_code(0);
    assert!(o.stdout.contains("digital: pay by phone or face"));
    let o = run_carepath([
        "diagram",
        "scenarios/future-hospital.toml",
        "--variant",
        "nope",
    ]);
    o.expect_no_panic().expect_code(2);
}

#[test]
fn the_report_documents_the_model_as_stress_des_asks() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.html");
    let o = run_carepath([
        "report",
        "scenarios/outpatient-clinic.toml",
        "-r",
        "2",
        "-q",
        "--out",
        file.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(0);
    let html = std::fs::read_to_string(&file).unwrap();
    for h in [
        "Model documentation (STRESS-DES)",
        "1. Objectives",
        "2. Logic",
        "3. Data",
        "4. Experimentation",
        "5. Implementation",
        "6. Code access",
        "Pathways of Outpatient clinic",
        "2 independent replications per variant (base seed 20260115)",
        "Started empty at 07:00",
    ] {
        assert!(html.contains(h), "{h} missing");
    }
    assert!(html.contains("<figure class=diagram><svg"));
}

//! The flagship scenario (`scenarios/future-hospital.toml`) at CI size: the "five hours versus
//! one hour" claim as an outcome of the mechanics. Paper must be much slower than digital,
//! partial adoption must land in between, and the peak-time patients needing tests must land
//! in the calibrated ranges (paper about 4–6 h, digital about 1–1.5 h). Paired intervals with
//! common random numbers; 6 replications keep this under a second in an optimised test build.

use sim_core::{Model, ReplicationResult, Simulator};

const FLAGSHIP: &str = include_str!("../../scenarios/future-hospital.toml");

fn run(variant: &str) -> (Model, Vec<ReplicationResult>) {
    let six = sim_core::scenario::Overrides {
        replications: Some(6),
        ..Default::default()
    };
    let m = sim_core::Scenario::parse(FLAGSHIP)
        .and_then(|s| s.model_with(Some(variant), &six))
        .unwrap_or_else(|e| panic!("{variant}: {e}"));
    let mut sim = Simulator::new(&m);
    let r = (0..m.replications()).map(|i| sim.run(i).unwrap()).collect();
    (m, r)
}

fn peak_tests_hours(m: &Model, results: &[ReplicationResult]) -> Vec<f64> {
    let c = m
        .class_index("peak_tests")
        .expect("the flagship has a peak_tests class");
    results
        .iter()
        .map(|r| r.classes[c].time_in_system.mean() / 60.0)
        .collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn paper_takes_hours_digital_about_one_and_half_adoption_lands_between() {
    let (pm, paper) = run("paper");
    let (dm, digital) = run("digital");
    let (hm, half) = run("digital_50pct");
    let (p, d, h) = (
        peak_tests_hours(&pm, &paper),
        peak_tests_hours(&dm, &digital),
        peak_tests_hours(&hm, &half),
    );
    let (mp, md, mh) = (mean(&p), mean(&d), mean(&h));
    eprintln!(
        "peak-time patients needing tests: paper {mp:.2} h, 50% {mh:.2} h, digital {md:.2} h"
    );
    assert!((4.0..=6.0).contains(&mp), "paper {mp:.2} h");
    assert!((1.0..=1.5).contains(&md), "digital {md:.2} h");
    // Replication by replication (common random numbers): paper > 50% > digital, by margins.
    for i in 0..p.len() {
        assert!(
            p[i] > h[i] + 0.5 && h[i] > d[i] + 0.25,
            "replication {i}: {} {} {}",
            p[i],
            h[i],
            d[i]
        );
    }
    // All patients, too.
    let all = |r: &[ReplicationResult]| {
        mean(
            &r.iter()
                .map(|x| x.time_in_system.mean())
                .collect::<Vec<_>>(),
        )
    };
    assert!(
        all(&paper) > 2.0 * all(&digital),
        "{} vs {}",
        all(&paper),
        all(&digital)
    );
}

#[test]
fn the_flagship_is_a_large_peak_day() {
    let (m, r) = run("paper");
    let arrived = mean(
        &r.iter()
            .map(|x| x.patients.arrived as f64)
            .collect::<Vec<_>>(),
    );
    assert!(arrived > 10_000.0, "{arrived} patients");
    assert!(m.variant_ids().len() >= 4);
}

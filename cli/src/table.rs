//! The human-readable summary printed by `carepath run`.

use sim_core::Model;
use sim_core::summary::{Metric, Summary, TimeMetric};
use std::fmt::Write as _;

fn ci(m: Option<f64>, h: Option<f64>, scale: f64, digits: usize) -> String {
    match (m, h) {
        (Some(lo), Some(hi)) => format!("[{:.*}, {:.*}]", digits, lo * scale, digits, hi * scale),
        _ => "[n/a]".to_string(),
    }
}

fn metric(m: &Metric) -> String {
    format!("{:.1} {}", m.mean, ci(m.ci95_low, m.ci95_high, 1.0, 1))
}

fn time(t: &TimeMetric) -> String {
    format!(
        "mean {:.1} {}  p50 {:.1}  p90 {:.1}  p95 {:.1}",
        t.mean,
        ci(t.ci95_low, t.ci95_high, 1.0, 1),
        t.p50,
        t.p90,
        t.p95
    )
}

/// Renders the summary as a plain-text report.
pub fn render(model: &Model, s: &Summary, wall_seconds: f64) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "CarePath {} — {}{} (seed {}, {} replication{}, intervals are 95% CI across replications)",
        s.carepath_version,
        s.scenario,
        if s.variant.is_empty() {
            String::new()
        } else {
            format!(", variant {}", s.variant)
        },
        s.seed,
        s.replications,
        if s.replications == 1 { "" } else { "s" }
    );
    let p = &s.patients;
    let _ = writeln!(
        o,
        "\nPatients per replication: arrived {}, completed {}, balked {}, reneged {}, unfinished {}, no-shows {}",
        metric(&p.arrived),
        metric(&p.completed),
        metric(&p.balked),
        metric(&p.reneged),
        metric(&p.unfinished),
        metric(&p.no_shows)
    );
    let _ = writeln!(o, "Time in system (min): {}", time(&s.time_in_system_min));
    let _ = writeln!(
        o,
        "Queues joined per patient: {}",
        metric(&s.run.queues_per_patient)
    );
    let _ = writeln!(
        o,
        "\n{:<18} {:>9} {:>26} {:>8} {:>8} {:>8} {:>16} {:>8} {:>7}",
        "station",
        "visits",
        "wait mean [95% CI] min",
        "p90",
        "p95",
        "service",
        "utilisation",
        "queue",
        "max q"
    );
    for st in &model.stations {
        let r = &s.stations[&st.id];
        let w = &r.wait_min;
        let _ = writeln!(
            o,
            "{:<18} {:>9.1} {:>26} {:>8.2} {:>8.2} {:>8.2} {:>16} {:>8.2} {:>7}",
            truncate(&st.id, 18),
            r.visits.mean,
            format!("{:.2} {}", w.mean, ci(w.ci95_low, w.ci95_high, 1.0, 2)),
            w.p90,
            w.p95,
            r.service_min.mean,
            format!(
                "{:.1}% {}",
                100.0 * r.utilization.mean,
                ci(r.utilization.ci95_low, r.utilization.ci95_high, 100.0, 1)
            ),
            r.queue_length.mean,
            r.max_queue_length
        );
    }
    if s.classes.len() > 1 {
        let _ = writeln!(
            o,
            "\n{:<18} {:>10} {:>10}  time in system (min)",
            "class", "arrived", "completed"
        );
        for c in &model.classes {
            let r = &s.classes[&c.id];
            let _ = writeln!(
                o,
                "{:<18} {:>10.1} {:>10.1}  {}",
                truncate(&c.id, 18),
                r.patients.arrived.mean,
                r.patients.completed.mean,
                time(&r.time_in_system_min)
            );
        }
    }
    let events = s.engine.events as f64;
    let _ = writeln!(
        o,
        "\n{} events in {:.3} s wall ({:.1} M events/s over all threads)",
        s.engine.events,
        wall_seconds,
        events / wall_seconds.max(1e-9) / 1e6
    );
    o
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

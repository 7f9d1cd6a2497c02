//! The model-documentation part of `carepath report`, following the STRESS-DES reporting
//! guideline for discrete-event simulation (Monks et al., 2019, *Journal of Simulation*
//! 13(1):55-67): objectives, logic (with the pathway diagram), data, experimentation,
//! implementation and code access, filled in from the scenario and the run so that the report
//! a planner hands in says how its numbers were made.

use carepath_charts::report::esc;
use sim_core::Model;
use sim_core::model::StepKind;
use sim_core::scenario::units::{format_clock, format_number};
use std::fmt::Write as _;
use std::path::Path;

/// What the section needs to know about the run.
pub(crate) struct RunFacts<'a> {
    /// The scenario file.
    pub path: &'a Path,
    /// The models run (the base, or each variant), in report order.
    pub models: Vec<&'a Model>,
    /// Replications per variant.
    pub replications: u32,
    /// Base seed.
    pub seed: u64,
    /// CarePath's version.
    pub version: &'a str,
    /// The data files the scenario reads.
    pub data_files: Vec<String>,
}

fn row(h: &mut String, item: &str, text: &str) {
    let _ = writeln!(
        h,
        "<tr><th scope=row>{}</th><td>{text}</td></tr>",
        esc(item)
    );
}

/// The CPU model, where the platform says (Linux).
fn cpu() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "not reported by the platform".into())
}

/// The STRESS-DES section (HTML), with the pathway diagram of the first model.
pub(crate) fn section(f: &RunFacts<'_>) -> String {
    let m = f.models[0];
    let mut h = String::new();
    h.push_str(
        "<section id=\"stress\"><h2>Model documentation (STRESS-DES)</h2>\n<p>Following the \
         STRESS-DES reporting guideline for discrete-event simulation (Monks et al., 2019), \
         filled in from the scenario file and this run.</p>\n",
    );
    // 1. Objectives.
    h.push_str("<h3>1. Objectives</h3><table class=stress><tbody>");
    row(
        &mut h,
        "1.1 Purpose of the model",
        &if m.description().is_empty() {
            format!("{} (the scenario gives no description).", esc(m.name()))
        } else {
            esc(m.description())
        },
    );
    row(
        &mut h,
        "1.2 Model outputs",
        "Per replication and as means with 95% confidence intervals across replications: \
         patients arrived, completed, balked, reneged and unfinished; time in system (mean and \
         percentiles); per station the wait, service, utilisation, queue length and balks; \
         shares meeting each target; results by hour and day (see the sections above and \
         docs/output-format.md).",
    );
    let labels: Vec<String> = f
        .models
        .iter()
        .map(|m| esc(crate::model_label(m)))
        .collect();
    row(
        &mut h,
        "1.3 Experimentation aims",
        &if f.models.len() > 1 {
            format!(
                "Compare the variants {} with common random numbers (the same patients in each), \
                 by paired differences.",
                labels.join(", ")
            )
        } else {
            format!("Estimate the performance of {}.", labels.join(", "))
        },
    );
    h.push_str("</tbody></table>");
    // 2. Logic.
    h.push_str("<h3>2. Logic</h3>");
    let _ = writeln!(
        h,
        "<figure class=diagram>{}</figure>",
        carepath_charts::diagram::pathway_diagram(m)
    );
    h.push_str("<table class=stress><tbody>");
    let classes: Vec<String> = m.classes().iter().map(|c| esc(&c.id)).collect();
    row(
        &mut h,
        "2.1 Base model overview",
        "Patients arrive by the streams below, follow their pathway's steps (queueing for and \
         being served at stations, or delayed without a server), are routed between steps by \
         the probabilities on the arrows, and leave; the diagram above is drawn from the \
         compiled model.",
    );
    let mut stations = String::new();
    for s in m.stations() {
        let _ = write!(
            stations,
            "{} ({} server{} at the start){}; ",
            esc(&s.name),
            s.initial_servers,
            if s.initial_servers == 1 { "" } else { "s" },
            if s.changes.is_empty() {
                ""
            } else {
                ", staffing changes over the day"
            }
        );
    }
    let delays = m
        .steps()
        .iter()
        .filter(|s| matches!(s.kind, StepKind::Delay { .. }))
        .count();
    row(
        &mut h,
        "2.2 Components: entities",
        &format!("Patients, of the classes {}.", classes.join(", ")),
    );
    row(
        &mut h,
        "2.2 Components: activities",
        &format!(
            "{} pathway step{} ({} station visit{}, {} delay{}).",
            m.steps().len(),
            if m.steps().len() == 1 { "" } else { "s" },
            m.steps().len() - delays,
            if m.steps().len() - delays == 1 {
                ""
            } else {
                "s"
            },
            delays,
            if delays == 1 { "" } else { "s" }
        ),
    );
    row(
        &mut h,
        "2.2 Components: resources",
        &format!(
            "Stations: {}{}",
            stations.trim_end_matches("; "),
            if m.resources().is_empty() {
                ".".to_string()
            } else {
                format!(
                    ". Shared resources: {}.",
                    m.resources()
                        .iter()
                        .map(|r| esc(&r.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ),
    );
    row(
        &mut h,
        "2.2 Components: queues, entry and exit",
        &format!(
            "One queue per station (disciplines, capacities and patience as in the scenario \
             file below); arrivals by the streams {}; exit after the last step, or on balking \
             or reneging.",
            m.streams()
                .iter()
                .map(|s| esc(&s.id))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    row(
        &mut h,
        "2.3 Scenario logic",
        &if f.models.len() > 1 {
            "Each variant applies its overlays (and, for digital workflows, its levers at the \
             tagged steps) to the base scenario; the scenario file below lists them."
                .to_string()
        } else {
            "The base scenario as written.".to_string()
        },
    );
    row(
        &mut h,
        "2.4 Algorithms",
        "Next-event simulation; distributions sampled by inversion or standard transforms from \
         keyed random streams (docs/scenario-format.md lists each distribution).",
    );
    h.push_str("</tbody></table>");
    // 3. Data.
    h.push_str("<h3>3. Data</h3><table class=stress><tbody>");
    row(
        &mut h,
        "3.1 Data sources",
        &if f.data_files.is_empty() {
            "The values in the scenario file (reproduced in full below), with the sources its \
             comments cite."
                .to_string()
        } else {
            format!(
                "The scenario file (below) and the data files it reads: {}.",
                f.data_files
                    .iter()
                    .map(|d| format!("<code>{}</code>", esc(d)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
    );
    row(
        &mut h,
        "3.2 Pre-processing",
        "None by CarePath; distributions fitted to observations with <code>carepath fit</code> \
         are written into the scenario as parameters.",
    );
    row(
        &mut h,
        "3.3 Input parameters",
        "Every parameter is in the scenario file below (durations with units, rates per hour, \
         shares and probabilities).",
    );
    row(
        &mut h,
        "3.4 Assumptions",
        "As stated in the scenario file's comments; values a source does not give are marked \
         there.",
    );
    h.push_str("</tbody></table>");
    // 4. Experimentation.
    h.push_str("<h3>4. Experimentation</h3><table class=stress><tbody>");
    let warm = if m.stats_start() > m.open() {
        format!(
            "Started empty at {}; statistics from {} (a warm-up of {} min).",
            format_clock(m.open()),
            format_clock(m.stats_start()),
            format_number(m.stats_start() - m.open())
        )
    } else {
        format!(
            "Started empty at {}, as the clinic opens (a terminating run: no warm-up).",
            format_clock(m.open())
        )
    };
    row(&mut h, "4.1 Initialisation", &warm);
    let length = match (m.close(), m.stop()) {
        (_, Some(stop)) => format!("The run stops at {}.", format_clock(stop)),
        (Some(close), None) => format!(
            "Walk-ins stop at {}; the run ends when the last patient has left.",
            format_clock(close)
        ),
        (None, None) => "The run ends when the last patient has left.".into(),
    };
    row(&mut h, "4.2 Run length", &length);
    row(
        &mut h,
        "4.3 Estimation approach",
        &format!(
            "{} independent replication{} per variant (base seed {}); means with Student-t 95% \
             confidence intervals across replications{}.",
            f.replications,
            if f.replications == 1 { "" } else { "s" },
            f.seed,
            if f.models.len() > 1 {
                "; variants paired by common random numbers"
            } else {
                ""
            }
        ),
    );
    h.push_str("</tbody></table>");
    // 5. Implementation.
    h.push_str("<h3>5. Implementation</h3><table class=stress><tbody>");
    row(
        &mut h,
        "5.1 Software",
        &format!(
            "CarePath {} (Rust), <code>carepath report {}</code>.",
            esc(f.version),
            esc(&f.path.display().to_string())
        ),
    );
    row(
        &mut h,
        "5.2 Random sampling",
        "Xoshiro256++ per arrival stream and SplitMix64 per patient draw, keyed by replication, \
         stream, patient, purpose and step name (sim-core/src/rng.rs), so results are identical \
         on every platform and thread count.",
    );
    row(
        &mut h,
        "5.3 Model execution",
        "Replications run in parallel on all cores; the results do not depend on the number of \
         threads.",
    );
    row(
        &mut h,
        "5.4 System specification",
        &format!(
            "{} on {}, CPU: {}, {} hardware threads.",
            std::env::consts::OS,
            std::env::consts::ARCH,
            esc(&cpu()),
            std::thread::available_parallelism().map_or(1, |n| n.get())
        ),
    );
    h.push_str("</tbody></table>");
    // 6. Code access.
    h.push_str("<h3>6. Code access</h3><table class=stress><tbody>");
    row(
        &mut h,
        "6.1 Computer model sharing statement",
        &format!(
            "CarePath {} is open source; the scenario file is reproduced in full below, so \
             running it with seed {} reproduces every number in this report.",
            esc(f.version),
            f.seed
        ),
    );
    h.push_str("</tbody></table></section>\n");
    h
}

//! The human-readable summary printed by `carepath run`: units stand in the header line
//! (`wait (min)`), a warning near the top when patients were still in the clinic at the end,
//! and no number is ever printed as `-0.0`.

use sim_core::Model;
use sim_core::stats::hourly::EndOfDayCount;
use sim_core::summary::{Metric, Summary, TimeMetric};
use std::fmt::Write as _;

/// `x` with `digits` decimals, never `-0.0`: a value that rounds to zero prints as zero
/// whatever its sign (a tiny negative difference is not a negative number of patients).
pub fn fixed(x: f64, digits: usize) -> String {
    let s = format!("{x:.digits$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

fn ci(m: Option<f64>, h: Option<f64>, scale: f64, digits: usize) -> String {
    match (m, h) {
        (Some(lo), Some(hi)) => format!(
            "[{}, {}]",
            fixed(lo * scale, digits),
            fixed(hi * scale, digits)
        ),
        _ => "[n/a]".to_string(),
    }
}

fn metric(m: &Metric) -> String {
    format!(
        "{} {}",
        fixed(m.mean, 1),
        ci(m.ci95_low, m.ci95_high, 1.0, 1)
    )
}

fn time(t: &TimeMetric) -> String {
    format!(
        "mean {} {}  p50 {}  p90 {}  p95 {}",
        fixed(t.mean, 1),
        ci(t.ci95_low, t.ci95_high, 1.0, 1),
        fixed(t.p50, 1),
        fixed(t.p90, 1),
        fixed(t.p95, 1)
    )
}

/// The warning printed near the top of the run table (and per variant by `compare`) when
/// patients were still in the clinic at the end of the run: their time in system is not
/// known, so the mean time in system leaves them out and understates it.
pub fn unfinished_warning(s: &Summary, variant: Option<&str>) -> Option<String> {
    let u = s.patients.unfinished.mean;
    if u > 0.0 {
        let share = if s.patients.arrived.mean > 0.0 {
            format!(
                " ({}% of arrivals)",
                fixed(100.0 * u / s.patients.arrived.mean, 1)
            )
        } else {
            String::new()
        };
        Some(format!(
            "WARNING{}: {} patients per replication{share} were still in the clinic when the run \
             ended. Their time in system is unknown, so the time-in-system figures leave them out \
             and understate it. Common causes: a step whose station has no staff late in the day, or \
             a run that stops before the clinic has emptied.\n",
            variant.map_or(String::new(), |v| format!(" ({v})")),
            fixed(u, 1)
        ))
    } else {
        None
    }
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
    if let Some(w) = unfinished_warning(s, None) {
        let _ = write!(o, "{w}");
    }
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
    if p.rebooked.mean > 0.0 {
        let _ = writeln!(
            o,
            "Came too late and told to book again: {}",
            metric(&p.rebooked)
        );
    }
    if p.sent_home.mean > 0.0 {
        let _ = writeln!(
            o,
            "Sent home unseen at the end of a day: {}",
            metric(&p.sent_home)
        );
    }
    let _ = writeln!(o, "Time in system (min): {}", time(&s.time_in_system_min));
    let _ = writeln!(
        o,
        "Queues joined per patient: {}",
        metric(&s.run.queues_per_patient)
    );
    if !s.targets.is_empty() {
        targets(&mut o, s);
    }
    let _ = writeln!(
        o,
        "\nPer station: waits and service in minutes, utilisation in %, queue = mean number waiting"
    );
    let _ = writeln!(
        o,
        "{:<18} {:>9} {:>26} {:>8} {:>8} {:>8} {:>16} {:>8} {:>7}",
        "station",
        "visits",
        "wait mean [95% CI]",
        "wait p90",
        "wait p95",
        "service",
        "utilisation",
        "queue",
        "max q"
    );
    for st in model.stations() {
        let r = &s.stations[&st.id];
        let w = &r.wait_min;
        let _ = writeln!(
            o,
            "{:<18} {:>9} {:>26} {:>8} {:>8} {:>8} {:>16} {:>8} {:>7}",
            truncate(&st.id, 18),
            fixed(r.visits.mean, 1),
            format!(
                "{} {}",
                fixed(w.mean, 2),
                ci(w.ci95_low, w.ci95_high, 1.0, 2)
            ),
            fixed(w.p90, 2),
            fixed(w.p95, 2),
            fixed(r.service_min.mean, 2),
            format!(
                "{}% {}",
                fixed(100.0 * r.utilization.mean, 1),
                ci(r.utilization.ci95_low, r.utilization.ci95_high, 100.0, 1)
            ),
            fixed(r.queue_length.mean, 2),
            r.max_queue_length
        );
    }
    if !model.resources().is_empty() {
        resources(&mut o, model, s);
    }
    if !s.by_day.is_empty() {
        by_day(&mut o, s);
    }
    // With one week the weekday table would repeat the day table.
    if s.by_weekday.iter().any(|w| w.days > 1) {
        by_weekday(&mut o, s);
    }
    if !s.by_hour.is_empty() {
        by_hour(&mut o, s);
    }
    if s.classes.len() > 1 {
        let _ = writeln!(
            o,
            "\n{:<18} {:>10} {:>10}  time in system (min)",
            "class", "arrived", "completed"
        );
        for c in model.classes() {
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

/// The service-level targets: the share of patients meeting each, its interval, and whether
/// it is met with 95% confidence.
pub fn targets(o: &mut String, s: &Summary) {
    let _ = writeln!(
        o,
        "\nService-level targets: share of patients meeting each (95% CI), judged with one-sided 95% confidence"
    );
    let _ = writeln!(
        o,
        "{:<18} {:>8} {:>22}  {:<36} target",
        "target", "needed", "share [95% CI]", "verdict"
    );
    for t in &s.targets {
        let share = format!(
            "{}% {}",
            fixed(100.0 * t.share.mean, 1),
            ci(t.share.ci95_low, t.share.ci95_high, 100.0, 1)
        );
        let _ = writeln!(
            o,
            "{:<18} {:>7}% {:>22}  {:<36} {}",
            truncate(&t.id, 18),
            fixed(100.0 * t.required_share, 1),
            share,
            t.verdict.words(),
            crate::output::clean_for_terminal(&t.name)
        );
    }
}

/// `consult (92% of waiting, wait 19.2)`, or `—` when there is no bottleneck worth naming.
fn bottleneck_cell(named: Option<sim_core::stats::hourly::Named<'_>>) -> String {
    match named {
        Some(b) => format!(
            "{} ({}% of waiting{})",
            truncate(b.station, 24),
            fixed(100.0 * b.share, 0),
            b.wait_min
                .map_or(String::new(), |w| format!(", wait {}", fixed(w, 1)))
        ),
        None => "—".into(),
    }
}

/// Results by day of the run: arrivals, patient-hours waited, and the day's bottleneck; with
/// a calendar also the weekday and date, closed days, overtime and the end-of-day outcomes.
pub fn by_day(o: &mut String, s: &Summary) {
    let calendar = s.by_day.iter().any(|d| d.weekday.is_some());
    let _ = writeln!(
        o,
        "\nBy day: arrivals and patient-hours spent waiting (mean per replication); bottleneck = the station with the largest share of the day's waiting{}",
        if calendar {
            "; overtime = staff-hours worked after the day's last shifts"
        } else {
            ""
        }
    );
    let extra = end_of_day_column(s);
    if calendar {
        let _ = writeln!(
            o,
            "{:<14} {:>20} {:>10} {:>10}{}  bottleneck",
            "day",
            "arrivals [95% CI]",
            "waiting h",
            "overtime h",
            extra.map_or(String::new(), |(name, _)| format!(" {name:>10}"))
        );
    } else {
        let _ = writeln!(
            o,
            "{:<6} {:>20} {:>10}  bottleneck",
            "day", "arrivals [95% CI]", "waiting h"
        );
    }
    for d in &s.by_day {
        let waiting = d.waiting();
        let bottleneck = bottleneck_cell(d.named_bottleneck());
        if !calendar {
            let _ = writeln!(
                o,
                "{:<6} {:>20} {:>10}  {}",
                d.day,
                metric(&d.arrivals),
                fixed(waiting, 1),
                bottleneck
            );
            continue;
        }
        let label = format!(
            "{} {}{}",
            d.day,
            d.weekday.as_deref().unwrap_or(""),
            d.date
                .as_deref()
                .map_or(String::new(), |x| format!(" {}", &x[5..]))
        );
        if d.closed {
            // Patients carried over wait through a closed day: show their waiting.
            if waiting > 0.0 {
                let _ = writeln!(o, "{label:<14} {:>20} {:>10}", "closed", fixed(waiting, 1));
            } else {
                let _ = writeln!(o, "{label:<14} {:>20}", "closed");
            }
            continue;
        }
        let overtime = d.closings.overtime();
        let _ = writeln!(
            o,
            "{:<14} {:>20} {:>10} {:>10}{}  {}",
            label,
            metric(&d.arrivals),
            fixed(waiting, 1),
            fixed(overtime / 60.0, 1),
            extra.map_or(String::new(), |(_, c)| format!(
                " {:>10}",
                fixed(d.closings.count(c), 1)
            )),
            bottleneck
        );
    }
}

/// The end-of-day column of the day and weekday tables, when that rule is in force: its
/// heading and what it counts.
fn end_of_day_column(s: &Summary) -> Option<(&'static str, EndOfDayCount)> {
    EndOfDayCount::of(&s.by_day).map(|c| {
        let name = match c {
            EndOfDayCount::SentHome => "sent home",
            EndOfDayCount::CarriedOver => "carried",
        };
        (name, c)
    })
}

/// With a calendar: each open weekday averaged over its days in the run.
pub fn by_weekday(o: &mut String, s: &Summary) {
    let _ = writeln!(
        o,
        "\nBy weekday: per open day (mean per replication); wait = mean wait at the weekday's bottleneck (min)"
    );
    let extra = end_of_day_column(s);
    let _ = writeln!(
        o,
        "{:<8} {:>4} {:>20} {:>10} {:>10}{}  bottleneck",
        "weekday",
        "days",
        "arrivals [95% CI]",
        "waiting h",
        "overtime h",
        extra.map_or(String::new(), |(name, _)| format!(" {name:>10}"))
    );
    for w in &s.by_weekday {
        let (waiting, overtime) = (w.waiting(), w.closings.overtime());
        let _ = writeln!(
            o,
            "{:<8} {:>4} {:>20} {:>10} {:>10}{}  {}",
            w.weekday,
            w.days,
            metric(&w.arrivals),
            fixed(waiting, 1),
            fixed(overtime / 60.0, 1),
            extra.map_or(String::new(), |(_, c)| format!(
                " {:>10}",
                fixed(w.closings.count(c), 1)
            )),
            bottleneck_cell(w.named_bottleneck())
        );
    }
}

/// Most hours printed in the by-hour table (two days).
const MAX_HOUR_ROWS: usize = 48;

/// Results by clock hour: arrivals, patients waiting, and the hour's bottleneck (the station
/// with the largest share of the minutes waited) with its share and mean wait.
pub fn by_hour(o: &mut String, s: &Summary) {
    let days = s.by_hour.last().map_or(1, |h| h.day) > 1;
    if s.by_hour.len() > MAX_HOUR_ROWS {
        let _ = writeln!(
            o,
            "\nBy hour: {} hours, too many to print; `--out DIR` writes them to summary.json (by_hour) and `carepath report` shows them",
            s.by_hour.len()
        );
        return;
    }
    let _ = writeln!(
        o,
        "\nBy hour: arrivals and patients waiting (mean per replication); bottleneck = the station with the largest share of the minutes waited, with its mean wait (min) for waits begun in the hour"
    );
    let _ = writeln!(
        o,
        "{:<12} {:>9} {:>9}  bottleneck",
        "hour", "arrivals", "waiting"
    );
    for h in &s.by_hour {
        let waiting = h.waiting();
        let bottleneck = bottleneck_cell(h.named_bottleneck());
        let label = if days {
            format!("day {} {}", h.day, h.clock)
        } else {
            h.clock.clone()
        };
        let _ = writeln!(
            o,
            "{:<12} {:>9} {:>9}  {}",
            label,
            fixed(h.arrivals.mean, 1),
            fixed(waiting, 2),
            bottleneck
        );
    }
}

/// The shared resources' table: utilisation against available unit time, busy, rostered and
/// overtime unit-hours, and the busy hours each station took.
fn resources(o: &mut String, model: &Model, s: &Summary) {
    let _ = writeln!(
        o,
        "\nPer resource: utilisation in % of available unit time, hours are unit-hours per replication"
    );
    let _ = writeln!(
        o,
        "{:<18} {:>6} {:>16} {:>9} {:>9} {:>9}  busy hours by station",
        "resource", "units", "utilisation", "busy h", "rota h", "overtime"
    );
    for res in model.resources() {
        let r = &s.resources[&res.id];
        let by: Vec<String> = res
            .users
            .iter()
            .map(|&u| {
                let id = &model.stations()[u as usize].id;
                format!(
                    "{} {}",
                    truncate(id, 18),
                    fixed(r.busy_hours_by_station[id].mean, 1)
                )
            })
            .collect();
        let _ = writeln!(
            o,
            "{:<18} {:>6} {:>16} {:>9} {:>9} {:>9}  {}",
            truncate(&res.id, 18),
            r.units_max,
            format!(
                "{}% {}",
                fixed(100.0 * r.utilisation.mean, 1),
                ci(r.utilisation.ci95_low, r.utilisation.ci95_high, 100.0, 1)
            ),
            fixed(r.busy_hours.mean, 1),
            fixed(r.rostered_hours.mean, 1),
            fixed(r.overtime_hours.mean, 1),
            by.join(", ")
        );
        // Interrupted services, only where there were any (most pools never interrupt).
        let counts = [
            (r.preemptions.mean, "preempted by a higher class"),
            (r.interruptions.mean, "stopped at a shift's end"),
            (r.handovers.mean, "handed over at a shift's end"),
        ];
        let said: Vec<String> = counts
            .iter()
            .filter(|(n, _)| *n > 0.0)
            .map(|(n, what)| format!("{} {what}", fixed(*n, 1)))
            .collect();
        if !said.is_empty() {
            let _ = writeln!(
                o,
                "{:<18} services per replication: {}",
                "",
                said.join(", ")
            );
        }
    }
    waiting_for(o, model, s);
}

/// For stations that need several resources: how long their queue waited while each was
/// short (minutes per visit), so the table says which resource the wait is for.
fn waiting_for(o: &mut String, model: &Model, s: &Summary) {
    let several: Vec<_> = model
        .stations()
        .iter()
        .filter(|st| st.requires.len() > 1)
        .collect();
    if several.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "\nWaiting for resources: minutes per visit the queue waited while each was short (several can be short at once)"
    );
    for st in several {
        let Some(summary) = s.stations.get(&st.id) else {
            continue;
        };
        let by: Vec<String> = summary
            .waiting_for_min
            .iter()
            .map(|(id, m)| format!("{} {}", truncate(id, 18), fixed(m.mean, 2)))
            .collect();
        let _ = writeln!(
            o,
            "{:<18} wait {:>7}  {}",
            truncate(&st.id, 18),
            fixed(summary.wait_min.mean, 2),
            by.join(", ")
        );
    }
}

/// `s` cut to `n` characters (control characters escaped first, so the cut width is the
/// printed width).
fn truncate(s: &str, n: usize) -> String {
    let s = crate::output::clean_for_terminal(s);
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_zero_is_printed_as_zero() {
        assert_eq!(fixed(-0.0, 1), "0.0");
        assert_eq!(fixed(-0.04, 1), "0.0");
        assert_eq!(fixed(-0.004, 2), "0.00");
        assert_eq!(fixed(-0.05, 0), "0");
        assert_eq!(fixed(-0.06, 1), "-0.1");
        assert_eq!(fixed(-12.0, 1), "-12.0");
        assert_eq!(fixed(1.234, 2), "1.23");
    }

    /// The table `carepath run` prints, for a small seeded scenario with two classes. The wall
    /// time is passed in and the version replaced, so the snapshot holds only what the seeded
    /// runs give; a change is reviewed with `cargo insta review`.
    #[test]
    fn the_table_reads_as_it_did() {
        let model = Model::from_toml(
            r#"
[scenario]
name = "two desks"
[run]
close = "11:00"
replications = 4
seed = 11
[[classes]]
id = "adult"
share = 0.75
[[classes]]
id = "child"
share = 0.25
[[stations]]
id = "desk"
servers = 1
service = { dist = "exponential", mean = "3min" }
[[stations]]
id = "nurse"
servers = 2
service = { dist = "triangular", min = "2min", mode = "5min", max = "9min" }
[[arrivals]]
id = "walk_in"
kind = "poisson"
rate = "15/h"
pathway = "visit"
[[pathways]]
id = "visit"
steps = [
  { id = "desk", station = "desk", next = "nurse" },
  { id = "nurse", station = "nurse", next = "exit" },
]
"#,
        )
        .unwrap();
        let mut study = sim_core::Study::new(&model);
        study.run().unwrap();
        let mut summary = study.summary();
        summary.carepath_version = "[version]".into();
        insta::assert_snapshot!(render(&model, &summary, 0.25));
    }
}

//! The results of a run or a comparison as HTML sections — summary table, where the time goes,
//! time in system, waits, utilisation, queues over the day and paired differences — with every
//! chart inline as SVG. `carepath report` wraps them in a self-contained file; the web page
//! shows the same sections, so both tell the same story with the same numbers.

use crate::{Chart, ChartError, VariantInput};
use sim_core::Model;
use sim_core::compare::{Breakdown, Comparison};
use sim_core::stats::hourly::EndOfDayCount;
use sim_core::summary::{Metric, QueueSeries, Summary};
use std::fmt::Write as _;

/// One variant's results, as the sections need them.
pub struct RunView<'a> {
    /// The model the variant ran.
    pub model: &'a Model,
    /// Its summary across replications.
    pub summary: &'a Summary,
    /// Where its time goes.
    pub breakdown: &'a Breakdown,
    /// Its queue-length and utilisation series.
    pub series: &'a QueueSeries,
}

/// Style rules for the sections (tables, intervals, figures), for pages that embed them.
pub const STYLE: &str = "
table{border-collapse:collapse;margin:1em 0;font-size:.95em}
th,td{border:1px solid #d0d0d0;padding:.3em .6em;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}thead th{background:#f2f2f2}
td.closed{text-align:left;color:#595959}
table.days td:nth-child(2),table.days th:nth-child(2),table.days td:nth-last-child(3),table.days th:nth-last-child(3),table.weekdays td:nth-last-child(3),table.weekdays th:nth-last-child(3){text-align:left}
.ci{color:#595959;font-size:.9em;white-space:nowrap}
figure{margin:1.5em 0}figure svg{max-width:100%;height:auto;display:block}
.diff td:nth-child(2),.diff th:nth-child(2){text-align:left}
.warn{color:#a04000}
.met{color:#00734d;font-weight:600}.not-met{color:#a04000;font-weight:600}.undecided{color:#595959}
.unfinished{border:2px solid #a04000;background:#fff4e5;color:#1b1b1b;border-radius:6px;padding:.6em 1em;margin:1em 0}
.unfinished p{margin:.3em 0}
";

/// The label of a variant in charts and tables ("base" for the base scenario).
pub fn label(m: &Model) -> &str {
    if m.variant().is_empty() {
        "base"
    } else {
        m.variant()
    }
}

/// Validation warnings for a set of runs: the base scenario's once, then each variant's own.
pub fn warnings(base: &[String], models: &[&Model]) -> Vec<String> {
    let mut out: Vec<String> = base.to_vec();
    for m in models.iter().filter(|m| !m.variant().is_empty()) {
        for w in m.warnings().iter().filter(|w| !base.contains(w)) {
            out.push(format!("variant {}: {w}", m.variant()));
        }
    }
    out
}

/// HTML text escaping (the charts' XML escaping, which is valid HTML).
pub fn esc(s: &str) -> String {
    crate::chart::escape(s)
}

fn ci(lo: Option<f64>, hi: Option<f64>, digits: usize) -> String {
    match (lo, hi) {
        (Some(l), Some(h)) => format!(" <span class=ci>[{l:.digits$}, {h:.digits$}]</span>"),
        _ => String::new(),
    }
}

fn metric(m: &Metric, digits: usize) -> String {
    format!("{:.digits$}{}", m.mean, ci(m.ci95_low, m.ci95_high, digits))
}

/// The result sections for `runs` (one per variant, the first is the baseline), with the paired
/// differences when `comparison` is given. Sections carry the ids `summary`, `time`, `tis`,
/// `waits`, `util`, `queues`, `util-day` and `diff`, and `targets` and `resources` when the
/// scenario has them.
pub fn sections(
    runs: &[RunView<'_>],
    comparison: Option<&Comparison>,
    warnings: &[String],
) -> Result<String, ChartError> {
    let first = &runs[0];
    let inputs: Vec<VariantInput<'_>> = runs
        .iter()
        .map(|r| {
            VariantInput::new(label(r.model), r.model, r.summary, r.breakdown).with_series(r.series)
        })
        .collect();
    let figure = |chart: Result<Chart, ChartError>| -> Result<String, ChartError> {
        let chart = chart?;
        Ok(format!(
            "<figure id=\"{}\">\n{}\n</figure>\n",
            esc(chart.file_stem()),
            chart.svg()?
        ))
    };
    let variants: Vec<&str> = runs.iter().map(|r| label(r.model)).collect();
    let mut h = unfinished_warning(runs);
    // Summary table.
    let table_head = |h: &mut String, first_col: &str| {
        let _ = write!(h, "<table>\n<thead><tr><th>{}</th>", esc(first_col));
        for v in &variants {
            let _ = write!(h, "<th>{}</th>", esc(v));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
    };
    let row = |h: &mut String, name: &str, cell: &dyn Fn(&RunView<'_>) -> String| {
        let _ = write!(h, "<tr><td>{}</td>", esc(name));
        for r in runs {
            let _ = write!(h, "<td>{}</td>", cell(r));
        }
        h.push_str("</tr>\n");
    };
    h.push_str("<section id=\"summary\"><h2>Summary</h2>\n<p>Means per replication.</p>\n");
    table_head(&mut h, "");
    row(&mut h, "patients arrived", &|r| {
        format!("{:.1}", r.summary.patients.arrived.mean)
    });
    row(&mut h, "patients completed", &|r| {
        format!("{:.1}", r.summary.patients.completed.mean)
    });
    row(&mut h, "left early (balked or reneged)", &|r| {
        format!(
            "{:.1}",
            r.summary.patients.balked.mean + r.summary.patients.reneged.mean
        )
    });
    row(&mut h, "still inside at the end", &|r| {
        format!("{:.1}", r.summary.patients.unfinished.mean)
    });
    row(&mut h, "time in system, mean (min)", &|r| {
        let t = &r.summary.time_in_system_min;
        format!("{:.1}{}", t.mean, ci(t.ci95_low, t.ci95_high, 1))
    });
    row(&mut h, "time in system, p50 / p90 / p95 (min)", &|r| {
        let t = &r.summary.time_in_system_min;
        format!("{:.0} / {:.0} / {:.0}", t.p50, t.p90, t.p95)
    });
    row(&mut h, "queues joined per patient", &|r| {
        metric(&r.summary.run.queues_per_patient, 2)
    });
    row(&mut h, "patients in the clinic (time average)", &|r| {
        metric(&r.summary.run.in_system, 1)
    });
    h.push_str("</tbody></table>\n");
    if first.model.classes().len() > 1 {
        h.push_str(
            "<p id=\"classes\">Time in system by patient class (min): mean [95% CI], p90.</p>\n",
        );
        table_head(&mut h, "class");
        for class in first.model.classes() {
            row(
                &mut h,
                &class.name,
                &|r| match r.summary.classes.get(&class.id) {
                    Some(c) if c.patients.completed.mean > 0.0 => {
                        let t = &c.time_in_system_min;
                        format!(
                            "{:.1}{}<br><span class=ci>p90 {:.0}</span>",
                            t.mean,
                            ci(t.ci95_low, t.ci95_high, 1),
                            t.p90
                        )
                    }
                    _ => "—".to_string(),
                },
            );
        }
        h.push_str("</tbody></table>\n");
    }
    for w in warnings {
        let _ = writeln!(h, "<p class=warn>Warning: {}</p>", esc(w));
    }
    h.push_str("</section>\n");
    targets_section(&mut h, runs, &variants);
    by_hour_section(&mut h, runs, &inputs)?;

    // Where the time goes.
    h.push_str("<section id=\"time\"><h2>Where the time goes</h2>\n");
    h.push_str(&figure(Chart::time_breakdown(&inputs))?);
    table_head(&mut h, "mean minutes per completed patient");
    for st in first.model.stations() {
        row(&mut h, &format!("queueing at {}", st.name), &|r| {
            format!(
                "{:.1}",
                r.breakdown.queueing_min.get(&st.id).copied().unwrap_or(0.0)
            )
        });
    }
    row(&mut h, "in service", &|r| {
        format!("{:.1}", r.breakdown.service_min)
    });
    row(&mut h, "in delays (results, walking)", &|r| {
        format!("{:.1}", r.breakdown.delay_min)
    });
    row(&mut h, "other (left early / unfinished)", &|r| {
        format!("{:.1}", r.breakdown.other_min)
    });
    row(&mut h, "= time in system", &|r| {
        format!("<b>{:.1}</b>", r.breakdown.time_in_system_min)
    });
    h.push_str("</tbody></table>\n</section>\n");

    h.push_str("<section id=\"tis\"><h2>Time in system</h2>\n");
    h.push_str(&figure(Chart::time_in_system(&inputs))?);
    h.push_str("</section>\n");

    let station_table =
        |h: &mut String, cell: &dyn Fn(&sim_core::summary::StationSummary) -> String| {
            table_head(h, "station");
            for st in first.model.stations() {
                row(h, &st.name, &|r| {
                    r.summary
                        .stations
                        .get(&st.id)
                        .map_or_else(|| "—".to_string(), cell)
                });
            }
            h.push_str("</tbody></table>\n");
        };
    h.push_str("<section id=\"waits\"><h2>Waiting time per station</h2>\n");
    h.push_str(&figure(Chart::waits(&inputs))?);
    h.push_str("<p>Mean wait before service in minutes [95% CI]; p90 of all waits pooled.</p>\n");
    station_table(&mut h, &|s| {
        format!(
            "{:.1}{}<br><span class=ci>p90 {:.1}</span>",
            s.wait_min.mean,
            ci(s.wait_min.ci95_low, s.wait_min.ci95_high, 1),
            s.wait_min.p90
        )
    });
    h.push_str("</section>\n");

    h.push_str("<section id=\"util\"><h2>Utilisation per station</h2>\n");
    h.push_str(&figure(Chart::utilisation(&inputs))?);
    h.push_str("<p>Busy server time ÷ on-shift server time, % [95% CI].</p>\n");
    station_table(&mut h, &|s| {
        let u = &s.utilization;
        format!(
            "{:.0}%{}",
            u.mean * 100.0,
            ci(
                u.ci95_low.map(|x| x * 100.0),
                u.ci95_high.map(|x| x * 100.0),
                0
            )
        )
    });
    h.push_str("</section>\n");

    resources_section(&mut h, runs, &inputs, &variants)?;

    h.push_str("<section id=\"queues\"><h2>Queue length over the day</h2>\n");
    for v in &inputs {
        match Chart::queue_length(v, if inputs.len() == 1 { "" } else { v.label }) {
            Ok(c) => h.push_str(&figure(Ok(c))?),
            Err(e @ ChartError::NoData { .. }) => {
                let _ = writeln!(h, "<p>{}</p>", esc(&e.to_string()));
            }
            Err(e) => return Err(e),
        }
    }
    h.push_str("</section>\n");

    h.push_str("<section id=\"util-day\"><h2>Utilisation over the day</h2>\n");
    for v in &inputs {
        match Chart::utilisation_by_interval(v, if inputs.len() == 1 { "" } else { v.label }) {
            Ok(c) => h.push_str(&figure(Ok(c))?),
            Err(e @ ChartError::NoData { .. }) => {
                let _ = writeln!(h, "<p>{}</p>", esc(&e.to_string()));
            }
            Err(e) => return Err(e),
        }
    }
    h.push_str("</section>\n");

    if let Some(c) = comparison {
        differences(&mut h, c, first.model);
    }

    Ok(h)
}

/// The service-level targets (when the scenario has any): per target and variant the share of
/// patients meeting it with its 95% interval, and the verdict at 95% confidence.
fn targets_section(h: &mut String, runs: &[RunView<'_>], variants: &[&str]) {
    let first = &runs[0];
    if first.summary.targets.is_empty() {
        return;
    }
    h.push_str(
        "<section id=\"targets\"><h2>Service-level targets</h2>\n<p>Share of patients meeting \
         each target (mean of the replications' shares, 95% CI) and whether it is met with 95% \
         confidence (one-sided bound against the required share). Patients who left unserved \
         count as not meeting it.</p>\n<table>\n<thead><tr><th>target</th><th>needed</th>",
    );
    for v in variants {
        let _ = write!(h, "<th>{}</th>", esc(v));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for (i, t) in first.summary.targets.iter().enumerate() {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{:.0}%</td>",
            esc(&t.name),
            100.0 * t.required_share
        );
        for r in runs {
            match r.summary.targets.get(i) {
                Some(v) => {
                    let ci = match (v.share.ci95_low, v.share.ci95_high) {
                        (Some(l), Some(hi)) => format!(
                            " <span class=ci>[{:.1}, {:.1}]</span>",
                            100.0 * l,
                            100.0 * hi
                        ),
                        _ => String::new(),
                    };
                    let class = match v.verdict {
                        sim_core::summary::Verdict::Met => "met",
                        sim_core::summary::Verdict::NotMet => "not-met",
                        _ => "undecided",
                    };
                    let _ = write!(
                        h,
                        "<td>{:.1}%{ci}<br><span class={class}>{}</span></td>",
                        100.0 * v.share.mean,
                        esc(v.verdict.words())
                    );
                }
                None => h.push_str("<td>—</td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n</section>\n");
}

/// Results by clock hour (when queue-length sampling is on), one table per variant: arrivals
/// with their 95% interval, patients waiting, and the hour's bottleneck. Runs of several days
/// first get the waiting-and-overtime-by-day chart and a table of their days (with a calendar:
/// weekday, date, closed days, overtime and the end-of-day outcomes, and a table by weekday
/// when some weekday comes more than once).
fn by_hour_section(
    h: &mut String,
    runs: &[RunView<'_>],
    inputs: &[VariantInput<'_>],
) -> Result<(), ChartError> {
    if runs.iter().all(|r| r.summary.by_hour.is_empty()) {
        return Ok(());
    }
    h.push_str(
        "<section id=\"by-hour\"><h2>By hour of the day</h2>\n<p>(For runs of several days, the \
         days first.) Arrivals and patients waiting per hour (means per replication), and the hour's <b>bottleneck</b>: the station with \
         the largest share of the minutes patients spent waiting in that hour, with the mean \
         wait of the waits that began in it.</p>\n",
    );
    if inputs.iter().any(crate::chart::has_days) {
        let chart = Chart::by_day(inputs)?;
        let _ = write!(
            h,
            "<figure id=\"{}\">\n{}\n</figure>\n",
            esc(chart.file_stem()),
            chart.svg()?
        );
    }
    if runs.iter().any(|r| calendar(r.summary)) {
        h.push_str(
            "<p>By day: arrivals and patient-hours spent waiting, and \
             <b>overtime</b>: staff-hours worked after the day's last shift (server-hours at \
             the stations plus unit-hours of shared resources), means per replication; under \
             <code>end_of_day = \"send_home\"</code> the patients sent home unseen when a \
             station's day ended, under <code>\"carry_over\"</code> those still waiting who \
             were carried over to its next open day. The bottleneck is the station with the \
             largest share of the day's waiting.</p>\n",
        );
    }
    for r in runs {
        let s = r.summary;
        if s.by_hour.is_empty() {
            continue;
        }
        if runs.len() > 1 {
            let _ = writeln!(h, "<h3>{}</h3>", esc(label(r.model)));
        }
        if calendar(s) {
            calendar_days(h, r);
            // With one week the weekday table would repeat the day table.
            if s.by_weekday.iter().any(|w| w.days > 1) {
                weekdays(h, r);
            }
        } else if !s.by_day.is_empty() {
            h.push_str(
                "<table>\n<thead><tr><th>day</th><th>arrivals</th><th>patient-hours waiting</th>\
                 <th>bottleneck</th><th>share of waiting</th></tr></thead>\n<tbody>\n",
            );
            for d in &s.by_day {
                let named = d.named_bottleneck();
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{:.1}</td><td>{}</td><td>{}</td></tr>",
                    d.day,
                    metric(&d.arrivals, 1),
                    d.waiting(),
                    esc(named.map_or("—", |b| b.station)),
                    named.map_or("—".to_string(), |b| format!("{:.0}%", 100.0 * b.share)),
                );
            }
            h.push_str("</tbody></table>\n");
        }
        let days = s.by_hour.last().map_or(1, |x| x.day) > 1;
        h.push_str(
            "<table>\n<thead><tr><th>hour</th><th>arrivals</th><th>waiting</th>\
             <th>bottleneck</th><th>share of waiting</th><th>its wait (min)</th></tr></thead>\n<tbody>\n",
        );
        for x in &s.by_hour {
            let waiting = x.waiting();
            let named = x.named_bottleneck();
            let name = named.map_or("—".to_string(), |b| {
                r.model
                    .stations()
                    .iter()
                    .find(|st| st.id == b.station)
                    .map_or(b.station.to_string(), |st| st.name.clone())
            });
            let wait = named
                .and_then(|b| b.wait_min)
                .map_or("—".to_string(), |w| format!("{w:.1}"));
            let _ = writeln!(
                h,
                "<tr><td>{}{}</td><td>{}</td><td>{waiting:.2}</td><td>{}</td><td>{}</td><td>{wait}</td></tr>",
                if days {
                    format!("day {} ", x.day)
                } else {
                    String::new()
                },
                esc(&x.clock),
                metric(&x.arrivals, 1),
                esc(&name),
                named.map_or("—".to_string(), |b| format!("{:.0}%", 100.0 * b.share)),
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</section>\n");
    Ok(())
}

/// The run has a calendar (its days have weekdays).
fn calendar(s: &Summary) -> bool {
    s.by_day.iter().any(|d| d.weekday.is_some())
}

/// The end-of-day column of the day and weekday tables, when that rule is in force: its
/// heading and what it counts.
fn end_of_day_column(s: &Summary) -> Option<(&'static str, EndOfDayCount)> {
    EndOfDayCount::of(&s.by_day).map(|c| {
        let name = match c {
            EndOfDayCount::SentHome => "sent home unseen",
            EndOfDayCount::CarriedOver => "carried over",
        };
        (name, c)
    })
}

/// A station's display name (its id when the model has no such station).
fn station_name<'a>(model: &'a Model, id: &'a str) -> &'a str {
    model
        .stations()
        .iter()
        .find(|st| st.id == id)
        .map_or(id, |st| st.name.as_str())
}

/// The bottleneck's cells: its name, its share of the waiting and the mean wait of the waits
/// begun in the period, or dashes when there is none worth naming.
fn bottleneck_cells(model: &Model, named: Option<sim_core::stats::hourly::Named<'_>>) -> String {
    match named {
        Some(b) => format!(
            "<td>{}</td><td>{:.0}%</td><td>{}</td>",
            esc(station_name(model, b.station)),
            100.0 * b.share,
            b.wait_min.map_or("—".to_string(), |w| format!("{w:.1}"))
        ),
        None => "<td>—</td><td>—</td><td>—</td>".to_string(),
    }
}

/// The days of a calendar run: number, weekday and date, then for open days arrivals,
/// patient-hours waiting, overtime staff-hours, the end-of-day outcome (when that rule is in
/// force) and the bottleneck; closed days say so (with their waiting and bottleneck when
/// patients carried over waited through them).
fn calendar_days(h: &mut String, r: &RunView<'_>) {
    let s = r.summary;
    let dates = s.by_day.iter().any(|d| d.date.is_some());
    let extra = end_of_day_column(s);
    let _ = write!(
        h,
        "<table class=days>\n<thead><tr><th>day</th><th>weekday</th>{}<th>arrivals</th>\
         <th>patient-hours waiting</th><th>overtime (staff-hours)</th>{}<th>bottleneck</th>\
         <th>share of waiting</th><th>its wait (min)</th></tr></thead>\n<tbody>\n",
        if dates { "<th>date</th>" } else { "" },
        extra.map_or(String::new(), |(name, _)| format!("<th>{name}</th>")),
    );
    // Cells after the date: arrivals, waiting, overtime, the end-of-day column, bottleneck.
    let rest = 6 + usize::from(extra.is_some());
    for d in &s.by_day {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td>{}",
            d.day,
            esc(&d.weekday.as_deref().map_or_else(String::new, weekday_name)),
            if dates {
                format!("<td>{}</td>", esc(d.date.as_deref().unwrap_or("")))
            } else {
                String::new()
            }
        );
        if d.closed && d.waiting() >= 0.05 {
            // Patients carried over wait through a closed day: its waiting is kept.
            let _ = writeln!(
                h,
                "<td class=closed>closed</td><td>{}</td><td>—</td>{}{}</tr>",
                tenths(d.waiting()),
                if extra.is_some() { "<td>—</td>" } else { "" },
                bottleneck_cells(r.model, d.named_bottleneck()),
            );
            continue;
        }
        if d.closed {
            let _ = writeln!(h, "<td colspan={rest} class=closed>closed</td></tr>");
            continue;
        }
        let _ = writeln!(
            h,
            "<td>{}</td><td>{}</td><td>{}</td>{}{}</tr>",
            metric(&d.arrivals, 1),
            tenths(d.waiting()),
            tenths(d.closings.overtime() / 60.0),
            extra.map_or(String::new(), |(_, c)| format!(
                "<td>{}</td>",
                tenths(d.closings.count(c))
            )),
            bottleneck_cells(r.model, d.named_bottleneck()),
        );
    }
    h.push_str("</tbody></table>\n");
}

/// A calendar run's weekdays, each averaged over its open days in the run.
fn weekdays(h: &mut String, r: &RunView<'_>) {
    let s = r.summary;
    let extra = end_of_day_column(s);
    let _ = write!(
        h,
        "<p>By weekday: each weekday the clinic opens on, averaged over its open days in the \
         run (means per replication and open day); the bottleneck's wait is the mean of the \
         waits begun on those days.</p>\n<table class=weekdays>\n<thead><tr><th>weekday</th>\
         <th>open days</th><th>arrivals per day</th><th>patient-hours waiting</th>\
         <th>overtime (staff-hours)</th>{}<th>bottleneck</th><th>share of waiting</th>\
         <th>its wait (min)</th></tr></thead>\n<tbody>\n",
        extra.map_or(String::new(), |(name, _)| format!("<th>{name}</th>")),
    );
    for w in &s.by_weekday {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{}{}</tr>",
            esc(&weekday_name(&w.weekday)),
            w.days,
            metric(&w.arrivals, 1),
            tenths(w.waiting()),
            tenths(w.closings.overtime() / 60.0),
            extra.map_or(String::new(), |(_, c)| format!(
                "<td>{}</td>",
                tenths(w.closings.count(c))
            )),
            bottleneck_cells(r.model, w.named_bottleneck()),
        );
    }
    h.push_str("</tbody></table>\n");
}

/// `x` with one decimal, never `-0.0` (a sum over no stations is `-0.0` in Rust, and a value
/// that rounds to zero is no negative number of hours or patients).
fn tenths(x: f64) -> String {
    let s = format!("{x:.1}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

/// `"mon"` as `"Mon"`.
fn weekday_name(w: &str) -> String {
    crate::chart::weekday_name(w)
}

/// The shared resources' section (only for scenarios with `[[resources]]`): their utilisation
/// chart and a table of utilisation, unit-hours busy, on the rota and in overtime, the busy
/// hours each station took, staff cost and interrupted services.
fn resources_section(
    h: &mut String,
    runs: &[RunView<'_>],
    inputs: &[VariantInput<'_>],
    variants: &[&str],
) -> Result<(), ChartError> {
    let ids = crate::chart::resources_of(runs.iter().map(|r| r.model));
    if ids.is_empty() {
        return Ok(());
    }
    let chart = Chart::resource_utilisation(inputs)?;
    let _ = write!(
        h,
        "<section id=\"resources\"><h2>Shared resources</h2>\n<figure id=\"{}\">\n{}\n</figure>\n",
        esc(chart.file_stem()),
        chart.svg()?
    );
    h.push_str(
        "<p>Utilisation = unit time seized ÷ unit time available, % [95% CI]; hours are \
         unit-hours per replication (busy, on the rota, worked past the rota), then the busy \
         hours each station took.</p>\n<table>\n<thead><tr><th>resource</th>",
    );
    for v in variants {
        let _ = write!(h, "<th>{}</th>", esc(v));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for (id, name) in &ids {
        let _ = write!(h, "<tr><td>{}</td>", esc(name));
        for r in runs {
            let Some(x) = r.summary.resources.get(id) else {
                h.push_str("<td>—</td>");
                continue;
            };
            let u = &x.utilisation;
            let by: Vec<String> = x
                .busy_hours_by_station
                .iter()
                .map(|(s, m)| {
                    let name = r
                        .model
                        .stations()
                        .iter()
                        .find(|st| &st.id == s)
                        .map_or(s.as_str(), |st| st.name.as_str());
                    format!("{} {:.1} h", esc(name), m.mean)
                })
                .collect();
            let mut extra = String::new();
            if let Some(c) = &x.staff_cost {
                let _ = write!(extra, " · staff cost {:.0}", c.mean);
            }
            for (m, what) in [
                (&x.preemptions, "preempted"),
                (&x.interruptions, "stopped at a shift's end"),
                (&x.handovers, "handed over"),
            ] {
                if m.mean > 0.0 {
                    let _ = write!(extra, " · {:.1} {what}", m.mean);
                }
            }
            let _ = write!(
                h,
                "<td>{:.0}%{}<br><span class=ci>{} units · busy {:.1} h · rota {:.1} h · overtime {:.1} h{}<br>{}</span></td>",
                u.mean * 100.0,
                ci(
                    u.ci95_low.map(|v| v * 100.0),
                    u.ci95_high.map(|v| v * 100.0),
                    0
                ),
                x.units_max,
                x.busy_hours.mean,
                x.rostered_hours.mean,
                x.overtime_hours.mean,
                extra,
                by.join(", ")
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n</section>\n");
    Ok(())
}

/// A warning box, placed before every section, when patients were still in the clinic when the
/// run stopped in any variant (empty otherwise). It has to be prominent: those patients have no
/// time in system, so the mean and percentiles of the others look better the more are left
/// inside (a station that never serves makes the mean fall, not rise).
pub fn unfinished_warning(runs: &[RunView<'_>]) -> String {
    let left: Vec<String> = runs
        .iter()
        .filter(|r| r.summary.patients.unfinished.mean > 0.0)
        .map(|r| {
            let p = &r.summary.patients;
            let share = if p.arrived.mean > 0.0 {
                let pct = 100.0 * p.unfinished.mean / p.arrived.mean;
                if pct < 0.1 {
                    " (under 0.1% of arrivals)".to_string()
                } else {
                    format!(" ({pct:.1}% of arrivals)")
                }
            } else {
                String::new()
            };
            let who = if runs.len() > 1 || !r.model.variant().is_empty() {
                format!("{}: ", esc(label(r.model)))
            } else {
                String::new()
            };
            format!(
                "{who}<b>{}</b> patients per replication on average{share}",
                count(p.unfinished.mean)
            )
        })
        .collect();
    if left.is_empty() {
        return String::new();
    }
    format!(
        "<div id=\"unfinished\" class=\"unfinished\" role=\"note\">\n<p><strong>Warning: patients \
         were still in the clinic when the run stopped.</strong> {}.</p>\n<p>The time in system \
         (mean and percentiles) counts only patients who left, so it leaves these patients out: the \
         more are left inside, the more it understates how long a visit takes. Patients stay \
         inside when the run ends at <code>hard_stop</code> or after <code>run_length</code> while \
         queues are long, or when a station stops serving after its last shift \
         (<code>overtime = false</code>). In a steady-state run (<code>run_length</code>) a few \
         patients inside at the end are normal; a large share means the clinic did not keep \
         up.</p>\n</div>\n",
        left.join("; ")
    )
}

/// A mean count, with as many decimals as it takes not to read as zero.
fn count(m: f64) -> String {
    if m >= 10.0 {
        format!("{m:.0}")
    } else if m >= 0.1 {
        format!("{m:.1}")
    } else {
        format!("{m:.2}")
    }
}

/// Paired differences of every later variant against the baseline.
fn differences(h: &mut String, c: &Comparison, base: &Model) {
    let baseline = &c.order[0];
    let _ = writeln!(
        h,
        "<section id=\"diff\"><h2>Paired differences</h2>\n<p>Each variant minus the baseline \
         <b>{}</b>, paired replication by replication (common random numbers), with 95% CI.</p>\n\
         <table class=diff>\n<thead><tr><th>metric</th><th>variant</th><th>{}</th><th>variant mean</th>\
         <th>difference</th></tr></thead>\n<tbody>",
        esc(baseline),
        esc(baseline)
    );
    let name = |metric: &str| -> Option<String> {
        match metric {
            "time_in_system_min.mean" => Some("time in system, mean (min)".into()),
            "time_in_system_min.p90" => Some("time in system, p90 (min)".into()),
            "queues_per_patient" => Some("queues joined per patient".into()),
            m => {
                let id = m
                    .strip_prefix("stations.")?
                    .strip_suffix(".wait_min.mean")?;
                let st = base.stations().iter().find(|s| s.id == id)?;
                Some(format!("wait at {} (min)", st.name))
            }
        }
    };
    for d in c.differences.iter().filter(|d| &d.a == baseline) {
        let Some(metric) = name(&d.metric) else {
            continue;
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{:.2}</td><td>{:.2}</td><td>{}</td></tr>",
            esc(&metric),
            esc(&d.b),
            d.a_mean,
            d.b_mean,
            metric_signed(&d.difference)
        );
    }
    h.push_str("</tbody></table>\n</section>\n");
}

fn metric_signed(m: &Metric) -> String {
    format!("{:+.2}{}", m.mean, ci(m.ci95_low, m.ci95_high, 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A desk that can serve about 20 patients an hour, offered 40 an hour, and a hard stop at
    /// 10:00: a long queue is still waiting when the run ends.
    const STOPPED: &str = r#"
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
"#;

    struct Ran {
        model: Model,
        summary: Summary,
        breakdown: Breakdown,
        series: QueueSeries,
    }

    fn ran(text: &str) -> Ran {
        studied(Model::from_toml(text).unwrap())
    }

    /// Every replication of `model`, through the study API.
    fn studied(model: Model) -> Ran {
        let mut study = sim_core::Study::new(&model);
        study.run().unwrap();
        let sim_core::study::Findings {
            summary,
            breakdown,
            series,
        } = study.findings();
        Ran {
            model,
            summary,
            breakdown,
            series,
        }
    }

    fn view(r: &Ran) -> RunView<'_> {
        RunView {
            model: &r.model,
            summary: &r.summary,
            breakdown: &r.breakdown,
            series: &r.series,
        }
    }

    #[test]
    fn unfinished_patients_get_a_warning_box_before_every_section() {
        let r = ran(STOPPED);
        let left = r.summary.patients.unfinished.mean;
        assert!(left > 5.0, "the scenario must leave a queue: {left}");
        let html = sections(&[view(&r)], None, &[]).unwrap();
        let boxed = html.find("<div id=\"unfinished\"").expect("warning box");
        assert!(
            boxed < html.find("<section").unwrap(),
            "the box comes first"
        );
        assert!(html.contains("patients were still in the clinic when the run stopped"));
        assert!(html.contains(&format!("<b>{}</b> patients per replication", count(left))));
        let pct = 100.0 * left / r.summary.patients.arrived.mean;
        assert!(html.contains(&format!("({pct:.1}% of arrivals)")), "{html}");
        assert!(html.contains("counts only patients who left"));
    }

    #[test]
    fn no_box_when_every_patient_left() {
        let r = ran(&STOPPED.replace("hard_stop = \"10:00\"\n", ""));
        assert_eq!(r.summary.patients.unfinished.mean, 0.0);
        let html = sections(&[view(&r)], None, &[]).unwrap();
        assert!(!html.contains("unfinished\""), "no box");
        assert!(!html.contains("still in the clinic when the run stopped"));
    }

    #[test]
    fn a_comparison_names_each_variant_with_patients_left() {
        let text = format!(
            "{STOPPED}\n[[variants]]\nid = \"short\"\n[[variants]]\nid = \"staffed\"\n\
             stations = [{{ id = \"desk\", servers = 6 }}]\n"
        );
        let mut runs = Vec::new();
        for v in ["short", "staffed"] {
            runs.push(studied(Model::from_toml_variant(&text, Some(v)).unwrap()));
        }
        let views: Vec<RunView<'_>> = runs.iter().map(view).collect();
        let html = unfinished_warning(&views);
        assert!(html.contains("short: <b>"), "{html}");
        // A variant is named exactly when it left patients inside.
        assert_eq!(
            html.contains("staffed: <b>"),
            runs[1].summary.patients.unfinished.mean > 0.0,
            "{html}"
        );
    }

    #[test]
    fn tenths_never_read_as_minus_zero() {
        assert_eq!(tenths(-0.0), "0.0");
        assert_eq!(tenths(-0.04), "0.0");
        assert_eq!(tenths(std::iter::empty::<f64>().sum()), "0.0");
        assert_eq!(tenths(12.34), "12.3");
    }

    #[test]
    fn counts_never_read_as_zero() {
        assert_eq!(count(123.4), "123");
        assert_eq!(count(2.34), "2.3");
        assert_eq!(count(0.04), "0.04");
    }

    /// The sections as a reader sees their text: every chart's SVG (checked by the chart
    /// tests) is cut to its `<svg` tag, so the snapshot shows the tables, headings and
    /// captions, and which chart stands where.
    fn without_svg(html: &str) -> String {
        let mut out = String::new();
        let mut rest = html;
        while let Some(start) = rest.find("<svg") {
            out.push_str(&rest[..start]);
            let end = rest[start..]
                .find("</svg>")
                .map_or(rest.len(), |e| start + e + "</svg>".len());
            out.push_str("<svg>…</svg>");
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }

    /// The report sections of one run and of a two-variant comparison, as text. Everything in
    /// them comes from the seeded runs (no time, path or version is printed), so they are the
    /// same on every machine; a change is reviewed with `cargo insta review`.
    #[test]
    fn the_sections_read_as_they_did() {
        let r = ran(STOPPED);
        let one = sections(&[view(&r)], None, &["a warning".to_string()]).unwrap();
        insta::assert_snapshot!("one_run", without_svg(&one));

        let text = format!(
            "{STOPPED}\n[[variants]]\nid = \"short\"\n[[variants]]\nid = \"staffed\"\n\
             stations = [{{ id = \"desk\", servers = 3 }}]\n"
        );
        let mut runs = Vec::new();
        let mut accs = Vec::new();
        for v in ["short", "staffed"] {
            let model = Model::from_toml_variant(&text, Some(v)).unwrap();
            let mut study = sim_core::Study::new(&model);
            study.run().unwrap();
            let findings = study.findings();
            accs.push((study.into_accumulator(), findings.clone()));
            runs.push(Ran {
                summary: findings.summary,
                breakdown: findings.breakdown,
                series: findings.series,
                model,
            });
        }
        let comparison = sim_core::compare::compare(
            &runs
                .iter()
                .zip(&accs)
                .map(|(r, (acc, findings))| sim_core::compare::VariantRun {
                    model: &r.model,
                    run: acc,
                    findings,
                    independent: None,
                })
                .collect::<Vec<_>>(),
        );
        let views: Vec<RunView<'_>> = runs.iter().map(view).collect();
        let two = sections(&views, Some(&comparison), &[]).unwrap();
        insta::assert_snapshot!("comparison", without_svg(&two));
    }

    /// A scenario with shared resources gets their section (chart and table) after the
    /// stations' utilisation; one without gets none (the snapshots above).
    #[test]
    fn shared_resources_have_their_section() {
        let text = include_str!("../../scenarios/teaching-shared-doctor.toml")
            .replace("replications = 50 ", "replications = 5 ");
        let runs: Vec<Ran> = ["own_doctors", "shared_doctors"]
            .iter()
            .map(|v| studied(Model::from_toml_variant(&text, Some(v)).unwrap()))
            .collect();
        let views: Vec<RunView<'_>> = runs.iter().map(view).collect();
        let html = sections(&views, None, &[]).unwrap();
        let at = html
            .find("<section id=\"resources\">")
            .expect("resources section");
        assert!(html.find("<section id=\"util\">").unwrap() < at);
        let section = &html[at..];
        let section = &section[..section.find("</section>").unwrap()];
        insta::assert_snapshot!("shared_resources", without_svg(section));
        let plain = sections(&[view(&ran(STOPPED))], None, &[]).unwrap();
        assert!(!plain.contains("id=\"resources\""));
    }

    /// clinic-week with three replications over `days` days.
    fn week_text(days: u32) -> String {
        let text = include_str!("../../scenarios/clinic-week.toml");
        let short = text
            .replace("replications = 20 ", "replications = 3 ")
            .replace("days = 7 ", &format!("days = {days} "));
        assert!(short.contains("replications = 3 ") && short.contains(&format!("days = {days} ")));
        short
    }

    /// The by-hour section of `html` as text, each chart cut to its `<svg` tag and each hour
    /// table to its heading (a week has over a hundred hours per variant, shown as before).
    fn days_part(html: &str) -> String {
        let at = html
            .find("<section id=\"by-hour\">")
            .expect("by-hour section");
        let section = &html[at..];
        let section = without_svg(&section[..section.find("</section>").unwrap()]);
        let mut out = String::new();
        let mut rest = section.as_str();
        let head = "<table>\n<thead><tr><th>hour</th>";
        while let Some(start) = rest.find(head) {
            out.push_str(&rest[..start]);
            out.push_str("<table>[hours]</table>");
            let end = rest[start..].find("</table>").unwrap() + start + "</table>".len();
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }

    /// A calendar week: the chart first, then per variant its days with weekday, date,
    /// overtime and (under `send_home`) the patients sent home, the closed Sunday said in
    /// words; one week has no weekday table (it would repeat the days).
    #[test]
    fn a_calendar_week_shows_its_days_with_weekday_date_overtime_and_closed_days() {
        let text = week_text(7);
        let runs: Vec<Ran> = ["overtime", "send_home"]
            .iter()
            .map(|v| studied(Model::from_toml_variant(&text, Some(v)).unwrap()))
            .collect();
        let views: Vec<RunView<'_>> = runs.iter().map(view).collect();
        let html = sections(&views, None, &[]).unwrap();
        let part = days_part(&html);
        assert!(part.contains("<figure id=\"by_day\">"), "{part}");
        assert!(part.find("<figure").unwrap() < part.find("<h3>overtime</h3>").unwrap());
        assert!(
            part.contains("<td colspan=6 class=closed>closed</td>"),
            "{part}"
        );
        assert!(
            part.contains("<td colspan=7 class=closed>closed</td>"),
            "{part}"
        );
        assert!(part.contains("<th>sent home unseen</th>"), "{part}");
        assert!(!part.contains("class=weekdays"), "{part}");
        assert!(!part.contains("-0.0"), "{part}");
        insta::assert_snapshot!("calendar_week", part);
    }

    /// Two weeks under `carry_over`: every weekday comes twice, so the weekday table follows
    /// the days, with the patients carried over.
    #[test]
    fn a_calendar_fortnight_adds_the_weekday_table() {
        let r = studied(Model::from_toml_variant(&week_text(14), Some("carry_over")).unwrap());
        assert!(r.summary.by_weekday.iter().all(|w| w.days == 2));
        let html = sections(&[view(&r)], None, &[]).unwrap();
        let part = days_part(&html);
        let days = part.find("<table class=days>").expect("day table");
        let weekdays = part.find("<table class=weekdays>").expect("weekday table");
        assert!(days < weekdays);
        assert!(part.contains("<th>carried over</th>"), "{part}");
        // The first Sunday: those carried over from Saturday wait through it; the last one
        // ends the run with nobody waiting.
        assert!(
            part.contains("<td>7</td><td>Sun</td><td>2026-03-08</td><td class=closed>closed</td>"),
            "{part}"
        );
        assert!(
            part.contains(
                "<td>14</td><td>Sun</td><td>2026-03-15</td><td colspan=7 class=closed>closed</td>"
            ),
            "{part}"
        );
        insta::assert_snapshot!("calendar_fortnight", part);
    }

    /// Targets get their section after the summary: the share, its interval and the verdict
    /// per variant; a scenario without targets has none.
    #[test]
    fn targets_have_their_section() {
        let text = format!(
            "{STOPPED}\n[[targets]]\nid = \"quick\"\nmetric = \"time_in_system\"\nwithin = \"10min\"\nshare = 0.5\n\
             [[targets]]\nid = \"desk\"\nmetric = \"wait\"\nstation = \"desk\"\nwithin = \"1min\"\nshare = 0.99\n"
        );
        let html = sections(&[view(&ran(&text))], None, &[]).unwrap();
        let at = html
            .find("<section id=\"targets\">")
            .expect("targets section");
        assert!(html.find("<section id=\"summary\">").unwrap() < at);
        let section = &html[at..];
        let section = &section[..section.find("</section>").unwrap()];
        insta::assert_snapshot!("targets", section);
        let plain = sections(&[view(&ran(STOPPED))], None, &[]).unwrap();
        assert!(!plain.contains("id=\"targets\""));
    }
}

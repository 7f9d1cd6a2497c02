//! `carepath report`: one self-contained HTML file with every chart (inline SVG), the summary
//! tables, the scenario text, the seed and the CarePath version. It loads nothing from
//! anywhere, so it opens offline and can be mailed. Variants (if any) run with common random
//! numbers, as in `carepath compare`.

use crate::{apply_overrides, load_variant, read, replicate};
use anyhow::{Context, Result};
use carepath_charts::{Chart, VariantInput};
use sim_core::compare::{Breakdown, Comparison, VariantRun, compare};
use sim_core::summary::{Metric, QueueSeries, Summary};
use sim_core::{Model, ReplicationResult};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Arguments of `carepath report`.
#[derive(clap::Args, Debug)]
pub(crate) struct ReportArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// The HTML file to write.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// Variants to include, in order (default: all declared; the base scenario when none are).
    /// The first is the baseline of the paired differences.
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    variants: Vec<String>,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
    #[command(flatten)]
    reps: crate::ReplicationOptions,
}

/// One variant's results.
struct Run {
    model: Model,
    results: Vec<ReplicationResult>,
    summary: Summary,
    breakdown: Breakdown,
    series: QueueSeries,
}

/// Runs the scenario (or its variants) and writes the report.
pub(crate) fn run(args: ReportArgs) -> Result<()> {
    let text = read(&args.scenario)?;
    let base = load_variant(&args.scenario, &text, None)?;
    let ids: Vec<String> = if args.variants.is_empty() {
        base.variant_ids.clone()
    } else {
        args.variants.clone()
    };
    let base_warnings = base.warnings.clone();
    let mut models = Vec::new();
    if ids.is_empty() {
        models.push(base);
    } else {
        for id in &ids {
            models.push(load_variant(&args.scenario, &text, Some(id))?);
        }
    }
    for m in &mut models {
        apply_overrides(m, &args.reps)?;
    }
    let warnings = warnings(&base_warnings, &models);
    if !args.quiet {
        for w in &warnings {
            eprintln!("warning: {w}");
        }
    }
    let mut runs = Vec::new();
    for model in models {
        let results = replicate::run_all(&model, args.reps.threads, args.quiet)?;
        let summary = sim_core::summarize(&model, &results);
        let breakdown = sim_core::compare::breakdown(&model, &results);
        let series = sim_core::queue_series(&model, &results);
        runs.push(Run {
            model,
            results,
            summary,
            breakdown,
            series,
        });
    }
    let comparison = (runs.len() >= 2).then(|| {
        let v: Vec<VariantRun<'_>> = runs
            .iter()
            .map(|r| VariantRun {
                model: &r.model,
                results: &r.results,
                independent: None,
            })
            .collect();
        compare(&v)
    });
    let html = render(&args.scenario, &text, &runs, comparison.as_ref(), &warnings)?;
    if let Some(parent) = args.output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating directory {}", parent.display()))?;
    }
    crate::output::write_atomic(&args.output, html.as_bytes())
        .with_context(|| format!("writing {}", args.output.display()))?;
    if !args.quiet {
        println!("wrote {}", args.output.display());
    }
    Ok(())
}

/// Validation warnings: the base scenario's once, then each variant's own.
fn warnings(base: &[String], models: &[Model]) -> Vec<String> {
    let mut out: Vec<String> = base.to_vec();
    for m in models.iter().filter(|m| !m.variant.is_empty()) {
        for w in m.warnings.iter().filter(|w| !base.contains(w)) {
            out.push(format!("variant {}: {w}", m.variant));
        }
    }
    out
}

/// HTML text escaping.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn label(m: &Model) -> &str {
    crate::charts::run_label(m)
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

const STYLE: &str = "
body{font-family:'DejaVu Sans',Verdana,system-ui,sans-serif;color:#202020;max-width:1080px;margin:2em auto;padding:0 1.5em;line-height:1.45}
h1{font-size:1.9em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ccc;padding-bottom:.2em}
.meta{color:#555}nav ol{columns:2}
table{border-collapse:collapse;margin:1em 0;font-size:.95em}
th,td{border:1px solid #d0d0d0;padding:.3em .6em;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}thead th{background:#f2f2f2}
.ci{color:#666;font-size:.9em;white-space:nowrap}
figure{margin:1.5em 0}figure svg{max-width:100%;height:auto;display:block}
pre{background:#f7f7f7;border:1px solid #ddd;padding:1em;overflow:auto;font-size:.85em}
.diff td:nth-child(2),.diff th:nth-child(2){text-align:left}
.warn{color:#a04000}footer{margin-top:3em;color:#555;font-size:.9em}
";

/// The whole report.
fn render(
    path: &Path,
    scenario_text: &str,
    runs: &[Run],
    comparison: Option<&Comparison>,
    warnings: &[String],
) -> Result<String> {
    let first = &runs[0];
    let s0 = &first.summary;
    let inputs: Vec<VariantInput<'_>> = runs
        .iter()
        .map(|r| {
            VariantInput::new(label(&r.model), &r.model, &r.summary, &r.breakdown)
                .with_series(&r.series)
        })
        .collect();
    let figure = |chart: Result<Chart, carepath_charts::ChartError>| -> Result<String> {
        let chart = chart?;
        Ok(format!(
            "<figure id=\"{}\">\n{}\n</figure>\n",
            esc(chart.file_stem()),
            chart.svg()?
        ))
    };
    let mut h = String::new();
    let title = format!("CarePath report — {}", s0.scenario);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"CarePath {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n\
         </head>\n<body>\n<header>\n<h1>{}</h1>\n",
        esc(&s0.carepath_version),
        esc(&title),
        esc(&s0.scenario)
    );
    if !first.model.description.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", esc(&first.model.description));
    }
    let variants: Vec<&str> = runs.iter().map(|r| label(&r.model)).collect();
    let _ = writeln!(
        h,
        "<p class=meta>Scenario file <code>{}</code> · seed {} · {} replications{} · {} · \
         intervals are 95% confidence intervals over replications · CarePath {}</p>\n</header>",
        esc(&path.display().to_string()),
        s0.seed,
        s0.replications,
        if runs.len() > 1 {
            " per variant, common random numbers"
        } else {
            ""
        },
        if runs.len() > 1 {
            format!("variants: {}", esc(&variants.join(", ")))
        } else if first.model.variant.is_empty() {
            "variant: base (the scenario without variants)".to_string()
        } else {
            format!("variant: {}", esc(variants[0]))
        },
        esc(&s0.carepath_version),
    );
    h.push_str(
        "<nav><h2>Contents</h2><ol><li><a href=\"#summary\">Summary</a></li>\
         <li><a href=\"#time\">Where the time goes</a></li>\
         <li><a href=\"#tis\">Time in system</a></li>\
         <li><a href=\"#waits\">Waiting time per station</a></li>\
         <li><a href=\"#util\">Utilisation per station</a></li>\
         <li><a href=\"#queues\">Queue length over the day</a></li>\
         <li><a href=\"#util-day\">Utilisation over the day</a></li>",
    );
    if comparison.is_some() {
        h.push_str("<li><a href=\"#diff\">Paired differences</a></li>");
    }
    h.push_str("<li><a href=\"#scenario\">Scenario</a></li></ol></nav>\n");

    // Summary table.
    let table_head = |h: &mut String, first_col: &str| {
        let _ = write!(h, "<table>\n<thead><tr><th>{}</th>", esc(first_col));
        for v in &variants {
            let _ = write!(h, "<th>{}</th>", esc(v));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
    };
    let row = |h: &mut String, name: &str, cell: &dyn Fn(&Run) -> String| {
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
    for w in warnings {
        let _ = writeln!(h, "<p class=warn>Warning: {}</p>", esc(w));
    }
    h.push_str("</section>\n");

    // Where the time goes.
    h.push_str("<section id=\"time\"><h2>Where the time goes</h2>\n");
    h.push_str(&figure(Chart::time_breakdown(&inputs))?);
    table_head(&mut h, "mean minutes per completed patient");
    for st in &first.model.stations {
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
            for st in &first.model.stations {
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

    h.push_str("<section id=\"queues\"><h2>Queue length over the day</h2>\n");
    for v in &inputs {
        match Chart::queue_length(v, if inputs.len() == 1 { "" } else { v.label }) {
            Ok(c) => h.push_str(&figure(Ok(c))?),
            Err(e @ carepath_charts::ChartError::NoData { .. }) => {
                let _ = writeln!(h, "<p>{}</p>", esc(&e.to_string()));
            }
            Err(e) => return Err(e.into()),
        }
    }
    h.push_str("</section>\n");

    h.push_str("<section id=\"util-day\"><h2>Utilisation over the day</h2>\n");
    for v in &inputs {
        match Chart::utilisation_by_interval(v, if inputs.len() == 1 { "" } else { v.label }) {
            Ok(c) => h.push_str(&figure(Ok(c))?),
            Err(e @ carepath_charts::ChartError::NoData { .. }) => {
                let _ = writeln!(h, "<p>{}</p>", esc(&e.to_string()));
            }
            Err(e) => return Err(e.into()),
        }
    }
    h.push_str("</section>\n");

    if let Some(c) = comparison {
        differences(&mut h, c, &first.model);
    }

    let _ = write!(
        h,
        "<section id=\"scenario\"><h2>Scenario</h2>\n<p><code>{}</code></p>\n<pre>{}</pre>\n</section>\n\
         <footer>Made by CarePath {} with <code>carepath report</code>; seed {}, {} replications. \
         Every number here can be reproduced by running the scenario above with the same seed.</footer>\n\
         </body>\n</html>\n",
        esc(&path.display().to_string()),
        esc(scenario_text),
        esc(&s0.carepath_version),
        s0.seed,
        s0.replications
    );
    Ok(h)
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
                let st = base.stations.iter().find(|s| s.id == id)?;
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

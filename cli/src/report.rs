//! `carepath report`: one self-contained HTML file with every chart (inline SVG), the summary
//! tables, the scenario text, the seed and the CarePath version. It loads nothing from
//! anywhere, so it opens offline and can be mailed. Variants (if any) run with common random
//! numbers, as in `carepath compare`.

use crate::{read, replicate};
use anyhow::{Context, Result};
use carepath_charts::report::{RunView, esc, label};
use sim_core::Model;
use sim_core::compare::{Comparison, VariantRun, compare};
use sim_core::study::Findings;
use sim_core::summary::Accumulator;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Arguments of `carepath report`.
#[derive(clap::Args, Debug)]
pub(crate) struct ReportArgs {
    /// Scenario file (TOML), or the result directory of a finished `carepath sweep` (its
    /// charts and the points that meet each target).
    scenario: PathBuf,
    /// Where to write the report: a directory (the file is DIR/report.html), or a path
    /// ending in `.html` for the file itself. `--output FILE` is an old spelling.
    #[arg(short, long, value_name = "DIR|FILE.html", alias = "output")]
    out: PathBuf,
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
struct Run<'m> {
    model: &'m Model,
    acc: Accumulator,
    findings: Findings,
}

/// Runs the scenario (or its variants) and writes the report.
pub(crate) fn run(args: ReportArgs) -> Result<()> {
    if args.scenario.is_dir() {
        return sweep_report(&args);
    }
    let text = read(&args.scenario)?;
    let scenario = crate::parse_scenario(&args.scenario, &text)?;
    let base = crate::build_variant(&args.scenario, &scenario, None)?;
    let ids: Vec<String> = if args.variants.is_empty() {
        base.variant_ids().to_vec()
    } else {
        args.variants.clone()
    };
    let base_warnings = base.warnings().to_vec();
    let overrides = crate::overrides(&args.reps, None)?;
    let variants: Vec<Option<&str>> = if ids.is_empty() {
        vec![None]
    } else {
        ids.iter().map(|id| Some(id.as_str())).collect()
    };
    let scenario = crate::warmup::settle(
        &args.scenario,
        &scenario,
        &variants,
        &overrides,
        args.reps.threads,
        args.quiet,
    )?;
    let mut models = Vec::new();
    if ids.is_empty() {
        models.push(crate::build_with(
            &args.scenario,
            &scenario,
            None,
            &overrides,
        )?);
    } else {
        for id in &ids {
            models.push(crate::build_with(
                &args.scenario,
                &scenario,
                Some(id),
                &overrides,
            )?);
        }
    }
    let warnings =
        carepath_charts::report::warnings(&base_warnings, &models.iter().collect::<Vec<_>>());
    // The terminal gets the same warning lines as every other command for these models.
    crate::print_warnings(&models.iter().collect::<Vec<_>>(), args.quiet);
    let mut runs = Vec::new();
    for model in &models {
        let acc = replicate::run_all(model, args.reps.threads, args.quiet)?;
        let findings = Findings::of(model, &acc);
        runs.push(Run {
            model,
            acc,
            findings,
        });
    }
    let comparison = (runs.len() >= 2).then(|| {
        let v: Vec<VariantRun<'_>> = runs
            .iter()
            .map(|r| VariantRun {
                model: r.model,
                run: &r.acc,
                findings: &r.findings,
                independent: None,
            })
            .collect();
        compare(&v)
    });
    let facts = crate::stress::RunFacts {
        path: &args.scenario,
        models: runs.iter().map(|r| r.model).collect(),
        replications: runs[0].findings.summary.replications,
        seed: runs[0].findings.summary.seed,
        version: env!("CARGO_PKG_VERSION"),
        data_files: scenario.data_files(),
    };
    let html = render(
        &args.scenario,
        &text,
        &runs,
        comparison.as_ref(),
        &warnings,
        &crate::stress::section(&facts),
    )?;
    write_report(&args, &html)
}

/// `carepath report SWEEP_DIR`: the report of a finished sweep, from its files.
fn sweep_report(args: &ReportArgs) -> Result<()> {
    let dir = &args.scenario;
    if !args.variants.is_empty() {
        return Err(crate::InputError(
            "--variants is for scenario reports; a sweep's report shows the variants it ran".into(),
        )
        .into());
    }
    let manifest = crate::sweep::read_manifest(dir)?.ok_or_else(|| {
        crate::InputError(format!(
            "{} is a directory without sweep.json: give a scenario file, or the --out directory of `carepath sweep`",
            dir.display()
        ))
    })?;
    if !dir.join("sweep.csv").exists() {
        return Err(crate::InputError(format!(
            "{}: the sweep is not finished (no sweep.csv); run it to the end, or merge its shards",
            dir.display()
        ))
        .into());
    }
    let table = crate::sweep_charts::Table::read(dir, &manifest)?;
    write_report(args, &crate::sweep_charts::report(&table)?)
}

/// Writes the report atomically where `--out` says.
fn write_report(args: &ReportArgs, html: &str) -> Result<()> {
    let file = report_file(&args.out);
    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating directory {}", parent.display()))?;
    }
    crate::output::write_atomic(&file, html.as_bytes())
        .with_context(|| format!("writing {}", file.display()))?;
    if !args.quiet {
        crate::out(&format!("wrote {}\n", file.display()))?;
    }
    Ok(())
}

/// The report's file for `--out`: the path itself when it ends in `.html` or `.htm` (the old
/// `-o FILE` usage), else `report.html` inside that directory (what `-o` means elsewhere).
fn report_file(out: &Path) -> PathBuf {
    let is_html = out
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    if is_html {
        out.to_path_buf()
    } else {
        out.join("report.html")
    }
}

/// The document's own style; the sections bring theirs ([`carepath_charts::report::STYLE`]).
pub(crate) const STYLE: &str = "
body{font-family:'DejaVu Sans',Verdana,system-ui,sans-serif;color:#202020;max-width:1080px;margin:2em auto;padding:0 1.5em;line-height:1.45}
h1{font-size:1.9em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ccc;padding-bottom:.2em}
.meta{color:#555}nav ol{columns:2}
pre{background:#f7f7f7;border:1px solid #ddd;padding:1em;overflow:auto;font-size:.85em}
footer{margin-top:3em;color:#555;font-size:.9em}
table.stress th{text-align:left;font-weight:normal;color:#555;width:17em}table.stress td{text-align:left}
figure.diagram{margin:1em 0}figure.diagram svg{max-width:100%;height:auto}
";

/// The whole report.
fn render(
    path: &Path,
    scenario_text: &str,
    runs: &[Run],
    comparison: Option<&Comparison>,
    warnings: &[String],
    stress: &str,
) -> Result<String> {
    let first = &runs[0];
    let s0 = &first.findings.summary;
    let mut h = String::new();
    let title = format!("CarePath report — {}", s0.scenario);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"CarePath {}\">\n<title>{}</title>\n<style>{STYLE}{}</style>\n\
         </head>\n<body>\n<header>\n<h1>{}</h1>\n",
        esc(&s0.carepath_version),
        esc(&title),
        carepath_charts::report::STYLE,
        esc(&s0.scenario)
    );
    if !first.model.description().is_empty() {
        let _ = writeln!(h, "<p>{}</p>", esc(first.model.description()));
    }
    let variants: Vec<&str> = runs.iter().map(|r| label(r.model)).collect();
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
        } else if first.model.variant().is_empty() {
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
    h.push_str(
        "<li><a href=\"#stress\">Model documentation (STRESS-DES)</a></li>\
         <li><a href=\"#scenario\">Scenario</a></li></ol></nav>\n",
    );

    let views: Vec<RunView<'_>> = runs
        .iter()
        .map(|r| RunView {
            model: r.model,
            summary: &r.findings.summary,
            breakdown: &r.findings.breakdown,
            series: &r.findings.series,
        })
        .collect();
    h.push_str(&carepath_charts::report::sections(
        &views, comparison, warnings,
    )?);

    h.push_str(stress);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_is_a_directory_unless_it_names_an_html_file() {
        assert_eq!(report_file(Path::new("r.html")), Path::new("r.html"));
        assert_eq!(report_file(Path::new("a/R.HTM")), Path::new("a/R.HTM"));
        assert_eq!(report_file(Path::new("out")), Path::new("out/report.html"));
    }
}

//! `carepath check`: regression checks of scenarios against stored baselines, for CI.
//!
//! `--bless` runs each scenario and stores its per-replication metrics as the baseline; a plain
//! run compares with it (see `sim_core::regression` for the modes and the statistics) and
//! exits 0 when nothing moved, 1 when something did, 2 on bad input. `--junit FILE` writes a
//! JUnit XML report (one test suite per scenario, one test case per metric).

use crate::{InputError, apply_overrides, load_variant, read, replicate};
use anyhow::{Context, Result};
use serde::Deserialize;
use sim_core::regression::{Baseline, CheckReport, Mode, Tolerance, baseline, check};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Per-metric tolerances file (`--tolerances FILE`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TolerancesFile {
    #[serde(default)]
    default: Option<ToleranceSpec>,
    #[serde(default)]
    metrics: BTreeMap<String, ToleranceSpec>,
}

#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
struct ToleranceSpec {
    #[serde(default)]
    absolute: f64,
    #[serde(default)]
    relative: f64,
}

impl From<ToleranceSpec> for Tolerance {
    fn from(t: ToleranceSpec) -> Tolerance {
        Tolerance {
            absolute: t.absolute,
            relative: t.relative,
        }
    }
}

/// Where a scenario's baseline lives.
fn baseline_path(dir: Option<&Path>, scenario: &Path, variant: Option<&str>) -> PathBuf {
    let dir = dir.map(Path::to_path_buf).unwrap_or_else(|| {
        scenario
            .parent()
            .unwrap_or(Path::new("."))
            .join("baselines")
    });
    let stem = scenario
        .file_stem()
        .map_or("scenario".into(), |s| s.to_string_lossy().into_owned());
    dir.join(match variant {
        Some(v) => format!("{stem}.{v}.json"),
        None => format!("{stem}.json"),
    })
}

/// Runs the check (or blesses baselines). Returns the process exit code.
pub fn run(args: crate::CheckArgs) -> Result<u8> {
    let (default_tol, tolerances) = match &args.tolerances {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                InputError(format!("cannot read tolerances {}: {e}", path.display()))
            })?;
            let f: TolerancesFile = toml::from_str(&text)
                .map_err(|e| InputError(format!("{}: {}", path.display(), e.message())))?;
            let mut d: Tolerance = f.default.unwrap_or_default().into();
            d.absolute = d.absolute.max(args.absolute_tolerance);
            d.relative = d.relative.max(args.relative_tolerance);
            (
                d,
                f.metrics.into_iter().map(|(k, v)| (k, v.into())).collect(),
            )
        }
        None => (
            Tolerance {
                absolute: args.absolute_tolerance,
                relative: args.relative_tolerance,
            },
            BTreeMap::new(),
        ),
    };
    if !(args.alpha > 0.0 && args.alpha < 1.0) {
        return Err(InputError(format!(
            "--alpha must be between 0 and 1 (got {})",
            args.alpha
        ))
        .into());
    }
    let mut reports = Vec::new();
    for scenario in &args.scenarios {
        let text = read(scenario)?;
        let mut model = load_variant(scenario, &text, args.variant.as_deref())?;
        apply_overrides(&mut model, &args.reps)?;
        let run = replicate::run_all(&model, args.reps.threads, true)?;
        let current = baseline(&model, run.records(), &text);
        let path = baseline_path(args.baseline.as_deref(), scenario, args.variant.as_deref());
        if args.bless {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            let mut json = serde_json::to_string_pretty(&current)?;
            json.push('\n');
            crate::output::write_atomic(&path, json.as_bytes())?;
            println!("blessed {} → {}", scenario.display(), path.display());
            continue;
        }
        let stored = std::fs::read_to_string(&path).map_err(|e| {
            InputError(format!(
                "no baseline for {} at {} ({e}); create it with `carepath check --bless`",
                scenario.display(),
                path.display()
            ))
        })?;
        let stored: Baseline = serde_json::from_str(&stored)
            .map_err(|e| InputError(format!("{}: not a CarePath baseline: {e}", path.display())))?;
        let report = check(&stored, &current, args.alpha, default_tol, &tolerances);
        if !args.quiet {
            print!("{}", render(scenario, &report));
        }
        reports.push((scenario.clone(), report));
    }
    if let Some(junit) = &args.junit {
        crate::output::write_atomic(junit, junit_xml(&reports).as_bytes())
            .with_context(|| format!("writing {}", junit.display()))?;
    }
    let failed = reports.iter().filter(|(_, r)| r.failed()).count();
    if !args.bless && !args.quiet {
        println!(
            "\n{} scenario{} checked, {failed} with changes (family-wise false-alarm rate {} per scenario)",
            reports.len(),
            if reports.len() == 1 { "" } else { "s" },
            args.alpha
        );
    }
    Ok(if failed > 0 { 1 } else { 0 })
}

fn render(path: &Path, r: &CheckReport) -> String {
    let mut o = String::new();
    let mode = match r.mode {
        Mode::Exact => {
            "exact reproduction (same scenario, seed and version: any difference is a determinism break)"
        }
        Mode::Paired => "paired t-tests (same seed; model or version changed)",
        Mode::Independent => "Welch t-tests (different seeds or replications)",
    };
    let _ = writeln!(o, "\n{} — {mode}", path.display());
    let moved: Vec<_> = r
        .checks
        .iter()
        .filter(|c| c.regression || c.significant)
        .collect();
    if moved.is_empty() && r.missing.is_empty() {
        let _ = writeln!(o, "  ok: {} metrics, nothing moved", r.checks.len());
        return o;
    }
    let _ = writeln!(
        o,
        "  {:<40} {:>12} {:>12} {:>11} {:>9}  verdict",
        "metric", "baseline", "current", "change", "p"
    );
    for c in &r.checks {
        if !(c.regression || c.significant) {
            continue;
        }
        let verdict = match (r.mode, c.regression) {
            (Mode::Exact, _) => "DETERMINISM BREAK",
            (_, true) => "REGRESSION",
            (_, false) => "significant, within tolerance",
        };
        let _ = writeln!(
            o,
            "  {:<40} {:>12.4} {:>12.4} {:>+10.2}% {:>9.2e}  {verdict}",
            c.metric,
            c.baseline,
            c.current,
            if c.baseline != 0.0 {
                100.0 * c.difference / c.baseline.abs()
            } else {
                0.0
            },
            c.p_value
        );
    }
    for m in &r.missing {
        let _ = writeln!(
            o,
            "  {m:<40} present in only one of baseline and run  MISSING"
        );
    }
    o
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JUnit XML: one `<testsuite>` per scenario, one `<testcase>` per metric.
fn junit_xml(reports: &[(PathBuf, CheckReport)]) -> String {
    let mut o = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"carepath check\">\n",
    );
    for (path, r) in reports {
        let failures = r.checks.iter().filter(|c| c.regression).count() + r.missing.len();
        let _ = writeln!(
            o,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\">",
            xml_escape(&path.display().to_string()),
            r.checks.len() + r.missing.len()
        );
        for c in &r.checks {
            let _ = write!(
                o,
                "    <testcase classname=\"{}\" name=\"{}\"",
                xml_escape(&r.scenario),
                xml_escape(&c.metric)
            );
            if c.regression {
                let _ = writeln!(
                    o,
                    "><failure message=\"{}\">baseline {} current {} p {}</failure></testcase>",
                    if r.mode == Mode::Exact {
                        "determinism break"
                    } else {
                        "regression"
                    },
                    c.baseline,
                    c.current,
                    c.p_value
                );
            } else {
                let _ = writeln!(o, "/>");
            }
        }
        for m in &r.missing {
            let _ = writeln!(
                o,
                "    <testcase classname=\"{}\" name=\"{}\"><failure message=\"missing metric\"/></testcase>",
                xml_escape(&r.scenario),
                xml_escape(m)
            );
        }
        let _ = writeln!(o, "  </testsuite>");
    }
    o.push_str("</testsuites>\n");
    o
}

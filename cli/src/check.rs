//! `carepath check`: regression checks of scenarios against stored baselines, for CI.
//!
//! `--bless` runs each scenario and stores its per-replication metrics as the baseline; a plain
//! run compares with it (see `crate::regression` for the modes and the statistics) and
//! exits 0 when nothing moved, 1 when something did, 2 on bad input. `--junit FILE` writes a
//! JUnit XML report (one test suite per scenario, one test case per metric).

use crate::output::{Outputs, file_name_for_id, xml_escape};
use crate::regression::{
    Baseline, Change, CheckReport, FailOn, Mode, Tolerance, baseline, canonical_metric, check,
    format_p, metric_names,
};
use crate::{InputError, out, read, replicate};
use anyhow::{Context, Result};
use serde::Deserialize;
use sim_core::Model;
use std::collections::{BTreeMap, BTreeSet};
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

/// `--fail-on`: which significant changes fail the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum FailOnArg {
    /// Any significant change beyond tolerance, better or worse.
    #[default]
    Any,
    /// Only changes that are not improvements ("worse" and undirected "changed").
    Worse,
}

impl From<FailOnArg> for FailOn {
    fn from(f: FailOnArg) -> FailOn {
        match f {
            FailOnArg::Any => FailOn::Any,
            FailOnArg::Worse => FailOn::Worse,
        }
    }
}

/// A tolerance switches a check off when it is NaN (every comparison with it is false, so
/// nothing is ever beyond it), infinite, or negative: all are refused, naming where it came
/// from.
fn check_tolerance(what: &str, t: Tolerance) -> Result<()> {
    for (name, v) in [("absolute", t.absolute), ("relative", t.relative)] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(InputError(format!(
                "{what}: {name} tolerance must be a finite number ≥ 0 (got {v})"
            ))
            .into());
        }
    }
    Ok(())
}

/// Where a scenario's baseline lives: `<dir>/<stem>.json` (`<stem>.<variant>.json` with
/// `--variant`), with the stem and variant encoded by [`file_name_for_id`] so that the name
/// is unique and always inside `dir` (`v.1` and `v_1` differ; `x/../y` stays a file name).
/// `dir` defaults to `baselines/` next to the scenario.
fn baseline_path(dir: Option<&Path>, scenario: &Path, variant: Option<&str>) -> (PathBuf, String) {
    let dir = dir.map(Path::to_path_buf).unwrap_or_else(|| {
        scenario
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .join("baselines")
    });
    let stem = scenario
        .file_stem()
        .map_or("scenario".into(), |s| s.to_string_lossy().into_owned());
    let name = match variant {
        Some(v) => format!("{}.{}.json", file_name_for_id(&stem), file_name_for_id(v)),
        None => format!("{}.json", file_name_for_id(&stem)),
    };
    (dir, name)
}

/// Refuses two scenarios that would share one baseline file (`a/clinic.toml` and
/// `b/clinic.toml` with one `--baseline DIR`): one would be checked against the other's model.
fn refuse_shared_baselines(scenarios: &[PathBuf], paths: &[PathBuf]) -> Result<()> {
    for (i, p) in paths.iter().enumerate() {
        if let Some(j) = paths[..i].iter().position(|q| q == p) {
            return Err(InputError(format!(
                "{} and {} would share the baseline {}; give each its own --baseline directory \
                 (run check once per folder), or rename one file",
                scenarios[j].display(),
                scenarios[i].display(),
                p.display()
            ))
            .into());
        }
    }
    Ok(())
}

/// Runs the check (or blesses baselines). Returns the process exit code.
pub fn run(args: crate::CheckArgs) -> Result<u8> {
    if !(args.alpha > 0.0 && args.alpha < 1.0) {
        return Err(InputError(format!(
            "--alpha must be between 0 and 1, exclusive (got {})",
            args.alpha
        ))
        .into());
    }
    let flags = Tolerance {
        absolute: args.absolute_tolerance,
        relative: args.relative_tolerance,
    };
    check_tolerance("--absolute-tolerance/--relative-tolerance", flags)?;
    let (default_tol, tolerances, tol_file) = match &args.tolerances {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                InputError(format!("cannot read tolerances {}: {e}", path.display()))
            })?;
            let f: TolerancesFile = toml::from_str(&text)
                .map_err(|e| InputError(format!("{}: {}", path.display(), e.message())))?;
            let mut d: Tolerance = f.default.unwrap_or_default().into();
            check_tolerance(&format!("{}: [default]", path.display()), d)?;
            d.absolute = d.absolute.max(args.absolute_tolerance);
            d.relative = d.relative.max(args.relative_tolerance);
            let mut per_metric = BTreeMap::new();
            for (k, v) in f.metrics {
                let t: Tolerance = v.into();
                check_tolerance(&format!("{}: [metrics.\"{k}\"]", path.display()), t)?;
                per_metric.insert(k, t);
            }
            (d, per_metric, Some(path))
        }
        None => (flags, BTreeMap::new(), None),
    };
    // Build every model first: input errors (and unknown tolerance names) before any run.
    let overrides = crate::overrides(&args.reps, None)?;
    let mut loaded: Vec<(String, Model)> = Vec::new();
    for scenario in &args.scenarios {
        let text = read(scenario)?;
        let parsed = crate::parse_scenario(scenario, &text)?;
        let parsed = crate::warmup::settle(
            scenario,
            &parsed,
            &[args.variant.as_deref()],
            &overrides,
            args.reps.threads,
            true,
        )?;
        let model = crate::build_with(scenario, &parsed, args.variant.as_deref(), &overrides)?;
        loaded.push((text, model));
    }
    let tolerances = canonical_tolerances(tolerances, tol_file, &loaded)?;
    let places: Vec<(PathBuf, String)> = args
        .scenarios
        .iter()
        .map(|s| baseline_path(args.baseline.as_deref(), s, args.variant.as_deref()))
        .collect();
    refuse_shared_baselines(
        &args.scenarios,
        &places.iter().map(|(d, n)| d.join(n)).collect::<Vec<_>>(),
    )?;
    let fail_on: FailOn = args.fail_on.into();
    let mut blessed = Outputs::default();
    let mut blessed_lines = String::new();
    let mut reports = Vec::new();
    for ((scenario, (text, model)), (dir, name)) in args.scenarios.iter().zip(&loaded).zip(&places)
    {
        crate::print_warnings(&[model], args.quiet);
        let run = replicate::run_all(model, args.reps.threads, true)?;
        let current = baseline(model, run.records(), text);
        let path = dir.join(name);
        if args.bless {
            let mut json = serde_json::to_string_pretty(&current)?;
            json.push('\n');
            blessed
                .write(dir, name, json.as_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
            let _ = writeln!(
                blessed_lines,
                "blessed {} → {}",
                scenario.display(),
                path.display()
            );
            continue;
        }
        let stored = std::fs::read_to_string(&path).map_err(|e| {
            InputError(format!(
                "no baseline for {} at {} ({e}); create it with `carepath check --bless`",
                scenario.display(),
                path.display()
            ))
        })?;
        let mut stored: Baseline = serde_json::from_str(&stored)
            .map_err(|e| InputError(format!("{}: not a CarePath baseline: {e}", path.display())))?;
        stored.upgrade_names();
        let report = check(&stored, &current, args.alpha, default_tol, &tolerances);
        if !args.quiet {
            out(&render(scenario, &report, fail_on))?;
        }
        reports.push((scenario.clone(), report));
    }
    if args.bless {
        // Every baseline of the run appears together, or none does.
        blessed
            .commit()
            .context("writing baselines (the previous baselines are unchanged)")?;
        out(&blessed_lines)?;
    }
    if let Some(junit) = &args.junit {
        crate::output::write_atomic(junit, junit_xml(&reports, fail_on).as_bytes())
            .with_context(|| format!("writing {}", junit.display()))?;
    }
    let failed = reports.iter().filter(|(_, r)| r.failed_on(fail_on)).count();
    if !args.bless && !args.quiet {
        out(&format!(
            "\n{} scenario{} checked, {failed} failed{} (family-wise false-alarm rate {} per scenario)\n",
            reports.len(),
            if reports.len() == 1 { "" } else { "s" },
            match fail_on {
                FailOn::Any => " on a change",
                FailOn::Worse => " on a change for the worse (--fail-on worse)",
            },
            args.alpha
        ))?;
    }
    Ok(if failed > 0 { 1 } else { 0 })
}

/// Tolerances keyed by current metric names; a name that no scenario checked has (after
/// accepting the old spelling `utilization`) is an input error listing the known names.
fn canonical_tolerances(
    tolerances: BTreeMap<String, Tolerance>,
    file: Option<&PathBuf>,
    loaded: &[(String, Model)],
) -> Result<BTreeMap<String, Tolerance>> {
    let known: BTreeSet<String> = loaded.iter().flat_map(|(_, m)| metric_names(m)).collect();
    let mut out = BTreeMap::new();
    for (k, t) in tolerances {
        let name = canonical_metric(&k);
        if !known.contains(&name) {
            return Err(InputError(format!(
                "{}: [metrics.\"{k}\"] is not a metric of the scenarios checked; known metrics: {}",
                file.map_or("tolerances".into(), |p| p.display().to_string()),
                known.iter().cloned().collect::<Vec<_>>().join(", ")
            ))
            .into());
        }
        out.insert(name, t);
    }
    Ok(out)
}

/// The change in percent of the baseline, with its sign (`+12.50`, `-3.00`, never `-0.00`).
fn signed_percent(difference: f64, baseline: f64) -> String {
    if baseline == 0.0 {
        return "n/a".to_string();
    }
    let pct = 100.0 * difference / baseline.abs();
    let s = crate::table::fixed(pct, 2);
    if pct > 0.0 && s != "0.00" {
        format!("+{s}")
    } else {
        s
    }
}

/// The verdict word for a metric that moved.
fn verdict(mode: Mode, c: &crate::regression::MetricCheck, fail_on: FailOn) -> &'static str {
    if mode == Mode::Exact {
        return "DETERMINISM BREAK";
    }
    if !c.regression {
        return "significant, within tolerance";
    }
    match (c.change, c.fails(fail_on)) {
        (Change::Better, false) => "changed (better), passes with --fail-on worse",
        (Change::Better, true) => "CHANGED (better)",
        (Change::Worse, _) => "CHANGED (worse)",
        _ => "CHANGED",
    }
}

fn render(path: &Path, r: &CheckReport, fail_on: FailOn) -> String {
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
    let w = moved
        .iter()
        .map(|c| c.metric.chars().count())
        .chain(r.missing.iter().map(|m| m.chars().count()))
        .max()
        .unwrap_or(0)
        .max("metric".len());
    let _ = writeln!(
        o,
        "  {:<w$} {:>12} {:>12} {:>11} {:>9}  verdict",
        "metric", "baseline", "current", "change", "p"
    );
    for c in moved {
        let _ = writeln!(
            o,
            "  {:<w$} {:>12.4} {:>12.4} {:>10}% {:>9}  {}",
            c.metric,
            c.baseline,
            c.current,
            signed_percent(c.difference, c.baseline),
            if r.mode == Mode::Exact {
                "-".to_string()
            } else {
                format_p(c.p_value)
            },
            verdict(r.mode, c, fail_on)
        );
    }
    for m in &r.missing {
        let _ = writeln!(
            o,
            "  {m:<w$} present in only one of baseline and run  MISSING"
        );
    }
    o
}

/// JUnit XML: one `<testsuite>` per scenario, one `<testcase>` per metric. Every name goes
/// through [`xml_escape`], so the file is well-formed XML 1.0 whatever the scenario is called.
fn junit_xml(reports: &[(PathBuf, CheckReport)], fail_on: FailOn) -> String {
    let mut o = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"carepath check\">\n",
    );
    for (path, r) in reports {
        let failures = r.checks.iter().filter(|c| c.fails(fail_on)).count() + r.missing.len();
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
            if c.fails(fail_on) {
                let _ = writeln!(
                    o,
                    "><failure message=\"{}\">baseline {} current {} p {}</failure></testcase>",
                    if r.mode == Mode::Exact {
                        "determinism break"
                    } else {
                        match c.change {
                            Change::Better => "changed (better)",
                            Change::Worse => "changed (worse)",
                            _ => "changed",
                        }
                    },
                    c.baseline,
                    c.current,
                    xml_escape(&format_p(c.p_value))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn baseline_named(name: &str, metric: &str, values: &[f64]) -> Baseline {
        Baseline {
            schema_version: 1,
            scenario: name.into(),
            variant: String::new(),
            scenario_hash: "h".into(),
            carepath_version: "1".into(),
            seed: 1,
            replications: values.len() as u32,
            metrics: BTreeMap::from([(metric.to_string(), values.to_vec())]),
        }
    }

    #[test]
    fn junit_is_well_formed_xml_whatever_the_names() {
        let nasty = "ward\u{1b}[31m\r\n\u{7}\u{0}\u{1}<&>\"'\u{fffe}\u{9f}\ttab";
        let metric = format!("stations.{nasty}.wait_min.mean");
        let base: Vec<f64> = (0..10).map(|i| f64::from(i).sin()).collect();
        let moved: Vec<f64> = base.iter().map(|x| x + 5.0).collect();
        let mut current = baseline_named(nasty, &metric, &moved);
        current.scenario_hash = "other".into();
        let report = check(
            &baseline_named(nasty, &metric, &base),
            &current,
            0.01,
            Tolerance::default(),
            &BTreeMap::new(),
        );
        assert!(report.failed());
        let xml = junit_xml(
            &[(PathBuf::from(format!("dir/{nasty}.toml")), report)],
            FailOn::Any,
        );
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        let case = doc
            .descendants()
            .find(|n| n.has_tag_name("testcase"))
            .unwrap();
        // Tab, CR and LF survive as character references; the rest is shown as escapes.
        assert_eq!(
            case.attribute("classname").unwrap(),
            "ward\\u{1b}[31m\r\n\\u{7}\\u{0}\\u{1}<&>\"'\\u{fffe}\\u{9f}\ttab"
        );
        assert!(
            doc.descendants()
                .any(|n| n.attribute("message") == Some("changed (worse)"))
        );
    }

    #[test]
    fn bad_tolerances_are_refused() {
        for (a, r) in [
            (f64::NAN, 0.0),
            (0.0, f64::NAN),
            (-0.1, 0.0),
            (0.0, -1.0),
            (f64::INFINITY, 0.0),
        ] {
            let t = Tolerance {
                absolute: a,
                relative: r,
            };
            assert!(check_tolerance("x", t).is_err(), "{t:?}");
        }
        assert!(check_tolerance("x", Tolerance::default()).is_ok());
    }

    #[test]
    fn baseline_names_are_unique_and_inside_the_directory() {
        let dir = Path::new("b");
        let s = Path::new("models/clinic.toml");
        let name = |v: Option<&str>| baseline_path(Some(dir), s, v).1;
        assert_eq!(name(None), "clinic.json");
        assert_eq!(name(Some("digital")), "clinic.digital.json");
        assert_ne!(name(Some("v.1")), name(Some("v_1")));
        let escaped = name(Some("x/../../../escaped"));
        assert!(
            !escaped.contains('/') && !escaped.contains(".."),
            "{escaped}"
        );
        assert_eq!(
            baseline_path(None, Path::new("clinic.toml"), None).0,
            Path::new("./baselines")
        );
    }
}

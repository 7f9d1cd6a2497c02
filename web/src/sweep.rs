//! The page's sweep panel: `carepath sweep` in the browser. The page writes a study file (the
//! format of `docs/studies.md`, read by sim-core's [`Sweep::parse`], so its points are the
//! CLI's to the last decimal), asks for its [`plan`] (the points, variants and metrics, checked
//! as `carepath sweep` checks them before anything runs), and hands the points out to a pool
//! of Web Workers, each running one point at a time as a [`PointRun`], stepwise like
//! [`crate::session::Session`] so that it reports progress and can be stopped. Every point
//! runs with the study's seed (common random numbers) and its rows are sim-core's
//! [`sim_core::sweep::rows`], so they do not depend on which worker ran which point.
//!
//! The finished rows go back in as a [`Table`]: [`csv`] gives `sweep.csv` byte for byte as
//! `carepath sweep --out DIR` writes it, and [`chart`] the line chart of one metric exactly
//! as `carepath sweep --charts DIR` draws it (`carepath_charts::Chart::sweep`).
//!
//! Numbers cross to JavaScript twice: as JSON numbers (for the page's table; JSON has no
//! NaN or infinity, so those are `null`) and as the text Rust's `f64::to_string` gives them
//! (what `sweep.csv` holds, and what comes back in a [`Table`], read again without loss).

use crate::data::Texts;
use carepath_charts::{Chart, SweepInput};
use serde::{Deserialize, Serialize};
use sim_core::scenario::{Overrides, Setting};
use sim_core::stats::Estimate;
use sim_core::study::StudyState;
use sim_core::sweep::{Row, Sweep, SweepError};
use sim_core::{Model, Scenario, ScenarioError, Study};
use std::collections::BTreeMap;

/// Most points a sweep in the page may have (the CLI allows a million; the page keeps every
/// row in memory and draws a table of them).
pub const MAX_POINTS: usize = 10_000;

/// What a study will do, for the panel (from [`plan`]).
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// `[scenario] name` (the charts' subtitle).
    pub scenario_name: String,
    /// Replications per point and variant.
    pub replications: u32,
    /// Seed, the same at every point.
    pub seed: u64,
    /// The parameter paths, in column order.
    pub parameters: Vec<String>,
    /// Each point's values as `sweep.csv` writes them (by point, then parameter).
    pub points: Vec<Vec<String>>,
    /// The variants' labels (`base` for the scenario without variants).
    pub variants: Vec<String>,
    /// The metrics collected, in the study's order.
    pub metrics: Vec<String>,
    /// Every metric the scenario has (what the study may name).
    pub metric_names: Vec<String>,
    /// Target lines: `targets.ID.share` → the share its target asks for.
    pub goals: BTreeMap<String, f64>,
}

/// One row of the table: a metric at a point in a variant.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RowOut {
    /// The point (0-based).
    pub point: usize,
    /// The variant's label (`base` for the base scenario), as in `sweep.csv`.
    pub variant: String,
    /// The metric.
    pub metric: String,
    /// Mean (None when not finite).
    #[serde(default)]
    pub mean: Option<f64>,
    /// Lower end of the 95% interval.
    #[serde(default)]
    pub low: Option<f64>,
    /// Upper end.
    #[serde(default)]
    pub high: Option<f64>,
    /// Half-width of the interval (None when infinite: one replication).
    #[serde(default)]
    pub half_width: Option<f64>,
    /// Standard deviation over the replications.
    #[serde(default)]
    pub sd: Option<f64>,
    /// Replications counted.
    pub n: usize,
    /// The same numbers as Rust's `f64::to_string` writes them (as in `sweep.csv`).
    pub text: RowText,
}

/// A row's numbers as text.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RowText {
    /// Mean.
    pub mean: String,
    /// `ci95_low`.
    #[serde(default)]
    pub low: String,
    /// `ci95_high`.
    #[serde(default)]
    pub high: String,
    /// Half-width.
    pub half_width: String,
    /// Standard deviation.
    pub sd: String,
}

impl RowOut {
    fn of(r: &Row) -> RowOut {
        let e = &r.estimate;
        let finite = |x: f64| x.is_finite().then_some(x);
        RowOut {
            point: r.point,
            variant: label(&r.variant).to_string(),
            metric: r.metric.clone(),
            mean: finite(e.mean),
            low: finite(e.low()),
            high: finite(e.high()),
            half_width: finite(e.half_width),
            sd: finite(e.sd),
            n: r.n,
            text: RowText {
                mean: e.mean.to_string(),
                low: e.low().to_string(),
                high: e.high().to_string(),
                half_width: e.half_width.to_string(),
                sd: e.sd.to_string(),
            },
        }
    }

    /// Back to sim-core's row, from the text (which holds every bit).
    fn row(&self) -> Result<Row, String> {
        let num = |what: &str, t: &str| {
            t.parse::<f64>()
                .map_err(|_| format!("row of point {}: {what} {t:?} is not a number", self.point))
        };
        Ok(Row {
            point: self.point,
            variant: self.variant.clone(),
            metric: self.metric.clone(),
            estimate: Estimate {
                mean: num("mean", &self.text.mean)?,
                sd: num("sd", &self.text.sd)?,
                half_width: num("half_width", &self.text.half_width)?,
            },
            n: self.n,
        })
    }
}

/// A finished (or partly finished) sweep, as the page hands it back for the table and the
/// charts: the plan's facts and the rows the workers returned.
#[derive(Debug, Clone, Deserialize)]
pub struct Table {
    /// Scenario name.
    #[serde(default)]
    pub scenario_name: String,
    /// Replications per point and variant.
    pub replications: u32,
    /// Parameter paths.
    pub parameters: Vec<String>,
    /// Each point's values as text.
    pub points: Vec<Vec<String>>,
    /// The rows, in any order.
    pub rows: Vec<RowOut>,
    /// Target lines by metric.
    #[serde(default)]
    pub goals: BTreeMap<String, f64>,
}

/// `base` for the base scenario, else the variant's id (the CLI's `model_label`).
fn label(variant: &str) -> &str {
    if variant.is_empty() { "base" } else { variant }
}

/// A parameter value as a cell: strings as written, numbers as TOML writes them.
fn cell(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

/// A study file's problem, as `carepath sweep` words it after `STUDY:`.
fn study_problem(e: &SweepError) -> String {
    match e {
        SweepError::Syntax {
            line,
            column,
            message,
        } => format!("study line {line}, column {column}: {message}"),
        e => format!("study: {e}"),
    }
}

/// A scenario problem as the CLI prints it after `FILE:LINE:COL: error: `, one per line.
fn scenario_problem(variant: Option<&str>, e: &ScenarioError) -> String {
    let context = variant.map_or(String::new(), |v| format!("variant {v}: "));
    match e {
        ScenarioError::Syntax { message, .. } => format!("{context}{message}"),
        ScenarioError::Invalid(problems) => problems
            .iter()
            .map(|p| format!("{context}{p}"))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// The study and its scenario, read as `carepath sweep` reads them.
struct Loaded {
    sweep: Sweep,
    scenario: Scenario,
    overrides: Overrides,
}

fn load(study: &str, text: &str, data: &Texts) -> Result<Loaded, String> {
    let sweep = Sweep::parse(study).map_err(|e| study_problem(&e))?;
    if sweep.len() > MAX_POINTS {
        return Err(format!(
            "the study has {} points; the page runs at most {MAX_POINTS} (use `carepath sweep` for more)",
            sweep.len()
        ));
    }
    let scenario = Scenario::parse(text)
        .and_then(|s| crate::data::attach(s, data))
        .map_err(|e| scenario_problem(None, &e))?
        .with_settings(
            &sweep
                .fixed
                .iter()
                .map(|s| s.clone().with_origin("sweep.set"))
                .collect::<Vec<_>>(),
        );
    let overrides = Overrides {
        replications: sweep.replications,
        seed: sweep.seed,
        ..Overrides::default()
    };
    Ok(Loaded {
        sweep,
        scenario,
        overrides,
    })
}

/// Point `i`'s settings, named as the study's parameters in messages.
fn point_settings(sweep: &Sweep, i: usize) -> Vec<Setting> {
    sweep
        .settings(i)
        .into_iter()
        .map(|s| s.with_origin("parameter"))
        .collect()
}

/// Builds point `i`'s model of `variant` from `at` (the scenario with the point's settings),
/// with the CLI's words for a problem (a setting's problem names the setting and its origin,
/// and the point is named after it).
fn build_point(
    loaded: &Loaded,
    at: &Scenario,
    variant: Option<&str>,
    i: usize,
) -> Result<Model, String> {
    let model = at.model_with(variant, &loaded.overrides).map_err(|mut e| {
        if let ScenarioError::Invalid(problems) = &mut e {
            for p in problems.iter_mut() {
                let option = match p.at.as_str() {
                    "run.replications" => loaded
                        .overrides
                        .replications
                        .map(|n| format!("--replications {n}")),
                    "run.seed" => loaded.overrides.seed.map(|n| format!("--seed {n}")),
                    _ => None,
                };
                if let Some(option) = option {
                    p.at = option;
                } else if let Some(s) = at.settings().iter().rev().find(|s| s.covers(&p.at)) {
                    let origin = if s.origin.is_empty() {
                        "set"
                    } else {
                        &s.origin
                    };
                    p.at = if s.path == p.at {
                        format!("{origin} {}", s.display())
                    } else {
                        format!("{} ({origin} {})", p.at, s.display())
                    };
                }
            }
        }
        let point: Vec<String> = loaded
            .sweep
            .settings(i)
            .iter()
            .map(Setting::display)
            .collect();
        format!(
            "{}\n  in point {i} of the sweep ({}){}",
            scenario_problem(variant, &e),
            point.join(", "),
            variant.map_or(String::new(), |v| format!(", variant {v}"))
        )
    })?;
    if model.warm_up_is_auto() {
        return Err("run.warm_up = \"auto\" is not used in sweeps (each point would find its own warm-up, and the points would not share an observation window): run `carepath warmup` at the sweep's busiest point and set run.warm_up to what it finds (in the scenario or the study's [sweep.set])".into());
    }
    Ok(model)
}

/// The metrics the study names, else the defaults of the first point's first model.
fn metrics_of(loaded: &Loaded, first: &[Model]) -> Result<Vec<String>, String> {
    let metrics = if loaded.sweep.metrics.is_empty() {
        sim_core::sweep::default_metrics(&first[0])
    } else {
        loaded.sweep.metrics.clone()
    };
    for m in first {
        sim_core::sweep::check_metrics(m, &metrics).map_err(|e| study_problem(&e))?;
    }
    Ok(metrics)
}

/// Reads the study `study` (its `scenario` key is not read: the scenario is `text`, with the
/// data files `data`) and builds its first point in every variant, as `carepath sweep` does
/// before anything runs, so a bad variant, metric or first value is reported at once.
pub fn plan(study: &str, text: &str, data: &Texts) -> Result<Plan, String> {
    let loaded = load(study, text, data)?;
    let sweep = &loaded.sweep;
    let first = loaded.scenario.with_settings(&point_settings(sweep, 0));
    let firsts = sweep
        .variants
        .iter()
        .map(|v| build_point(&loaded, &first, v.as_deref(), 0))
        .collect::<Result<Vec<_>, _>>()?;
    let metrics = metrics_of(&loaded, &firsts)?;
    Ok(Plan {
        scenario_name: firsts[0].name().to_string(),
        replications: firsts[0].replications(),
        seed: firsts[0].seed(),
        parameters: sweep.parameters.clone(),
        points: (0..sweep.len())
            .map(|i| sweep.point(i).iter().map(cell).collect())
            .collect(),
        variants: firsts
            .iter()
            .map(|m| label(m.variant()).to_string())
            .collect(),
        metrics,
        metric_names: sim_core::sweep::metric_names(&firsts[0]),
        goals: firsts[0]
            .targets()
            .iter()
            .map(|t| (format!("targets.{}.share", t.id), t.share))
            .collect(),
    })
}

/// One point of a study in progress: every variant's model and study, run one replication
/// at a time.
pub struct PointRun {
    index: usize,
    metrics: Vec<String>,
    models: Vec<Model>,
    /// Each variant's study between calls (`None` only while a step runs it).
    studies: Vec<Option<StudyState>>,
    failure: Option<String>,
}

impl PointRun {
    /// Builds point `index` of the study (every variant).
    pub fn new(study: &str, text: &str, data: &Texts, index: usize) -> Result<PointRun, String> {
        let loaded = load(study, text, data)?;
        if index >= loaded.sweep.len() {
            return Err(format!(
                "the study has {} points; there is no point {index}",
                loaded.sweep.len()
            ));
        }
        let at = loaded
            .scenario
            .with_settings(&point_settings(&loaded.sweep, index));
        let models = loaded
            .sweep
            .variants
            .iter()
            .map(|v| build_point(&loaded, &at, v.as_deref(), index))
            .collect::<Result<Vec<_>, _>>()?;
        // The metrics are the first point's (a point's own defaults could differ only if a
        // parameter changed the stations or targets, which a setting cannot).
        let metrics = if loaded.sweep.metrics.is_empty() {
            let first = loaded
                .scenario
                .with_settings(&point_settings(&loaded.sweep, 0));
            let v = loaded.sweep.variants[0].as_deref();
            sim_core::sweep::default_metrics(&build_point(&loaded, &first, v, 0)?)
        } else {
            loaded.sweep.metrics.clone()
        };
        for m in &models {
            sim_core::sweep::check_metrics(m, &metrics).map_err(|e| study_problem(&e))?;
        }
        let studies = models.iter().map(|m| Some(StudyState::new(m))).collect();
        Ok(PointRun {
            index,
            metrics,
            models,
            studies,
            failure: None,
        })
    }

    /// Replications to run in all (every variant).
    pub fn total(&self) -> u32 {
        self.models.iter().map(Model::replications).sum()
    }

    /// Replications run so far.
    pub fn done(&self) -> u32 {
        self.studies
            .iter()
            .flatten()
            .map(StudyState::completed)
            .sum()
    }

    /// Runs the next replication; false when every replication has run.
    pub fn step(&mut self) -> bool {
        if self.failure.is_some() {
            return false;
        }
        for (model, slot) in self.models.iter().zip(&mut self.studies) {
            let Some(state) = slot.take() else { continue };
            let mut study = Study::resume(model, state);
            let ran = study.step();
            *slot = Some(study.pause());
            match ran {
                Ok(true) => return true,
                Ok(false) => {}
                Err(e) => {
                    self.failure =
                        Some(format!("point {}: the simulation stopped: {e}", self.index));
                    return false;
                }
            }
        }
        false
    }

    /// The point's rows (every variant, then every metric), once every replication has run.
    pub fn finish(&self) -> Result<Vec<RowOut>, String> {
        if let Some(e) = &self.failure {
            return Err(e.clone());
        }
        if self.done() < self.total() {
            return Err("the point has not finished".into());
        }
        Ok(self
            .models
            .iter()
            .zip(self.studies.iter().flatten())
            .flat_map(|(model, state)| {
                sim_core::sweep::rows(
                    self.index,
                    model,
                    state.accumulator().records(),
                    &self.metrics,
                )
            })
            .map(|r| RowOut::of(&r))
            .collect())
    }
}

/// A CSV field as the `csv` crate writes it (quoted only when it must be).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The table's rows in `sweep.csv`'s order (by point; within a point as the worker gave
/// them: variant, then metric).
fn sorted(table: &Table) -> Vec<&RowOut> {
    let mut rows: Vec<&RowOut> = table.rows.iter().collect();
    rows.sort_by_key(|r| r.point);
    rows
}

/// `sweep.csv` as `carepath sweep --out DIR` writes it.
pub fn csv(table: &Table) -> Result<String, String> {
    let mut header = vec!["point".to_string(), "variant".to_string()];
    header.extend(table.parameters.iter().cloned());
    header.extend(
        [
            "metric",
            "mean",
            "ci95_low",
            "ci95_high",
            "half_width",
            "sd",
            "replications",
        ]
        .map(String::from),
    );
    let mut out = String::new();
    let mut line = |cells: Vec<String>| {
        let cells: Vec<String> = cells.iter().map(|c| field(c)).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    };
    line(header);
    for r in sorted(table) {
        let values = table
            .points
            .get(r.point)
            .ok_or_else(|| format!("a row names point {}, which the sweep lacks", r.point))?;
        let e = r.row()?.estimate;
        let mut rec = vec![r.point.to_string(), r.variant.clone()];
        rec.extend(values.iter().cloned());
        rec.extend([
            r.metric.clone(),
            e.mean.to_string(),
            e.low().to_string(),
            e.high().to_string(),
            e.half_width.to_string(),
            e.sd.to_string(),
            r.n.to_string(),
        ]);
        line(rec);
    }
    Ok(out)
}

/// The sweep chart of `metric` (with the target line of a target's share), as `carepath
/// sweep --charts DIR` draws it.
pub fn chart(table: &Table, metric: &str) -> Result<crate::session::ChartOut, String> {
    let rows = sorted(table)
        .into_iter()
        .map(RowOut::row)
        .collect::<Result<Vec<_>, _>>()?;
    let input = SweepInput {
        scenario: &table.scenario_name,
        replications: table.replications,
        parameters: &table.parameters,
        points: &table.points,
        rows: &rows,
    };
    let c = Chart::sweep(&input, metric, table.goals.get(metric).copied())
        .map_err(|e| format!("no chart of {metric}: {e}"))?;
    Ok(crate::session::ChartOut {
        stem: c.file_stem().to_string(),
        title: c.title().to_string(),
        svg: c.svg().map_err(|e| e.to_string())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLINIC: &str = include_str!("../../scenarios/outpatient-clinic.toml");

    fn study(params: &str, extra: &str) -> String {
        format!(
            "[sweep]\nscenario = \"scenario.toml\"\nreplications = 3\n{extra}\n[parameters]\n{params}\n"
        )
    }

    fn run_all(study: &str, text: &str) -> (Plan, Vec<RowOut>) {
        let plan = plan(study, text, &Texts::new()).unwrap();
        let mut rows = Vec::new();
        // Out of order, as a pool of workers may finish them.
        for i in (0..plan.points.len()).rev() {
            let mut p = PointRun::new(study, text, &Texts::new(), i).unwrap();
            assert!(p.finish().is_err());
            let mut steps = 0;
            while p.step() {
                steps += 1;
            }
            assert_eq!(steps, p.total());
            rows.extend(p.finish().unwrap());
        }
        (plan, rows)
    }

    fn table(plan: &Plan, rows: Vec<RowOut>) -> Table {
        let json = serde_json::json!({
            "scenario_name": plan.scenario_name,
            "replications": plan.replications,
            "parameters": plan.parameters,
            "points": plan.points,
            "rows": rows,
            "goals": plan.goals,
        });
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_sweep_gives_the_rows_of_sim_core_at_every_point() {
        let s = study(
            "\"stations.consult.servers[0].count\" = { from = 2, to = 4, step = 1 }",
            "metrics = [\"time_in_system_min.mean\", \"patients.completed\"]\nseed = 9",
        );
        let (plan, rows) = run_all(&s, CLINIC);
        assert_eq!(plan.points, [["2"], ["3"], ["4"]]);
        assert_eq!(plan.variants, ["base"]);
        assert_eq!(plan.seed, 9);
        assert_eq!(plan.replications, 3);
        assert_eq!(rows.len(), 6);
        // The same numbers as the study run directly through sim-core.
        let sweep = Sweep::parse(&s).unwrap();
        let scenario = Scenario::parse(CLINIC).unwrap();
        let model = scenario
            .with_settings(&sweep.settings(1))
            .model_with(
                None,
                &Overrides {
                    replications: Some(3),
                    seed: Some(9),
                    ..Overrides::default()
                },
            )
            .unwrap();
        let mut study = Study::new(&model);
        study.run().unwrap();
        let want = sim_core::sweep::rows(1, &model, study.accumulator().records(), &plan.metrics);
        let got: Vec<&RowOut> = rows.iter().filter(|r| r.point == 1).collect();
        assert_eq!(got[0].mean, Some(want[0].estimate.mean));
        assert_eq!(
            got[0].text.half_width,
            want[0].estimate.half_width.to_string()
        );
        assert_eq!(got[0].row().unwrap().estimate, want[0].estimate);
        assert_eq!(got[0].variant, "base");
        // More consult staff, shorter visits.
        let mean = |p: usize| rows.iter().find(|r| r.point == p).unwrap().mean.unwrap();
        assert!(mean(0) > mean(2), "{} vs {}", mean(0), mean(2));
        let t = table(&plan, rows);
        let csv = csv(&t).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "point,variant,stations.consult.servers[0].count,metric,mean,ci95_low,ci95_high,half_width,sd,replications"
        );
        assert_eq!(lines.len(), 7);
        assert!(
            lines[1].starts_with("0,base,2,time_in_system_min.mean,"),
            "{}",
            lines[1]
        );
        assert!(
            lines[6].starts_with("2,base,4,patients.completed,"),
            "{}",
            lines[6]
        );
        let c = chart(&t, "time_in_system_min.mean").unwrap();
        assert_eq!(c.stem, "sweep_time_in_system_min_mean");
        assert!(c.svg.starts_with("<svg"));
        assert!(chart(&t, "nope").is_err());
    }

    #[test]
    fn default_metrics_variants_and_ranges_as_the_cli() {
        let text = include_str!("../../scenarios/future-hospital.toml");
        let s = study(
            "\"workflow.adoption.adult\" = { from = 0.1, to = 0.3, step = 0.1 }",
            "variants = [\"paper\", \"digital\"]\nset = { \"run.max_arrivals\" = 300 }",
        );
        let s = s.replace("replications = 3", "replications = 1");
        let p = plan(&s, text, &Texts::new()).unwrap();
        assert_eq!(p.points, [["0.1"], ["0.2"], ["0.3"]]);
        assert_eq!(p.variants, ["paper", "digital"]);
        let model = Scenario::parse(text).unwrap().model(Some("paper")).unwrap();
        assert_eq!(p.metrics, sim_core::sweep::default_metrics(&model));
        assert_eq!(p.metric_names, sim_core::sweep::metric_names(&model));
        // One replication: the interval is infinite, null in JSON, "inf" as text.
        let mut run = PointRun::new(&s, text, &Texts::new(), 2).unwrap();
        while run.step() {}
        let rows = run.finish().unwrap();
        assert_eq!(rows.len(), 2 * p.metrics.len());
        assert_eq!(rows[0].variant, "paper");
        assert_eq!(rows[0].half_width, None);
        assert_eq!(rows[0].text.half_width, "inf");
        assert_eq!(rows[0].text.low, "-inf");
        let json = serde_json::to_string(&rows).unwrap();
        let back: Vec<RowOut> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, rows);
        assert!(PointRun::new(&s, text, &Texts::new(), 3).is_err());
    }

    #[test]
    fn problems_are_worded_as_the_cli_words_them() {
        let e = plan(
            &study("\"stations.consult.servers[0].count\" = [-1, 2]", ""),
            CLINIC,
            &Texts::new(),
        )
        .unwrap_err();
        assert!(
            e.starts_with("parameter stations.consult.servers[0].count=-1: "),
            "{e}"
        );
        assert!(
            e.ends_with("in point 0 of the sweep (stations.consult.servers[0].count=-1)"),
            "{e}"
        );
        let e = plan(
            &study("\"stations.nope.servers\" = [1]", ""),
            CLINIC,
            &Texts::new(),
        )
        .unwrap_err();
        assert!(e.contains("stations.nope"), "{e}");
        let e = plan(
            &study("\"run.seed\" = [1]", "metrics = [\"nope\"]"),
            CLINIC,
            &Texts::new(),
        )
        .unwrap_err();
        assert!(
            e.starts_with("study: sweep.metrics: no metric is called \"nope\""),
            "{e}"
        );
        let e = plan(
            &study("\"run.seed\" = [1]", "variants = [\"digital\"]"),
            CLINIC,
            &Texts::new(),
        )
        .unwrap_err();
        assert!(e.contains("digital"), "{e}");
        let e = plan("[sweep]\n", CLINIC, &Texts::new()).unwrap_err();
        assert!(e.starts_with("study line"), "{e}");
        let warm = include_str!("../../scenarios/warmup-mmc.toml");
        let e = plan(&study("\"run.seed\" = [1]", ""), warm, &Texts::new()).unwrap_err();
        assert!(e.contains("is not used in sweeps"), "{e}");
        let e = plan(
            &study("\"run.seed\" = { from = 1, to = 20000, step = 1 }", ""),
            CLINIC,
            &Texts::new(),
        )
        .unwrap_err();
        assert!(e.contains("at most 10000"), "{e}");
    }

    #[test]
    fn csv_fields_are_quoted_only_when_they_must_be() {
        assert_eq!(field("12"), "12");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}

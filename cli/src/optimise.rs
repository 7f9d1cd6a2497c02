//! `carepath optimise STUDY.toml`: the cheapest point of a study (fewest staff, or lowest
//! staff cost) whose constraints are met with 95% confidence, by the feasibility search of
//! `sim_core::optimise` (candidates in cost order, replications doubled only where the
//! verdict is open, a Bonferroni guard over every candidate and constraint). Prints the
//! answer, the runner-up and the evidence; `--out DIR` writes `optimise.json`.

use crate::sweep::{Loaded, build_point, load, point_settings, study_problem};
use crate::{InputError, out, replicate};
use anyhow::{Context, Result};
use sim_core::optimise::{Bound, Evidence, Outcome, search};
use sim_core::scenario::Overrides;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Arguments of `carepath optimise`.
#[derive(clap::Args, Debug)]
pub(crate) struct OptimiseArgs {
    /// Study file (TOML) with `[parameters]` (the staffing options) and `[optimise]` (costs
    /// and constraints); see docs/studies.md.
    study: PathBuf,
    /// Write optimise.json (the answer and every candidate's evidence) into this directory.
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print only the answer.
    #[arg(short, long)]
    quiet: bool,
    // -r: the replications each candidate starts with (doubled while its verdict is open).
    #[command(flatten)]
    reps: crate::ReplicationOptions,
    #[command(flatten)]
    sets: crate::SetOptions,
}

pub(crate) fn run(args: OptimiseArgs) -> Result<()> {
    let Loaded {
        sweep,
        scenario_path,
        scenario,
        overrides,
        ..
    } = load(&args.study, &args.sets, &args.reps)?;
    let Some(goal) = sweep.optimise.clone() else {
        return Err(InputError(format!(
            "{}: no [optimise] table: give the constraints to meet ([[optimise.constraints]] metric, at_least or at_most) and optionally the cost of each parameter",
            args.study.display()
        ))
        .into());
    };
    if sweep.variants.len() != 1 {
        return Err(InputError(format!(
            "{}: optimise searches one variant; name one in sweep.variants (it names {})",
            args.study.display(),
            sweep.variants.len()
        ))
        .into());
    }
    let variant = sweep.variants[0].clone();
    // Every candidate's model is checked before anything runs; the first gives the metrics.
    let first = build_point(
        &sweep,
        &scenario.with_settings(&point_settings(&sweep, 0)),
        &scenario_path,
        variant.as_deref(),
        &overrides,
        0,
    )?;
    let metrics: Vec<String> = goal.constraints.iter().map(|c| c.metric.clone()).collect();
    sim_core::sweep::check_metrics(&first, &metrics).map_err(|e| study_problem(&args.study, &e))?;
    for i in 0..sweep.len() {
        goal.cost(&sweep, i)
            .map_err(|e| study_problem(&args.study, &e))?;
    }
    let initial = overrides.replications.unwrap_or(first.replications());
    let started = std::time::Instant::now();
    let outcome = search(
        &sweep,
        &goal,
        initial,
        |point, n| -> Result<Vec<Vec<f64>>> {
            let at = scenario.with_settings(&point_settings(&sweep, point));
            let model = build_point(
                &sweep,
                &at,
                &scenario_path,
                variant.as_deref(),
                &Overrides {
                    replications: Some(n),
                    ..overrides
                },
                point,
            )?;
            let acc = replicate::run_all(&model, args.reps.threads, true)?;
            Ok(metrics
                .iter()
                .map(|m| {
                    sim_core::sweep::metric_values(&model, acc.records(), m).expect("checked above")
                })
                .collect())
        },
    )?
    .map_err(|e| study_problem(&args.study, &e))?;
    let wall = started.elapsed().as_secs_f64();
    let text = report(&sweep, &goal, &outcome, wall, args.quiet);
    out(&text)?;
    if let Some(dir) = &args.out {
        let mut files = crate::output::Outputs::default();
        let mut json = serde_json::to_string_pretty(&to_json(&sweep, &goal, &outcome))?;
        json.push('\n');
        files
            .write(dir, "optimise.json", json.as_bytes())
            .with_context(|| format!("writing results to {}", dir.display()))?;
        files.commit()?;
        if !args.quiet {
            out(&format!("wrote {}\n", dir.join("optimise.json").display()))?;
        }
    }
    if outcome.answer.is_none() {
        return Err(anyhow::anyhow!(
            "no candidate was shown to meet the constraints (see the evidence above)"
        ));
    }
    Ok(())
}

/// "am = 19, pm = 12".
fn point_text(sweep: &sim_core::sweep::Sweep, point: usize) -> String {
    sweep
        .parameters
        .iter()
        .zip(sweep.point(point))
        .map(|(p, v)| format!("{p} = {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The verdict line of one candidate: each constraint's mean and interval.
fn evidence_cells(goal: &sim_core::optimise::Optimise, e: &Evidence) -> Vec<String> {
    goal.constraints
        .iter()
        .zip(&e.estimates)
        .map(|(_, est)| format!("{:.4} [{:.4}, {:.4}]", est.mean, est.low(), est.high()))
        .collect()
}

fn report(
    sweep: &sim_core::sweep::Sweep,
    goal: &sim_core::optimise::Optimise,
    o: &Outcome,
    wall: f64,
    quiet: bool,
) -> String {
    let mut s = String::new();
    let answer = o.answer.map(|i| &o.examined[i]);
    if quiet {
        match answer {
            Some(a) => {
                let _ = writeln!(s, "{} (cost {})", point_text(sweep, a.point), a.cost);
            }
            None => s.push_str("no candidate shown to meet the constraints\n"),
        }
        return s;
    }
    let cost: Vec<String> = sweep
        .parameters
        .iter()
        .zip(&goal.costs)
        .map(|(p, c)| format!("{c} × {p}"))
        .collect();
    let constraints: Vec<String> = goal.constraints.iter().map(|c| c.display()).collect();
    let _ = writeln!(
        s,
        "Lowest cost ({}) such that {}, with {}% confidence for the whole answer",
        cost.join(" + "),
        constraints.join(" and "),
        goal.confidence * 100.0
    );
    let _ = writeln!(
        s,
        "  {} candidates; each interval at {:.4}% (Bonferroni over {} candidates × {} constraint{}); common random numbers",
        o.candidates,
        o.test_level * 100.0,
        o.candidates,
        goal.constraints.len(),
        if goal.constraints.len() == 1 { "" } else { "s" }
    );
    match answer {
        Some(a) => {
            let _ = writeln!(
                s,
                "\nAnswer:    {} (cost {})",
                point_text(sweep, a.point),
                a.cost
            );
        }
        None => {
            let _ = writeln!(
                s,
                "\nAnswer:    none: no candidate was shown to meet the constraints"
            );
        }
    }
    if let Some(r) = o.runner_up.map(|i| &o.examined[i]) {
        let _ = writeln!(
            s,
            "Runner-up: {} (cost {})",
            point_text(sweep, r.point),
            r.cost
        );
    }
    let open = o.open_before_answer();
    if !open.is_empty() {
        let _ = writeln!(
            s,
            "Caution:   {} cheaper candidate{} stayed open at {} replications (neither shown to meet nor to miss): the answer is the cheapest *shown* to meet the constraints; raise optimise.max_replications to decide them",
            open.len(),
            if open.len() == 1 { "" } else { "s" },
            goal.max_replications
        );
    }
    let _ = writeln!(
        s,
        "\nEvidence, cheapest first ({} of {} candidates examined; {} replications in {wall:.1} s):",
        o.examined.len(),
        o.candidates,
        o.replications_run
    );
    let mut header = vec!["candidate".to_string(), "cost".into(), "reps".into()];
    header.extend(goal.constraints.iter().map(|c| c.display()));
    header.push("verdict".into());
    let mut rows = vec![header];
    for (i, e) in o.examined.iter().enumerate() {
        let mut r = vec![
            sweep
                .point(e.point)
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" / "),
            e.cost.to_string(),
            e.replications.to_string(),
        ];
        r.extend(evidence_cells(goal, e));
        r.push(format!(
            "{}{}",
            e.verdict.name(),
            if Some(i) == o.answer {
                "  <- answer"
            } else if Some(i) == o.runner_up {
                "  <- runner-up"
            } else {
                ""
            }
        ));
        rows.push(r);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|k| rows.iter().map(|r| r[k].chars().count()).max().unwrap_or(0))
        .collect();
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        let _ = writeln!(s, "  {}", line.join("  ").trim_end());
    }
    let _ = writeln!(
        s,
        "  (candidate = {}; intervals at the level above)",
        sweep.parameters.join(" / ")
    );
    s
}

fn to_json(
    sweep: &sim_core::sweep::Sweep,
    goal: &sim_core::optimise::Optimise,
    o: &Outcome,
) -> serde_json::Value {
    let point = |e: &Evidence| -> serde_json::Value {
        sweep
            .parameters
            .iter()
            .zip(sweep.point(e.point))
            .map(|(p, v)| (p.clone(), serde_json::to_value(&v).unwrap_or_default()))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let evidence: Vec<serde_json::Value> = o
        .examined
        .iter()
        .map(|e| {
            serde_json::json!({
                "point": e.point,
                "parameters": point(e),
                "cost": e.cost,
                "replications": e.replications,
                "verdict": e.verdict.name(),
                "constraints": goal.constraints.iter().zip(&e.estimates).map(|(c, est)| serde_json::json!({
                    "metric": c.metric,
                    "bound": match c.bound { Bound::AtLeast(b) => serde_json::json!({"at_least": b}), Bound::AtMost(b) => serde_json::json!({"at_most": b}) },
                    "mean": est.mean,
                    "low": est.low(),
                    "high": est.high(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({
        "confidence": goal.confidence,
        "test_level": o.test_level,
        "candidates": o.candidates,
        "max_replications": goal.max_replications,
        "replications_run": o.replications_run,
        "answer": o.answer.map(|i| o.examined[i].point),
        "runner_up": o.runner_up.map(|i| o.examined[i].point),
        "open_before_answer": o.open_before_answer().iter().map(|e| e.point).collect::<Vec<_>>(),
        "evidence": evidence,
    })
}

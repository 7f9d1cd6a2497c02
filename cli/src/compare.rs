//! `carepath compare`: runs variants with common random numbers and reports each variant, where
//! its time goes, and paired differences against the first variant (the baseline; every pair
//! with `--all-pairs`). `--out DIR` writes `comparison.json` (always with every pair).
//!
//! Columns are as wide as their longest cell, so long variant and station ids stay aligned.

use crate::table::{fixed, unfinished_warning};
use crate::{InputError, out, print_warnings, read, replicate};
use anyhow::{Context, Result};
use sim_core::compare::Comparison;
use std::fmt::Write as _;

/// Runs the comparison.
pub fn run(args: crate::CompareArgs) -> Result<()> {
    let text = read(&args.scenario)?;
    let scenario = crate::parse_scenario_set(&args.scenario, &text, &args.sets)?;
    let base = crate::build_variant(&args.scenario, &scenario, None)?;
    let ids: Vec<String> = if args.variants.is_empty() {
        base.variant_ids().to_vec()
    } else {
        args.variants.clone()
    };
    if ids.len() < 2 {
        return Err(InputError(format!(
            "{}: compare needs at least two variants (declared: {})",
            args.scenario.display(),
            if base.variant_ids().is_empty() {
                "none".to_string()
            } else {
                base.variant_ids().join(", ")
            }
        ))
        .into());
    }
    if let Some(dup) = ids
        .iter()
        .enumerate()
        .find_map(|(i, v)| ids[..i].contains(v).then_some(v))
    {
        return Err(InputError(format!(
            "--variants names {dup} twice; list each variant once (the first is the baseline)"
        ))
        .into());
    }
    crate::events::check_journeys(args.journeys, args.charts.as_ref())?;
    let overrides = crate::overrides(&args.reps, None)?;
    let variants: Vec<Option<&str>> = ids.iter().map(|id| Some(id.as_str())).collect();
    let scenario = crate::warmup::settle(
        &args.scenario,
        &scenario,
        &variants,
        &overrides,
        args.reps.threads,
        args.quiet,
    )?;
    let mut models = Vec::new();
    for id in &ids {
        models.push(crate::build_with(
            &args.scenario,
            &scenario,
            Some(id),
            &overrides,
        )?);
    }
    print_warnings(&models.iter().collect::<Vec<_>>(), args.quiet);
    // Each variant with the shared seed, and each but the baseline again with unrelated random
    // numbers, to show what pairing buys (quietly).
    let sim_core::study::comparison::Compared {
        findings,
        comparison,
        ..
    } = sim_core::study::comparison::run(
        &models,
        |i, m| {
            let unrelated = sim_core::study::comparison::twin_overrides(&overrides, m.seed());
            crate::build_with(&args.scenario, &scenario, Some(&ids[i]), &unrelated)
        },
        |m, twin| replicate::run_all(m, args.reps.threads, args.quiet || twin),
    )?;
    let mut files = crate::output::Outputs::default();
    let charts = match &args.charts {
        Some(dir) => crate::charts::stage_comparison(
            &mut files,
            dir,
            &comparison,
            &models,
            &findings,
            args.quiet,
        )?
        .saturating_add(match args.journeys {
            Some(k) => {
                crate::events::stage_journeys(
                    &mut files,
                    dir,
                    &models.iter().collect::<Vec<_>>(),
                    k,
                )?;
                1
            }
            None => 0,
        }),
        None => 0,
    };
    if let Some(dir) = &args.out {
        let mut json = serde_json::to_string_pretty(&comparison)?;
        json.push('\n');
        files
            .write(dir, "comparison.json", json.as_bytes())
            .with_context(|| format!("writing results to {}", dir.display()))?;
    }
    if !args.quiet {
        out(&render(&comparison, &models, args.all_pairs))?;
    }
    files
        .commit()
        .context("writing results (the previous results are unchanged)")?;
    if !args.quiet {
        if let Some(dir) = &args.charts {
            out(&crate::charts::wrote_line(charts, dir))?;
        }
        if let Some(dir) = &args.out {
            out(&format!(
                "wrote {}\n",
                dir.join("comparison.json").display()
            ))?;
        }
    }
    Ok(())
}

fn ci(lo: Option<f64>, hi: Option<f64>) -> String {
    match (lo, hi) {
        (Some(l), Some(h)) => format!("[{}, {}]", fixed(l, 1), fixed(h, 1)),
        _ => "[n/a]".into(),
    }
}

/// A table whose columns are as wide as their longest cell.
struct Grid {
    rows: Vec<(String, Vec<String>)>,
    /// Columns aligned left (text); the others are aligned right (numbers).
    left: Vec<usize>,
}

impl Grid {
    /// Adds a row; control characters are escaped here, before widths are measured, so a
    /// name with an ESC still lines up (printing escapes them again only if still present).
    fn row(&mut self, label: impl Into<String>, cells: Vec<String>) {
        let clean = |t: String| crate::output::clean_for_terminal(&t).into_owned();
        self.rows
            .push((clean(label.into()), cells.into_iter().map(clean).collect()));
    }

    fn render(&self, o: &mut String) {
        // Rows without cells are headings: they may run past the label column.
        let label_w = self
            .rows
            .iter()
            .filter(|r| !r.1.is_empty())
            .map(|r| r.0.chars().count())
            .max()
            .unwrap_or(0);
        let n = self.rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
        let widths: Vec<usize> = (0..n)
            .map(|k| {
                self.rows
                    .iter()
                    .filter_map(|r| r.1.get(k))
                    .map(|c| c.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for (label, cells) in &self.rows {
            let mut line = format!("{label:<label_w$}");
            for (k, (c, w)) in cells.iter().zip(&widths).enumerate() {
                if self.left.contains(&k) {
                    let _ = write!(line, "  {c:<w$}");
                } else {
                    let _ = write!(line, "  {c:>w$}");
                }
            }
            let _ = writeln!(o, "{}", line.trim_end());
        }
    }
}

/// Why the patients counted as arrived differ between variants, from what the summaries
/// show. Under online registration a digital patient books a time instead of walking in
/// (engine: `book_online`); one who does not show is counted as a no-show, never as arrived,
/// and one who does comes at the booked time with the same rank in the day, which can fall
/// after arrivals stop. When arrived + no-shows is the same in every variant, the no-shows are
/// the whole difference and the note says so.
fn arrivals_note(c: &Comparison, models: &[sim_core::Model]) -> Option<String> {
    let arrived: Vec<f64> = c
        .order
        .iter()
        .map(|v| c.variants[v].patients.arrived.mean)
        .collect();
    if arrived.iter().all(|a| (a - arrived[0]).abs() < 0.05) {
        return None;
    }
    let online: Vec<&str> = models
        .iter()
        .filter(|m| m.workflow().online.is_some())
        .map(crate::model_label)
        .collect();
    if online.is_empty() {
        return Some(
            "Note: patients arrived differ between variants because the variants change the \
             arrival streams themselves (rates, times, caps or booked streams)."
                .to_string(),
        );
    }
    let with_no_shows: Vec<f64> = c
        .order
        .iter()
        .map(|v| c.variants[v].patients.arrived.mean + c.variants[v].patients.no_shows.mean)
        .collect();
    let by_no_shows = with_no_shows
        .iter()
        .all(|a| (a - with_no_shows[0]).abs() < 0.05);
    Some(format!(
        "Note: patients arrived differ between variants: under online registration ({}) digital \
         patients book a time instead of walking in, and those who then do not show are counted \
         as no-shows, not arrivals{}",
        online.join(", "),
        if by_no_shows {
            "; arrived + no-shows is the same in every variant, so the no-shows are the whole \
             difference."
        } else {
            "; the others come at the booked time, which can fall after arrivals stop, so fewer \
             arrive inside the run."
        }
    ))
}

/// The printed comparison: differences against the first variant, or every pair.
pub fn render(c: &Comparison, models: &[sim_core::Model], all_pairs: bool) -> String {
    let base = &models[0];
    let mut o = String::new();
    let _ = writeln!(
        o,
        "CarePath — {} — {} variants, seed {}, {} replications each, common random numbers (95% CI)",
        c.scenario,
        c.order.len(),
        c.seed,
        c.replications
    );
    for v in &c.order {
        if let Some(w) = unfinished_warning(&c.variants[v], Some(v)) {
            let _ = write!(o, "{w}");
        }
    }
    if let Some(note) = arrivals_note(c, models) {
        let _ = writeln!(o, "{note}");
    }
    let _ = writeln!(o);
    let cells = |f: &dyn Fn(&str) -> String| c.order.iter().map(|v| f(v)).collect::<Vec<_>>();
    let mut g = Grid {
        rows: Vec::new(),
        left: Vec::new(),
    };
    g.row("", c.order.clone());
    g.row(
        "patients arrived",
        cells(&|v| fixed(c.variants[v].patients.arrived.mean, 1)),
    );
    g.row(
        "patients no-shows",
        cells(&|v| fixed(c.variants[v].patients.no_shows.mean, 1)),
    );
    g.row(
        "patients unfinished",
        cells(&|v| fixed(c.variants[v].patients.unfinished.mean, 1)),
    );
    // Only when some variant sends patients home or rebooks them (the rows would be zeros).
    for (label, get) in [
        (
            "patients sent home",
            (|p: &sim_core::summary::PatientSummary| p.sent_home.mean) as fn(&_) -> f64,
        ),
        ("patients rebooked (late)", |p| p.rebooked.mean),
    ] {
        if c.order.iter().any(|v| get(&c.variants[v].patients) > 0.0) {
            g.row(label, cells(&|v| fixed(get(&c.variants[v].patients), 1)));
        }
    }
    g.row(
        "time in system, mean (min)",
        cells(&|v| {
            let t = &c.variants[v].time_in_system_min;
            format!("{} {}", fixed(t.mean, 1), ci(t.ci95_low, t.ci95_high))
        }),
    );
    g.row(
        "  p50 / p90 / p95",
        cells(&|v| {
            let t = &c.variants[v].time_in_system_min;
            format!(
                "{} / {} / {}",
                fixed(t.p50, 0),
                fixed(t.p90, 0),
                fixed(t.p95, 0)
            )
        }),
    );
    g.row(
        "queues joined per patient",
        cells(&|v| fixed(c.variants[v].run.queues_per_patient.mean, 2)),
    );
    for (i, t) in c.variants[&c.order[0]].targets.iter().enumerate() {
        g.row(
            format!(
                "target {} ({}% needed)",
                t.id,
                fixed(100.0 * t.required_share, 0)
            ),
            cells(&|v| match c.variants[v].targets.get(i) {
                Some(x) => format!(
                    "{}% {}",
                    fixed(100.0 * x.share.mean, 1),
                    match x.verdict {
                        sim_core::summary::Verdict::Met => "met",
                        sim_core::summary::Verdict::NotMet => "not met",
                        sim_core::summary::Verdict::Undecided => "undecided",
                        sim_core::summary::Verdict::NoData => "no data",
                    }
                ),
                None => "—".into(),
            }),
        );
    }
    g.row("", Vec::new());
    g.row("Where the time goes (mean minutes per patient)", Vec::new());
    for s in base.stations() {
        g.row(
            format!("  queueing at {}", s.id),
            cells(&|v| {
                fixed(
                    c.breakdown[v]
                        .queueing_min
                        .get(&s.id)
                        .copied()
                        .unwrap_or(0.0),
                    1,
                )
            }),
        );
    }
    g.row(
        "  in service",
        cells(&|v| fixed(c.breakdown[v].service_min, 1)),
    );
    g.row(
        "  in delays (results, walking)",
        cells(&|v| fixed(c.breakdown[v].delay_min, 1)),
    );
    g.row(
        "  other (left early / unfinished)",
        cells(&|v| fixed(c.breakdown[v].other_min, 1)),
    );
    g.row(
        "  = time in system",
        cells(&|v| fixed(c.breakdown[v].time_in_system_min, 1)),
    );
    g.render(&mut o);
    let _ = writeln!(
        o,
        "\nPaired differences ({}; b − a, 95% CI over replications; half-widths: paired vs independent runs)",
        if all_pairs {
            "every pair".to_string()
        } else {
            format!("each variant against the baseline {}", c.order[0])
        }
    );
    let mut d = Grid {
        rows: Vec::new(),
        left: vec![0, 2],
    };
    for x in &c.differences {
        if !(x.metric.starts_with("time_in_system_min")
            || x.metric == "queues_per_patient"
            || x.metric.ends_with("wait_min.mean")
            || x.metric.starts_with("targets."))
        {
            continue;
        }
        if !all_pairs && x.a != c.order[0] {
            continue;
        }
        let half = x
            .difference
            .ci95_high
            .zip(x.difference.ci95_low)
            .map_or("n/a".into(), |(h, l)| {
                format!("±{}", fixed((h - l) / 2.0, 2))
            });
        d.row(
            format!("  {} − {}", x.b, x.a),
            vec![
                x.metric.clone(),
                fixed(x.difference.mean, 2),
                ci(x.difference.ci95_low, x.difference.ci95_high),
                format!(
                    "{half} vs {}",
                    x.independent_ci95_half_width
                        .map_or("n/a".into(), |h| format!("±{}", fixed(h, 2)))
                ),
            ],
        );
    }
    d.render(&mut o);
    o
}

//! `carepath compare`: runs variants with common random numbers and reports each variant, where
//! its time goes, and paired differences (`comparison.json` with `--out`).

use crate::{InputError, apply_overrides, load_variant, read, replicate};
use anyhow::{Context, Result};
use sim_core::compare::{Comparison, INDEPENDENT_SEED_XOR, VariantRun, compare};
use std::fmt::Write as _;

/// Runs the comparison.
pub fn run(args: crate::CompareArgs) -> Result<()> {
    let text = read(&args.scenario)?;
    let base = load_variant(&args.scenario, &text, None)?;
    let ids: Vec<String> = if args.variants.is_empty() {
        base.variant_ids.to_vec()
    } else {
        args.variants.clone()
    };
    if ids.len() < 2 {
        return Err(InputError(format!(
            "{}: compare needs at least two variants (declared: {})",
            args.scenario.display(),
            if base.variant_ids.is_empty() {
                "none".to_string()
            } else {
                base.variant_ids.join(", ")
            }
        ))
        .into());
    }
    let mut models = Vec::new();
    for id in &ids {
        let mut m = load_variant(&args.scenario, &text, Some(id))?;
        apply_overrides(&mut m, &args.reps)?;
        models.push(m);
    }
    let mut results = Vec::new();
    let mut independent = Vec::new();
    for (i, m) in models.iter().enumerate() {
        results.push(replicate::run_all(m, args.reps.threads, args.quiet)?);
        // The same variant with unrelated random numbers, to show what pairing buys.
        independent.push(if i == 0 {
            None
        } else {
            let mut other = m.clone();
            other.seed ^= INDEPENDENT_SEED_XOR;
            Some(
                replicate::run_all(&other, args.reps.threads, true)?
                    .records()
                    .to_vec(),
            )
        });
    }
    let runs: Vec<VariantRun<'_>> = results
        .iter()
        .zip(&independent)
        .zip(&models)
        .map(|((run, ind), model)| VariantRun {
            model,
            run,
            independent: ind.as_deref(),
        })
        .collect();
    let comparison = compare(&runs);
    if let Some(dir) = &args.charts {
        crate::charts::write_comparison(dir, &comparison, &models, &results, args.quiet)?;
    }
    if !args.quiet {
        print!("{}", render(&comparison, &models[0]));
    }
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating directory {}", dir.display()))?;
        let mut json = serde_json::to_string_pretty(&comparison)?;
        json.push('\n');
        crate::output::write_atomic(&dir.join("comparison.json"), json.as_bytes())
            .with_context(|| format!("writing results to {}", dir.display()))?;
        if !args.quiet {
            println!("wrote {}", dir.join("comparison.json").display());
        }
    }
    Ok(())
}

fn ci(lo: Option<f64>, hi: Option<f64>) -> String {
    match (lo, hi) {
        (Some(l), Some(h)) => format!("[{l:.1}, {h:.1}]"),
        _ => "[n/a]".into(),
    }
}

/// The printed comparison.
pub fn render(c: &Comparison, base: &sim_core::Model) -> String {
    let mut o = String::new();
    let w = 24;
    let _ = writeln!(
        o,
        "CarePath — {} — {} variants, seed {}, {} replications each, common random numbers (95% CI)\n",
        c.scenario,
        c.order.len(),
        c.seed,
        c.replications
    );
    let _ = write!(o, "{:<30}", "");
    for v in &c.order {
        let _ = write!(o, "{v:>w$}");
    }
    let _ = writeln!(o);
    let row = |o: &mut String, label: &str, f: &dyn Fn(&str) -> String| {
        let _ = write!(o, "{label:<30}");
        for v in &c.order {
            let _ = write!(o, "{:>w$}", f(v));
        }
        let _ = writeln!(o);
    };
    row(&mut o, "patients arrived", &|v| {
        format!("{:.1}", c.variants[v].patients.arrived.mean)
    });
    row(&mut o, "time in system, mean (min)", &|v| {
        let t = &c.variants[v].time_in_system_min;
        format!("{:.1} {}", t.mean, ci(t.ci95_low, t.ci95_high))
    });
    row(&mut o, "  p50 / p90 / p95", &|v| {
        let t = &c.variants[v].time_in_system_min;
        format!("{:.0} / {:.0} / {:.0}", t.p50, t.p90, t.p95)
    });
    row(&mut o, "queues joined per patient", &|v| {
        format!("{:.2}", c.variants[v].run.queues_per_patient.mean)
    });
    let _ = writeln!(o, "\nWhere the time goes (mean minutes per patient)");
    for s in &base.stations {
        row(&mut o, &format!("  queueing at {}", s.id), &|v| {
            format!(
                "{:.1}",
                c.breakdown[v]
                    .queueing_min
                    .get(&s.id)
                    .copied()
                    .unwrap_or(0.0)
            )
        });
    }
    row(&mut o, "  in service", &|v| {
        format!("{:.1}", c.breakdown[v].service_min)
    });
    row(&mut o, "  in delays (results, walking)", &|v| {
        format!("{:.1}", c.breakdown[v].delay_min)
    });
    row(&mut o, "  other (left early / unfinished)", &|v| {
        format!("{:.1}", c.breakdown[v].other_min)
    });
    row(&mut o, "  = time in system", &|v| {
        format!("{:.1}", c.breakdown[v].time_in_system_min)
    });
    let _ = writeln!(
        o,
        "\nPaired differences (b − a, 95% CI over replications; half-widths: paired vs independent runs)"
    );
    for d in &c.differences {
        if !(d.metric.starts_with("time_in_system_min")
            || d.metric == "queues_per_patient"
            || d.metric.ends_with("wait_min.mean"))
        {
            continue;
        }
        let _ = writeln!(
            o,
            "  {:<14} {:<40} {:>8.2} {:<18} ±{:.2} vs ±{}",
            format!("{} − {}", d.b, d.a),
            d.metric,
            d.difference.mean,
            ci(d.difference.ci95_low, d.difference.ci95_high),
            d.difference
                .ci95_high
                .zip(d.difference.ci95_low)
                .map_or(f64::NAN, |(h, l)| (h - l) / 2.0),
            d.independent_ci95_half_width
                .map_or("n/a".into(), |x| format!("{x:.2}")),
        );
    }
    o
}

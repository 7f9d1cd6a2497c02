//! `carepath warmup SCENARIO`: how long a steady-state run's warm-up should be.
//!
//! Runs the scenario's replications started empty with no warm-up (over its own observation
//! window, or `--length`), averages the queue-length series across them, and reports the
//! truncation MSER-5 finds with Welch's moving average beside it (`sim_core::stats::warmup`).
//! `--out DIR` writes `warmup.json`, `warmup.csv` (the series) and the Welch chart
//! (`warmup.svg`, `warmup.png`), all or nothing. The same analysis is what
//! `run.warm_up = "auto"` runs before a real run ([`settle`]).

use crate::output::Outputs;
use crate::{InputError, ReplicationOptions, SetOptions, out, replicate};
use anyhow::{Context, Result};
use sim_core::Model;
use sim_core::scenario::units::{format_clock, format_number};
use sim_core::scenario::{Overrides, Setting};
use sim_core::stats::warmup::{self, Analysis, Measure, SettleError};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use toml::Value;

#[derive(clap::Args, Debug)]
pub(crate) struct WarmupArgs {
    /// Scenario file (TOML) of a steady-state run (`run.run_length`).
    scenario: PathBuf,
    /// Analyse this variant instead of the base.
    #[arg(long, value_name = "NAME")]
    variant: Option<String>,
    /// Length of each replication (sets run.run_length; default: the scenario's run length,
    /// or up to its run.hard_stop), e.g. `--length 200h`. Several times longer than the
    /// warm-up you expect: MSER-5 searches only the first half.
    #[arg(long, value_name = "DURATION")]
    length: Option<String>,
    /// Read the warm-up from the queue at this station (default: patients waiting at all
    /// stations together).
    #[arg(long, value_name = "ID")]
    station: Option<String>,
    /// Half-window of Welch's moving average, in samples (default: a fortieth of the series).
    #[arg(long, value_name = "W")]
    window: Option<usize>,
    /// Write warmup.json, warmup.csv and the Welch chart (SVG and PNG) into this directory.
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print nothing but the warm-up found (and errors).
    #[arg(short, long)]
    quiet: bool,
    #[command(flatten)]
    reps: ReplicationOptions,
    #[command(flatten)]
    sets: SetOptions,
}

pub(crate) fn run(args: WarmupArgs) -> Result<()> {
    let overrides = crate::overrides(&args.reps, None)?;
    let text = crate::read(&args.scenario)?;
    let scenario = crate::parse_scenario_set(&args.scenario, &text, &args.sets)?;
    // Started empty with no warm-up, over the run's own observation window (or --length).
    let mut settings = vec![
        Setting::new("run.warm_up", Value::String("0min".into())).with_origin("carepath warmup"),
    ];
    if let Some(l) = &args.length {
        sim_core::scenario::units::parse_duration(l)
            .map_err(|e| InputError(format!("--length {l}: {e}")))?;
        settings
            .push(Setting::new("run.run_length", Value::String(l.clone())).with_origin("--length"));
    }
    let pilot = scenario.with_settings(&settings);
    let model = crate::build_with(&args.scenario, &pilot, args.variant.as_deref(), &overrides)?;
    if model.stop().is_none() {
        return Err(InputError(format!(
            "{}: carepath warmup is for steady-state runs, and this scenario's replications end when the clinic empties; give run.run_length in the scenario or --length DURATION",
            args.scenario.display()
        ))
        .into());
    }
    if let Some(close) = model.close()
        && model.stop().is_some_and(|s| close < s)
    {
        return Err(InputError(format!(
            "{}: arrivals stop at run.close ({}), before the end of the run, so the queues would empty: a warm-up is read from a run whose arrivals go on (remove run.close)",
            args.scenario.display(),
            format_clock(close)
        ))
        .into());
    }
    crate::print_warnings(&[&model], args.quiet);
    let acc = replicate::run_all(&model, args.reps.threads, args.quiet)?;
    let measure = match &args.station {
        Some(id) => Measure::Station(id.clone()),
        None => Measure::AllStations,
    };
    let series = acc.queue_series(&model);
    let analysis = warmup::analyse(&series, acc.len() as u32, &measure, args.window)
        .map_err(|e| InputError(format!("{}: {e}", args.scenario.display())))?;
    if args.quiet {
        // The answer alone; an inconclusive one is the error below.
        if analysis.warm_up_min().is_some() {
            out(&format!("{}\n", answer(&analysis)))?;
        }
    } else {
        out(&report(&model, &analysis))?;
    }
    if analysis.warm_up_min().is_none() {
        return Err(InputError(format!(
            "{}: no warm-up found within the first half of the run; lengthen it (--length)",
            args.scenario.display()
        ))
        .into());
    }
    if let Some(dir) = &args.out {
        let mut files = Outputs::default();
        stage(&mut files, dir, &model, &analysis)
            .with_context(|| format!("writing results to {}", dir.display()))?;
        files.commit()?;
        if !args.quiet {
            out(&format!(
                "wrote warmup.json, warmup.csv and the Welch chart (warmup.svg, warmup.png) to {}\n",
                dir.display()
            ))?;
        }
    }
    Ok(())
}

/// A duration in minutes as the scenario format writes it (`"21h"`, `"95min"`, `"2.5h"`).
pub(crate) fn duration_text(minutes: f64) -> String {
    if minutes >= 120.0 && (minutes / 60.0 * 4.0).fract() == 0.0 {
        format!("{}h", format_number(minutes / 60.0))
    } else {
        format!("{}min", format_number(minutes))
    }
}

/// The one line that answers the question.
fn answer(a: &Analysis) -> String {
    match a.warm_up_min() {
        Some(w) => format!("warm_up = \"{}\"", duration_text(w)),
        None => "no warm-up found within the first half of the run: lengthen it (--length)".into(),
    }
}

/// The printed report.
fn report(model: &Model, a: &Analysis) -> String {
    let mut s = String::new();
    let samples = a.means.len();
    let length = model
        .stop()
        .map_or((samples.max(1) - 1) as f64 * a.interval_min, |s| {
            s - model.open()
        });
    let _ = writeln!(
        s,
        "Warm-up of {}{}: {} replication{} started empty, {} each",
        model.name(),
        if model.variant().is_empty() {
            String::new()
        } else {
            format!(" (variant {})", model.variant())
        },
        a.replications,
        if a.replications == 1 { "" } else { "s" },
        duration_text(length)
    );
    let _ = writeln!(
        s,
        "  measure:  {}, sampled every {} ({} samples), averaged across replications",
        a.measure,
        duration_text(a.interval_min),
        samples
    );
    let (kept, all) = a.means_kept_and_all();
    match a.warm_up_min() {
        Some(w) => {
            let _ = writeln!(
                s,
                "  MSER-5:   drop the first {} samples ({} batches of {}): warm-up {}",
                a.mser.truncation(),
                a.mser.dropped,
                a.mser.batch,
                duration_text(w)
            );
            let _ = writeln!(
                s,
                "  mean {}: {:.3} after the warm-up, {:.3} over the whole run",
                a.measure, kept, all
            );
        }
        None => {
            let _ = writeln!(
                s,
                "  MSER-5:   no truncation point in the first half of the run: the series is still changing there; lengthen the run (--length) or check that the system is not overloaded"
            );
        }
    }
    let _ = writeln!(
        s,
        "  Welch:    moving average over {} samples either side ({}); check the truncation by eye on warmup.png (--out)",
        a.window,
        duration_text(a.window as f64 * a.interval_min)
    );
    if a.warm_up_min().is_some() {
        let _ = writeln!(
            s,
            "\nSet it in [run]: {}   (or warm_up = \"auto\" to find it before every run)",
            answer(a)
        );
    }
    s
}

/// Stages warmup.json, warmup.csv, warmup.svg and warmup.png.
fn stage(files: &mut Outputs, dir: &Path, model: &Model, a: &Analysis) -> Result<()> {
    let json = serde_json::json!({
        "scenario": model.name(),
        "variant": model.variant(),
        "measure": a.measure,
        "replications": a.replications,
        "start_min": a.start_min,
        "interval_min": a.interval_min,
        "samples": a.means.len(),
        "method": "MSER-5 on the series averaged across replications",
        "batch": a.mser.batch,
        "batches_dropped": a.mser.dropped,
        "samples_dropped": a.mser.truncation(),
        "conclusive": a.mser.conclusive,
        "warm_up_min": a.warm_up_min(),
        "mean_after_warm_up": a.means_kept_and_all().0,
        "mean_whole_run": a.means_kept_and_all().1,
        "mser_statistic": a.mser.statistic,
        "welch_window": a.window,
    });
    let mut text = serde_json::to_string_pretty(&json)?;
    text.push('\n');
    files.write(dir, "warmup.json", text.as_bytes())?;
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(["time_min", "clock", "mean", "welch"])?;
    for (i, (m, w)) in a.means.iter().zip(&a.smoothed).enumerate() {
        let t = a.start_min + i as f64 * a.interval_min;
        csv.write_record([t.to_string(), format_clock(t), m.to_string(), w.to_string()])?;
    }
    files.write(dir, "warmup.csv", &csv.into_inner()?)?;
    let chart = carepath_charts::Chart::warmup(&carepath_charts::WarmupInput {
        scenario: model.name(),
        replications: a.replications,
        measure: &a.measure,
        start_min: a.start_min,
        interval_min: a.interval_min,
        means: &a.means,
        smoothed: &a.smoothed,
        window: a.window,
        truncation: a.warm_up_min().map(|_| a.mser.truncation()),
    })?;
    files.write(dir, "warmup.svg", chart.svg()?.as_bytes())?;
    files.write(dir, "warmup.png", &chart.png()?)?;
    Ok(())
}

/// Settles `run.warm_up = "auto"` for a command about to run `variants` of `scenario`
/// (None = the base) for results: each model that asks for it runs its pilot replications
/// (on `threads`, all cores by default), and the scenario comes back with `run.warm_up` set
/// to the longest warm-up found, so that variants compared with common random numbers share
/// one observation window. The warm-up found is printed (unless `quiet`). A scenario with a
/// fixed warm-up comes back as it was.
pub(crate) fn settle(
    path: &Path,
    scenario: &sim_core::Scenario,
    variants: &[Option<&str>],
    overrides: &Overrides,
    threads: Option<usize>,
    quiet: bool,
) -> Result<sim_core::Scenario> {
    // The models are built here first, so a problem in one is reported as every command
    // reports it (the options named).
    for &variant in variants {
        crate::build_with(path, scenario, variant, overrides)?;
    }
    warmup::settle_together(
        scenario,
        variants,
        overrides,
        |m| replicate::run_all(m, threads, true),
        |model, a| {
            if !quiet && let Some(w) = a.warm_up_min() {
                crate::eprint_clean(&format!(
                    "warm-up (auto, {}): {} by MSER-5 on {} pilot replications ({})\n",
                    crate::model_label(model),
                    duration_text(w),
                    a.replications,
                    a.measure
                ));
            }
        },
    )
    .map_err(|e| match e {
        SettleError::Pilot(e) => e,
        SettleError::Scenario(e) => {
            crate::ScenarioProblems(crate::problem_lines(path, None, &e)).into()
        }
        e => InputError(format!("{}: {e}", path.display())).into(),
    })
}

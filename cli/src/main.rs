//! `carepath`: the command line. Parses arguments, loads scenarios, runs replications in
//! parallel and reports. No simulation logic lives here: everything is computed by `sim-core`.

mod charts;
mod check;
mod compare;
mod output;
mod replicate;
mod report;
mod table;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use sim_core::{Model, ScenarioError};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// CarePath: discrete-event simulation of patient flow through outpatient departments.
#[derive(Parser, Debug)]
#[command(name = "carepath", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario and print a summary (optionally write summary.json and CSV files).
    Run(RunArgs),
    /// Check a scenario and every variant it declares, explain every problem found, and warn
    /// about overloaded stations.
    Validate {
        /// Scenario file (TOML).
        scenario: PathBuf,
    },
    /// Run variants with common random numbers and report paired differences and where the
    /// time goes.
    Compare(CompareArgs),
    /// Run a scenario (and its variants) and write one self-contained HTML report with charts.
    Report(report::ReportArgs),
    /// Compare scenarios with stored baselines (CI regression checks); exit 0 pass, 1 changed,
    /// 2 usage or input error.
    Check(CheckArgs),
}

#[derive(clap::Args, Debug)]
pub(crate) struct CheckArgs {
    /// Scenario files (TOML).
    #[arg(required = true)]
    scenarios: Vec<PathBuf>,
    /// Directory of baselines (default: `baselines/` next to each scenario).
    #[arg(long, value_name = "DIR")]
    baseline: Option<PathBuf>,
    /// Run the scenarios and store their results as the new baselines.
    #[arg(long)]
    bless: bool,
    /// Write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Family-wise false-alarm rate per scenario (Holm-adjusted across its metrics).
    #[arg(long, default_value_t = 0.01)]
    alpha: f64,
    /// Ignore significant changes smaller than this fraction of the baseline mean.
    #[arg(long, default_value_t = 0.0, value_name = "FRACTION")]
    relative_tolerance: f64,
    /// Ignore significant changes smaller than this (in the metric's unit).
    #[arg(long, default_value_t = 0.0, value_name = "X")]
    absolute_tolerance: f64,
    /// TOML file with per-metric tolerances (`[metrics."NAME"] relative = 0.05`).
    #[arg(long, value_name = "FILE")]
    tolerances: Option<PathBuf>,
    /// Check this variant of every scenario.
    #[arg(long, value_name = "NAME")]
    variant: Option<String>,
    /// Print only the summary line.
    #[arg(short, long)]
    quiet: bool,
    #[command(flatten)]
    reps: ReplicationOptions,
}

#[derive(clap::Args, Debug)]
pub(crate) struct CompareArgs {
    /// Scenario file (TOML) declaring `[[variants]]`.
    scenario: PathBuf,
    /// Variants to compare, in order (default: all declared). The first is the baseline.
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    variants: Vec<String>,
    /// Write comparison.json into this directory.
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Write the charts (SVG and PNG) into this directory.
    #[arg(long, value_name = "DIR")]
    charts: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
    #[command(flatten)]
    reps: ReplicationOptions,
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Run this variant (declared in the scenario's `[[variants]]`) instead of the base.
    #[arg(long, value_name = "NAME")]
    variant: Option<String>,
    /// Stop generating arrivals after N patients per replication (overrides run.max_arrivals).
    #[arg(long, value_name = "N")]
    max_arrivals: Option<u64>,
    /// Write summary.json, stations.csv and queue_length.csv into this directory.
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Write the charts (SVG and PNG) into this directory.
    #[arg(long, value_name = "DIR")]
    charts: Option<PathBuf>,
    /// Print nothing but errors (no table, no progress bar).
    #[arg(short, long)]
    quiet: bool,
    #[command(flatten)]
    reps: ReplicationOptions,
}

/// Exit code after Ctrl-C (128 + SIGINT, the shell convention).
const EXIT_INTERRUPTED: u8 = 130;

/// Exit code for bad input (unreadable or invalid scenario, bad arguments).
const EXIT_INPUT: u8 = 2;

/// An error caused by the user's input rather than by CarePath.
#[derive(Debug)]
pub(crate) struct InputError(pub(crate) String);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_INPUT)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    replicate::install_interrupt_handler();
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Validate { scenario } => validate(&scenario),
        Command::Compare(args) => compare::run(args),
        Command::Report(args) => report::run(args),
        Command::Check(args) => match check::run(args) {
            Ok(0) => Ok(()),
            Ok(code) => return ExitCode::from(code),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(i) = e.downcast_ref::<replicate::Interrupted>() {
                eprintln!("{i}");
                return ExitCode::from(EXIT_INTERRUPTED);
            }
            eprintln!("error: {e:#}");
            if e.downcast_ref::<InputError>().is_some() {
                ExitCode::from(EXIT_INPUT)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// Reads a scenario file.
pub(crate) fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| InputError(format!("cannot read scenario {}: {e}", path.display())).into())
}

/// Builds one variant (or the base) of an already-read scenario, turning scenario errors into
/// messages naming the file.
pub(crate) fn load_variant(path: &Path, text: &str, variant: Option<&str>) -> Result<Model> {
    Model::from_toml_variant(text, variant).map_err(|e| {
        let msg = match e {
            ScenarioError::Syntax {
                line,
                column,
                message,
            } => {
                format!("{}:{line}:{column}: {message}", path.display())
            }
            invalid @ ScenarioError::Invalid(_) => format!("{}: {invalid}", path.display()),
        };
        InputError(msg).into()
    })
}

fn validate(path: &Path) -> Result<()> {
    let text = read(path)?;
    let model = load_variant(path, &text, None)?;
    // Every variant must build too; report them all before failing.
    let mut failures = Vec::new();
    let mut variants = Vec::new();
    for id in model.variant_ids.iter() {
        match load_variant(path, &text, Some(id)) {
            Ok(m) => variants.push(m),
            Err(e) => failures.push(format!("variant {id}: {e:#}")),
        }
    }
    if !failures.is_empty() {
        return Err(InputError(failures.join("\n")).into());
    }
    println!(
        "{}: ok — {} station{}, {} pathway{}, {} arrival stream{}, {} class{}",
        path.display(),
        model.stations.len(),
        plural(model.stations.len()),
        model.pathways.len(),
        plural(model.pathways.len()),
        model.streams.len(),
        plural(model.streams.len()),
        model.classes.len(),
        if model.classes.len() == 1 { "" } else { "es" },
    );
    let loads = sim_core::load::peak_offered_load(&model);
    for (s, load) in model.stations.iter().zip(loads) {
        let c = f64::from(s.max_servers);
        println!(
            "  {:<20} peak offered load {load:>8.2} busy servers of {:>4} at most on duty ({:.0}%)",
            s.id,
            s.max_servers,
            if c > 0.0 { 100.0 * load / c } else { 0.0 }
        );
    }
    for w in &model.warnings {
        println!("warning: {w}");
    }
    for v in &variants {
        let levers: Vec<&str> = v.workflow.levers.iter().map(|l| l.name()).collect();
        println!(
            "variant {}: ok — levers: {}",
            v.variant,
            if levers.is_empty() {
                "none".to_string()
            } else {
                levers.join(", ")
            }
        );
        for w in v.warnings.iter().filter(|w| !model.warnings.contains(w)) {
            println!("warning: variant {}: {w}", v.variant);
        }
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Options shared by every command that runs replications.
#[derive(clap::Args, Debug)]
pub(crate) struct ReplicationOptions {
    /// Number of replications (overrides run.replications).
    #[arg(short, long)]
    pub(crate) replications: Option<u32>,
    /// Base seed (overrides run.seed).
    #[arg(short, long)]
    pub(crate) seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "N")]
    pub(crate) threads: Option<usize>,
}

/// Applies the replication and seed overrides shared by every command that runs a model.
pub(crate) fn apply_overrides(model: &mut Model, opts: &ReplicationOptions) -> Result<()> {
    if let Some(r) = opts.replications {
        if r == 0 || r > sim_core::model::MAX_REPLICATIONS {
            return Err(InputError(format!(
                "--replications must be between 1 and {}",
                sim_core::model::MAX_REPLICATIONS
            ))
            .into());
        }
        model.replications = r;
    }
    if let Some(s) = opts.seed {
        model.seed = s;
    }
    Ok(())
}

fn run(args: RunArgs) -> Result<()> {
    let mut model = load_variant(
        &args.scenario,
        &read(&args.scenario)?,
        args.variant.as_deref(),
    )?;
    apply_overrides(&mut model, &args.reps)?;
    if let Some(n) = args.max_arrivals {
        if n == 0 {
            return Err(InputError("--max-arrivals must be at least 1".into()).into());
        }
        model.max_arrivals = Some(n);
    }
    if !args.quiet {
        for w in &model.warnings {
            eprintln!("warning: {w}");
        }
    }
    let started = std::time::Instant::now();
    let acc = match replicate::run_all(&model, args.reps.threads, args.quiet) {
        Ok(r) => r,
        Err(e) => {
            // Interrupted: report what finished, write nothing (earlier files stay intact).
            if let Some(i) = e.downcast_ref::<replicate::Interrupted>()
                && let Some(partial) = &i.summary
                && !args.quiet
            {
                print!(
                    "{}",
                    table::render(&model, partial, started.elapsed().as_secs_f64())
                );
            }
            return Err(e);
        }
    };
    let wall = started.elapsed().as_secs_f64();
    let summary = acc.summary(&model);
    if !args.quiet {
        print!("{}", table::render(&model, &summary, wall));
    }
    if let Some(dir) = &args.out {
        let series = acc.queue_series(&model);
        output::write_all(dir, &model, &summary, &series, wall)
            .with_context(|| format!("writing results to {}", dir.display()))?;
        if !args.quiet {
            println!("wrote {}", dir.display());
        }
    }
    if let Some(dir) = &args.charts {
        charts::write_run(dir, &model, &summary, &acc, args.quiet)?;
    }
    Ok(())
}

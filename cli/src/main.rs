//! `carepath`: the command line. Parses arguments, loads scenarios, runs replications in
//! parallel and reports. No simulation logic lives here: everything is computed by `sim-core`.

mod animate;
mod charts;
mod check;
mod compare;
mod events;
mod fit;
mod optimise;
mod output;
mod parquet_table;
mod regression;
mod replicate;
mod report;
mod stress;
mod sweep;
mod sweep_charts;
mod table;
mod warmup;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use sim_core::scenario::Overrides;
use sim_core::{Model, ScenarioError};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

/// Examples and the documentation's location, shown after the subcommand list of
/// `carepath --help` (as cargo and ripgrep do).
const AFTER_HELP: &str = "\
Examples:
  carepath validate scenarios/outpatient-clinic.toml
  carepath run scenarios/outpatient-clinic.toml --replications 20 --out results/
  carepath run tests/fixtures/workflow/clinic.toml --variant digital
  carepath compare tests/fixtures/workflow/clinic.toml --variants paper,digital --out cmp/
  carepath report scenarios/future-hospital.toml --out report.html
  carepath check scenarios/regression/*.toml --baseline scenarios/regression/baselines
  carepath fit scenarios/data/consultations.csv --column consult --out fit/
  carepath sweep scenarios/studies/adoption.toml --out adoption/
  carepath run scenarios/outpatient-clinic.toml --set stations.consult.servers[0].count=16

-o/--out is where a command writes its results: a directory (for report, a path ending in
.html is the file itself). `carepath help COMMAND` shows a command's options.

Documentation (in the repository): README.md; docs/scenario-format.md (the scenario file),
docs/output-format.md (summary.json, CSV, comparison.json), docs/charts.md (charts, report),
docs/regression-checks.md (check in CI), docs/robustness.md (what bad input does).";

/// CarePath: discrete-event simulation of patient flow through outpatient departments.
#[derive(Parser, Debug)]
#[command(
    name = "carepath",
    version,
    about = "CarePath: simulate patient flow through outpatient departments",
    long_about = None,
    after_help = AFTER_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario and print a summary table.
    ///
    /// With --out DIR also writes summary.json, stations.csv and queue_length.csv; with
    /// --charts DIR the charts (SVG and PNG). All result files appear together or not at all.
    Run(RunArgs),
    /// Check a scenario and all its variants, without running them.
    ///
    /// Explains every problem found, with its place in the file, and warns about overloaded
    /// stations.
    Validate {
        /// Scenario file (TOML).
        scenario: PathBuf,
    },
    /// Compare variants with common random numbers: paired differences, where the time goes.
    ///
    /// The first variant is the baseline; differences are printed against it (every pair with
    /// --all-pairs). --out DIR writes comparison.json (always with every pair).
    Compare(CompareArgs),
    /// Write one self-contained HTML report with charts for a scenario and its variants.
    Report(report::ReportArgs),
    /// Write one self-contained HTML file that animates replication 0 of a scenario (each
    /// variant stacked on one clock): patients as dots queueing at and moving between the
    /// stations, with a clock, play/pause, speed and a time slider. It opens offline.
    Animate(animate::AnimateArgs),
    /// Fit distributions to observed durations in a CSV file (maximum likelihood, ranked by
    /// AIC, Kolmogorov-Smirnov and Anderson-Darling with bootstrap p-values).
    ///
    /// Prints the ranking and the best fits as scenario TOML; --out DIR writes fit.json and
    /// the histogram and Q-Q charts (SVG and PNG).
    Fit(fit::FitArgs),
    /// Run a study file's sweep: a scenario at many points (parameters set by their paths),
    /// with common random numbers, on all cores; writes DIR/sweep.csv, one row per point,
    /// variant and metric.
    ///
    /// Each finished point is kept, so running again continues an interrupted sweep;
    /// --shard K/N runs a share of the points, `carepath merge` puts shards together. See
    /// docs/studies.md.
    Sweep(sweep::SweepArgs),
    /// Find a steady-state run's warm-up: MSER-5 on the queue-length series of replications
    /// started empty, with Welch's moving average (--out DIR writes the chart and the series).
    Warmup(warmup::WarmupArgs),
    /// Find the cheapest point of a study (fewest staff, or lowest staff cost) whose
    /// constraints are met with 95% confidence: candidates in cost order, replications added
    /// only where a verdict is close. Prints the answer, the runner-up and the evidence.
    Optimise(optimise::OptimiseArgs),
    /// Draw the scenario's pathways as a diagram (SVG): steps as boxes, routes as arrows with
    /// their probabilities, loops dashed, the steps where digital differs from paper tagged.
    Diagram(DiagramArgs),
    /// Merge the result directories of a sweep's shards into the table one machine writes.
    Merge(sweep::MergeArgs),
    /// Check scenarios against stored baselines (CI regression checks).
    ///
    /// Exit 0 nothing moved, 1 something moved, 2 usage or input error. See
    /// docs/regression-checks.md.
    Check(CheckArgs),
}

#[derive(clap::Args, Debug)]
struct DiagramArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Draw this variant (its pathways may differ from the base).
    #[arg(long, value_name = "NAME")]
    variant: Option<String>,
    /// Where to write the SVG (default: print it).
    #[arg(short, long, value_name = "FILE.svg")]
    out: Option<PathBuf>,
}

/// `carepath diagram`.
fn diagram(args: DiagramArgs) -> Result<()> {
    let text = read(&args.scenario)?;
    let scenario = parse_scenario(&args.scenario, &text)?;
    let model = build_variant(&args.scenario, &scenario, args.variant.as_deref())?;
    let svg = carepath_charts::diagram::pathway_diagram(&model);
    match &args.out {
        Some(path) => {
            output::write_atomic(path, svg.as_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
            out(&format!("wrote {}\n", path.display()))
        }
        None => out(&svg),
    }
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
    /// Which significant changes fail the check: `any` (default; improvements too, so every
    /// change in the results is blessed on purpose) or `worse` (improvements are reported but
    /// pass; metrics without a better direction, such as utilisation, still fail).
    #[arg(long, value_enum, default_value_t = check::FailOnArg::Any, value_name = "WHEN")]
    fail_on: check::FailOnArg,
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
    /// Print the paired differences of every pair of variants, not only each against the
    /// first (the baseline).
    #[arg(long)]
    all_pairs: bool,
    /// Write the charts (SVG and PNG) into this directory.
    #[arg(long, value_name = "DIR")]
    charts: Option<PathBuf>,
    /// With --charts: also draw the journeys of the first N patients of replication 0 under
    /// each variant, side by side (the same patients: journeys.svg/.png; at most 60).
    #[arg(long, value_name = "N")]
    pub(crate) journeys: Option<usize>,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
    #[command(flatten)]
    reps: ReplicationOptions,
    #[command(flatten)]
    sets: SetOptions,
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
    /// With --charts: also draw the journeys of the first N patients of replication 0
    /// (journeys.svg/.png; at most 60).
    #[arg(long, value_name = "N")]
    journeys: Option<usize>,
    /// Print nothing but errors (no table, no progress bar).
    #[arg(short, long)]
    quiet: bool,
    /// Add replications until METRIC's 95% interval is this narrow: a half-width in the
    /// metric's unit (`time_in_system_min.mean=2min`, `patients.completed=5`) or relative to
    /// the mean (`stations.consult.wait_min.mean=5%`). --replications is then the most
    /// allowed (default 1000). Method: Hoad, Robinson and Davies (2010); see docs/studies.md.
    #[arg(long, value_name = "METRIC=HALF_WIDTH")]
    precision: Option<String>,
    #[command(flatten)]
    reps: ReplicationOptions,
    #[command(flatten)]
    sets: SetOptions,
    #[command(flatten)]
    events: events::EventOptions,
}

/// Most replications `--precision` runs unless --replications says otherwise.
const PRECISION_CAP: u32 = 1000;

/// Reads `METRIC=HALF_WIDTH` (see `--precision`).
fn parse_precision(text: &str) -> Result<(String, sim_core::stats::precision::Target)> {
    use sim_core::stats::precision::Target;
    let bad = |why: &str| {
        InputError(format!(
            "--precision {text}: {why} (for example time_in_system_min.mean=2min or stations.consult.wait_min.mean=5%)"
        ))
    };
    let (metric, value) = text
        .split_once('=')
        .ok_or_else(|| bad("expected METRIC=HALF_WIDTH"))?;
    let value = value.trim();
    let target = if let Some(p) = value.strip_suffix('%') {
        let p: f64 = p.trim().parse().map_err(|_| bad("not a percentage"))?;
        if !(p > 0.0 && p.is_finite()) {
            return Err(bad("the percentage must be positive").into());
        }
        Target::Relative(p / 100.0)
    } else if let Ok(x) = value.parse::<f64>() {
        if !(x > 0.0 && x.is_finite()) {
            return Err(bad("the half-width must be positive").into());
        }
        Target::Absolute(x)
    } else {
        let x = sim_core::scenario::units::parse_duration(value).map_err(|e| bad(&e))?;
        if x.is_nan() || x <= 0.0 {
            return Err(bad("the half-width must be positive").into());
        }
        if !metric.contains("_min") {
            return Err(bad("a duration fits only a metric in minutes (…_min…)").into());
        }
        Target::Absolute(x)
    };
    Ok((metric.trim().to_string(), target))
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

/// Scenario problems, already formatted one per line as `FILE:LINE:COL: error: …` (like rustc
/// and ruff, so editors and terminals can jump to the place). Bad input like [`InputError`]
/// (exit 2), but printed as it is, without a leading `error: `.
#[derive(Debug)]
pub(crate) struct ScenarioProblems(pub(crate) String);

impl std::fmt::Display for ScenarioProblems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScenarioProblems {}

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
        Command::Animate(args) => animate::run(args),
        Command::Fit(args) => fit::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Merge(args) => sweep::merge(args),
        Command::Warmup(args) => warmup::run(args),
        Command::Diagram(args) => diagram(args),
        Command::Optimise(args) => optimise::run(args),
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
                eprint_clean(&format!("{i}\n"));
                return ExitCode::from(EXIT_INTERRUPTED);
            }
            if let Some(s) = e.downcast_ref::<replicate::Stopped>() {
                eprint_clean(&format!("{s}\n"));
                return ExitCode::from(EXIT_INTERRUPTED);
            }
            if let Some(p) = e.downcast_ref::<ScenarioProblems>() {
                eprint_clean(&format!("{p}\n"));
                return ExitCode::from(EXIT_INPUT);
            }
            eprint_clean(&format!("error: {e:#}\n"));
            if e.downcast_ref::<InputError>().is_some() {
                ExitCode::from(EXIT_INPUT)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// Set once standard output is a closed pipe (`carepath validate x.toml | head -1`): from then
/// on output is dropped and the command carries on (result files are still written), then
/// exits as it would have. `println!` would panic here instead.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Prints `text` to standard output, control characters shown as visible escapes (see
/// [`output::clean_for_terminal`]). Every line the commands print goes through here.
pub(crate) fn out(text: &str) -> Result<()> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let text = output::clean_for_terminal(text);
    let mut lock = std::io::stdout().lock();
    match lock.write_all(text.as_bytes()).and_then(|()| lock.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(e).context("writing to standard output"),
    }
}

/// Prints `text` to standard error, cleaned like [`out`]. A closed or failing standard error
/// is ignored: there is nowhere left to report it.
pub(crate) fn eprint_clean(text: &str) {
    let text = output::clean_for_terminal(text);
    let mut lock = std::io::stderr().lock();
    let _ = lock.write_all(text.as_bytes()).and_then(|()| lock.flush());
}

/// The model warnings (overload, and whatever else sim-core's model reports) for the models a
/// command uses, printed the same way by every command: `models` are the models it runs or
/// checks (for `validate`, the base and every variant). A warning that holds for all of them
/// is printed once as `warning: TEXT`; one that holds for only some names them:
/// `warning: TEXT (in: base, digital)`. `validate` prints them on standard output (they are
/// its report), the other commands on standard error.
pub(crate) fn warning_lines(models: &[&Model]) -> Vec<String> {
    let mut order: Vec<&String> = Vec::new();
    for m in models {
        for w in m.warnings() {
            if !order.contains(&w) {
                order.push(w);
            }
        }
    }
    order
        .into_iter()
        .map(|w| {
            let having: Vec<&str> = models
                .iter()
                .filter(|m| m.warnings().contains(w))
                .map(|m| model_label(m))
                .collect();
            if having.len() == models.len() {
                format!("warning: {w}")
            } else {
                format!("warning: {w} (in: {})", having.join(", "))
            }
        })
        .collect()
}

/// Prints [`warning_lines`] to standard error (unless `quiet`).
pub(crate) fn print_warnings(models: &[&Model], quiet: bool) {
    if quiet {
        return;
    }
    for w in warning_lines(models) {
        eprint_clean(&format!("{w}\n"));
    }
}

/// "base" for the base scenario, else the variant id.
pub(crate) fn model_label(m: &Model) -> &str {
    if m.variant().is_empty() {
        "base"
    } else {
        m.variant()
    }
}

/// Reads a scenario file.
pub(crate) fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| InputError(format!("cannot read scenario {}: {e}", path.display())).into())
}

/// Parses a scenario once, for building several of its variants (each build then costs time
/// in proportion to the base scenario, not to the number of variants).
pub(crate) fn parse_scenario(path: &Path, text: &str) -> Result<sim_core::Scenario> {
    let scenario = sim_core::Scenario::parse(text)
        .map_err(|e| ScenarioProblems(problem_lines(path, None, &e)))?;
    let data = sim_core::data::files::load(path, &scenario);
    scenario
        .with_data(&data)
        .map_err(|e| ScenarioProblems(problem_lines(path, None, &e)).into())
}

/// Values set from the command line, each checked by the compiler as if written in the file.
#[derive(clap::Args, Debug, Default)]
pub(crate) struct SetOptions {
    /// Set one value of the scenario by its path, as if written in the file (repeatable):
    /// `--set stations.consult.servers=12`, `--set workflow.adoption.adult=0.6`,
    /// `--set "arrivals.walk_in.rate=40/h"`. It is the value in effect in every variant (after
    /// the variant's own overlays). See docs/scenario-format.md, "Setting values from outside".
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub(crate) set: Vec<String>,
}

/// Parses a scenario and applies the command line's `--set` values to it.
pub(crate) fn parse_scenario_set(
    path: &Path,
    text: &str,
    sets: &SetOptions,
) -> Result<sim_core::Scenario> {
    let scenario = parse_scenario(path, text)?;
    if sets.set.is_empty() {
        return Ok(scenario);
    }
    let settings = sets
        .set
        .iter()
        .map(|t| {
            sim_core::scenario::Setting::parse(t)
                .map(|s| s.with_origin("--set"))
                .map_err(|e| InputError(format!("--set: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(scenario.with_settings(&settings))
}

/// Builds one variant (or the base) of a parsed scenario.
pub(crate) fn build_variant(
    path: &Path,
    scenario: &sim_core::Scenario,
    variant: Option<&str>,
) -> Result<Model> {
    build_with(path, scenario, variant, &Overrides::default())
}

/// Builds one variant (or the base) with command-line values in place of the file's `[run]`
/// values: the compiler checks them as if written there (memory budget included). A problem
/// with an overridden value names the option, since the value is not in the file.
pub(crate) fn build_with(
    path: &Path,
    scenario: &sim_core::Scenario,
    variant: Option<&str>,
    overrides: &Overrides,
) -> Result<Model> {
    scenario.model_with(variant, overrides).map_err(|mut e| {
        scenario.name_outside_values(&mut e, overrides, |key, value| {
            format!("--{} {value}", key.replace('_', "-"))
        });
        ScenarioProblems(problem_lines(path, variant, &e)).into()
    })
}

/// A scenario error as lines `FILE:LINE:COL: error: [variant ID: ]PATH: message`, one per
/// problem (`FILE: error: …` for a problem with no place in the text).
pub(crate) fn problem_lines(path: &Path, variant: Option<&str>, e: &ScenarioError) -> String {
    e.located_lines(&path.display().to_string(), variant)
}

fn validate(path: &Path) -> Result<()> {
    let text = read(path)?;
    let scenario = parse_scenario(path, &text)?;
    let model = build_variant(path, &scenario, None)?;
    // Every variant must build too; report them all before failing.
    let mut failures = Vec::new();
    let mut variants = Vec::new();
    for id in model.variant_ids().iter() {
        match build_variant(path, &scenario, Some(id)) {
            Ok(m) => variants.push(m),
            Err(e) => failures.push(format!("{e:#}")),
        }
    }
    if !failures.is_empty() {
        return Err(ScenarioProblems(failures.join("\n")).into());
    }
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}: ok — {} station{}, {}{} pathway{}, {} arrival stream{}, {} class{}",
        path.display(),
        model.stations().len(),
        plural(model.stations().len()),
        match model.resources().len() {
            0 => String::new(),
            n => format!("{n} shared resource{}, ", plural(n)),
        },
        model.pathways().len(),
        plural(model.pathways().len()),
        model.streams().len(),
        plural(model.streams().len()),
        model.classes().len(),
        if model.classes().len() == 1 { "" } else { "es" },
    );
    let loads = sim_core::compile::load::peak_offered_load(&model);
    for (s, load) in model.stations().iter().zip(&loads) {
        let c = f64::from(s.max_servers);
        if !s.requires.is_empty() {
            // Judged by its resources' load below.
            let _ = writeln!(
                o,
                "  {:<20} peak offered load {load:>8.2} busy services (shared resources, below)",
                s.id
            );
            continue;
        }
        let _ = writeln!(
            o,
            "  {:<20} peak offered load {load:>8.2} busy servers of {:>4} at most on duty ({:.0}%)",
            s.id,
            s.max_servers,
            if c > 0.0 { 100.0 * load / c } else { 0.0 }
        );
    }
    let pools = sim_core::compile::load::peak_resource_load(&model, &loads);
    for (r, load) in model.resources().iter().zip(pools) {
        let c = f64::from(r.max_units);
        let _ = writeln!(
            o,
            "  resource {:<11} peak offered load {load:>8.2} busy units   of {:>4} at most on duty ({:.0}%)",
            r.id,
            r.max_units,
            if c > 0.0 { 100.0 * load / c } else { 0.0 }
        );
    }
    let all: Vec<&Model> = std::iter::once(&model).chain(&variants).collect();
    for w in warning_lines(&all) {
        let _ = writeln!(o, "{w}");
    }
    for v in &variants {
        let levers: Vec<&str> = v.workflow().levers.iter().map(|l| l.name()).collect();
        let _ = writeln!(
            o,
            "variant {}: ok — levers: {}",
            v.variant(),
            if levers.is_empty() {
                "none".to_string()
            } else {
                levers.join(", ")
            }
        );
    }
    out(&o)
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

/// The replication and seed options shared by every command that runs a model (and `run`'s
/// `--max-arrivals`), as overrides of the scenario's `[run]`. Their ranges are checked here,
/// naming the option; everything else (the memory a study needs) by the compiler.
pub(crate) fn overrides(opts: &ReplicationOptions, max_arrivals: Option<u64>) -> Result<Overrides> {
    if let Some(r) = opts.replications
        && (r == 0 || r > sim_core::model::MAX_REPLICATIONS)
    {
        return Err(InputError(format!(
            "--replications must be between 1 and {}",
            sim_core::model::MAX_REPLICATIONS
        ))
        .into());
    }
    if max_arrivals == Some(0) {
        return Err(InputError("--max-arrivals must be at least 1".into()).into());
    }
    Ok(Overrides {
        seed: opts.seed,
        replications: opts.replications,
        max_arrivals,
    })
}

/// The `--precision` report: the replications needed, and the interval they give.
fn precision_line(
    model: &Model,
    acc: &sim_core::summary::Accumulator,
    metric: &str,
    target: sim_core::stats::precision::Target,
    decided: Option<usize>,
) -> String {
    use sim_core::stats::precision::Target;
    let values = sim_core::sweep::metric_values(model, acc.records(), metric).unwrap_or_default();
    let want = match target {
        Target::Absolute(h) => format!(
            "±{}{}",
            sim_core::scenario::units::format_number(h),
            if metric.contains("_min") { " min" } else { "" }
        ),
        Target::Relative(r) => format!(
            "±{}% of the mean",
            sim_core::scenario::units::format_number(r * 100.0)
        ),
    };
    match decided {
        Some(n) => {
            let at_n = sim_core::stats::Estimate::from_values(&values[..n], 0.95);
            let all = sim_core::stats::Estimate::from_values(&values, 0.95);
            format!(
                "Precision {metric} {want}: reached with {n} replications (mean {:.3} ± {:.3}), confirmed over the next {}; the results above use all {} run (± {:.3}).\n",
                at_n.mean,
                at_n.half_width,
                values.len() - n,
                values.len(),
                all.half_width
            )
        }
        None => {
            let all = sim_core::stats::Estimate::from_values(&values, 0.95);
            format!(
                "Precision {metric} {want}: NOT reached in {} replications (the most allowed; raise --replications): half-width {:.3}.\n",
                values.len(),
                all.half_width
            )
        }
    }
}

fn run(args: RunArgs) -> Result<()> {
    let precision = args.precision.as_deref().map(parse_precision).transpose()?;
    let mut overrides = overrides(&args.reps, args.max_arrivals)?;
    let text = read(&args.scenario)?;
    let scenario = parse_scenario_set(&args.scenario, &text, &args.sets)?;
    // An automatic warm-up is found from the scenario's own replications (not --precision's
    // cap) before the run.
    let scenario = warmup::settle(
        &args.scenario,
        &scenario,
        &[args.variant.as_deref()],
        &overrides,
        args.reps.threads,
        args.quiet,
    )?;
    if precision.is_some() {
        overrides.replications = Some(overrides.replications.unwrap_or(PRECISION_CAP));
    }
    let model = build_with(
        &args.scenario,
        &scenario,
        args.variant.as_deref(),
        &overrides,
    )?;
    print_warnings(&[&model], args.quiet);
    let event_log = events::check(&args.events, &model)?;
    events::check_journeys(args.journeys, args.charts.as_ref())?;
    if let Some((metric, _)) = &precision {
        sim_core::sweep::check_metrics(&model, std::slice::from_ref(metric))
            .map_err(|e| InputError(format!("--precision: {e}")))?;
    }
    let started = std::time::Instant::now();
    let mut decided = None;
    let result = match &precision {
        None => replicate::run_all(&model, args.reps.threads, args.quiet),
        Some((metric, target)) => {
            use sim_core::stats::precision::{Decision, decide};
            replicate::run_until(&model, args.reps.threads, args.quiet, &mut |acc| {
                let values = sim_core::sweep::metric_values(&model, acc.records(), metric)
                    .expect("checked above");
                match decide(&values, *target) {
                    Decision::Enough(n) => {
                        decided = Some(n);
                        true
                    }
                    Decision::NeedAtLeast(_) => false,
                }
            })
        }
    };
    // With --precision the results are of the replications run (the chosen number and the
    // look-ahead that confirmed it), and the model says so.
    let model = match &precision {
        Some(_) => build_with(
            &args.scenario,
            &scenario,
            args.variant.as_deref(),
            &Overrides {
                replications: Some(result.as_ref().map_or(1, |a| a.len() as u32).max(1)),
                ..overrides
            },
        )?,
        None => model,
    };
    let acc = match result {
        Ok(r) => r,
        Err(e) => {
            // Interrupted: report what finished, write nothing (earlier files stay intact).
            if let Some(i) = e.downcast_ref::<replicate::Interrupted>()
                && let Some(partial) = &i.summary
                && !args.quiet
            {
                out(&table::render(
                    &model,
                    partial,
                    started.elapsed().as_secs_f64(),
                ))?;
            }
            return Err(e);
        }
    };
    let wall = started.elapsed().as_secs_f64();
    let findings = sim_core::study::Findings::of(&model, &acc);
    if !args.quiet {
        out(&table::render(&model, &findings.summary, wall))?;
    }
    if let Some((metric, target)) = &precision {
        let line = precision_line(&model, &acc, metric, *target, decided);
        if args.quiet {
            // The answer is the point of the run, so it is printed even with --quiet.
            out(&line)?;
        } else {
            out(&format!("\n{line}"))?;
        }
    }
    // Every result file of the run (--out and --charts) is staged first and moved into place
    // only when all are complete.
    let mut files = output::Outputs::default();
    if let Some(dir) = &args.out {
        output::stage_run(&mut files, dir, &model, &findings.summary, &findings.series)
            .with_context(|| format!("writing results to {}", dir.display()))?;
    }
    let charts = match &args.charts {
        Some(dir) => {
            let mut n = charts::stage_run(&mut files, dir, &model, &findings, args.quiet)?;
            if let Some(k) = args.journeys {
                events::stage_journeys(&mut files, dir, &[&model], k)?;
                n += 1;
            }
            n
        }
        None => 0,
    };
    files
        .commit()
        .context("writing results (the previous results are unchanged)")?;
    if !args.quiet {
        if let Some(dir) = &args.out {
            out(&format!("wrote {}\n", dir.display()))?;
        }
        if let Some(dir) = &args.charts {
            out(&charts::wrote_line(charts, dir))?;
        }
    }
    if let Some((path, spec)) = event_log {
        let line = events::write(&model, &path, spec, args.events.events_replication)?;
        if !args.quiet {
            out(&line)?;
        }
    }
    Ok(())
}

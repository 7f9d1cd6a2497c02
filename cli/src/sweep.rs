//! `carepath sweep` and `carepath merge`: a study file's points run on all cores, each
//! finished point written at once and atomically (`DIR/points/NNNNNN.csv`), so an
//! interrupted sweep continues where it stopped and a sweep split across machines
//! (`--shard K/N`) is put back together by `merge` into exactly the table one machine
//! writes (`DIR/sweep.csv`, and the same rows typed in `DIR/sweep.parquet`).
//!
//! Every point runs with the same seed (common random numbers), and a point's rows depend
//! on the point alone, so neither the thread count nor the split changes a byte. Memory is
//! one model and one study per busy thread: rows go to disk as each point finishes.

use crate::replicate;
use crate::{InputError, ScenarioProblems, out};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use sim_core::Study;
use sim_core::sweep::{Row, Sweep, SweepError};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Arguments of `carepath sweep`.
#[derive(clap::Args, Debug)]
pub(crate) struct SweepArgs {
    /// Study file (TOML; see docs/studies.md).
    study: PathBuf,
    /// Directory for the results: sweep.csv, sweep.json and points/ (one file per finished
    /// point). Running again into the same directory continues an unfinished sweep.
    #[arg(short, long, value_name = "DIR")]
    out: PathBuf,
    /// Compute only shard K of N (every Nth point from the Kth); put shards together with
    /// `carepath merge`.
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
    /// Once every point is done, write the sweep charts (SVG and PNG) into this directory: per
    /// metric against the first varying parameter, and heat maps when two parameters vary.
    #[arg(long, value_name = "DIR")]
    charts: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
    #[command(flatten)]
    reps: crate::ReplicationOptions,
    #[command(flatten)]
    sets: crate::SetOptions,
}

/// Arguments of `carepath merge`.
#[derive(clap::Args, Debug)]
pub(crate) struct MergeArgs {
    /// Result directories of the shards of one sweep.
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Directory for the merged results (the same files one machine writes).
    #[arg(short, long, value_name = "DIR")]
    out: PathBuf,
    /// Also write the sweep charts (SVG and PNG) into this directory.
    #[arg(long, value_name = "DIR")]
    charts: Option<PathBuf>,
}

/// What identifies a sweep's results: a directory holds one sweep's points, and shards merge
/// only when these agree.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Manifest {
    pub(crate) schema_version: u32,
    /// Hash of everything the rows depend on: the study and scenario texts, the command
    /// line's settings and overrides, CarePath's version.
    pub(crate) fingerprint: String,
    pub(crate) carepath_version: String,
    pub(crate) study: String,
    pub(crate) scenario: String,
    /// The scenario's name (`[scenario] name`), for charts and the report.
    #[serde(default)]
    pub(crate) scenario_name: String,
    pub(crate) points: usize,
    pub(crate) variants: Vec<String>,
    pub(crate) parameters: Vec<String>,
    pub(crate) metrics: Vec<String>,
    pub(crate) replications: u32,
    pub(crate) seed: u64,
    /// Per `targets.ID.share` metric, the share its target asks for (the charts' target
    /// lines, the report's "points meeting" tables).
    #[serde(default)]
    pub(crate) goals: std::collections::BTreeMap<String, f64>,
}

const MANIFEST: &str = "sweep.json";
const TABLE: &str = "sweep.csv";
const PARQUET: &str = "sweep.parquet";
const POINTS: &str = "points";

fn point_file(dir: &Path, index: usize) -> PathBuf {
    dir.join(POINTS).join(format!("{index:06}.csv"))
}

/// A study file's problem as `FILE:LINE:COL: error: …` (input error, exit 2).
pub(crate) fn study_problem(path: &Path, e: &SweepError) -> anyhow::Error {
    let file = path.display();
    ScenarioProblems(match e {
        SweepError::Syntax {
            line,
            column,
            message,
        } => format!("{file}:{line}:{column}: error: {message}"),
        e => format!("{file}: error: {e}"),
    })
    .into()
}

/// Parses `K/N`.
fn parse_shard(text: &str) -> Result<(usize, usize)> {
    let bad = || {
        InputError(format!(
            "--shard {text}: expected K/N with 1 ≤ K ≤ N (e.g. 2/8)"
        ))
    };
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(bad().into());
    }
    Ok((k, n))
}

/// The CSV header: the point, the variant, one column per parameter, then the estimate.
fn header(parameters: &[String]) -> Vec<String> {
    let mut h = vec!["point".to_string(), "variant".to_string()];
    h.extend(parameters.iter().cloned());
    h.extend(
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
    h
}

/// A parameter value as a cell: strings as written, numbers as TOML writes them.
fn cell(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

/// One point's rows as CSV (with the header, so every point file reads alone).
fn point_csv(parameters: &[String], values: &[toml::Value], rows: &[Row]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header(parameters))?;
    for r in rows {
        let mut rec = vec![
            r.point.to_string(),
            if r.variant.is_empty() {
                "base".to_string()
            } else {
                r.variant.clone()
            },
        ];
        rec.extend(values.iter().map(cell));
        let e = &r.estimate;
        rec.extend([
            r.metric.clone(),
            e.mean.to_string(),
            e.low().to_string(),
            e.high().to_string(),
            e.half_width.to_string(),
            e.sd.to_string(),
            r.n.to_string(),
        ]);
        w.write_record(rec)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// Writes `DIR/sweep.csv` from its point files 0..n (all must be there), streamed: one
/// point file in memory at a time, into a temporary file renamed into place when whole;
/// then `DIR/sweep.parquet` from it.
fn write_table(dir: &Path, n: usize) -> Result<()> {
    use std::io::Write as _;
    let target = dir.join(TABLE);
    let tmp = dir.join(format!(".{TABLE}.{}.tmp", std::process::id()));
    let result = (|| -> Result<()> {
        let file =
            std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        let mut w = std::io::BufWriter::new(file);
        for i in 0..n {
            let path = point_file(dir, i);
            let bytes =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            // Every point file starts with the same header line; the table has it once.
            let start = if i == 0 {
                0
            } else {
                bytes
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |p| p + 1)
            };
            w.write_all(&bytes[start..])?;
        }
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, &target)
            .with_context(|| format!("renaming into {}", target.display()))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result?;
    crate::parquet_table::write(&target, &dir.join(PARQUET))
}

pub(crate) fn read_manifest(dir: &Path) -> Result<Option<Manifest>> {
    let path = dir.join(MANIFEST);
    if !path.exists() {
        return Ok(None);
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(Some(serde_json::from_str(&text).map_err(|e| {
        InputError(format!("{} is not a sweep manifest: {e}", path.display()))
    })?))
}

/// Runs `carepath sweep`.
/// A study file with its scenario, read and parsed (the command line's `--set` values and
/// the study's `[sweep.set]` applied), for `sweep` and `optimise`.
pub(crate) struct Loaded {
    pub(crate) study_text: String,
    pub(crate) sweep: Sweep,
    pub(crate) scenario_path: PathBuf,
    pub(crate) scenario_text: String,
    pub(crate) scenario: sim_core::Scenario,
    /// The command line's `-r`/`-s`, else the study's.
    pub(crate) overrides: sim_core::scenario::Overrides,
}

/// Reads `study` and its scenario.
pub(crate) fn load(
    study: &Path,
    sets: &crate::SetOptions,
    reps: &crate::ReplicationOptions,
) -> Result<Loaded> {
    let study_text = std::fs::read_to_string(study)
        .map_err(|e| InputError(format!("cannot read study {}: {e}", study.display())))?;
    let sweep = Sweep::parse(&study_text).map_err(|e| study_problem(study, &e))?;
    let scenario_path = study
        .parent()
        .unwrap_or(Path::new("."))
        .join(&sweep.scenario);
    let scenario_text = crate::read(&scenario_path)?;
    let scenario = crate::parse_scenario_set(&scenario_path, &scenario_text, sets)?.with_settings(
        &sweep
            .fixed
            .iter()
            .map(|s| s.clone().with_origin("sweep.set"))
            .collect::<Vec<_>>(),
    );
    let mut overrides = crate::overrides(reps, None)?;
    overrides.replications = overrides.replications.or(sweep.replications);
    overrides.seed = overrides.seed.or(sweep.seed);
    Ok(Loaded {
        study_text,
        sweep,
        scenario_path,
        scenario_text,
        scenario,
        overrides,
    })
}

pub(crate) fn run(args: SweepArgs) -> Result<()> {
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    let Loaded {
        study_text,
        sweep,
        scenario_path,
        scenario_text,
        scenario,
        overrides,
    } = load(&args.study, &args.sets, &args.reps)?;
    // The first point of every variant is built now, so a bad variant, metric or first
    // value stops the sweep before anything runs.
    let first = scenario.with_settings(&point_settings(&sweep, 0));
    let mut firsts = Vec::new();
    for v in &sweep.variants {
        firsts.push(build_point(
            &sweep,
            &first,
            &scenario_path,
            v.as_deref(),
            &overrides,
            0,
        )?);
    }
    let metrics = if sweep.metrics.is_empty() {
        sim_core::sweep::default_metrics(&firsts[0])
    } else {
        sweep.metrics.clone()
    };
    for m in &firsts {
        sim_core::sweep::check_metrics(m, &metrics).map_err(|e| study_problem(&args.study, &e))?;
    }
    let manifest = Manifest {
        schema_version: 1,
        fingerprint: crate::regression::text_hash(&format!(
            "{study_text}\u{0}{scenario_text}\u{0}{:?}\u{0}{overrides:?}\u{0}{}",
            args.sets.set,
            env!("CARGO_PKG_VERSION")
        )),
        carepath_version: env!("CARGO_PKG_VERSION").to_string(),
        study: args.study.display().to_string(),
        scenario: sweep.scenario.clone(),
        scenario_name: firsts[0].name().to_string(),
        points: sweep.len(),
        variants: firsts
            .iter()
            .map(|m| crate::model_label(m).to_string())
            .collect(),
        parameters: sweep.parameters.clone(),
        metrics: metrics.clone(),
        replications: firsts[0].replications(),
        seed: firsts[0].seed(),
        goals: firsts[0]
            .targets()
            .iter()
            .map(|t| (format!("targets.{}.share", t.id), t.share))
            .collect(),
    };
    drop(firsts);
    let dir = &args.out;
    match read_manifest(dir)? {
        Some(m) if m.fingerprint != manifest.fingerprint => {
            return Err(InputError(format!(
                "{} holds the results of another sweep (or of this one before its study, scenario or options changed); choose another --out, or delete it to start again",
                dir.display()
            ))
            .into());
        }
        Some(_) => {}
        None => {
            std::fs::create_dir_all(dir.join(POINTS))
                .with_context(|| format!("creating {}", dir.display()))?;
            crate::output::write_atomic(
                &dir.join(MANIFEST),
                serde_json::to_string_pretty(&manifest)?.as_bytes(),
            )?;
        }
    }
    std::fs::create_dir_all(dir.join(POINTS))?;
    let mine: Vec<usize> = match shard {
        Some((k, n)) => sweep.shard(k, n).collect(),
        None => (0..sweep.len()).collect(),
    };
    let todo: Vec<usize> = mine
        .iter()
        .copied()
        .filter(|&i| !point_file(dir, i).exists())
        .collect();
    let done_before = mine.len() - todo.len();
    let threads = replicate::thread_count(args.reps.threads)?;
    let per_point = u64::from(manifest.replications) * manifest.variants.len() as u64;
    let bar = if args.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::with_draw_target(
            Some(todo.len() as u64 * per_point),
            ProgressDrawTarget::stderr(),
        );
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} {msg} replications {pos}/{len} [{bar:30}] {elapsed_precise} eta {eta}",
            )
            .expect("static template")
            .progress_chars("=> "),
        );
        b
    };
    let finished = AtomicUsize::new(0);
    bar.set_message(format!("points {done_before}/{}", mine.len()));
    let failure: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    pool.install(|| check_points(&sweep, &scenario, &scenario_path, &overrides, &todo))?;
    let started = std::time::Instant::now();
    pool.install(|| {
        todo.par_iter().for_each(|&i| {
            if replicate::interrupted() || failure.lock().expect("not poisoned").is_some() {
                return;
            }
            match run_point(
                &sweep,
                &scenario,
                &scenario_path,
                &overrides,
                &metrics,
                i,
                &bar,
            ) {
                Ok(bytes) => {
                    if let Err(e) = crate::output::write_atomic(&point_file(dir, i), &bytes) {
                        failure.lock().expect("not poisoned").get_or_insert(e);
                        return;
                    }
                    let n = finished.fetch_add(1, Ordering::Relaxed) + 1;
                    bar.set_message(format!("points {}/{}", done_before + n, mine.len()));
                }
                Err(e) => {
                    if e.downcast_ref::<replicate::Interrupted>().is_none() {
                        failure.lock().expect("not poisoned").get_or_insert(e);
                    }
                }
            }
        });
    });
    bar.finish_and_clear();
    if let Some(e) = failure.into_inner().expect("not poisoned") {
        return Err(e);
    }
    let finished = finished.into_inner();
    if replicate::interrupted() {
        return Err(replicate::Stopped(format!(
            "interrupted: {} of {} points are finished and kept in {}; run the same command again to continue",
            done_before + finished,
            mine.len(),
            dir.display()
        ))
        .into());
    }
    let all_done = (0..sweep.len()).all(|i| point_file(dir, i).exists());
    let mut charts_line = String::new();
    if all_done {
        write_table(dir, sweep.len())?;
        if let Some(c) = &args.charts {
            charts_line = write_charts(dir, c, args.quiet)?;
        }
    } else if args.charts.is_some() && !args.quiet {
        crate::eprint_clean(
            "note: --charts waits for every point: they are drawn by the run (or `carepath merge`) that finishes the sweep\n",
        );
    }
    if !args.quiet {
        let wall = started.elapsed().as_secs_f64();
        let mut o = format!(
            "{} point{} run ({} already there) in {wall:.1} s, {} replication{} each ({})\n",
            finished,
            if finished == 1 { "" } else { "s" },
            done_before,
            per_point,
            if per_point == 1 { "" } else { "s" },
            manifest.variants.join(", ")
        );
        if all_done {
            o += &format!(
                "wrote {} and {}\n",
                dir.join(TABLE).display(),
                dir.join(PARQUET).display()
            );
            o += &charts_line;
        } else if let Some((k, n)) = shard {
            o += &format!(
                "shard {k}/{n} is complete in {}; put the shards together with `carepath merge DIR... --out DIR`\n",
                dir.display()
            );
        }
        out(&o)?;
    }
    Ok(())
}

/// Runs point `i` (every variant) and returns its CSV.
fn run_point(
    sweep: &Sweep,
    scenario: &sim_core::Scenario,
    path: &Path,
    overrides: &sim_core::scenario::Overrides,
    metrics: &[String],
    i: usize,
    bar: &ProgressBar,
) -> Result<Vec<u8>> {
    let at = scenario.with_settings(&point_settings(sweep, i));
    let mut rows = Vec::new();
    for v in &sweep.variants {
        let model = build_point(sweep, &at, path, v.as_deref(), overrides, i)?;
        let mut study = Study::new(&model).with_stop_flag(replicate::stop_flag());
        while study.step().map_err(|e| match e {
            sim_core::RunError::Interrupted => anyhow::Error::new(replicate::Interrupted {
                summary: None,
                completed: 0,
                total: model.replications(),
            }),
            e => anyhow::Error::new(e).context(format!("point {i}: the simulation stopped")),
        })? {
            bar.inc(1);
        }
        rows.extend(sim_core::sweep::rows(
            i,
            &model,
            study.accumulator().records(),
            metrics,
        ));
    }
    point_csv(&sweep.parameters, &sweep.point(i), &rows)
}

/// Point `i`'s settings, named as the study's parameters in messages.
pub(crate) fn point_settings(sweep: &Sweep, i: usize) -> Vec<sim_core::scenario::Setting> {
    sweep
        .settings(i)
        .into_iter()
        .map(|s| s.with_origin("parameter"))
        .collect()
}

/// Builds point `i`'s model of `variant` from `at` (the scenario with the point's
/// settings); a problem names the point.
pub(crate) fn build_point(
    sweep: &Sweep,
    at: &sim_core::Scenario,
    path: &Path,
    variant: Option<&str>,
    overrides: &sim_core::scenario::Overrides,
    i: usize,
) -> Result<sim_core::Model> {
    let model = crate::build_with(path, at, variant, overrides).map_err(|e| {
        let point: Vec<String> = sweep.settings(i).iter().map(|s| s.display()).collect();
        ScenarioProblems(format!(
            "{e:#}
  in point {i} of the sweep ({}){}",
            point.join(", "),
            variant.map_or(String::new(), |v| format!(", variant {v}"))
        ))
    })?;
    if model.warm_up_is_auto() {
        // Each point would find its own warm-up from its own pilot, and the points would no
        // longer share an observation window; one warm-up, found once, keeps them comparable.
        return Err(InputError(format!(
            "{}: run.warm_up = \"auto\" is not used in sweeps (each point would find its own warm-up, and the points would not share an observation window): run `carepath warmup` at the sweep's busiest point and set run.warm_up to what it finds (in the scenario or the study's [sweep.set])",
            path.display()
        ))
        .into());
    }
    Ok(model)
}

/// Builds every point's models of `todo` (in parallel), so a point that cannot be built
/// stops the sweep before anything runs; the first problem in point order is reported.
fn check_points(
    sweep: &Sweep,
    scenario: &sim_core::Scenario,
    path: &Path,
    overrides: &sim_core::scenario::Overrides,
    todo: &[usize],
) -> Result<()> {
    let first_bad = todo
        .par_iter()
        .map(|&i| {
            let at = scenario.with_settings(&point_settings(sweep, i));
            for v in &sweep.variants {
                build_point(sweep, &at, path, v.as_deref(), overrides, i)?;
            }
            Ok(())
        })
        .find_first(Result::is_err);
    first_bad.unwrap_or(Ok(()))
}

/// Runs `carepath merge`.
pub(crate) fn merge(args: MergeArgs) -> Result<()> {
    let mut manifest: Option<Manifest> = None;
    for d in &args.dirs {
        let m = read_manifest(d)?.ok_or_else(|| {
            InputError(format!(
                "{} has no {MANIFEST}: not a sweep's results",
                d.display()
            ))
        })?;
        match &manifest {
            Some(first) if first.fingerprint != m.fingerprint => {
                return Err(InputError(format!(
                    "{} holds another sweep than {} (a different study, scenario, options or CarePath version)",
                    d.display(),
                    args.dirs[0].display()
                ))
                .into());
            }
            Some(_) => {}
            None => manifest = Some(m),
        }
    }
    let manifest = manifest.expect("at least one directory");
    let missing: Vec<usize> = (0..manifest.points)
        .filter(|&i| !args.dirs.iter().any(|d| point_file(d, i).exists()))
        .collect();
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(10).map(ToString::to_string).collect();
        return Err(InputError(format!(
            "{} of {} points are in none of the directories (points {}{}); run the missing shards first",
            missing.len(),
            manifest.points,
            shown.join(", "),
            if missing.len() > 10 { ", …" } else { "" }
        ))
        .into());
    }
    let dir = &args.out;
    std::fs::create_dir_all(dir.join(POINTS))
        .with_context(|| format!("creating {}", dir.display()))?;
    for i in 0..manifest.points {
        let target = point_file(dir, i);
        if target.exists() {
            continue;
        }
        let from = args
            .dirs
            .iter()
            .map(|d| point_file(d, i))
            .find(|p| p.exists())
            .expect("checked above");
        let bytes = std::fs::read(&from).with_context(|| format!("reading {}", from.display()))?;
        crate::output::write_atomic(&target, &bytes)?;
    }
    crate::output::write_atomic(
        &dir.join(MANIFEST),
        serde_json::to_string_pretty(&manifest)?.as_bytes(),
    )?;
    write_table(dir, manifest.points)?;
    let charts_line = match &args.charts {
        Some(c) => write_charts(dir, c, false)?,
        None => String::new(),
    };
    out(&format!(
        "merged {} points from {} director{} into {}\n{charts_line}",
        manifest.points,
        args.dirs.len(),
        if args.dirs.len() == 1 { "y" } else { "ies" },
        dir.join(TABLE).display()
    ))
}

/// Draws the charts of the finished sweep in `dir` into `charts` (all or nothing); returns
/// the line to print.
fn write_charts(dir: &Path, charts: &Path, quiet: bool) -> Result<String> {
    let manifest = read_manifest(dir)?.context("the sweep's manifest is missing")?;
    let table = crate::sweep_charts::Table::read(dir, &manifest)?;
    let mut files = crate::output::Outputs::default();
    let n = crate::sweep_charts::stage(&mut files, charts, &table, quiet)
        .with_context(|| format!("writing charts to {}", charts.display()))?;
    files.commit()?;
    Ok(crate::charts::wrote_line(n, charts))
}

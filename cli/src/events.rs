//! `carepath run … --events FILE`: the patient-level event log of one replication, for
//! process-mining tools. The format follows the file's extension:
//!
//! - `.csv`: a tidy table, one row per event (`docs/output-format.md`, "Event log");
//! - `.jsonocel` or `.json`: OCEL 2.0 JSON (objects: patients and stations; each event
//!   related to its patient and, where there is one, its station), read by pm4py
//!   (`pm4py.read_ocel2_json`) and other OCEL 2.0 tools;
//! - `.xes`: XES (IEEE 1849), one trace per patient, each step's start and completion with
//!   `lifecycle:transition`, read by pm4py (`pm4py.read_xes`), bupaR and ProM.
//!
//! The replication is run again on its own with the log on (the same patients as in the
//! study: logging draws no random numbers). The file is streamed into a temporary file and
//! renamed into place when whole, so it appears whole or not at all. Times are clock times
//! on day 1 = 2026-01-05 (a Monday), UTC; only the clock time and the day number mean anything.

use crate::InputError;
use anyhow::{Context, Result};
use sim_core::Model;
use sim_core::engine::event_log::{Activity, LogEvent, LogSpec, NONE, Sample};
use std::path::{Path, PathBuf};

/// Most events written unless `--events-limit` says otherwise (about 80 MB in memory).
pub(crate) const DEFAULT_LIMIT: usize = 2_000_000;

/// The `--events` options of `carepath run`.
#[derive(clap::Args, Debug, Default)]
pub(crate) struct EventOptions {
    /// Write the patient-level event log of one replication to FILE: `.csv` (tidy table),
    /// `.parquet` (the same, typed),
    /// `.jsonocel` / `.json` (OCEL 2.0) or `.xes` (XES), for process-mining tools (pm4py,
    /// bupaR, ProM). See docs/output-format.md, "Event log".
    #[arg(long, value_name = "FILE")]
    pub(crate) events: Option<PathBuf>,
    /// Which patients the log holds: `all` (default), the first N (`200`), or a share
    /// (`10%`).
    #[arg(long, value_name = "all|N|P%", default_value = "all")]
    pub(crate) events_sample: String,
    /// The replication logged (0-based; default 0).
    #[arg(long, value_name = "R", default_value_t = 0)]
    pub(crate) events_replication: u32,
    /// Most events the log may hold (default 2,000,000, about 80 MB while it is written).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LIMIT)]
    pub(crate) events_limit: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Parquet,
    Ocel,
    Xes,
}

fn format_of(path: &Path) -> Result<Format> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") => Ok(Format::Csv),
        Some("parquet") => Ok(Format::Parquet),
        Some("jsonocel" | "json") => Ok(Format::Ocel),
        Some("xes") => Ok(Format::Xes),
        _ => Err(InputError(format!(
            "--events {}: the file's extension chooses the format: .csv, .parquet, .jsonocel (OCEL 2.0 JSON) or .xes",
            path.display()
        ))
        .into()),
    }
}

fn sample_of(text: &str) -> Result<Sample> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("all") {
        return Ok(Sample::All);
    }
    if let Some(p) = t.strip_suffix('%') {
        if let Ok(x) = p.trim().parse::<f64>()
            && x > 0.0
            && x <= 100.0
        {
            return Ok(Sample::Rate(x / 100.0));
        }
    } else if let Ok(n) = t.parse::<u32>()
        && n > 0
    {
        return Ok(Sample::First(n));
    }
    Err(InputError(format!(
        "--events-sample {text}: expected `all`, a number of patients (200) or a share (10%)"
    ))
    .into())
}

/// Checks the options before anything runs.
pub(crate) fn check(opts: &EventOptions, model: &Model) -> Result<Option<(PathBuf, LogSpec)>> {
    let Some(path) = &opts.events else {
        return Ok(None);
    };
    format_of(path)?;
    let sample = sample_of(&opts.events_sample)?;
    if opts.events_replication >= model.replications() {
        return Err(InputError(format!(
            "--events-replication {}: the run has replications 0 to {}",
            opts.events_replication,
            model.replications() - 1
        ))
        .into());
    }
    if opts.events_limit == 0 {
        return Err(InputError("--events-limit must be at least 1".into()).into());
    }
    Ok(Some((
        path.clone(),
        LogSpec {
            sample,
            max_events: opts.events_limit,
        },
    )))
}

/// Runs replication `replication` of `model` with the log on; returns its events.
fn log_of(model: &Model, spec: LogSpec, replication: u32) -> Result<Vec<LogEvent>> {
    let mut sim = sim_core::Simulator::new(model)
        .with_stop_flag(crate::replicate::stop_flag())
        .with_event_log(spec);
    sim.run(replication).map_err(|e| match e {
        sim_core::RunError::EventLogFull { .. } => InputError(format!("--events: {e}")).into(),
        sim_core::RunError::Interrupted => anyhow::Error::from(crate::replicate::Stopped(
            "interrupted: the event log was not written".into(),
        )),
        e => anyhow::Error::from(e),
    })?;
    Ok(sim.event_log().to_vec())
}

/// `--journeys N` with `--charts DIR`: the journey chart of the first `n` patients of
/// replication 0 of each of `models` (side by side), staged as `journeys.svg` and `.png`.
pub(crate) fn stage_journeys(
    files: &mut crate::output::Outputs,
    dir: &Path,
    models: &[&Model],
    n: usize,
) -> Result<()> {
    let spec = LogSpec {
        sample: Sample::First(n.min(carepath_charts::MAX_JOURNEYS) as u32),
        max_events: DEFAULT_LIMIT,
    };
    let logs = models
        .iter()
        .map(|m| log_of(m, spec, 0))
        .collect::<Result<Vec<_>>>()?;
    let stations: Vec<Vec<String>> = models
        .iter()
        .map(|m| m.stations().iter().map(|s| s.id.clone()).collect())
        .collect();
    let inputs: Vec<carepath_charts::JourneyInput<'_>> = models
        .iter()
        .zip(&logs)
        .zip(&stations)
        .map(|((m, log), st)| carepath_charts::JourneyInput {
            label: crate::model_label(m),
            events: log,
            stations: st,
        })
        .collect();
    let chart = carepath_charts::Chart::journeys(models[0].name(), 0, &inputs, n)?;
    files.write(dir, "journeys.svg", chart.svg()?.as_bytes())?;
    files.write(dir, "journeys.png", &chart.png()?)?;
    Ok(())
}

/// Checks `--journeys N` (it needs `--charts DIR`).
pub(crate) fn check_journeys(journeys: Option<usize>, charts: Option<&PathBuf>) -> Result<()> {
    match journeys {
        Some(0) => Err(InputError("--journeys must be at least 1".into()).into()),
        Some(_) if charts.is_none() => {
            Err(InputError("--journeys N draws a chart: give --charts DIR too".into()).into())
        }
        _ => Ok(()),
    }
}

/// Runs replication `replication` of `model` with the log on and writes it to `path`.
/// Returns the line to print.
pub(crate) fn write(model: &Model, path: &Path, spec: LogSpec, replication: u32) -> Result<String> {
    let log = &log_of(model, spec, replication)?;
    let names = Names::of(model);
    let patients = log.iter().map(|e| e.patient).max().unwrap_or(0);
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().context("--events names no file")?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> Result<()> {
        let file =
            std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        let mut w = std::io::BufWriter::new(file);
        match format_of(path)? {
            Format::Csv => csv(&mut w, &names, log, replication)?,
            Format::Parquet => {
                // The CSV rows, typed: written as CSV beside it first, converted, removed.
                let rows = dir.join(format!(
                    ".{}.{}.csv",
                    name.to_string_lossy(),
                    std::process::id()
                ));
                let converted = (|| -> Result<()> {
                    let mut f = std::io::BufWriter::new(std::fs::File::create(&rows)?);
                    csv(&mut f, &names, log, replication)?;
                    f.into_inner().map_err(|e| e.into_error())?.sync_all()?;
                    crate::parquet_table::write_event_log(&rows, &tmp)
                })();
                let _ = std::fs::remove_file(&rows);
                converted?;
                std::fs::rename(&tmp, path)
                    .with_context(|| format!("renaming into {}", path.display()))?;
                return Ok(());
            }
            Format::Ocel => ocel(&mut w, &names, log)?,
            Format::Xes => xes(&mut w, &names, model, log)?,
        }
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path).with_context(|| format!("renaming into {}", path.display()))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("writing the event log {}", path.display()))?;
    Ok(format!(
        "wrote {} events of {} patients (replication {replication}) to {}\n",
        log.len(),
        patients,
        path.display()
    ))
}

/// Ids of a model's classes, steps and stations.
struct Names {
    classes: Vec<String>,
    steps: Vec<String>,
    stations: Vec<String>,
    resources: Vec<String>,
}

impl Names {
    fn of(m: &Model) -> Names {
        Names {
            classes: m.classes().iter().map(|c| c.id.clone()).collect(),
            steps: m.steps().iter().map(|s| s.id.clone()).collect(),
            stations: m.stations().iter().map(|s| s.id.clone()).collect(),
            resources: m.resources().iter().map(|r| r.id.clone()).collect(),
        }
    }
    fn step(&self, i: u32) -> &str {
        if i == NONE {
            ""
        } else {
            &self.steps[i as usize]
        }
    }
    fn resource(&self, i: u32) -> &str {
        if i == NONE {
            ""
        } else {
            &self.resources[i as usize]
        }
    }
    fn station(&self, i: u32) -> &str {
        if i == NONE {
            ""
        } else {
            &self.stations[i as usize]
        }
    }
}

fn workflow(e: &LogEvent) -> &'static str {
    if e.digital { "digital" } else { "paper" }
}

/// ISO 8601 time of `minutes` after midnight of day 1 (2026-01-05), to the millisecond.
fn timestamp(minutes: f64) -> String {
    let ms = (minutes * 60_000.0).round() as i64;
    let (days, ms) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    // Day 1 is 2026-01-05; days beyond January stay correct for runs of up to 26 days.
    let (mut y, mut mo, mut d) = (2026, 1, 5 + days);
    let month_len = |y: i64, m: i64| match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    while d > month_len(y, mo) {
        d -= month_len(y, mo);
        mo += 1;
        if mo > 12 {
            mo = 1;
            y += 1;
        }
    }
    let (h, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (mi, rest) = (rest / 60_000, rest % 60_000);
    let (s, milli) = (rest / 1000, rest % 1000);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
}

fn csv(w: &mut impl std::io::Write, n: &Names, log: &[LogEvent], replication: u32) -> Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record([
        "replication",
        "patient",
        "class",
        "workflow",
        "activity",
        "step",
        "station",
        "resource",
        "time_min",
        "timestamp",
    ])?;
    for e in log {
        c.write_record([
            replication.to_string().as_str(),
            &e.patient.to_string(),
            &n.classes[e.class as usize],
            workflow(e),
            e.activity.name(),
            n.step(e.step),
            n.station(e.station),
            n.resource(e.resource),
            &e.time.to_string(),
            &timestamp(e.time),
        ])?;
    }
    c.flush()?;
    Ok(())
}

/// A JSON string.
fn js(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

fn ocel(w: &mut impl std::io::Write, n: &Names, log: &[LogEvent]) -> Result<()> {
    writeln!(w, "{{")?;
    writeln!(
        w,
        "  \"objectTypes\": [\n    {{\"name\": \"patient\", \"attributes\": [{{\"name\": \"class\", \"type\": \"string\"}}, {{\"name\": \"workflow\", \"type\": \"string\"}}]}},\n    {{\"name\": \"station\", \"attributes\": []}},\n    {{\"name\": \"resource\", \"attributes\": []}}\n  ],"
    )?;
    let types: Vec<String> = Activity::ALL
        .iter()
        .map(|a| {
            format!(
                "    {{\"name\": {}, \"attributes\": [{{\"name\": \"step\", \"type\": \"string\"}}]}}",
                js(a.name())
            )
        })
        .collect();
    writeln!(w, "  \"eventTypes\": [\n{}\n  ],", types.join(",\n"))?;
    // Objects: every logged patient (with its class and workflow from its first event) and
    // every station.
    writeln!(w, "  \"objects\": [")?;
    let mut first = true;
    let mut seen = std::collections::BTreeMap::new();
    for e in log {
        seen.entry(e.patient).or_insert(*e);
    }
    let mut sep = |w: &mut dyn std::io::Write| -> std::io::Result<()> {
        if first {
            first = false;
            Ok(())
        } else {
            writeln!(w, ",")
        }
    };
    for (id, e) in &seen {
        sep(w)?;
        write!(
            w,
            "    {{\"id\": \"p{id}\", \"type\": \"patient\", \"attributes\": [{{\"name\": \"class\", \"time\": \"1970-01-01T00:00:00Z\", \"value\": {}}}, {{\"name\": \"workflow\", \"time\": \"1970-01-01T00:00:00Z\", \"value\": \"{}\"}}]}}",
            js(&n.classes[e.class as usize]),
            workflow(e)
        )?;
    }
    for r in &n.resources {
        sep(w)?;
        write!(
            w,
            "    {{\"id\": {}, \"type\": \"resource\", \"attributes\": []}}",
            js(&format!("resource:{r}"))
        )?;
    }
    for s in &n.stations {
        sep(w)?;
        write!(
            w,
            "    {{\"id\": {}, \"type\": \"station\", \"attributes\": []}}",
            js(&format!("station:{s}"))
        )?;
    }
    writeln!(w, "\n  ],\n  \"events\": [")?;
    for (i, e) in log.iter().enumerate() {
        let mut rel = format!(
            "{{\"objectId\": \"p{}\", \"qualifier\": \"patient\"}}",
            e.patient
        );
        if e.station != NONE {
            rel += &format!(
                ", {{\"objectId\": {}, \"qualifier\": \"station\"}}",
                js(&format!("station:{}", n.station(e.station)))
            );
        }
        if e.resource != NONE {
            rel += &format!(
                ", {{\"objectId\": {}, \"qualifier\": \"resource\"}}",
                js(&format!("resource:{}", n.resource(e.resource)))
            );
        }
        write!(
            w,
            "    {{\"id\": \"e{}\", \"type\": {}, \"time\": \"{}\", \"attributes\": [{{\"name\": \"step\", \"value\": {}}}], \"relationships\": [{rel}]}}{}",
            i + 1,
            js(e.activity.name()),
            timestamp(e.time),
            js(n.step(e.step)),
            if i + 1 < log.len() { ",\n" } else { "\n" }
        )?;
    }
    writeln!(w, "  ]\n}}")?;
    Ok(())
}

fn xes(w: &mut impl std::io::Write, n: &Names, model: &Model, log: &[LogEvent]) -> Result<()> {
    let esc = crate::output::xml_escape;
    writeln!(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        w,
        "<log xes.version=\"1849-2016\" xes.features=\"\" xmlns=\"http://www.xes-standard.org/\">"
    )?;
    for (name, prefix, uri) in [
        (
            "Concept",
            "concept",
            "http://www.xes-standard.org/concept.xesext",
        ),
        ("Time", "time", "http://www.xes-standard.org/time.xesext"),
        (
            "Lifecycle",
            "lifecycle",
            "http://www.xes-standard.org/lifecycle.xesext",
        ),
        (
            "Organizational",
            "org",
            "http://www.xes-standard.org/org.xesext",
        ),
    ] {
        writeln!(
            w,
            "  <extension name=\"{name}\" prefix=\"{prefix}\" uri=\"{uri}\"/>"
        )?;
    }
    writeln!(
        w,
        "  <string key=\"concept:name\" value=\"{}\"/>",
        esc(model.name())
    )?;
    // One trace per patient, its events in time order.
    let mut by_patient: std::collections::BTreeMap<u32, Vec<&LogEvent>> = Default::default();
    for e in log {
        by_patient.entry(e.patient).or_default().push(e);
    }
    for (id, events) in &by_patient {
        let e0 = events[0];
        writeln!(w, "  <trace>")?;
        writeln!(
            w,
            "    <string key=\"concept:name\" value=\"patient {id}\"/>"
        )?;
        writeln!(
            w,
            "    <string key=\"class\" value=\"{}\"/>",
            esc(&n.classes[e0.class as usize])
        )?;
        writeln!(
            w,
            "    <string key=\"workflow\" value=\"{}\"/>",
            workflow(e0)
        )?;
        for e in events {
            // Each step is one activity with its start and completion; queueing, balking,
            // reneging and interruptions are lifecycle events of the step they happen at.
            let (activity, transition) = match e.activity {
                Activity::Arrive => ("arrive".to_string(), "complete"),
                Activity::Leave => ("leave".to_string(), "complete"),
                Activity::JoinQueue => (n.step(e.step).to_string(), "schedule"),
                Activity::StartService | Activity::DelayStart => {
                    (n.step(e.step).to_string(), "start")
                }
                Activity::EndService | Activity::DelayEnd => {
                    (n.step(e.step).to_string(), "complete")
                }
                Activity::Balk => (n.step(e.step).to_string(), "withdraw"),
                Activity::Renege => (n.step(e.step).to_string(), "ate_abort"),
                Activity::Preempted => (n.step(e.step).to_string(), "suspend"),
            };
            writeln!(w, "    <event>")?;
            writeln!(
                w,
                "      <string key=\"concept:name\" value=\"{}\"/>",
                esc(&activity)
            )?;
            writeln!(
                w,
                "      <string key=\"lifecycle:transition\" value=\"{transition}\"/>"
            )?;
            writeln!(
                w,
                "      <date key=\"time:timestamp\" value=\"{}\"/>",
                timestamp(e.time)
            )?;
            writeln!(
                w,
                "      <string key=\"carepath:activity\" value=\"{}\"/>",
                e.activity.name()
            )?;
            if e.station != NONE {
                writeln!(
                    w,
                    "      <string key=\"org:resource\" value=\"{}\"/>",
                    esc(n.station(e.station))
                )?;
            }
            if e.resource != NONE {
                writeln!(
                    w,
                    "      <string key=\"org:role\" value=\"{}\"/>",
                    esc(n.resource(e.resource))
                )?;
            }
            writeln!(w, "    </event>")?;
        }
        writeln!(w, "  </trace>")?;
    }
    writeln!(w, "</log>")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_clock_times_from_monday_5_january_2026() {
        assert_eq!(timestamp(0.0), "2026-01-05T00:00:00.000Z");
        assert_eq!(timestamp(8.0 * 60.0 + 0.5), "2026-01-05T08:00:30.000Z");
        assert_eq!(timestamp(27.0 * 1440.0 + 61.0), "2026-02-01T01:01:00.000Z");
    }

    #[test]
    fn samples_are_read_as_documented() {
        assert_eq!(sample_of("all").unwrap(), Sample::All);
        assert_eq!(sample_of("200").unwrap(), Sample::First(200));
        assert_eq!(sample_of("10%").unwrap(), Sample::Rate(0.1));
        for bad in ["0", "-3", "0%", "150%", "many"] {
            assert!(sample_of(bad).is_err(), "{bad}");
        }
    }
}

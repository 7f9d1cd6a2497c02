//! Result files: `summary.json`, `stations.csv` and `queue_length.csv` (formats documented in
//! `docs/output-format.md`).
//!
//! Every file is written to a temporary name in the same directory and renamed into place, so
//! a reader never sees a half-written file and a failed or interrupted run never replaces a
//! good result with a partial one.

use anyhow::{Context, Result};
use sim_core::Model;
use sim_core::summary::{QueueSeries, Summary};
use sim_core::units::format_clock;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// Writes `bytes` to `path` atomically (temporary file + fsync + rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .context("output path has no file name")?
        .to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> Result<()> {
        let mut f =
            std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path).with_context(|| format!("renaming into {}", path.display()))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes all result files for one run into `dir` (created if missing).
pub fn write_all(
    dir: &Path,
    model: &Model,
    summary: &Summary,
    series: &QueueSeries,
    _wall: f64,
) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating directory {}", dir.display()))?;
    let mut json = serde_json::to_string_pretty(summary)?;
    json.push('\n');
    write_atomic(&dir.join("summary.json"), json.as_bytes())?;
    write_atomic(
        &dir.join("stations.csv"),
        stations_csv(model, summary).as_bytes(),
    )?;
    write_atomic(&dir.join("queue_length.csv"), series_csv(series).as_bytes())?;
    Ok(())
}

fn opt(v: Option<f64>) -> String {
    v.map_or(String::new(), |x| x.to_string())
}

/// CSV quoting for free text (names may contain commas).
fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One row per station.
pub fn stations_csv(model: &Model, s: &Summary) -> String {
    let mut out = String::from(
        "station,name,visits_mean,wait_mean_min,wait_ci95_low,wait_ci95_high,wait_p50_min,wait_p90_min,wait_p95_min,wait_max_min,service_mean_min,utilization_mean,utilization_ci95_low,utilization_ci95_high,queue_length_mean,max_queue_length,balks_mean,reneges_mean\n",
    );
    for st in &model.stations {
        let r = &s.stations[&st.id];
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            quote(&st.id),
            quote(&r.name),
            r.visits.mean,
            r.wait_min.mean,
            opt(r.wait_min.ci95_low),
            opt(r.wait_min.ci95_high),
            r.wait_min.p50,
            r.wait_min.p90,
            r.wait_min.p95,
            r.wait_min.max,
            r.service_min.mean,
            r.utilization.mean,
            opt(r.utilization.ci95_low),
            opt(r.utilization.ci95_high),
            r.queue_length.mean,
            r.max_queue_length,
            r.balks.mean,
            r.reneges.mean
        );
    }
    out
}

/// Long format: one row per (sample time, station).
pub fn series_csv(series: &QueueSeries) -> String {
    let mut out = String::from("time_min,clock,station,mean,p05,p95\n");
    let len = series
        .stations
        .values()
        .map(|b| b.mean.len())
        .max()
        .unwrap_or(0);
    for k in 0..len {
        let t = series.start_min + k as f64 * series.interval_min;
        for (id, band) in &series.stations {
            if let (Some(m), Some(lo), Some(hi)) =
                (band.mean.get(k), band.p05.get(k), band.p95.get(k))
            {
                let _ = writeln!(out, "{t},{},{},{m},{lo},{hi}", format_clock(t), quote(id));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("summary.json");
        write_atomic(&p, b"first").unwrap();
        write_atomic(&p, b"second").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out");
        std::fs::create_dir(&p).unwrap(); // renaming a file over a directory fails
        assert!(write_atomic(&p, b"x").is_err());
        assert!(p.is_dir());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn csv_quotes_commas() {
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("plain"), "plain");
    }
}

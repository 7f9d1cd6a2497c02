//! A finished sweep's pictures: `carepath sweep … --charts DIR` (and `merge --charts DIR`)
//! writes, for every metric, the line chart against the first varying parameter and, when
//! exactly two parameters vary, a heat map per variant; `carepath report SWEEP_DIR` puts them
//! with the table of points that meet each target into one self-contained HTML file.
//!
//! Everything is read back from the sweep's own files (`sweep.json` and `sweep.csv`), so the
//! charts of a merged sweep are those of the single machine's.

use crate::output::Outputs;
use anyhow::{Context, Result};
use carepath_charts::report::esc;
use carepath_charts::{Chart, ChartError, SweepInput};
use sim_core::stats::Estimate;
use sim_core::sweep::Row;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// A finished sweep, read back from its directory.
pub(crate) struct Table {
    /// Scenario name (from the scenario file the manifest names, else its path).
    pub scenario: String,
    /// Study file, as given to `carepath sweep`.
    pub study: String,
    /// Replications per point and variant.
    pub replications: u32,
    /// Base seed.
    pub seed: u64,
    /// Variant labels.
    pub variants: Vec<String>,
    /// Parameter paths, in column order.
    pub parameters: Vec<String>,
    /// Metrics, in the study's order.
    pub metrics: Vec<String>,
    /// Each point's parameter values as written in the table.
    pub points: Vec<Vec<String>>,
    /// Every row of the table.
    pub rows: Vec<Row>,
    /// Target lines: metric → the share its target asks for (`targets.ID.share`).
    pub goals: BTreeMap<String, f64>,
    /// CarePath version that ran it.
    pub version: String,
}

impl Table {
    /// Reads `dir/sweep.csv` with the manifest's facts.
    pub(crate) fn read(dir: &Path, manifest: &crate::sweep::Manifest) -> Result<Table> {
        let path = dir.join("sweep.csv");
        let mut r =
            csv::Reader::from_path(&path).with_context(|| format!("reading {}", path.display()))?;
        let np = manifest.parameters.len();
        let mut points: Vec<Vec<String>> = vec![Vec::new(); manifest.points];
        let mut rows = Vec::new();
        let bad = |line: u64| anyhow::anyhow!("{}:{line}: not a sweep table row", path.display());
        for rec in r.records() {
            let rec = rec.with_context(|| format!("reading {}", path.display()))?;
            let line = rec.position().map_or(0, |p| p.line());
            if rec.len() != 2 + np + 7 {
                return Err(bad(line));
            }
            let num = |i: usize| rec[i].parse::<f64>().map_err(|_| bad(line));
            let point: usize = rec[0].parse().map_err(|_| bad(line))?;
            if point >= points.len() {
                return Err(bad(line));
            }
            if points[point].is_empty() {
                points[point] = (0..np).map(|k| rec[2 + k].to_string()).collect();
            }
            rows.push(Row {
                point,
                variant: rec[1].to_string(),
                metric: rec[2 + np].to_string(),
                estimate: Estimate {
                    mean: num(3 + np)?,
                    half_width: num(6 + np)?,
                    sd: num(7 + np)?,
                },
                n: rec[8 + np].parse().map_err(|_| bad(line))?,
            });
        }
        Ok(Table {
            scenario: manifest.scenario_name.clone(),
            study: manifest.study.clone(),
            replications: manifest.replications,
            seed: manifest.seed,
            variants: manifest.variants.clone(),
            parameters: manifest.parameters.clone(),
            metrics: manifest.metrics.clone(),
            points,
            rows,
            goals: manifest.goals.clone(),
            version: manifest.carepath_version.clone(),
        })
    }

    fn input(&self) -> SweepInput<'_> {
        SweepInput {
            scenario: &self.scenario,
            replications: self.replications,
            parameters: &self.parameters,
            points: &self.points,
            rows: &self.rows,
        }
    }

    /// Parameters taking more than one value.
    fn varying(&self) -> usize {
        (0..self.parameters.len())
            .filter(|&k| {
                self.points
                    .iter()
                    .any(|p| p.get(k) != self.points.first().and_then(|f| f.get(k)))
            })
            .count()
    }
}

/// Every chart of `table`: per metric the line chart, and a heat map per variant when
/// exactly two parameters vary. A chart the table cannot give (too many lines) is left out
/// with the reason, returned beside the charts.
pub(crate) fn charts(table: &Table) -> Result<(Vec<Chart>, Vec<String>)> {
    let input = table.input();
    let mut charts = Vec::new();
    let mut skipped = Vec::new();
    for m in &table.metrics {
        let goal = table.goals.get(m).copied();
        match Chart::sweep(&input, m, goal) {
            Ok(c) => charts.push(c),
            Err(e @ (ChartError::TooManyLines { .. } | ChartError::VaryingParameters { .. })) => {
                skipped.push(format!("{m}: {e}"))
            }
            Err(e) => return Err(e.into()),
        }
        if table.varying() == 2 {
            for v in &table.variants {
                charts.push(Chart::sweep_heatmap(&input, m, v, goal)?);
            }
        }
    }
    Ok((charts, skipped))
}

/// Stages every chart of `table` in `dir` as SVG and PNG; returns how many.
pub(crate) fn stage(files: &mut Outputs, dir: &Path, table: &Table, quiet: bool) -> Result<usize> {
    let (charts, skipped) = charts(table)?;
    if !quiet {
        for s in &skipped {
            crate::eprint_clean(&format!("warning: no sweep chart for {s}\n"));
        }
    }
    for c in &charts {
        let stem = c.file_stem();
        files.write(dir, &format!("{stem}.svg"), c.svg()?.as_bytes())?;
        files.write(dir, &format!("{stem}.png"), &c.png()?)?;
    }
    Ok(charts.len())
}

/// Most rows of the table of points meeting a target shown in the report (the rest are in
/// sweep.csv).
const MAX_MEETING_ROWS: usize = 200;

/// The sweep report: one self-contained HTML file.
pub(crate) fn report(table: &Table) -> Result<String> {
    let (charts, skipped) = charts(table)?;
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"CarePath {}\">\n<title>CarePath sweep — {}</title>\n\
         <style>{}{}</style>\n</head>\n<body>\n<header>\n<h1>Sweep: {}</h1>\n",
        esc(&table.version),
        esc(&table.scenario),
        crate::report::STYLE,
        carepath_charts::report::STYLE,
        esc(&table.scenario)
    );
    let _ = writeln!(
        h,
        "<p class=meta>Study <code>{}</code> · {} points · parameters {} · variants {} · seed {} \
         (the same patients at every point) · {} replications per point and variant · intervals \
         are 95% confidence intervals over replications · CarePath {}</p>\n</header>",
        esc(&table.study),
        table.points.len(),
        esc(&table.parameters.join(", ")),
        esc(&table.variants.join(", ")),
        table.seed,
        table.replications,
        esc(&table.version)
    );
    for (metric, goal) in &table.goals {
        if !table.metrics.contains(metric) {
            continue;
        }
        let _ = writeln!(
            h,
            "<section><h2>Points meeting {} ≥ {} with 95% confidence</h2>",
            esc(metric),
            goal
        );
        let meeting: Vec<&Row> = table
            .rows
            .iter()
            .filter(|r| &r.metric == metric && r.estimate.low() >= *goal)
            .collect();
        if meeting.is_empty() {
            h.push_str("<p>None: no point's interval lies wholly at or above the target.</p>");
        } else {
            h.push_str("<table><thead><tr><th>variant</th>");
            for p in &table.parameters {
                let _ = write!(h, "<th>{}</th>", esc(p));
            }
            h.push_str("<th>mean [95% CI]</th></tr></thead><tbody>");
            for r in meeting.iter().take(MAX_MEETING_ROWS) {
                let _ = write!(h, "<tr><td>{}</td>", esc(&r.variant));
                for v in &table.points[r.point] {
                    let _ = write!(h, "<td>{}</td>", esc(v));
                }
                let _ = write!(
                    h,
                    "<td>{:.4} <span class=ci>[{:.4}, {:.4}]</span></td></tr>",
                    r.estimate.mean,
                    r.estimate.low(),
                    r.estimate.high()
                );
            }
            h.push_str("</tbody></table>");
            if meeting.len() > MAX_MEETING_ROWS {
                let _ = write!(
                    h,
                    "<p>… and {} more (see sweep.csv).</p>",
                    meeting.len() - MAX_MEETING_ROWS
                );
            }
        }
        h.push_str("</section>\n");
    }
    h.push_str("<section><h2>Charts</h2>\n");
    for c in &charts {
        let _ = writeln!(h, "<figure>{}</figure>", c.svg()?);
    }
    for s in &skipped {
        let _ = writeln!(h, "<p>No chart for {}.</p>", esc(s));
    }
    let _ = write!(
        h,
        "</section>\n<footer>Made by CarePath {} with <code>carepath report</code> from the \
         sweep's table; every number is in sweep.csv, and the sweep can be run again with the \
         study file above.</footer>\n</body>\n</html>\n",
        esc(&table.version)
    );
    Ok(h)
}

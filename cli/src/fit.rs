//! `carepath fit DATA.csv`: fits the candidate families to a column of observed durations
//! (sim-core's [`sim_core::fit`]), prints the ranking and the best fits as scenario TOML, and
//! with `--out DIR` writes `fit.json` and the two charts. The file is read as a scenario's
//! data file is (header row, units explicit: in the header, with `--unit`, or in each value).

use crate::output::Outputs;
use crate::replicate::{Stopped, interrupted};
use crate::{InputError, out};
use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sim_core::data::DataTable;
use sim_core::fit::{CANDIDATES, FitError, FitReport, fit_all};
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Options of `carepath fit`.
#[derive(clap::Args, Debug)]
pub(crate) struct FitArgs {
    /// CSV file of observations with a header row.
    data: PathBuf,
    /// The column to fit (needed when the file has several).
    #[arg(long, value_name = "NAME")]
    column: Option<String>,
    /// Unit of the values when the header does not state it (s, min, h).
    #[arg(long, value_name = "UNIT")]
    unit: Option<String>,
    /// Best fits printed as TOML.
    #[arg(long, default_value_t = 3, value_name = "N")]
    top: usize,
    /// Parametric-bootstrap samples per family for the p-values (0: no p-values).
    #[arg(long, default_value_t = 199, value_name = "B")]
    bootstrap: u32,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write fit.json and the charts (fit_density, fit_qq; SVG and PNG) into this directory.
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
}

/// Largest bootstrap accepted.
const MAX_BOOTSTRAP: u32 = 100_000;

/// Runs `carepath fit`.
pub(crate) fn run(args: FitArgs) -> Result<()> {
    if args.bootstrap > MAX_BOOTSTRAP {
        return Err(InputError(format!(
            "--bootstrap {} is more than the limit of {MAX_BOOTSTRAP}",
            args.bootstrap
        ))
        .into());
    }
    let name = args.data.display().to_string();
    let text = sim_core::data::files::read_limited(&args.data).map_err(InputError)?;
    let table = DataTable::parse(&text).map_err(|e| InputError(format!("{name}: {e}")))?;
    let obs = table
        .minutes(args.column.as_deref(), args.unit.as_deref())
        .map_err(|e| InputError(format!("{name}: {e}")))?;
    let bar = if args.quiet || args.bootstrap == 0 || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::with_draw_target(
            Some(u64::from(args.bootstrap) * CANDIDATES.len() as u64),
            ProgressDrawTarget::stderr(),
        );
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} bootstrap {pos}/{len} [{bar:30}] {elapsed_precise} eta {eta}",
            )
            .expect("static template")
            .progress_chars("=> "),
        );
        b
    };
    let report = fit_all(&obs.minutes, args.bootstrap, args.seed, &mut || {
        bar.inc(1);
        !interrupted()
    });
    bar.finish_and_clear();
    let report = match report {
        Ok(r) => r,
        Err(FitError::Interrupted) => {
            return Err(
                Stopped("interrupted during the bootstrap; no files were written".into()).into(),
            );
        }
        Err(e) => return Err(InputError(format!("{name}, column {:?}: {e}", obs.column)).into()),
    };
    let label = format!("{name}, column {:?}", obs.column);
    if !args.quiet {
        out(&table_text(&label, &report, args.top))?;
    }
    if let Some(dir) = &args.out {
        let mut sorted = obs.minutes.clone();
        sorted.sort_by(f64::total_cmp);
        let mut files = Outputs::default();
        let json = serde_json::to_string_pretty(&report.file(&label))? + "\n";
        files.write(dir, "fit.json", json.as_bytes())?;
        for chart in [
            carepath_charts::Chart::fit_density(&label, &report, &sorted)?,
            carepath_charts::Chart::fit_qq(&label, &report, &sorted)?,
        ] {
            let stem = chart.file_stem().to_string();
            files.write(dir, &format!("{stem}.svg"), chart.svg()?.as_bytes())?;
            files.write(dir, &format!("{stem}.png"), &chart.png()?)?;
        }
        files.commit()?;
        if !args.quiet {
            out(&format!(
                "wrote fit.json and 2 charts (SVG and PNG) to {}\n",
                dir.display()
            ))?;
        }
    }
    Ok(())
}

/// The printed ranking.
pub(crate) fn table_text(label: &str, r: &FitReport, top: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}\n", r.heading(label));
    let _ = writeln!(
        s,
        "rank  family        params  log-lik        AIC     ΔAIC   KS D    KS p    AD A²    AD p"
    );
    for row in r.rows() {
        let _ = writeln!(
            s,
            "{:>4}  {:<12}  {:>6}  {:>9}  {:>9}  {:>7}  {}  {:>6}  {:>7}  {:>6}",
            row.rank,
            row.family,
            row.params,
            row.log_lik,
            row.aic,
            row.delta_aic,
            row.ks,
            row.ks_p,
            row.ad,
            row.ad_p
        );
    }
    for (k, why) in &r.skipped {
        let _ = writeln!(s, "   -  {:<12}  not fitted: {why}", k.name());
    }
    let _ = writeln!(s, "\n{}", r.note("--bootstrap 0"));
    let _ = writeln!(s, "\nBest fits, as a scenario writes them:");
    for f in r.fits.iter().take(top) {
        let _ = writeln!(s, "  service = {}", f.toml);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The printed ranking, on the shipped synthetic data (bootstrap 19 to stay quick).
    #[test]
    fn the_ranking_table_reads_well() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/data/consultations.csv"
        ))
        .unwrap();
        let obs = DataTable::parse(&text)
            .unwrap()
            .minutes(Some("consult"), None)
            .unwrap();
        let r = fit_all(&obs.minutes, 19, 1, &mut || true).unwrap();
        insta::assert_snapshot!(table_text("consultations.csv, column \"consult\"", &r, 3));
    }
}

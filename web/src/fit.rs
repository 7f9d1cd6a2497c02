//! The page's *Fit a distribution* panel: `carepath fit` in the browser. The user opens or
//! pastes a CSV file of observed durations; [`columns`] reads its header for the column list
//! (and says which columns need a unit), and [`fit`] fits the candidate families with
//! sim-core's [`sim_core::fit::fit_all`], returning the ranking table formatted cell by cell as
//! the CLI prints it, the best fits as scenario TOML, `fit.json` byte for byte as
//! `carepath fit --out` writes it, and the two charts as SVG.
//!
//! The fit is the CLI's: the same parser ([`DataTable`]), the same units rule (stated in the
//! header, given as the unit, or carried by each value; never guessed), the same fits and the
//! same parametric bootstrap from the same seed, which is bit-identical natively and in wasm.
//! Errors are the CLI's words, prefixed by the data's name as the CLI prefixes them by the
//! path (`consultations.csv: there is no column "nope" (columns: consult, registration)`).
//!
//! The bootstrap runs inside one call (`fit_all` cannot be resumed), so the page runs it in a
//! Web Worker of its own, reports progress through the tick callback and cancels by ending
//! that worker. The text never leaves the page.

use crate::session::ChartOut;
use serde::{Deserialize, Serialize};
use sim_core::data::DataTable;
use sim_core::fit::ranking::Row;
use sim_core::fit::{CANDIDATES, FitError, fit_all};

/// Largest bootstrap accepted (as `carepath fit --bootstrap`).
pub const MAX_BOOTSTRAP: u32 = 100_000;

/// What the page asks for; the defaults are `carepath fit`'s.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FitOptions {
    /// The name the data is shown under, as the CLI shows the path: the opened file's name,
    /// or `pasted data`.
    pub name: String,
    /// The column to fit (needed when the file has several; empty means none chosen).
    #[serde(default)]
    pub column: Option<String>,
    /// The unit of the values when the header does not state it (`s`, `min`, `h`; empty means
    /// none given).
    #[serde(default)]
    pub unit: Option<String>,
    /// Parametric-bootstrap samples per family (0: no p-values).
    #[serde(default = "default_bootstrap")]
    pub bootstrap: u32,
    /// Seed of the bootstrap.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Best fits given as TOML.
    #[serde(default = "default_top")]
    pub top: usize,
}

fn default_bootstrap() -> u32 {
    199
}

fn default_seed() -> u64 {
    1
}

fn default_top() -> usize {
    3
}

/// One column of the file, for the panel's column list.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ColumnInfo {
    /// The column's name (its header without the unit).
    pub name: String,
    /// Values in the column (non-empty cells), when they can be read.
    pub values: Option<usize>,
    /// The values are bare numbers and nothing states their unit: the user must give one.
    pub needs_unit: bool,
    /// Why the column cannot be read even with a unit (the CLI's words), if it cannot.
    pub problem: Option<String>,
}

/// The columns of a CSV text (header row first), each with whether it needs a unit; the
/// CLI's message when the text cannot be read as a data file at all.
pub fn columns(text: &str) -> Result<Vec<ColumnInfo>, String> {
    let table = DataTable::parse(text)?;
    Ok(table
        .column_names()
        .into_iter()
        .map(|name| match table.minutes(Some(name), None) {
            Ok(obs) => ColumnInfo {
                name: name.to_string(),
                values: Some(obs.minutes.len()),
                needs_unit: false,
                problem: None,
            },
            // Readable once a unit is given: bare numbers without one.
            Err(why) => match table.minutes(Some(name), Some("min")) {
                Ok(obs) => ColumnInfo {
                    name: name.to_string(),
                    values: Some(obs.minutes.len()),
                    needs_unit: true,
                    problem: None,
                },
                Err(_) => ColumnInfo {
                    name: name.to_string(),
                    values: None,
                    needs_unit: false,
                    problem: Some(why),
                },
            },
        })
        .collect())
}

/// A family that could not be fitted, and why.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Skipped {
    /// The family.
    pub family: String,
    /// Why (`the fitted normal puts 3.7% of its values below zero`).
    pub reason: String,
}

/// The panel's result.
#[derive(Debug, Serialize)]
pub struct FitOutcome {
    /// The data as the CLI names it: `consultations.csv, column "consult"`.
    pub label: String,
    /// The table's first line: `Fits to …: 240 observations, mean 6.693 min, …`.
    pub heading: String,
    /// The fits, best first.
    pub rows: Vec<Row>,
    /// Families not fitted.
    pub skipped: Vec<Skipped>,
    /// How to read the table (the CLI's paragraph under it).
    pub note: String,
    /// The best fits as a scenario writes them (`service = { dist = "gamma", … }`).
    pub best: Vec<String>,
    /// `fit.json`, byte for byte as `carepath fit --out` writes it.
    pub json: String,
    /// The histogram with the best densities (`fit_density`) and the Q-Q plot (`fit_qq`).
    pub charts: Vec<ChartOut>,
    /// Observations fitted.
    pub observations: usize,
    /// Bootstrap samples per family.
    pub bootstrap: u32,
    /// Seed of the bootstrap.
    pub seed: u64,
}

/// Total ticks of a fit with `bootstrap` samples per family (one per sample, as
/// [`fit_all`] calls its tick).
pub fn ticks(bootstrap: u32) -> u32 {
    bootstrap.saturating_mul(CANDIDATES.len() as u32)
}

/// Fits the candidate families to a column of `text` (a CSV file of observations) as
/// `carepath fit NAME --column … --unit … --bootstrap … --seed …` does. `tick(done, total)`
/// is called after each bootstrap sample; returning false stops the fit (`interrupted`).
pub fn fit(
    text: &str,
    options: &FitOptions,
    tick: &mut dyn FnMut(u32, u32) -> bool,
) -> Result<FitOutcome, String> {
    let FitOptions {
        name,
        bootstrap,
        seed,
        top,
        ..
    } = options;
    if *bootstrap > MAX_BOOTSTRAP {
        return Err(format!(
            "a bootstrap of {bootstrap} is more than the limit of {MAX_BOOTSTRAP}"
        ));
    }
    let table = DataTable::parse(text).map_err(|e| format!("{name}: {e}"))?;
    let obs = table
        .minutes(given(&options.column), given(&options.unit))
        .map_err(|e| format!("{name}: {e}"))?;
    let total = ticks(*bootstrap);
    let mut done = 0;
    let report = fit_all(&obs.minutes, *bootstrap, *seed, &mut || {
        done += 1;
        tick(done, total)
    })
    .map_err(|e| match e {
        FitError::Interrupted => "interrupted during the bootstrap".to_string(),
        e => format!("{name}, column {:?}: {e}", obs.column),
    })?;
    let label = format!("{name}, column {:?}", obs.column);
    let mut sorted = obs.minutes.clone();
    sorted.sort_by(f64::total_cmp);
    let charts = [
        carepath_charts::Chart::fit_density(&label, &report, &sorted),
        carepath_charts::Chart::fit_qq(&label, &report, &sorted),
    ]
    .into_iter()
    .map(|chart| {
        let chart = chart?;
        Ok(ChartOut {
            stem: chart.file_stem().to_string(),
            title: chart.title().to_string(),
            svg: chart.svg()?,
        })
    })
    .collect::<Result<Vec<_>, carepath_charts::ChartError>>()
    .map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(&report.file(&label)).map_err(|e| e.to_string())?;
    Ok(FitOutcome {
        heading: report.heading(&label),
        rows: report.rows(),
        skipped: report
            .skipped
            .iter()
            .map(|(k, why)| Skipped {
                family: k.name().to_string(),
                reason: why.clone(),
            })
            .collect(),
        note: report.note("bootstrap 0"),
        best: report
            .fits
            .iter()
            .take(*top)
            .map(|f| format!("service = {}", f.toml))
            .collect(),
        json: json + "\n",
        charts,
        observations: report.n,
        bootstrap: *bootstrap,
        seed: *seed,
        label,
    })
}

/// A choice the page sent, `None` when left empty.
fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped synthetic consultation times (240 values; a registration column in seconds).
    const CONSULTATIONS: &str = include_str!("../../scenarios/data/consultations.csv");

    fn options(column: &str, bootstrap: u32) -> FitOptions {
        FitOptions {
            name: "consultations.csv".into(),
            column: Some(column.into()),
            unit: None,
            bootstrap,
            seed: 1,
            top: 3,
        }
    }

    fn quiet(_: u32, _: u32) -> bool {
        true
    }

    #[test]
    fn the_panel_gives_sim_cores_report() {
        let out = fit(CONSULTATIONS, &options("consult", 19), &mut quiet).unwrap();
        let obs = DataTable::parse(CONSULTATIONS)
            .unwrap()
            .minutes(Some("consult"), None)
            .unwrap();
        let report = fit_all(&obs.minutes, 19, 1, &mut || true).unwrap();
        assert_eq!(out.label, "consultations.csv, column \"consult\"");
        assert_eq!(out.observations, 240);
        assert_eq!(out.rows, report.rows());
        assert_eq!(
            out.json,
            serde_json::to_string_pretty(&report.file(&out.label)).unwrap() + "\n"
        );
        // fit.json carries every number of the report, unrounded.
        let j: serde_json::Value = serde_json::from_str(&out.json).unwrap();
        for (f, r) in report.fits.iter().zip(j["fits"].as_array().unwrap()) {
            assert_eq!(r["family"], f.family.name());
            assert_eq!(r["aic"].as_f64().unwrap(), f.aic);
            assert_eq!(r["ks_p"].as_f64(), f.ks_p);
            assert_eq!(r["ad"].as_f64().unwrap(), f.ad);
            assert_eq!(r["toml"], f.toml.as_str());
        }
        assert_eq!(j["skipped"][0]["family"], "normal");
        assert_eq!(out.skipped[0].family, "normal");
        assert_eq!(
            out.best,
            report
                .fits
                .iter()
                .take(3)
                .map(|f| format!("service = {}", f.toml))
                .collect::<Vec<_>>()
        );
        // The charts are carepath-charts' for the same label and sorted values.
        let mut sorted = obs.minutes.clone();
        sorted.sort_by(f64::total_cmp);
        let density = carepath_charts::Chart::fit_density(&out.label, &report, &sorted).unwrap();
        assert_eq!(out.charts[0].stem, "fit_density");
        assert_eq!(out.charts[0].svg, density.svg().unwrap());
        assert_eq!(out.charts[1].stem, "fit_qq");
        assert!(out.charts[1].svg.starts_with("<svg"));
    }

    /// The cells are the CLI's: the rows of `carepath fit`'s snapshot (bootstrap 19, seed 1)
    /// with the ≤floor display of p-values the bootstrap cannot resolve.
    #[test]
    fn the_cells_are_the_clis() {
        let snapshot = include_str!(
            "../../cli/src/snapshots/carepath__fit__tests__the_ranking_table_reads_well.snap"
        );
        let out = fit(CONSULTATIONS, &options("consult", 19), &mut quiet).unwrap();
        let printed: Vec<Vec<&str>> = snapshot
            .lines()
            .skip_while(|l| !l.starts_with("rank"))
            .skip(1)
            .take_while(|l| !l.trim().is_empty())
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert_eq!(printed.len(), out.rows.len() + out.skipped.len());
        for (cli, row) in printed.iter().zip(&out.rows) {
            let params = row.params.to_string();
            let rank = row.rank.to_string();
            let page = [
                rank.as_str(),
                &row.family,
                &params,
                &row.log_lik,
                &row.aic,
                &row.delta_aic,
                &row.ks,
                &row.ks_p,
                &row.ad,
                &row.ad_p,
            ];
            assert_eq!(cli.as_slice(), page.as_slice());
        }
        assert!(out.rows.iter().any(|r| r.ad_p == "≤0.050"));
        let skipped = printed.last().unwrap().join(" ");
        assert_eq!(
            skipped,
            format!(
                "- {} not fitted: {}",
                out.skipped[0].family, out.skipped[0].reason
            )
        );
        let heading = snapshot.lines().find(|l| l.starts_with("Fits to")).unwrap();
        assert_eq!(out.heading, heading);
        assert!(snapshot.contains(&out.note), "{}", out.note);
        for best in &out.best {
            assert!(snapshot.contains(&format!("  {best}\n")), "{best}");
        }
    }

    #[test]
    fn the_bootstrap_ticks_and_can_be_stopped() {
        let mut seen = Vec::new();
        let out = fit(CONSULTATIONS, &options("consult", 3), &mut |done, total| {
            seen.push((done, total));
            true
        })
        .unwrap();
        // Normal is not fitted, so its 3 samples never tick.
        assert_eq!(seen.len(), 3 * 8);
        assert!(seen.iter().all(|&(_, total)| total == ticks(3)));
        assert_eq!(seen.last().unwrap().0, 24);
        assert_eq!(out.bootstrap, 3);
        let e = fit(CONSULTATIONS, &options("consult", 3), &mut |done, _| {
            done < 5
        })
        .unwrap_err();
        assert_eq!(e, "interrupted during the bootstrap");
        // No bootstrap: no p-values, shown as a dash.
        let none = fit(CONSULTATIONS, &options("consult", 0), &mut quiet).unwrap();
        assert!(none.rows.iter().all(|r| r.ks_p == "—" && r.ad_p == "—"));
        assert!(none.note.ends_with("No p-values (bootstrap 0)."));
    }

    #[test]
    fn a_column_in_seconds_is_fitted_in_minutes() {
        let out = fit(CONSULTATIONS, &options("registration", 0), &mut quiet).unwrap();
        let j: serde_json::Value = serde_json::from_str(&out.json).unwrap();
        assert_eq!(j["data"], "consultations.csv, column \"registration\"");
        // 74 s is the first registration time; every value was divided by 60.
        assert!(j["min_min"].as_f64().unwrap() < 74.0 / 60.0);
        assert!(out.best[0].contains("min\""), "{}", out.best[0]);
    }

    /// The errors are the CLI's, prefixed by the data's name as the CLI prefixes the path.
    #[test]
    fn errors_are_worded_as_the_cli_words_them() {
        let err = |text: &str, column: Option<&str>, unit: Option<&str>| {
            let o = FitOptions {
                name: "obs.csv".into(),
                column: column.map(String::from),
                unit: unit.map(String::from),
                bootstrap: 0,
                seed: 1,
                top: 3,
            };
            fit(text, &o, &mut quiet).unwrap_err()
        };
        assert_eq!(
            err(CONSULTATIONS, Some("nope"), None),
            "obs.csv: there is no column \"nope\" (columns: consult, registration)"
        );
        assert_eq!(
            err(CONSULTATIONS, None, None),
            "obs.csv: the file has 2 columns (consult, registration): name one with `column`"
        );
        // An empty choice is no choice.
        assert_eq!(
            err(CONSULTATIONS, Some(""), Some(" ")),
            err(CONSULTATIONS, None, None)
        );
        let bare = "consult\n4.5\n12\n7\n6\n9.5\n";
        assert_eq!(
            err(bare, None, None),
            "obs.csv: line 2: \"4.5\" has no unit: state it in the column's header \
             (\"consult (min)\"), as `unit = \"min\"` (for `carepath fit`, --unit min), or in each \
             value (\"4.5min\")"
        );
        assert!(
            fit(
                bare,
                &FitOptions {
                    unit: Some("min".into()),
                    ..options("consult", 0)
                },
                &mut quiet
            )
            .is_ok()
        );
        assert_eq!(
            err(bare, None, Some("furlongs")),
            "obs.csv: unknown unit \"furlongs\" for column \"consult\" (use s, min, h or d)"
        );
        assert_eq!(
            err("x (min)\n1\n2\n", None, None),
            "obs.csv, column \"x\": 2 observations are too few to fit a distribution (at least 5)"
        );
        assert_eq!(
            err("x (min)\n3\n3\n3\n3\n3\n", None, None),
            "obs.csv, column \"x\": every observation is 3 min: use dist = \"deterministic\""
        );
        assert_eq!(
            err("", None, None),
            "obs.csv: the file is empty: it needs a header row naming its columns"
        );
        let big = FitOptions {
            bootstrap: MAX_BOOTSTRAP + 1,
            ..options("consult", 0)
        };
        assert_eq!(
            fit(CONSULTATIONS, &big, &mut quiet).unwrap_err(),
            "a bootstrap of 100001 is more than the limit of 100000"
        );
    }

    #[test]
    fn the_column_list_says_which_columns_need_a_unit() {
        assert_eq!(
            columns(CONSULTATIONS).unwrap(),
            [
                ColumnInfo {
                    name: "consult".into(),
                    values: Some(240),
                    needs_unit: false,
                    problem: None
                },
                ColumnInfo {
                    name: "registration".into(),
                    values: Some(240),
                    needs_unit: false,
                    problem: None
                }
            ]
        );
        let cols = columns("consult,note,each\n4.5,a,3min\n12,,4min\n").unwrap();
        assert_eq!((cols[0].values, cols[0].needs_unit), (Some(2), true));
        assert_eq!(cols[1].values, None);
        assert_eq!(
            cols[1].problem.as_deref(),
            Some("line 2: duration \"a\": \"\" is not a number")
        );
        assert_eq!((cols[2].values, cols[2].needs_unit), (Some(2), false));
        assert_eq!(
            columns("").unwrap_err(),
            "the file is empty: it needs a header row naming its columns"
        );
    }
}

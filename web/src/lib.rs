//! CarePath in the browser: the WebAssembly module behind the web page. Everything crosses the
//! boundary as strings (TOML in, JSON out), so the JavaScript side stays small and this crate
//! is tested natively like any other.
//!
//! - [`gallery()`]: the bundled scenarios ([`gallery::GALLERY`]).
//! - [`inspect()`]: problems placed on their lines, warnings, what the controls are built from,
//!   and the data files the scenario reads.
//! - [`apply_settings()`]: the sliders and switches rewrite the scenario text ([`settings`]).
//! - [`WebRun`]: a run or comparison driven one replication at a time ([`session`]), so a Web
//!   Worker can report progress and be stopped between replications.
//! - [`fit_columns()`] and [`fit_csv()`]: `carepath fit` for the page's *Fit a distribution*
//!   panel ([`fit`]): a CSV file's columns, then the ranking, TOML snippets, `fit.json` and
//!   charts.
//! - [`sweep_plan()`], [`WebSweepPoint`], [`sweep_csv()`] and [`sweep_chart()`]: `carepath
//!   sweep` for the page's *Sweep* panel ([`sweep`]): a study's points, one point run stepwise
//!   in each of a pool of workers, then `sweep.csv` and the sweep chart of a metric.
//!
//! - [`animation_data()`]: the *Animated day* panel's data ([`animation`]): replication 0 of
//!   the models a run built, with the event log of every patient.
//!
//! [`inspect()`] and [`WebRun::start`] take the data files the page holds (CSV files uploaded
//! or pasted, for empirical distributions with `file = "…"`) as an optional JSON object of
//! path to text ([`data`]); left out, the scenario reads none.
//!
//! The simulation is sim-core's, seeded the same way, so a scenario and seed give the same bits
//! here as in `carepath run`; the charts are carepath-charts', which measure text with an
//! embedded font and so need no DOM (they run inside the worker).

pub mod animation;
pub mod data;
pub mod fit;
pub mod gallery;
pub mod inspect;
pub mod session;
pub mod settings;
pub mod sweep;

use wasm_bindgen::prelude::*;

/// CarePath's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The bundled scenarios as JSON: `[{id, title, blurb, variants, toml}]`.
#[wasm_bindgen]
pub fn gallery() -> String {
    serde_json::to_string(gallery::GALLERY).unwrap_or_else(|_| "[]".into())
}

/// The pathway diagram of the scenario's base model, or of `variant`, as SVG (the one
/// `carepath diagram` draws); an empty string when the scenario does not compile (its
/// problems are shown by `inspect`).
#[wasm_bindgen]
pub fn diagram(text: &str, variant: Option<String>, data: Option<String>) -> String {
    let model = data::parse(data.as_deref()).ok().and_then(|texts| {
        let scenario = sim_core::Scenario::parse(text).ok()?;
        data::attach(scenario, &texts)
            .ok()?
            .model(variant.as_deref())
            .ok()
    });
    model.map_or_else(String::new, |m| {
        carepath_charts::diagram::pathway_diagram(&m)
    })
}

/// Checks a scenario text with the data files `data` (JSON object of path to CSV text, see
/// [`data`]); JSON of [`inspect::Inspection`].
#[wasm_bindgen]
pub fn inspect(text: &str, data: Option<String>) -> String {
    let inspection = match data::parse(data.as_deref()) {
        Ok(texts) => inspect::inspect(text, &texts),
        Err(message) => inspect::Inspection {
            errors: vec![inspect::ErrorAt {
                line: None,
                column: None,
                message,
            }],
            ..Default::default()
        },
    };
    serde_json::to_string(&inspection).unwrap_or_else(|e| error_json(&e.to_string()))
}

/// Applies the controls' settings (JSON of [`settings::Settings`]) to a scenario text; JSON
/// `{"ok": true, "text": ...}` or `{"ok": false, "error": ...}`.
#[wasm_bindgen]
pub fn apply_settings(text: &str, settings: &str) -> String {
    let result = serde_json::from_str::<settings::Settings>(settings)
        .map_err(|e| format!("bad settings: {e}"))
        .and_then(|s| settings::apply(text, &s));
    match result {
        Ok(text) => serde_json::json!({ "ok": true, "text": text }).to_string(),
        Err(e) => error_json(&e),
    }
}

/// The columns of a CSV text of observations, for the fit panel's column list: JSON
/// `{"ok": true, "columns": [`[`fit::ColumnInfo`]`]}` or `{"ok": false, "error": ...}`.
#[wasm_bindgen]
pub fn fit_columns(text: &str) -> String {
    match fit::columns(text) {
        Ok(columns) => serde_json::json!({ "ok": true, "columns": columns }).to_string(),
        Err(e) => error_json(&e),
    }
}

/// Fits the candidate families to a column of a CSV text of observations, as `carepath fit`
/// does. `options` is JSON of [`fit::FitOptions`] (`{"name", "column", "unit", "bootstrap",
/// "seed"}`). Returns JSON of [`fit::FitOutcome`] with `"ok": true`, or `{"ok": false,
/// "error": ...}` with the CLI's words. In wasm, progress goes to the global function
/// `carepathFitProgress(done, total)` when the worker defines one (after each bootstrap
/// sample); the page cancels a fit by ending its worker.
#[wasm_bindgen]
pub fn fit_csv(text: &str, options: &str) -> String {
    let result = serde_json::from_str::<fit::FitOptions>(options)
        .map_err(|e| format!("bad fit options: {e}"))
        .and_then(|o| fit::fit(text, &o, &mut progress));
    match result.and_then(|out| serde_json::to_value(out).map_err(|e| e.to_string())) {
        Ok(mut out) => {
            out["ok"] = true.into();
            out.to_string()
        }
        Err(e) => error_json(&e),
    }
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
extern "C" {
    /// The worker's progress callback (a missing one throws, which is caught and ignored).
    #[wasm_bindgen(catch, js_name = carepathFitProgress)]
    fn fit_progress(done: u32, total: u32) -> Result<(), JsValue>;
}

/// Reports a fit's progress to the page (wasm only); the fit always goes on.
fn progress(done: u32, total: u32) -> bool {
    #[cfg(target_arch = "wasm32")]
    let _ = fit_progress(done, total);
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (done, total);
    true
}

/// Reads a study file's text (`docs/studies.md`; its `scenario` key is not read: the scenario
/// is `text`, with the data files `data` as for [`inspect()`]) and checks its first point in
/// every variant, as `carepath sweep` does before anything runs. JSON of [`sweep::Plan`] with
/// `"ok": true`, or `{"ok": false, "error": ...}` with the CLI's words.
#[wasm_bindgen]
pub fn sweep_plan(study: &str, text: &str, data: Option<String>) -> String {
    let result = data::parse(data.as_deref())
        .and_then(|d| sweep::plan(study, text, &d))
        .and_then(|p| serde_json::to_value(p).map_err(|e| e.to_string()));
    match result {
        Ok(mut out) => {
            out["ok"] = true.into();
            out.to_string()
        }
        Err(e) => error_json(&e),
    }
}

/// `sweep.csv` of a finished sweep, byte for byte as `carepath sweep --out DIR` writes it.
/// `table` is JSON of [`sweep::Table`] (the plan's facts and the rows the points returned).
#[wasm_bindgen]
pub fn sweep_csv(table: &str) -> String {
    let result = serde_json::from_str::<sweep::Table>(table)
        .map_err(|e| format!("bad sweep table: {e}"))
        .and_then(|t| sweep::csv(&t));
    match result {
        Ok(csv) => serde_json::json!({ "ok": true, "csv": csv }).to_string(),
        Err(e) => error_json(&e),
    }
}

/// The sweep chart of `metric` (SVG), as `carepath sweep --charts DIR` draws it: JSON
/// `{"ok": true, "stem", "title", "svg"}` or `{"ok": false, "error": ...}`.
#[wasm_bindgen]
pub fn sweep_chart(table: &str, metric: &str) -> String {
    let result = serde_json::from_str::<sweep::Table>(table)
        .map_err(|e| format!("bad sweep table: {e}"))
        .and_then(|t| sweep::chart(&t, metric))
        .and_then(|c| serde_json::to_value(c).map_err(|e| e.to_string()));
    match result {
        Ok(mut out) => {
            out["ok"] = true.into();
            out.to_string()
        }
        Err(e) => error_json(&e),
    }
}

/// The animated day of the run `WebRun::start(text, variants, data)` would make: replication 0
/// of each of its models with every patient's events, as JSON of [`animation::Animation`]
/// with `"ok": true`, or `{"ok": false, "error": ...}` (a bad scenario, or a day of more than
/// [`animation::MAX_EVENTS`] events).
#[wasm_bindgen]
pub fn animation_data(text: &str, variants: &str, data: Option<String>) -> String {
    animation::to_json((|| {
        let variants: Vec<String> =
            serde_json::from_str(variants).map_err(|e| format!("bad variant list: {e}"))?;
        let texts = data::parse(data.as_deref())?;
        let scenario = sim_core::Scenario::parse(text)
            .and_then(|s| data::attach(s, &texts))
            .map_err(|e| e.to_string())?;
        let models = animation::models_of(&scenario, &variants)?;
        animation::animation(&models)
    })())
}

fn error_json(message: &str) -> String {
    serde_json::json!({ "ok": false, "error": message }).to_string()
}

/// A run (one variant or the base) or a comparison (two or more variants) in progress.
#[wasm_bindgen]
pub struct WebRun(session::Session);

#[wasm_bindgen]
impl WebRun {
    /// Builds the models. `variants` is a JSON list of variant ids (empty: the base scenario);
    /// `data` the data files, as for [`inspect()`]. Fails with the CLI's message when the
    /// scenario or a variant does not build.
    pub fn start(text: &str, variants: &str, data: Option<String>) -> Result<WebRun, String> {
        let variants: Vec<String> =
            serde_json::from_str(variants).map_err(|e| format!("bad variant list: {e}"))?;
        let data = data::parse(data.as_deref())?;
        session::Session::new(text, &variants, &data)
            .map(WebRun)
            .map_err(|e| e.to_string())
    }

    /// Replications to run in all.
    pub fn total(&self) -> u32 {
        self.0.total()
    }

    /// Replications run so far.
    pub fn done(&self) -> u32 {
        self.0.done()
    }

    /// Runs the next replication; false when all have run.
    pub fn step(&mut self) -> bool {
        self.0.step()
    }

    /// The result as JSON of [`session::Outcome`] (an error message when unfinished).
    pub fn finish(&self) -> Result<String, String> {
        let out = self.0.finish()?;
        serde_json::to_string(&out).map_err(|e| e.to_string())
    }
}

/// One point of a sweep (every variant) in progress, run one replication at a time like
/// [`WebRun`], so that a worker of the page's pool reports progress and can be stopped.
#[wasm_bindgen]
pub struct WebSweepPoint(sweep::PointRun);

#[wasm_bindgen]
impl WebSweepPoint {
    /// Builds point `index` (0-based) of the study `study` of the scenario `text` (with the
    /// data files `data`). Fails with the CLI's words when the point does not build.
    pub fn start(
        study: &str,
        text: &str,
        data: Option<String>,
        index: u32,
    ) -> Result<WebSweepPoint, String> {
        let data = data::parse(data.as_deref())?;
        sweep::PointRun::new(study, text, &data, index as usize).map(WebSweepPoint)
    }

    /// Replications to run in all (every variant).
    pub fn total(&self) -> u32 {
        self.0.total()
    }

    /// Replications run so far.
    pub fn done(&self) -> u32 {
        self.0.done()
    }

    /// Runs the next replication; false when all have run.
    pub fn step(&mut self) -> bool {
        self.0.step()
    }

    /// The point's rows as a JSON list of [`sweep::RowOut`] (an error when unfinished).
    pub fn finish(&self) -> Result<String, String> {
        let rows = self.0.finish()?;
        serde_json::to_string(&rows).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_boundary_speaks_json() {
        let g: serde_json::Value = serde_json::from_str(&gallery()).unwrap();
        assert_eq!(g[0]["id"], "future-hospital");
        let text = g
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == "teaching-shared-doctor")
            .and_then(|e| e["toml"].as_str())
            .unwrap();
        let i: serde_json::Value = serde_json::from_str(&inspect(text, None)).unwrap();
        assert_eq!(i["ok"], true);
        assert_eq!(i["data_files"], serde_json::json!([]));
        let applied: serde_json::Value =
            serde_json::from_str(&apply_settings(text, r#"{"seed": 5, "replications": 2}"#))
                .unwrap();
        assert_eq!(applied["ok"], true);
        let bad: serde_json::Value =
            serde_json::from_str(&apply_settings(text, r#"{"sed": 5}"#)).unwrap();
        assert_eq!(bad["ok"], false);
        assert!(bad["error"].as_str().unwrap().contains("unknown field"));
        let mut run = WebRun::start(applied["text"].as_str().unwrap(), "[]", None).unwrap();
        assert!(run.finish().is_err());
        while run.step() {}
        assert_eq!(run.done(), run.total());
        let out: serde_json::Value = serde_json::from_str(&run.finish().unwrap()).unwrap();
        assert_eq!(out["kind"], "run");
        assert_eq!(out["seed"], 5);
        assert!(WebRun::start(text, "[\"nope\"]", None).is_err());
        assert!(WebRun::start(text, "not json", None).is_err());
    }

    #[test]
    fn fits_cross_as_json() {
        let csv = include_str!("../../scenarios/data/consultations.csv");
        let cols: serde_json::Value = serde_json::from_str(&fit_columns(csv)).unwrap();
        assert_eq!(cols["ok"], true);
        assert_eq!(cols["columns"][1]["name"], "registration");
        let bad: serde_json::Value = serde_json::from_str(&fit_columns("")).unwrap();
        assert_eq!(bad["ok"], false);
        let options = r#"{"name": "consultations.csv", "column": "consult", "bootstrap": 9}"#;
        let out: serde_json::Value = serde_json::from_str(&fit_csv(csv, options)).unwrap();
        assert_eq!(out["ok"], true, "{out}");
        assert_eq!(out["rows"][0]["family"], "weibull");
        assert_eq!(out["seed"], 1);
        let direct = fit::fit(csv, &serde_json::from_str(options).unwrap(), &mut |_, _| {
            true
        })
        .unwrap();
        assert_eq!(out["json"], direct.json.as_str());
        assert_eq!(out["charts"][1]["svg"], direct.charts[1].svg.as_str());
        let e: serde_json::Value =
            serde_json::from_str(&fit_csv(csv, r#"{"name": "x.csv"}"#)).unwrap();
        assert_eq!(e["ok"], false);
        assert!(
            e["error"]
                .as_str()
                .unwrap()
                .starts_with("x.csv: the file has 2 columns")
        );
        let e: serde_json::Value =
            serde_json::from_str(&fit_csv(csv, r#"{"name": "x", "boot": 1}"#)).unwrap();
        assert!(e["error"].as_str().unwrap().starts_with("bad fit options"));
    }

    #[test]
    fn sweeps_cross_as_json() {
        let text = include_str!("../../scenarios/mmc.toml");
        let study = "[sweep]\nscenario = \"mmc.toml\"\nreplications = 2\nmetrics = [\"time_in_system_min.mean\"]\n[parameters]\n\"stations.server.servers\" = [3, 4]\n";
        let plan: serde_json::Value = serde_json::from_str(&sweep_plan(study, text, None)).unwrap();
        assert_eq!(plan["ok"], true, "{plan}");
        assert_eq!(plan["points"], serde_json::json!([["3"], ["4"]]));
        let mut rows = Vec::new();
        for i in 0..2 {
            let mut p = WebSweepPoint::start(study, text, None, i).unwrap();
            assert!(p.finish().is_err());
            while p.step() {}
            assert_eq!(p.done(), p.total());
            let r: Vec<serde_json::Value> = serde_json::from_str(&p.finish().unwrap()).unwrap();
            rows.extend(r);
        }
        let table = serde_json::json!({
            "scenario_name": plan["scenario_name"], "replications": 2,
            "parameters": plan["parameters"], "points": plan["points"], "rows": rows,
        })
        .to_string();
        let csv: serde_json::Value = serde_json::from_str(&sweep_csv(&table)).unwrap();
        assert_eq!(csv["ok"], true, "{csv}");
        assert_eq!(csv["csv"].as_str().unwrap().lines().count(), 3);
        let chart: serde_json::Value =
            serde_json::from_str(&sweep_chart(&table, "time_in_system_min.mean")).unwrap();
        assert_eq!(chart["ok"], true, "{chart}");
        assert!(chart["svg"].as_str().unwrap().starts_with("<svg"));
        let bad: serde_json::Value = serde_json::from_str(&sweep_csv("[]")).unwrap();
        assert_eq!(bad["ok"], false);
        let bad: serde_json::Value = serde_json::from_str(&sweep_plan("nope", text, None)).unwrap();
        assert_eq!(bad["ok"], false);
        assert!(WebSweepPoint::start(study, text, None, 2).is_err());
    }

    #[test]
    fn data_files_cross_as_a_json_object() {
        use crate::data::tests::{OBS_CSV, WITH_FILE};
        let files = serde_json::json!({ "obs.csv": OBS_CSV }).to_string();
        let missing: serde_json::Value =
            serde_json::from_str(&inspect(WITH_FILE, Some("{}".into()))).unwrap();
        assert_eq!(missing["ok"], false);
        assert_eq!(missing["missing_data"], serde_json::json!(["obs.csv"]));
        assert_eq!(missing["data_files"][0]["path"], "obs.csv");
        let e = WebRun::start(WITH_FILE, "[]", None).err().unwrap();
        assert!(e.contains("data file \"obs.csv\" was not supplied"), "{e}");
        let found: serde_json::Value =
            serde_json::from_str(&inspect(WITH_FILE, Some(files.clone()))).unwrap();
        assert_eq!(found["ok"], true, "{found}");
        assert_eq!(found["data_files"][0]["supplied"], true);
        let mut run = WebRun::start(WITH_FILE, "[]", Some(files)).unwrap();
        while run.step() {}
        assert!(run.finish().is_ok());
        let bad: serde_json::Value =
            serde_json::from_str(&inspect(WITH_FILE, Some("[1]".into()))).unwrap();
        assert_eq!(bad["ok"], false);
        assert!(
            bad["errors"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with("bad data files")
        );
        assert!(WebRun::start(WITH_FILE, "[]", Some("nope".into())).is_err());
    }
}

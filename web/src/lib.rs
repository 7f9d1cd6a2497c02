//! CarePath in the browser: the WebAssembly module behind the web page. Everything crosses the
//! boundary as strings (TOML in, JSON out), so the JavaScript side stays small and this crate
//! is tested natively like any other.
//!
//! - [`gallery()`]: the bundled scenarios ([`gallery::GALLERY`]).
//! - [`inspect()`]: problems placed on their lines, warnings, and what the controls are built from.
//! - [`apply_settings()`]: the sliders and switches rewrite the scenario text ([`settings`]).
//! - [`WebRun`]: a run or comparison driven one replication at a time ([`session`]), so a Web
//!   Worker can report progress and be stopped between replications.
//!
//! The simulation is sim-core's, seeded the same way, so a scenario and seed give the same bits
//! here as in `carepath run`; the charts are carepath-charts', which measure text with an
//! embedded font and so need no DOM (they run inside the worker).

pub mod gallery;
pub mod inspect;
pub mod session;
pub mod settings;

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

/// Checks a scenario text; JSON of [`inspect::Inspection`].
#[wasm_bindgen]
pub fn inspect(text: &str) -> String {
    serde_json::to_string(&inspect::inspect(text)).unwrap_or_else(|e| error_json(&e.to_string()))
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

fn error_json(message: &str) -> String {
    serde_json::json!({ "ok": false, "error": message }).to_string()
}

/// A run (one variant or the base) or a comparison (two or more variants) in progress.
#[wasm_bindgen]
pub struct WebRun(session::Session);

#[wasm_bindgen]
impl WebRun {
    /// Builds the models. `variants` is a JSON list of variant ids (empty: the base scenario).
    /// Fails with the CLI's message when the scenario or a variant does not build.
    pub fn start(text: &str, variants: &str) -> Result<WebRun, String> {
        let variants: Vec<String> =
            serde_json::from_str(variants).map_err(|e| format!("bad variant list: {e}"))?;
        session::Session::new(text, &variants)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_boundary_speaks_json() {
        let g: serde_json::Value = serde_json::from_str(&gallery()).unwrap();
        assert_eq!(g[0]["id"], "future-hospital");
        let text = g[7]["toml"].as_str().unwrap();
        let i: serde_json::Value = serde_json::from_str(&inspect(text)).unwrap();
        assert_eq!(i["ok"], true);
        let applied: serde_json::Value =
            serde_json::from_str(&apply_settings(text, r#"{"seed": 5, "replications": 2}"#))
                .unwrap();
        assert_eq!(applied["ok"], true);
        let bad: serde_json::Value =
            serde_json::from_str(&apply_settings(text, r#"{"sed": 5}"#)).unwrap();
        assert_eq!(bad["ok"], false);
        assert!(bad["error"].as_str().unwrap().contains("unknown field"));
        let mut run = WebRun::start(applied["text"].as_str().unwrap(), "[]").unwrap();
        assert!(run.finish().is_err());
        while run.step() {}
        assert_eq!(run.done(), run.total());
        let out: serde_json::Value = serde_json::from_str(&run.finish().unwrap()).unwrap();
        assert_eq!(out["kind"], "run");
        assert_eq!(out["seed"], 5);
        assert!(WebRun::start(text, "[\"nope\"]").is_err());
        assert!(WebRun::start(text, "not json").is_err());
    }
}

//! The data files a scenario reads (CSV files of observed values for `empirical`
//! distributions with `file = "…"`), as the page supplies them: uploaded or pasted, kept in the
//! page, and passed to the module as one JSON object from each path, as the scenario writes
//! it, to the file's text (`{"obs.csv": "consult (min)\n4.5\n…"}`). Nothing is read from a
//! disk or a network.
//!
//! Only the files the scenario refers to are parsed; the others are ignored (the page keeps
//! every file the user has given it, so switching scenarios does not lose them). A missing
//! file is sim-core's located problem (`data file "obs.csv" was not supplied`), placed at the
//! distribution that reads it, like every other problem with the text.

use serde::Serialize;
use sim_core::data::{DataFiles, DataTable, check_path};
use sim_core::{Scenario, ScenarioError};
use std::collections::BTreeMap;

/// The files the page holds: path (as the scenario writes it) → the file's text.
pub type Texts = BTreeMap<String, String>;

/// One data file the scenario refers to, as the page's data panel shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DataFileInfo {
    /// The path as the scenario writes it.
    pub path: String,
    /// Whether the page has supplied the file's text.
    pub supplied: bool,
    /// The column names of its header row (when supplied and readable).
    pub columns: Vec<String>,
    /// Why the file cannot be used (a path that leaves the scenario's folder, a header that
    /// cannot be read), when it cannot.
    pub problem: Option<String>,
}

/// Reads the page's JSON object of files; `None` or an empty string means no files.
pub fn parse(json: Option<&str>) -> Result<Texts, String> {
    match json.map(str::trim) {
        None | Some("") => Ok(Texts::new()),
        Some(json) => serde_json::from_str(json).map_err(|e| {
            format!("bad data files (expected a JSON object of path to CSV text): {e}")
        }),
    }
}

/// Attaches the files `scenario` refers to (see [`Scenario::with_data`]): the result builds
/// exactly the models of the same values written inline, or reports each missing or unusable
/// file at the distribution that reads it.
pub fn attach(scenario: Scenario, texts: &Texts) -> Result<Scenario, ScenarioError> {
    let mut data = DataFiles::new();
    for path in scenario.data_files() {
        if let Some(text) = texts.get(&path) {
            data.insert_text(&path, text);
        }
    }
    scenario.with_data(&data)
}

/// Describes each file `scenario` refers to, for the data panel.
pub fn describe(scenario: &Scenario, texts: &Texts) -> Vec<DataFileInfo> {
    scenario
        .data_files()
        .into_iter()
        .map(|path| {
            let text = texts.get(&path);
            let (columns, problem) = match (check_path(&path), text) {
                (Err(why), _) => (Vec::new(), Some(why)),
                (Ok(()), None) => (Vec::new(), None),
                (Ok(()), Some(text)) => match DataTable::parse(text) {
                    Ok(table) => (
                        table.column_names().into_iter().map(String::from).collect(),
                        None,
                    ),
                    Err(why) => (Vec::new(), Some(why)),
                },
            };
            DataFileInfo {
                supplied: text.is_some(),
                path,
                columns,
                problem,
            }
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small clinic whose consultation is an empirical distribution read from `obs.csv`.
    pub(crate) const WITH_FILE: &str = r#"
[scenario]
name = "observed consultations"

[run]
open = "08:00"
close = "12:00"
replications = 3
seed = 11

[[stations]]
id = "doctor"
name = "Doctor"
servers = 2
service = { dist = "empirical", file = "obs.csv", column = "consult", continuous = true }

[[arrivals]]
id = "walk_in"
kind = "poisson"
rate = "15/h"
pathway = "visit"

[[pathways]]
id = "visit"
steps = [{ id = "see", station = "doctor", next = "exit" }]
"#;

    /// The file: two columns, units in the header (seconds for the one not used).
    pub(crate) const OBS_CSV: &str =
        "# observed in May\nconsult (min),triage (s)\n4.5,30\n12,45\n7.25,\n6,\n9.5,\n";

    pub(crate) fn texts() -> Texts {
        Texts::from([("obs.csv".to_string(), OBS_CSV.to_string())])
    }

    #[test]
    fn the_page_sends_a_json_object_of_files() {
        assert_eq!(parse(None).unwrap(), Texts::new());
        assert_eq!(parse(Some(" ")).unwrap(), Texts::new());
        let json = serde_json::to_string(&texts()).unwrap();
        assert_eq!(parse(Some(&json)).unwrap(), texts());
        let e = parse(Some("[\"obs.csv\"]")).unwrap_err();
        assert!(e.starts_with("bad data files"), "{e}");
    }

    #[test]
    fn a_file_gives_the_models_of_the_same_values_inline() {
        let inline = WITH_FILE.replace(
            "file = \"obs.csv\", column = \"consult\"",
            "values = [\"4.5min\", \"12min\", \"7.25min\", \"6min\", \"9.5min\"]",
        );
        let from_file = attach(Scenario::parse(WITH_FILE).unwrap(), &texts())
            .unwrap()
            .model(None)
            .unwrap();
        let written = Scenario::parse(&inline).unwrap().model(None).unwrap();
        for r in 0..3 {
            assert_eq!(
                sim_core::run_replication(&from_file, r).unwrap(),
                sim_core::run_replication(&written, r).unwrap()
            );
        }
    }

    #[test]
    fn the_panel_learns_which_files_are_needed_and_what_they_hold() {
        let scenario = Scenario::parse(WITH_FILE).unwrap();
        let missing = describe(&scenario, &Texts::new());
        assert_eq!(
            missing,
            [DataFileInfo {
                path: "obs.csv".into(),
                supplied: false,
                columns: vec![],
                problem: None
            }]
        );
        let supplied = describe(&scenario, &texts());
        assert!(supplied[0].supplied);
        assert_eq!(supplied[0].columns, ["consult", "triage"]);
        // A path that leaves the scenario's folder cannot be supplied, and says why.
        let outside = Scenario::parse(&WITH_FILE.replace("obs.csv", "../obs.csv")).unwrap();
        let info = &describe(&outside, &Texts::new())[0];
        assert!(
            info.problem
                .as_deref()
                .unwrap()
                .contains("leaves the scenario's folder"),
            "{info:?}"
        );
        // Files the scenario does not read are neither listed nor parsed.
        let none = Scenario::parse(include_str!("../../scenarios/mm1.toml")).unwrap();
        assert!(describe(&none, &texts()).is_empty());
    }
}

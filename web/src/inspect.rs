//! What the page needs to know about a scenario text: every problem with the line it is on
//! (messages exactly as `carepath validate` words them), the warnings, and the facts the
//! controls are built from — stations and their staffing, classes, variants with their levers
//! and adoption, the levers `[workflow]` parameterises, replications and seed — and the data
//! files the scenario reads, with which of them the page has yet to supply.

use crate::data::{DataFileInfo, Texts};
use serde::Serialize;
use sim_core::scenario::{ArrivalKind, ScenarioFile, Servers};
use sim_core::{Model, ScenarioError};

/// One problem, placed in the text when possible.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ErrorAt {
    /// 1-based line (None when the problem is about something the file does not write).
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
    /// The message as the CLI prints it.
    pub message: String,
}

/// A station as the controls show it.
#[derive(Debug, Clone, Serialize)]
pub struct StationInfo {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `"constant"`, `"shifts"`, or `"shared"` (the station requires shared resources).
    pub staffing: &'static str,
    /// Servers (constant staffing) or the most on any shift.
    pub servers: u32,
}

/// A shared resource (`[[resources]]`) as the controls show it.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceInfo {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `"constant"` or `"shifts"`.
    pub staffing: &'static str,
    /// Units (constant capacity) or the most on any shift.
    pub units: u32,
    /// The stations that require it, by display name.
    pub used_by: Vec<String>,
}

/// A variant as the controls show it.
#[derive(Debug, Clone, Serialize)]
pub struct VariantInfo {
    /// Identifier.
    pub id: String,
    /// Free text.
    pub description: String,
    /// Levers switched on.
    pub levers: Vec<String>,
    /// The variant's own adoption when it gives every class the same share.
    pub adoption: Option<f64>,
}

/// Everything `inspect` reports.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Inspection {
    /// True when the base scenario and every variant build.
    pub ok: bool,
    /// Problems, base scenario first, then each variant's.
    pub errors: Vec<ErrorAt>,
    /// Warnings (overloaded stations), base first, then each variant's own.
    pub warnings: Vec<String>,
    /// `[scenario] name`.
    pub name: String,
    /// `[scenario] description`.
    pub description: String,
    /// Stations in file order.
    pub stations: Vec<StationInfo>,
    /// Shared resources in file order.
    pub resources: Vec<ResourceInfo>,
    /// Class ids.
    pub classes: Vec<String>,
    /// Variants in file order.
    pub variants: Vec<VariantInfo>,
    /// Levers whose parameters `[workflow]` gives (only these can be switched on).
    pub workflow_levers: Vec<String>,
    /// Whether any stream is a walk-in stream the volume control scales.
    pub has_walk_ins: bool,
    /// `[run] replications`.
    pub replications: u32,
    /// `[run] seed`.
    pub seed: u64,
    /// The data files the scenario reads (empirical distributions with `file`), in path order,
    /// each with whether the page has supplied it.
    pub data_files: Vec<DataFileInfo>,
    /// The paths of those not yet supplied (each also a problem placed at its distribution).
    pub missing_data: Vec<String>,
}

/// Checks `text` (base and every variant), with the data files the page holds, and gathers
/// what the controls need.
pub fn inspect(text: &str, data: &Texts) -> Inspection {
    let mut out = Inspection::default();
    // Parsed once: checking n variants costs time linear in n (the page re-checks as the
    // user types).
    let scenario = match sim_core::Scenario::parse(text) {
        Ok(s) => s,
        Err(e) => {
            out.errors = errors(&e, "");
            return out;
        }
    };
    out.data_files = crate::data::describe(&scenario, data);
    out.missing_data = out
        .data_files
        .iter()
        .filter(|f| !f.supplied)
        .map(|f| f.path.clone())
        .collect();
    let scenario = match crate::data::attach(scenario, data) {
        Ok(s) => s,
        Err(e) => {
            out.errors = errors(&e, "");
            return out;
        }
    };
    let base = match scenario.model(None) {
        Ok(m) => m,
        Err(e) => {
            out.errors = errors(&e, "");
            return out;
        }
    };
    let mut variants = Vec::new();
    for id in base.variant_ids().iter() {
        match scenario.model(Some(id)) {
            Ok(m) => variants.push(m),
            Err(e) => out.errors.extend(errors(&e, &format!("variant {id}: "))),
        }
    }
    let models: Vec<&Model> = variants.iter().collect();
    out.warnings = carepath_charts::report::warnings(base.warnings(), &models);
    out.ok = out.errors.is_empty();
    out.name = base.name().to_string();
    out.description = base.description().to_string();
    out.classes = base.classes().iter().map(|c| c.id.clone()).collect();
    out.replications = base.replications();
    out.seed = base.seed();
    // The model has checked the file, so it parses; the controls need it as written.
    if let Ok(file) = toml::from_str::<ScenarioFile>(text) {
        out.stations = file
            .stations
            .iter()
            .zip(base.stations())
            .map(|(spec, st)| StationInfo {
                id: st.id.clone(),
                name: st.name.clone(),
                staffing: match spec.servers {
                    Some(Servers::Constant(_)) => "constant",
                    Some(Servers::Schedule(_)) => "shifts",
                    // Staffed by shared resources (`requires`).
                    None => "shared",
                },
                servers: st.max_servers,
            })
            .collect();
        out.resources = file
            .resources
            .iter()
            .zip(base.resources())
            .map(|(spec, r)| ResourceInfo {
                id: r.id.clone(),
                name: r.name.clone(),
                staffing: match spec.capacity {
                    Servers::Constant(_) => "constant",
                    Servers::Schedule(_) => "shifts",
                },
                units: r.max_units,
                used_by: r
                    .users
                    .iter()
                    .map(|&u| base.stations()[u as usize].name.clone())
                    .collect(),
            })
            .collect();
        out.variants = file
            .variants
            .iter()
            .map(|v| VariantInfo {
                id: v.id.clone(),
                description: v.description.clone(),
                levers: v.levers.iter().map(|l| l.name().to_string()).collect(),
                adoption: v.adoption.as_ref().and_then(|a| {
                    let first = *a.values().next()?;
                    a.values().all(|&x| x == first).then_some(first)
                }),
            })
            .collect();
        if let Some(w) = &file.workflow {
            for (present, name) in [
                (w.online_registration.is_some(), "online_registration"),
                (w.pay_at_point_of_care.is_some(), "pay_at_point_of_care"),
                (w.credit_payment.is_some(), "credit_payment"),
                (w.results_online.is_some(), "results_online"),
                (w.face_scan.is_some(), "face_scan"),
                (w.e_prescription.is_some(), "e_prescription"),
            ] {
                if present {
                    out.workflow_levers.push(name.to_string());
                }
            }
        }
        out.has_walk_ins = file
            .arrivals
            .iter()
            .any(|a| matches!(a.kind, ArrivalKind::Poisson | ArrivalKind::Profile));
    }
    out
}

/// The problems of one failed build, each placed in the text.
fn errors(e: &ScenarioError, prefix: &str) -> Vec<ErrorAt> {
    match e {
        ScenarioError::Syntax {
            line,
            column,
            message,
        } => vec![ErrorAt {
            line: Some(*line),
            column: Some(*column),
            message: format!("{prefix}{message}"),
        }],
        // sim-core has placed each problem in the text (see `sim_core::compile::spans`).
        ScenarioError::Invalid(problems) => problems
            .iter()
            .map(|p| ErrorAt {
                line: p.place.as_ref().map(|at| at.line),
                column: p.place.as_ref().map(|at| at.column),
                message: format!("{prefix}{p}"),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flagship_is_described_for_the_controls() {
        let text = include_str!("../../scenarios/future-hospital.toml");
        let i = inspect(text, &Texts::new());
        assert!(i.ok, "{:?}", i.errors);
        assert_eq!(i.variants.len(), 4);
        assert_eq!(i.variants[2].adoption, Some(0.5));
        assert_eq!(i.workflow_levers.len(), 6);
        assert!(
            i.stations
                .iter()
                .any(|s| s.id == "doctor" && s.staffing == "shifts")
        );
        assert!(i.has_walk_ins);
    }

    #[test]
    fn shared_resources_are_described_for_the_controls() {
        let i = inspect(
            include_str!("../../scenarios/teaching-shared-doctor.toml"),
            &Texts::new(),
        );
        assert!(i.ok, "{:?}", i.errors);
        let doctor = &i.resources[0];
        assert_eq!(
            (doctor.id.as_str(), doctor.staffing, doctor.units),
            ("doctor", "constant", 4)
        );
        assert_eq!(doctor.used_by.len(), 2);
        assert!(i.stations.iter().all(|s| s.staffing == "shared"));
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let text = include_str!("../../scenarios/mm1.toml").replace("servers = 1", "servers = = 1");
        let i = inspect(&text, &Texts::new());
        assert!(!i.ok);
        let line = text
            .lines()
            .position(|l| l.contains("servers = = 1"))
            .unwrap()
            + 1;
        assert_eq!(i.errors[0].line, Some(line), "{:?}", i.errors);
    }

    #[test]
    fn problems_are_placed_on_their_line_with_the_cli_message() {
        let text = include_str!("../../scenarios/mm1.toml").replace("servers = 1", "servers = 0");
        let i = inspect(&text, &Texts::new());
        assert!(!i.ok);
        let e = &i.errors[0];
        // "pathways.queue.steps.serve: visits station \"server\", which never has any servers"
        assert!(
            e.message.starts_with("pathways.queue.steps.serve:"),
            "{e:?}"
        );
        let line = text
            .lines()
            .position(|l| l.contains("id = \"serve\""))
            .unwrap()
            + 1;
        assert_eq!(e.line, Some(line), "{e:?}");
        match sim_core::Model::from_toml(&text) {
            Err(ScenarioError::Invalid(p)) => assert_eq!(e.message, p[0].to_string()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_variants_problems_are_placed_in_its_overlay() {
        // The digital_fewer_cashiers variant's second shift now runs into its third.
        let text = include_str!("../../scenarios/future-hospital.toml").replace(
            "{ from = \"12:00\", to = \"13:30\", count = 8 }",
            "{ from = \"12:00\", to = \"14:30\", count = 8 }",
        );
        let i = inspect(&text, &Texts::new());
        assert!(!i.ok);
        let e = i
            .errors
            .iter()
            .find(|e| {
                e.message
                    .starts_with("variant digital_fewer_cashiers: stations.cashier.servers")
            })
            .unwrap_or_else(|| panic!("{:?}", i.errors));
        let line = text
            .lines()
            .position(|l| l.contains("{ from = \"13:30\", to = \"17:00\", count = 14 }"))
            .unwrap()
            + 1;
        assert_eq!(e.line, Some(line), "{e:?}");
        assert_eq!(e.column, Some(7), "{e:?}");
    }

    #[test]
    fn a_missing_data_file_is_a_problem_at_its_distribution() {
        use crate::data::tests::{WITH_FILE, texts};
        let i = inspect(WITH_FILE, &Texts::new());
        assert!(!i.ok);
        assert_eq!(i.missing_data, ["obs.csv"]);
        assert_eq!(i.data_files.len(), 1);
        assert!(!i.data_files[0].supplied);
        let e = &i.errors[0];
        assert_eq!(
            e.message,
            "stations.doctor.service: data file \"obs.csv\" was not supplied"
        );
        let line = WITH_FILE
            .lines()
            .position(|l| l.contains("file = \"obs.csv\""))
            .unwrap()
            + 1;
        assert_eq!(e.line, Some(line), "{e:?}");
        let supplied = inspect(WITH_FILE, &texts());
        assert!(supplied.ok, "{:?}", supplied.errors);
        assert!(supplied.missing_data.is_empty());
        assert_eq!(supplied.data_files[0].columns, ["consult", "triage"]);
        assert_eq!(supplied.stations[0].id, "doctor");
        // A file without the column the scenario names: located too.
        let wrong = Texts::from([("obs.csv".to_string(), "other (min)\n4\n".to_string())]);
        let i = inspect(WITH_FILE, &wrong);
        assert!(i.missing_data.is_empty());
        assert!(
            i.errors[0]
                .message
                .contains("there is no column \"consult\" (columns: other)"),
            "{:?}",
            i.errors
        );
        assert_eq!(i.errors[0].line, Some(line));
    }
}

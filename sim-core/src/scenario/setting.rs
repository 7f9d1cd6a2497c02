//! Settings: one value of a scenario set from outside the file, by its path
//! (`stations.consult.servers = 12`): a command line's `--set PATH=VALUE`, one point of a
//! sweep, a notebook's `scenario.set(...)`.
//!
//! A setting is applied to the TOML tree of the model being built, *after* a variant's
//! overlays, so it is the value in effect in every variant (a sweep over consult servers
//! changes them in the paper and the digital variant alike, whatever each overlay wrote).
//! The tree is then checked by the same compiler as a file: a bad value is the same
//! problem it would be if it had been written there, and a path that leads nowhere is a
//! problem named by the path.
//!
//! Paths use the names problems are reported at: keys of tables (`run.replications`), entries
//! of lists of tables by their `id` (`consult` in `stations.consult`, `lab` in
//! `pathways.visit.steps.lab`), and list entries by position (`servers[0].count`, or
//! `servers.0.count`). A missing key is created (the compiler then rejects a key the format
//! does not have, so a misspelling is still an error); a missing list entry is an error,
//! since a setting changes a scenario and cannot add a station.
//!
//! `workflow.adoption.CLASS` also sets the adoption of a variant that gives its own (a
//! variant's `adoption` replaces `[workflow].adoption`, so the value in effect is the
//! variant's).

use crate::error::Problem;
use toml::{Table, Value};

/// One value set by its path.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// The dotted path, as given.
    pub path: String,
    /// The value.
    pub value: Value,
    /// Where the value came from, for messages (`--set`, `parameter`); empty when unsaid.
    pub origin: String,
}

impl Setting {
    /// A setting of `path` to `value`.
    pub fn new(path: impl Into<String>, value: Value) -> Setting {
        Setting {
            path: path.into(),
            value,
            origin: String::new(),
        }
    }

    /// This setting, said to come from `origin` (`--set`, `parameter`) in messages.
    pub fn with_origin(mut self, origin: impl Into<String>) -> Setting {
        self.origin = origin.into();
        self
    }

    /// Reads `PATH=VALUE` (a command line's `--set`). VALUE is a TOML value (`12`, `0.6`,
    /// `true`, `"5min"`, `[1, 2]`, `{ dist = "exponential", mean = "4min" }`); anything that
    /// is not one is taken as a string, so `--set stations.consult.service.mean=5min` needs no
    /// quotes.
    pub fn parse(text: &str) -> Result<Setting, String> {
        let Some((path, value)) = text.split_once('=') else {
            return Err(format!(
                "{text:?} is not PATH=VALUE (for example stations.consult.servers=12)"
            ));
        };
        let path = path.trim();
        check_path(path)?;
        Ok(Setting::new(path, parse_value(value.trim())))
    }

    /// True when a problem reported at `at` is about this setting's value (at its path or
    /// inside it), so that it is shown as the setting's rather than placed in the file.
    pub fn covers(&self, at: &str) -> bool {
        let path = normalise(&self.path);
        let at = normalise(at);
        at == path
            || at
                .strip_prefix(path.as_str())
                .is_some_and(|rest| rest.starts_with('.'))
    }

    /// True when this setting's value is inside the part of the scenario a problem at `at`
    /// is about (the problem keeps its place in the file and names the setting).
    pub fn is_inside(&self, at: &str) -> bool {
        let path = normalise(&self.path);
        let at = normalise(at);
        path.strip_prefix(at.as_str())
            .is_some_and(|rest| rest.starts_with('.'))
    }

    /// `PATH=VALUE` as a command line would give it.
    pub fn display(&self) -> String {
        let value = match &self.value {
            Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        format!("{}={value}", self.path)
    }
}

/// A path with positions written `a.0` rather than `a[0]`, so both spellings compare equal.
fn normalise(path: &str) -> String {
    path.replace('[', ".").replace(']', "")
}

/// A path's own shape: non-empty segments.
fn check_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err(
            "a setting needs a path before `=` (for example stations.consult.servers=12)".into(),
        );
    }
    if path == "variants" || path.starts_with("variants.") || path.starts_with("variants[") {
        return Err(format!(
            "{path:?}: a setting applies to the model being run, after its variant's overlays; set the value itself (stations.consult.servers=12 with --variant digital)"
        ));
    }
    if segments(path).iter().any(|s| s.is_empty()) {
        return Err(format!(
            "{path:?} has an empty part: paths are keys and ids joined by dots (stations.consult.servers)"
        ));
    }
    Ok(())
}

/// The segments of a path (`servers[0].count` → `servers`, `0`, `count`).
fn segments(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for part in path.split('.') {
        match part.find('[') {
            Some(i) if part.ends_with(']') => {
                out.push(&part[..i]);
                for index in part[i + 1..part.len() - 1].split("][") {
                    out.push(index);
                }
            }
            _ => out.push(part),
        }
    }
    out
}

/// A value as TOML, else as a string. A bare date or time is taken as the string written
/// (the format writes dates as strings).
pub fn parse_value(text: &str) -> Value {
    match format!("v = {text}").parse::<Table>() {
        Ok(mut t) => match t.remove("v") {
            Some(Value::Datetime(_)) | None => Value::String(text.to_string()),
            Some(v) => v,
        },
        Err(_) => Value::String(text.trim_matches('"').to_string()),
    }
}

/// Applies `settings`, in order, to `tree` (a scenario's tree with a variant's overlays
/// applied, without `variants`); `adoption` is that variant's own adoption, if it gives one.
/// Returns the problems: paths that lead nowhere.
pub fn apply(
    tree: &mut Table,
    mut adoption: Option<&mut std::collections::BTreeMap<String, f64>>,
    settings: &[Setting],
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for s in settings {
        let segs = segments(&s.path);
        if let (Some(adoption), ["workflow", "adoption", class]) =
            (adoption.as_deref_mut(), &segs[..])
        {
            // The variant's own adoption is the one in effect.
            match number(&s.value) {
                Some(x) => {
                    adoption.insert((*class).to_string(), x);
                }
                None => problems.push(Problem::new(
                    s.path.clone(),
                    format!(
                        "an adoption share is a number between 0 and 1 (got {})",
                        s.value
                    ),
                )),
            }
            continue;
        }
        if let Err(message) = set(tree, &segs, s.value.clone()) {
            problems.push(Problem::new(s.path.clone(), message));
        }
    }
    problems
}

/// A number, integer or float.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Float(x) => Some(*x),
        Value::Integer(n) => Some(*n as f64),
        _ => None,
    }
}

/// Sets the value at `path` in `table`.
fn set(table: &mut Table, path: &[&str], value: Value) -> Result<(), String> {
    let (first, rest) = path.split_first().expect("paths are not empty");
    if rest.is_empty() {
        // A whole number where the file has a decimal (adoption = 1 for 1.0) means the
        // decimal: the format reads these keys as decimals.
        let value = match (table.get(*first), value) {
            (Some(Value::Float(_)), Value::Integer(n)) => Value::Float(n as f64),
            (_, v) => v,
        };
        table.insert((*first).to_string(), value);
        return Ok(());
    }
    let next = table
        .entry((*first).to_string())
        .or_insert_with(|| Value::Table(Table::new()));
    descend(next, first, rest, value)
}

/// Sets the value at `path` inside `item` (reached by the key or id `name`).
fn descend(item: &mut Value, name: &str, path: &[&str], value: Value) -> Result<(), String> {
    match item {
        Value::Table(t) => set(t, path, value),
        Value::Array(list) => {
            let (key, rest) = path.split_first().expect("paths are not empty");
            let index = match key.parse::<usize>() {
                Ok(i) if i < list.len() => i,
                Ok(i) => {
                    return Err(format!(
                        "{name} has {} entr{}; there is no entry {i} (counted from 0)",
                        list.len(),
                        if list.len() == 1 { "y" } else { "ies" }
                    ));
                }
                Err(_) => match list
                    .iter()
                    .position(|v| v.get("id").and_then(Value::as_str) == Some(*key))
                {
                    Some(i) => i,
                    None => {
                        let ids: Vec<&str> = list
                            .iter()
                            .filter_map(|v| v.get("id").and_then(Value::as_str))
                            .collect();
                        return Err(if ids.is_empty() {
                            format!("{name} has no entry called {key:?}")
                        } else {
                            format!(
                                "{name} has no entry called {key:?} (there are: {})",
                                ids.join(", ")
                            )
                        });
                    }
                },
            };
            if rest.is_empty() {
                list[index] = value;
                Ok(())
            } else {
                descend(&mut list[index], key, rest, value)
            }
        }
        other => Err(format!(
            "{name} is {}, not a table: nothing can be set inside it",
            kind(other)
        )),
    }
}

/// A value's kind in words.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "a whole number",
        Value::Float(_) => "a number",
        Value::Boolean(_) => "true or false",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "a list",
        Value::Table(_) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Table {
        r#"
[run]
replications = 5
[[stations]]
id = "desk"
servers = 2
[[stations]]
id = "doctor"
servers = [{ from = "08:00", to = "10:00", count = 3 }]
[workflow]
adoption = { adult = 0.5 }
"#
        .parse()
        .unwrap()
    }

    #[test]
    fn values_parse_as_toml_or_else_as_strings() {
        assert_eq!(parse_value("12"), Value::Integer(12));
        assert_eq!(parse_value("0.6"), Value::Float(0.6));
        assert_eq!(parse_value("true"), Value::Boolean(true));
        assert_eq!(parse_value("5min"), Value::String("5min".into()));
        assert_eq!(parse_value("\"5min\""), Value::String("5min".into()));
        assert_eq!(
            parse_value("2026-12-07"),
            Value::String("2026-12-07".into())
        );
        assert_eq!(
            parse_value("[1, 2]"),
            Value::Array(vec![Value::Integer(1), Value::Integer(2)])
        );
        let s = Setting::parse(" stations.desk.servers = 4 ").unwrap();
        assert_eq!(s, Setting::new("stations.desk.servers", Value::Integer(4)));
        assert_eq!(s.display(), "stations.desk.servers=4");
        assert!(Setting::parse("stations.desk.servers").is_err());
        assert!(Setting::parse("=4").is_err());
        assert!(Setting::parse("stations..servers=4").is_err());
        assert!(Setting::parse("variants.digital.levers=[]").is_err());
    }

    #[test]
    fn settings_reach_keys_ids_and_positions() {
        let mut t = tree();
        let problems = apply(
            &mut t,
            None,
            &[
                Setting::parse("stations.desk.servers=4").unwrap(),
                Setting::parse("stations.doctor.servers[0].count=5").unwrap(),
                Setting::parse("stations.doctor.servers.0.to=11:00").unwrap(),
                Setting::parse("workflow.adoption.adult=1").unwrap(),
                Setting::parse("run.warm_up=30min").unwrap(),
            ],
        );
        assert!(problems.is_empty(), "{problems:?}");
        let st = t["stations"].as_array().unwrap();
        assert_eq!(st[0]["servers"], Value::Integer(4));
        assert_eq!(st[1]["servers"][0]["count"], Value::Integer(5));
        assert_eq!(st[1]["servers"][0]["to"], Value::String("11:00".into()));
        // Written as a decimal in the file, so 1 means 1.0.
        assert_eq!(t["workflow"]["adoption"]["adult"], Value::Float(1.0));
        assert_eq!(t["run"]["warm_up"], Value::String("30min".into()));
    }

    #[test]
    fn paths_that_lead_nowhere_are_named_problems() {
        let mut t = tree();
        let problems = apply(
            &mut t,
            None,
            &[
                Setting::parse("stations.dsek.servers=4").unwrap(),
                Setting::parse("stations.doctor.servers[3].count=5").unwrap(),
                Setting::parse("run.replications.count=5").unwrap(),
            ],
        );
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "stations.dsek.servers: stations has no entry called \"dsek\" (there are: desk, doctor)",
                "stations.doctor.servers[3].count: servers has 1 entry; there is no entry 3 (counted from 0)",
                "run.replications.count: replications is a whole number, not a table: nothing can be set inside it",
            ]
        );
    }

    #[test]
    fn a_variants_own_adoption_is_the_one_set() {
        let mut t = tree();
        let mut own = std::collections::BTreeMap::from([("adult".to_string(), 0.2)]);
        let problems = apply(
            &mut t,
            Some(&mut own),
            &[Setting::parse("workflow.adoption.adult=0.7").unwrap()],
        );
        assert!(problems.is_empty());
        assert_eq!(own["adult"], 0.7);
        assert_eq!(t["workflow"]["adoption"]["adult"], Value::Float(0.5));
    }

    #[test]
    fn a_setting_covers_problems_at_and_inside_its_path() {
        let s = Setting::parse("stations.doctor.servers=3").unwrap();
        assert!(s.covers("stations.doctor.servers"));
        assert!(s.covers("stations.doctor.servers[0].count"));
        assert!(!s.covers("stations.doctor.service"));
        assert!(!s.covers("stations.doctor.servers_x"));
        let s = Setting::parse("stations.doctor.servers[0].count=3").unwrap();
        assert!(s.covers("stations.doctor.servers.0.count"));
    }

    const CLINIC: &str = r#"
[scenario]
name = "desk"
[run]
max_arrivals = 50
replications = 2
[[classes]]
id = "adult"
share = 1.0
[[stations]]
id = "desk"
servers = 2
service = { dist = "exponential", mean = "3min" }
[[arrivals]]
id = "walk_in"
kind = "poisson"
rate = "15/h"
pathway = "visit"
[[pathways]]
id = "visit"
steps = [{ id = "desk", station = "desk", next = "exit" }]
[workflow]
adoption = { adult = 0.5 }
[[variants]]
id = "more"
stations = [{ id = "desk", servers = 5 }]
[[variants]]
id = "levers"
levers = ["face_scan"]
[[variants]]
id = "own"
levers = ["face_scan"]
adoption = { adult = 0.1 }
[workflow.face_scan]
service = { dist = "uniform", min = "5s", max = "10s" }
"#;

    /// A setting is the value in effect: in the base, and in a variant whose overlay wrote
    /// the same key; a variant's own adoption is set too.
    #[test]
    fn a_setting_wins_over_the_variants_overlay() {
        let sc = crate::Scenario::parse(CLINIC).unwrap();
        assert_eq!(sc.model(Some("more")).unwrap().stations()[0].max_servers, 5);
        let set = sc.with_settings(&[
            Setting::parse("stations.desk.servers=3").unwrap(),
            Setting::parse("workflow.adoption.adult=0.75").unwrap(),
        ]);
        for v in [None, Some("more"), Some("levers"), Some("own")] {
            let m = set.model(v).unwrap();
            assert_eq!(m.stations()[0].max_servers, 3, "{v:?}");
        }
        // Adoption matters (and is compiled) only where levers are on.
        for v in ["levers", "own"] {
            assert_eq!(
                set.model(Some(v)).unwrap().workflow().adoption,
                [0.75],
                "{v}"
            );
        }
        // The scenario it came from is unchanged.
        assert_eq!(sc.model(None).unwrap().stations()[0].max_servers, 2);
    }

    /// A bad value is the compiler's problem at the setting's path, not placed in the file
    /// (the value is not written there); a value of the wrong type names the setting.
    #[test]
    fn bad_values_are_problems_at_the_setting() {
        let sc = crate::Scenario::parse(CLINIC).unwrap();
        let err = |settings: &[&str], v: Option<&str>| {
            let s: Vec<Setting> = settings
                .iter()
                .map(|t| Setting::parse(t).unwrap())
                .collect();
            match sc.with_settings(&s).model(v) {
                Err(crate::ScenarioError::Invalid(p)) => p,
                other => panic!("expected problems, got {other:?}"),
            }
        };
        let p = err(&["workflow.adoption.adult=1.5"], Some("own"));
        assert_eq!(p.len(), 1);
        assert!(p[0].at.starts_with("variants.own.adoption"), "{p:?}");
        let p = err(&["run.replications=0"], None);
        assert_eq!(p[0].at, "run.replications", "{p:?}");
        assert!(p[0].place.is_none(), "{p:?}");
        // A problem with the table that holds the value keeps its place and names the value.
        let p = err(&["stations.desk.service.mean=-3min"], None);
        assert_eq!(p[0].at, "stations.desk.service", "{p:?}");
        assert!(p[0].place.is_some(), "{p:?}");
        assert!(
            p[0].message
                .ends_with("(with stations.desk.service.mean=-3min set)"),
            "{p:?}"
        );
        let p = err(&["stations.desk.servers=lots"], Some("more"));
        assert_eq!(p[0].at, "stations.desk.servers", "{p:?}");
        assert!(p[0].message.contains("stations.desk.servers=lots"), "{p:?}");
        let p = err(&["stations.desk.sevrers=3"], None);
        assert!(p[0].message.contains("sevrers"), "{p:?}");
        let p = err(&["stations.dsk.servers=3"], None);
        assert_eq!(
            p[0].to_string(),
            "stations.dsk.servers: stations has no entry called \"dsk\" (there are: desk)"
        );
    }
}

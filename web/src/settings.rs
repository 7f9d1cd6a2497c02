//! The page's sliders and switches, applied to the scenario text. Each setting rewrites the
//! TOML itself (keeping comments and layout), so the editor always shows exactly what runs and
//! a downloaded file reproduces the result with `carepath run`.
//!
//! Relative settings (arrival volume, extra servers on shifts) apply to the text they are given;
//! the page keeps the text as it was before the sliders moved and re-applies all settings to it,
//! so moving a slider back restores the original numbers exactly.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value};

/// What the controls ask for. Every field is optional: absent means "as written".
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Multiplier on every walk-in arrival rate (`poisson` `rate`, `profile` `rates`).
    pub volume: Option<f64>,
    /// Servers of stations staffed with a constant number.
    pub servers: BTreeMap<String, u32>,
    /// Servers added to (or taken from) every shift of stations staffed in shifts.
    pub extra_servers: BTreeMap<String, i64>,
    /// Units of shared resources (`[[resources]]`) with a constant capacity.
    pub units: BTreeMap<String, u32>,
    /// Units added to (or taken from) every shift of shared resources staffed in shifts.
    pub extra_units: BTreeMap<String, i64>,
    /// The variant whose levers and adoption the switches edit.
    pub workflow_variant: Option<String>,
    /// The levers switched on in `workflow_variant`.
    pub levers: Option<Vec<String>>,
    /// Share of every class adopting the digital workflow in `workflow_variant`.
    pub adoption: Option<f64>,
    /// `[run] replications`.
    pub replications: Option<u32>,
    /// `[run] seed`.
    pub seed: Option<u64>,
}

/// Applies `settings` to the scenario `text` and returns the new text.
pub fn apply(text: &str, settings: &Settings) -> Result<String, String> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| format!("the scenario is not valid TOML: {e}"))?;
    if let Some(v) = settings.volume {
        if !(v.is_finite() && v > 0.0) {
            return Err(format!("arrival volume must be positive (got {v})"));
        }
        if v != 1.0 {
            scale_arrivals(&mut doc, v)?;
        }
    }
    for (what, constant, extra) in [
        (STATIONS, &settings.servers, &settings.extra_servers),
        (RESOURCES, &settings.units, &settings.extra_units),
    ] {
        for (id, &n) in constant {
            let staffing = staffing(&mut doc, what, id)?;
            if staffing.as_integer().is_none() {
                return Err(format!(
                    "{} {id} is staffed in shifts: change its shifts with {}",
                    what.noun, what.extra
                ));
            }
            set_keeping_decor(staffing, Value::from(i64::from(n)));
        }
        for (id, &delta) in extra {
            let staffing = staffing(&mut doc, what, id)?;
            let Some(shifts) = staffing.as_array_mut() else {
                return Err(format!(
                    "{} {id} has a constant {}: set it with {}",
                    what.noun, what.constant_name, what.constant
                ));
            };
            for shift in shifts.iter_mut() {
                let Some(count) = shift.as_inline_table_mut().and_then(|t| t.get_mut("count"))
                else {
                    return Err(format!("{} {id}: a shift has no count", what.noun));
                };
                let old = count.as_integer().ok_or_else(|| {
                    format!("{} {id}: a shift's count is not a whole number", what.noun)
                })?;
                set_keeping_decor(count, Value::from((old + delta).max(0)));
            }
        }
    }
    if settings.levers.is_some() || settings.adoption.is_some() {
        let id = settings
            .workflow_variant
            .as_deref()
            .ok_or("levers and adoption need the variant they apply to")?;
        let classes = class_ids(&doc);
        let variant = variant_table(&mut doc, id)?;
        if let Some(levers) = &settings.levers {
            let mut list = Array::new();
            for l in levers {
                list.push(l.as_str());
            }
            variant.insert("levers", Item::Value(Value::Array(list)));
        }
        if let Some(a) = settings.adoption {
            if !(0.0..=1.0).contains(&a) {
                return Err(format!("adoption must be between 0 and 1 (got {a})"));
            }
            let mut t = InlineTable::new();
            for c in classes {
                t.insert(&c, Value::from(a));
            }
            variant.insert("adoption", Item::Value(Value::InlineTable(t)));
        }
    }
    if settings.replications.is_some() || settings.seed.is_some() {
        let run = doc
            .entry("run")
            .or_insert_with(|| Item::Table(Table::new()))
            .as_table_mut()
            .ok_or("[run] is not a table")?;
        if let Some(r) = settings.replications {
            set_key(run, "replications", Value::from(i64::from(r)));
        }
        if let Some(s) = settings.seed {
            let s = i64::try_from(s).map_err(|_| format!("seed {s} is too large for TOML"))?;
            set_key(run, "seed", Value::from(s));
        }
    }
    Ok(doc.to_string())
}

/// Replaces a value but keeps the comment and spacing around it.
fn set_keeping_decor(slot: &mut Value, mut value: Value) {
    *value.decor_mut() = slot.decor().clone();
    *slot = value;
}

fn set_key(table: &mut Table, key: &str, value: Value) {
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(slot) => set_keeping_decor(slot, value),
        None => {
            table.insert(key, Item::Value(value));
        }
    }
}

/// The entry of a `[[list]]` whose `id` is `id`.
fn entry<'d>(doc: &'d mut DocumentMut, list: &str, id: &str) -> Option<&'d mut Table> {
    doc.get_mut(list)
        .and_then(Item::as_array_of_tables_mut)?
        .iter_mut()
        .find(|t| t.get("id").and_then(Item::as_str) == Some(id))
}

/// Where staffing is written: stations' `servers` or resources' `capacity`, and the names of
/// the settings that change it (for messages).
#[derive(Clone, Copy)]
struct Staffed {
    list: &'static str,
    key: &'static str,
    noun: &'static str,
    constant: &'static str,
    constant_name: &'static str,
    extra: &'static str,
}

const STATIONS: Staffed = Staffed {
    list: "stations",
    key: "servers",
    noun: "station",
    constant: "servers",
    constant_name: "number of servers",
    extra: "extra_servers",
};

const RESOURCES: Staffed = Staffed {
    list: "resources",
    key: "capacity",
    noun: "resource",
    constant: "units",
    constant_name: "capacity",
    extra: "extra_units",
};

/// The `servers` of station `id` (or the `capacity` of resource `id`).
fn staffing<'d>(
    doc: &'d mut DocumentMut,
    what: Staffed,
    id: &str,
) -> Result<&'d mut Value, String> {
    entry(doc, what.list, id)
        .ok_or_else(|| format!("there is no {} {id}", what.noun))?
        .get_mut(what.key)
        .and_then(Item::as_value_mut)
        .ok_or_else(|| format!("{} {id} has no {}", what.noun, what.key))
}

fn variant_table<'d>(doc: &'d mut DocumentMut, id: &str) -> Result<&'d mut Table, String> {
    entry(doc, "variants", id).ok_or_else(|| format!("there is no variant {id}"))
}

/// Class ids as the model names them (`patient` when the file declares none).
fn class_ids(doc: &DocumentMut) -> Vec<String> {
    let ids: Vec<String> = doc
        .get("classes")
        .and_then(Item::as_array_of_tables)
        .map(|a| {
            a.iter()
                .filter_map(|t| t.get("id").and_then(Item::as_str).map(String::from))
                .collect()
        })
        .unwrap_or_default();
    if ids.is_empty() {
        vec!["patient".to_string()]
    } else {
        ids
    }
}

fn scale_arrivals(doc: &mut DocumentMut, factor: f64) -> Result<(), String> {
    let Some(streams) = doc
        .get_mut("arrivals")
        .and_then(Item::as_array_of_tables_mut)
    else {
        return Ok(());
    };
    for stream in streams.iter_mut() {
        match stream.get("kind").and_then(Item::as_str) {
            Some("poisson") => {
                if let Some(rate) = stream.get_mut("rate").and_then(Item::as_value_mut) {
                    let scaled = scale_rate(rate.as_str().unwrap_or_default(), factor)?;
                    set_keeping_decor(rate, Value::from(scaled));
                }
            }
            Some("profile") => {
                let Some(pieces) = stream.get_mut("rates").and_then(Item::as_array_mut) else {
                    continue;
                };
                for piece in pieces.iter_mut() {
                    if let Some(rate) = piece.as_inline_table_mut().and_then(|t| t.get_mut("rate"))
                    {
                        let scaled = scale_rate(rate.as_str().unwrap_or_default(), factor)?;
                        set_keeping_decor(rate, Value::from(scaled));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// `"1200/h"` × 1.5 → `"1800/h"`; the unit is kept and the number rounded to 4 decimals.
fn scale_rate(rate: &str, factor: f64) -> Result<String, String> {
    sim_core::scenario::units::parse_rate(rate)?;
    let (num, unit) = rate.split_once('/').ok_or("a rate needs a unit")?;
    let n: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("bad rate {rate:?}"))?;
    let scaled = (n * factor * 1e4).round() / 1e4;
    Ok(format!("{scaled}/{}", unit.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"# a comment that must survive
[run]
seed = 7 # keep me

[[classes]]
id = "adult"
share = 1.0

[[stations]]
id = "desk"
servers = 2   # two windows

[[stations]]
id = "doctor"
servers = [{ from = "08:00", to = "12:00", count = 3 }, { from = "13:00", to = "17:00", count = 1 }]

[[arrivals]]
id = "walk"
kind = "poisson"
rate = "10/h"

[[arrivals]]
id = "peak"
kind = "profile"
rates = [{ from = "08:00", to = "09:00", rate = "120/h" }]

[[variants]]
id = "digital"
levers = ["face_scan"]
"#;

    fn settings(json: &str) -> Settings {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn every_setting_rewrites_the_text_and_keeps_comments() {
        let out = apply(
            TEXT,
            &settings(
                r#"{"volume": 1.5, "servers": {"desk": 4}, "extra_servers": {"doctor": -2},
                    "workflow_variant": "digital", "levers": ["credit_payment", "results_online"],
                    "adoption": 0.25, "replications": 12, "seed": 99}"#,
            ),
        )
        .unwrap();
        assert!(out.contains("# a comment that must survive"));
        assert!(out.contains("servers = 4   # two windows"), "{out}");
        assert!(
            out.contains("count = 1 }") && out.contains("count = 0 }"),
            "{out}"
        );
        assert!(out.contains("rate = \"15/h\""));
        assert!(out.contains("rate = \"180/h\""));
        assert!(out.contains("levers = [\"credit_payment\", \"results_online\"]"));
        assert!(out.contains("adoption = { adult = 0.25 }"), "{out}");
        assert!(out.contains("seed = 99 # keep me"), "{out}");
        assert!(out.contains("replications = 12"));
    }

    #[test]
    fn resources_are_staffed_like_stations() {
        let text = "[[resources]]\nid = \"doctor\"\ncapacity = 4 # four\n\
                    [[resources]]\nid = \"room\"\ncapacity = [{ from = \"08:00\", to = \"12:00\", count = 3 }]\n";
        let out = apply(
            text,
            &settings(r#"{"units": {"doctor": 6}, "extra_units": {"room": -1}}"#),
        )
        .unwrap();
        assert!(out.contains("capacity = 6 # four"), "{out}");
        assert!(out.contains("count = 2 }"), "{out}");
        for (json, expect) in [
            (
                r#"{"units": {"room": 2}}"#,
                "resource room is staffed in shifts",
            ),
            (
                r#"{"extra_units": {"doctor": 1}}"#,
                "resource doctor has a constant capacity",
            ),
            (r#"{"units": {"nurse": 2}}"#, "there is no resource nurse"),
        ] {
            let e = apply(text, &settings(json)).unwrap_err();
            assert!(e.contains(expect), "{json}: {e}");
        }
    }

    #[test]
    fn no_settings_leave_the_text_unchanged() {
        assert_eq!(apply(TEXT, &Settings::default()).unwrap(), TEXT);
        assert_eq!(apply(TEXT, &settings(r#"{"volume": 1.0}"#)).unwrap(), TEXT);
    }

    #[test]
    fn mistakes_are_errors() {
        for (json, expect) in [
            (
                r#"{"servers": {"nobody": 1}}"#,
                "there is no station nobody",
            ),
            (r#"{"servers": {"doctor": 1}}"#, "staffed in shifts"),
            (r#"{"extra_servers": {"desk": 1}}"#, "constant number"),
            (r#"{"volume": 0}"#, "must be positive"),
            (r#"{"levers": []}"#, "need the variant"),
            (
                r#"{"workflow_variant": "x", "adoption": 0.5}"#,
                "no variant x",
            ),
            (
                r#"{"workflow_variant": "digital", "adoption": 1.5}"#,
                "between 0 and 1",
            ),
        ] {
            let e = apply(TEXT, &settings(json)).unwrap_err();
            assert!(e.contains(expect), "{json}: {e}");
        }
        assert!(apply("x = [", &Settings::default()).is_err());
        assert!(serde_json::from_str::<Settings>(r#"{"volum": 2}"#).is_err());
    }

    /// A calendar week's shifts name their weekdays (`days = [...]`): the sliders change each
    /// shift's count and keep its days, and at either end of every slider's range (the page's:
    /// from one server left at the peak to five more) and of the volume slider the scenario and
    /// all its variants still build, and a replication runs.
    #[test]
    fn shifts_with_weekdays_keep_them_and_the_week_builds_at_every_sliders_ends() {
        let text = include_str!("../../scenarios/clinic-week.toml");
        let week = crate::inspect::inspect(text, &crate::data::Texts::new());
        assert!(week.ok, "{:?}", week.errors);
        assert!(week.stations.iter().all(|s| s.staffing == "shifts"));
        let out = apply(
            text,
            &settings(r#"{"extra_servers": {"consult": -2}, "volume": 1.5}"#),
        )
        .unwrap();
        for (was, now) in [
            (
                r#"{ from = "08:00", to = "12:00", count = 8, days = ["mon", "tue", "wed", "thu", "fri"] },"#,
                r#"{ from = "08:00", to = "12:00", count = 6, days = ["mon", "tue", "wed", "thu", "fri"] },"#,
            ),
            (
                r#"{ from = "08:00", to = "12:00", count = 5, days = ["sat"] },"#,
                r#"{ from = "08:00", to = "12:00", count = 3, days = ["sat"] },"#,
            ),
            (
                r#"{ from = "07:30", to = "10:00", rate = "50/h" },"#,
                r#"{ from = "07:30", to = "10:00", rate = "75/h" },"#,
            ),
        ] {
            assert!(text.contains(was) && out.contains(now), "{now}\n{out}");
        }
        // The calendar's own table (weekday multipliers, Saturday's close) is left as written,
        // and so is the variant that restaffs Monday.
        for kept in [
            "arrivals = { mon = 1.3, fri = 0.9, sat = 0.6 }",
            "close = { sat = \"11:30\" }",
            "{ from = \"08:00\", to = \"12:00\", count = 10, days = [\"mon\"] },",
        ] {
            assert!(out.contains(kept), "{kept}");
        }
        let mut ends: Vec<Settings> = week
            .stations
            .iter()
            .flat_map(|s| {
                let peak = i64::from(s.servers);
                [-(peak - 1).max(0), 5.max((peak + 1) / 2)].map(|delta| Settings {
                    extra_servers: BTreeMap::from([(s.id.clone(), delta)]),
                    ..Settings::default()
                })
            })
            .collect();
        for volume in [0.5, 2.0] {
            ends.push(Settings {
                volume: Some(volume),
                ..Settings::default()
            });
        }
        for s in &ends {
            let moved = apply(text, s).unwrap();
            let i = crate::inspect::inspect(&moved, &crate::data::Texts::new());
            assert!(i.ok, "{s:?}: {:?}", i.errors);
            assert_eq!(i.variants.len(), 4);
            let one = apply(&moved, &settings(r#"{"replications": 1}"#)).unwrap();
            let variants = ["overtime", "carry_over"].map(String::from);
            let mut run =
                crate::session::Session::new(&one, &variants, &crate::data::Texts::new()).unwrap();
            while run.step() {}
            assert!(run.finish().is_ok(), "{s:?}");
        }
    }
}

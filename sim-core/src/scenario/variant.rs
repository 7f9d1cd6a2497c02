//! Variants: named overlays on a base scenario, resolved on the TOML tree before the model is
//! built, so a variant is checked exactly like a whole scenario file.
//!
//! Lists of tables (`stations`, `resources`, `arrivals`, `classes`) merge by `id`: the keys a variant gives
//! replace the base item's keys; an id the base does not have is an error (a misspelling would
//! otherwise add an item silently), so stations only some variants use (a kiosk) are defined in
//! the base. `workflow` (and `calendar`)
//! merges key by key into `[workflow]`. Levers and adoption are read by `compile`.
//!
//! `pathways` merge by pathway `id`, and within a pathway its `steps` merge by step `id`: a
//! step overlay changes the keys it gives (giving `next` or `branches` replaces the step's
//! routing; giving `station` or `delay` replaces what the step does), an unknown step id adds
//! a step at the end, and `remove = true` takes a step out (whatever still routes to it is then
//! a located error). Draws are keyed by the patient and the step's name, so a step that keeps
//! its name keeps its random numbers in every variant: a rerouted pathway is still a paired
//! comparison.
//!
//! Everything the variant does not mention (seed, replications, the rest of each list) is
//! shared, which is what makes common random numbers line up across variants.

use crate::error::Problem;
use crate::scenario::VariantSpec;
use toml::{Table, Value};

/// Applies `variant`'s overlays to the base scenario `table` (the whole file as parsed).
pub fn apply(table: &Table, variant: &VariantSpec) -> Result<Table, Vec<Problem>> {
    let mut out = table.clone();
    let mut problems = Vec::new();
    let at = format!("variants.{}", variant.id);
    for (key, overlays) in [
        ("stations", &variant.stations),
        ("resources", &variant.resources),
        ("arrivals", &variant.arrivals),
        ("classes", &variant.classes),
    ] {
        if overlays.is_empty() {
            continue;
        }
        let list = out
            .entry(key.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        let Value::Array(items) = list else {
            problems.push(Problem::new(key.into(), "must be a list of tables".into()));
            continue;
        };
        for overlay in overlays {
            let Some(Value::String(id)) = overlay.get("id") else {
                problems.push(Problem::new(
                    format!("{at}.{key}"),
                    "every overlay needs the `id` of the item it changes".into(),
                ));
                continue;
            };
            let existing = items
                .iter_mut()
                .find(|v| v.get("id").and_then(Value::as_str) == Some(id.as_str()));
            match existing {
                Some(Value::Table(base)) => {
                    for (k, v) in overlay {
                        base.insert(k.clone(), v.clone());
                    }
                }
                // A misspelt id would otherwise add a new item silently.
                _ => problems.push(Problem::new(format!("{at}.{key}.{id}"), format!(
                        "the base scenario has no {} called {id:?}; overlays change existing items (define new ones in the base)",
                        key.trim_end_matches('s').replace("classe", "class")
                    ))),
            }
        }
    }
    for overlay in &variant.pathways {
        overlay_pathway(&mut out, overlay, &at, &mut problems);
    }
    if let Some(w) = &variant.workflow {
        let base = out
            .entry("workflow".to_string())
            .or_insert_with(|| Value::Table(Table::new()));
        match base {
            Value::Table(base) => {
                for (k, v) in w {
                    base.insert(k.clone(), v.clone());
                }
            }
            _ => problems.push(Problem::new("workflow".into(), "must be a table".into())),
        }
    }
    if let Some(c) = &variant.calendar {
        match out.get_mut("calendar") {
            Some(Value::Table(base)) => {
                for (k, v) in c {
                    base.insert(k.clone(), v.clone());
                }
            }
            _ => problems.push(Problem::new(
                format!("{at}.calendar"),
                "the base scenario has no [calendar] to change; define it in the base".into(),
            )),
        }
    }
    // The resolved file describes one variant: the variant list is not part of it.
    out.remove("variants");
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Applies one pathway overlay (see the module documentation) to the scenario `out`.
fn overlay_pathway(out: &mut Table, overlay: &Table, at: &str, problems: &mut Vec<Problem>) {
    let Some(Value::String(id)) = overlay.get("id") else {
        problems.push(Problem::new(
            format!("{at}.pathways"),
            "every overlay needs the `id` of the item it changes".into(),
        ));
        return;
    };
    let at = format!("{at}.pathways.{id}");
    let base = match out.get_mut("pathways") {
        Some(Value::Array(items)) => items
            .iter_mut()
            .find(|v| v.get("id").and_then(Value::as_str) == Some(id.as_str())),
        _ => None,
    };
    let Some(Value::Table(base)) = base else {
        problems.push(Problem::new(
            at,
            format!("the base scenario has no pathway called {id:?}; overlays change existing items (define new ones in the base)"),
        ));
        return;
    };
    for (k, v) in overlay {
        if k == "steps" {
            continue;
        }
        base.insert(k.clone(), v.clone());
    }
    let Some(steps) = overlay.get("steps") else {
        return;
    };
    let Value::Array(steps) = steps else {
        problems.push(Problem::new(
            format!("{at}.steps"),
            "must be a list of step tables".into(),
        ));
        return;
    };
    let Some(Value::Array(base_steps)) = base.get_mut("steps") else {
        problems.push(Problem::new(
            format!("{at}.steps"),
            "the base pathway's steps must be a list of tables".into(),
        ));
        return;
    };
    for step in steps {
        let Some(step) = step.as_table() else {
            problems.push(Problem::new(
                format!("{at}.steps"),
                "each step overlay must be a table with an `id`".into(),
            ));
            continue;
        };
        let Some(Value::String(sid)) = step.get("id") else {
            problems.push(Problem::new(
                format!("{at}.steps"),
                "every step overlay needs the `id` of the step it changes or adds".into(),
            ));
            continue;
        };
        let sat = format!("{at}.steps.{sid}");
        let position = base_steps
            .iter()
            .position(|v| v.get("id").and_then(Value::as_str) == Some(sid.as_str()));
        let remove = match step.get("remove") {
            None => false,
            Some(Value::Boolean(b)) => *b,
            Some(_) => {
                problems.push(Problem::new(
                    format!("{sat}.remove"),
                    "`remove` is true or false".into(),
                ));
                continue;
            }
        };
        match (position, remove) {
            (Some(i), true) => {
                if step.len() > 2 {
                    problems.push(Problem::new(
                        sat,
                        "a step that is removed takes no other keys".into(),
                    ));
                    continue;
                }
                base_steps.remove(i);
            }
            (None, true) => problems.push(Problem::new(
                sat,
                format!("the base pathway {id:?} has no step called {sid:?} to remove"),
            )),
            (Some(i), false) => {
                let Some(Value::Table(target)) = base_steps.get_mut(i) else {
                    continue;
                };
                // Routing and what the step does are replaced as a whole, so an overlay never
                // leaves a step with both `next` and `branches`, or both a station and a delay.
                if step.contains_key("next") || step.contains_key("branches") {
                    target.remove("next");
                    target.remove("branches");
                }
                if step.contains_key("station") || step.contains_key("delay") {
                    target.remove("station");
                    target.remove("delay");
                    target.remove("service");
                }
                for (k, v) in step {
                    if k != "remove" {
                        target.insert(k.clone(), v.clone());
                    }
                }
            }
            (None, false) => {
                let mut added = step.clone();
                added.remove("remove");
                base_steps.push(Value::Table(added));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlays_merge_by_id_and_reject_unknown_ids() {
        let base: Table = toml::from_str(
            r#"
[[stations]]
id = "pay"
servers = 4
service = { dist = "exponential", mean = "1min" }
[[variants]]
id = "v"
stations = [{ id = "pay", servers = 2 }, { id = "kiosk", servers = 3, service = { dist = "deterministic", value = "30s" } }]
"#,
        )
        .unwrap();
        let spec: VariantSpec = toml::from_str(
            r#"
id = "v"
stations = [{ id = "pay", servers = 2 }, { id = "kiosk", servers = 3, service = { dist = "deterministic", value = "30s" } }]
"#,
        )
        .unwrap();
        let problems = apply(&base, &spec).unwrap_err();
        assert!(
            problems[0].message.contains("no station called \"kiosk\""),
            "{problems:?}"
        );
        let spec: VariantSpec =
            toml::from_str("id = \"v\"\nstations = [{ id = \"pay\", servers = 2 }]").unwrap();
        let out = apply(&base, &spec).unwrap();
        let stations = out["stations"].as_array().unwrap();
        assert_eq!(stations.len(), 1);
        assert_eq!(stations[0]["servers"].as_integer(), Some(2));
        assert!(
            stations[0].get("service").is_some(),
            "keys not given are kept"
        );
        assert!(out.get("variants").is_none());
    }

    #[test]
    fn pathway_steps_merge_by_id_routing_and_kind_replaced_whole() {
        let base: Table = toml::from_str(
            r#"
[[pathways]]
id = "visit"
[[pathways.steps]]
id = "a"
station = "desk"
service = { dist = "exponential", mean = "1min" }
next = "b"
[[pathways.steps]]
id = "b"
station = "desk"
branches = [{ to = "c", p = 0.5 }, { to = "exit", p = 0.5 }]
[[pathways.steps]]
id = "c"
delay = { dist = "deterministic", value = "5min" }
next = "exit"
"#,
        )
        .unwrap();
        let spec: VariantSpec = toml::from_str(
            r#"
id = "v"
pathways = [{ id = "visit", steps = [
  { id = "a", delay = { dist = "deterministic", value = "1min" } },
  { id = "b", next = "d" },
  { id = "c", remove = true },
  { id = "d", station = "desk", next = "exit" },
] }]
"#,
        )
        .unwrap();
        let out = apply(&base, &spec).unwrap();
        let steps = out["pathways"][0]["steps"].as_array().unwrap();
        let ids: Vec<&str> = steps.iter().map(|s| s["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["a", "b", "d"]);
        // `a` became a delay: its station and service went with the change of kind.
        assert!(steps[0].get("station").is_none() && steps[0].get("service").is_none());
        assert_eq!(steps[0]["next"].as_str(), Some("b"));
        // `b`'s branches were replaced by `next`.
        assert!(steps[1].get("branches").is_none());
        assert_eq!(steps[1]["next"].as_str(), Some("d"));
    }
}

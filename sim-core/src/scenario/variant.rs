//! Variants: named overlays on a base scenario, resolved on the TOML tree before the model is
//! built, so a variant is checked exactly like a whole scenario file.
//!
//! Lists of tables (`stations`, `resources`, `arrivals`, `classes`) merge by `id`: the keys a variant gives
//! replace the base item's keys; an id the base does not have is an error (a misspelling would
//! otherwise add an item silently), so stations only some variants use (a kiosk) are defined in
//! the base. `workflow`
//! merges key by key into `[workflow]`. Levers and adoption are read by `compile`. Everything the
//! variant does not mention — pathways, seed, replications — is shared, which is what makes
//! common random numbers line up across variants.

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
    // The resolved file describes one variant: the variant list is not part of it.
    out.remove("variants");
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
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
}

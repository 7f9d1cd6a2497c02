//! `[[resources]]` and a station's `requires`: named pools of staff or rooms that stations
//! share, as written.
//!
//! A station either has `servers` of its own (a pool nobody else uses) or `requires` one or
//! more resources with counts; a resource may be required by several stations (one consultant
//! pool serving both the clinic and the procedure room). Checking and compiling them is
//! `compile::resources`; the seizure rule is documented in docs/scenario-format.md.

use super::Servers;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::fmt;

/// `[[resources]]`: a pool of identical staff or rooms.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceSpec {
    /// Identifier used in `requires`.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Units in the pool: a constant, or a list of shifts (as a station's `servers`).
    pub capacity: Servers,
    /// After the last shift, the pool keeps serving until nobody needing it waits (default
    /// true), as a station's `overtime`.
    #[serde(default = "default_true")]
    pub overtime: bool,
    /// Cost of one unit per staffed hour (reported; used by staffing studies).
    #[serde(default)]
    pub cost_per_hour: Option<f64>,
    /// What happens to services in progress when units on duty fall below the units seized
    /// (as a station's `shift_end`).
    #[serde(default)]
    pub shift_end: super::ShiftEnd,
}

fn default_true() -> bool {
    true
}

/// One entry of a station's `requires`: a resource id (one unit) or `{ resource, count }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedSpec {
    /// The resource's id.
    pub resource: String,
    /// Units seized together for each service (at least 1).
    pub count: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CountedNeed {
    resource: String,
    #[serde(default = "one")]
    count: u32,
}

fn one() -> u32 {
    1
}

impl<'de> Deserialize<'de> for NeedSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = NeedSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a resource id such as \"doctor\", or a table such as { resource = \"nurse\", count = 2 }",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NeedSpec, E> {
                Ok(NeedSpec {
                    resource: v.to_string(),
                    count: 1,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<NeedSpec, A::Error> {
                let c = CountedNeed::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(NeedSpec {
                    resource: c.resource,
                    count: c.count,
                })
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Holder {
        requires: Vec<NeedSpec>,
    }

    #[test]
    fn a_need_is_an_id_or_a_counted_table() {
        let h: Holder = toml::from_str(
            r#"requires = ["doctor", { resource = "nurse", count = 2 }, { resource = "room" }]"#,
        )
        .unwrap();
        let got: Vec<(&str, u32)> = h
            .requires
            .iter()
            .map(|n| (n.resource.as_str(), n.count))
            .collect();
        assert_eq!(got, [("doctor", 1), ("nurse", 2), ("room", 1)]);
    }

    #[test]
    fn unknown_keys_and_other_types_are_refused() {
        let e = toml::from_str::<Holder>(r#"requires = [{ resource = "nurse", cout = 2 }]"#)
            .err()
            .unwrap();
        assert!(
            e.message().contains("unknown field `cout`"),
            "{}",
            e.message()
        );
        let e = toml::from_str::<Holder>("requires = [3]").err().unwrap();
        assert!(e.message().contains("a resource id"), "{}", e.message());
    }
}

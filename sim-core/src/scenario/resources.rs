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

/// One entry of a station's `requires`: a resource id (one unit), `{ resource, count }`, or
/// alternatives `{ one_of = [...], count, choose }` (a registrar *or* a consultant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedSpec {
    /// The resource's id; for alternatives, every alternative's id in preference order.
    pub resources: Vec<String>,
    /// Units seized together for each service (at least 1), of the one resource chosen.
    pub count: u32,
    /// Given for alternatives (`one_of`): how one of them is chosen.
    pub choose: Option<Choose>,
}

/// How a service whose station `requires` alternatives picks one among those free enough.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choose {
    /// The first in the listed order.
    #[default]
    Preference,
    /// The one whose free unit has been idle the longest (spreads the work over the units).
    FirstFree,
    /// The one least utilised so far in the replication (seized over available unit time;
    /// ties in the listed order).
    LeastUtilised,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CountedNeed {
    #[serde(default)]
    resource: Option<String>,
    #[serde(default)]
    one_of: Option<Vec<String>>,
    #[serde(default = "one")]
    count: u32,
    #[serde(default)]
    choose: Option<Choose>,
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
                    resources: vec![v.to_string()],
                    count: 1,
                    choose: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<NeedSpec, A::Error> {
                let c = CountedNeed::deserialize(de::value::MapAccessDeserializer::new(map))?;
                match (c.resource, c.one_of) {
                    (Some(r), None) => {
                        if c.choose.is_some() {
                            return Err(de::Error::custom(
                                "`choose` picks among alternatives: write them as `one_of = [...]` instead of `resource`",
                            ));
                        }
                        Ok(NeedSpec {
                            resources: vec![r],
                            count: c.count,
                            choose: None,
                        })
                    }
                    (None, Some(alternatives)) => {
                        if alternatives.len() < 2 {
                            return Err(de::Error::custom(
                                "`one_of` lists the alternatives a service may use: give at least two (or `resource` for one)",
                            ));
                        }
                        Ok(NeedSpec {
                            resources: alternatives,
                            count: c.count,
                            choose: Some(c.choose.unwrap_or_default()),
                        })
                    }
                    (Some(_), Some(_)) => Err(de::Error::custom(
                        "give either `resource` (one resource) or `one_of` (alternatives), not both",
                    )),
                    (None, None) => Err(de::Error::custom(
                        "needs `resource = \"id\"` or alternatives `one_of = [\"id\", ...]`",
                    )),
                }
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
            .map(|n| (n.resources[0].as_str(), n.count))
            .collect();
        assert_eq!(got, [("doctor", 1), ("nurse", 2), ("room", 1)]);
        assert!(h.requires.iter().all(|n| n.choose.is_none()));
    }

    #[test]
    fn alternatives_are_a_list_with_a_rule() {
        let h: Holder = toml::from_str(
            r#"requires = [{ one_of = ["registrar", "consultant"] }, { one_of = ["a", "b"], count = 2, choose = "least_utilised" }]"#,
        )
        .unwrap();
        assert_eq!(h.requires[0].resources, ["registrar", "consultant"]);
        assert_eq!(h.requires[0].choose, Some(Choose::Preference));
        assert_eq!(h.requires[1].count, 2);
        assert_eq!(h.requires[1].choose, Some(Choose::LeastUtilised));
        for (text, says) in [
            (r#"requires = [{ one_of = ["a"] }]"#, "at least two"),
            (
                r#"requires = [{ resource = "a", one_of = ["b", "c"] }]"#,
                "not both",
            ),
            (r#"requires = [{ count = 2 }]"#, "needs `resource"),
            (
                r#"requires = [{ resource = "a", choose = "first_free" }]"#,
                "`choose` picks",
            ),
            (
                r#"requires = [{ one_of = ["a", "b"], choose = "random" }]"#,
                "unknown variant",
            ),
        ] {
            let e = toml::from_str::<Holder>(text).err().unwrap();
            assert!(e.message().contains(says), "{text}: {}", e.message());
        }
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

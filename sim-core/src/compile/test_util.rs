//! Helpers shared by the compiler's unit tests: a small valid scenario and the problems a
//! text produces, as `Problem`'s Display prints them.

use crate::{Model, ScenarioError};

/// An M/M/1 queue that compiles cleanly; tests edit it with `replace`.
pub const MM1: &str = r#"
[scenario]
name = "mm1"
[run]
max_arrivals = 1000
replications = 2
[[stations]]
id = "desk"
servers = 1
service = { dist = "exponential", mean = "3min" }
[[arrivals]]
id = "walk_in"
kind = "poisson"
rate = "15/h"
pathway = "visit"
[[pathways]]
id = "visit"
steps = [{ id = "desk", station = "desk", next = "exit" }]
"#;

/// The problems `text` produces (empty when it compiles); a syntax error as one line.
pub fn problems_of(text: &str) -> Vec<String> {
    match Model::from_toml(text) {
        Ok(_) => Vec::new(),
        Err(ScenarioError::Invalid(p)) => p.iter().map(|p| p.to_string()).collect(),
        Err(e) => vec![e.to_string()],
    }
}

/// The warnings of a text that compiles.
pub fn warnings_of(text: &str) -> Vec<String> {
    Model::from_toml(text).expect("compiles").warnings
}

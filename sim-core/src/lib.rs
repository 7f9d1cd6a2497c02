//! CarePath's simulation core: scenario model, validation, discrete-event engine and
//! statistics for patient flow through hospital outpatient departments.
//!
//! Data flow: TOML text → [`scenario::ScenarioFile`] (as written) → [`model::Model`] (checked,
//! compiled to index tables) → [`engine::Simulator`] (one replication → a
//! [`engine::ReplicationResult`]) → [`summary::Accumulator`] (across replications → a
//! [`summary::Summary`]). This crate does no I/O, starts no threads and never reads the clock or
//! ambient randomness, so it compiles unchanged to wasm32 and gives the same bits everywhere.
//! Two features, for native callers (the CLI and the Python package), add what they share:
//! `parallel` ([`study`]'s `parallel` runner, replications on a rayon pool, folded in order)
//! and `files` ([`data`]'s reading of a scenario's data files from disk).
//!
//! ```
//! let model = sim_core::Model::from_toml(r#"
//! [scenario]
//! name = "M/M/1"
//! [run]
//! max_arrivals = 1000
//! replications = 2
//! [[stations]]
//! id = "desk"
//! servers = 1
//! service = { dist = "exponential", mean = "3min" }
//! [[arrivals]]
//! id = "walk_in"
//! kind = "poisson"
//! rate = "15/h"
//! pathway = "visit"
//! [[pathways]]
//! id = "visit"
//! steps = [{ id = "desk", station = "desk", next = "exit" }]
//! "#).unwrap();
//! // Replications are folded into the study one by one, in order, so memory stays bounded
//! // however many are run (and the result does not depend on how they were scheduled).
//! let mut study = sim_core::Study::new(&model);
//! study.run().unwrap();
//! let summary = study.summary();
//! assert_eq!(summary.patients.arrived.mean, 1000.0);
//! ```

pub mod compile;
pub mod data;
pub mod distribution;
pub mod engine;
pub mod error;
pub mod fastmath;
pub mod fit;
pub mod model;
pub mod optimise;
pub mod rng;
pub mod scenario;
pub mod stats;
pub mod study;
pub mod sweep;

// The benchmarks' hand-written yardstick engine uses the same future-event list.
pub use engine::event_queue;

pub use engine::{ReplicationResult, Simulator, run_replication};
pub use error::{Problem, RunError, ScenarioError};
pub use model::Model;
pub use scenario::Scenario;
pub use stats::{compare, summary};
pub use study::Study;
pub use summary::Summary;

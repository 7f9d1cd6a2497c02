//! Shared inputs for CarePath's benchmarks, and the single-purpose yardstick engine.

pub mod single_purpose;

/// The canonical benchmark workload (`scenarios/benchmark.toml`), compiled in so benchmarks
/// do not depend on the working directory.
pub const BENCHMARK_SCENARIO: &str = include_str!("../scenarios/benchmark.toml");

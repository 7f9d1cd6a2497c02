//! Shared inputs for CarePath's benchmarks, and the single-purpose yardstick engine.

pub mod single_purpose;

/// The canonical benchmark workload (`scenarios/benchmark.toml`), compiled in so benchmarks
/// do not depend on the working directory.
pub const BENCHMARK_SCENARIO: &str = include_str!("../scenarios/benchmark.toml");

/// The flagship scenario (`scenarios/future-hospital.toml`): a peak day of a large hospital's
/// outpatient department, gamma and lognormal services, shifts and booked arrivals.
pub const FLAGSHIP_SCENARIO: &str = include_str!("../scenarios/future-hospital.toml");

/// The outpatient clinic (`scenarios/outpatient-clinic.toml`): a small clinic day, many short
/// replications.
pub const CLINIC_SCENARIO: &str = include_str!("../scenarios/outpatient-clinic.toml");

/// The specialist clinic of shared resources (`scenarios/clinic-with-procedures.toml`): five
/// pools, a station with alternatives, preemption and a hand-over rule.
pub const SHARED_SCENARIO: &str = include_str!("../scenarios/clinic-with-procedures.toml");

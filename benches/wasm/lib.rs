//! A minimal WebAssembly build of sim-core for performance and determinism checks under Node,
//! before the browser front end exists. It exports plain C-ABI functions (no wasm-bindgen):
//! `run_benchmark(n, seed)` runs the canonical workload with `n` arrivals and returns the
//! number of events; `last_mean_tis_bits_hi/lo()` return the bit pattern of the mean time in
//! system of that run, so the caller can compare it with the native result bit for bit.
//! `bench/wasm/run.mjs` drives it.

#![allow(unsafe_code)] // `#[unsafe(no_mangle)]` is the only unsafe construct, needed to export.

use std::cell::Cell;

thread_local! {
    static LAST_TIS_BITS: Cell<u64> = const { Cell::new(0) };
}

/// The canonical workload (`scenarios/benchmark.toml`).
const SCENARIO: &str = include_str!("../../scenarios/benchmark.toml");

/// Runs one replication of the canonical workload with `n` arrivals; returns the event count.
pub fn run(n: u64, seed: u64) -> (u64, f64) {
    let overrides = sim_core::scenario::Overrides {
        max_arrivals: Some(n),
        seed: Some(seed),
        ..Default::default()
    };
    let model = sim_core::Scenario::parse(SCENARIO)
        .and_then(|s| s.model_with(None, &overrides))
        .expect("benchmark scenario is valid");
    let r = sim_core::run_replication(&model, 0).unwrap();
    (r.events, r.time_in_system.mean())
}

/// C-ABI export: runs the workload, remembers the mean time in system, returns events.
#[unsafe(no_mangle)]
pub extern "C" fn run_benchmark(n: f64, seed: f64) -> f64 {
    let (events, tis) = run(n as u64, seed as u64);
    LAST_TIS_BITS.with(|c| c.set(tis.to_bits()));
    events as f64
}

/// High 32 bits of the last mean time in system.
#[unsafe(no_mangle)]
pub extern "C" fn last_mean_tis_bits_hi() -> u32 {
    LAST_TIS_BITS.with(|c| (c.get() >> 32) as u32)
}

/// Low 32 bits of the last mean time in system.
#[unsafe(no_mangle)]
pub extern "C" fn last_mean_tis_bits_lo() -> u32 {
    LAST_TIS_BITS.with(|c| c.get() as u32)
}

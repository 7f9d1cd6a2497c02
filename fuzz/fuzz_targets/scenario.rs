//! Fuzz target: any text given to the scenario parser and validator must produce a model or a
//! typed error, never a panic; a model that validates must also run one replication (bounded by
//! a small arrival cap) without panicking.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sim_core::scenario::Overrides;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(scenario) = sim_core::Scenario::parse(text) else { return };
    // The file as written must validate or fail cleanly.
    let _ = scenario.model(None);
    // Keep each run cheap: a few hundred patients, one replication (given to the compiler, so
    // the capped model is checked like any other).
    let cheap = Overrides {
        max_arrivals: Some(300),
        replications: Some(1),
        ..Default::default()
    };
    if let Ok(model) = scenario.model_with(None, &cheap) {
        let _ = sim_core::run_replication(&model, 0);
    }
});

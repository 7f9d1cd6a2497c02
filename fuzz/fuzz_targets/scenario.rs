//! Fuzz target: any text given to the scenario parser and validator must produce a model or a
//! typed error, never a panic; a model that validates must also run one replication (bounded by
//! a small arrival cap) without panicking.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(mut model) = sim_core::Model::from_toml(text) {
        // Keep each input cheap: a few hundred patients, a bounded horizon.
        model.max_arrivals = Some(model.max_arrivals.unwrap_or(300).min(300));
        model.stop = Some(model.stop.unwrap_or(3.0 * 1440.0).min(3.0 * 1440.0));
        model.replications = 1;
        let _ = sim_core::run_replication(&model, 0);
    }
});

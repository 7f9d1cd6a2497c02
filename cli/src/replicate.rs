//! Runs a model's replications on a rayon pool, with a progress bar on terminals.
//!
//! Each replication is independent and seeded from (seed, replication number), and results are
//! collected in replication order, so the output is identical for any number of threads.

use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use sim_core::{Model, ReplicationResult, Simulator};
use std::io::IsTerminal;

/// Runs every replication of `model`; `threads` = None uses all cores.
pub fn run_all(
    model: &Model,
    threads: Option<usize>,
    quiet: bool,
) -> Result<Vec<ReplicationResult>> {
    let n = model.replications;
    let bar = if quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::with_draw_target(Some(u64::from(n)), ProgressDrawTarget::stderr());
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} replications {pos}/{len} [{bar:30}] {elapsed_precise} eta {eta}",
            )
            .expect("static template")
            .progress_chars("=> "),
        );
        b
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()?;
    let results = pool.install(|| {
        (0..n)
            .into_par_iter()
            .map_init(
                || Simulator::new(model),
                |sim, r| {
                    let out = sim.run(r);
                    bar.inc(1);
                    out
                },
            )
            .collect::<Vec<_>>()
    });
    bar.finish_and_clear();
    Ok(results)
}

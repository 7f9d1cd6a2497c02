//! Runs a model's replications on a rayon pool, with a progress bar on terminals.
//!
//! Each replication is independent and seeded from (seed, replication number), and results are
//! collected in replication order, so the output is identical for any number of threads.
//!
//! Ctrl-C stops cleanly: replications already running finish, no new ones start, and the
//! caller gets an [`Interrupted`] error carrying the completed replications (nothing is written,
//! so earlier result files stay intact).

use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use sim_core::{Model, ReplicationResult, Simulator};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the Ctrl-C handler (once per process).
pub fn install_interrupt_handler() {
    // If a handler cannot be installed, Ctrl-C simply keeps its default meaning.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
}

/// The run was interrupted; `completed` holds the replications that finished, in order.
#[derive(Debug)]
pub struct Interrupted {
    /// Finished replications.
    pub completed: Vec<ReplicationResult>,
    /// Replications asked for.
    pub total: u32,
}

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "interrupted after {} of {} replications; no files were written",
            self.completed.len(),
            self.total
        )
    }
}

impl std::error::Error for Interrupted {}

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
                    if INTERRUPTED.load(Ordering::SeqCst) {
                        return None;
                    }
                    let out = sim.run(r);
                    bar.inc(1);
                    Some(out)
                },
            )
            .collect::<Vec<_>>()
    });
    bar.finish_and_clear();
    if results.iter().any(Option::is_none) {
        return Err(Interrupted {
            completed: results.into_iter().flatten().collect(),
            total: n,
        }
        .into());
    }
    Ok(results.into_iter().flatten().collect())
}

//! Runs a model's replications on a rayon pool ([`sim_core::study::parallel`], the runner the
//! Python package uses too), with a progress bar on terminals and Ctrl-C as the stop flag.
//!
//! Each replication is independent and seeded from (seed, replication number); finished
//! replications are folded in replication order, so the result is identical for any number of
//! threads.
//!
//! Ctrl-C stops cleanly and quickly: the engine looks at the stop flag every few thousand
//! events, so even one very long replication ends within moments. The caller gets an
//! [`Interrupted`] error carrying the summary of the replications that had finished, in order
//! (nothing is written, so earlier result files stay intact).

use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sim_core::study::parallel::{self, ParallelError};
use sim_core::summary::Accumulator;
use sim_core::{Model, Summary};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the Ctrl-C handler (once per process).
pub fn install_interrupt_handler() {
    // If a handler cannot be installed, Ctrl-C simply keeps its default meaning.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
}

/// The flag Ctrl-C raises, for simulators run outside [`run_all`].
pub fn stop_flag() -> &'static AtomicBool {
    &INTERRUPTED
}

/// Whether Ctrl-C has been pressed.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// A command other than a run was interrupted by Ctrl-C (the text says what was lost).
#[derive(Debug)]
pub struct Stopped(pub String);

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Stopped {}

/// The run was interrupted; `summary` summarises the replications that finished (in order).
#[derive(Debug)]
pub struct Interrupted {
    /// Summary of the finished replications (None when none finished).
    pub summary: Option<Box<Summary>>,
    /// Replications that finished.
    pub completed: u32,
    /// Replications asked for.
    pub total: u32,
}

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "interrupted after {} of {} replications; no files were written",
            self.completed, self.total
        )
    }
}

impl std::error::Error for Interrupted {}

/// The number of worker threads to use: all cores by default (or with 0); more than
/// [`parallel::MAX_THREADS_PER_CORE`] per core is refused.
pub fn thread_count(threads: Option<usize>) -> Result<usize> {
    parallel::thread_count(threads).map_err(|e| crate::InputError(format!("--threads {e}")).into())
}

/// Runs every replication of `model`; `threads` = None uses all cores.
pub fn run_all(model: &Model, threads: Option<usize>, quiet: bool) -> Result<Accumulator> {
    run_until(model, threads, quiet, &mut |_| false)
}

/// Runs the replications of `model` in order until `enough` (asked after each replication
/// is folded in, in replication order) says so, or all have run (see
/// [`sim_core::study::parallel::run_until`]), with a progress bar on terminals.
pub fn run_until(
    model: &Model,
    threads: Option<usize>,
    quiet: bool,
    enough: &mut dyn FnMut(&Accumulator) -> bool,
) -> Result<Accumulator> {
    let n = model.replications();
    let threads = thread_count(threads)?;
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
    let options = parallel::Options {
        threads,
        stop: &INTERRUPTED,
        progress: &|k| bar.inc(k),
    };
    let result = parallel::run_until(model, options, enough);
    bar.finish_and_clear();
    match result {
        Ok(acc) => Ok(acc),
        Err(ParallelError::Interrupted { partial, total }) => Err(Interrupted {
            summary: (!partial.is_empty()).then(|| Box::new(partial.summary(model))),
            completed: partial.len() as u32,
            total,
        }
        .into()),
        Err(ParallelError::Run(e)) => Err(anyhow::Error::new(e).context("the simulation stopped")),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::study::parallel::MAX_THREADS_PER_CORE;

    #[test]
    fn thread_count_is_capped_per_core() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(thread_count(None).unwrap(), cores);
        assert_eq!(thread_count(Some(1)).unwrap(), 1);
        assert_eq!(
            thread_count(Some(MAX_THREADS_PER_CORE * cores)).unwrap(),
            MAX_THREADS_PER_CORE * cores
        );
        assert_eq!(thread_count(Some(0)).unwrap(), cores);
        let err = thread_count(Some(100_000)).unwrap_err().to_string();
        assert!(err.contains("--threads 100000"), "{err}");
    }
}

//! A study's replications on a rayon pool (feature `parallel`): the one parallel runner of the
//! CLI and the Python package.
//!
//! Replications run in chunks of a few per thread; each finished chunk is folded into the
//! [`Study`] in replication order and then dropped, so memory stays bounded however many
//! replications are asked for, and the result is the same bits for any number of threads.
//! Each worker keeps its simulator and its results' storage from chunk to chunk, so after the
//! first chunk no replication allocates.
//!
//! A raised stop flag ends the run soon (the engine looks at it every few thousand events, so
//! even one very long replication ends within moments) with [`ParallelError::Interrupted`],
//! which carries the replications that had finished, in order.

use super::{Study, run_batch};
use crate::engine::{ReplicationResult, Simulator};
use crate::error::RunError;
use crate::model::Model;
use crate::stats::summary::Accumulator;
use rayon::prelude::*;
use std::sync::atomic::AtomicBool;

/// Replications per thread in one chunk: enough to keep every core busy between folds, few
/// enough that a chunk's results (histograms of tens of kilobytes each) stay small.
const PER_THREAD: u32 = 4;

/// Most worker threads accepted per available core. More threads than that cannot make a run
/// faster, and tens of thousands of them exhaust the machine before the first replication.
pub const MAX_THREADS_PER_CORE: usize = 4;

/// How a parallel study runs.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    /// Worker threads (at least one is used).
    pub threads: usize,
    /// Raised by the caller (Ctrl-C, KeyboardInterrupt) to stop the run.
    pub stop: &'a AtomicBool,
    /// Told how many more replications finished, after each worker's share (from the worker
    /// threads: a progress bar's counter).
    pub progress: &'a (dyn Fn(u64) + Sync),
}

/// Why a parallel study did not finish.
#[derive(Debug, thiserror::Error)]
pub enum ParallelError {
    /// The stop flag was raised; `partial` holds the replications that finished, in order.
    #[error("interrupted after {} of {total} replications", partial.len())]
    Interrupted {
        /// The replications folded before the stop.
        partial: Box<Accumulator>,
        /// Replications asked for.
        total: u32,
    },
    /// A replication failed (the engine's bound on events, say).
    #[error(transparent)]
    Run(RunError),
    /// The worker threads could not be started.
    #[error("cannot start {threads} worker threads: {why}")]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// The system's reason.
        why: String,
    },
}

/// The number of cores, the default thread count.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// More worker threads asked for than [`MAX_THREADS_PER_CORE`] per core. The text starts
/// with the number, for the caller to name its option before it (`--threads 99 is …`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{asked} is more than {MAX_THREADS_PER_CORE} per core ({most} on this machine, which has {cores} core{}); more threads cannot make the run faster",
    if *cores == 1 { "" } else { "s" }
)]
pub struct TooManyThreads {
    /// Threads asked for.
    pub asked: usize,
    /// The most accepted here.
    pub most: usize,
    /// Cores of this machine.
    pub cores: usize,
}

/// The thread count for `asked`: every core for `None` or 0, `asked` up to
/// [`MAX_THREADS_PER_CORE`] per core, refused above.
pub fn thread_count(asked: Option<usize>) -> Result<usize, TooManyThreads> {
    let cores = cores();
    match asked {
        None | Some(0) => Ok(cores),
        Some(n) if n > MAX_THREADS_PER_CORE * cores => Err(TooManyThreads {
            asked: n,
            most: MAX_THREADS_PER_CORE * cores,
            cores,
        }),
        Some(n) => Ok(n),
    }
}

/// Runs every replication of `model`.
pub fn run_all(model: &Model, options: Options<'_>) -> Result<Accumulator, ParallelError> {
    run_until(model, options, &mut |_| false)
}

/// Runs the replications of `model` in order until `enough` (asked after each replication
/// is folded in, in replication order) says so, or all have run. Replications other threads
/// ran past that point are dropped unfolded, so the result is the same for any thread count.
pub fn run_until(
    model: &Model,
    options: Options<'_>,
    enough: &mut dyn FnMut(&Accumulator) -> bool,
) -> Result<Accumulator, ParallelError> {
    let n = model.replications();
    let threads = options.threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| ParallelError::Threads {
            threads,
            why: e.to_string(),
        })?;
    let mut study = Study::new(model);
    let mut workers: Vec<(Simulator, Vec<ReplicationResult>)> = (0..threads)
        .map(|_| {
            (
                Simulator::new(model).with_stop_flag(options.stop),
                Vec::new(),
            )
        })
        .collect();
    let mut stopped = None;
    let mut satisfied = false;
    while !study.is_done() && stopped.is_none() && !satisfied {
        // The next chunk, cut into consecutive shares of a few replications per worker.
        let mut first = study.completed();
        let shares: Vec<_> = workers
            .iter_mut()
            .map(|w| {
                let share = first..first.saturating_add(PER_THREAD).min(n);
                first = share.end;
                (w, share)
            })
            .collect();
        let statuses: Vec<Result<(), RunError>> = pool.install(|| {
            shares
                .into_par_iter()
                .map(|((sim, out), share)| {
                    let count = share.len() as u64;
                    let status = run_batch(sim, share, out);
                    (options.progress)(count);
                    status
                })
                .collect()
        });
        // Fold the shares in order, up to the first that stopped early.
        'shares: for ((_, out), status) in workers.iter().zip(statuses) {
            for r in out {
                study.fold(r);
                if enough(study.accumulator()) {
                    satisfied = true;
                    break 'shares;
                }
            }
            if let Err(e) = status {
                stopped = Some(e);
                break;
            }
        }
    }
    match stopped {
        Some(RunError::Interrupted) if !satisfied => Err(ParallelError::Interrupted {
            partial: Box::new(study.into_accumulator()),
            total: n,
        }),
        Some(e) if !satisfied => Err(ParallelError::Run(e)),
        _ => Ok(study.into_accumulator()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// The compiler tests' M/M/1 with 11 short replications.
    fn mm1() -> Model {
        let text = crate::compile::test_util::MM1
            .replace("max_arrivals = 1000", "max_arrivals = 300")
            .replace("replications = 2", "replications = 11");
        Model::from_toml(&text).unwrap()
    }

    #[test]
    fn any_thread_count_gives_the_serial_bits_and_counts_every_replication() {
        let model = mm1();
        let mut serial = Study::new(&model);
        serial.run().unwrap();
        let want = serde_json_like(&serial.summary());
        let stop = AtomicBool::new(false);
        for threads in [1, 2, 3, 7] {
            let done = AtomicU64::new(0);
            let progress = |k: u64| {
                done.fetch_add(k, Ordering::Relaxed);
            };
            let acc = run_all(
                &model,
                Options {
                    threads,
                    stop: &stop,
                    progress: &progress,
                },
            )
            .unwrap();
            assert_eq!(
                serde_json_like(&acc.summary(&model)),
                want,
                "{threads} threads"
            );
            assert_eq!(done.load(Ordering::Relaxed), 11);
        }
    }

    #[test]
    fn a_raised_stop_flag_interrupts_with_what_finished() {
        let model = mm1();
        let stop = AtomicBool::new(true);
        let err = run_all(
            &model,
            Options {
                threads: 2,
                stop: &stop,
                progress: &|_| {},
            },
        )
        .unwrap_err();
        match err {
            ParallelError::Interrupted { partial, total } => {
                assert_eq!(total, 11);
                assert!(partial.len() < 11);
            }
            other => panic!("{other}"),
        }
    }

    #[test]
    fn enough_stops_at_the_same_replication_for_any_thread_count() {
        let model = mm1();
        let stop = AtomicBool::new(false);
        for threads in [1, 2, 5] {
            let acc = run_until(
                &model,
                Options {
                    threads,
                    stop: &stop,
                    progress: &|_| {},
                },
                &mut |acc| acc.len() == 6,
            )
            .unwrap();
            assert_eq!(acc.len(), 6, "{threads} threads");
        }
    }

    /// The summary's debug text: every field, every bit of every number.
    fn serde_json_like(s: &crate::Summary) -> String {
        format!("{s:?}")
    }
}

//! A study: a model's replications run and folded, in replication order, into an
//! [`Accumulator`] that gives the [`Summary`] (and, across variants, the comparison).
//!
//! This is the one "run a study" pipeline: the CLI (with worker threads), the web page (one
//! replication per call, between which the page draws progress), the tests and the benchmarks
//! all go through it. sim-core starts no threads, so parallel callers run batches of
//! replications with [`run_batch`] wherever they like and hand the results back with
//! [`Study::fold`] in replication order; because every replication is seeded from (seed,
//! replication number) alone and folding happens in that order, the summary is the same bits
//! for any number of threads and any batch size.
//!
//! ```
//! let model = sim_core::Model::from_toml(r#"
//! [scenario]
//! name = "M/M/1"
//! [run]
//! max_arrivals = 500
//! replications = 3
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
//! let mut study = sim_core::Study::new(&model);
//! study.run().unwrap();
//! assert_eq!(study.completed(), 3);
//! assert_eq!(study.summary().patients.arrived.mean, 500.0);
//! ```

use crate::engine::{ReplicationResult, Simulator};
use crate::error::RunError;
use crate::model::Model;
use crate::stats::compare::Breakdown;
use crate::stats::summary::{Accumulator, QueueSeries, Summary};
use std::ops::Range;
use std::sync::atomic::AtomicBool;

pub mod comparison;
#[cfg(feature = "parallel")]
pub mod parallel;

/// The replications of one model, run or folded so far.
pub struct Study<'m> {
    model: &'m Model,
    state: StudyState,
    /// Runs the replications done here (`step`, `run`), reusing its storage.
    sim: Simulator<'m>,
}

/// What a study has done so far, without its borrow of the model: for a caller that cannot
/// keep a [`Study`] between calls (the web page runs one replication per call and keeps the
/// models it owns beside this), see [`Study::resume`] and [`Study::pause`].
#[derive(Debug, Clone)]
pub struct StudyState {
    acc: Accumulator,
    /// The next replication to fold.
    next: u32,
    /// The last result, passed back to the simulator so its buffers are reused.
    buffer: ReplicationResult,
}

impl StudyState {
    /// Nothing run yet, for `model`.
    pub fn new(model: &Model) -> Self {
        StudyState {
            acc: Accumulator::new(model),
            next: 0,
            buffer: ReplicationResult::default(),
        }
    }

    /// Replications folded in so far.
    pub fn completed(&self) -> u32 {
        self.next
    }

    /// The replications folded so far.
    pub fn accumulator(&self) -> &Accumulator {
        &self.acc
    }
}

impl<'m> Study<'m> {
    /// A study of `model`'s `run.replications` replications, none run yet.
    pub fn new(model: &'m Model) -> Self {
        Study::resume(model, StudyState::new(model))
    }

    /// Carries on a study of `model` from `state` (which must come from a study of the same
    /// model).
    pub fn resume(model: &'m Model, state: StudyState) -> Self {
        Study {
            model,
            state,
            sim: Simulator::new(model),
        }
    }

    /// Ends this borrow of the model, keeping what was done (see [`StudyState`]).
    pub fn pause(self) -> StudyState {
        self.state
    }

    /// Makes replications run here stop with [`RunError::Interrupted`] soon after `flag` is
    /// raised; what was folded before stays (see [`completed`](Self::completed)).
    pub fn with_stop_flag(mut self, flag: &'m AtomicBool) -> Self {
        self.sim = self.sim.with_stop_flag(flag);
        self
    }

    /// The model studied.
    pub fn model(&self) -> &'m Model {
        self.model
    }

    /// Replications the study has (the model's `run.replications`).
    pub fn total(&self) -> u32 {
        self.model.replications
    }

    /// Replications folded in so far (the first `completed()` ones).
    pub fn completed(&self) -> u32 {
        self.state.next
    }

    /// True when every replication has been folded in.
    pub fn is_done(&self) -> bool {
        self.state.next >= self.total()
    }

    /// The next `size` replications still to run (fewer at the end; empty when done): what a
    /// parallel caller hands to its workers next.
    pub fn next_batch(&self, size: u32) -> Range<u32> {
        self.state.next
            ..self
                .state
                .next
                .saturating_add(size.max(1))
                .min(self.total())
    }

    /// Runs the next replication here and folds it in; `Ok(false)` when none was left.
    pub fn step(&mut self) -> Result<bool, RunError> {
        if self.is_done() {
            return Ok(false);
        }
        self.sim.run_into(self.state.next, &mut self.state.buffer)?;
        self.state.acc.add(&self.state.buffer);
        self.state.next += 1;
        Ok(true)
    }

    /// Runs every remaining replication here, in order.
    pub fn run(&mut self) -> Result<(), RunError> {
        while self.step()? {}
        Ok(())
    }

    /// Folds in a replication run elsewhere (another thread's [`run_batch`]).
    ///
    /// # Panics
    /// If `r` is not the next replication of the study: results must be folded in replication
    /// order, which is what makes the summary independent of threads (a caller's bug, not a
    /// property of the input).
    pub fn fold(&mut self, r: &ReplicationResult) {
        assert_eq!(
            r.replication, self.state.next,
            "replications must be folded in order"
        );
        assert!(!self.is_done(), "the study has all its replications");
        self.state.acc.add(r);
        self.state.next += 1;
    }

    /// The replications folded so far.
    pub fn accumulator(&self) -> &Accumulator {
        &self.state.acc
    }

    /// The accumulator, for comparisons and outputs that outlive the study.
    pub fn into_accumulator(self) -> Accumulator {
        self.state.acc
    }

    /// Its summary, where the time goes and the queue-length series.
    pub fn findings(&self) -> Findings {
        Findings::of(self.model, &self.state.acc)
    }

    /// The summary of the replications folded so far.
    pub fn summary(&self) -> Summary {
        self.state.acc.summary(self.model)
    }
}

/// What a study of one model found: the summary (= `summary.json`), where the time goes
/// and the queue-length series, computed once from its accumulator for every output (table,
/// files, charts, report, comparison).
#[derive(Debug, Clone)]
pub struct Findings {
    /// Means, intervals and percentiles.
    pub summary: Summary,
    /// Mean minutes per completed patient, by activity.
    pub breakdown: Breakdown,
    /// Queue length over the day, across replications.
    pub series: QueueSeries,
}

impl Findings {
    /// The findings of the replications in `acc`, run on `model`.
    pub fn of(model: &Model, acc: &Accumulator) -> Findings {
        Findings {
            summary: acc.summary(model),
            breakdown: crate::stats::compare::breakdown(model, acc.records()),
            series: acc.queue_series(model),
        }
    }
}

/// Runs replications `reps` on `sim` (one worker's share of a parallel study) and leaves
/// their results in `out`, in order, reusing the storage of the results `out` held (so a
/// worker that keeps its vector allocates nothing after its first batch). Stops at the first
/// error; `out` then holds the results before it.
pub fn run_batch(
    sim: &mut Simulator<'_>,
    reps: Range<u32>,
    out: &mut Vec<ReplicationResult>,
) -> Result<(), RunError> {
    let n = reps.len();
    out.truncate(n);
    out.resize_with(n, ReplicationResult::default);
    for (k, r) in reps.enumerate() {
        if let Err(e) = sim.run_into(r, &mut out[k]) {
            out.truncate(k);
            return Err(e);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLINIC: &str = r#"
[scenario]
name = "two desks"
[run]
close = "11:00"
replications = 9
sample_interval = "10min"
[[classes]]
id = "routine"
share = 0.7
[[classes]]
id = "urgent"
share = 0.3
[[stations]]
id = "desk"
servers = 2
service = { dist = "lognormal", mean = "5min", sd = "2min" }
[[stations]]
id = "doctor"
servers = [{ from = "08:00", to = "10:00", count = 3 }, { from = "10:00", to = "11:00", count = 1 }]
service = { dist = "gamma", mean = "9min", cv = 0.45 }
[[arrivals]]
id = "walk_in"
kind = "poisson"
rate = "30/h"
pathway = "visit"
[[pathways]]
id = "visit"
steps = [{ id = "desk", station = "desk", next = "doctor" }, { id = "doctor", station = "doctor", next = "exit" }]
"#;

    /// A study run here, one folded from batches of any size run on other simulators, and
    /// replications run one by one on fresh simulators give the same accumulator: reusing
    /// buffers and batching change nothing.
    #[test]
    fn batches_of_any_size_and_reused_buffers_give_the_same_study() {
        let model = Model::from_toml(CLINIC).expect("valid scenario");
        let mut here = Study::new(&model);
        here.run().unwrap();
        let fresh = crate::stats::summary::Accumulator::from_results(
            &model,
            &(0..model.replications)
                .map(|r| crate::run_replication(&model, r).unwrap())
                .collect::<Vec<_>>(),
        );
        assert_eq!(here.accumulator().records(), fresh.records());
        assert_eq!(here.summary(), fresh.summary(&model));
        for size in [1, 2, 4, 100] {
            let mut study = Study::new(&model);
            let mut workers = [Simulator::new(&model), Simulator::new(&model)];
            let mut buffers = [Vec::new(), Vec::new()];
            let mut turn = 0;
            while !study.is_done() {
                let batch = study.next_batch(size);
                let (sim, out) = (&mut workers[turn % 2], &mut buffers[turn % 2]);
                run_batch(sim, batch, out).unwrap();
                for r in out.iter() {
                    study.fold(r);
                }
                turn += 1;
            }
            assert_eq!(study.summary(), here.summary(), "batches of {size}");
        }
    }

    /// A raised stop flag stops a study of replications far shorter than the loop's check
    /// interval before the next one starts, keeping what was folded.
    #[test]
    fn a_raised_stop_flag_stops_between_short_replications() {
        let model = Model::from_toml(CLINIC).expect("valid scenario");
        let stop = AtomicBool::new(false);
        let mut study = Study::new(&model).with_stop_flag(&stop);
        assert!(study.step().unwrap());
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        assert_eq!(study.step(), Err(RunError::Interrupted));
        assert_eq!(study.completed(), 1);
        assert_eq!(study.accumulator().len(), 1);
        let mut sim = Simulator::new(&model).with_stop_flag(&stop);
        let mut out = Vec::new();
        assert_eq!(
            run_batch(&mut sim, 1..4, &mut out),
            Err(RunError::Interrupted)
        );
        assert!(out.is_empty());
    }

    #[test]
    #[should_panic(expected = "in order")]
    fn folding_out_of_order_is_refused() {
        let model = Model::from_toml(CLINIC).expect("valid scenario");
        let mut study = Study::new(&model);
        study.fold(&crate::run_replication(&model, 1).unwrap());
    }
}

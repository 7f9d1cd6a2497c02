//! Arrival streams, compiled: piecewise-constant Poisson rates, booked slots and batches.

use crate::distribution::Dist;
use crate::model::workflow::DayShape;

/// How a stream generates arrivals.
#[derive(Debug, Clone)]
pub enum StreamKind {
    /// Piecewise-constant Poisson rate (a homogeneous stream is a single piece).
    Poisson {
        /// (from, to, rate per minute) pieces, sorted and disjoint.
        pieces: Vec<(f64, f64, f64)>,
    },
    /// Booked slots.
    Appointments {
        /// Sessions (from, to), sorted and disjoint; slots start at `from`, `from + slot`, …
        /// while before `to`.
        sessions: Vec<(f64, f64)>,
        /// Slot length.
        slot: f64,
        /// Patients per slot.
        per_slot: u32,
        /// Probability of not attending: one for every class, or one per class index (with
        /// `no_show_by_class`); read it with [`no_show_of`].
        no_show: Box<[f64]>,
        /// Offset from the slot time (None = on time).
        punctuality: Option<Dist>,
        /// Patients later than this after their slot are late, and what happens to them.
        late: Option<(f64, crate::scenario::LateRule)>,
        /// With `no_show_by_weekday`: each session's own no-show probabilities (as `no_show`),
        /// by session index; empty otherwise.
        no_show_by_session: Box<[Box<[f64]>]>,
    },
    /// A group at one time.
    Batch {
        /// Time.
        at: f64,
        /// Count.
        count: u32,
    },
}

/// An arrival stream, compiled.
#[derive(Debug, Clone)]
pub struct Stream {
    /// Identifier.
    pub id: String,
    /// Hash of the id: the root of its patients' random keys.
    pub hash: u64,
    /// First step of its pathway.
    pub start_step: u32,
    /// Fixed class, or None to draw from the shares.
    pub class: Option<u16>,
    /// Process.
    pub kind: StreamKind,
    /// Walk-in streams with a bounded day: the shape of their arrivals, for mapping a walk-in
    /// time to a booked time under online registration.
    pub shape: Option<DayShape>,
}

/// An appointment stream's no-show probability for `class`: the stream's one value, or the
/// class's own.
#[inline]
pub fn no_show_of(no_show: &[f64], class: usize) -> f64 {
    match no_show {
        [all] => *all,
        by_class => by_class[class],
    }
}

//! Booked patients called by their slot (`order = "appointment"` on a step) and the lateness
//! rule of appointment streams (`late`). A station any of whose steps calls by appointment
//! keeps each queue (each priority level) in order of a call time: the booked slot time for a
//! booked patient at such a step (the session's end if they came late under
//! `then = "end_of_session"`), otherwise the time they joined the queue (walk-ins, patients late
//! under `then = "walk_in"`, other steps). First come first served is the special case where
//! every call time is the joining time, so stations without such a step keep their plain
//! queues and nothing here runs for them.

use super::Simulator;
use super::index::StationIx;
use super::patient::Patient;
use crate::model::StepKind;
use std::collections::VecDeque;

impl<'m> Simulator<'m> {
    /// A new patient slot `p` (with keyed queues): not booked until told otherwise.
    #[inline(never)]
    pub(super) fn clear_booking(&mut self, p: u32) {
        let i = p as usize;
        if self.booked_at.len() <= i {
            self.booked_at.resize(i + 1, f64::NAN);
            self.queue_key.resize(i + 1, 0.0);
        }
        self.booked_at[i] = f64::NAN;
    }

    /// Booked patient `p` is to be called at `at` (their slot, or their session's end).
    pub(super) fn book_call(&mut self, p: u32, at: f64) {
        if self.keyed {
            self.booked_at[p as usize] = at;
        }
    }

    /// Queues `entry` (patient `p`, joining at `now`) at station `s`, whose queue is keyed.
    #[inline(never)]
    pub(super) fn enqueue_keyed(&mut self, s: StationIx, p: u32, entry: u64, now: f64) {
        let m = self.model;
        let pat = &self.patients[p as usize];
        let booked = self.booked_at[p as usize];
        let by_appointment = matches!(
            m.steps[pat.step as usize].kind,
            StepKind::Visit {
                by_appointment: true,
                ..
            }
        );
        let key = if by_appointment && !booked.is_nan() {
            booked
        } else {
            now
        };
        self.queue_key[p as usize] = key;
        let st = &mut self.stations[s.ix()];
        let level = if st.lower.is_empty() {
            0
        } else {
            self.level_of[s.ix()][pat.class as usize] as usize
        };
        let queue = if level == 0 {
            &mut st.queue
        } else {
            &mut st.lower[level - 1]
        };
        insert_by_key(queue, entry, key, &self.patients, &self.queue_key);
    }
}

/// Inserts `entry` with call time `key` behind every live entry called at or before it (so
/// equal keys keep their joining order). Entries of patients who have left (stale
/// generations) are stepped over: their keys mean nothing.
fn insert_by_key(
    queue: &mut VecDeque<u64>,
    entry: u64,
    key: f64,
    patients: &[Patient],
    keys: &[f64],
) {
    let mut i = queue.len();
    while i > 0 {
        let e = queue[i - 1];
        let q = e as u32 as usize;
        let live = patients[q].generation == (e >> 32) as u32;
        if live && keys[q] <= key {
            break;
        }
        i -= 1;
    }
    queue.insert(i, entry);
}

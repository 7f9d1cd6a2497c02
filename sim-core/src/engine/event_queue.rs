//! The future-event list: a 4-ary min-heap ordered by (time, insertion sequence).
//!
//! Ordering by the sequence number as well as the time makes ties deterministic and
//! first-scheduled-first-served, independent of heap internals. Each entry is 16 bytes — the
//! time and one word holding the sequence number (high 32 bits) above the packed event (low 32
//! bits) — so comparing two entries is two compares and a node's four children fill one
//! 64-byte cache line. A 4-ary heap is shallower than a binary one; with the ~20–200 pending
//! events of an outpatient model it measured faster than `std::collections::BinaryHeap` (see
//! `docs/performance.md`). Storage grows to the largest number of pending events and is then
//! reused: nothing is allocated per event.
//!
//! One more entry can be held *beside* the heap (`push_beside`): an event that is nearly always
//! pending, such as a stream's next arrival, then costs one extra compare per pop instead of a
//! sift up and a sift down. Each pop takes the smaller (time, sequence) of that entry and the
//! heap's top, so the order of events is exactly the same as with everything in the heap.
//!
//! After 2^32 insertions in one run the sequence numbers are renumbered in place (an order-
//! preserving compaction), so arbitrarily long runs keep exact tie order. A sequence number
//! therefore identifies an event only until the next renumbering: callers must not keep one to
//! recognise the event later (the engine identifies its patience timers by patient generation).

/// An event that packs into 32 bits.
pub trait PackedEvent: Copy {
    /// Packs the event.
    fn pack(self) -> u32;
    /// Unpacks what `pack` produced.
    fn unpack(bits: u32) -> Self;
}

impl PackedEvent for u32 {
    fn pack(self) -> u32 {
        self
    }
    fn unpack(bits: u32) -> Self {
        bits
    }
}

/// One scheduled event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scheduled<E> {
    /// Simulated time, in minutes.
    pub time: f64,
    /// Insertion sequence number (tie-breaker, unique within a run).
    pub seq: u64,
    /// The event.
    pub event: E,
}

/// A heap entry. Times are non-negative, and the bit patterns of non-negative floats order
/// like the floats themselves, so (time bits, seq, event) compares as one 128-bit integer:
/// two integer compares and no branches on float special cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    /// `time.to_bits()` (time ≥ 0, and never -0.0).
    time_bits: u64,
    /// `seq << 32 | packed event`.
    key: u64,
}

impl Entry {
    #[inline(always)]
    fn rank(self) -> u128 {
        (u128::from(self.time_bits) << 64) | u128::from(self.key)
    }
}

/// The empty slot beside the heap: ranks above every real entry (real times are ≥ 0, so their
/// bits never reach `u64::MAX`).
const VACANT: Entry = Entry {
    time_bits: u64::MAX,
    key: u64::MAX,
};

#[inline(always)]
fn before(a: &Entry, b: &Entry) -> bool {
    a.rank() < b.rank()
}

/// A 4-ary min-heap of scheduled events.
#[derive(Debug, Clone)]
pub struct EventQueue<E> {
    heap: Vec<Entry>,
    /// The entry held beside the heap, or `VACANT`.
    beside: Entry,
    next_seq: u64,
    /// Renumber when `next_seq` reaches this (2^32; lowered in tests).
    seq_limit: u64,
    /// Renumberings so far (tests only).
    #[cfg(test)]
    pub(crate) renumbered: u64,
    _event: std::marker::PhantomData<E>,
}

impl<E: PackedEvent> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: PackedEvent> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        EventQueue {
            heap: Vec::with_capacity(64),
            beside: VACANT,
            next_seq: 0,
            seq_limit: 1 << 32,
            #[cfg(test)]
            renumbered: 0,
            _event: std::marker::PhantomData,
        }
    }

    /// Removes every event and restarts the sequence (storage is kept for reuse).
    pub fn clear(&mut self) {
        self.heap.clear();
        self.beside = VACANT;
        self.next_seq = 0;
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len() + usize::from(self.beside != VACANT)
    }

    /// True when nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty() && self.beside == VACANT
    }

    /// Allocated entries (the high-water mark of pending events, rounded up).
    pub fn capacity(&self) -> usize {
        self.heap.capacity()
    }

    /// Lowers the renumbering threshold (normally 2^32) so tests can force renumbering.
    #[cfg(test)]
    pub(crate) fn set_seq_limit(&mut self, limit: u64) {
        assert!(
            self.next_seq < limit,
            "limit below the next sequence number"
        );
        self.seq_limit = limit;
    }

    /// Time of the next event, if any.
    #[inline]
    pub fn peek_time(&self) -> Option<f64> {
        let top = self.heap.first().copied().unwrap_or(VACANT);
        let first = if before(&self.beside, &top) {
            self.beside
        } else {
            top
        };
        (first != VACANT).then(|| f64::from_bits(first.time_bits))
    }

    /// The next sequence number (renumbering first when the limit is reached).
    #[inline(always)]
    fn take_seq(&mut self) -> u64 {
        if self.next_seq == self.seq_limit {
            self.renumber();
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    /// Schedules `event` at `time` (≥ 0) like `push`, holding it beside the heap when that slot
    /// is free (else it goes into the heap). Meant for an event that is almost always pending,
    /// such as the next arrival of a stream; the order of events is the same either way.
    #[inline(always)]
    pub fn push_beside(&mut self, time: f64, event: E) -> u64 {
        if self.beside != VACANT {
            return self.push(time, event);
        }
        debug_assert!(time >= 0.0, "event time {time} is negative");
        let seq = self.take_seq();
        self.beside = Entry {
            time_bits: (time + 0.0).to_bits(),
            key: (seq << 32) | u64::from(event.pack()),
        };
        seq
    }

    /// Schedules `event` at `time` (≥ 0) and returns its sequence number.
    #[inline(always)]
    pub fn push(&mut self, time: f64, event: E) -> u64 {
        debug_assert!(time >= 0.0, "event time {time} is negative");
        let seq = self.take_seq();
        // `+ 0.0` turns -0.0 into +0.0, whose bits order correctly.
        let item = Entry {
            time_bits: (time + 0.0).to_bits(),
            key: (seq << 32) | u64::from(event.pack()),
        };
        let mut i = self.heap.len();
        self.heap.push(item);
        // Sift up, moving parents down into the hole rather than swapping.
        while i > 0 {
            let parent = (i - 1) / 4;
            if before(&item, &self.heap[parent]) {
                self.heap[i] = self.heap[parent];
                i = parent;
            } else {
                break;
            }
        }
        self.heap[i] = item;
        seq
    }

    /// Removes and returns the earliest event.
    #[inline(always)]
    pub fn pop(&mut self) -> Option<Scheduled<E>> {
        let Some(&top) = self.heap.first() else {
            return self.pop_beside();
        };
        if before(&self.beside, &top) {
            return self.pop_beside();
        }
        let last = self.heap.pop().unwrap_or(top);
        let top = if self.heap.is_empty() {
            last
        } else {
            let n = self.heap.len();
            // Floyd's variant: move the hole from the root down to a leaf along the smallest
            // children without comparing against `last` (which, coming from the end of the
            // array, almost always belongs near the bottom), then sift `last` up from there.
            let mut i = 0;
            loop {
                let first = 4 * i + 1;
                let best = if first + 3 < n {
                    // All four children exist: a branch-free tournament over one slice (one
                    // bounds check instead of four).
                    let kids = &self.heap[first..first + 4];
                    let (a, b, c, d) = (
                        kids[0].rank(),
                        kids[1].rank(),
                        kids[2].rank(),
                        kids[3].rank(),
                    );
                    let (ab, iab) = if b < a { (b, first + 1) } else { (a, first) };
                    let (cd, icd) = if d < c {
                        (d, first + 3)
                    } else {
                        (c, first + 2)
                    };
                    if cd < ab { icd } else { iab }
                } else if first < n {
                    let mut best = first;
                    for c in first + 1..n {
                        if before(&self.heap[c], &self.heap[best]) {
                            best = c;
                        }
                    }
                    best
                } else {
                    break;
                };
                self.heap[i] = self.heap[best];
                i = best;
            }
            let last_rank = last.rank();
            while i > 0 {
                let parent = (i - 1) / 4;
                if last_rank < self.heap[parent].rank() {
                    self.heap[i] = self.heap[parent];
                    i = parent;
                } else {
                    break;
                }
            }
            self.heap[i] = last;
            top
        };
        Some(Scheduled {
            time: f64::from_bits(top.time_bits),
            seq: top.key >> 32,
            event: E::unpack(top.key as u32),
        })
    }

    /// Takes the entry beside the heap (`None` when the slot is vacant).
    #[inline(always)]
    fn pop_beside(&mut self) -> Option<Scheduled<E>> {
        let e = std::mem::replace(&mut self.beside, VACANT);
        (e != VACANT).then(|| Scheduled {
            time: f64::from_bits(e.time_bits),
            seq: e.key >> 32,
            event: E::unpack(e.key as u32),
        })
    }

    /// Reassigns sequence numbers 0, 1, 2, … in (time, seq) order. A sorted array is a valid
    /// heap, and relative order — hence every future tie — is unchanged.
    /// The entry beside the heap is renumbered with the rest and stays beside it.
    #[cold]
    fn renumber(&mut self) {
        #[cfg(test)]
        {
            self.renumbered += 1;
        }
        let beside = self.beside;
        if beside != VACANT {
            self.heap.push(beside);
        }
        self.heap.sort_unstable();
        // Ranks are unique (sequence numbers are), so this finds exactly that entry.
        let at = (beside != VACANT).then(|| self.heap.partition_point(|e| *e < beside));
        for (i, e) in self.heap.iter_mut().enumerate() {
            e.key = ((i as u64) << 32) | (e.key & 0xffff_ffff);
        }
        self.next_seq = self.heap.len() as u64;
        if let Some(at) = at {
            // The array stays sorted, hence a valid heap, without it.
            self.beside = self.heap.remove(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ties_break_by_insertion_order() {
        let mut q = EventQueue::new();
        for i in 0..10u32 {
            q.push(5.0, i);
        }
        q.push(1.0, 99);
        assert_eq!(q.pop().unwrap().event, 99);
        let order: Vec<u32> = std::iter::from_fn(|| q.pop().map(|e| e.event)).collect();
        assert_eq!(order, (0..10).collect::<Vec<_>>());
    }

    fn drain(q: &mut EventQueue<u32>) -> Vec<(u32, u32)> {
        std::iter::from_fn(|| q.pop().map(|e| (e.time as u32, e.event))).collect()
    }

    proptest! {
        /// The heap pops exactly what a sort by (time, seq) would give, for any interleaving,
        /// including across sequence renumbering (forced early with a tiny limit).
        #[test]
        fn matches_a_sorted_list(ops in proptest::collection::vec((0u8..4, 0u32..50), 1..400), limit in 3u64..40) {
            let mut q = EventQueue::new();
            q.seq_limit = limit;
            let mut reference: Vec<(u32, u64)> = Vec::new();
            let mut seq = 0u64;
            for (op, t) in ops {
                if op < 2 || op == 3 {
                    if op == 3 {
                        q.push_beside(f64::from(t), seq as u32);
                    } else {
                        q.push(f64::from(t), seq as u32);
                    }
                    reference.push((t, seq));
                    seq += 1;
                } else {
                    reference.sort();
                    prop_assert_eq!(q.len(), reference.len());
                    prop_assert_eq!(q.peek_time().map(|t| t as u32), reference.first().map(|r| r.0));
                    let want = if reference.is_empty() { None } else { Some(reference.remove(0)) };
                    let got = q.pop().map(|e| (e.time as u32, u64::from(e.event)));
                    prop_assert_eq!(got, want);
                }
            }
            reference.sort();
            let rest: Vec<(u32, u32)> = reference.into_iter().map(|(t, s)| (t, s as u32)).collect();
            prop_assert_eq!(drain(&mut q), rest);
        }
    }
}

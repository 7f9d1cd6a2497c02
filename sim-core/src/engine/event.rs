//! The engine's closed set of events, packed into 32 bits for the future-event list.

use super::index::StationIx;
use super::index::StreamIx;
use crate::event_queue::PackedEvent;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ev {
    /// Next arrival of a Poisson stream.
    Arrival(StreamIx),
    /// Generate the patients of a stream's next appointment slot.
    Slot(StreamIx),
    /// A batch stream's group arrives.
    Batch(StreamIx),
    /// A booked patient (already allocated) walks in.
    Booked(u32),
    /// A patient's service ends.
    ServiceEnd(u32),
    /// A patient's delay step ends.
    DelayEnd(u32),
    /// A patience timer (an index into `Simulator::timers`) runs out: the patient reneges if
    /// still in the wait the timer was set for.
    Renege(u32),
    /// A station's staffing changes.
    Staff(StationIx),
    /// A shared resource's rota changes (an index into the model's resources).
    Resource(u32),
    /// The observation window opens (end of warm-up, or first possible arrival): statistics
    /// gathered so far are discarded, so nothing per event needs to check the window.
    StatsStart,
    /// The clinic opens: stations with a constant number of servers count them as staffed
    /// from now on (before opening, only time spent serving early patients counts).
    Open,
}

impl Ev {
    pub(super) fn name(self) -> &'static str {
        match self {
            Ev::Arrival(_) => "arrival",
            Ev::Slot(_) => "appointment slot",
            Ev::Batch(_) => "batch arrival",
            Ev::Booked(_) => "booked arrival",
            Ev::ServiceEnd(_) => "end of service",
            Ev::DelayEnd(_) => "end of delay",
            Ev::Renege(_) => "patience running out",
            Ev::Staff(_) => "staffing change",
            Ev::Resource(_) => "resource rota change",
            Ev::StatsStart => "start of the observation window",
            Ev::Open => "opening time",
        }
    }
}

/// Indices must fit in 28 bits (268 million patient slots, streams or stations).
const EV_INDEX_BITS: u32 = 28;
const EV_INDEX_MASK: u32 = (1 << EV_INDEX_BITS) - 1;

impl PackedEvent for Ev {
    #[inline(always)]
    fn pack(self) -> u32 {
        let (tag, i) = match self {
            Ev::Arrival(StreamIx(i)) => (0, i),
            Ev::Slot(StreamIx(i)) => (1, i),
            Ev::Batch(StreamIx(i)) => (2, i),
            Ev::Booked(i) => (3, i),
            Ev::ServiceEnd(i) => (4, i),
            Ev::DelayEnd(i) => (5, i),
            Ev::Renege(i) => (6, i),
            Ev::Staff(StationIx(i)) => (7, i),
            Ev::StatsStart => (8, 0),
            Ev::Open => (9, 0),
            Ev::Resource(i) => (10, i),
        };
        debug_assert!(i <= EV_INDEX_MASK);
        (tag << EV_INDEX_BITS) | i
    }
    #[inline(always)]
    fn unpack(bits: u32) -> Self {
        let i = bits & EV_INDEX_MASK;
        match bits >> EV_INDEX_BITS {
            0 => Ev::Arrival(StreamIx(i)),
            1 => Ev::Slot(StreamIx(i)),
            2 => Ev::Batch(StreamIx(i)),
            3 => Ev::Booked(i),
            4 => Ev::ServiceEnd(i),
            5 => Ev::DelayEnd(i),
            6 => Ev::Renege(i),
            7 => Ev::Staff(StationIx(i)),
            8 => Ev::StatsStart,
            9 => Ev::Open,
            _ => Ev::Resource(i),
        }
    }
}

//! Stations, compiled: servers by time (staffing changes), queue discipline, capacity and
//! patience.

use crate::distribution::Dist;
use crate::scenario::{Discipline, Preemption, ShiftEnd};

/// A staffing change: from `at` on, `count` servers are on duty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StaffChange {
    /// Time (minutes after midnight of day one).
    pub at: f64,
    /// Servers on duty from then.
    pub count: u32,
    /// At the end of a day's (or the run's) last shift: the servers who keep working while
    /// patients wait, until the next change (0 = no overtime).
    pub overtime: u32,
    /// The end of the last shift of a calendar day (where `[calendar] end_of_day` applies).
    pub day_end: bool,
}

impl StaffChange {
    /// A change with no overtime and no end of day.
    pub fn new(at: f64, count: u32) -> StaffChange {
        StaffChange {
            at,
            count,
            overtime: 0,
            day_end: false,
        }
    }
}

/// A station, compiled.
#[derive(Debug, Clone)]
pub struct Station {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Servers on duty at time zero.
    pub initial_servers: u32,
    /// Later staffing changes, in time order.
    pub changes: Vec<StaffChange>,
    /// Queue discipline.
    pub discipline: Discipline,
    /// Queue capacity (`u32::MAX` when unlimited).
    pub capacity: u32,
    /// Patience distribution of each class (by class index), None for a class that never
    /// reneges here; empty when no class does.
    pub patience: Vec<Option<Dist>>,
    /// Balking by queue length, by class index: the probability that a patient of class c
    /// who finds n waiting (and no server free) leaves at once is `balking[c][min(n, len −
    /// 1)]`; an empty list for a class that never balks by choice here, and no lists at all
    /// when no class does.
    pub balking: Vec<Vec<f64>>,
    /// Default service distribution.
    pub service: Dist,
    /// The largest number of servers ever on duty. For a station that requires shared
    /// resources: the most services it could run at once with every unit to itself.
    pub max_servers: u32,
    /// Shared resources each service seizes (empty: the station's own servers).
    pub requires: Vec<super::Need>,
    /// With alternatives among `requires` (needs with `alt` ≥ 1): how a service picks one.
    pub choose: Option<crate::scenario::Choose>,
    /// Rank among stations competing for a freed shared resource (larger first).
    pub priority: i32,
    /// What happens to services in progress when the servers on duty fall below those busy.
    pub shift_end: ShiftEnd,
    /// Whether (and how) a higher class interrupts a lower class's service.
    pub preemption: Option<Preemption>,
    /// Some step calls this station's queue by appointment: the queue is kept in order of
    /// each entry's call time (booked time, or the time it joined).
    pub by_appointment: bool,
}

//! A `[calendar]` run, compiled: every day of a replication with its weekday, date and whether
//! the clinic opens, and the end-of-day rule. The day pattern itself is already expanded into
//! the stations' and pools' staffing changes and the streams' pieces and sessions; this is what
//! the engine and the results need besides (the rule, and the names of the days).

use crate::scenario::{Date, EndOfDay, Weekday};

/// Minutes in a day.
pub const DAY: f64 = 1440.0;

/// The most days a calendar run may span (the results by hour record two weeks).
pub const MAX_DAYS: u32 = 14;

/// One day of a calendar run.
#[derive(Debug, Clone, PartialEq)]
pub struct Day {
    /// Day of the run, from 0.
    pub index: u32,
    /// Its weekday.
    pub weekday: Weekday,
    /// Its date, when the calendar has a `start`.
    pub date: Option<Date>,
    /// The clinic opens (not a closed weekday or a holiday).
    pub open: bool,
    /// Walk-in rates relative to the profile as written.
    pub arrivals: f64,
    /// Walk-ins stop at this time (minutes after midnight of day one), if set.
    pub close: Option<f64>,
}

impl Day {
    /// Midnight at its start, in minutes after midnight of day one.
    pub fn start(&self) -> f64 {
        f64::from(self.index) * DAY
    }
}

/// The days of a calendar run and its end-of-day rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    /// Every day of a replication, closed ones included.
    pub days: Vec<Day>,
    /// What happens to patients still waiting at a station when its last shift of the day ends.
    pub end_of_day: EndOfDay,
}

impl Calendar {
    /// The days the clinic opens.
    pub fn open_days(&self) -> impl Iterator<Item = &Day> {
        self.days.iter().filter(|d| d.open)
    }
}

/// The day a shift that ends at `at` belongs to: a shift ending at 24:00 ends its own day.
pub fn day_of_end(at: f64) -> usize {
    ((at / DAY).ceil() as usize).saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shift_ending_at_midnight_ends_its_own_day() {
        assert_eq!(day_of_end(17.0 * 60.0), 0);
        assert_eq!(day_of_end(DAY), 0);
        assert_eq!(day_of_end(DAY + 1.0), 1);
        assert_eq!(day_of_end(0.0), 0);
    }
}

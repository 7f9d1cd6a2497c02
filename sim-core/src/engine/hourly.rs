//! Results by clock hour (with queue-length sampling on, so only in the general loop):
//! arrivals per hour, and per station the patient-minutes waited in each hour (each wait
//! split exactly at the hour boundaries it crosses) and the waits that began in each hour.
//! The statistics name the hour's bottleneck from them: the station with the largest share of
//! the minutes waited.
//!
//! Hours are counted from midnight of day one (hour 8 is 08:00–09:00 on the first day, hour
//! 32 the same hour the next day), up to [`MAX_HOURS`]; later hours are not recorded.

use super::Simulator;
use super::index::StationIx;

/// Clock hours recorded (two weeks).
pub const MAX_HOURS: usize = 24 * 14;

/// One station's waiting in one clock hour of one replication.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HourWaits {
    /// Patient-minutes spent waiting in this hour.
    pub waiting: f64,
    /// Waits that began in this hour and ended in service.
    pub started: u32,
    /// Their total length (minutes).
    pub started_sum: f64,
}

/// The hour a time falls in, if recorded.
#[inline]
fn hour(t: f64) -> Option<usize> {
    // Truncation is the floor for times ≥ 0, and needs no call to `floor`.
    if t.is_nan() || t < 0.0 {
        return None;
    }
    let h = t / 60.0;
    (h < MAX_HOURS as f64).then_some(h as usize)
}

/// Adds `v` to entry `i` of `list`, growing it (with zeros) as needed. The storage is kept
/// from replication to replication, so after the first one this does not allocate.
#[inline]
fn at<T: Default + Clone>(list: &mut Vec<T>, i: usize) -> &mut T {
    if list.len() <= i {
        list.resize(i + 1, T::default());
    }
    &mut list[i]
}

impl<'m> Simulator<'m> {
    /// An arrival at `now`.
    pub(super) fn hourly_arrival(&mut self, now: f64) {
        if let Some(h) = hour(now) {
            *at(&mut self.out.arrivals_by_hour, h) += 1;
        }
    }

    /// A wait at station `s` from `from` to `to`; `served` when it ended in service.
    #[inline]
    pub(super) fn hourly_wait(&mut self, s: StationIx, from: f64, to: f64, served: bool) {
        let Some(h) = hour(from) else { return };
        let list = &mut self.stations[s.ix()].r.by_hour;
        let e = at(list, h);
        if served {
            e.started += 1;
            e.started_sum += to - from;
        }
        let end = (h + 1) as f64 * 60.0;
        if to <= end {
            // Most waits end in the hour they began.
            e.waiting += to - from;
        } else {
            e.waiting += end - from;
            split_rest(list, end, to);
        }
    }
}

/// Adds the part of a wait from `from` (an hour boundary) to `to` to the hours it spans.
#[cold]
#[inline(never)]
fn split_rest(list: &mut Vec<HourWaits>, from: f64, to: f64) {
    let mut t = from;
    while t < to {
        let Some(h) = hour(t) else { break };
        let end = ((h + 1) as f64 * 60.0).min(to);
        at(list, h).waiting += end - t;
        t = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_clock_hours_from_midnight() {
        assert_eq!(hour(0.0), Some(0));
        assert_eq!(hour(479.9), Some(7));
        assert_eq!(hour(480.0), Some(8));
        assert_eq!(hour(-1.0), None);
        assert_eq!(hour(60.0 * MAX_HOURS as f64), None);
    }
}

//! `[calendar]`: the days of a replication (weekday, date, open or closed), checked, and the
//! expansion of one day's pattern over them. With a calendar every clock time in a shift, rate
//! piece or session is a time of day (00:00–24:00) repeated on each open day, or on the
//! weekdays its `days` names; the engine then sees one long timeline and needs no notion of a
//! day except the end-of-day rule, carried by the staffing changes (`StaffChange::day_end`).
//!
//! Expanding at compile time keeps the engine's hot loop as it is: a week is only more
//! staffing changes and more rate pieces, which the engine already handles.

use super::Builder;
use super::run::Hours;
use crate::model::StaffChange;
use crate::model::calendar::{Calendar, DAY, Day, MAX_DAYS, day_of_end};
use crate::scenario::units::format_clock;
use crate::scenario::{CalendarSpec, EndOfDay, RunSpec, Weekday};

impl Builder {
    /// Compiles `[calendar]` (None without one), checking it against `[run]`.
    pub(crate) fn calendar(
        &mut self,
        spec: Option<&CalendarSpec>,
        run: &RunSpec,
        hours: &Hours,
    ) -> Option<Calendar> {
        let c = spec?;
        if c.days == 0 || c.days > MAX_DAYS {
            self.err(
                "calendar.days".into(),
                format!("a calendar run spans 1 to {MAX_DAYS} days (got {})", c.days),
            );
        }
        if run.hard_stop.is_some() || run.run_length.is_some() {
            self.err(
                "run".into(),
                "with a [calendar] the run lasts calendar.days days: leave out hard_stop and run_length".into(),
            );
        }
        let first = match (c.first_day, c.start) {
            (Some(w), Some(d)) if d.weekday() != w => {
                self.err(
                    "calendar.first_day".into(),
                    format!(
                        "the start date {d} is a {}, not a {}",
                        d.weekday().name(),
                        w.name()
                    ),
                );
                w
            }
            (Some(w), _) => w,
            (None, Some(d)) => d.weekday(),
            (None, None) => Weekday::Mon,
        };
        if !c.holidays.is_empty() && c.start.is_none() {
            self.err(
                "calendar.holidays".into(),
                "holidays are dates: give calendar.start, the date of the first day".into(),
            );
        }
        if let Some(start) = c.start {
            let last = start.plus(c.days.saturating_sub(1));
            for (i, h) in c.holidays.iter().enumerate() {
                if *h < start || *h > last {
                    self.warnings.push(format!(
                        "calendar.holidays[{i}]: {h} is not one of the run's days ({start} to {last})"
                    ));
                }
            }
        }
        for (w, &m) in &c.arrivals {
            if !(m.is_finite() && m >= 0.0) {
                self.err(
                    format!("calendar.arrivals.{}", w.name()),
                    format!("a multiplier of the walk-in rates is a finite number of zero or more (got {m})"),
                );
            }
            if c.closed.contains(w) {
                self.warnings.push(format!(
                    "calendar.arrivals.{}: the clinic is closed on {0}, so this multiplier is never used",
                    w.name()
                ));
            }
        }
        for (w, t) in &c.close {
            if t.0 <= hours.open || t.0 > DAY {
                self.err(
                    format!("calendar.close.{}", w.name()),
                    format!(
                        "closing time {} must be after opening time {} and not after 24:00",
                        format_clock(t.0),
                        format_clock(hours.open)
                    ),
                );
            }
        }
        if let Some(close) = hours.close
            && close > DAY
        {
            self.err(
                "run.close".into(),
                format!(
                    "with a [calendar], closing time is a time of day (at most 24:00, got {})",
                    format_clock(close)
                ),
            );
        }
        let days: Vec<Day> = (0..c.days.min(MAX_DAYS))
            .map(|i| {
                let weekday = first.plus(i);
                let date = c.start.map(|d| d.plus(i));
                let open =
                    !c.closed.contains(&weekday) && !date.is_some_and(|d| c.holidays.contains(&d));
                let close = c.close.get(&weekday).map(|t| t.0).or(hours.close);
                Day {
                    index: i,
                    weekday,
                    date,
                    open,
                    arrivals: c.arrivals.get(&weekday).copied().unwrap_or(1.0),
                    close: close.map(|t| f64::from(i) * DAY + t),
                }
            })
            .collect();
        if c.days > 0 && !days.iter().any(|d| d.open) {
            self.err(
                "calendar".into(),
                "the clinic opens on none of the run's days (every one is a closed weekday or a holiday)".into(),
            );
        }
        Some(Calendar {
            days,
            end_of_day: c.end_of_day,
        })
    }
}

/// One day's pattern over the run: every (open day, index into `items`) whose weekdays
/// (`days_of`; every open day when unset) include that day, day by day, and within a day in
/// order of their start (`from_of`, list order on a tie), so a Saturday-only morning may be
/// listed after an every-day afternoon. Callers still check that a day's items do not overlap.
pub(crate) fn expand<'a, T>(
    calendar: &'a Calendar,
    items: &[T],
    days_of: impl Fn(&T) -> Option<&[Weekday]>,
    from_of: impl Fn(&T) -> f64,
) -> Vec<(&'a Day, usize)> {
    let mut out = Vec::new();
    for day in calendar.open_days() {
        let first = out.len();
        out.extend(
            (0..items.len())
                .filter(|&i| applies(days_of(&items[i]), day))
                .map(|i| (day, i)),
        );
        out[first..].sort_by(|a, b| from_of(&items[a.1]).total_cmp(&from_of(&items[b.1])));
    }
    out
}

/// Refuses `days` on an item (at `at`) outside a calendar run, and an empty list inside one.
pub(crate) fn check_days(b: &mut Builder, at: &str, days: Option<&[Weekday]>, calendar: bool) {
    match days {
        Some(_) if !calendar => b.err(
            format!("{at}.days"),
            "`days` picks weekdays of a [calendar]: add a [calendar] section, or leave it out"
                .into(),
        ),
        Some([]) => b.err(format!("{at}.days"), "the list of weekdays is empty".into()),
        _ => {}
    }
}

/// True when an item with weekdays `days` (every day when None) applies on `day`.
pub(crate) fn applies(days: Option<&[Weekday]>, day: &Day) -> bool {
    days.is_none_or(|d| d.contains(&day.weekday))
}

/// Marks the closing changes of a staffing timeline: each change to zero servers that ends a
/// day's last shift (with a calendar), or the timeline's last change (without one). A closing
/// is where overtime starts, with the servers of the shift just ended when `overtime` is on
/// and the rule is overtime; with a calendar it is also a `day_end`, where `send_home` and
/// `carry_over` act.
///
/// With a calendar, a day's end lasts until midnight: a change to zero servers is added there
/// (unless the next shift starts first), where overtime stops and a station closed by
/// `send_home` opens its queue again, so patients who come after midnight, or early the next
/// morning, wait for the day's first shift (neither seen by the evening's overtime nor sent
/// home). Without a calendar overtime runs to the end of the run, as it always has.
pub(crate) fn mark_closings(
    changes: &mut Vec<StaffChange>,
    initial: u32,
    calendar: Option<&Calendar>,
    overtime: bool,
) {
    let n = changes.len();
    let rule = calendar.map_or(EndOfDay::Overtime, |c| c.end_of_day);
    let mut midnights = Vec::new();
    for i in 0..n {
        if changes[i].count != 0 {
            continue;
        }
        let day = day_of_end(changes[i].at);
        let closing = match calendar {
            None => i + 1 == n,
            Some(_) => changes
                .get(i + 1)
                .is_none_or(|next| next.at >= (day + 1) as f64 * DAY),
        };
        if !closing {
            continue;
        }
        let before = if i == 0 {
            initial
        } else {
            changes[i - 1].count
        };
        if overtime && rule == EndOfDay::Overtime {
            changes[i].overtime = before;
        }
        // A last shift ending at 24:00 closes at midnight itself: the change added there
        // then comes at the same instant, right after the closing.
        let midnight = (day + 1) as f64 * DAY;
        if calendar.is_some()
            && midnight >= changes[i].at
            && changes.get(i + 1).is_none_or(|next| next.at > midnight)
        {
            midnights.push((i + 1, midnight));
        }
        changes[i].day_end = calendar.is_some();
    }
    for (k, (at_index, midnight)) in midnights.into_iter().enumerate() {
        changes.insert(at_index + k, StaffChange::new(midnight, 0));
    }
}

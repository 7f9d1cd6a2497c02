//! `[calendar]`: a replication that spans several days of a clinic's week, as written: how
//! many days, which weekday (or date) the first one is, the weekdays and dates the clinic is
//! closed, busier or quieter weekdays, per-weekday closing times, and what happens to patients
//! still waiting when a station's last shift of the day ends. Shifts, rate pieces and
//! appointment sessions take a `days = [...]` list of weekdays (see `Shift`, `RatePiece`,
//! `Session`). Compiling it (`compile::calendar`) expands one day's pattern over the open days.

use super::units::ClockTime;
use serde::Deserialize;
use serde::de::{self, Deserializer};
use std::collections::BTreeMap;
use std::fmt;

/// `[calendar]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// Days in one replication (consecutive, closed days included).
    pub days: u32,
    /// The weekday of the first day (default Monday, or the weekday of `start`).
    #[serde(default)]
    pub first_day: Option<Weekday>,
    /// The date of the first day (needed for `holidays`).
    #[serde(default)]
    pub start: Option<Date>,
    /// Weekdays the clinic does not open.
    #[serde(default)]
    pub closed: Vec<Weekday>,
    /// Dates the clinic does not open (public holidays).
    #[serde(default)]
    pub holidays: Vec<Date>,
    /// Walk-in rates on each weekday, relative to the profile as written (default 1).
    #[serde(default)]
    pub arrivals: BTreeMap<Weekday, f64>,
    /// Walk-ins stop at this time on these weekdays (default `run.close`).
    #[serde(default)]
    pub close: BTreeMap<Weekday, ClockTime>,
    /// What happens to patients still waiting at a station when its last shift of the day ends.
    #[serde(default)]
    pub end_of_day: EndOfDay,
}

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    /// Monday.
    #[serde(alias = "monday")]
    Mon,
    /// Tuesday.
    #[serde(alias = "tuesday")]
    Tue,
    /// Wednesday.
    #[serde(alias = "wednesday")]
    Wed,
    /// Thursday.
    #[serde(alias = "thursday")]
    Thu,
    /// Friday.
    #[serde(alias = "friday")]
    Fri,
    /// Saturday.
    #[serde(alias = "saturday")]
    Sat,
    /// Sunday.
    #[serde(alias = "sunday")]
    Sun,
}

impl Weekday {
    /// Every weekday, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// Monday = 0 … Sunday = 6.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The weekday `n` days after this one.
    pub fn plus(self, n: u32) -> Weekday {
        Weekday::ALL[(self.index() + n as usize) % 7]
    }

    /// The short name used in files and results (`"mon"`).
    pub fn name(self) -> &'static str {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][self.index()]
    }
}

/// What happens to patients still waiting at a station when its last shift of the day ends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndOfDay {
    /// The day's last shift stays on until nobody waits (a station's or pool's `overtime = false`
    /// opts out); overtime is reported per day.
    #[default]
    Overtime,
    /// Patients still waiting, and any who reach the station before its next shift, are sent
    /// home unseen (counted as `sent_home`).
    SendHome,
    /// Patients still waiting stay in the queue and are seen first when the station next opens
    /// (counted as `carried_over`; their wait includes the closed hours).
    CarryOver,
}

impl EndOfDay {
    /// The name used in files and results.
    pub fn name(self) -> &'static str {
        match self {
            EndOfDay::Overtime => "overtime",
            EndOfDay::SendHome => "send_home",
            EndOfDay::CarryOver => "carry_over",
        }
    }
}

/// A calendar date (`"2026-03-02"`), proleptic Gregorian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Days since 1970-01-01.
    pub days: i64,
}

impl Date {
    /// The date of year `y`, month `m` (1–12), day `d`, if it exists.
    pub fn from_ymd(y: i64, m: u32, d: u32) -> Option<Date> {
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let len = match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        if d == 0 || d > len {
            return None;
        }
        // Days from civil (H. Hinnant's algorithm): March-based years make February last.
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (i64::from(m) + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Date {
            days: era * 146_097 + doe - 719_468,
        })
    }

    /// Year, month and day.
    pub fn ymd(self) -> (i64, u32, u32) {
        let z = self.days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i64::from(m <= 2);
        (y, m, d)
    }

    /// The weekday (1970-01-01 was a Thursday).
    pub fn weekday(self) -> Weekday {
        Weekday::ALL[(self.days + 3).rem_euclid(7) as usize]
    }

    /// The date `n` days later.
    pub fn plus(self, n: u32) -> Date {
        Date {
            days: self.days + i64::from(n),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl std::str::FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Date, String> {
        let bad = || format!("{s:?} is not a date written as YYYY-MM-DD (e.g. \"2026-03-02\")");
        let parts: Vec<&str> = s.split('-').collect();
        let [y, m, d] = parts[..] else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i64>(), m.parse::<u32>(), d.parse::<u32>()) else {
            return Err(bad());
        };
        Date::from_ymd(y, m, d).ok_or_else(|| format!("{s:?} is not a day of the calendar"))
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_know_their_weekday() {
        let d: Date = "2026-03-02".parse().unwrap();
        assert_eq!(d.to_string(), "2026-03-02");
        assert_eq!(d.weekday(), Weekday::Mon);
        assert_eq!("1970-01-01".parse::<Date>().unwrap().days, 0);
        assert_eq!(
            "2000-02-29".parse::<Date>().unwrap().weekday(),
            Weekday::Tue
        );
        assert_eq!(d.plus(6).weekday(), Weekday::Sun);
        assert_eq!(
            "2026-12-31".parse::<Date>().unwrap().plus(1).to_string(),
            "2027-01-01"
        );
        for days in -800_000..800_000 {
            let date = Date { days };
            let (y, m, dd) = date.ymd();
            assert_eq!(Date::from_ymd(y, m, dd), Some(date));
        }
    }

    #[test]
    fn impossible_dates_are_refused() {
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-3-2",
            "02-03-2026",
            "tomorrow",
            "2026-00-10",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
        assert!("2024-02-29".parse::<Date>().is_ok());
    }

    #[test]
    fn weekdays_count_on() {
        assert_eq!(Weekday::Sat.plus(2), Weekday::Mon);
        assert_eq!(Weekday::Mon.name(), "mon");
    }
}

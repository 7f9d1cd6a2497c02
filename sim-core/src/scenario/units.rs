//! Quantities with units as written in scenario files: durations (`"90s"`, `"4min"`, `"1.5h"`),
//! clock times (`"07:30"`) and rates (`"10/min"`, `"600/h"`).
//!
//! Everything inside the engine is measured in minutes (`f64`); simulated time zero is midnight
//! at the start of day one, so a clock time is simply its minutes after midnight. Parsing is
//! strict: a bare number has no unit and is rejected, because silently guessing minutes versus
//! seconds is the classic way to be wrong by a factor of sixty.

use serde::Deserialize;
use serde::de::{self, Deserializer};
use std::fmt;

/// A non-negative length of time, in minutes.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Duration(pub f64);

/// `run.warm_up`: a length of time, or `"auto"` (found by MSER-5 from pilot replications
/// before the run: `stats::warmup`).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub enum WarmUp {
    /// Find the warm-up from the replications themselves.
    Auto,
    /// A fixed warm-up.
    Length(Duration),
}

/// A duration that may be negative (punctuality offsets: early arrivals are negative).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Offset(pub f64);

/// A time of day, in minutes after midnight (`"24:00"` and later are allowed for the next day).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct ClockTime(pub f64);

/// An event rate, in events per minute.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Rate(pub f64);

impl Duration {
    /// Length in minutes.
    pub fn minutes(self) -> f64 {
        self.0
    }
}

impl ClockTime {
    /// Minutes after midnight.
    pub fn minutes(self) -> f64 {
        self.0
    }
}

/// Formats minutes after midnight as `HH:MM` (used in reports and error messages).
pub fn format_clock(minutes: f64) -> String {
    let total = minutes.round() as i64;
    let (h, m) = (total.div_euclid(60), total.rem_euclid(60));
    format!("{h:02}:{m:02}")
}

/// A number with at most two decimals and no trailing zeros (`120`, `7.5`, `0.33`).
pub fn format_number(x: f64) -> String {
    let s = format!("{x:.2}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

pub(crate) fn unit_factor(unit: &str) -> Option<f64> {
    Some(match unit {
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0 / 60.0,
        "min" | "mins" | "minute" | "minutes" | "m" => 1.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 60.0,
        "d" | "day" | "days" => 1440.0,
        _ => return None,
    })
}

/// Parses a signed duration such as `"-12min"`, `"90s"` or `"1.5h"` into minutes.
pub fn parse_signed_duration(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| {
            !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')
        })
        .ok_or_else(|| {
            format!("duration {text:?} has no unit; write e.g. \"90s\", \"4min\" or \"1.5h\"")
        })?;
    // `e` is only part of the number when followed by a digit or sign (1e3min); otherwise it is
    // not a unit we know anyway, so the unit lookup below reports it.
    let (num, unit) = t.split_at(split);
    let unit = unit.trim();
    let value: f64 = num
        .parse()
        .map_err(|_| format!("duration {text:?}: {num:?} is not a number"))?;
    let factor = unit_factor(unit)
        .ok_or_else(|| format!("duration {text:?}: unknown unit {unit:?} (use s, min, h or d)"))?;
    let minutes = value * factor;
    if !minutes.is_finite() {
        return Err(format!("duration {text:?} is not finite"));
    }
    Ok(minutes)
}

/// Parses a non-negative duration into minutes.
pub fn parse_duration(text: &str) -> Result<f64, String> {
    let m = parse_signed_duration(text)?;
    if m < 0.0 {
        return Err(format!("duration {text:?} is negative"));
    }
    Ok(m)
}

/// Parses `"HH:MM"` (or `"HH:MM:SS"`) into minutes after midnight. Hours may exceed 23 to
/// express times on the following day (`"26:00"` is 02:00 the next morning).
pub fn parse_clock(text: &str) -> Result<f64, String> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    let bad = || format!("clock time {text:?} is not of the form \"HH:MM\" (e.g. \"07:30\")");
    if !(2..=3).contains(&parts.len()) {
        return Err(bad());
    }
    let num = |s: &str| -> Result<u32, String> {
        if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse::<u32>().map_err(|_| bad())
    };
    let h = num(parts[0])?;
    let m = num(parts[1])?;
    let s = if parts.len() == 3 { num(parts[2])? } else { 0 };
    if m > 59 || s > 59 {
        return Err(format!(
            "clock time {text:?}: minutes and seconds must be below 60"
        ));
    }
    Ok(f64::from(h) * 60.0 + f64::from(m) + f64::from(s) / 60.0)
}

/// Parses a rate such as `"10/min"`, `"600/h"` or `"12000/day"` into events per minute.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let (num, unit) = text
        .trim()
        .split_once('/')
        .ok_or_else(|| format!("rate {text:?} has no unit; write e.g. \"10/min\" or \"600/h\""))?;
    let value: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("rate {text:?}: {:?} is not a number", num.trim()))?;
    let factor = unit_factor(unit.trim()).ok_or_else(|| {
        format!(
            "rate {text:?}: unknown unit {:?} (use /s, /min, /h or /day)",
            unit.trim()
        )
    })?;
    let per_min = value / factor;
    if !per_min.is_finite() {
        return Err(format!("rate {text:?} is not finite"));
    }
    Ok(per_min)
}

struct StrVisitor<F>(F, &'static str);

impl<'de, F, T> de::Visitor<'de> for StrVisitor<F>
where
    F: Fn(&str) -> Result<T, String>,
{
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.1)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.0)(v).map_err(E::custom)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        Err(E::custom(format!(
            "the number {v} has no unit; expected {} as a string",
            self.1
        )))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        self.visit_i64(v as i64)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        Err(E::custom(format!(
            "the number {v} has no unit; expected {} as a string",
            self.1
        )))
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrVisitor(
            |s: &str| parse_duration(s).map(Duration),
            "a duration such as \"90s\", \"4min\" or \"1.5h\"",
        ))
    }
}

impl<'de> Deserialize<'de> for WarmUp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrVisitor(
            |s: &str| {
                if s.trim() == "auto" {
                    Ok(WarmUp::Auto)
                } else {
                    parse_duration(s).map(|m| WarmUp::Length(Duration(m)))
                }
            },
            "a duration such as \"2h\", or \"auto\"",
        ))
    }
}

impl<'de> Deserialize<'de> for Offset {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrVisitor(
            |s: &str| parse_signed_duration(s).map(Offset),
            "a signed duration such as \"-10min\" or \"5min\"",
        ))
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrVisitor(
            |s: &str| parse_clock(s).map(ClockTime),
            "a clock time such as \"07:30\"",
        ))
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrVisitor(
            |s: &str| parse_rate(s).map(Rate),
            "a rate such as \"10/min\" or \"600/h\"",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_carry_units() {
        assert_eq!(parse_duration("90s").unwrap(), 1.5);
        assert_eq!(parse_duration("4min").unwrap(), 4.0);
        assert_eq!(parse_duration("1.5h").unwrap(), 90.0);
        assert_eq!(parse_duration(" 2 min ").unwrap(), 2.0);
        assert_eq!(parse_signed_duration("-12min").unwrap(), -12.0);
        assert!(parse_duration("-1min").unwrap_err().contains("negative"));
        assert!(parse_duration("12").unwrap_err().contains("no unit"));
        assert!(
            parse_duration("3 fortnights")
                .unwrap_err()
                .contains("unknown unit")
        );
        assert!(
            parse_duration("abcmin")
                .unwrap_err()
                .contains("not a number")
        );
    }

    #[test]
    fn clock_times() {
        assert_eq!(parse_clock("07:30").unwrap(), 450.0);
        assert_eq!(parse_clock("26:00").unwrap(), 1560.0);
        assert!(parse_clock("7.30").is_err());
        assert!(parse_clock("07:75").is_err());
        assert_eq!(format_clock(450.0), "07:30");
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate("10/min").unwrap(), 10.0);
        assert_eq!(parse_rate("600/h").unwrap(), 10.0);
        assert!(parse_rate("10").unwrap_err().contains("no unit"));
        assert!(parse_rate("10/fortnight").is_err());
    }
}

//! `[[arrivals]]`: each stream compiled to its process (Poisson pieces, booked slots, a batch),
//! the keys that apply to its kind, and the number of arrivals a replication can expect (a run
//! must end, and must not be so large that it would never finish).

use super::Builder;
use super::calendar::{check_days, expand};
use super::run::Hours;
use crate::model::calendar::DAY;
use crate::model::workflow::DayShape;
use crate::model::{Class, EXIT, MAX_EXPECTED_ARRIVALS, Pathway, Stream, StreamKind, slot_count};
use crate::rng::name_hash;
use crate::scenario::units::format_clock;
use crate::scenario::{ArrivalKind, ArrivalSpec, ScenarioFile, Weekday};
use std::collections::BTreeMap;

/// What the streams add up to while they are compiled.
#[derive(Default)]
struct Expected {
    /// Expected arrivals per replication from the streams that end.
    expected: f64,
    /// Streams with no end (no close, no end time).
    unbounded: Vec<String>,
}

impl Builder {
    /// Compiles every arrival stream, then checks that the run ends and is not too large.
    pub(crate) fn arrivals(
        &mut self,
        f: &ScenarioFile,
        h: &Hours,
        pathways: &[Pathway],
        classes: &[Class],
        class_cumulative: &[f64],
    ) -> Vec<Stream> {
        self.dup_check("arrivals", f.arrivals.iter().map(|a| a.id.as_str()));
        if f.arrivals.is_empty() {
            self.err("arrivals".into(), "no arrival streams are defined".into());
        }
        let class_ix: BTreeMap<&str, usize> = classes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        let mut acc = Expected::default();
        let mut streams = Vec::new();
        for a in &f.arrivals {
            let at = format!("arrivals.{}", a.id);
            let start_step = match f.pathways.iter().position(|p| p.id == a.pathway) {
                Some(i) => pathways[i].start,
                None => {
                    self.err(
                        format!("{at}.pathway"),
                        format!("no pathway is called {:?}", a.pathway),
                    );
                    EXIT
                }
            };
            let class = match a.class.as_deref() {
                Some(c) => match class_ix.get(c) {
                    Some(&i) => Some(i as u16),
                    None => {
                        self.err(format!("{at}.class"), format!("no class is called {c:?}"));
                        None
                    }
                },
                None => {
                    if class_cumulative.is_empty() {
                        self.err(format!("{at}.class"), "this stream names no class and no class has a share; give the stream a class or the classes shares".into());
                    }
                    None
                }
            };
            for (key, allowed) in a.set_keys() {
                if !allowed {
                    self.err(
                        format!("{at}.{key}"),
                        format!("`{key}` does not apply to kind = \"{}\"", a.kind.name()),
                    );
                }
            }
            let kind = match a.kind {
                ArrivalKind::Poisson => self.poisson(a, &at, h, &mut acc),
                ArrivalKind::Profile => self.profile(a, &at, h, &mut acc),
                ArrivalKind::Appointments => self.appointments(a, &at, h, classes, &mut acc),
                ArrivalKind::Batch => self.batch(a, &at, h, &mut acc),
            };
            let shape = day_shape(&kind, h.close);
            streams.push(Stream {
                id: a.id.clone(),
                hash: name_hash(&a.id),
                start_step,
                class,
                kind,
                shape,
            });
        }
        self.run_ends(f, h, &streams, acc);
        streams
    }

    /// A key the stream's kind needs.
    fn need(&mut self, a: &ArrivalSpec, at: &str, key: &str, present: bool) {
        if !present {
            self.err(
                format!("{at}.{key}"),
                format!("kind = \"{}\" needs `{key}`", a.kind.name()),
            );
        }
    }

    /// `kind = "poisson"`: one piece at a constant rate (with a calendar, one on each open
    /// day, scaled by the weekday's multiplier).
    fn poisson(&mut self, a: &ArrivalSpec, at: &str, h: &Hours, acc: &mut Expected) -> StreamKind {
        self.need(a, at, "rate", a.rate.is_some());
        let rate = a.rate.map_or(1.0, |r| r.0);
        let from = a.start.map_or(h.open, |c| c.0);
        if rate <= 0.0 {
            self.err(
                format!("{at}.rate"),
                format!("the rate must be greater than zero (got {rate} per minute)"),
            );
        }
        if let Some(calendar) = self.calendar.take() {
            let mut pieces = Vec::new();
            let mut endless = false;
            for day in calendar.open_days() {
                let end = a.end.map(|c| day.start() + c.0);
                let to = match (end, day.close) {
                    (Some(e), Some(c)) => e.min(c),
                    (Some(e), None) => e,
                    (None, Some(c)) => c,
                    (None, None) => {
                        endless = true;
                        continue;
                    }
                };
                let (from, rate) = (day.start() + from, rate * day.arrivals);
                if to > from && rate > 0.0 {
                    acc.expected += rate * (to - from);
                    pieces.push((from, to, rate));
                }
            }
            if endless {
                self.err(
                    format!("{at}.end"),
                    "with a [calendar], walk-ins stop each day: set run.close (or calendar.close for the weekday) or the stream's end".into(),
                );
            }
            for (key, t) in [("start", a.start), ("end", a.end)] {
                if let Some(t) = t
                    && t.0 > DAY
                {
                    self.err(
                        format!("{at}.{key}"),
                        format!(
                            "with a [calendar], this is a time of day (at most 24:00, got {})",
                            format_clock(t.0)
                        ),
                    );
                }
            }
            if a.end.is_some_and(|e| e.0 <= from) {
                self.err(
                    format!("{at}.end"),
                    "the stream ends before it starts".into(),
                );
            }
            self.calendar = Some(calendar);
            return StreamKind::Poisson { pieces };
        }
        let to = a.end.map(|c| c.0).or(h.close).unwrap_or(f64::INFINITY);
        if to <= from {
            self.err(
                format!("{at}.end"),
                "the stream ends before it starts".into(),
            );
        }
        if to.is_infinite() {
            acc.unbounded.push(a.id.clone());
        } else {
            acc.expected += rate.max(0.0) * (to - from).max(0.0);
        }
        StreamKind::Poisson {
            pieces: vec![(from, to, rate)],
        }
    }

    /// `kind = "profile"`: piecewise-constant rates (with a calendar, the day's pieces on
    /// each open day they apply to, scaled by the weekday's multiplier).
    fn profile(&mut self, a: &ArrivalSpec, at: &str, h: &Hours, acc: &mut Expected) -> StreamKind {
        self.need(a, at, "rates", a.rates.is_some());
        let rates = a.rates.as_deref().unwrap_or_default();
        if a.rates.is_some() && rates.is_empty() {
            self.err(format!("{at}.rates"), "the profile has no pieces".into());
        }
        let calendar = self.calendar.take();
        for (i, r) in rates.iter().enumerate() {
            let pat = format!("{at}.rates[{i}]");
            if r.to.0 <= r.from.0 {
                self.err(
                    pat.clone(),
                    format!(
                        "piece {}–{} ends before it starts",
                        format_clock(r.from.0),
                        format_clock(r.to.0)
                    ),
                );
            }
            if r.rate.0 <= 0.0 {
                self.err(pat.clone(), format!("the rate must be greater than zero (got {} per minute); leave quiet periods out of the profile", r.rate.0));
            }
            if calendar.is_some() && r.to.0 > DAY {
                self.err(
                    pat.clone(),
                    format!("with a [calendar], a piece is a time of day: it must end by 24:00 (got {})", format_clock(r.to.0)),
                );
            }
            check_days(self, &pat, r.days.as_deref(), calendar.is_some());
        }
        // The pieces as they happen: once as written, or on every open day they apply to.
        let worked: Vec<(f64, f64, Option<f64>, usize)> = match &calendar {
            None => (0..rates.len()).map(|i| (0.0, 1.0, h.close, i)).collect(),
            Some(c) => expand(c, rates, |r| r.days.as_deref(), |r| r.from.0)
                .into_iter()
                .map(|(day, i)| (day.start(), day.arrivals, day.close, i))
                .collect(),
        };
        self.calendar = calendar;
        let mut pieces = Vec::new();
        let mut prev_to = f64::NEG_INFINITY;
        let mut misordered = vec![false; rates.len()];
        for (offset, scale, close, i) in worked {
            let r = &rates[i];
            let (from, to, rate) = (offset + r.from.0, offset + r.to.0, r.rate.0 * scale);
            if from < prev_to && !misordered[i] {
                misordered[i] = true;
                self.err(
                    format!("{at}.rates[{i}]"),
                    if self.calendar.is_some() {
                        "pieces that apply on the same day must not overlap".into()
                    } else {
                        "pieces must be in time order and must not overlap".into()
                    },
                );
            }
            prev_to = to;
            let end = close.map_or(to, |c| to.min(c));
            if self.calendar.is_some() {
                // A calendar day's pieces stop at its closing time; a quiet day has none.
                if end > from && rate > 0.0 {
                    acc.expected += rate * (end - from);
                    pieces.push((from, end, rate));
                }
            } else {
                acc.expected += rate.max(0.0) * (end - from).max(0.0);
                pieces.push((from, to, rate));
            }
        }
        StreamKind::Poisson { pieces }
    }

    /// `kind = "appointments"`: booked slots in sessions.
    fn appointments(
        &mut self,
        a: &ArrivalSpec,
        at: &str,
        h: &Hours,
        classes: &[Class],
        acc: &mut Expected,
    ) -> StreamKind {
        self.need(a, at, "sessions", a.sessions.is_some());
        self.need(a, at, "slot", a.slot.is_some());
        self.need(a, at, "per_slot", a.per_slot.is_some());
        let slot = a.slot.map_or(1.0, |d| d.0);
        let per_slot = a.per_slot.unwrap_or(1);
        let no_show = a.no_show.unwrap_or(0.0);
        let sessions = a.sessions.as_deref().unwrap_or_default();
        if slot <= 0.0 {
            self.err(
                format!("{at}.slot"),
                "the slot length must be greater than zero".into(),
            );
        }
        if per_slot == 0 {
            self.err(
                format!("{at}.per_slot"),
                "per_slot must be at least 1".into(),
            );
        }
        if !(0.0..=1.0).contains(&no_show) {
            self.err(
                format!("{at}.no_show"),
                format!("no_show is a probability between 0 and 1 (got {no_show})"),
            );
        }
        let mut by_class = vec![no_show; classes.len()];
        for (id, &p) in a.no_show_by_class.iter().flatten() {
            match classes.iter().position(|c| &c.id == id) {
                Some(c) if (0.0..=1.0).contains(&p) => by_class[c] = p,
                Some(_) => self.err(
                    format!("{at}.no_show_by_class.{id}"),
                    format!("no_show is a probability between 0 and 1 (got {p})"),
                ),
                None => {
                    let known: Vec<&str> = classes.iter().map(|c| c.id.as_str()).collect();
                    self.err(
                        format!("{at}.no_show_by_class.{id}"),
                        format!("no class is called {id:?} (classes: {})", known.join(", ")),
                    );
                }
            }
        }
        if a.sessions.is_some() && sessions.is_empty() {
            self.err(format!("{at}.sessions"), "no sessions are defined".into());
        }
        let calendar = self.calendar.take();
        for (i, s) in sessions.iter().enumerate() {
            if s.to.0 <= s.from.0 {
                self.err(
                    format!("{at}.sessions[{i}]"),
                    "the session ends before it starts".into(),
                );
            }
            check_days(
                self,
                &format!("{at}.sessions[{i}]"),
                s.days.as_deref(),
                calendar.is_some(),
            );
        }
        // The sessions as held: once as written, or on every open day they apply to.
        let held: Vec<(f64, Option<f64>, usize, Option<Weekday>)> = match &calendar {
            None => (0..sessions.len())
                .map(|i| (0.0, h.close, i, None))
                .collect(),
            Some(c) => expand(c, sessions, |s| s.days.as_deref(), |s| s.from.0)
                .into_iter()
                .map(|(day, i)| (day.start(), day.close, i, Some(day.weekday)))
                .collect(),
        };
        // No-shows by weekday: each session's probabilities, a class's own value first.
        let by_weekday = a.no_show_by_weekday.as_ref();
        if let Some(map) = by_weekday {
            if calendar.is_none() {
                self.err(
                    format!("{at}.no_show_by_weekday"),
                    "no-shows by weekday need a [calendar]: add one, or use no_show".into(),
                );
            }
            for (w, &p) in map {
                if !(0.0..=1.0).contains(&p) {
                    self.err(
                        format!("{at}.no_show_by_weekday.{}", w.name()),
                        format!("no_show is a probability between 0 and 1 (got {p})"),
                    );
                }
            }
        }
        let own = |c: &Class| {
            a.no_show_by_class
                .as_ref()
                .and_then(|m| m.get(&c.id))
                .copied()
        };
        let no_show_by_session: Box<[Box<[f64]>]> = match by_weekday {
            Some(map) if calendar.is_some() => held
                .iter()
                .map(|&(.., w)| {
                    let day = w.and_then(|w| map.get(&w)).copied().unwrap_or(no_show);
                    classes
                        .iter()
                        .map(|c| own(c).unwrap_or(day))
                        .collect::<Vec<f64>>()
                        .into_boxed_slice()
                })
                .collect(),
            _ => Box::new([]),
        };
        let late_rule = a.late.map(|l| (l.after.0, l.then));
        let mut prev_end = f64::NEG_INFINITY;
        let mut reported = vec![false; sessions.len()];
        let mut late = vec![false; sessions.len()];
        let mut compiled = Vec::with_capacity(held.len());
        for (offset, close, i, _) in held {
            let s = &sessions[i];
            let (from, to) = (offset + s.from.0, offset + s.to.0);
            if from < prev_end && !reported[i] {
                reported[i] = true;
                self.err(
                    format!("{at}.sessions[{i}]"),
                    "sessions must be in time order and must not overlap".into(),
                );
            }
            prev_end = to;
            if let Some(c) = close
                && to > c
                && !late[i]
            {
                late[i] = true;
                self.err(
                        format!("{at}.sessions[{i}]"),
                        format!(
                            "the session ends at {}, after the clinic closes at {}; no slot may start after closing",
                            format_clock(s.to.0),
                            format_clock(c - offset)
                        ),
                    );
            }
            if slot > 0.0 {
                // Counted arithmetically: slots are generated one at a time while
                // the run goes, never listed, so a huge book costs no memory.
                let n = slot_count(from, to, slot);
                acc.expected += n as f64 * f64::from(per_slot);
            }
            compiled.push((from, to));
        }
        self.calendar = calendar;
        let punctuality = a
            .punctuality
            .as_ref()
            .map(|p| self.dist(format!("{at}.punctuality"), p, false));
        StreamKind::Appointments {
            sessions: compiled,
            slot,
            per_slot,
            // One value for every class unless some class has its own.
            no_show: if a.no_show_by_class.is_some() {
                by_class.into()
            } else {
                Box::new([no_show])
            },
            punctuality,
            late: late_rule,
            no_show_by_session,
        }
    }

    /// `kind = "batch"`: a group at one time.
    fn batch(&mut self, a: &ArrivalSpec, at: &str, h: &Hours, acc: &mut Expected) -> StreamKind {
        self.need(a, at, "at", a.at.is_some());
        self.need(a, at, "count", a.count.is_some());
        if self.calendar.is_some() {
            self.err(
                format!("{at}.kind"),
                "batch arrivals are not supported with a [calendar] yet: model the group as a profile or as appointments".into(),
            );
        }
        let count = a.count.unwrap_or(1);
        if let (Some(c), Some(when)) = (h.close, a.at)
            && when.0 >= c
        {
            self.err(
                format!("{at}.at"),
                format!(
                    "the batch arrives at {}, at or after the clinic closes at {}",
                    format_clock(when.0),
                    format_clock(c)
                ),
            );
        }
        if count == 0 {
            self.err(format!("{at}.count"), "count must be at least 1".into());
        }
        acc.expected += f64::from(count);
        StreamKind::Batch {
            at: a.at.map_or(h.open, |c| c.0),
            count,
        }
    }

    /// A run must end (a close, an end on every stream, a cap or a hard stop), and without a
    /// cap must not expect more arrivals than [`MAX_EXPECTED_ARRIVALS`].
    fn run_ends(&mut self, f: &ScenarioFile, h: &Hours, streams: &[Stream], acc: Expected) {
        let Expected {
            mut expected,
            unbounded,
        } = acc;
        let run = &f.run;
        if !unbounded.is_empty() && run.max_arrivals.is_none() && h.stop.is_none() {
            self.err("run".into(), format!("arrival stream{} {} never stop{}: set run.close, an end time on the stream, run.max_arrivals, or a hard stop", if unbounded.len() > 1 { "s" } else { "" }, unbounded.join(", "), if unbounded.len() > 1 { "" } else { "s" }));
        }
        if let Some(s) = h.stop
            && !unbounded.is_empty()
        {
            for st in streams {
                if let StreamKind::Poisson { pieces } = &st.kind
                    && let Some(&(from, to, rate)) = pieces.first()
                    && to.is_infinite()
                {
                    expected += rate * (s - from).max(0.0);
                }
            }
        }
        let capped = run
            .max_arrivals
            .map_or(expected, |m| expected.min(m as f64));
        if capped > MAX_EXPECTED_ARRIVALS && run.max_arrivals.is_none() {
            self.err("arrivals".into(), format!("about {capped:.0} arrivals are expected per replication, more than the limit of {MAX_EXPECTED_ARRIVALS:.0}; set run.max_arrivals to confirm a run this large"));
        }
    }
}

/// Walk-in streams with a bounded day: the shape of their arrivals (clipped at closing), for
/// mapping a walk-in time to a booked time under online registration.
fn day_shape(kind: &StreamKind, close: Option<f64>) -> Option<DayShape> {
    match kind {
        StreamKind::Poisson { pieces } if pieces.iter().all(|p| p.1.is_finite()) => {
            let clipped: Vec<(f64, f64, f64)> = pieces
                .iter()
                .map(|&(a, b, r)| (a, close.map_or(b, |c| b.min(c)).max(a), r))
                .collect();
            DayShape::new(&clipped)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{MM1, problems_of};
    use crate::Model;
    use crate::model::StreamKind;

    const STREAM: &str = "kind = \"poisson\"\nrate = \"15/h\"";

    fn with_stream(keys: &str) -> String {
        MM1.replace(STREAM, keys)
    }

    #[test]
    fn a_profile_is_poisson_pieces_and_shapes_the_day() {
        let m = Model::from_toml(&with_stream(
            r#"kind = "profile"
rates = [{ from = "08:00", to = "10:00", rate = "10/h" }, { from = "10:00", to = "12:00", rate = "5/h" }]"#,
        ))
        .unwrap();
        let StreamKind::Poisson { pieces } = &m.streams[0].kind else {
            panic!("{:?}", m.streams[0].kind)
        };
        assert_eq!(pieces.len(), 2);
        assert_eq!(pieces[0].0, 480.0);
        let shape = m.streams[0]
            .shape
            .as_ref()
            .expect("a bounded day has a shape");
        assert!((shape.fraction(600.0) - 2.0 / 3.0).abs() < 1e-12);
        // Statistics start at the first possible arrival.
        assert_eq!(m.stats_start, 0.0);
    }

    #[test]
    fn keys_of_another_kind_and_missing_keys_are_named() {
        assert_eq!(
            problems_of(&with_stream("kind = \"batch\"\nrate = \"15/h\"")),
            [
                "arrivals.walk_in.rate: `rate` does not apply to kind = \"batch\"",
                "arrivals.walk_in.at: kind = \"batch\" needs `at`",
                "arrivals.walk_in.count: kind = \"batch\" needs `count`",
            ]
        );
    }

    #[test]
    fn a_stream_without_end_needs_a_stopping_rule() {
        let text = MM1.replace("max_arrivals = 1000\n", "");
        assert_eq!(
            problems_of(&text),
            [
                "run: arrival stream walk_in never stops: set run.close, an end time on the stream, run.max_arrivals, or a hard stop"
            ]
        );
    }

    #[test]
    fn appointment_slots_are_counted_not_listed() {
        let m = Model::from_toml(&with_stream(
            r#"kind = "appointments"
sessions = [{ from = "08:00", to = "09:00" }]
slot = "7min"
per_slot = 2"#,
        ))
        .unwrap();
        assert!(matches!(
            m.streams[0].kind,
            StreamKind::Appointments { per_slot: 2, .. }
        ));
        assert_eq!(crate::model::slot_count(480.0, 540.0, 7.0), 9);
    }
}

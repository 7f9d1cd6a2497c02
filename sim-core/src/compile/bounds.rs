//! Clock bounds: every time, duration, offset, rate and recurring step of a compiled model must
//! be representable by the engine's clock (minutes as `f64`) over the whole run.
//!
//! Why: a float clock silently stops advancing when a step is below its resolution at the
//! current value (at 10¹⁶ minutes, adding 1 changes nothing), and an overflowing duration makes
//! an event time infinite. Either would make the event loop run on without the clock moving.
//! These checks refuse such models with located problems; the engine keeps its own guard
//! (`RunError`) behind them.
//!
//! The bounds, documented in `docs/scenario-format.md`:
//! * every time point (opening, closing, hard stop, shifts, sessions, stream pieces, batches)
//!   lies within [`MAX_CLOCK_MIN`] minutes (about 190 years);
//! * every duration (service, delay, patience, punctuality offset) has a *practical maximum*
//!   (its upper end, or a quantile so far in the tail that no run reaches it; see
//!   `Dist::practical_max`) of at most [`MAX_DURATION_MIN`] minutes (about 19 years), service
//!   multipliers included;
//! * an arrival rate's mean gap is at most [`MAX_DURATION_MIN`];
//! * recurring steps (the queue-sampling interval, appointment slots) are at least
//!   2⁻³² of the run's horizon, so they advance the clock by many units of its resolution.

use crate::distribution::Dist;
use crate::error::Problem;
use crate::model::{Model, StepKind, StreamKind};

/// Latest time point a scenario may name (minutes after midnight of day one).
pub const MAX_CLOCK_MIN: f64 = 1e8;
/// Largest practical maximum of any one duration (minutes).
pub const MAX_DURATION_MIN: f64 = 1e7;
/// A recurring step must be at least this fraction of the run's horizon.
pub const MIN_STEP_FRACTION: f64 = 1.0 / 4_294_967_296.0;

/// Problems with times, durations, rates and steps the clock cannot represent.
pub fn check(model: &Model) -> Vec<Problem> {
    let mut c = Checker {
        problems: Vec::new(),
        latest: model.open,
        longest: 0.0,
    };
    c.time("run.open", model.open);
    if let Some(t) = model.close {
        c.time("run.close", t);
    }
    if let Some(t) = model.stop {
        c.time("run", t);
    }
    c.time("run.warm_up", model.stats_start);
    let max_multiplier = |station: usize| {
        model
            .classes
            .iter()
            .map(|cl| cl.multipliers.get(station).copied().unwrap_or(1.0))
            .fold(1.0, f64::max)
    };
    for (i, s) in model.stations.iter().enumerate() {
        let at = format!("stations.{}", s.id);
        for ch in &s.changes {
            c.time(&format!("{at}.servers"), ch.at);
        }
        c.duration(&format!("{at}.service"), &s.service, max_multiplier(i));
        for p in s.patience.iter().flatten() {
            c.duration(&format!("{at}.patience"), p, 1.0);
        }
    }
    for step in &model.steps {
        let at = format!(
            "pathways.{}.steps.{}",
            model.pathways[step.pathway as usize].id, step.id
        );
        match &step.kind {
            // A step without a service of its own has its station's: checked there.
            StepKind::Visit {
                station, service, ..
            } if service == &model.stations[*station as usize].service => {}
            StepKind::Visit {
                station, service, ..
            } => {
                c.duration(
                    &format!("{at}.service"),
                    service,
                    max_multiplier(*station as usize),
                );
            }
            StepKind::Delay { delay } => c.duration(&format!("{at}.delay"), delay, 1.0),
        }
    }
    for st in &model.streams {
        let at = format!("arrivals.{}", st.id);
        match &st.kind {
            StreamKind::Poisson { pieces } => {
                for &(from, to, rate) in pieces {
                    c.time(&at, from);
                    if to.is_finite() {
                        c.time(&at, to);
                    }
                    if 1.0 / rate > MAX_DURATION_MIN {
                        c.problem(
                            format!("{at}.rate"),
                            format!(
                                "the rate {rate:e} per minute is so low that the mean gap between arrivals ({:e} min) is beyond the limit of {MAX_DURATION_MIN:e} min",
                                1.0 / rate
                            ),
                        );
                    }
                }
            }
            StreamKind::Appointments {
                sessions,
                punctuality,
                ..
            } => {
                for &(from, to) in sessions {
                    c.time(&format!("{at}.sessions"), from);
                    c.time(&format!("{at}.sessions"), to);
                }
                if let Some(p) = punctuality {
                    c.offset(&format!("{at}.punctuality"), p);
                }
            }
            StreamKind::Batch { at: t, .. } => c.time(&format!("{at}.at"), *t),
        }
    }
    if let Some(online) = &model.workflow.online
        && let Some(p) = &online.punctuality
    {
        c.offset("workflow.online_registration.punctuality", p);
    }
    if let Some(d) = &model.workflow.face_scan {
        c.duration("workflow.face_scan.service", d, 1.0);
    }
    // The horizon: the latest time point, plus room for patients still passing through
    // their steps after it. Recurring steps must advance the clock by far more than its
    // resolution anywhere up to there.
    let horizon = model.stop.unwrap_or(c.latest + 100.0 * c.longest).max(1.0);
    let min_step = horizon * MIN_STEP_FRACTION;
    if model.sample_interval > 0.0 && model.sample_interval < min_step {
        c.problem(
            "run.sample_interval".into(),
            format!(
                "the sampling interval of {:e} min is too small for a run whose clock reaches about {horizon:.0} min: the clock cannot resolve it there (the smallest allowed is {min_step:.3e} min; \"0min\" turns sampling off)",
                model.sample_interval
            ),
        );
    }
    for st in &model.streams {
        if let StreamKind::Appointments { slot, .. } = &st.kind
            && *slot < min_step
        {
            c.problem(
                format!("arrivals.{}.slot", st.id),
                format!(
                    "the slot length of {slot:e} min is too small for a run whose clock reaches about {horizon:.0} min (the smallest allowed is {min_step:.3e} min)"
                ),
            );
        }
    }
    c.problems
}

struct Checker {
    problems: Vec<Problem>,
    /// Latest time point seen.
    latest: f64,
    /// Longest practical duration seen.
    longest: f64,
}

impl Checker {
    fn problem(&mut self, at: String, message: String) {
        if !self.problems.iter().any(|p| p.at == at) {
            self.problems.push(Problem::new(at, message));
        }
    }

    fn time(&mut self, at: &str, t: f64) {
        if t.is_nan() || t.abs() > MAX_CLOCK_MIN {
            self.problem(
                at.to_string(),
                format!(
                    "the time {t:e} min is beyond the limit of {MAX_CLOCK_MIN:e} min (about 190 years) that the simulation clock supports"
                ),
            );
        } else {
            self.latest = self.latest.max(t);
        }
    }

    fn duration(&mut self, at: &str, d: &Dist, multiplier: f64) {
        let max = d.practical_max() * multiplier;
        if max.is_nan() || max > MAX_DURATION_MIN {
            self.problem(
                at.to_string(),
                format!(
                    "this distribution can give durations {}{}, beyond the limit of {MAX_DURATION_MIN:e} min (about 19 years) that the simulation clock supports",
                    if max.is_finite() {
                        format!("of about {max:.3e} min")
                    } else {
                        "so large that they overflow".to_string()
                    },
                    if multiplier > 1.0 {
                        format!(" (with the largest class service multiplier, {multiplier})")
                    } else {
                        String::new()
                    }
                ),
            );
        } else {
            self.longest = self.longest.max(max);
        }
    }

    fn offset(&mut self, at: &str, d: &Dist) {
        let (lo, hi) = (d.lower_bound(), d.practical_max());
        if lo.is_nan() || hi.is_nan() || lo.abs() > MAX_DURATION_MIN || hi.abs() > MAX_DURATION_MIN
        {
            self.problem(
                at.to_string(),
                format!(
                    "offsets range from about {lo:.3e} to {hi:.3e} min, beyond the limit of ±{MAX_DURATION_MIN:e} min that the simulation clock supports"
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Model, ScenarioError};

    const BASE: &str = r#"
[scenario]
name = "bounds"
[run]
close = "12:00"
replications = 1
[[stations]]
id = "desk"
servers = 1
service = SERVICE
[[arrivals]]
id = "walk_in"
kind = "poisson"
rate = "10/h"
pathway = "visit"
[[pathways]]
id = "visit"
steps = [{ id = "desk", station = "desk", next = "exit" }]
"#;

    fn problems(service: &str, run_extra: &str) -> Vec<String> {
        let text = BASE.replace("SERVICE", service).replace(
            "replications = 1",
            &format!("replications = 1\n{run_extra}"),
        );
        match Model::from_toml(&text) {
            Ok(_) => Vec::new(),
            Err(ScenarioError::Invalid(p)) => p.iter().map(|p| p.to_string()).collect(),
            Err(e) => vec![e.to_string()],
        }
    }

    #[test]
    fn ordinary_models_pass() {
        assert!(problems(r#"{ dist = "exponential", mean = "4min" }"#, "").is_empty());
        assert!(problems(r#"{ dist = "lognormal", mean = "4min", sd = "8min" }"#, "").is_empty());
    }

    #[test]
    fn durations_the_clock_cannot_hold_are_refused_with_their_place() {
        for service in [
            r#"{ dist = "deterministic", value = "1e308min" }"#,
            r#"{ dist = "exponential", mean = "1e300min" }"#,
            r#"{ dist = "normal", mean = "1e307min", sd = "1e307min", min = "0min" }"#,
            r#"{ dist = "triangular", min = "0min", mode = "1min", max = "1e300min" }"#,
            r#"{ dist = "lognormal", mean = "5min", sd = "100000min" }"#,
        ] {
            let p = problems(service, "");
            assert!(
                p.iter()
                    .any(|m| m.starts_with("stations.desk.service:") && m.contains("limit")),
                "{service}: {p:?}"
            );
        }
    }

    #[test]
    fn a_sampling_interval_below_the_clock_resolution_is_refused() {
        let p = problems(
            r#"{ dist = "exponential", mean = "4min" }"#,
            "sample_interval = \"0.0000000001min\"",
        );
        assert!(
            p.iter().any(|m| m.starts_with("run.sample_interval:")),
            "{p:?}"
        );
    }
}

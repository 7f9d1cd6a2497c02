//! `[run]`: opening and closing times, the hard stop or observation window, replications and
//! the queue-sampling interval.

use super::Builder;
use crate::model::{MAX_REPLICATIONS, MAX_SAMPLES};
use crate::scenario::RunSpec;
use crate::scenario::units::WarmUp;
use crate::scenario::units::format_clock;

/// The run's times, in minutes after midnight.
pub(crate) struct Hours {
    /// Opening time.
    pub open: f64,
    /// Walk-in streams stop here (if set).
    pub close: Option<f64>,
    /// The run stops here (if set): the hard stop, or the end of warm-up plus run length.
    pub stop: Option<f64>,
    /// Warm-up length (0 without one, and 0 for `"auto"` until it is found).
    pub warm_up: f64,
    /// `run.warm_up = "auto"`: the warm-up is found from pilot replications before the run.
    pub warm_up_auto: bool,
    /// Queue-length sampling interval (0 = off).
    pub sample_interval: f64,
}

impl Builder {
    /// Compiles `[run]`.
    pub(crate) fn run(&mut self, run: &RunSpec) -> Hours {
        let open = run.open.map_or(0.0, |c| c.0);
        let close = run.close.map(|c| c.0);
        if let Some(c) = close
            && c <= open
        {
            self.err(
                "run.close".into(),
                format!(
                    "closing time {} is not after opening time {}",
                    format_clock(c),
                    format_clock(open)
                ),
            );
        }
        let (warm_up, warm_up_auto) = match run.warm_up {
            None => (0.0, false),
            Some(WarmUp::Length(d)) => (d.0, false),
            Some(WarmUp::Auto) => (0.0, true),
        };
        if warm_up_auto {
            // MSER-5 finds where a stationary series settles; a clinic day is not stationary
            // (and starts empty as the real one does), so "auto" is for steady-state runs.
            if run.run_length.is_none() {
                self.err(
                    "run.warm_up".into(),
                    "\"auto\" needs a steady-state run: give run.run_length (the observation window after the warm-up)".into(),
                );
            }
            if run.sample_interval.is_some_and(|d| d.0 == 0.0) {
                self.err(
                    "run.warm_up".into(),
                    "\"auto\" is found from the queue-length series: run.sample_interval must not be \"0min\"".into(),
                );
            }
        }
        let mut stop = run.hard_stop.map(|c| c.0);
        if let Some(s) = stop
            && s <= open
        {
            self.err(
                "run.hard_stop".into(),
                "the hard stop is not after opening time".into(),
            );
        }
        if let Some(len) = run.run_length {
            if len.0 <= 0.0 {
                self.err(
                    "run.run_length".into(),
                    "run length must be greater than zero".into(),
                );
            }
            if stop.is_some() {
                self.err(
                    "run.run_length".into(),
                    "give either hard_stop or warm_up + run_length, not both".into(),
                );
            }
            stop = Some(open + warm_up + len.0);
        }
        if run.replications == 0 || run.replications > MAX_REPLICATIONS {
            self.err(
                "run.replications".into(),
                format!(
                    "replications must be between 1 and {MAX_REPLICATIONS} (got {})",
                    run.replications
                ),
            );
        }
        if run.max_arrivals == Some(0) {
            self.err(
                "run.max_arrivals".into(),
                "max_arrivals must be at least 1".into(),
            );
        }
        Hours {
            open,
            close,
            stop,
            warm_up,
            warm_up_auto,
            sample_interval: run.sample_interval.map_or(15.0, |d| d.0),
        }
    }

    /// Warns when the run is longer than the queue-length samples kept.
    pub(crate) fn sampling(&mut self, hours: &Hours) {
        if hours.sample_interval > 0.0 {
            let horizon = hours.stop.or(hours.close).map(|e| e - hours.open);
            if let Some(h) = horizon
                && h / hours.sample_interval > MAX_SAMPLES as f64
            {
                self.warnings.push(format!(
                    "run.sample_interval: only the first {MAX_SAMPLES} queue-length samples are kept"
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{MM1, problems_of};

    #[test]
    fn closing_before_opening_is_refused() {
        let text = MM1.replace("[run]", "[run]\nopen = \"10:00\"\nclose = \"09:00\"");
        assert_eq!(
            problems_of(&text),
            [
                "run.close: closing time 09:00 is not after opening time 10:00",
                // Walk-ins start at opening and end at closing.
                "arrivals.walk_in.end: the stream ends before it starts",
            ]
        );
    }

    #[test]
    fn run_length_and_hard_stop_exclude_each_other() {
        let text = MM1.replace(
            "[run]",
            "[run]\nhard_stop = \"12:00\"\nwarm_up = \"1h\"\nrun_length = \"0min\"",
        );
        assert_eq!(
            problems_of(&text),
            [
                "run.run_length: run length must be greater than zero",
                "run.run_length: give either hard_stop or warm_up + run_length, not both",
            ]
        );
    }

    #[test]
    fn replications_and_max_arrivals_have_limits() {
        let text = MM1
            .replace("replications = 2", "replications = 0")
            .replace("max_arrivals = 1000", "max_arrivals = 0");
        assert_eq!(
            problems_of(&text),
            [
                "run.replications: replications must be between 1 and 100000 (got 0)",
                "run.max_arrivals: max_arrivals must be at least 1",
            ]
        );
    }
}

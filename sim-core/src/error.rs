//! Errors a scenario can produce: syntax errors with line and column, and semantic problems,
//! each naming where in the file it is (e.g. `stations.consult.service`) and, once
//! [`crate::compile::spans::place`] has looked the path up in the text, its line, column and bytes.

use std::fmt;
use std::ops::Range;

/// One semantic problem found while checking a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: a dotted path such as `pathways.main.steps.lab.branches`.
    pub at: String,
    /// What is wrong, in words a planner can act on.
    pub message: String,
    /// Where `at` is written in the scenario text; `None` when nothing of it is written (a
    /// top-level list the file leaves out) or the problem has not been placed yet. The checks
    /// that find problems work on the parsed file, which no longer knows its text, so
    /// problems are made without a place and placed in one pass where the text is known.
    pub place: Option<Place>,
}

/// A place in the scenario text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters (as the syntax errors count them).
    pub column: usize,
    /// The bytes of the text the place covers (a `key = value` entry, a `[table]` header or
    /// an inline table), for an editor to underline.
    pub span: Range<usize>,
}

impl Place {
    /// The place of the bytes `span` of `source`.
    pub fn of(source: &str, span: Range<usize>) -> Place {
        let (line, column) = line_column(source, span.start);
        Place { line, column, span }
    }
}

impl Problem {
    /// A problem at the dotted path `at`, not yet placed in the text.
    pub fn new(at: String, message: String) -> Problem {
        Problem {
            at,
            message,
            place: None,
        }
    }
}

/// `at: message`, without the place: the place is shown by whoever knows the file's name (the
/// CLI prints `FILE:LINE:COL: error: ` before this; the page marks the line), and a message
/// that does not move when lines are added above it is easier to compare in tests.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// Why a scenario could not be turned into a model.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScenarioError {
    /// The text is not valid TOML, or a value has the wrong type or an unknown key.
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// The parser's explanation.
        message: String,
    },
    /// The file parsed but describes an impossible or unsafe model; every problem is listed.
    #[error("{} problem{} found:\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" }, list(.0))]
    Invalid(Vec<Problem>),
}

impl ScenarioError {
    /// The error as lines `FILE:LINE:COL: error: [variant ID: ]PATH: message`, one per
    /// problem (`FILE: error: …` for a problem with no place in the text): what
    /// `carepath validate` prints and the Python package's `ScenarioError` says.
    pub fn located_lines(&self, file: &str, variant: Option<&str>) -> String {
        // Worded as the page words it (`web/src/inspect.rs`).
        let context = variant.map_or(String::new(), |v| format!("variant {v}: "));
        match self {
            ScenarioError::Syntax {
                line,
                column,
                message,
            } => format!("{file}:{line}:{column}: error: {context}{message}"),
            ScenarioError::Invalid(problems) => problems
                .iter()
                .map(|p| match &p.place {
                    Some(at) => format!("{file}:{}:{}: error: {context}{p}", at.line, at.column),
                    None => format!("{file}: error: {context}{p}"),
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// Why a replication stopped before its end. A validated model never produces the last two:
/// they are the engine's own guard, so that no input, however it slipped past validation, can
/// make the event loop run on without the clock advancing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    /// The caller's stop flag was raised (Ctrl-C, a cancelled page run).
    #[error("interrupted")]
    Interrupted,
    /// An event was scheduled at a time that is not a finite number.
    #[error(
        "replication {replication}: an event ({event}) was scheduled at time {time}, which is not a finite number of minutes; some duration or offset in the scenario is too large for the clock"
    )]
    NonFiniteTime {
        /// Replication number.
        replication: u32,
        /// The kind of event.
        event: &'static str,
        /// The offending time.
        time: f64,
    },
    /// More patients were in the clinic at once than the engine keeps (memory would run out).
    #[error(
        "replication {replication}: more than {limit} patients were in the clinic at once; the model is so overloaded that its queues would exhaust memory (add servers, lower the arrival rate, or set run.max_arrivals or a hard stop)"
    )]
    TooManyInSystem {
        /// Replication number.
        replication: u32,
        /// The limit.
        limit: usize,
    },
    /// The event log would hold more events than allowed.
    #[error(
        "the event log would hold more than {limit} events; log fewer patients (--events-sample N or a rate) or raise the limit (--events-limit)"
    )]
    EventLogFull {
        /// The most events allowed.
        limit: usize,
    },
    /// A recurring time step (queue sampling) no longer advances the clock: the step is below
    /// the float resolution at this clock value.
    #[error(
        "replication {replication}: the clock stopped advancing at {at} minutes ({what} of {step} minutes is below the clock's resolution there)"
    )]
    ClockStalled {
        /// Replication number.
        replication: u32,
        /// What kind of step.
        what: &'static str,
        /// Clock value.
        at: f64,
        /// The step that no longer changes it.
        step: f64,
    },
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  - {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Converts a byte offset in `source` into a 1-based (line, column) pair.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = source[line_start..offset].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn line_and_column() {
        let s = "a = 1\nbb = 2\n";
        assert_eq!(line_column(s, 0), (1, 1));
        assert_eq!(line_column(s, 6), (2, 1));
        assert_eq!(line_column(s, 9), (2, 4));
    }
}

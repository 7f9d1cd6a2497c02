//! Bad scenarios fed to `carepath validate`: every kind of mistake must give exit code 2, a
//! message naming the file and the place (`FILE:LINE:COL: error: …`, for syntax errors and
//! for semantic problems, which also name the dotted path such as
//! `pathways.visit.steps.triage.branches`) and never a panic. Each semantic case states the
//! line its problem must point at.
//!
//! One fixture per case lives in `tests/fixtures/bad/`, each starting with a comment saying
//! what is wrong. Cases too large to keep as a file (an empirical table or a pathway above the
//! size limit) are generated into a temporary directory. Assertions are on key words, not on
//! whole messages, so the wording can be polished without touching these tests.

use carepath_tests::{Outcome, carepath_bin, fixture, run_carepath, workspace_root};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// `carepath validate tests/fixtures/bad/NAME`; returns the path as shown in messages.
fn validate(name: &str) -> (String, Outcome) {
    let path = fixture(&format!("bad/{name}"));
    assert!(
        workspace_root().join(&path).is_file(),
        "missing fixture {}",
        path.display()
    );
    let o = run_carepath([Path::new("validate"), path.as_path()]);
    (path.display().to_string(), o)
}

/// The common contract of a rejected scenario: exit 2, no panic, nothing on stdout, and
/// messages that start by naming the file (`FILE:LINE:COL: error: …`, like rustc and ruff).
#[track_caller]
fn rejected(path: &str, o: &Outcome) {
    o.expect_no_panic().expect_code(2);
    assert_eq!(o.stdout, "", "a rejected scenario prints nothing on stdout");
    assert!(
        o.stderr.starts_with(&format!("{path}:")),
        "the message must start by naming the file:\n{}",
        o.stderr
    );
}

#[track_caller]
fn assert_words(text: &str, words: &[&str], context: &str) {
    let lower = text.to_lowercase();
    for w in words {
        assert!(
            lower.contains(&w.to_lowercase()),
            "{context}: expected the word {w:?} in:\n{text}"
        );
    }
}

/// A syntax-level error (TOML, types, unknown keys, units): `FILE:LINE:COL: error: message`.
#[track_caller]
fn syntax_error(name: &str, line: usize, column: usize, words: &[&str]) -> Outcome {
    let (path, o) = validate(name);
    rejected(&path, &o);
    let first = o.stderr.lines().next().unwrap_or_default();
    let prefix = format!("{path}:{line}:{column}: error: ");
    assert!(
        first.starts_with(&prefix),
        "{name}: expected the location {line}:{column}, i.e. a message starting with {prefix:?}; got:\n{}",
        o.stderr
    );
    assert_words(&first[prefix.len()..], words, name);
    o
}

/// The line number and message of the semantic problem reported at `at`, if any: from a line
/// `FILE:LINE:COL: error: AT: message` (the line number is `None` for `FILE: error: …`).
fn problem_line<'a>(o: &'a Outcome, at: &str) -> Option<(Option<usize>, &'a str)> {
    let marker = format!(" error: {at}: ");
    o.stderr.lines().find_map(|l| {
        let (place, msg) = l.split_once(&marker)?;
        let line = place.trim_end_matches(':').split(':').nth(1)?.parse().ok();
        Some((line, msg))
    })
}

/// A semantic problem reported at `at`, placed on `line` of the fixture:
/// `FILE:LINE:COL: error: AT: message`. Every problem printed must carry a line and column.
#[track_caller]
fn problem(name: &str, at: &str, line: usize, words: &[&str]) -> Outcome {
    let (path, o) = validate(name);
    rejected(&path, &o);
    for l in o.stderr.lines() {
        let rest = l.strip_prefix(&format!("{path}:")).unwrap_or_default();
        let mut parts = rest.splitn(3, ':');
        let placed = parts.next().is_some_and(|n| n.parse::<usize>().is_ok())
            && parts.next().is_some_and(|n| n.parse::<usize>().is_ok())
            && parts.next().is_some_and(|r| r.starts_with(" error: "));
        assert!(
            placed,
            "{name}: every problem must be placed as FILE:LINE:COL: error: …; got:\n{}",
            o.stderr
        );
    }
    let (placed_on, msg) = problem_line(&o, at).unwrap_or_else(|| {
        panic!(
            "{name}: expected a problem reported at `{at}`, got:\n{}",
            o.stderr
        )
    });
    assert_eq!(
        placed_on,
        Some(line),
        "{name}: the problem at `{at}` must point at line {line}:\n{}",
        o.stderr
    );
    assert_words(msg, words, name);
    o
}

/// Writes `text` as `name` into a fresh temporary directory (kept alive by the returned guard).
fn generated(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    (dir, p)
}

/// A valid one-station scenario whose station `desk` has the given service distribution and
/// whose pathway `visit` has the given steps (`[[pathways.steps]]` tables).
fn scenario_with(service: &str, steps: &str) -> String {
    format!(
        r#"[scenario]
name = "generated"

[run]
close = "12:00"

[[stations]]
id = "desk"
servers = 2
service = {service}

[[arrivals]]
id = "walk_ins"
kind = "poisson"
rate = "20/h"
pathway = "visit"

[[pathways]]
id = "visit"
{steps}"#
    )
}

const ONE_STEP: &str = r#"
[[pathways.steps]]
id = "check_in"
station = "desk"
next = "exit"
"#;

// ---------------------------------------------------------------------------------------------
// Syntax: TOML, unknown keys, types, units, clock times.

#[test]
fn malformed_toml_reports_file_line_and_column() {
    // Line 10 is `id = desk`: the bare word starts at column 6.
    syntax_error("malformed_toml.toml", 10, 6, &["string"]);
}

#[test]
fn malformed_toml_column_counts_characters_not_bytes() {
    let name = "malformed_toml_unicode.toml";
    let text =
        std::fs::read_to_string(workspace_root().join(fixture(&format!("bad/{name}")))).unwrap();
    let line = text.lines().nth(2).unwrap();
    let byte = line.rfind("\"x\"").unwrap();
    let column = line[..byte].chars().count() + 1;
    assert_ne!(
        column,
        byte + 1,
        "the fixture must contain multi-byte characters"
    );
    syntax_error(name, 3, column, &[]);
}

#[test]
fn unknown_key_is_named_with_its_line() {
    let o = syntax_error("unknown_key.toml", 11, 1, &["unknown", "sevrers"]);
    // Listing the accepted keys points the planner at the right spelling.
    assert_words(&o.stderr, &["`servers`"], "unknown_key.toml");
}

#[test]
fn unknown_key_in_an_arrival_stream_is_named() {
    let (path, o) = validate("unknown_key_in_arrival.toml");
    rejected(&path, &o);
    assert_words(
        &o.stderr,
        &["unknown", "pathwya"],
        "unknown_key_in_arrival.toml",
    );
}

/// Arrival streams (`kind = …`) are internally tagged: an error inside one must still point at
/// the offending line, not at the `[[arrivals]]` header.
#[test]
fn errors_inside_an_arrival_stream_point_at_the_offending_line() {
    // `pathwya = "visit"` is line 17; `rate = 20` is line 16, value at column 8.
    syntax_error("unknown_key_in_arrival.toml", 17, 1, &["pathwya"]);
    syntax_error("bare_number_rate.toml", 16, 8, &["no unit"]);
}

#[test]
fn missing_required_key_is_named() {
    // The station table starting on line 8 lacks `service`.
    syntax_error("missing_field.toml", 8, 1, &["missing", "service"]);
}

#[test]
fn unknown_distribution_is_named() {
    syntax_error(
        "unknown_distribution.toml",
        11,
        20,
        &["exponental", "exponential"],
    );
}

#[test]
fn bare_number_duration_has_no_unit() {
    // The value `4` is inside the inline table on line 12 (which starts at column 11).
    let (path, o) = validate("bare_number_duration.toml");
    rejected(&path, &o);
    assert!(
        o.stderr.starts_with(&format!("{path}:12:")),
        "expected line 12:\n{}",
        o.stderr
    );
    assert_words(&o.stderr, &["no unit", "4"], "bare_number_duration.toml");
}

#[test]
fn bare_number_sample_interval_has_no_unit() {
    syntax_error("bare_number_interval.toml", 7, 19, &["no unit", "15"]);
}

#[test]
fn bare_number_rate_has_no_unit() {
    let (path, o) = validate("bare_number_rate.toml");
    rejected(&path, &o);
    assert_words(
        &o.stderr,
        &["no unit", "20", "rate"],
        "bare_number_rate.toml",
    );
}

#[test]
fn negative_duration_is_rejected() {
    syntax_error("negative_duration.toml", 7, 11, &["negative", "-30min"]);
}

#[test]
fn invalid_clock_time_is_rejected() {
    syntax_error("invalid_clock.toml", 6, 9, &["25:99"]);
}

// ---------------------------------------------------------------------------------------------
// Semantic problems: values.

#[test]
fn negative_service_time_is_rejected() {
    problem(
        "negative_service_time.toml",
        "stations.desk.service",
        11,
        &["negative"],
    );
}

#[test]
fn zero_rate_is_rejected() {
    problem(
        "zero_rate.toml",
        "arrivals.walk_ins.rate",
        16,
        &["rate", "greater than zero"],
    );
}

#[test]
fn negative_rate_is_rejected() {
    problem(
        "negative_rate.toml",
        "arrivals.walk_ins.rate",
        16,
        &["rate", "greater than zero"],
    );
}

#[test]
fn zero_exponential_mean_is_rejected() {
    problem(
        "zero_exponential_mean.toml",
        "stations.desk.service",
        11,
        &["mean", "greater than zero"],
    );
}

#[test]
fn negative_exponential_mean_is_rejected() {
    problem(
        "negative_exponential_mean.toml",
        "pathways.visit.steps.check_in.service",
        21,
        &["mean", "greater than zero", "-3"],
    );
}

#[test]
fn class_shares_must_sum_to_one() {
    problem("class_shares.toml", "classes", 8, &["share", "0.8"]);
}

#[test]
fn appointment_no_show_must_be_a_probability() {
    problem(
        "no_show.toml",
        "arrivals.booked.no_show",
        20,
        &["no_show", "1.5", "0", "1"],
    );
}

#[test]
fn duplicate_station_ids_are_rejected() {
    problem(
        "duplicate_station_ids.toml",
        "stations.desk",
        9,
        &["desk", "twice"],
    );
}

#[test]
fn overlapping_shifts_are_rejected() {
    problem(
        "overlapping_shifts.toml",
        "stations.desk.servers[1]",
        13,
        &["overlap"],
    );
}

#[test]
fn station_without_servers_that_is_visited_is_rejected() {
    for name in ["no_servers.toml", "no_servers_schedule.toml"] {
        problem(
            name,
            "pathways.visit.steps.check_in",
            21,
            &["desk", "never", "servers"],
        );
    }
}

#[test]
fn streams_that_never_stop_are_rejected() {
    problem("never_stops.toml", "run", 5, &["walk_ins", "never stop"]);
}

#[test]
fn empty_rate_profile_is_reported_not_a_crash() {
    problem(
        "empty_profile_hard_stop.toml",
        "arrivals.later.rates",
        24,
        &["no pieces"],
    );
}

// ---------------------------------------------------------------------------------------------
// Semantic problems: pathways.

#[test]
fn branch_probabilities_must_sum_to_one_and_the_step_is_named() {
    problem(
        "branch_sum.toml",
        "pathways.visit.steps.triage.branches",
        30,
        &["probabilit", "0.8"],
    );
}

#[test]
fn branch_to_a_nonexistent_step_is_rejected() {
    problem(
        "branch_target.toml",
        "pathways.visit.steps.triage.branches",
        30,
        &["xray"],
    );
}

#[test]
fn loop_without_exit_names_its_steps() {
    problem(
        "loop_without_exit.toml",
        "pathways.visit.steps",
        27,
        &["loop", "consult", "review"],
    );
}

#[test]
fn unreachable_step_is_rejected() {
    problem(
        "unreachable_step.toml",
        "pathways.visit.steps.followup",
        38,
        &["reach"],
    );
}

#[test]
fn step_with_both_station_and_delay_is_rejected() {
    problem(
        "station_and_delay.toml",
        "pathways.visit.steps.lab",
        33,
        &["station", "delay"],
    );
}

#[test]
fn unknown_station_is_rejected() {
    problem(
        "unknown_station.toml",
        "pathways.visit.steps.scan.station",
        34,
        &["xray"],
    );
}

#[test]
fn duplicate_step_ids_are_rejected() {
    problem(
        "duplicate_step_ids.toml",
        "pathways.visit.steps.consult",
        28,
        &["consult", "twice"],
    );
}

// ---------------------------------------------------------------------------------------------
// Absurd sizes.

#[test]
fn too_many_servers_is_rejected() {
    let limit = sim_core::model::MAX_SERVERS.to_string();
    problem(
        "too_many_servers.toml",
        "stations.desk.servers",
        10,
        &["100001", &limit, "limit"],
    );
}

#[test]
fn too_many_expected_arrivals_is_rejected() {
    problem(
        "too_many_arrivals.toml",
        "arrivals",
        13,
        &["72000000", "limit", "max_arrivals"],
    );
}

#[test]
fn too_many_replications_is_rejected() {
    let limit = sim_core::model::MAX_REPLICATIONS.to_string();
    problem(
        "too_many_replications.toml",
        "run.replications",
        7,
        &["100001", &limit],
    );
}

#[test]
fn empirical_table_longer_than_the_limit_is_rejected() {
    let n = sim_core::distribution::MAX_EMPIRICAL + 1;
    let mut values = String::new();
    let mut weights = String::new();
    for i in 0..n {
        let _ = write!(values, "\"{}s\",", 60 + i % 600);
        weights.push_str("1,");
    }
    let service = format!("{{ dist = \"empirical\", values = [{values}], weights = [{weights}] }}");
    let (_dir, p) = generated("long_empirical.toml", &scenario_with(&service, ONE_STEP));
    let o = run_carepath([Path::new("validate"), p.as_path()]);
    rejected(&p.display().to_string(), &o);
    let (_, msg) = problem_line(&o, "stations.desk.service")
        .unwrap_or_else(|| panic!("no problem at stations.desk.service:\n{}", o.stderr));
    assert_words(msg, &[&n.to_string(), "limit"], "long empirical table");
}

#[test]
fn pathway_longer_than_the_limit_is_rejected() {
    let n = sim_core::model::pathway::MAX_STEPS + 1;
    let mut steps = String::new();
    for i in 0..n {
        let next = if i + 1 == n {
            "exit".to_string()
        } else {
            format!("s{}", i + 1)
        };
        let _ = write!(
            steps,
            "\n[[pathways.steps]]\nid = \"s{i}\"\nstation = \"desk\"\nnext = \"{next}\"\n"
        );
    }
    let service = r#"{ dist = "exponential", mean = "4min" }"#;
    let (_dir, p) = generated("long_pathway.toml", &scenario_with(service, &steps));
    let o = run_carepath([Path::new("validate"), p.as_path()]);
    rejected(&p.display().to_string(), &o);
    let (_, msg) = problem_line(&o, "pathways.visit.steps")
        .unwrap_or_else(|| panic!("no problem at pathways.visit.steps:\n{}", o.stderr));
    assert_words(msg, &[&n.to_string(), "limit"], "long pathway");
}

/// Three appointment sessions, each just under the per-session limit, together book ~150
/// million patients. `validate` must say so (exit 2) instead of first materialising every slot
/// time: it runs here with its address space capped at 1 GiB, which a correct validation
/// never comes near (the benchmark validates in a few MB).
#[cfg(target_os = "linux")]
#[test]
fn huge_appointment_books_are_rejected_without_exhausting_memory() {
    let name = "appointment_slots_unbounded.toml";
    let path = fixture(&format!("bad/{name}"));
    let mut cmd = std::process::Command::new("sh");
    cmd.current_dir(workspace_root())
        .env_remove("RUST_BACKTRACE")
        .args(["-c", "ulimit -v 1048576 && exec \"$0\" \"$@\""])
        .arg(carepath_bin())
        .arg("validate")
        .arg(&path);
    let o = carepath_tests::outcome(&mut cmd);
    rejected(&path.display().to_string(), &o);
    assert_words(&o.stderr, &["arrivals", "limit"], name);
}

// ---------------------------------------------------------------------------------------------
// Warnings and several problems at once.

#[test]
fn overloaded_station_validates_with_a_warning() {
    let (path, o) = validate("overloaded_station.toml");
    o.expect_no_panic().expect_code(0);
    assert!(o.stdout.starts_with(&format!("{path}: ok")), "{}", o.stdout);
    let warning = o
        .stdout
        .lines()
        .chain(o.stderr.lines())
        .find(|l| l.starts_with("warning: "))
        .unwrap_or_else(|| panic!("no `warning:` line; {o:#?}"));
    // 45/h × 4 min = 3 busy servers offered to 2 servers: 150%.
    assert_words(warning, &["desk", "150%"], "overloaded_station.toml");
}

#[test]
fn two_independent_problems_are_both_reported() {
    let o = problem("two_problems.toml", "stations.desk.service", 12, &["mean"]);
    let (line, second) = problem_line(&o, "arrivals.walk_ins.rate")
        .unwrap_or_else(|| panic!("the second problem is missing:\n{}", o.stderr));
    assert_eq!(line, Some(17), "the rate is on line 17:\n{}", o.stderr);
    assert_words(second, &["rate"], "two_problems.toml");
    assert_eq!(
        o.stderr.lines().count(),
        2,
        "one line per problem:\n{}",
        o.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// The fixtures themselves.

#[test]
fn every_fixture_starts_with_a_comment_and_is_used() {
    let dir = workspace_root().join(fixture("bad"));
    let names: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let this = include_str!("bad_input.rs");
    for n in &names {
        let text = std::fs::read_to_string(dir.join(n)).unwrap();
        assert!(
            text.starts_with("# "),
            "{n} must start with a comment saying what is wrong"
        );
        assert!(
            this.contains(&format!("\"{n}\"")),
            "fixture {n} is not used by any test"
        );
    }
}

/// Durations, offsets and steps the float clock cannot represent over the run are refused at
/// validation with their place (they made runs spin forever before).
#[test]
fn durations_and_steps_the_clock_cannot_represent_are_refused() {
    problem(
        "huge_duration.toml",
        "stations.desk.service",
        13,
        &["1.000e308 min", "limit", "clock"],
    );
    problem(
        "overflowing_normal.toml",
        "stations.desk.service",
        13,
        &["overflow", "limit"],
    );
    problem(
        "huge_multiplier.toml",
        "stations.desk.service",
        16,
        &["multiplier", "limit"],
    );
    problem(
        "tiny_sample_interval.toml",
        "run.sample_interval",
        8,
        &["too small", "resolve", "0min"],
    );
}

/// A warm-up that reaches past the end of the run would give all-zero results.
#[test]
fn a_warm_up_past_the_end_of_the_run_is_refused() {
    problem(
        "warm_up_past_end.toml",
        "run.warm_up",
        8,
        &["warm-up", "end of the run", "nothing would be observed"],
    );
}

/// A study too large for memory is refused before it starts, with the estimate: in the file,
/// and when `--replications` raises the count of a file that passed.
#[test]
fn a_study_too_large_for_memory_is_refused_with_the_estimate() {
    let mut text = String::from(
        "[scenario]\nname = \"big\"\n[run]\nclose = \"23:00\"\nreplications = 1\nsample_interval = \"1min\"\n",
    );
    for i in 0..2000 {
        text += &format!(
            "[[stations]]\nid = \"s{i}\"\nservers = 1\nservice = {{ dist = \"exponential\", mean = \"3min\" }}\n"
        );
    }
    text += "[[arrivals]]\nid = \"a\"\nkind = \"poisson\"\nrate = \"10/h\"\npathway = \"p\"\n\
             [[pathways]]\nid = \"p\"\nsteps = [{ id = \"s\", station = \"s0\", next = \"exit\" }]\n";
    let (_dir, path) = generated("big.toml", &text);
    run_carepath([Path::new("validate"), path.as_path()])
        .expect_no_panic()
        .expect_code(0);
    let o = run_carepath([
        Path::new("run"),
        path.as_path(),
        Path::new("--replications"),
        Path::new("1000"),
    ]);
    o.expect_no_panic().expect_code(2);
    assert_words(
        &o.stderr,
        &["--replications 1000", "MiB of memory", "budget"],
        "--replications",
    );
    let (_dir2, path) = generated(
        "big.toml",
        &text.replace("replications = 1\n", "replications = 1000\n"),
    );
    let o = run_carepath([Path::new("validate"), path.as_path()]);
    o.expect_no_panic().expect_code(2);
    assert_words(&o.stderr, &["run.replications", "MiB of memory"], "file");
}

/// A variant's problems with keys its overlay gives point into the variant's own table in
/// `[[variants]]` (an inline list entry, and a `[[variants.stations]]` table), and name the
/// variant.
#[test]
fn a_variants_problems_point_into_its_overlay() {
    let (path, o) = validate("variant_overlay.toml");
    rejected(&path, &o);
    let lines: Vec<&str> = o.stderr.lines().collect();
    assert_eq!(
        lines,
        [
            format!(
                "{path}:27:18: error: variant big: stations.desk.servers: 100001 servers is more than the limit of 100000"
            ),
            format!(
                "{path}:36:3: error: variant shifts: stations.desk.servers[1]: shifts must be in time order and must not overlap"
            ),
        ],
        "{}",
        o.stderr
    );
}

#[test]
fn weekdays_without_a_calendar_are_refused_at_the_shift() {
    problem(
        "calendar_days_without_calendar.toml",
        "stations.desk.servers[0].days",
        11,
        &["days", "[calendar]"],
    );
}

#[test]
fn holidays_need_the_calendars_start_date() {
    problem(
        "calendar_holidays_without_start.toml",
        "calendar.holidays",
        10,
        &["holidays", "calendar.start"],
    );
}

#[test]
fn a_calendar_shift_past_midnight_is_refused() {
    problem(
        "calendar_shift_past_midnight.toml",
        "stations.desk.servers[0]",
        14,
        &["time of day", "24:00", "26:00"],
    );
}

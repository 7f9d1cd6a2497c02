//! Calendar runs (`[calendar]`): the day pattern expanded over the open days (closed weekdays,
//! holidays, weekday multipliers and closing times, shifts by weekday) and the end-of-day rules
//! (overtime per day, sending home, carrying over), on small scenarios whose answer can be
//! worked out by hand, plus a property test of patient conservation on random calendars.

use proptest::prelude::*;
use sim_core::{Model, run_replication};

fn model(body: &str) -> Model {
    let text = format!("[scenario]\nname = \"t\"\n{body}");
    Model::from_toml(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// One desk open 08:00-09:00 on Monday and Wednesday (Tuesday closed) with 12 booked patients
/// each open day, two every 10 minutes from 08:00, and a 9-minute service: 7 services start
/// before 09:00 (the last at 08:54, ending 09:03), 5 patients still wait at 09:00.
fn desk_days(end_of_day: &str) -> Model {
    model(&format!(
        r#"[run]
open = "08:00"
close = "12:00"
replications = 1
[calendar]
days = 3
first_day = "mon"
closed = ["tue"]
end_of_day = "{end_of_day}"
[[stations]]
id = "desk"
servers = [{{ from = "08:00", to = "09:00", count = 1 }}]
service = {{ dist = "deterministic", value = "9min" }}
[[arrivals]]
id = "booked"
kind = "appointments"
sessions = [{{ from = "08:00", to = "09:00" }}]
slot = "10min"
per_slot = 2
pathway = "p"
[[pathways]]
id = "p"
steps = [{{ id = "desk", station = "desk", next = "exit" }}]
"#
    ))
}

#[test]
fn overtime_finishes_each_day_and_is_counted_on_that_day() {
    let m = desk_days("overtime");
    let r = run_replication(&m, 0).unwrap();
    assert_eq!(
        r.patients.arrived, 24,
        "12 on Monday, none on Tuesday, 12 on Wednesday"
    );
    assert_eq!(r.patients.completed, 24);
    let desk = &r.stations[0];
    // 12 services of 9 minutes from 08:00 end at 09:48: 48 minutes after the shift.
    let overtime: Vec<f64> = desk.by_day.iter().map(|d| d.overtime).collect();
    assert_eq!(overtime.len(), 3);
    assert!((overtime[0] - 48.0).abs() < 1e-9, "{overtime:?}");
    assert_eq!(overtime[1], 0.0);
    assert!((overtime[2] - 48.0).abs() < 1e-9, "{overtime:?}");
    // Nobody waits overnight: the longest wait is the last Monday patient's (08:50 → 09:39).
    assert!((desk.waits.max - 49.0).abs() < 1e-9, "{}", desk.waits.max);
    // Wednesday's patients arrive two days after midnight of Monday.
    assert!((r.end_time - (2.0 * 1440.0 + 9.0 * 60.0 + 48.0)).abs() < 1e-9);
}

#[test]
fn send_home_turns_away_whoever_still_waits_at_the_end_of_the_day() {
    let m = desk_days("send_home");
    let r = run_replication(&m, 0).unwrap();
    assert_eq!(r.patients.arrived, 24);
    assert_eq!(r.patients.completed, 14, "7 served each open day");
    assert_eq!(r.patients.sent_home, 10, "5 sent home each open day");
    assert_eq!(r.patients.unfinished, 0);
    let desk = &r.stations[0];
    assert_eq!(desk.sent_home, 10);
    let by_day: Vec<u32> = desk.by_day.iter().map(|d| d.sent_home).collect();
    assert_eq!(by_day, [5, 0, 5]);
    assert!(
        desk.by_day.iter().all(|d| d.overtime == 0.0),
        "no overtime under send_home"
    );
}

#[test]
fn carry_over_keeps_them_waiting_and_serves_them_first_next_open_day() {
    let m = desk_days("carry_over");
    let r = run_replication(&m, 0).unwrap();
    let desk = &r.stations[0];
    // Monday: 7 served, 5 wait until Wednesday 08:00, where they are served first (with 2
    // of Wednesday's own); the other 10 of Wednesday's are still waiting when the run ends.
    assert_eq!(r.patients.completed, 14);
    assert_eq!(r.patients.unfinished, 10);
    // Counted at midnight after each day's end, against that day: Wednesday's 10 are carried
    // too, although the run has no later day to see them on.
    let carried: Vec<u32> = desk.by_day.iter().map(|d| d.carried_over).collect();
    assert_eq!(carried, [5, 0, 10]);
    assert_eq!(desk.carried_over, 15);
    // The first carried patient (booked 08:30 Monday) waits until Wednesday 08:00 … and the
    // longest wait is the last one's, 08:50 Monday to Wednesday 08:36.
    let longest = 2.0 * 1440.0 + 8.0 * 60.0 + 36.0 - (8.0 * 60.0 + 50.0);
    assert!(
        (desk.waits.max - longest).abs() < 1e-9,
        "{}",
        desk.waits.max
    );
}

#[test]
fn carried_over_patients_go_ahead_of_a_higher_priority_the_next_morning() {
    // One desk with priorities, 35-minute services. Monday 08:00-08:30: urgent U0 (08:00) is
    // served until 08:35; routine R1 (08:10) and R2 (08:20) still wait at 08:30 and are carried
    // over. Tuesday 08:00-10:00: R1 is served 08:00-08:35; urgent U1 arrives at 08:05, but R2,
    // carried over, goes first (08:35-09:10), so U1 is served 09:10-09:45: 100 minutes in the
    // clinic instead of 65 had its priority put it ahead of R2.
    let m = model(
        r#"[run]
open = "08:00"
close = "12:00"
replications = 1
[calendar]
days = 2
end_of_day = "carry_over"
[[classes]]
id = "urgent"
priority = 1
[[classes]]
id = "routine"
[[stations]]
id = "desk"
discipline = "priority"
servers = [
  { from = "08:00", to = "08:30", count = 1, days = ["mon"] },
  { from = "08:00", to = "10:00", count = 1, days = ["tue"] },
]
service = { dist = "deterministic", value = "35min" }
[[arrivals]]
id = "urgent"
class = "urgent"
kind = "appointments"
sessions = [{ from = "08:00", to = "08:10", days = ["mon"] }, { from = "08:05", to = "08:15", days = ["tue"] }]
slot = "10min"
per_slot = 1
pathway = "p"
[[arrivals]]
id = "routine"
class = "routine"
kind = "appointments"
sessions = [{ from = "08:10", to = "08:30", days = ["mon"] }]
slot = "10min"
per_slot = 1
pathway = "p"
[[pathways]]
id = "p"
steps = [{ id = "desk", station = "desk", next = "exit" }]
"#,
    );
    let r = run_replication(&m, 0).unwrap();
    assert_eq!(r.stations[0].carried_over, 2);
    assert_eq!(r.patients.completed, 4);
    let urgent = &r.classes[0];
    assert!(
        (urgent.time_in_system.max - 100.0).abs() < 1e-9,
        "{}",
        urgent.time_in_system.max
    );
}

#[test]
fn holidays_closed_days_multipliers_and_weekday_closing_shape_the_week() {
    let m = model(
        r#"[run]
open = "08:00"
close = "12:00"
replications = 20
[calendar]
days = 7
start = "2026-03-02"
closed = ["sun"]
holidays = ["2026-03-04"]
arrivals = { mon = 2.0 }
close = { sat = "10:00" }
[[stations]]
id = "desk"
servers = [
  { from = "08:00", to = "12:00", count = 3, days = ["mon", "tue", "wed", "thu", "fri"] },
  { from = "08:00", to = "10:00", count = 2, days = ["sat"] },
]
service = { dist = "exponential", mean = "2min" }
[[arrivals]]
id = "walk_in"
kind = "poisson"
rate = "60/h"
pathway = "p"
[[pathways]]
id = "p"
steps = [{ id = "desk", station = "desk", next = "exit" }]
"#,
    );
    let cal = m.calendar().expect("a calendar");
    let open: Vec<bool> = cal.days.iter().map(|d| d.open).collect();
    assert_eq!(open, [true, true, false, true, true, true, false]);
    let mut per_day = [0.0f64; 7];
    for rep in 0..m.replications() {
        let r = run_replication(&m, rep).unwrap();
        let hours = &r.arrivals_by_hour;
        for (d, total) in per_day.iter_mut().enumerate() {
            let day: u32 = hours.iter().skip(d * 24).take(24).sum();
            *total += f64::from(day) / f64::from(m.replications());
        }
        // Nobody walks in on the holiday, on Sunday, or after 10:00 on Saturday.
        for d in [2usize, 6] {
            assert!(hours.iter().skip(d * 24).take(24).all(|&a| a == 0));
        }
        assert!(hours.iter().skip(5 * 24 + 10).take(14).all(|&a| a == 0));
        assert_eq!(r.patients.unfinished, 0);
    }
    // Poisson means over 20 replications: Monday 2 × 240, other weekdays 240, Saturday 120.
    // Tolerance: 5 standard errors of the mean (sqrt(mean / 20)).
    for (d, expected) in [(0, 480.0), (1, 240.0), (3, 240.0), (5, 120.0)] {
        let tol = 5.0 * (expected / 20.0f64).sqrt();
        assert!(
            (per_day[d] - expected).abs() < tol,
            "day {d}: {} against {expected} ± {tol}",
            per_day[d]
        );
    }
}

/// A random calendar scenario: one or two stations with weekday and Saturday shifts, walk-ins
/// with weekday multipliers, any end-of-day rule; the first day is always open.
fn calendar_scenario() -> impl Strategy<Value = String> {
    (
        1u32..10,
        0usize..7,
        proptest::collection::vec(any::<bool>(), 7),
        0.0f64..2.0,
        0usize..3,
        1u32..4,
        any::<bool>(),
        10.0f64..80.0,
    )
        .prop_map(|(days, first, closed, mult, rule, servers, two, rate)| {
            let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
            let closed: Vec<&str> = names
                .iter()
                .zip(&closed)
                .filter(|(n, c)| **c && **n != names[first])
                .map(|(n, _)| *n)
                .collect();
            let closed: Vec<String> = closed.iter().map(|c| format!("\"{c}\"")).collect();
            let rule = ["overtime", "send_home", "carry_over"][rule];
            let station = |id: &str| {
                format!(
                    "[[stations]]\nid = \"{id}\"\nservers = [\n  {{ from = \"08:00\", to = \"12:00\", count = {servers}, days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"] }},\n  {{ from = \"13:00\", to = \"16:00\", count = {servers} }},\n  {{ from = \"08:00\", to = \"11:00\", count = 1, days = [\"sat\", \"sun\"] }},\n]\nservice = {{ dist = \"exponential\", mean = \"4min\" }}\n"
                )
            };
            let mut t = format!(
                "[scenario]\nname = \"random calendar\"\n[run]\nopen = \"08:00\"\nclose = \"15:30\"\nreplications = 2\n[calendar]\ndays = {days}\nfirst_day = \"{}\"\nclosed = [{}]\narrivals = {{ mon = {mult}, sat = 0.5 }}\nend_of_day = \"{rule}\"\n",
                names[first],
                closed.join(", ")
            );
            t += &station("a");
            if two {
                t += &station("b");
            }
            t += &format!("[[arrivals]]\nid = \"walk_in\"\nkind = \"profile\"\npathway = \"p\"\nrates = [{{ from = \"08:00\", to = \"12:00\", rate = \"{rate}/h\" }}, {{ from = \"12:00\", to = \"15:30\", rate = \"{}/h\" }}]\n", rate / 2.0);
            t += "[[pathways]]\nid = \"p\"\n";
            t += &format!(
                "[[pathways.steps]]\nid = \"a\"\nstation = \"a\"\nnext = \"{}\"\n",
                if two { "b" } else { "exit" }
            );
            if two {
                t += "[[pathways.steps]]\nid = \"b\"\nstation = \"b\"\nnext = \"exit\"\n";
            }
            t
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_patient_is_accounted_for_on_any_calendar(text in calendar_scenario()) {
        let m = Model::from_toml(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let rule = m.calendar().unwrap().end_of_day;
        for rep in 0..m.replications() {
            let r = run_replication(&m, rep).unwrap();
            let p = r.patients;
            prop_assert_eq!(
                p.arrived,
                p.completed + p.balked + p.reneged + p.sent_home + p.unfinished,
                "{}", text
            );
            let sent: u64 = r.stations.iter().map(|s| s.sent_home).sum();
            prop_assert_eq!(sent, p.sent_home);
            match rule {
                // Overtime sends nobody home (it stops at midnight, so an overloaded last day
                // can leave patients waiting); sending home empties every queue.
                sim_core::scenario::EndOfDay::Overtime => prop_assert_eq!(p.sent_home, 0),
                sim_core::scenario::EndOfDay::SendHome => prop_assert_eq!(p.unfinished, 0, "{}", text),
                sim_core::scenario::EndOfDay::CarryOver => prop_assert_eq!(p.sent_home, 0),
            }
            // Nobody arrives on a closed day.
            for (d, day) in m.calendar().unwrap().days.iter().enumerate() {
                if !day.open {
                    let arrived: u32 = r.arrivals_by_hour.iter().skip(d * 24).take(24).sum();
                    prop_assert_eq!(arrived, 0, "{}", text);
                }
            }
        }
    }
}

#[test]
fn overtime_ends_at_midnight_so_early_patients_wait_for_the_first_shift() {
    // One desk 08:00-09:00 on two days; each day one patient at 07:00 and one at 08:55
    // (10-minute services, the second finishing in overtime at 09:05). The 07:00 patient of
    // the second day waits for 08:00, like the first day's: the first evening's overtime does
    // not run on into the next morning.
    let m = model(
        r#"[run]
open = "07:00"
close = "12:00"
replications = 1
[calendar]
days = 2
[[stations]]
id = "desk"
servers = [{ from = "08:00", to = "09:00", count = 1 }]
service = { dist = "deterministic", value = "10min" }
[[arrivals]]
id = "booked"
kind = "appointments"
sessions = [{ from = "07:00", to = "07:10" }, { from = "08:55", to = "09:05" }]
slot = "10min"
per_slot = 1
pathway = "p"
[[pathways]]
id = "p"
steps = [{ id = "desk", station = "desk", next = "exit" }]
"#,
    );
    let r = run_replication(&m, 0).unwrap();
    let desk = &r.stations[0];
    assert_eq!(desk.waits.count, 4);
    assert!((desk.waits.max - 60.0).abs() < 1e-9);
    assert!(
        (desk.waits.mean() - 30.0).abs() < 1e-9,
        "{}",
        desk.waits.mean()
    );
    // Overtime: 5 minutes each day (09:00-09:05).
    let overtime: Vec<f64> = desk.by_day.iter().map(|d| d.overtime).collect();
    assert_eq!(overtime.len(), 2);
    assert!(
        overtime.iter().all(|o| (o - 5.0).abs() < 1e-9),
        "{overtime:?}"
    );
}

/// One desk 16:00-`to` on two days and three patients booked at 10:00 each day (5-minute
/// services, `end_of_day` as given, `shift_end` as given).
fn late_desk(to: &str, end_of_day: &str, service: &str, shift_end: &str, sessions: &str) -> Model {
    model(&format!(
        r#"[run]
open = "08:00"
close = "24:00"
replications = 1
[calendar]
days = 2
end_of_day = "{end_of_day}"
[[stations]]
id = "desk"
servers = [{{ from = "16:00", to = "{to}", count = 1 }}]
service = {{ dist = "deterministic", value = "{service}" }}
shift_end = "{shift_end}"
[[arrivals]]
id = "b"
kind = "appointments"
sessions = [{sessions}]
slot = "10min"
per_slot = 1
pathway = "p"
[[pathways]]
id = "p"
steps = [{{ id = "desk", station = "desk", next = "exit" }}]
"#
    ))
}

#[test]
fn a_last_shift_ending_at_midnight_still_reopens_the_queue_for_the_next_day() {
    // Under send_home, the second day's 10:00 patients wait for the 16:00 shift (the day
    // that ended at 24:00 is over), as they would if the shift ended at 23:59.
    let at_midnight = late_desk(
        "24:00",
        "send_home",
        "5min",
        "finish",
        r#"{ from = "10:00", to = "10:30" }"#,
    );
    let r = run_replication(&at_midnight, 0).unwrap();
    assert_eq!((r.patients.completed, r.patients.sent_home), (6, 0));
    // Under overtime, a shift ending at 24:00 has no overtime: whoever still waits then (four
    // one-hour services booked 22:00-22:30) waits for the next day's shift.
    let overtime = late_desk(
        "24:00",
        "overtime",
        "60min",
        "finish",
        r#"{ from = "22:00", to = "22:40" }"#,
    );
    let r = run_replication(&overtime, 0).unwrap();
    assert!(r.stations[0].by_day.iter().all(|d| d.overtime == 0.0));
}

#[test]
fn services_stopped_at_the_end_of_the_day_are_sent_home_with_the_queue() {
    // 08:00-10:00 with 50-minute services and shift_end = "resume": the 09:40 patient's
    // service is stopped at 10:00 and, under send_home, goes home with the queue instead of
    // being kept overnight.
    let m = model(
        r#"[run]
open = "08:00"
close = "10:00"
replications = 1
[calendar]
days = 2
end_of_day = "send_home"
[[stations]]
id = "desk"
servers = [{ from = "08:00", to = "10:00", count = 1 }]
service = { dist = "deterministic", value = "50min" }
shift_end = "resume"
[[arrivals]]
id = "b"
kind = "appointments"
sessions = [{ from = "08:00", to = "08:30" }]
slot = "10min"
per_slot = 1
pathway = "p"
[[pathways]]
id = "p"
steps = [{ id = "desk", station = "desk", next = "exit" }]
"#,
    );
    let r = run_replication(&m, 0).unwrap();
    let sent: Vec<u32> = r.stations[0].by_day.iter().map(|d| d.sent_home).collect();
    assert_eq!(sent, [1, 1]);
    assert_eq!(r.patients.unfinished, 0);
    assert_eq!(r.patients.completed + r.patients.sent_home, 6);
}

#[test]
fn overtime_before_the_warm_up_ends_is_not_counted() {
    // desk_days's Monday overtime (48 minutes) lies inside a one-day warm-up.
    let text = r#"[run]
open = "08:00"
close = "12:00"
replications = 1
warm_up = "1d"
[calendar]
days = 3
first_day = "mon"
closed = ["tue"]
[[stations]]
id = "desk"
servers = [{ from = "08:00", to = "09:00", count = 1 }]
service = { dist = "deterministic", value = "9min" }
[[arrivals]]
id = "booked"
kind = "appointments"
sessions = [{ from = "08:00", to = "09:00" }]
slot = "10min"
per_slot = 2
pathway = "p"
[[pathways]]
id = "p"
steps = [{ id = "desk", station = "desk", next = "exit" }]
"#;
    let r = run_replication(&model(text), 0).unwrap();
    let overtime: Vec<f64> = r.stations[0].by_day.iter().map(|d| d.overtime).collect();
    assert_eq!(overtime[0], 0.0, "{overtime:?}");
    assert!((overtime[2] - 48.0).abs() < 1e-9, "{overtime:?}");
}

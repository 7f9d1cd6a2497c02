//! Appointments as clinics run them: a step that calls booked patients by their slot
//! (`order = "appointment"`) against first come first served, the lateness rule (`late`:
//! walk-in, end of session, rebook) and no-shows by weekday, on scenarios small enough to
//! work out by hand.

use sim_core::{Model, run_replication};

fn model(body: &str) -> Model {
    let text = format!("[scenario]\nname = \"t\"\n{body}");
    Model::from_toml(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// One desk from 09:00 with deterministic services; booked patients (class `booked`, slots
/// every 10 minutes from 09:00, two slots) with a fixed punctuality offset, and one walk-in
/// (class `walkin`) at `walk_in`.
fn clinic(order: &str, service: &str, punctuality: &str, late: &str, walk_in: &str) -> Model {
    model(&format!(
        r#"[run]
open = "08:00"
close = "12:00"
replications = 1
[[classes]]
id = "booked"
[[classes]]
id = "walkin"
[[stations]]
id = "desk"
servers = [{{ from = "09:00", to = "12:00", count = 1 }}]
service = {{ dist = "deterministic", value = "{service}" }}
[[arrivals]]
id = "booked"
class = "booked"
kind = "appointments"
sessions = [{{ from = "09:00", to = "09:20" }}]
slot = "10min"
per_slot = 1
punctuality = {{ dist = "deterministic", value = "{punctuality}" }}
{late}
pathway = "p"
[[arrivals]]
id = "walkin"
class = "walkin"
kind = "batch"
at = "{walk_in}"
count = 1
pathway = "p"
[[pathways]]
id = "p"
steps = [{{ id = "desk", station = "desk", next = "exit", order = "{order}" }}]
"#
    ))
}

/// The walk-in's time in the clinic.
fn walk_in_stay(m: &Model) -> f64 {
    let r = run_replication(m, 0).unwrap();
    assert_eq!(r.patients.completed, 3);
    r.classes[1].time_in_system.max
}

#[test]
fn appointment_order_calls_booked_patients_at_their_slot_not_on_arrival() {
    // Booked A (slot 09:00) comes at 08:30, B (09:10) at 08:40, the walk-in W at 08:35.
    // First come: A, W, B from 09:00, so W leaves at 09:20. By appointment, W (called at
    // 08:35, when it came) goes before A (09:00) and B (09:10): it leaves at 09:10.
    let first_come = clinic("arrival", "10min", "-30min", "", "08:35");
    let by_slot = clinic("appointment", "10min", "-30min", "", "08:35");
    assert!((walk_in_stay(&first_come) - 45.0).abs() < 1e-9);
    assert!((walk_in_stay(&by_slot) - 35.0).abs() < 1e-9);
}

#[test]
fn late_patients_are_seen_as_walk_ins_or_at_the_end_of_the_session() {
    // Every booked patient comes 20 minutes after the slot: A (09:00) at 09:20, B (09:10) at
    // 09:30; the walk-in W at 09:25; 12-minute services. A is served at once (09:20-09:32).
    // As a walk-in, B is called at 09:30, after W (09:25): W is served 09:32-09:44. At the end
    // of the session, B is called at 09:20, before W: W is served 09:44-09:56.
    let late = |then: &str| format!("late = {{ after = \"15min\", then = \"{then}\" }}");
    let walk_in = clinic("appointment", "12min", "20min", &late("walk_in"), "09:25");
    let end_of_session = clinic(
        "appointment",
        "12min",
        "20min",
        &late("end_of_session"),
        "09:25",
    );
    assert!((walk_in_stay(&walk_in) - 19.0).abs() < 1e-9);
    assert!((walk_in_stay(&end_of_session) - 31.0).abs() < 1e-9);
    // Without the rule, B keeps its slot (09:10) and is called before W too.
    let on_slot = clinic("appointment", "12min", "20min", "", "09:25");
    assert!((walk_in_stay(&on_slot) - 31.0).abs() < 1e-9);
}

#[test]
fn patients_too_late_to_be_seen_are_rebooked_not_counted_as_arrivals() {
    let m = clinic(
        "arrival",
        "12min",
        "20min",
        "late = { after = \"15min\", then = \"rebook\" }",
        "09:25",
    );
    let r = run_replication(&m, 0).unwrap();
    assert_eq!(r.patients.rebooked, 2);
    assert_eq!(r.classes[0].patients.rebooked, 2);
    assert_eq!(r.patients.arrived, 1, "only the walk-in");
    assert_eq!(r.patients.completed, 1);
    // A limit above the lateness: nobody is rebooked.
    let m = clinic(
        "arrival",
        "12min",
        "20min",
        "late = { after = \"25min\", then = \"rebook\" }",
        "09:25",
    );
    assert_eq!(run_replication(&m, 0).unwrap().patients.rebooked, 0);
}

#[test]
fn no_shows_follow_the_weekday_unless_the_class_has_its_own() {
    let m = model(
        r#"[run]
open = "08:00"
close = "12:00"
replications = 1
[calendar]
days = 3
first_day = "mon"
[[classes]]
id = "adult"
share = 0.5
[[classes]]
id = "child"
share = 0.5
[[stations]]
id = "desk"
servers = 20
service = { dist = "deterministic", value = "1min" }
[[arrivals]]
id = "booked"
kind = "appointments"
sessions = [{ from = "09:00", to = "10:00" }]
slot = "1min"
per_slot = 4
no_show = 0.0
no_show_by_weekday = { mon = 1.0, wed = 1.0 }
no_show_by_class = { child = 0.0 }
pathway = "p"
[[pathways]]
id = "p"
steps = [{ id = "desk", station = "desk", next = "exit" }]
"#,
    );
    let r = run_replication(&m, 0).unwrap();
    // 240 booked a day. Monday and Wednesday: every adult stays away, every child comes;
    // Tuesday: everybody comes.
    let day = |d: usize| -> u32 { r.arrivals_by_hour.iter().skip(d * 24).take(24).sum() };
    let adults_away = r.classes[0].patients.no_shows;
    assert_eq!(r.classes[1].patients.no_shows, 0);
    assert_eq!(day(1), 240);
    // Every Monday and Wednesday patient is an adult who stays away or a child who comes
    // (about half each: the class is drawn per patient).
    assert!((150..330).contains(&adults_away), "{adults_away}");
    assert_eq!(adults_away + u64::from(day(0) + day(2)), 480);
}

//! Engine semantics on small deterministic scenarios: shifts and overtime, lunch breaks,
//! priorities, balking, reneging, appointments, the statistics window. Each scenario is small
//! enough that the right answer can be worked out by hand.

use sim_core::{Model, ScenarioError, run_replication};

fn model(body: &str) -> Model {
    let text = format!("[scenario]\nname = \"t\"\n{body}");
    Model::from_toml(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn problems(body: &str) -> String {
    let text = format!("[scenario]\nname = \"t\"\n{body}");
    match Model::from_toml(&text) {
        Err(e @ ScenarioError::Invalid(_)) => e.to_string(),
        other => panic!("expected problems, got {other:?}"),
    }
}

const ONE_STEP: &str =
    "[[pathways]]\nid = \"p\"\nsteps = [{ id = \"desk\", station = \"desk\", next = \"exit\" }]\n";

#[test]
fn utilisation_counts_from_opening_not_midnight() {
    // One server, deterministic 3-minute service, 3 patients at 08:00, 08:10, 08:20 (batches):
    // busy 9 minutes between 08:00 and the last departure at 08:23.
    let m = model(&format!(
        "[run]\nopen = \"08:00\"\nclose = \"09:00\"\nreplications = 1\n\
         [[stations]]\nid = \"desk\"\nservers = 1\nservice = {{ dist = \"deterministic\", value = \"3min\" }}\n\
         [[arrivals]]\nid = \"a\"\nkind = \"batch\"\nat = \"08:00\"\ncount = 1\npathway = \"p\"\n\
         [[arrivals]]\nid = \"b\"\nkind = \"batch\"\nat = \"08:10\"\ncount = 1\npathway = \"p\"\n\
         [[arrivals]]\nid = \"c\"\nkind = \"batch\"\nat = \"08:20\"\ncount = 1\npathway = \"p\"\n{ONE_STEP}"
    ));
    let r = run_replication(&m, 0).unwrap();
    let s = &r.stations[0];
    assert_eq!(r.end_time, 8.0 * 60.0 + 23.0);
    assert!((s.busy_area - 9.0).abs() < 1e-9);
    assert!(
        (s.busy_area / s.capacity_area - 9.0 / 23.0).abs() < 1e-9,
        "{}",
        s.busy_area / s.capacity_area
    );
}

#[test]
fn a_server_finishes_past_the_shift_end_and_lunch_is_not_overtime() {
    // Shift 08:00–08:05 and 08:30–09:00. Three patients at 08:00, 10-minute services.
    // First served 08:00–08:10 (past the shift end); nobody else starts until 08:30;
    // second 08:30–08:40, third 08:40–08:50.
    let m = model(&format!(
        "[run]\nopen = \"08:00\"\nclose = \"08:01\"\nreplications = 1\n\
         [[stations]]\nid = \"desk\"\nservers = [{{ from = \"08:00\", to = \"08:05\", count = 1 }}, {{ from = \"08:30\", to = \"09:00\", count = 1 }}]\n\
         service = {{ dist = \"deterministic\", value = \"10min\" }}\n\
         [[arrivals]]\nid = \"a\"\nkind = \"batch\"\nat = \"08:00\"\ncount = 3\npathway = \"p\"\n{ONE_STEP}"
    ));
    let r = run_replication(&m, 0).unwrap();
    assert_eq!(r.end_time, 8.0 * 60.0 + 50.0);
    assert_eq!(r.stations[0].waits.max, 40.0);
    // Available time: 08:00–08:10 (on shift, then busy past it) + 08:30–09:00 (the second shift
    // in full: staff stay until 09:00 although the clinic empties at 08:50) = 40 minutes.
    assert!(
        (r.stations[0].capacity_area - 40.0).abs() < 1e-9,
        "{}",
        r.stations[0].capacity_area
    );
}

#[test]
fn overtime_after_the_last_shift_drains_the_queue() {
    let body = |overtime: bool| {
        format!(
            "[run]\nopen = \"08:00\"\nclose = \"08:01\"\nhard_stop = \"23:00\"\nreplications = 1\n\
             [[stations]]\nid = \"desk\"\nservers = [{{ from = \"08:00\", to = \"08:15\", count = 2 }}]\novertime = {overtime}\n\
             service = {{ dist = \"deterministic\", value = \"10min\" }}\n\
             [[arrivals]]\nid = \"a\"\nkind = \"batch\"\nat = \"08:00\"\ncount = 5\npathway = \"p\"\n{ONE_STEP}"
        )
    };
    let with = run_replication(&model(&body(true)), 0).unwrap();
    assert_eq!(with.patients.completed, 5);
    assert_eq!(with.end_time, 8.0 * 60.0 + 30.0); // 2 servers: 08:10, 08:20, 08:30
    let without = run_replication(&model(&body(false)), 0).unwrap();
    assert_eq!(without.patients.completed, 4); // two at 08:10, two more finish at 08:20
    assert_eq!(without.patients.unfinished, 1);
    assert_eq!(without.end_time, 23.0 * 60.0);
}

#[test]
fn priority_serves_higher_classes_first_even_with_many_levels() {
    // 300 classes with distinct priorities (more than fit in a byte). One server busy from
    // 08:00 for 10 minutes; a priority-0 patient at 08:01, a priority-1 patient at 08:02:
    // the priority-1 patient must be served first.
    let mut body = String::from("[run]\nopen = \"08:00\"\nclose = \"09:00\"\nreplications = 1\n");
    for c in 0..300 {
        body += &format!("[[classes]]\nid = \"c{c}\"\npriority = {c}\n");
    }
    body += "[[stations]]\nid = \"desk\"\nservers = 1\ndiscipline = \"priority\"\nservice = { dist = \"deterministic\", value = \"10min\" }\n";
    for (id, at, class) in [
        ("first", "08:00", "c0"),
        ("low", "08:01", "c0"),
        ("high", "08:02", "c1"),
    ] {
        body += &format!(
            "[[arrivals]]\nid = \"{id}\"\nkind = \"batch\"\nat = \"{at}\"\ncount = 1\nclass = \"{class}\"\npathway = \"p\"\n"
        );
    }
    body += ONE_STEP;
    let r = run_replication(&model(&body), 0).unwrap();
    // high: arrives 08:02, served 08:10–08:20 (18 min in system); low: 08:01, served 08:20–08:30 (29).
    assert_eq!(r.classes[1].time_in_system.max, 18.0);
    assert_eq!(r.classes[0].time_in_system.max, 29.0);
}

#[test]
fn full_queues_balk_and_impatient_patients_renege() {
    // One server, 10-minute services, capacity 2, patience exactly 15 minutes; 5 at 08:00.
    // Patient 1 served at once; 2 and 3 wait; 4 and 5 balk. Patient 2 starts at 08:10 (waited
    // 10 < 15); patient 3 would start at 08:20 but reneges at 08:15.
    let m = model(&format!(
        "[run]\nopen = \"08:00\"\nclose = \"08:01\"\nreplications = 1\n\
         [[stations]]\nid = \"desk\"\nservers = 1\ncapacity = 2\npatience = {{ dist = \"deterministic\", value = \"15min\" }}\n\
         service = {{ dist = \"deterministic\", value = \"10min\" }}\n\
         [[arrivals]]\nid = \"a\"\nkind = \"batch\"\nat = \"08:00\"\ncount = 5\npathway = \"p\"\n{ONE_STEP}"
    ));
    let r = run_replication(&m, 0).unwrap();
    assert_eq!(
        (r.patients.completed, r.patients.balked, r.patients.reneged),
        (2, 2, 1)
    );
    assert_eq!(r.stations[0].balks, 2);
    assert_eq!(r.stations[0].reneges, 1);
    assert_eq!(r.end_time, 8.0 * 60.0 + 20.0);
}

#[test]
fn appointments_no_shows_and_punctuality() {
    // 200 slots of 1 patient, no-show 0.25; arrivals 5 minutes early exactly.
    let m = model(&format!(
        "[run]\nopen = \"08:00\"\nclose = \"20:00\"\nreplications = 1\n\
         [[stations]]\nid = \"desk\"\nservers = 5\nservice = {{ dist = \"deterministic\", value = \"1min\" }}\n\
         [[arrivals]]\nid = \"booked\"\nkind = \"appointments\"\nsessions = [{{ from = \"08:00\", to = \"11:20\" }}]\n\
         slot = \"1min\"\nper_slot = 1\nno_show = 0.25\npunctuality = {{ dist = \"deterministic\", value = \"-5min\" }}\npathway = \"p\"\n{ONE_STEP}"
    ));
    let r = run_replication(&m, 0).unwrap();
    assert_eq!(r.patients.arrived + r.patients.no_shows, 200);
    // Binomial(200, 0.25): mean 50, sd 6.1; a 4-sd band.
    assert!(
        (25..=75).contains(&r.patients.no_shows),
        "{}",
        r.patients.no_shows
    );
    // The last slot is 11:19, so the last patient to come arrives by 11:14 and leaves by 11:15.
    assert!(r.end_time <= 11.0 * 60.0 + 15.0 + 1e-9, "{}", r.end_time);
    assert_eq!(r.stations[0].waits.max, 0.0);
}

#[test]
fn closing_time_bounds_sessions_and_batches() {
    let p = problems(&format!(
        "[run]\nopen = \"08:00\"\nclose = \"09:00\"\n\
         [[stations]]\nid = \"desk\"\nservers = 1\nservice = {{ dist = \"exponential\", mean = \"1min\" }}\n\
         [[arrivals]]\nid = \"booked\"\nkind = \"appointments\"\nsessions = [{{ from = \"08:00\", to = \"10:00\" }}]\nslot = \"10min\"\nper_slot = 1\npathway = \"p\"\n\
         [[arrivals]]\nid = \"late\"\nkind = \"batch\"\nat = \"09:30\"\ncount = 3\npathway = \"p\"\n{ONE_STEP}"
    ));
    assert!(p.contains("arrivals.booked.sessions[0]: the session ends at 10:00, after the clinic closes at 09:00"), "{p}");
    assert!(
        p.contains("arrivals.late.at: the batch arrives at 09:30"),
        "{p}"
    );
}

#[test]
fn arrival_keys_that_do_not_apply_are_named() {
    let p = problems(&format!(
        "[run]\nclose = \"09:00\"\n\
         [[stations]]\nid = \"desk\"\nservers = 1\nservice = {{ dist = \"exponential\", mean = \"1min\" }}\n\
         [[arrivals]]\nid = \"w\"\nkind = \"poisson\"\nrate = \"1/min\"\ncount = 4\npathway = \"p\"\n\
         [[arrivals]]\nid = \"b\"\nkind = \"batch\"\npathway = \"p\"\n{ONE_STEP}"
    ));
    assert!(
        p.contains("arrivals.w.count: `count` does not apply to kind = \"poisson\""),
        "{p}"
    );
    assert!(
        p.contains("arrivals.b.at: kind = \"batch\" needs `at`"),
        "{p}"
    );
}

#[test]
fn idle_staff_until_the_end_of_their_shift_count_as_available() {
    // One 10-minute patient, one server on shift 08:00–12:00: utilisation 10 / 240.
    let m = model(&format!(
        "[run]\nopen = \"08:00\"\nclose = \"08:01\"\nreplications = 1\n\
         [[stations]]\nid = \"desk\"\nservers = [{{ from = \"08:00\", to = \"12:00\", count = 1 }}]\n\
         service = {{ dist = \"deterministic\", value = \"10min\" }}\n\
         [[arrivals]]\nid = \"a\"\nkind = \"batch\"\nat = \"08:00\"\ncount = 1\npathway = \"p\"\n{ONE_STEP}"
    ));
    let r = run_replication(&m, 0).unwrap();
    assert_eq!(r.end_time, 8.0 * 60.0 + 10.0);
    let s = &r.stations[0];
    assert!(
        (s.busy_area / s.capacity_area - 10.0 / 240.0).abs() < 1e-12,
        "{}",
        s.busy_area / s.capacity_area
    );
}

#[test]
fn loops_that_almost_never_exit_are_rejected() {
    let p = problems(
        "[run]\nclose = \"10:00\"\n\
         [[stations]]\nid = \"desk\"\nservers = 1\nservice = { dist = \"exponential\", mean = \"1min\" }\n\
         [[arrivals]]\nid = \"a\"\nkind = \"poisson\"\nrate = \"1/h\"\npathway = \"p\"\n\
         [[pathways]]\nid = \"p\"\n\
         [[pathways.steps]]\nid = \"desk\"\nstation = \"desk\"\nnext = \"again\"\n\
         [[pathways.steps]]\nid = \"again\"\ndelay = { dist = \"deterministic\", value = \"0min\" }\n\
         branches = [{ to = \"again\", p = 0.99999999 }, { to = \"exit\", p = 0.00000001 }]\n",
    );
    assert!(
        p.contains("pathways.p: a patient of class \"patient\" would pass through about"),
        "{p}"
    );
    assert!(p.contains("the limit is 10000"), "{p}");
}

#[test]
fn utilisation_by_interval_and_time_in_system_distribution() {
    // One server on shift 08:00–12:00, one 10-minute patient at 08:00 and one at 08:20,
    // samples every 15 minutes from 08:00: busy 10 of the first 15 minutes, then 10 of the
    // next 15 (08:20–08:30), then idle.
    let m = model(&format!(
        "[run]\nopen = \"08:00\"\nclose = \"08:30\"\nreplications = 1\nsample_interval = \"15min\"\n\
         [[stations]]\nid = \"desk\"\nservers = [{{ from = \"08:00\", to = \"12:00\", count = 1 }}]\n\
         service = {{ dist = \"deterministic\", value = \"10min\" }}\n\
         [[arrivals]]\nid = \"a\"\nkind = \"batch\"\nat = \"08:00\"\ncount = 1\npathway = \"p\"\n\
         [[arrivals]]\nid = \"b\"\nkind = \"batch\"\nat = \"08:20\"\ncount = 1\npathway = \"p\"\n{ONE_STEP}"
    ));
    let r = vec![run_replication(&m, 0).unwrap()];
    let series = sim_core::summary::Accumulator::from_results(&m, &r).queue_series(&m);
    let u = &series.utilisation["desk"].mean;
    assert!((u[0] - 10.0 / 15.0).abs() < 1e-12, "{u:?}");
    assert!((u[1] - 10.0 / 15.0).abs() < 1e-12, "{u:?}");
    assert_eq!(
        u.len(),
        2,
        "the run ends at 08:30, when the clinic is empty: {u:?}"
    );
    let s = sim_core::summary::Accumulator::from_results(&m, &r).summary(&m);
    let d = &s.time_in_system_distribution;
    assert_eq!(d.len(), 101);
    assert_eq!(d[0][0], 0.0);
    assert!((d[50][1] - 10.0).abs() < 0.1, "{:?}", d[50]);
}

/// Utilisation is over the clinic's open hours, and time averages start with the first
/// patient: how early a booked patient *may* come (the punctuality lower bound, which moves the
/// statistics window) must not change them when it changes no wait. (With the window at midnight, constant servers used to count as staffed
/// from midnight: 76% fell to 29%.)
#[test]
fn utilisation_does_not_depend_on_how_early_a_booked_patient_may_arrive() {
    let text = |min: &str| {
        format!(
            r#"
[scenario]
name = "punctuality window"
[run]
open = "08:00"
replications = 4
seed = 3
[[stations]]
id = "desk"
servers = 2
service = {{ dist = "exponential", mean = "8min" }}
[[arrivals]]
id = "booked"
kind = "appointments"
sessions = [{{ from = "08:00", to = "12:00" }}]
slot = "10min"
per_slot = 2
punctuality = {{ dist = "normal", mean = "-5min", sd = "5min", min = "{min}" }}
pathway = "visit"
[[pathways]]
id = "visit"
steps = [{{ id = "desk", station = "desk", next = "exit" }}]
"#
        )
    };
    let summary = |min: &str| {
        let m = Model::from_toml(&text(min)).unwrap();
        let r: Vec<_> = (0..m.replications())
            .map(|i| run_replication(&m, i).unwrap())
            .collect();
        (
            m.stats_start(),
            sim_core::summary::Accumulator::from_results(&m, &r).summary(&m),
        )
    };
    let (start_30, near) = summary("-30min");
    let (start_1440, far) = summary("-1440min");
    assert!(start_1440 < start_30, "the window opens earlier");
    let (a, b) = (&near.stations["desk"], &far.stations["desk"]);
    assert_eq!(a.wait_min.mean, b.wait_min.mean, "no wait changes");
    assert!(
        (a.utilization.mean - b.utilization.mean).abs() < 1e-9,
        "{} vs {}",
        a.utilization.mean,
        b.utilization.mean
    );
    assert!(a.utilization.mean > 0.5, "{}", a.utilization.mean);
    // Time averages start at the first patient when the window opens before the clinic
    // does (0.46 against 0.18 waiting on average before).
    assert!(
        (a.queue_length.mean - b.queue_length.mean).abs() < 1e-9,
        "{} vs {}",
        a.queue_length.mean,
        b.queue_length.mean
    );
    assert!((near.run.in_system.mean - far.run.in_system.mean).abs() < 1e-9);
}

#[test]
fn patients_who_do_not_leave_never_balk_or_renege() {
    // One server, 10-minute services, 4 routine and 4 urgent patients at 08:00 (urgent first
    // in the batch order below). Balking [0, 1]: someone who finds nobody waiting joins, anyone
    // finding a queue balks, unless their class does not leave. Patience 5 min for routine only.
    let m = model(&format!(
        "[run]\nopen = \"08:00\"\nclose = \"08:01\"\nreplications = 1\n\
         [[classes]]\nid = \"routine\"\nshare = 0.5\n\
         [[classes]]\nid = \"urgent\"\nshare = 0.5\nleaves = false\n\
         [[stations]]\nid = \"desk\"\nservers = 1\nbalking = [0.0, 1.0]\n\
         patience = {{ dist = \"deterministic\", value = \"5min\" }}\n\
         service = {{ dist = \"deterministic\", value = \"10min\" }}\n\
         [[arrivals]]\nid = \"u\"\nkind = \"batch\"\nat = \"08:00\"\ncount = 4\nclass = \"urgent\"\npathway = \"p\"\n\
         [[arrivals]]\nid = \"r\"\nkind = \"batch\"\nat = \"08:00\"\ncount = 4\nclass = \"routine\"\npathway = \"p\"\n{ONE_STEP}"
    ));
    let r = run_replication(&m, 0).unwrap();
    let (routine, urgent) = (&r.classes[0].patients, &r.classes[1].patients);
    // Every urgent patient is served (one at once, three queue and wait 10, 20, 30 min).
    assert_eq!((urgent.completed, urgent.balked, urgent.reneged), (4, 0, 0));
    // Routine patients arrive to a queue of three: all balk.
    assert_eq!(
        (routine.completed, routine.balked, routine.reneged),
        (0, 4, 0)
    );
    assert_eq!(r.end_time, 8.0 * 60.0 + 40.0);
}

#[test]
fn patience_by_class_replaces_the_stations_patience() {
    // One server busy for 30 minutes with the first patient; then a routine and an urgent
    // patient wait. Routine patience 15 min (the station's), urgent "none": only routine
    // reneges, at 08:15.
    let m = model(&format!(
        "[run]\nopen = \"08:00\"\nclose = \"08:01\"\nreplications = 1\n\
         [[classes]]\nid = \"routine\"\nshare = 0.5\n\
         [[classes]]\nid = \"urgent\"\nshare = 0.5\n\
         [[stations]]\nid = \"desk\"\nservers = 1\n\
         patience = {{ dist = \"deterministic\", value = \"15min\" }}\n\
         patience_by_class = {{ urgent = \"none\" }}\n\
         service = {{ dist = \"deterministic\", value = \"30min\" }}\n\
         [[arrivals]]\nid = \"first\"\nkind = \"batch\"\nat = \"08:00\"\ncount = 1\nclass = \"routine\"\npathway = \"p\"\n\
         [[arrivals]]\nid = \"r\"\nkind = \"batch\"\nat = \"08:00\"\ncount = 1\nclass = \"routine\"\npathway = \"p\"\n\
         [[arrivals]]\nid = \"u\"\nkind = \"batch\"\nat = \"08:00\"\ncount = 1\nclass = \"urgent\"\npathway = \"p\"\n{ONE_STEP}"
    ));
    let r = run_replication(&m, 0).unwrap();
    assert_eq!(r.classes[0].patients.reneged, 1);
    assert_eq!(r.classes[1].patients.reneged, 0);
    assert_eq!(r.classes[1].patients.completed, 1);
    assert_eq!(r.end_time, 8.0 * 60.0 + 60.0);
}

#[test]
fn leaving_settings_are_checked_where_they_are_written() {
    let base = "[run]\nclose = \"12:00\"\n[[classes]]\nid = \"a\"\nshare = 1.0\nleaves = false\n\
                [[stations]]\nid = \"desk\"\nservers = 1\nservice = { dist = \"exponential\", mean = \"3min\" }\n";
    let tail = "[[arrivals]]\nid = \"w\"\nkind = \"poisson\"\nrate = \"10/h\"\npathway = \"p\"\n";
    for (extra, says) in [
        (
            "balking = []\n",
            "stations.desk.balking: give at least one probability",
        ),
        (
            "balking = [0.1, 1.5]\n",
            "stations.desk.balking[1]: a probability must be between 0 and 1",
        ),
        (
            "patience_by_class = { b = { dist = \"exponential\", mean = \"5min\" } }\n",
            "stations.desk.patience_by_class.b: no class is called \"b\"",
        ),
        (
            "patience_by_class = { a = { dist = \"exponential\", mean = \"5min\" } }\n",
            "class \"a\" has `leaves = false`",
        ),
        (
            "balking_by_class = { b = [0.5] }\n",
            "stations.desk.balking_by_class.b: no class is called \"b\" (classes: a)",
        ),
        (
            "balking_by_class = { a = [0.5] }\n",
            "class \"a\" has `leaves = false`, so it never balks by choice",
        ),
        (
            format!("balking = [{}]\n", vec!["0.5"; 10_001].join(", ")).leak(),
            "stations.desk.balking: at most 10000 entries (got 10001)",
        ),
    ] {
        let text = base.replace("servers = 1\n", &format!("servers = 1\n{extra}"));
        let got = problems(&format!("{text}{tail}{ONE_STEP}"));
        assert!(got.contains(says), "{extra}: {got}");
    }
}

/// The outpatient clinic with variants that change its pathway.
fn clinic_with_pathway_variants() -> String {
    format!(
        "{}\n[[variants]]\nid = \"as_is\"\n\
         [[variants]]\nid = \"fast_lab\"\n\
         pathways = [{{ id = \"visit\", steps = [{{ id = \"lab_turnaround\", delay = {{ dist = \"uniform\", min = \"5min\", max = \"10min\" }} }}] }}]\n\
         [[variants]]\nid = \"no_second_visit\"\n\
         pathways = [{{ id = \"visit\", steps = [{{ id = \"lab_turnaround\", next = \"pay\" }}, {{ id = \"revisit\", remove = true }}] }}]\n\
         [[variants]]\nid = \"triage_first\"\n\
         pathways = [{{ id = \"visit\", steps = [{{ id = \"register\", next = \"triage\" }}, {{ id = \"triage\", delay = {{ dist = \"deterministic\", value = \"2min\" }}, next = \"consult\" }}] }}]\n",
        include_str!("../../scenarios/outpatient-clinic.toml")
    )
}

#[test]
fn variants_change_pathways_and_keep_their_draws_paired() {
    let text = clinic_with_pathway_variants();
    let run = |v: &str| {
        let m = Model::from_toml_variant(&text, Some(v)).unwrap_or_else(|e| panic!("{v}: {e}"));
        let ix = |id: &str| m.stations().iter().position(|s| s.id == id).unwrap();
        let (reg, consult, lab) = (ix("registration"), ix("consult"), ix("lab"));
        (0..3)
            .map(|r| {
                let out = run_replication(&m, r).unwrap();
                (
                    out.stations[reg].waits.clone(),
                    out.stations[reg].visits,
                    out.stations[consult].visits,
                    out.stations[lab].visits,
                    out.time_in_system.mean(),
                    out.delay_sum,
                    out.patients.completed,
                )
            })
            .collect::<Vec<_>>()
    };
    let base = run("as_is");
    let fast = run("fast_lab");
    let skip = run("no_second_visit");
    let triage = run("triage_first");
    for r in 0..3 {
        // Registration comes before any change: its waits are the same bit for bit, and the
        // lab sees the same patients (the consult's branch draws are keyed by step name).
        assert_eq!(base[r].0, fast[r].0);
        assert_eq!(base[r].0, skip[r].0);
        assert_eq!(base[r].3, fast[r].3);
        assert_eq!(base[r].3, skip[r].3);
        // A shorter lab turnaround shortens the visit.
        assert!(fast[r].4 < base[r].4, "{} vs {}", fast[r].4, base[r].4);
        // Without the second visit the doctors see each patient once.
        assert_eq!(skip[r].2, skip[r].1);
        assert_eq!(base[r].2, base[r].1 + base[r].3);
        // An added delay step after registration: two more minutes in delays for every patient.
        assert_eq!(base[r].0, triage[r].0);
        let added = triage[r].5 - base[r].5;
        assert!(
            (added - 2.0 * triage[r].6 as f64).abs() < 1e-6 * added,
            "{added} for {} patients",
            triage[r].6
        );
    }
}

#[test]
fn pathway_overlays_are_checked_where_they_are_written() {
    let base = include_str!("../../scenarios/outpatient-clinic.toml");
    for (overlay, says) in [
        (
            "pathways = [{ id = \"vist\", steps = [] }]",
            "variants.v.pathways.vist: the base scenario has no pathway called \"vist\"",
        ),
        (
            "pathways = [{ id = \"visit\", steps = [{ id = \"xray\", remove = true }] }]",
            "variants.v.pathways.visit.steps.xray: the base pathway \"visit\" has no step called \"xray\" to remove",
        ),
        (
            "pathways = [{ id = \"visit\", steps = [{ id = \"lab\", remove = true }] }]",
            "pathways.visit.steps.consult.branches: branch target \"lab\" is not a step",
        ),
        (
            "pathways = [{ id = \"visit\", steps = [{ next = \"pay\" }] }]",
            "every step overlay needs the `id`",
        ),
        (
            "pathways = [{ id = \"visit\", steps = [{ id = \"lab\", remove = true, next = \"pay\" }] }]",
            "variants.v.pathways.visit.steps.lab: a step that is removed takes no other keys",
        ),
        (
            "pathways = [{ id = \"visit\", steps = [{ id = \"lab\", remove = \"yes\" }] }]",
            "variants.v.pathways.visit.steps.lab.remove: `remove` is true or false",
        ),
        (
            "pathways = [{ id = \"visit\", steps = \"lab\" }]",
            "variants.v.pathways.visit.steps: must be a list of step tables",
        ),
    ] {
        let text = format!("{base}\n[[variants]]\nid = \"v\"\n{overlay}\n");
        let e = Model::from_toml_variant(&text, Some("v"))
            .unwrap_err()
            .to_string();
        assert!(e.contains(says), "{overlay}: {e}");
    }
}

#[test]
fn balking_by_class_replaces_the_stations_list() {
    // As `patients_who_do_not_leave_never_balk_or_renege`, but the urgent class is exempt
    // from balking at this station only (`[]`), and routine patients balk at one waiting.
    let m = model(&format!(
        "[run]\nopen = \"08:00\"\nclose = \"08:01\"\nreplications = 1\n\
         [[classes]]\nid = \"routine\"\nshare = 0.5\n\
         [[classes]]\nid = \"urgent\"\nshare = 0.5\n\
         [[stations]]\nid = \"desk\"\nservers = 1\nbalking = [0.0, 1.0]\nbalking_by_class = {{ urgent = [] }}\n\
         service = {{ dist = \"deterministic\", value = \"10min\" }}\n\
         [[arrivals]]\nid = \"u\"\nkind = \"batch\"\nat = \"08:00\"\ncount = 4\nclass = \"urgent\"\npathway = \"p\"\n\
         [[arrivals]]\nid = \"r\"\nkind = \"batch\"\nat = \"08:00\"\ncount = 4\nclass = \"routine\"\npathway = \"p\"\n{ONE_STEP}"
    ));
    let r = run_replication(&m, 0).unwrap();
    assert_eq!(r.classes[1].patients.completed, 4);
    assert_eq!(r.classes[0].patients.balked, 4);
    let e = problems(&format!(
        "[run]\nclose = \"12:00\"\n[[stations]]\nid = \"desk\"\nservers = 1\nbalking_by_class = {{ patient = [2.0] }}\n\
         service = {{ dist = \"exponential\", mean = \"3min\" }}\n\
         [[arrivals]]\nid = \"w\"\nkind = \"poisson\"\nrate = \"10/h\"\npathway = \"p\"\n{ONE_STEP}"
    ));
    assert!(
        e.contains(
            "stations.desk.balking_by_class.patient[0]: a probability must be between 0 and 1"
        ),
        "{e}"
    );
}

#[test]
fn patience_by_class_is_none_or_a_distribution() {
    let text = "[scenario]\nname = \"t\"\n[run]\nclose = \"12:00\"\n\
                [[stations]]\nid = \"desk\"\nservers = 1\npatience_by_class = { patient = \"never\" }\n\
                service = { dist = \"exponential\", mean = \"3min\" }\n\
                [[arrivals]]\nid = \"w\"\nkind = \"poisson\"\nrate = \"10/h\"\npathway = \"p\"\n";
    let e = Model::from_toml(&format!("{text}{ONE_STEP}"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("patience is \"none\" or a distribution table (got \"never\")"),
        "{e}"
    );
}

/// By-hour results, worked by hand: one server, 40-minute services, three patients at 08:50.
/// The first is served at once; the second waits 08:50–09:30 (10 min in hour 8, 30 in hour 9);
/// the third reneges at 09:40 after 50 minutes (10 in hour 8, 40 in hour 9). Hour 8 has the
/// three arrivals; the waits that began there are the second's 40 minutes (the first's zero
/// wait also began there), and the renege is waiting but not a served wait.
#[test]
fn by_hour_results_split_waits_at_the_hour() {
    let m = model(&format!(
        "[run]\nopen = \"08:00\"\nclose = \"09:00\"\nreplications = 1\nsample_interval = \"15min\"\n\
         [[stations]]\nid = \"desk\"\nservers = 1\npatience = {{ dist = \"deterministic\", value = \"50min\" }}\n\
         service = {{ dist = \"deterministic\", value = \"40min\" }}\n\
         [[arrivals]]\nid = \"a\"\nkind = \"batch\"\nat = \"08:50\"\ncount = 3\npathway = \"p\"\n{ONE_STEP}"
    ));
    let r = run_replication(&m, 0).unwrap();
    assert_eq!(r.arrivals_by_hour[8], 3);
    let h = &r.stations[0].by_hour;
    assert_eq!((h[8].waiting, h[9].waiting), (20.0, 70.0));
    assert_eq!((h[8].started, h[8].started_sum), (2, 40.0));
    let mut study = sim_core::Study::new(&m);
    study.run().unwrap();
    let s = study.summary();
    let hours: Vec<(&str, Option<&str>)> = s
        .by_hour
        .iter()
        .map(|h| (h.clock.as_str(), h.bottleneck.as_deref()))
        .collect();
    assert_eq!(hours, [("08:00", Some("desk")), ("09:00", Some("desk"))]);
    assert_eq!(s.by_hour[0].queue_length["desk"], 20.0 / 60.0);
    assert_eq!(s.by_hour[0].wait_min["desk"], Some(20.0));
}

/// The hours add up to the day: arrivals per hour sum to the arrivals, and the minutes
/// waited per hour to the queue-length integral, in a random clinic that empties by itself.
#[test]
fn by_hour_results_add_up_to_the_day() {
    let m = model(&format!(
        "[run]\nopen = \"08:00\"\nclose = \"12:00\"\nreplications = 3\nsample_interval = \"10min\"\n\
         [[stations]]\nid = \"desk\"\nservers = 2\nservice = {{ dist = \"exponential\", mean = \"7min\" }}\n\
         [[arrivals]]\nid = \"a\"\nkind = \"poisson\"\nrate = \"16/h\"\npathway = \"p\"\n{ONE_STEP}"
    ));
    for rep in 0..3 {
        let r = run_replication(&m, rep).unwrap();
        let arrivals: u64 = r.arrivals_by_hour.iter().map(|a| u64::from(*a)).sum();
        assert_eq!(arrivals, r.patients.arrived);
        let waited: f64 = r.stations[0].by_hour.iter().map(|h| h.waiting).sum();
        assert!((waited - r.stations[0].queue_area).abs() < 1e-9 * waited.max(1.0));
    }
}

/// `no_show_by_class`: children never come, adults always do (the stream's `no_show` is 0),
/// so the no-shows are exactly the children booked; the same scenario without the table has
/// the same patients (the class is found from the patient's key before the no-show draw).
#[test]
fn no_shows_by_class() {
    let text = |extra: &str| {
        format!(
            "[run]\nopen = \"08:00\"\nclose = \"20:00\"\nreplications = 1\n\
             [[classes]]\nid = \"adult\"\nshare = 0.7\n[[classes]]\nid = \"child\"\nshare = 0.3\n\
             [[stations]]\nid = \"desk\"\nservers = 5\nservice = {{ dist = \"deterministic\", value = \"1min\" }}\n\
             [[arrivals]]\nid = \"booked\"\nkind = \"appointments\"\nsessions = [{{ from = \"08:00\", to = \"11:20\" }}]\n\
             slot = \"1min\"\nper_slot = 1\n{extra}pathway = \"p\"\n{ONE_STEP}"
        )
    };
    let r = run_replication(&model(&text("no_show_by_class = { child = 1.0 }\n")), 0).unwrap();
    let base = run_replication(&model(&text("")), 0).unwrap();
    assert_eq!(
        r.classes[1].patients.no_shows,
        base.classes[1].patients.arrived
    );
    assert_eq!(r.classes[1].patients.arrived, 0);
    assert_eq!(
        r.classes[0].patients.arrived,
        base.classes[0].patients.arrived
    );
    assert_eq!(r.classes[0].patients.no_shows, 0);
    assert!(base.classes[1].patients.arrived > 30);
    let e = problems(&text("no_show_by_class = { child = 1.5, teen = 0.1 }\n"));
    assert!(
        e.contains("arrivals.booked.no_show_by_class.child: no_show is a probability"),
        "{e}"
    );
    assert!(
        e.contains("arrivals.booked.no_show_by_class.teen: no class is called \"teen\""),
        "{e}"
    );
}

/// By day: a clinic open on two days (two streams, day 1 08:00–12:00 and day 2 32:00–36:00,
/// the second busier) gets one row per day whose arrivals add up to the run's, and the busier
/// day waits more.
#[test]
fn by_day_results_cover_each_day() {
    let m = model(&format!(
        "[run]\nopen = \"08:00\"\nclose = \"36:00\"\nreplications = 4\nsample_interval = \"15min\"\n\
         [[stations]]\nid = \"desk\"\nservers = [{{ from = \"08:00\", to = \"12:00\", count = 2 }}, {{ from = \"32:00\", to = \"36:00\", count = 2 }}]\n\
         service = {{ dist = \"exponential\", mean = \"6min\" }}\n\
         [[arrivals]]\nid = \"day1\"\nkind = \"poisson\"\nrate = \"12/h\"\nstart = \"08:00\"\nend = \"12:00\"\npathway = \"p\"\n\
         [[arrivals]]\nid = \"day2\"\nkind = \"poisson\"\nrate = \"18/h\"\nstart = \"32:00\"\nend = \"36:00\"\npathway = \"p\"\n{ONE_STEP}"
    ));
    let mut study = sim_core::Study::new(&m);
    study.run().unwrap();
    let s = study.summary();
    let days: Vec<u32> = s.by_day.iter().map(|d| d.day).collect();
    assert_eq!(days, [1, 2]);
    let arrivals: f64 = s.by_day.iter().map(|d| d.arrivals.mean).sum();
    assert!((arrivals - s.patients.arrived.mean).abs() < 1e-9);
    assert!(s.by_day[1].arrivals.mean > s.by_day[0].arrivals.mean);
    assert!(s.by_day[1].waiting_hours["desk"] > s.by_day[0].waiting_hours["desk"]);
    assert_eq!(s.by_day[1].bottleneck.as_deref(), Some("desk"));
}

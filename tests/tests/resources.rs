//! Shared resources (`[[resources]]`, a station's `requires`) against queueing theory and
//! against the stations' own servers they generalise. Tolerances come from the replications'
//! confidence intervals (see `validation`).

use super::validation::{assert_matches, long_tests, mean_waits, mmc_wq, run};
use sim_core::Model;

/// A steady-state scenario: `stations` and `resources` as written, one Poisson stream per
/// station (rate per minute) each visiting only its station.
fn scenario(resources: &str, stations: &[(&str, &str, f64)], arrivals: u64, reps: u32) -> String {
    let mut t = format!(
        "[scenario]\nname = \"shared\"\n[run]\nmax_arrivals = {arrivals}\nwarm_up = \"2000min\"\nreplications = {reps}\nseed = 20261202\nsample_interval = \"0min\"\n{resources}\n"
    );
    for (id, staffing, rate) in stations {
        t += &format!(
            "[[stations]]\nid = \"{id}\"\n{staffing}\nservice = {{ dist = \"exponential\", mean = \"10min\" }}\n\
             [[arrivals]]\nid = \"{id}\"\nkind = \"poisson\"\nrate = \"{rate}/min\"\npathway = \"{id}\"\n\
             [[pathways]]\nid = \"{id}\"\nsteps = [{{ id = \"{id}\", station = \"{id}\", next = \"exit\" }}]\n"
        );
    }
    t
}

fn arrivals() -> u64 {
    if long_tests() { 1_500_000 } else { 400_000 }
}

#[test]
fn two_stations_sharing_one_pool_are_one_mmc_queue() {
    // 0.9 and 0.6 an hour-scaled: λ = 0.15/min in all, μ = 0.1/min, c = 3 (ρ = 0.5).
    let text = scenario(
        "[[resources]]\nid = \"doctor\"\ncapacity = 3",
        &[
            ("clinic", "requires = [\"doctor\"]", 0.09),
            ("procedure", "requires = [\"doctor\"]", 0.06),
        ],
        arrivals(),
        20,
    );
    let model = Model::from_toml(&text).unwrap();
    let results = run(&model);
    let exact = mmc_wq(1.0 / 0.15, 10.0, 3);
    // FIFO by time of joining across the two stations: each sees the pooled queue's wait.
    assert_matches("shared pool, clinic Wq", &mean_waits(&results, 0), exact);
    assert_matches("shared pool, procedure Wq", &mean_waits(&results, 1), exact);
    let util: Vec<f64> = results
        .iter()
        .map(|r| r.resources[0].busy_area / r.resources[0].capacity_area)
        .collect();
    assert_matches("shared pool utilisation", &util, 0.5);
    for r in &results {
        let res = &r.resources[0];
        let by: f64 = res.busy_by_station.iter().sum();
        assert!(
            (by - res.busy_area).abs() <= 1e-9 * res.busy_area,
            "{by} vs {}",
            res.busy_area
        );
    }
}

#[test]
fn a_pool_that_is_never_short_changes_nothing() {
    // A consultation needs a doctor (3) and a room (1,000): the same M/M/3.
    let text = scenario(
        "[[resources]]\nid = \"doctor\"\ncapacity = 3\n[[resources]]\nid = \"room\"\ncapacity = 1000",
        &[("consult", "requires = [\"doctor\", \"room\"]", 0.2)],
        arrivals(),
        20,
    );
    let results = run(&Model::from_toml(&text).unwrap());
    assert_matches(
        "doctor and ample rooms, Wq",
        &mean_waits(&results, 0),
        mmc_wq(5.0, 10.0, 3),
    );
}

#[test]
fn seizing_two_units_of_ten_is_mm5() {
    let text = scenario(
        "[[resources]]\nid = \"nurse\"\ncapacity = 10",
        &[(
            "dressing",
            "requires = [{ resource = \"nurse\", count = 2 }]",
            0.4,
        )],
        arrivals(),
        20,
    );
    let results = run(&Model::from_toml(&text).unwrap());
    assert_matches(
        "two of ten nurses, Wq",
        &mean_waits(&results, 0),
        mmc_wq(2.5, 10.0, 5),
    );
}

#[test]
fn a_pool_of_its_own_gives_the_same_waits_as_servers_of_its_own() {
    // The same patients, draws and order of events: bit for bit the same waits and visits.
    let own = scenario("", &[("desk", "servers = 2", 0.15)], 50_000, 3);
    let pooled = scenario(
        "[[resources]]\nid = \"clerk\"\ncapacity = 2",
        &[("desk", "requires = [\"clerk\"]", 0.15)],
        50_000,
        3,
    );
    let a = run(&Model::from_toml(&own).unwrap());
    let b = run(&Model::from_toml(&pooled).unwrap());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.stations[0].waits, y.stations[0].waits);
        assert_eq!(x.stations[0].visits, y.stations[0].visits);
        assert_eq!(x.time_in_system, y.time_in_system);
        assert_eq!(x.stations[0].busy_area, y.resources[0].busy_area);
    }
}

/// A two-class M/M/1 with priorities; `preemption` as given ("" for none).
fn priority_mm1(preemption: &str, arrivals: u64) -> Model {
    priority_mm1_staffed("", "servers = 1", preemption, arrivals)
}

/// [`priority_mm1`] with the doctor's staffing (`staff`, after `resources`) as given.
fn priority_mm1_staffed(resources: &str, staff: &str, preemption: &str, arrivals: u64) -> Model {
    Model::from_toml(&format!(
        r#"[scenario]
name = "priority M/M/1"
[run]
max_arrivals = {arrivals}
warm_up = "2000min"
replications = 20
seed = 20261202
sample_interval = "0min"
[[classes]]
id = "urgent"
share = 0.42857142857142855
priority = 1
[[classes]]
id = "routine"
share = 0.5714285714285714
{resources}
[[stations]]
id = "doctor"
{staff}
discipline = "priority"
{preemption}
service = {{ dist = "exponential", mean = "1min" }}
[[arrivals]]
id = "a"
kind = "poisson"
rate = "0.7/min"
pathway = "p"
[[pathways]]
id = "p"
steps = [{{ id = "see", station = "doctor", next = "exit" }}]
"#
    ))
    .unwrap()
}

#[test]
fn preemptive_resume_priority_mm1_matches_the_classical_formulas() {
    // λ1 = 0.3, λ2 = 0.4, μ = 1: T1 = 1/(1−ρ1); T2 = 1/(1−ρ1) + (λ1+λ2)E[S²]/2 / ((1−ρ1)(1−ρ1−ρ2)).
    let model = priority_mm1(
        "preemption = \"resume\"",
        if long_tests() { 2_000_000 } else { 600_000 },
    );
    let results = run(&model);
    let tis = |c: usize| -> Vec<f64> {
        results
            .iter()
            .map(|r| r.classes[c].time_in_system.mean())
            .collect()
    };
    assert_matches("preemptive resume, urgent T", &tis(0), 1.0 / 0.7);
    assert_matches(
        "preemptive resume, routine T",
        &tis(1),
        1.0 / 0.7 + 0.7 / (0.7 * 0.3),
    );
    assert!(results.iter().all(|r| r.stations[0].preemptions > 0));
}

#[test]
fn preemption_at_a_station_of_shared_resources_is_preemption_at_its_own_servers() {
    // The urgent patient takes the units of the routine service it interrupts: with a pool of
    // one doctor used by this station alone, every draw and event is the same as with a server
    // of its own, so the classical formulas hold for it too (tested above).
    for how in ["resume", "restart"] {
        let preemption = format!("preemption = \"{how}\"");
        let own = run(&priority_mm1(&preemption, 100_000));
        let pooled = run(&priority_mm1_staffed(
            "[[resources]]\nid = \"gp\"\ncapacity = 1",
            "requires = [\"gp\"]",
            &preemption,
            100_000,
        ));
        for (a, b) in own.iter().zip(&pooled) {
            for c in 0..2 {
                assert_eq!(a.classes[c].time_in_system, b.classes[c].time_in_system);
            }
            assert_eq!(a.stations[0].preemptions, b.stations[0].preemptions);
            assert!(b.stations[0].preemptions > 0);
            assert_eq!(b.resources[0].preemptions, b.stations[0].preemptions);
            assert_eq!(a.stations[0].busy_area, b.resources[0].busy_area);
        }
    }
}

#[test]
fn resumed_services_conserve_work_across_shift_ends() {
    // Deterministic 10-minute services by 2 servers whose shifts break for lunch and end early:
    // with `resume` every patient gets exactly 10 minutes of service in all, so busy time is
    // 10 minutes per patient served, although many services are cut.
    let text = "[scenario]\nname = \"breaks\"\n[run]\nclose = \"12:00\"\nreplications = 5\nsample_interval = \"0min\"\n\
        [[stations]]\nid = \"desk\"\nshift_end = \"resume\"\n\
        servers = [{ from = \"08:00\", to = \"09:07\", count = 2 }, { from = \"09:30\", to = \"11:13\", count = 1 }, { from = \"11:40\", to = \"12:00\", count = 2 }]\n\
        service = { dist = \"deterministic\", value = \"10min\" }\n\
        [[arrivals]]\nid = \"a\"\nkind = \"poisson\"\nrate = \"9/h\"\nstart = \"08:00\"\npathway = \"p\"\n\
        [[pathways]]\nid = \"p\"\nsteps = [{ id = \"desk\", station = \"desk\", next = \"exit\" }]\n";
    let model = Model::from_toml(text).unwrap();
    for r in run(&model) {
        let st = &r.stations[0];
        assert!(st.interruptions > 0, "no service was cut");
        assert_eq!(r.patients.completed, r.patients.arrived);
        assert!(
            (st.busy_area - 10.0 * st.visits as f64).abs() < 1e-6,
            "busy {} for {} services of 10 minutes",
            st.busy_area,
            st.visits
        );
    }
}

#[test]
fn a_pool_that_restarts_services_at_a_break_loses_the_work_done() {
    // The same clinic with the doctors as a shared resource and `restart`: more busy time than
    // services demanded (the work cut at each break is done again).
    let text = "[scenario]\nname = \"breaks\"\n[run]\nclose = \"12:00\"\nreplications = 5\nsample_interval = \"0min\"\n\
        [[resources]]\nid = \"doctor\"\nshift_end = \"restart\"\n\
        capacity = [{ from = \"08:00\", to = \"09:07\", count = 2 }, { from = \"09:30\", to = \"12:00\", count = 2 }]\n\
        [[stations]]\nid = \"desk\"\nrequires = [\"doctor\"]\n\
        service = { dist = \"deterministic\", value = \"10min\" }\n\
        [[arrivals]]\nid = \"a\"\nkind = \"poisson\"\nrate = \"9/h\"\nstart = \"08:00\"\npathway = \"p\"\n\
        [[pathways]]\nid = \"p\"\nsteps = [{ id = \"desk\", station = \"desk\", next = \"exit\" }]\n";
    let model = Model::from_toml(text).unwrap();
    let results = run(&model);
    let cut: u64 = results.iter().map(|r| r.resources[0].interruptions).sum();
    assert!(cut > 0, "no service was cut");
    let (mut busy, mut demanded) = (0.0, 0.0);
    for r in &results {
        assert_eq!(r.patients.completed, r.patients.arrived);
        let demand = 10.0 * r.stations[0].visits as f64;
        assert!(r.resources[0].busy_area >= demand - 1e-6);
        busy += r.resources[0].busy_area;
        demanded += demand;
    }
    assert!(busy > demanded + 1.0, "busy {busy} vs demanded {demanded}");
}

/// A consultation by a registrar (2) *or* a consultant (3), chosen by `rule`.
fn alternatives(rule: &str, rate: f64, arrivals: u64) -> Vec<sim_core::ReplicationResult> {
    let text = scenario(
        "[[resources]]\nid = \"registrar\"\ncapacity = 2\n[[resources]]\nid = \"consultant\"\ncapacity = 3",
        &[(
            "consult",
            &format!(
                "requires = [{{ one_of = [\"registrar\", \"consultant\"], choose = \"{rule}\" }}]"
            ),
            rate,
        )],
        arrivals,
        20,
    );
    run(&Model::from_toml(&text).unwrap())
}

#[test]
fn alternative_pools_serve_as_one_mmc_whatever_the_rule() {
    // Any free unit of either pool serves the queue's head: 2 + 3 identical servers, M/M/5.
    for rule in ["preference", "first_free", "least_utilised"] {
        let results = alternatives(rule, 0.4, arrivals());
        assert_matches(
            &format!("registrar or consultant ({rule}), Wq"),
            &mean_waits(&results, 0),
            mmc_wq(2.5, 10.0, 5),
        );
        for r in &results {
            let served: f64 = r.resources.iter().map(|x| x.busy_area).sum();
            assert!(
                (served - r.stations[0].busy_area).abs() <= 1e-9 * served,
                "{rule}: {served} vs {}",
                r.stations[0].busy_area
            );
        }
    }
}

#[test]
fn the_choice_rule_decides_who_does_the_work() {
    // At a light load (ρ = 0.2) the rule, not the queue, decides which pool serves.
    let util = |rule: &str| -> (f64, f64) {
        let results = alternatives(rule, 0.1, 100_000);
        let u = |i: usize| -> f64 {
            results
                .iter()
                .map(|r| r.resources[i].busy_area / r.resources[i].capacity_area)
                .sum::<f64>()
                / results.len() as f64
        };
        (u(0), u(1))
    };
    // Preference: the registrars (listed first) take nearly everyone while they are free.
    let (reg, cons) = util("preference");
    assert!(reg > 0.4 && cons < 0.1, "preference: {reg} {cons}");
    // Least utilised: both pools end up about equally busy (0.2 each).
    let (reg, cons) = util("least_utilised");
    assert!((reg - cons).abs() < 0.02, "least utilised: {reg} {cons}");
    assert!((reg - 0.2).abs() < 0.02, "least utilised: {reg} {cons}");
    // First free: each unit idles in turn, so the work spreads per unit (0.2 each).
    let (reg, cons) = util("first_free");
    assert!((reg - cons).abs() < 0.03, "first free: {reg} {cons}");
}

#[test]
fn a_room_every_service_needs_bounds_the_alternatives() {
    // Registrar or consultant (5 in all), but only 2 rooms: an M/M/2.
    let text = scenario(
        "[[resources]]\nid = \"registrar\"\ncapacity = 2\n[[resources]]\nid = \"consultant\"\ncapacity = 3\n[[resources]]\nid = \"room\"\ncapacity = 2",
        &[(
            "consult",
            "requires = [\"room\", { one_of = [\"registrar\", \"consultant\"] }]",
            0.15,
        )],
        arrivals(),
        20,
    );
    let results = run(&Model::from_toml(&text).unwrap());
    assert_matches(
        "two rooms, five doctors, Wq",
        &mean_waits(&results, 0),
        mmc_wq(1.0 / 0.15, 10.0, 2),
    );
}

#[test]
fn a_preempted_service_is_counted_on_the_resources_it_held() {
    // The specialist clinic: a consultation holds a room and a registrar *or* a consultant, so
    // each preemption at it is counted once on the rooms and once on one of the doctors' pools.
    let text = include_str!("../../scenarios/clinic-with-procedures.toml");
    let model = Model::from_toml_variant(text, Some("today")).unwrap();
    let ix = |id: &str| model.resources().iter().position(|r| r.id == id).unwrap();
    let consult = model
        .stations()
        .iter()
        .position(|s| s.id == "consult")
        .unwrap();
    let (room, registrar, consultant) = (ix("consult_room"), ix("registrar"), ix("consultant"));
    let results = run(&model);
    let mut preempted = 0;
    for r in &results {
        let at = r.stations[consult].preemptions;
        assert_eq!(r.resources[room].preemptions, at);
        assert_eq!(
            r.resources[registrar].preemptions + r.resources[consultant].preemptions,
            at
        );
        preempted += at;
    }
    assert!(preempted > 0);
}

#[test]
fn the_wait_is_put_down_to_the_resources_that_were_short() {
    // Rooms (2) are short whenever anyone waits, doctors (1,000) never: all of the queue's
    // patient-minutes are waiting for a room. With alternatives (registrar 2 or consultant 3,
    // rooms plenty) a patient waits only while both are short, so both carry all of it.
    for (resources, requires, expect) in [
        (
            "[[resources]]\nid = \"doctor\"\ncapacity = 1000\n[[resources]]\nid = \"room\"\ncapacity = 2",
            "requires = [\"doctor\", \"room\"]",
            [false, true, false],
        ),
        (
            "[[resources]]\nid = \"room\"\ncapacity = 1000\n[[resources]]\nid = \"registrar\"\ncapacity = 2\n[[resources]]\nid = \"consultant\"\ncapacity = 3",
            "requires = [\"room\", { one_of = [\"registrar\", \"consultant\"] }]",
            [false, true, true],
        ),
    ] {
        let text = scenario(resources, &[("consult", requires, 0.15)], 100_000, 5);
        let model = Model::from_toml(&text).unwrap();
        let results = run(&model);
        for r in &results {
            let st = &r.stations[0];
            assert!(st.queue_area > 0.0);
            for (k, &all) in expect.iter().enumerate().take(st.waiting_for.len()) {
                let want = if all { st.queue_area } else { 0.0 };
                assert!(
                    (st.waiting_for[k] - want).abs() <= 1e-9 * st.queue_area,
                    "{requires} [{k}]: {} vs {want}",
                    st.waiting_for[k]
                );
            }
        }
    }
}

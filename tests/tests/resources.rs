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

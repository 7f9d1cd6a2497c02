//! Offered-load check: expected visits per patient from the routing tables, times the peak
//! arrival rate and the mean service time, against the most servers a station ever has; for
//! shared resources, summed over every station that requires the pool.
//!
//! This is a warning, not an error: a clinic may well be overloaded at its morning peak and
//! recover later. The message gives the utilisation the station would need, which is the number
//! a planner acts on.

use crate::model::workflow::Action;
use crate::model::{EXIT, Model, StepKind, StreamKind};

/// Expected number of visits to each step by one patient starting at `start` with class `class`.
pub fn expected_visits(model: &Model, start: u32, class: usize) -> Vec<f64> {
    let n = model.steps.len();
    let mut visits = vec![0.0; n];
    let mut mass = vec![0.0; n];
    if start == EXIT {
        return visits;
    }
    mass[start as usize] = 1.0;
    // Power iteration on the absorbing chain: the mass left in the pathway shrinks geometrically
    // because validation proved every step can reach the exit.
    for _ in 0..100_000 {
        let total: f64 = mass.iter().sum();
        if total < 1e-12 {
            break;
        }
        let mut next = vec![0.0; n];
        for (i, &m) in mass.iter().enumerate() {
            if m == 0.0 {
                continue;
            }
            visits[i] += m;
            let table = &model.routes[model.steps[i].routes[class] as usize];
            let mut prev = 0.0;
            for (c, &t) in table.cumulative.iter().zip(&table.targets) {
                if t != EXIT {
                    next[t as usize] += m * (c - prev);
                }
                prev = *c;
            }
        }
        mass = next;
    }
    visits
}

/// Offered load (in busy servers) at each station at the busiest moment of the day: every
/// stream's arrival rate as a function of time (its rate pieces, its appointment sessions, a
/// batch spread until closing), summed over the streams active at the same time, times the
/// visits and mean service per arrival. Streams that never overlap (a Monday stream and a
/// Tuesday stream) are therefore never added together.
pub fn peak_offered_load(model: &Model) -> Vec<f64> {
    let stations = model.stations.len();
    // Per stream: its rate pieces (from, to, arrivals per minute) and the load one arrival
    // per minute brings to each station.
    let streams: Vec<(Vec<RatePiece>, Vec<f64>)> = model
        .streams
        .iter()
        .map(|stream| {
            (
                rate_pieces(model, &stream.kind),
                load_per_rate(model, stream),
            )
        })
        .collect();
    let mut starts: Vec<f64> = streams
        .iter()
        .flat_map(|(pieces, _)| pieces.iter().map(|p| p.0))
        .collect();
    starts.sort_by(f64::total_cmp);
    starts.dedup();
    // The load is constant between the pieces' ends, and rises only where a piece starts.
    let mut peak = vec![0.0; stations];
    for &t in &starts {
        let mut load = vec![0.0; stations];
        for (pieces, per_rate) in &streams {
            let rate: f64 = pieces
                .iter()
                .filter(|p| p.0 <= t && t < p.1)
                .map(|p| p.2)
                .sum();
            if rate > 0.0 {
                for (l, w) in load.iter_mut().zip(per_rate) {
                    *l += rate * w;
                }
            }
        }
        for (p, l) in peak.iter_mut().zip(&load) {
            *p = f64::max(*p, *l);
        }
    }
    peak
}

/// A piece of a stream's arrival rate: (from, to, arrivals per minute).
type RatePiece = (f64, f64, f64);

/// A stream's arrival rate over time, as pieces.
fn rate_pieces(model: &Model, kind: &StreamKind) -> Vec<RatePiece> {
    match kind {
        StreamKind::Poisson { pieces } => pieces.clone(),
        // Booked patients per minute through each session; each class's no-shows are taken
        // out in `load_per_rate`.
        StreamKind::Appointments {
            sessions,
            slot,
            per_slot,
            ..
        } => sessions
            .iter()
            .map(|&(from, to)| (from, to, f64::from(*per_slot) / slot))
            .collect(),
        // A batch brings all its patients at once; as a rate, spread them over the time
        // left until closing (or the end of the run; an hour when neither is set), which
        // understates the peak but never hides an overload that lasts all day.
        StreamKind::Batch { at, count } => {
            let end = model.close.or(model.stop).unwrap_or(at + 60.0);
            vec![(
                *at,
                end.max(at + 1.0),
                f64::from(*count) / (end - at).max(1.0),
            )]
        }
    }
}

/// The offered load (busy servers) at each station per arrival per minute of `stream`.
fn load_per_rate(model: &Model, stream: &crate::model::Stream) -> Vec<f64> {
    let mut load = vec![0.0; model.stations.len()];
    let class_probs: Vec<f64> = match stream.class {
        Some(c) => (0..model.classes.len())
            .map(|i| if i == c as usize { 1.0 } else { 0.0 })
            .collect(),
        None => {
            let mut prev = 0.0;
            model
                .class_cumulative
                .iter()
                .map(|c| {
                    let p = c - prev;
                    prev = *c;
                    p
                })
                .collect()
        }
    };
    for (ci, &pc) in class_probs.iter().enumerate() {
        let pc = match &stream.kind {
            StreamKind::Appointments { no_show, .. } => {
                pc * (1.0 - crate::model::stream::no_show_of(no_show, ci))
            }
            _ => pc,
        };
        if pc == 0.0 {
            continue;
        }
        let visits = expected_visits(model, stream.start_step, ci);
        // Digital patients skip, redirect or shorten some steps (`Workflow::decision`):
        // weigh the paper and digital pathways by the class's adoption share.
        let adoption = model.workflow.adoption.get(ci).copied().unwrap_or(0.0);
        for (si, v) in visits.iter().enumerate() {
            if let StepKind::Visit {
                station, service, ..
            } = &model.steps[si].kind
            {
                let s = *station as usize;
                let m = model.classes[ci].multipliers[s];
                load[s] += pc * v * (1.0 - adoption) * service.mean() * m;
                if adoption > 0.0 {
                    let d = digital_visit(model, si, service.mean());
                    load[s] += pc * v * adoption * d.here * d.here_service * m;
                    if let Some((kiosk, share)) = d.kiosk {
                        let k = kiosk as usize;
                        let mk = model.classes[ci].multipliers[k];
                        load[k] += pc * v * adoption * share * d.kiosk_service * mk;
                    }
                }
            }
        }
    }
    load
}

/// What a digital patient does at a station step, on average: the bands of the step's
/// [`Decision`](crate::model::workflow::Decision) weighed by their widths.
struct DigitalVisit {
    /// Probability of visiting the step's own station.
    here: f64,
    /// Mean service there.
    here_service: f64,
    /// Kiosk station and the probability of paying there instead.
    kiosk: Option<(u32, f64)>,
    /// Mean service at the kiosk.
    kiosk_service: f64,
}

fn digital_visit(model: &Model, step: usize, mean: f64) -> DigitalVisit {
    let w = &model.workflow;
    let Some(role) = model.steps[step].role else {
        return DigitalVisit {
            here: 1.0,
            here_service: mean,
            kiosk: None,
            kiosk_service: 0.0,
        };
    };
    let decision = w.decision(role);
    let face = |m: f64| match &w.face_scan {
        Some(f) if decision.face_scan() => f.mean(),
        _ => m,
    };
    let kiosk = decision.bands().iter().find_map(|b| match b.action {
        Action::Redirect(k) => Some(k),
        _ => None,
    });
    DigitalVisit {
        here: decision.probability(|a| a == Action::Visit),
        here_service: face(mean),
        kiosk: kiosk.map(|k| (k, decision.probability(|a| a == Action::Redirect(k)))),
        kiosk_service: kiosk.map_or(0.0, |k| face(model.stations[k as usize].service.mean())),
    }
}

/// Offered load (in busy units) on each shared resource at the peak: the sum, over every
/// station that requires it, of that station's offered load times the units each service
/// seizes. A station's alternatives share its load in proportion to the services each could
/// run at once at its largest (the split a balanced choice would give; the real split depends
/// on the `choose` rule).
pub fn peak_resource_load(model: &Model, station_load: &[f64]) -> Vec<f64> {
    let mut load = vec![0.0; model.resources.len()];
    for (s, station) in model.stations.iter().enumerate() {
        let size = |n: &crate::model::Need| {
            f64::from(model.resources[n.resource as usize].max_units / n.count)
        };
        let alternatives: f64 = station
            .requires
            .iter()
            .filter(|n| n.alt != 0)
            .map(size)
            .sum();
        for n in &station.requires {
            let share = if n.alt == 0 {
                1.0
            } else if alternatives > 0.0 {
                size(n) / alternatives
            } else {
                0.0
            };
            load[n.resource as usize] += station_load[s] * share * f64::from(n.count);
        }
    }
    load
}

/// Warnings for stations (of their own servers) and shared resources whose peak offered load
/// reaches or exceeds their staffing.
pub fn offered_load(model: &Model) -> Vec<String> {
    let station_load = peak_offered_load(model);
    let resources = peak_resource_load(model, &station_load)
        .into_iter()
        .zip(&model.resources)
        .filter_map(|(load, r)| {
            let c = f64::from(r.max_units);
            (c > 0.0 && load >= c).then(|| {
                let users: Vec<&str> = r
                    .users
                    .iter()
                    .map(|&u| model.stations[u as usize].id.as_str())
                    .collect();
                format!(
                    "resources.{}: at the peak arrival rate the stations that require it ({}) offer a load of {load:.2} busy units but at most {} are on duty; it would need a utilisation of {:.0}%, so their queues will grow while the peak lasts",
                    r.id,
                    users.join(", "),
                    r.max_units,
                    100.0 * load / c
                )
            })
        })
        .collect::<Vec<_>>();
    station_load
        .iter()
        .zip(&model.stations)
        // A station of shared resources is judged by its resources' load (above).
        .filter(|(_, s)| s.requires.is_empty())
        .filter_map(|(&load, s)| {
            let c = f64::from(s.max_servers);
            (c > 0.0 && load >= c).then(|| {
                format!(
                    "stations.{}: at the peak arrival rate the offered load is {load:.2} busy servers but at most {} are on duty; it would need a utilisation of {:.0}%, so its queue will grow while the peak lasts",
                    s.id,
                    s.max_servers,
                    100.0 * load / c
                )
            })
        })
        .chain(resources)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::test_util::MM1;

    #[test]
    fn expected_visits_follow_the_routing_tables() {
        let m = Model::from_toml(&MM1.replace(
            r#"steps = [{ id = "desk", station = "desk", next = "exit" }]"#,
            r#"steps = [{ id = "desk", station = "desk", branches = [{ to = "desk", p = 0.5 }, { to = "exit", p = 0.5 }] }]"#,
        ))
        .unwrap();
        // A geometric number of visits with mean 1 / 0.5.
        let v = expected_visits(&m, m.streams[0].start_step, 0);
        assert!((v[0] - 2.0).abs() < 1e-9, "{v:?}");
        // 15 an hour, 2 visits of 3 minutes: 1.5 busy servers, which warns.
        let load = peak_offered_load(&m);
        assert!((load[0] - 1.5).abs() < 1e-9, "{load:?}");
        assert_eq!(offered_load(&m).len(), 1);
    }

    #[test]
    fn digital_payers_are_weighed_by_the_decision_bands() {
        let text = format!(
            "{}\n[workflow]\nadoption = {{ patient = 1.0 }}\npay_at_point_of_care = {{ counter = 0.25, kiosk = 0.25, in_consultation = 0.5, kiosk_station = \"kiosk\" }}\n[[stations]]\nid = \"kiosk\"\nservers = 1\nservice = {{ dist = \"deterministic\", value = \"6min\" }}\n[[variants]]\nid = \"v\"\nlevers = [\"pay_at_point_of_care\"]\n",
            MM1.replace(
                r#"next = "exit" }]"#,
                r#"role = "payment", next = "exit" }]"#
            )
        );
        let m = Model::from_toml_variant(&text, Some("v")).unwrap();
        let load = peak_offered_load(&m);
        // Every patient is digital: a quarter pay at the desk (0.25 h⁻¹ · 15 · 3 min), a
        // quarter at the kiosk (6 min), half in the consulting room.
        assert!((load[0] - 0.25 * 0.75).abs() < 1e-12, "{load:?}");
        assert!((load[1] - 0.25 * 1.5).abs() < 1e-12, "{load:?}");
    }
}

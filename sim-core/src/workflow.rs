//! Paper versus digital workflows: the levers a variant switches on, compiled into what the
//! engine needs to decide, patient by patient, which steps a digital patient skips, where they
//! pay, how long identity and payment take, and when a booked patient arrives.
//!
//! The difference between paper and digital is never typed in as a result: it comes only from
//! these mechanics acting on the pathway (fewer queues, shorter services, booked arrivals).
//! Whether a patient is digital is drawn once per patient from the adoption share of their
//! class, with a common-random-numbers key, so raising adoption from 50% to 80% keeps the first
//! 50%'s patients digital and adds new ones.

use crate::distribution::Dist;
use crate::error::Problem;
use crate::model::Class;
use crate::scenario::{Lever, RatePiece, Role, WorkflowSpec};
use crate::units::format_clock;
use std::collections::BTreeMap;

/// A distribution of arrival times over the day, from piecewise-constant rates: used to map a
/// walk-in's time to a booked time with the same rank in the day.
#[derive(Debug, Clone, PartialEq)]
pub struct DayShape {
    /// (from, to, cumulative share at `from`, share within the piece).
    pieces: Vec<(f64, f64, f64, f64)>,
}

impl DayShape {
    /// From (from, to, rate) pieces with positive total mass.
    pub fn new(pieces: &[(f64, f64, f64)]) -> Option<DayShape> {
        let total: f64 = pieces.iter().map(|(a, b, r)| r * (b - a)).sum();
        if !(total > 0.0 && total.is_finite()) {
            return None;
        }
        let mut acc = 0.0;
        let pieces = pieces
            .iter()
            .map(|&(a, b, r)| {
                let share = r * (b - a) / total;
                let p = (a, b, acc, share);
                acc += share;
                p
            })
            .collect();
        Some(DayShape { pieces })
    }

    /// Share of the day's arrivals before `t`.
    pub fn fraction(&self, t: f64) -> f64 {
        for &(a, b, cum, share) in &self.pieces {
            if t < b {
                return cum + share * ((t - a).max(0.0) / (b - a));
            }
        }
        1.0
    }

    /// The time before which a share `q` of the day's arrivals fall.
    pub fn inverse(&self, q: f64) -> f64 {
        for &(a, b, cum, share) in &self.pieces {
            if share > 0.0 && q <= cum + share {
                return a + (b - a) * ((q - cum) / share).clamp(0.0, 1.0);
            }
        }
        self.pieces.last().map_or(0.0, |p| p.1)
    }
}

/// Online pre-registration, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct OnlineRegistration {
    /// When booked patients come, as a day shape.
    pub booked: DayShape,
    /// Offset from the booked time.
    pub punctuality: Option<Dist>,
    /// Probability a booked patient does not come.
    pub no_show: f64,
}

/// Payment channel mix, compiled: cumulative shares counter, then kiosk, then in consultation.
#[derive(Debug, Clone, PartialEq)]
pub struct PointOfCare {
    /// P(counter).
    pub counter: f64,
    /// P(counter or kiosk).
    pub counter_or_kiosk: f64,
    /// Kiosk station index.
    pub kiosk_station: Option<u32>,
}

/// The workflow of one variant.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Workflow {
    /// Share of each class using the digital workflow (all zero when no lever is on).
    pub adoption: Vec<f64>,
    /// Levers switched on.
    pub levers: Vec<Lever>,
    /// Online registration, if on.
    pub online: Option<OnlineRegistration>,
    /// Point-of-care payment, if on.
    pub point_of_care: Option<PointOfCare>,
    /// Credit payment on.
    pub credit: bool,
    /// Results online: share of revisits done remotely, if on.
    pub results_online: Option<f64>,
    /// Face scan: service time at identity and payment steps, if on.
    pub face_scan: Option<Dist>,
    /// E-prescription: share delivered home, if on.
    pub e_prescription: Option<f64>,
}

impl Workflow {
    /// True when some patient can be digital.
    pub fn active(&self) -> bool {
        !self.levers.is_empty() && self.adoption.iter().any(|a| *a > 0.0)
    }
}

/// What a digital patient does at a step with a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Visit the step as written.
    Visit,
    /// Do not visit; go straight to what comes after.
    Skip,
    /// Visit the given station instead (kiosk payment).
    Redirect(u32),
}

fn share(problems: &mut Vec<Problem>, at: String, v: f64) -> f64 {
    if !(0.0..=1.0).contains(&v) {
        problems.push(Problem::new(
            at,
            format!("a share must be between 0 and 1 (got {v})"),
        ));
    }
    v
}

/// Compiles the workflow for a variant's levers and adoption.
pub fn compile(
    spec: Option<&WorkflowSpec>,
    levers: &[Lever],
    adoption_override: Option<&BTreeMap<String, f64>>,
    classes: &[Class],
    station_ix: &BTreeMap<&str, usize>,
    variant_at: &str,
    problems: &mut Vec<Problem>,
) -> Workflow {
    let mut levers = levers.to_vec();
    levers.sort();
    levers.dedup();
    let mut w = Workflow {
        adoption: vec![0.0; classes.len()],
        levers: levers.clone(),
        ..Default::default()
    };
    if levers.is_empty() {
        return w;
    }
    let Some(spec) = spec else {
        problems.push(Problem::new(
            format!("{variant_at}.levers"),
            "levers are switched on but the scenario has no [workflow] section".into(),
        ));
        return w;
    };
    let adoption = adoption_override.unwrap_or(&spec.adoption);
    let adoption_at = if adoption_override.is_some() {
        format!("{variant_at}.adoption")
    } else {
        "workflow.adoption".to_string()
    };
    for (cid, a) in adoption {
        match classes.iter().position(|c| &c.id == cid) {
            Some(i) => w.adoption[i] = share(problems, format!("{adoption_at}.{cid}"), *a),
            None => problems.push(Problem::new(
                format!("{adoption_at}.{cid}"),
                format!("no class is called {cid:?}"),
            )),
        }
    }
    for c in classes {
        if !adoption.contains_key(&c.id) {
            problems.push(Problem::new(
                adoption_at.clone(),
                format!(
                    "no adoption share for class {:?} (give every class a share, 0 if none adopt)",
                    c.id
                ),
            ));
        }
    }
    let missing = |problems: &mut Vec<Problem>, lever: Lever| {
        problems.push(Problem::new(
            format!("{variant_at}.levers"),
            format!(
                "lever {} is switched on but [workflow.{}] is missing",
                lever.name(),
                lever.name()
            ),
        ))
    };
    for &lever in &levers {
        match lever {
            Lever::OnlineRegistration => match &spec.online_registration {
                Some(o) => {
                    let at = "workflow.online_registration";
                    let mut pieces = Vec::new();
                    let mut prev = f64::NEG_INFINITY;
                    for (i, RatePiece { from, to, rate }) in o.booked_rates.iter().enumerate() {
                        if to.0 <= from.0 || from.0 < prev || rate.0 <= 0.0 {
                            problems.push(Problem::new(format!("{at}.booked_rates[{i}]"), format!(
                                    "piece {}–{} must end after it starts, follow the previous one, and have a positive rate",
                                    format_clock(from.0),
                                    format_clock(to.0)
                                )));
                        }
                        prev = to.0;
                        pieces.push((from.0, to.0, rate.0));
                    }
                    let punctuality = o.punctuality.as_ref().and_then(|p| {
                        Dist::compile(p, false)
                            .map_err(|m| {
                                problems.push(Problem::new(format!("{at}.punctuality"), m))
                            })
                            .ok()
                    });
                    let no_show = share(problems, format!("{at}.no_show"), o.no_show);
                    match DayShape::new(&pieces) {
                        Some(booked) => {
                            w.online = Some(OnlineRegistration {
                                booked,
                                punctuality,
                                no_show,
                            })
                        }
                        None => problems.push(Problem::new(
                            format!("{at}.booked_rates"),
                            "no booked arrivals: give at least one piece".into(),
                        )),
                    }
                }
                None => missing(problems, lever),
            },
            Lever::PayAtPointOfCare => match &spec.pay_at_point_of_care {
                Some(p) => {
                    let at = "workflow.pay_at_point_of_care";
                    let c = share(problems, format!("{at}.counter"), p.counter);
                    let k = share(problems, format!("{at}.kiosk"), p.kiosk);
                    let i = share(problems, format!("{at}.in_consultation"), p.in_consultation);
                    if (c + k + i - 1.0).abs() > 1e-9 {
                        problems.push(Problem::new(
                            at.into(),
                            format!("channel shares sum to {}, not 1", c + k + i),
                        ));
                    }
                    let kiosk_station = match &p.kiosk_station {
                        Some(id) => match station_ix.get(id.as_str()) {
                            Some(&s) => Some(s as u32),
                            None => {
                                problems.push(Problem::new(
                                    format!("{at}.kiosk_station"),
                                    format!("no station is called {id:?}"),
                                ));
                                None
                            }
                        },
                        None => {
                            if k > 0.0 {
                                problems.push(Problem::new(
                                    format!("{at}.kiosk_station"),
                                    "kiosk share is above 0 but no kiosk_station is given".into(),
                                ));
                            }
                            None
                        }
                    };
                    w.point_of_care = Some(PointOfCare {
                        counter: c,
                        counter_or_kiosk: c + k,
                        kiosk_station,
                    });
                }
                None => missing(problems, lever),
            },
            Lever::CreditPayment => match &spec.credit_payment {
                Some(_) => w.credit = true,
                None => missing(problems, lever),
            },
            Lever::ResultsOnline => match &spec.results_online {
                Some(r) => {
                    w.results_online = Some(share(
                        problems,
                        "workflow.results_online.remote_review".into(),
                        r.remote_review,
                    ))
                }
                None => missing(problems, lever),
            },
            Lever::FaceScan => match &spec.face_scan {
                Some(f) => match Dist::compile(&f.service, true) {
                    Ok(d) => w.face_scan = Some(d),
                    Err(m) => problems.push(Problem::new("workflow.face_scan.service".into(), m)),
                },
                None => missing(problems, lever),
            },
            Lever::EPrescription => match &spec.e_prescription {
                Some(e) => {
                    w.e_prescription = Some(share(
                        problems,
                        "workflow.e_prescription.home_delivery".into(),
                        e.home_delivery,
                    ))
                }
                None => missing(problems, lever),
            },
        }
    }
    w
}

/// True when face scan replaces the service time at a step with this role.
pub fn face_scan_applies(role: Role) -> bool {
    matches!(
        role,
        Role::Registration | Role::Identity | Role::Prepayment | Role::Payment
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_shape_maps_quantiles() {
        // Walk-ins: half of the day's arrivals between 06:00 and 08:00, half 08:00–12:00.
        let walk = DayShape::new(&[(360.0, 480.0, 2.0), (480.0, 720.0, 1.0)]).unwrap();
        assert!((walk.fraction(480.0) - 0.5).abs() < 1e-12);
        assert_eq!(walk.fraction(100.0), 0.0);
        assert_eq!(walk.fraction(800.0), 1.0);
        // Booked: flat 08:00–12:00; the median walk-in (08:00) maps to 10:00.
        let booked = DayShape::new(&[(480.0, 720.0, 1.0)]).unwrap();
        assert!((booked.inverse(walk.fraction(480.0)) - 600.0).abs() < 1e-9);
        assert!((booked.inverse(0.0) - 480.0).abs() < 1e-9);
        assert!((booked.inverse(1.0) - 720.0).abs() < 1e-9);
        assert!(DayShape::new(&[]).is_none());
    }
}

//! Paper versus digital workflows: the levers a variant switches on, compiled into what the
//! engine needs to decide, patient by patient, which steps a digital patient skips, where they
//! pay, how long identity and payment take, and when a booked patient arrives.
//!
//! What a lever does at a step is defined once, here: [`Workflow::decision`] gives, for a step's
//! role, the ordered bands of a uniform draw and the action each leads to. The engine draws
//! against it, the offered-load check weighs the bands by their widths, and the compiler's
//! "lever has nothing to act on" warning asks which roles a lever changes.
//!
//! The difference between paper and digital is never typed in as a result: it comes only from
//! these mechanics acting on the pathway (fewer queues, shorter services, booked arrivals).
//! Whether a patient is digital is drawn once per patient from the adoption share of their
//! class, with a common-random-numbers key, so raising adoption from 50% to 80% keeps the first
//! 50%'s patients digital and adds new ones.

use crate::distribution::Dist;
use crate::scenario::{Lever, Role};

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

/// One band of a [`Decision`]: draws below `upper` (and not below an earlier band's bound) lead
/// to `action`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// Exclusive upper bound of the draws in this band; the last band's is `f64::INFINITY`.
    pub upper: f64,
    /// What the patient does.
    pub action: Action,
}

/// What this variant's levers make a digital patient do at a step with one role: a uniform
/// draw `u` in [0, 1) picks the first band with `u < upper`. When one band covers every draw
/// the action is fixed and no draw is needed (draws are keyed, not sequential, so drawing or
/// not drawing changes no other number).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    /// The bands, `len` of them used, bounds strictly increasing, the last infinite.
    bands: [Band; 3],
    len: u8,
    /// Whether the face-scan service replaces the service of a visit here (at the step's
    /// station or, redirected, at the kiosk).
    face_scan: bool,
}

impl Decision {
    /// From bands in order (the last with an infinite bound). Bands no draw in [0, 1) can
    /// reach (bound at or below an earlier one, or at or below 0) are dropped, and a band
    /// with the same action as the one before merges into it: neither changes which action
    /// any draw in [0, 1) picks, and a decision left with one band needs no draw.
    fn new(raw: &[(f64, Action)], face_scan: bool) -> Decision {
        let mut bands = [Band {
            upper: f64::INFINITY,
            action: Action::Visit,
        }; 3];
        let mut len = 0usize;
        let mut below = 0.0;
        for &(upper, action) in raw {
            if upper <= below {
                continue;
            }
            below = upper;
            if len > 0 && bands[len - 1].action == action {
                bands[len - 1].upper = upper;
            } else {
                bands[len] = Band { upper, action };
                len += 1;
            }
        }
        debug_assert!(len > 0 && bands[len - 1].upper == f64::INFINITY);
        Decision {
            bands,
            len: len as u8,
            face_scan,
        }
    }

    /// The bands, in order.
    pub fn bands(&self) -> &[Band] {
        &self.bands[..usize::from(self.len)]
    }

    /// The action when it does not depend on a draw.
    #[inline]
    pub fn fixed(&self) -> Option<Action> {
        (self.len == 1).then_some(self.bands[0].action)
    }

    /// The action for the uniform draw `u` in [0, 1): the first band with `u < upper`.
    #[inline]
    pub fn pick(&self, u: f64) -> Action {
        let bands = self.bands();
        bands
            .iter()
            .find(|b| u < b.upper)
            .unwrap_or(&bands[bands.len() - 1])
            .action
    }

    /// The action, calling `draw` for a uniform number in [0, 1) only when one is needed.
    #[inline]
    pub fn choose(&self, draw: impl FnOnce() -> f64) -> Action {
        match self.fixed() {
            Some(action) => action,
            None => self.pick(draw()),
        }
    }

    /// Whether a visit here (at the step's station, or redirected to the kiosk) takes the
    /// face-scan service instead of its own.
    #[inline]
    pub fn face_scan(&self) -> bool {
        self.face_scan
    }

    /// The probability that a uniform draw in [0, 1) picks an action for which `which` is
    /// true: the summed widths of those bands (the last band ending at 1).
    pub fn probability(&self, which: impl Fn(Action) -> bool) -> f64 {
        let mut below = 0.0;
        let mut p = 0.0;
        for b in self.bands() {
            let upper = if b.upper.is_finite() { b.upper } else { 1.0 };
            if which(b.action) {
                p += upper - below;
            }
            below = upper;
        }
        p
    }
}

impl Workflow {
    /// What a digital patient does at a step with `role` under this variant's levers: the one
    /// definition of the levers' effect on a step.
    ///
    /// How the engine calls it, at a step with a role, for a digital patient:
    ///
    /// ```text
    /// let d = model.workflow.decision(role);
    /// let action = d.choose(|| uniform(&mut draw_rng(pat.key, step.keys.workflow, visit)));
    /// // Visit / Redirect(kiosk): the service is the face-scan one when d.face_scan(),
    /// // else the step's (Visit) or the kiosk station's (Redirect). Skip: route onwards.
    /// ```
    ///
    /// where `visit` is the patient's loop count on a cyclic step and 0 otherwise. The result
    /// is, draw for draw, the engine's own decision before this function existed
    /// (`Simulator::digital_action` and `face_scan_or`; pinned by the tests below).
    pub fn decision(&self, role: Role) -> Decision {
        use Action::{Redirect, Skip, Visit};
        const ALL: f64 = f64::INFINITY;
        let face_scan = self.face_scan.is_some() && face_scan_applies(role);
        let bands = |raw: &[(f64, Action)]| Decision::new(raw, face_scan);
        match role {
            Role::Registration if self.online.is_some() => bands(&[(ALL, Skip)]),
            Role::Prepayment if self.credit => bands(&[(ALL, Skip)]),
            Role::Prepayment | Role::Payment => match &self.point_of_care {
                // Counter, then kiosk (the counter when there is none), then paid elsewhere.
                Some(pc) => bands(&[
                    (pc.counter, Visit),
                    (
                        pc.counter_or_kiosk,
                        pc.kiosk_station.map_or(Visit, Redirect),
                    ),
                    (ALL, Skip),
                ]),
                None => bands(&[(ALL, Visit)]),
            },
            Role::ReportCollection if self.results_online.is_some() => bands(&[(ALL, Skip)]),
            Role::Revisit => match self.results_online {
                Some(remote) => bands(&[(remote, Skip), (ALL, Visit)]),
                None => bands(&[(ALL, Visit)]),
            },
            Role::Pharmacy => match self.e_prescription {
                Some(home) => bands(&[(home, Skip), (ALL, Visit)]),
                None => bands(&[(ALL, Visit)]),
            },
            _ => bands(&[(ALL, Visit)]),
        }
    }
}

/// True when face scan replaces the service time at a step with this role.
pub fn face_scan_applies(role: Role) -> bool {
    matches!(
        role,
        Role::Registration | Role::Identity | Role::Prepayment | Role::Payment
    )
}

/// The roles whose decision `lever` changes, in [`Role::ALL`] order: found by switching the
/// lever on alone, with parameters that give every band a width, and comparing each role's
/// decision with the paper workflow's.
pub fn lever_roles(lever: Lever) -> Vec<Role> {
    let paper = Workflow::default();
    let mut on = Workflow {
        levers: vec![lever],
        ..Workflow::default()
    };
    match lever {
        Lever::OnlineRegistration => {
            on.online = DayShape::new(&[(0.0, 1.0, 1.0)]).map(|booked| OnlineRegistration {
                booked,
                punctuality: None,
                no_show: 0.0,
            })
        }
        Lever::PayAtPointOfCare => {
            on.point_of_care = Some(PointOfCare {
                counter: 0.25,
                counter_or_kiosk: 0.5,
                kiosk_station: Some(0),
            })
        }
        Lever::CreditPayment => on.credit = true,
        Lever::ResultsOnline => on.results_online = Some(0.5),
        Lever::FaceScan => on.face_scan = Some(Dist::Det { value: 1.0 }),
        Lever::EPrescription => on.e_prescription = Some(0.5),
    }
    Role::ALL
        .into_iter()
        .filter(|&r| on.decision(r) != paper.decision(r))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine's decision as it was written in `Simulator::digital_action` and
    /// `face_scan_or` before `Workflow::decision` existed, copied verbatim but for the draw,
    /// which is passed in: what the decision must reproduce, draw for draw.
    fn engine_action(w: &Workflow, role: Option<Role>, draw: f64) -> Action {
        let u = || draw;
        match role {
            Some(Role::Registration) if w.online.is_some() => Action::Skip,
            Some(Role::Prepayment) if w.credit => Action::Skip,
            Some(Role::Prepayment | Role::Payment) => match &w.point_of_care {
                Some(pc) => {
                    let x = u();
                    if x < pc.counter {
                        Action::Visit
                    } else if x < pc.counter_or_kiosk {
                        pc.kiosk_station.map_or(Action::Visit, Action::Redirect)
                    } else {
                        Action::Skip
                    }
                }
                None => Action::Visit,
            },
            Some(Role::ReportCollection) if w.results_online.is_some() => Action::Skip,
            Some(Role::Revisit) => match w.results_online {
                Some(share) if u() < share => Action::Skip,
                _ => Action::Visit,
            },
            Some(Role::Pharmacy) => match w.e_prescription {
                Some(share) if u() < share => Action::Skip,
                _ => Action::Visit,
            },
            _ => Action::Visit,
        }
    }

    /// The engine's `face_scan_or`: whether the face-scan service replaces the other.
    fn engine_face_scan(w: &Workflow, role: Option<Role>) -> bool {
        matches!((w.face_scan.as_ref(), role), (Some(_), Some(role)) if face_scan_applies(role))
    }

    /// Every combination of levers, with shares at 0, 1 and in between.
    fn workflows() -> Vec<Workflow> {
        let shares = [None, Some(0.0), Some(0.3), Some(0.5), Some(1.0)];
        let mut channels = vec![None];
        for (c, k) in [
            (0.0, 0.0),
            (0.0, 1.0),
            (1.0, 0.0),
            (0.2, 0.3),
            (0.5, 0.5),
            (0.25, 0.0),
            (0.0, 0.4),
        ] {
            for kiosk in [None, Some(7)] {
                channels.push(Some(PointOfCare {
                    counter: c,
                    counter_or_kiosk: c + k,
                    kiosk_station: kiosk,
                }));
            }
        }
        let online = DayShape::new(&[(0.0, 1.0, 1.0)]).map(|booked| OnlineRegistration {
            booked,
            punctuality: None,
            no_show: 0.0,
        });
        let mut out = Vec::new();
        for on in [false, true] {
            for credit in [false, true] {
                for pc in &channels {
                    for results in shares {
                        for home in shares {
                            for face in [false, true] {
                                out.push(Workflow {
                                    online: if on { online.clone() } else { None },
                                    credit,
                                    point_of_care: pc.clone(),
                                    results_online: results,
                                    e_prescription: home,
                                    face_scan: face.then_some(Dist::Det { value: 0.5 }),
                                    ..Workflow::default()
                                });
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// Draws on a grid, plus every bound a decision can have and its neighbours.
    fn draws() -> Vec<f64> {
        let mut u: Vec<f64> = (0..1000).map(|i| f64::from(i) / 1000.0).collect();
        for b in [0.0f64, 0.2, 0.25, 0.3, 0.4, 0.5, 1.0] {
            u.extend([b, b.next_down(), b.next_up()]);
        }
        u.push(1.0f64.next_down());
        u.retain(|x| (0.0..1.0).contains(x));
        u
    }

    #[test]
    fn decisions_reproduce_the_engine_draw_for_draw() {
        let draws = draws();
        let mut checked = 0u64;
        for w in workflows() {
            for role in Role::ALL {
                let d = w.decision(role);
                assert_eq!(
                    d.face_scan(),
                    engine_face_scan(&w, Some(role)),
                    "{w:?} {role:?}"
                );
                for &u in &draws {
                    let expected = engine_action(&w, Some(role), u);
                    assert_eq!(d.pick(u), expected, "{w:?} {role:?} u = {u}");
                    // No draw needed means the engine's answer does not depend on it.
                    assert_eq!(
                        d.choose(|| u),
                        expected,
                        "{w:?} {role:?} u = {u} (fixed: {:?})",
                        d.fixed()
                    );
                    checked += 1;
                }
                // The widths are the probabilities of the engine's actions.
                let total = d.probability(|_| true);
                assert!((total - 1.0).abs() < 1e-12, "{w:?} {role:?}: {total}");
            }
        }
        assert!(checked > 1_000_000, "{checked}");
    }

    #[test]
    fn one_band_means_no_draw() {
        let w = Workflow {
            results_online: Some(0.0),
            credit: true,
            ..Workflow::default()
        };
        assert_eq!(w.decision(Role::Revisit).fixed(), Some(Action::Visit));
        assert_eq!(w.decision(Role::Prepayment).fixed(), Some(Action::Skip));
        assert_eq!(w.decision(Role::Pharmacy).fixed(), Some(Action::Visit));
        let w = Workflow {
            point_of_care: Some(PointOfCare {
                counter: 0.2,
                counter_or_kiosk: 0.5,
                kiosk_station: None,
            }),
            ..Workflow::default()
        };
        // Kiosk payers without a kiosk pay at the counter: one Visit band below 0.5.
        let d = w.decision(Role::Payment);
        assert_eq!(d.fixed(), None);
        assert_eq!(
            d.bands(),
            [
                Band {
                    upper: 0.5,
                    action: Action::Visit
                },
                Band {
                    upper: f64::INFINITY,
                    action: Action::Skip
                },
            ]
        );
        assert_eq!(d.probability(|a| a == Action::Visit), 0.5);
    }

    #[test]
    fn lever_roles_are_the_roles_each_lever_changes() {
        use Role::*;
        assert_eq!(lever_roles(Lever::OnlineRegistration), [Registration]);
        assert_eq!(lever_roles(Lever::PayAtPointOfCare), [Prepayment, Payment]);
        assert_eq!(lever_roles(Lever::CreditPayment), [Prepayment]);
        assert_eq!(
            lever_roles(Lever::ResultsOnline),
            [ReportCollection, Revisit]
        );
        assert_eq!(
            lever_roles(Lever::FaceScan),
            [Registration, Identity, Prepayment, Payment]
        );
        assert_eq!(lever_roles(Lever::EPrescription), [Pharmacy]);
    }

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

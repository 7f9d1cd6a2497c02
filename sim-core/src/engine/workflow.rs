//! The digital workflow in the engine: which patients use it and what the levers do at a step.

use super::*;

impl<'m> Simulator<'m> {
    /// Whether a patient uses the digital workflow: one draw per patient against the class's
    /// adoption share, keyed so the same patient gets the same number in every variant.
    #[inline]
    pub(super) fn is_digital(&self, key: u64, class: u16) -> bool {
        let a = self
            .model
            .workflow
            .adoption
            .get(class as usize)
            .copied()
            .unwrap_or(0.0);
        a > 0.0 && uniform(&mut draw_rng(key, purpose_key(Purpose::Workflow, 0), 0)) < a
    }

    /// `enter_step` for a digital patient at a step with a role: the levers may skip it
    /// (possibly several steps in a row), redirect it to a kiosk or change its service.
    #[inline(never)]
    pub(super) fn enter_digital(&mut self, p: u32, now: f64) {
        let m = self.model;
        let mut pat = self.patients[p as usize];
        let mut step = &m.steps[pat.step as usize];
        let mut service = Service::Step;
        loop {
            match self.digital_action(&pat, step) {
                Action::Skip => {
                    self.route(p);
                    pat = self.patients[p as usize];
                    if pat.step == EXIT {
                        self.depart::<false>(p, now);
                        return;
                    }
                    step = &m.steps[pat.step as usize];
                    if step.role.is_none() {
                        break;
                    }
                }
                Action::Redirect(kiosk) => {
                    self.patients[p as usize].service = self.face_scan_or(step, Service::Station);
                    self.join::<false>(kiosk as usize, p, step, now);
                    return;
                }
                Action::Visit => {
                    service = self.face_scan_or(step, Service::Step);
                    break;
                }
            }
        }
        self.patients[p as usize].service = service;
        self.enter_plain::<false>(p, step, now);
    }

    /// What a digital patient does at a step with a role, under this variant's levers.
    pub(super) fn digital_action(&self, pat: &Patient, step: &crate::model::Step) -> Action {
        let w = &self.model.workflow;
        let visit = if step.cyclic { pat.loop_visits } else { 0 };
        let u = || uniform(&mut draw_rng(pat.key, step.keys.workflow, visit));
        match step.role {
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

    /// Face scan replaces the service at identity and payment steps; otherwise `other`.
    pub(super) fn face_scan_or(&self, step: &crate::model::Step, other: Service) -> Service {
        match (self.model.workflow.face_scan.as_ref(), step.role) {
            (Some(_), Some(role)) if crate::workflow::face_scan_applies(role) => Service::FaceScan,
            _ => other,
        }
    }
}

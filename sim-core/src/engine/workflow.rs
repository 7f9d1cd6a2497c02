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
    /// (possibly several steps in a row), redirect it to a kiosk or change its service. What
    /// the levers do is decided by the model (`Workflow::decision`, the one definition of the
    /// levers' semantics, also used by the load check); the engine only draws.
    #[inline(never)]
    pub(super) fn enter_digital(&mut self, p: u32, now: f64) {
        let m = self.model;
        let mut pat = self.patients[p as usize];
        let mut step = &m.steps[pat.step as usize];
        loop {
            let Some(role) = step.role else {
                self.patients[p as usize].service = Service::Step;
                break;
            };
            let decision = m.workflow.decision(role);
            let visit = if step.cyclic { pat.loop_visits } else { 0 };
            let action =
                decision.choose(|| uniform(&mut draw_rng(pat.key, step.keys.workflow, visit)));
            let scan = decision.face_scan();
            match action {
                Action::Skip => {
                    self.route(p);
                    pat = self.patients[p as usize];
                    if pat.step == EXIT {
                        self.depart::<false>(p, now);
                        return;
                    }
                    step = &m.steps[pat.step as usize];
                }
                Action::Redirect(kiosk) => {
                    self.patients[p as usize].service = if scan {
                        Service::FaceScan
                    } else {
                        Service::Station
                    };
                    self.join::<false>(kiosk as usize, p, step, now);
                    return;
                }
                Action::Visit => {
                    self.patients[p as usize].service = if scan {
                        Service::FaceScan
                    } else {
                        Service::Step
                    };
                    break;
                }
            }
        }
        self.enter_plain::<false>(p, step, now);
    }
}

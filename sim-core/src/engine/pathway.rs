//! Moving patients along their pathway: entering a step, routing to the next, leaving.

use super::Simulator;
use super::event::Ev;
use super::index::StationIx;
use super::patient::Patient;
use super::patient::Service;
use crate::model::EXIT;
use crate::model::Model;
use crate::model::StepKind;
use crate::rng::draw_rng;
use crate::rng::uniform;

impl<'m> Simulator<'m> {
    /// Puts patient `p` into its current step.
    #[inline]
    pub(super) fn enter_step<const LEAN: bool>(&mut self, p: u32, now: f64) {
        let m = self.model;
        let pat = &mut self.patients[p as usize];
        if pat.step == EXIT {
            self.depart::<LEAN>(p, now);
            return;
        }
        let step = &m.steps[pat.step as usize];
        if !LEAN && pat.digital && step.role.is_some() {
            self.enter_digital(p, now);
            return;
        }
        if !LEAN {
            // Lean models have no digital levers: the service never changes from `Step`.
            pat.service = Service::Step;
        }
        self.enter_plain::<LEAN>(p, step, now);
    }

    /// Puts patient `p` into `step` (its current step), with its `service` already set.
    #[inline(always)]
    pub(super) fn enter_plain<const LEAN: bool>(
        &mut self,
        p: u32,
        step: &'m crate::model::Step,
        now: f64,
    ) {
        match &step.kind {
            StepKind::Visit { station, .. } => self.join::<LEAN>(StationIx(*station), p, step, now),
            StepKind::Delay { delay } => {
                let pat = &self.patients[p as usize];
                let visit = if step.cyclic { pat.loop_visits } else { 0 };
                let d = delay.sample(&mut draw_rng(pat.key, step.keys.delay, visit));
                self.out.delay_sum += d;
                if !LEAN && self.logging {
                    self.log_event(p, super::event_log::Activity::DelayStart, None, now);
                }
                self.events.push(now + d, Ev::DelayEnd(p));
            }
        }
    }

    /// Moves a patient past its current step (after a service or a delay) and into the next:
    /// `route` then `enter_step`, with the common case (no digital levers at the next step)
    /// done here without reloading the patient.
    #[inline(always)]
    pub(super) fn advance<const LEAN: bool>(&mut self, p: u32, now: f64) {
        let m = self.model;
        let pat = &mut self.patients[p as usize];
        let next = if pat.next != crate::model::ROUTED {
            pat.next
        } else {
            Self::pick(m, pat, &m.steps[pat.step as usize])
        };
        pat.step = next;
        if next == EXIT {
            self.depart::<LEAN>(p, now);
            return;
        }
        let step = &m.steps[next as usize];
        pat.next = step.fixed_next;
        if step.cyclic {
            pat.loop_visits += 1;
        }
        if !LEAN && pat.digital && step.role.is_some() {
            self.enter_digital(p, now);
            return;
        }
        if !LEAN {
            // Lean models have no digital levers: the service never changes from `Step`.
            pat.service = Service::Step;
        }
        self.enter_plain::<LEAN>(p, step, now);
    }

    /// `fixed_next` of `step`, which may be `EXIT` (leaving needs no routing then either).
    pub(super) fn fixed_next(&self, step: u32) -> u32 {
        if step == EXIT {
            EXIT
        } else {
            self.model.steps[step as usize].fixed_next
        }
    }

    /// The next step from a routed step: by the class's table, with a branch draw if needed.
    #[inline(always)]
    pub(super) fn pick(m: &Model, pat: &Patient, step: &crate::model::Step) -> u32 {
        let table = &m.routes[step.routes[pat.class as usize] as usize];
        if table.targets.len() == 1 {
            table.targets[0]
        } else {
            let visit = if step.cyclic { pat.loop_visits } else { 0 };
            table.pick(uniform(&mut draw_rng(pat.key, step.keys.branch, visit)))
        }
    }

    /// Chooses the patient's next step after the current one (branch draw if needed).
    #[inline]
    pub(super) fn route(&mut self, p: u32) {
        let m = self.model;
        let pat = &mut self.patients[p as usize];
        let step = &m.steps[pat.step as usize];
        let next = if step.fixed_next != crate::model::ROUTED {
            step.fixed_next
        } else {
            Self::pick(m, pat, step)
        };
        pat.step = next;
        if next != EXIT {
            let step = &m.steps[next as usize];
            pat.next = step.fixed_next;
            if step.cyclic {
                pat.loop_visits += 1;
            }
        }
    }

    pub(super) fn depart<const LEAN: bool>(&mut self, p: u32, now: f64) {
        let pat = self.patients[p as usize];
        let out = &mut self.out;
        out.patients.completed += 1;
        let tis = now - pat.arrival;
        out.time_in_system.add(tis);
        if !LEAN && !self.one_class {
            let class = &mut out.classes[pat.class as usize];
            class.patients.completed += 1;
            class.time_in_system.add(tis);
        }
        if !LEAN && !self.model.targets.time_in_system.is_empty() {
            self.count_time_targets(u32::from(pat.class), Some(tis));
        }
        self.leave::<LEAN>(p, now);
    }

    /// Removes a patient from the system (completed, balked or reneged).
    #[inline(always)]
    pub(super) fn leave<const LEAN: bool>(&mut self, p: u32, now: f64) {
        if !LEAN && self.logging {
            self.log_event(p, super::event_log::Activity::Leave, None, now);
        }
        let arrival = self.patients[p as usize].arrival;
        let stay = if LEAN {
            now - arrival
        } else {
            self.clip(arrival, now)
        };
        self.out.in_system_area += stay;
        self.in_system -= 1;
        if !LEAN && !self.one_class {
            self.class_in_system[self.patients[p as usize].class as usize] -= 1;
        }
        self.release(p);
    }
}

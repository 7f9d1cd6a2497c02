//! `[workflow]` and a variant's `levers` and `adoption`: the levers switched on, each compiled
//! from its table, adoption by class, and the checks that the levers fit the rest of the
//! model (a kiosk someone staffs, walk-in days that end, a step each lever acts on).

use super::Builder;
use crate::distribution::Dist;
use crate::error::Problem;
use crate::model::workflow::{DayShape, OnlineRegistration, PointOfCare, Workflow, lever_roles};
use crate::model::{Class, Station, Step, Stream, StreamKind};
use crate::scenario::units::format_clock;
use crate::scenario::{
    Lever, OnlineRegistrationSpec, PointOfCareSpec, RatePiece, ScenarioFile, VariantSpec,
    WorkflowSpec,
};
use std::collections::BTreeMap;

impl Builder {
    /// Compiles the workflow of `variant` (none: the base scenario, where no lever is on).
    pub(crate) fn workflow(
        &mut self,
        f: &ScenarioFile,
        variant: Option<&VariantSpec>,
        classes: &[Class],
        station_ix: &BTreeMap<&str, usize>,
    ) -> Workflow {
        compile(
            f.workflow.as_ref(),
            variant.map_or(&[][..], |v| &v.levers[..]),
            variant.and_then(|v| v.adoption.as_ref()),
            classes,
            station_ix,
            &variant_at(variant),
            &mut self.problems,
        )
    }

    /// The levers against the rest of the model: a kiosk nobody staffs, online registration
    /// with a walk-in day that never ends, a lever no step's role lets act (a warning).
    pub(crate) fn workflow_fits(
        &mut self,
        workflow: &Workflow,
        variant: Option<&VariantSpec>,
        stations: &[Station],
        streams: &[Stream],
        steps: &[Step],
    ) {
        let variant_at = variant_at(variant);
        if workflow.online.is_some() && self.calendar.is_some() {
            self.err(
                format!("{variant_at}.levers"),
                "online_registration is not supported with a [calendar] yet: a booked time is placed by the walk-in's rank in one day".into(),
            );
        }
        // A lever that sends patients to a station nobody ever staffs (an unstaffed kiosk)
        // would hold them forever while the results look better.
        if let Some(pc) = &workflow.point_of_care
            && let Some(k) = pc.kiosk_station
            && pc.counter_or_kiosk > pc.counter
            && stations[k as usize].max_servers == 0
        {
            self.err(
                "workflow.pay_at_point_of_care.kiosk_station".into(),
                format!(
                    "{}: sends {:.0}% of digital payers to station {:?}, which never has any servers, so they would never leave",
                    variant_at,
                    100.0 * (pc.counter_or_kiosk - pc.counter),
                    stations[k as usize].id
                ),
            );
        }
        if workflow.online.is_some()
            && streams
                .iter()
                .any(|s| matches!(s.kind, StreamKind::Poisson { .. }) && s.shape.is_none())
        {
            self.err(
                format!("{variant_at}.levers"),
                "online_registration needs every walk-in stream to end (set run.close or the stream's end)".into(),
            );
        }
        for &lever in &workflow.levers {
            // Online registration also acts on arrivals, so it always has something to do.
            if lever == Lever::OnlineRegistration {
                continue;
            }
            let roles = lever_roles(lever);
            if !steps
                .iter()
                .any(|s| s.role.is_some_and(|r| roles.contains(&r)))
            {
                self.warnings.push(format!(
                    "lever {} has nothing to act on (no step has role {})",
                    lever.name(),
                    roles
                        .iter()
                        .map(|r| r.name())
                        .collect::<Vec<_>>()
                        .join(" or ")
                ));
            }
        }
    }
}

/// Where a variant's problems are reported: `variants.<id>` (or `variants` for the base).
fn variant_at(variant: Option<&VariantSpec>) -> String {
    variant.map_or("variants".to_string(), |v| format!("variants.{}", v.id))
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
    w.adoption = adoption(spec, adoption_override, classes, variant_at, problems);
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
                Some(o) => w.online = online_registration(o, problems),
                None => missing(problems, lever),
            },
            Lever::PayAtPointOfCare => match &spec.pay_at_point_of_care {
                Some(p) => w.point_of_care = Some(point_of_care(p, station_ix, problems)),
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

/// Adoption by class (the variant's, else `[workflow].adoption`): every class needs a share.
fn adoption(
    spec: &WorkflowSpec,
    adoption_override: Option<&BTreeMap<String, f64>>,
    classes: &[Class],
    variant_at: &str,
    problems: &mut Vec<Problem>,
) -> Vec<f64> {
    let mut out = vec![0.0; classes.len()];
    let adoption = adoption_override.unwrap_or(&spec.adoption);
    let adoption_at = if adoption_override.is_some() {
        format!("{variant_at}.adoption")
    } else {
        "workflow.adoption".to_string()
    };
    for (cid, a) in adoption {
        match classes.iter().position(|c| &c.id == cid) {
            Some(i) => out[i] = share(problems, format!("{adoption_at}.{cid}"), *a),
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
    out
}

/// `[workflow.online_registration]`: the booked day's shape, punctuality and no-shows.
fn online_registration(
    o: &OnlineRegistrationSpec,
    problems: &mut Vec<Problem>,
) -> Option<OnlineRegistration> {
    let mut out = None;
    let at = "workflow.online_registration";
    let mut pieces = Vec::new();
    let mut prev = f64::NEG_INFINITY;
    for (
        i,
        RatePiece {
            from,
            to,
            rate,
            days,
        },
    ) in o.booked_rates.iter().enumerate()
    {
        if days.is_some() {
            problems.push(Problem::new(
                format!("{at}.booked_rates[{i}].days"),
                "`days` does not apply to booked_rates: the booked day has the walk-in day's shape"
                    .into(),
            ));
        }
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
            .map_err(|m| problems.push(Problem::new(format!("{at}.punctuality"), m)))
            .ok()
    });
    let no_show = share(problems, format!("{at}.no_show"), o.no_show);
    match DayShape::new(&pieces) {
        Some(booked) => {
            out = Some(OnlineRegistration {
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
    out
}

/// `[workflow.pay_at_point_of_care]`: the channel shares (counter, kiosk, in consultation).
fn point_of_care(
    p: &PointOfCareSpec,
    station_ix: &BTreeMap<&str, usize>,
    problems: &mut Vec<Problem>,
) -> PointOfCare {
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
    PointOfCare {
        counter: c,
        counter_or_kiosk: c + k,
        kiosk_station,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{MM1, problems_of, warnings_of};
    use crate::Model;
    use crate::scenario::Role;

    /// MM1 with a payment step, a kiosk and a workflow, built as variant `v` with `levers`.
    fn with_levers(levers: &str, extra: &str) -> String {
        format!(
            "{}{extra}\n[workflow]\nadoption = {{ patient = 0.5 }}\npay_at_point_of_care = {{ counter = 0.2, kiosk = 0.3, in_consultation = 0.5, kiosk_station = \"kiosk\" }}\ne_prescription = {{ home_delivery = 0.4 }}\n[[stations]]\nid = \"kiosk\"\nservers = 1\nservice = {{ dist = \"deterministic\", value = \"30s\" }}\n[[variants]]\nid = \"v\"\nlevers = {levers}\n",
            MM1.replace("15/h", "5/h").replace(
                r#"steps = [{ id = "desk", station = "desk", next = "exit" }]"#,
                r#"steps = [{ id = "desk", station = "desk", next = "pay" }, { id = "pay", station = "desk", role = "payment", next = "exit" }]"#,
            )
        )
    }

    fn variant(text: &str) -> Result<Model, Vec<String>> {
        Model::from_toml_variant(text, Some("v")).map_err(|e| match e {
            crate::ScenarioError::Invalid(p) => p.iter().map(|p| p.to_string()).collect(),
            e => vec![e.to_string()],
        })
    }

    #[test]
    fn levers_compile_to_cumulative_channel_shares() {
        let m = variant(&with_levers(r#"["pay_at_point_of_care"]"#, "")).unwrap();
        let pc = m.workflow.point_of_care.as_ref().unwrap();
        assert_eq!(
            (pc.counter, pc.counter_or_kiosk, pc.kiosk_station),
            (0.2, 0.5, Some(1))
        );
        assert_eq!(m.workflow.adoption, [0.5]);
        // The base scenario switches no lever on, so nobody is digital there.
        let base = Model::from_toml(&with_levers("[]", "")).unwrap();
        assert_eq!(base.workflow.adoption, [0.0]);
        assert!(base.workflow.levers.is_empty());
    }

    #[test]
    fn a_lever_without_its_table_is_refused() {
        assert_eq!(
            variant(&with_levers(r#"["credit_payment", "face_scan"]"#, "")).unwrap_err(),
            [
                "variants.v.levers: lever credit_payment is switched on but [workflow.credit_payment] is missing",
                "variants.v.levers: lever face_scan is switched on but [workflow.face_scan] is missing",
            ]
        );
        assert!(problems_of(&with_levers(r#"["credit_payment"]"#, "")).is_empty());
    }

    #[test]
    fn a_lever_with_no_step_of_its_roles_warns() {
        let m = variant(&with_levers(r#"["e_prescription"]"#, "")).unwrap();
        assert_eq!(
            m.warnings,
            ["lever e_prescription has nothing to act on (no step has role pharmacy)"]
        );
        assert!(warnings_of(&with_levers(r#"["e_prescription"]"#, "")).is_empty());
        assert_eq!(m.workflow.decision(Role::Pharmacy).bands().len(), 2);
    }
}

//! The scenarios bundled with the page, each with a paragraph on what to look for. The texts
//! are the files in `scenarios/`, compiled in, so the page works offline and the gallery can
//! never drift from what `carepath run` reads.

use serde::Serialize;

/// One bundled scenario.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Short id (also the file stem in `scenarios/`).
    pub id: &'static str,
    /// Title shown in the gallery.
    pub title: &'static str,
    /// What the scenario is and what to look for.
    pub blurb: &'static str,
    /// Variants selected when the scenario is opened (empty: the base scenario).
    pub variants: &'static [&'static str],
    /// The scenario file.
    pub toml: &'static str,
}

/// Every bundled scenario; the first is the page's default.
pub const GALLERY: &[Entry] = &[
    Entry {
        id: "future-hospital",
        title: "Future hospital: paper versus digital (flagship)",
        blurb: "About 10,800 outpatients a day with a 06:00–09:00 walk-in peak: registration, \
                consultation, tests, payment and pharmacy. The paper variant queues at every \
                window; the digital variant switches on six mobile-first levers (online \
                registration, paying at the point of care, credit payment, results online, face \
                scan, e-prescriptions). Look at the class table for peak-time patients who need \
                tests: close to five hours on paper, well under two digitally. Then move \
                the adoption slider down to the 15–30% real pilots reached, and switch levers off \
                one at a time to see which queue each one removes.",
        variants: &["paper", "digital"],
        toml: include_str!("../../scenarios/future-hospital.toml"),
    },
    Entry {
        id: "outpatient-clinic",
        title: "A small outpatient clinic (paper workflow)",
        blurb: "One weekday in a small general outpatient department: register, a five-minute \
                consultation after a long wait, a blood test for half the patients and a second \
                consultation for their results, then the cashier and the pharmacy — “three long, \
                one short”. Look at the consult queue over the day: it builds before the doctors \
                start, peaks mid-morning and refills over lunch when results come back. Add a \
                doctor and watch which queue takes over.",
        variants: &[],
        toml: include_str!("../../scenarios/outpatient-clinic.toml"),
    },
    Entry {
        id: "clinic-week",
        title: "A clinic's week: busy Monday, closed Sunday, overtime",
        blurb: "One replication is a week of a small outpatient department, Monday to Sunday: \
                Monday brings 30% more walk-ins (the weekend's backlog), Saturday is a morning \
                clinic with a smaller team, Sunday it is closed, and staff still seeing patients \
                when their day ends work overtime. Look at the by-day table and chart: Monday's \
                doctor wait is about 31 minutes against 8–10 on the other weekdays, Monday \
                accounts for 2.6 of the week's 4.2 staff-hours of overtime, and Sunday shows as \
                closed. The comparison with send_home turns those late queues into patients sent \
                home unseen, about 22 on Monday out of 40 in the week. Then try carry_over \
                (Monday's leftovers start Tuesday's queue) and monday_extra_doctors (two more \
                doctors on Monday mornings about halve Monday's wait and overtime).",
        variants: &["overtime", "send_home"],
        toml: include_str!("../../scenarios/clinic-week.toml"),
    },
    Entry {
        id: "wnasv-r2",
        title: "WNASV study: before and after (published table R2)",
        blurb: "A reproduction of a published before/after study of a “without the need for a \
                second visit” programme: peak-time waits for the doctor and for paying, with \
                payment at the counter, a kiosk or in the consulting room. Compare paper with \
                digital and check the waits against the published ones (32.3 → 28.4 min for the \
                doctor, 7.4 → 4.3 min to pay); digital_same_staff shows the levers alone.",
        variants: &["paper", "digital"],
        toml: include_str!("../../scenarios/wnasv-r2.toml"),
    },
    Entry {
        id: "teaching-appointments",
        title: "Teaching: appointments, no-shows and early patients",
        blurb: "Two doctors see booked patients in blocks of eight per half hour. Even with the \
                doctors idle a quarter of the time, patients at the back of each block wait. Look \
                at the consultation wait and the queue over the morning, then change the slot \
                booking, the no-show share or the punctuality in the editor.",
        variants: &[],
        toml: include_str!("../../scenarios/teaching-appointments.toml"),
    },
    Entry {
        id: "teaching-triage",
        title: "Teaching: triage with priority classes",
        blurb: "Two doctors, one queue, and a triage nurse who sends emergencies to the front. \
                Look at time in system by class: emergencies barely wait, routine patients absorb \
                almost all of it. Raise the arrival volume and see who pays for it.",
        variants: &[],
        toml: include_str!("../../scenarios/teaching-triage.toml"),
    },
    Entry {
        id: "teaching-lunch-break",
        title: "Teaching: everyone goes to lunch at once",
        blurb: "Three doctors all break from 12:00 to 13:30 while patients keep coming. Look at \
                the queue over the day: it grows through the break, peaks when the doctors \
                return, and the backlog takes about two hours to clear.",
        variants: &[],
        toml: include_str!("../../scenarios/teaching-lunch-break.toml"),
    },
    Entry {
        id: "teaching-reneging",
        title: "Teaching: patients who give up",
        blurb: "More patients than two doctors can see, a waiting room with eight chairs, and \
                patients whose patience runs out. Look at how many balk (the room is full) or \
                renege (they leave the queue), and how adding a doctor turns lost patients into \
                completed ones.",
        variants: &[],
        toml: include_str!("../../scenarios/teaching-reneging.toml"),
    },
    Entry {
        id: "teaching-shared-doctor",
        title: "Teaching: sharing doctors between two clinics",
        blurb: "Two walk-in clinics and the same four doctors. A consultation needs a doctor \
                and a room in the patient's clinic. With two rooms per clinic the doctors are \
                tied to their clinic; with four they go wherever a patient waits. Compare \
                own_doctors with shared_doctors: the busy clinic's wait falls from about 12 to \
                4 minutes with the same staff and the same patients. Then run own_doctors \
                alone and move the clinic A rooms slider to 3: one more room, where the queue \
                is, gives nearly all of that gain.",
        variants: &["own_doctors", "shared_doctors"],
        toml: include_str!("../../scenarios/teaching-shared-doctor.toml"),
    },
    Entry {
        id: "clinic-with-procedures",
        title: "Specialist clinic: staff and rooms shared between consultations and procedures",
        blurb: "Consultants do procedures and, when no registrar is free, consultations; a \
                consultation needs a room, a procedure the consultant, the procedure room and a \
                nurse; urgent patients interrupt routine consultations. Look at the shared \
                resources table: the procedure room, not the doctors, is the bottleneck, so a \
                second room shortens everyone's visit while a third registrar changes nothing. \
                Tick no_preemption to see what interrupting routine patients buys the urgent.",
        variants: &["today", "second_procedure_room"],
        toml: include_str!("../../scenarios/clinic-with-procedures.toml"),
    },
    Entry {
        id: "mmc",
        title: "Textbook M/M/c queue (Erlang C check)",
        blurb: "Five servers, exponential arrivals and service, half busy: the textbook queue \
                whose exact answers are known (mean wait 0.52 min, time in system 10.52 min). \
                Check the simulated mean wait against Erlang C, then push the arrival volume up \
                and watch the wait explode as utilisation nears one.",
        variants: &[],
        toml: include_str!("../../scenarios/mmc.toml"),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_scenario_and_its_default_variants_build() {
        for (k, e) in GALLERY.iter().enumerate() {
            assert!(GALLERY[..k].iter().all(|x| x.id != e.id), "{} twice", e.id);
            let base =
                sim_core::Model::from_toml(e.toml).unwrap_or_else(|err| panic!("{}: {err}", e.id));
            for v in e.variants {
                assert!(base.variant_ids().iter().any(|id| id == v), "{}: {v}", e.id);
                sim_core::Model::from_toml_variant(e.toml, Some(v)).unwrap();
            }
        }
    }
}

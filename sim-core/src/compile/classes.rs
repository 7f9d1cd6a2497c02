//! `[[classes]]`: priorities, service multipliers by station, and the shares that streams
//! without a fixed class draw from. A file without classes has one class, `patient`.

use super::Builder;
use crate::model::Class;
use crate::scenario::ClassSpec;
use std::collections::BTreeMap;

impl Builder {
    /// Compiles the classes, and their cumulative shares (empty when no class has a share).
    pub(crate) fn classes(
        &mut self,
        specs: &[ClassSpec],
        station_ix: &BTreeMap<&str, usize>,
        stations: usize,
    ) -> (Vec<Class>, Vec<f64>) {
        self.dup_check("classes", specs.iter().map(|c| c.id.as_str()));
        let mut classes = Vec::new();
        if specs.is_empty() {
            classes.push(Class {
                id: "patient".into(),
                name: "patient".into(),
                priority: 0,
                multipliers: vec![1.0; stations],
                leaves: true,
            });
        }
        if specs.len() > u16::MAX as usize {
            self.err("classes".into(), "too many classes".into());
        }
        for c in specs {
            let class = self.class(c, station_ix, stations);
            classes.push(class);
        }
        let shares: Vec<Option<f64>> = if specs.is_empty() {
            vec![Some(1.0)]
        } else {
            specs.iter().map(|c| c.share).collect()
        };
        let cumulative = self.class_shares(&classes, &shares);
        (classes, cumulative)
    }

    fn class(
        &mut self,
        c: &ClassSpec,
        station_ix: &BTreeMap<&str, usize>,
        stations: usize,
    ) -> Class {
        let at = format!("classes.{}", c.id);
        let base = c.service_multiplier.unwrap_or(1.0);
        if !(base.is_finite() && base > 0.0) {
            self.err(
                format!("{at}.service_multiplier"),
                format!("must be greater than zero (got {base})"),
            );
        }
        let mut multipliers = vec![base; stations];
        for (sid, m) in &c.station_multipliers {
            match station_ix.get(sid.as_str()) {
                Some(&i) => multipliers[i] = *m,
                None => self.err(
                    format!("{at}.station_multipliers.{sid}"),
                    format!("no station is called {sid:?}"),
                ),
            }
            if !(m.is_finite() && *m > 0.0) {
                self.err(
                    format!("{at}.station_multipliers.{sid}"),
                    format!("must be greater than zero (got {m})"),
                );
            }
        }
        Class {
            id: c.id.clone(),
            name: c.name.clone().unwrap_or_else(|| c.id.clone()),
            priority: c.priority,
            multipliers,
            leaves: c.leaves,
        }
    }

    /// Cumulative class shares, the last exactly 1; empty when no class has a share.
    fn class_shares(&mut self, classes: &[Class], shares: &[Option<f64>]) -> Vec<f64> {
        let mut cumulative = Vec::new();
        if !shares.iter().any(Option::is_some) {
            return cumulative;
        }
        let mut acc = 0.0;
        for (i, s) in shares.iter().enumerate() {
            let s = s.unwrap_or(0.0);
            if !(0.0..=1.0).contains(&s) {
                self.err(
                    format!("classes.{}.share", classes[i].id),
                    format!("a share must be between 0 and 1 (got {s})"),
                );
            }
            acc += s;
            cumulative.push(acc);
        }
        if (acc - 1.0).abs() > 1e-9 {
            self.err(
                "classes".into(),
                format!("class shares sum to {acc}, not 1"),
            );
        }
        if let Some(last) = cumulative.last_mut() {
            *last = 1.0;
        }
        cumulative
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{MM1, problems_of};
    use crate::Model;

    const TWO: &str = "[[classes]]\nid = \"a\"\nshare = 0.25\n[[classes]]\nid = \"b\"\nshare = 0.75\nservice_multiplier = 2.0\nstation_multipliers = { desk = 0.5 }\n";

    #[test]
    fn shares_accumulate_and_multipliers_replace_by_station() {
        let m = Model::from_toml(&format!("{MM1}{TWO}")).unwrap();
        assert_eq!(m.class_cumulative, [0.25, 1.0]);
        assert_eq!(m.classes[1].multipliers, [0.5]);
        assert!(m.has_multipliers);
    }

    #[test]
    fn without_classes_every_patient_is_of_class_patient() {
        let m = Model::from_toml(MM1).unwrap();
        assert_eq!(m.classes.len(), 1);
        assert_eq!(m.classes[0].id, "patient");
        assert_eq!(m.class_cumulative, [1.0]);
    }

    #[test]
    fn shares_must_sum_to_one_and_multipliers_be_positive() {
        let text = format!(
            "{MM1}{}",
            TWO.replace("0.75", "0.5")
                .replace("2.0", "0.0")
                .replace("desk = 0.5", "desk = 1.0, lab = 1.0")
        );
        assert_eq!(
            problems_of(&text),
            [
                "classes.b.service_multiplier: must be greater than zero (got 0)",
                "classes.b.station_multipliers.lab: no station is called \"lab\"",
                "classes: class shares sum to 0.75, not 1",
            ]
        );
    }
}

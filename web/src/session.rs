//! A run the page drives one replication at a time, so the worker can report progress between
//! replications and be stopped between them. One variant gives a run (`summary.json`, as
//! `carepath run --out` writes it); two or more give a comparison with common random numbers
//! and paired differences (`comparison.json`, as `carepath compare --out` writes it but without
//! the independent-streams contrast, which would double the time).

use carepath_charts::report::{RunView, label, sections};
use carepath_charts::{ChartError, VariantInput};
use serde::Serialize;
use sim_core::compare::{VariantRun, compare};
use sim_core::study::{Findings, StudyState};
use sim_core::{Model, ScenarioError, Study};

/// A run in progress: one study per variant. Each replication is folded into its variant's
/// study as soon as it has run, so memory does not grow with the number of replications.
pub struct Session {
    models: Vec<Model>,
    /// Each variant's study between calls (`None` only while a step runs it).
    studies: Vec<Option<StudyState>>,
    warnings: Vec<String>,
    /// Set if a replication stopped with an error (the engine's guard; not expected for a
    /// validated model).
    failure: Option<String>,
}

/// One chart of the result.
#[derive(Debug, Serialize)]
pub struct ChartOut {
    /// File stem (`time_breakdown`, `queue_length_paper`, …).
    pub stem: String,
    /// Title.
    pub title: String,
    /// The SVG document.
    pub svg: String,
}

/// A variant's headline numbers (for the page's summary line).
#[derive(Debug, Serialize)]
pub struct Headline {
    /// Variant label.
    pub variant: String,
    /// Mean time in system (min).
    pub time_in_system_mean: f64,
    /// Its 95% CI.
    pub ci95: (Option<f64>, Option<f64>),
    /// Patients completed per replication (mean).
    pub completed: f64,
}

/// The finished result.
#[derive(Debug, Serialize)]
pub struct Outcome {
    /// `"run"` or `"compare"`.
    pub kind: &'static str,
    /// `summary.json` (run) or `comparison.json` (compare), byte for byte as the CLI writes it.
    pub json: String,
    /// Result sections (tables and inline charts), as in `carepath report`.
    pub html: String,
    /// Every chart, for downloading.
    pub charts: Vec<ChartOut>,
    /// Headline numbers per variant.
    pub headline: Vec<Headline>,
    /// Warnings about the scenario.
    pub warnings: Vec<String>,
    /// Replications per variant.
    pub replications: u32,
    /// Seed.
    pub seed: u64,
}

/// Settles `run.warm_up = "auto"` as the command line does (`warmup::settle_together`): each
/// model that asks for it runs its replications once as a pilot (here, in this worker, one
/// after another), and the scenario takes the longest warm-up MSER-5 finds. An inconclusive
/// analysis is a scenario problem at `run.warm_up`.
fn settle_warm_up(
    scenario: &sim_core::Scenario,
    variants: &[Option<&str>],
) -> Result<sim_core::Scenario, ScenarioError> {
    sim_core::stats::warmup::settle_together(
        scenario,
        variants,
        &Default::default(),
        |m| {
            let mut study = sim_core::Study::new(m);
            study.run().map(|()| study.into_accumulator())
        },
        |_, _| {},
    )
    .map_err(sim_core::stats::warmup::SettleError::into_scenario_error)
}

impl Session {
    /// Builds the models: the base scenario when `variants` is empty, else each named variant,
    /// with the data files the scenario reads taken from `data` (see [`crate::data`]).
    pub fn new(
        text: &str,
        variants: &[String],
        data: &crate::data::Texts,
    ) -> Result<Session, ScenarioError> {
        let scenario = crate::data::attach(sim_core::Scenario::parse(text)?, data)?;
        let base = scenario.model(None)?;
        let names: Vec<Option<&str>> = if variants.is_empty() {
            vec![None]
        } else {
            variants.iter().map(|v| Some(v.as_str())).collect()
        };
        let scenario = settle_warm_up(&scenario, &names)?;
        let models = names
            .iter()
            .map(|&v| scenario.model(v))
            .collect::<Result<Vec<_>, _>>()?;
        let refs: Vec<&Model> = models.iter().collect();
        let warnings = carepath_charts::report::warnings(base.warnings(), &refs);
        let studies = models.iter().map(|m| Some(StudyState::new(m))).collect();
        Ok(Session {
            models,
            studies,
            warnings,
            failure: None,
        })
    }

    /// Replications to run in all.
    pub fn total(&self) -> u32 {
        self.models.iter().map(|m| m.replications()).sum()
    }

    /// Replications run so far.
    pub fn done(&self) -> u32 {
        self.studies
            .iter()
            .flatten()
            .map(StudyState::completed)
            .sum()
    }

    /// Runs the next replication; false when every replication has run.
    pub fn step(&mut self) -> bool {
        if self.failure.is_some() {
            return false;
        }
        for (model, slot) in self.models.iter().zip(&mut self.studies) {
            let Some(state) = slot.take() else { continue };
            let mut study = Study::resume(model, state);
            let ran = study.step();
            *slot = Some(study.pause());
            match ran {
                Ok(true) => return true,
                Ok(false) => {}
                Err(e) => {
                    self.failure = Some(e.to_string());
                    return false;
                }
            }
        }
        false
    }

    /// Summaries, charts and tables once every replication has run.
    pub fn finish(&self) -> Result<Outcome, String> {
        if let Some(e) = &self.failure {
            return Err(format!("the simulation stopped: {e}"));
        }
        if self.done() < self.total() {
            return Err("the run has not finished".into());
        }
        let accumulators: Vec<_> = self
            .studies
            .iter()
            .flatten()
            .map(|s| s.accumulator())
            .collect();
        let findings: Vec<Findings> = self
            .models
            .iter()
            .zip(&accumulators)
            .map(|(m, acc)| Findings::of(m, acc))
            .collect();
        let comparison = (self.models.len() >= 2).then(|| {
            let runs: Vec<VariantRun<'_>> = self
                .models
                .iter()
                .zip(&accumulators)
                .zip(&findings)
                .map(|((model, run), findings)| VariantRun {
                    model,
                    run,
                    findings,
                    independent: None,
                })
                .collect();
            compare(&runs)
        });
        let mut json = match &comparison {
            Some(c) => serde_json::to_string_pretty(c),
            None => serde_json::to_string_pretty(&findings[0].summary),
        }
        .map_err(|e| e.to_string())?;
        json.push('\n');
        let views: Vec<RunView<'_>> = (0..self.models.len())
            .map(|i| RunView {
                model: &self.models[i],
                summary: &findings[i].summary,
                breakdown: &findings[i].breakdown,
                series: &findings[i].series,
            })
            .collect();
        let html =
            sections(&views, comparison.as_ref(), &self.warnings).map_err(|e| e.to_string())?;
        let inputs: Vec<VariantInput<'_>> = views
            .iter()
            .map(|r| {
                VariantInput::new(label(r.model), r.model, r.summary, r.breakdown)
                    .with_series(r.series)
            })
            .collect();
        let (charts, _skipped) =
            carepath_charts::standard_charts(&inputs).map_err(|e| e.to_string())?;
        let charts = charts
            .iter()
            .map(|c| {
                Ok(ChartOut {
                    stem: c.file_stem().to_string(),
                    title: c.title().to_string(),
                    svg: c.svg()?,
                })
            })
            .collect::<Result<Vec<_>, ChartError>>()
            .map_err(|e| e.to_string())?;
        let headline = views
            .iter()
            .map(|r| Headline {
                variant: label(r.model).to_string(),
                time_in_system_mean: r.summary.time_in_system_min.mean,
                ci95: (
                    r.summary.time_in_system_min.ci95_low,
                    r.summary.time_in_system_min.ci95_high,
                ),
                completed: r.summary.patients.completed.mean,
            })
            .collect();
        Ok(Outcome {
            kind: if comparison.is_some() {
                "compare"
            } else {
                "run"
            },
            json,
            html,
            charts,
            headline,
            warnings: self.warnings.clone(),
            replications: self.models[0].replications(),
            seed: self.models[0].seed(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Texts;

    #[test]
    fn a_run_gives_the_clis_summary_json() {
        let text = include_str!("../../scenarios/mm1.toml")
            .replace("replications = 20", "replications = 3");
        let mut s = Session::new(&text, &[], &Texts::new()).unwrap();
        let total = s.total();
        let mut steps = 0;
        while s.step() {
            steps += 1;
        }
        assert_eq!(steps, total);
        let out = s.finish().unwrap();
        assert_eq!(out.kind, "run");
        let model = Model::from_toml(&text).unwrap();
        let results: Vec<_> = (0..model.replications())
            .map(|r| sim_core::run_replication(&model, r).unwrap())
            .collect();
        let expected = serde_json::to_string_pretty(
            &sim_core::summary::Accumulator::from_results(&model, &results).summary(&model),
        )
        .unwrap()
            + "\n";
        assert_eq!(out.json, expected);
        assert!(out.html.contains("id=\"summary\""));
        assert!(out.charts.iter().any(|c| c.stem == "time_breakdown"));
    }

    #[test]
    fn two_variants_give_a_comparison() {
        // Two replications keep the test quick.
        let text = include_str!("../../scenarios/future-hospital.toml")
            .replace("replications = 20 ", "replications = 2 ");
        let mut s =
            Session::new(&text, &["paper".into(), "digital".into()], &Texts::new()).unwrap();
        assert!(s.finish().is_err());
        assert_eq!(s.total(), 4);
        while s.step() {}
        let out = s.finish().unwrap();
        assert_eq!(out.kind, "compare");
        assert!(out.json.contains("\"differences\""));
        assert!(out.html.contains("id=\"diff\""));
        assert!(out.headline[0].time_in_system_mean > out.headline[1].time_in_system_mean);
    }

    #[test]
    fn a_data_file_gives_the_results_of_its_values_inline() {
        use crate::data::tests::{WITH_FILE, texts};
        let inline = WITH_FILE.replace(
            "file = \"obs.csv\", column = \"consult\"",
            "values = [\"4.5min\", \"12min\", \"7.25min\", \"6min\", \"9.5min\"]",
        );
        let finish = |text: &str, data: &Texts| {
            let mut s = Session::new(text, &[], data).unwrap();
            while s.step() {}
            s.finish().unwrap()
        };
        let (from_file, written) = (finish(WITH_FILE, &texts()), finish(&inline, &Texts::new()));
        assert_eq!(from_file.json, written.json);
        assert_eq!(
            from_file.headline[0].time_in_system_mean,
            written.headline[0].time_in_system_mean
        );
        // Without the file nothing runs: the problem is placed at the distribution.
        match Session::new(WITH_FILE, &[], &Texts::new()) {
            Err(ScenarioError::Invalid(p)) => {
                assert_eq!(
                    p[0].to_string(),
                    "stations.doctor.service: data file \"obs.csv\" was not supplied"
                );
                assert!(p[0].place.is_some(), "{p:?}");
            }
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("ran without its data file"),
        }
    }

    #[test]
    fn unknown_variants_are_errors() {
        let text = include_str!("../../scenarios/future-hospital.toml");
        assert!(Session::new(text, &["papr".into()], &Texts::new()).is_err());
    }
}

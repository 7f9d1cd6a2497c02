//! The compiler: a scenario file (as written, [`crate::scenario`]) checked and built into a
//! runnable [`Model`] ([`crate::model`]).
//!
//! `Model::from_toml` is the single gate: it reports syntax errors with line and column, then
//! lists *every* semantic problem it finds (not only the first), each naming its place in the
//! file. Once a `Model` exists the engine cannot fail on it. Warnings (e.g. a station whose
//! offered load exceeds its capacity) do not stop a run.
//!
//! One module per section of the file, in the order they are compiled: [`run`] (hours and
//! stopping rules), [`calendar`] (the days of a week-long run), [`resources`] (shared pools) and [`stations`] (staffing, and the
//! resources each station requires), [`classes`], [`pathways`] (steps, branches, the
//! graph checks and routing tables), [`arrivals`] (streams and the expected number of
//! arrivals), [`workflow`] (the levers of a variant), [`targets`] (service levels). Checks on the assembled model follow:
//! [`bounds`] (what the clock can represent), [`memory`] (what a study needs), loops that
//! almost never exit, and the [`load`] warning. A new scenario key is parsed in
//! `scenario/<section>.rs`, checked and compiled in `compile/<section>.rs`, and lands in a
//! field of `model/`.

pub mod arrivals;
pub mod bounds;
pub mod calendar;
pub mod classes;
pub mod leaving;
pub mod load;
pub mod memory;
pub mod pathways;
pub mod resources;
pub mod run;
pub mod spans;
pub mod stations;
pub mod targets;
pub mod workflow;

#[cfg(test)]
pub(crate) mod test_util;

use crate::distribution::{Dist, DistSpec};
use crate::error::{Problem, ScenarioError, line_column};
use crate::model::{MAX_EXPECTED_VISITS, Model, StepKind, Stream, StreamKind};
use crate::scenario::units::format_clock;
use crate::scenario::{Overrides, Scenario, ScenarioFile, VariantSpec};
use std::collections::{BTreeMap, BTreeSet};

impl Model {
    /// Parses and checks a scenario (its base, without any variant). Errors carry line and
    /// column, or the full problem list.
    pub fn from_toml(source: &str) -> Result<Model, ScenarioError> {
        Model::from_toml_variant(source, None)
    }

    /// Parses a scenario and builds the named variant (None: the base scenario). To build
    /// several variants of one file, parse it once with [`Scenario::parse`].
    pub fn from_toml_variant(source: &str, variant: Option<&str>) -> Result<Model, ScenarioError> {
        Scenario::parse(source)?.model(variant)
    }

    /// Checks an already-parsed scenario file (its base, without any variant).
    pub fn from_file(f: &ScenarioFile) -> Result<Model, ScenarioError> {
        let (variant_ids, problems) = variant_list(f);
        let mut model = Builder {
            problems,
            ..Builder::default()
        }
        .build(f, None)?;
        model.variant_ids = variant_ids;
        Ok(model)
    }
}

/// The ids a file declares for its variants, and the problems with that list (an empty or
/// reserved id, an id used twice).
fn variant_list(f: &ScenarioFile) -> (std::sync::Arc<[String]>, Vec<Problem>) {
    let mut b = Builder::default();
    b.dup_check("variants", f.variants.iter().map(|v| v.id.as_str()));
    (
        f.variants.iter().map(|v| v.id.clone()).collect(),
        b.problems,
    )
}

impl Scenario {
    /// Parses `source`; syntax errors carry line and column.
    pub fn parse(source: &str) -> Result<Scenario, ScenarioError> {
        let syntax = |e: toml::de::Error| {
            let (line, column) = e.span().map_or((1, 1), |s| line_column(source, s.start));
            ScenarioError::Syntax {
                line,
                column,
                message: e.message().trim().to_string(),
            }
        };
        let file: ScenarioFile = toml::from_str(source).map_err(syntax)?;
        let mut base: toml::Table = toml::from_str(source).map_err(syntax)?;
        let data_files = crate::data::referenced(&base);
        base.remove("variants");
        let (variant_ids, variant_problems) = variant_list(&file);
        let mut variant_index = BTreeMap::new();
        for (i, v) in file.variants.iter().enumerate() {
            variant_index.entry(v.id.clone()).or_insert(i);
        }
        Ok(Scenario {
            source: source.into(),
            variant_ids,
            variant_problems,
            variant_index,
            file,
            base,
            data_files,
            settings: std::sync::Arc::from([]),
        })
    }

    /// The data files this scenario refers to (paths as written, relative to the scenario
    /// file), which [`Scenario::with_data`] expects.
    pub fn data_files(&self) -> Vec<String> {
        self.data_files.clone()
    }

    /// Attaches the data files: each empirical distribution with a `file` gets that file's
    /// values, as if they had been written inline. A missing or bad file, column or value is
    /// a problem reported, placed at its distribution, by every model built afterwards.
    pub fn with_data(mut self, data: &crate::data::DataFiles) -> Result<Scenario, ScenarioError> {
        if self.data_files().is_empty() {
            return Ok(self);
        }
        let mut root: toml::Table = toml::from_str(&self.source).map_err(|e| {
            ScenarioError::Invalid(vec![Problem::new(String::new(), e.message().to_string())])
        })?;
        let problems = crate::data::resolve(&mut root, data);
        let file: ScenarioFile =
            toml::Value::Table(root.clone())
                .try_into()
                .map_err(|e: toml::de::Error| {
                    ScenarioError::Invalid(vec![Problem::new(
                        String::new(),
                        format!("with its data files: {}", e.message().trim()),
                    )])
                })?;
        root.remove("variants");
        self.file = file;
        self.base = root;
        self.variant_problems.extend(problems);
        Ok(self)
    }

    /// Builds the named variant (None: the base scenario); its problems are placed in the
    /// text (see [`crate::compile::spans`]).
    pub fn model(&self, variant: Option<&str>) -> Result<Model, ScenarioError> {
        self.model_with(variant, &Overrides::default())
    }

    /// Builds the named variant with `overrides` in place of the file's `[run]` values, checked
    /// exactly as if they had been written there (a model cannot be changed after it is
    /// built, so this is how a command-line `--seed`, `--replications` or `--max-arrivals`
    /// reaches it). Problems are placed in the text, except those with an overridden value,
    /// which is not in the text.
    pub fn model_with(
        &self,
        variant: Option<&str>,
        overrides: &Overrides,
    ) -> Result<Model, ScenarioError> {
        self.build(variant, overrides).map_err(|mut e| {
            if let ScenarioError::Invalid(problems) = &mut e {
                crate::compile::spans::place(&self.source, variant, problems);
                for p in problems.iter_mut() {
                    if overrides.covers(&p.at) || self.settings.iter().any(|s| s.covers(&p.at)) {
                        p.place = None;
                    } else {
                        for s in self.settings.iter().filter(|s| s.is_inside(&p.at)) {
                            p.message = format!("{} (with {} set)", p.message, s.display());
                        }
                    }
                }
            }
            e
        })
    }

    fn build(&self, variant: Option<&str>, overrides: &Overrides) -> Result<Model, ScenarioError> {
        let overridden;
        let file = if overrides.is_empty() {
            &self.file
        } else {
            overridden = ScenarioFile {
                run: overrides.apply(&self.file.run),
                ..self.file.clone()
            };
            &overridden
        };
        let builder = || Builder {
            problems: self.variant_problems.clone(),
            ..Builder::default()
        };
        let Some(id) = variant else {
            if self.settings.is_empty() {
                let mut model = builder().build(file, None)?;
                model.variant_ids = self.variant_ids.clone();
                return Ok(model);
            }
            let mut tree = self.base.clone();
            let problems = crate::scenario::setting::apply(&mut tree, None, &self.settings);
            let mut resolved = self.resolve(tree, problems, "the scenario")?;
            resolved.run = overrides.apply(&resolved.run);
            let mut model = builder().build(&resolved, None)?;
            model.variant_ids = self.variant_ids.clone();
            return Ok(model);
        };
        let Some(spec) = self.variant_index.get(id).map(|&i| &file.variants[i]) else {
            let known: Vec<&str> = file.variants.iter().map(|v| v.id.as_str()).collect();
            return Err(ScenarioError::Invalid(vec![Problem::new(
                "variants".into(),
                if known.is_empty() {
                    format!("no variant is called {id:?}: this scenario declares no variants")
                } else {
                    format!(
                        "no variant is called {id:?} (declared: {})",
                        known.join(", ")
                    )
                },
            )]));
        };
        let mut merged =
            crate::scenario::variant::apply(&self.base, spec).map_err(ScenarioError::Invalid)?;
        let mut spec = std::borrow::Cow::Borrowed(spec);
        let mut problems = Vec::new();
        if !self.settings.is_empty() {
            let own = spec.to_mut().adoption.as_mut();
            problems = crate::scenario::setting::apply(&mut merged, own, &self.settings);
        }
        let mut resolved = self
            .resolve(
                merged,
                problems,
                "the scenario with this variant's overlays",
            )
            .map_err(|e| match e {
                ScenarioError::Invalid(mut p) if self.settings.is_empty() => {
                    for p in &mut p {
                        p.at = format!("variants.{id}");
                    }
                    ScenarioError::Invalid(p)
                }
                e => e,
            })?;
        resolved.run = overrides.apply(&resolved.run);
        let mut model = builder().build(&resolved, Some(&spec))?;
        model.variant = id.to_string();
        model.variant_ids = self.variant_ids.clone();
        Ok(model)
    }
}

impl Scenario {
    /// The file a resolved tree (a variant's overlays and the settings applied) describes.
    /// `problems` are those found applying the settings; a tree that no longer reads as a
    /// scenario (a setting of the wrong type) is a problem at the setting that made it so,
    /// when one can be named.
    fn resolve(
        &self,
        tree: toml::Table,
        mut problems: Vec<Problem>,
        what: &str,
    ) -> Result<ScenarioFile, ScenarioError> {
        if !problems.is_empty() {
            return Err(ScenarioError::Invalid(problems));
        }
        toml::Value::Table(tree)
            .try_into()
            .map_err(|e: toml::de::Error| {
                let message = e.message().trim().to_string();
                // The deserialiser does not say where: name the settings (the file alone reads).
                let at = self
                    .settings
                    .iter()
                    .map(|s| s.path.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                problems.push(Problem::new(
                    at,
                    if self.settings.is_empty() {
                        format!("{what} is not valid: {message}")
                    } else {
                        format!(
                            "{what} with the values set ({}) is not valid: {message}",
                            self.settings
                                .iter()
                                .map(crate::scenario::Setting::display)
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    },
                ));
                ScenarioError::Invalid(problems)
            })
    }
}

/// The problems and warnings found so far; each section's compiler is a method on it.
#[derive(Default)]
pub(crate) struct Builder {
    pub(crate) problems: Vec<Problem>,
    pub(crate) warnings: Vec<String>,
    /// The run's days, once `[calendar]` is compiled (None without one).
    pub(crate) calendar: Option<crate::model::calendar::Calendar>,
}

impl Builder {
    pub(crate) fn err(&mut self, at: String, message: String) {
        self.problems.push(Problem::new(at, message));
    }

    /// Compiles a distribution, reporting a bad one at `at` (and standing in a zero).
    pub(crate) fn dist(&mut self, at: String, spec: &DistSpec, non_negative: bool) -> Dist {
        Dist::compile(spec, non_negative).unwrap_or_else(|m| {
            self.err(at, m);
            Dist::Det { value: 0.0 }
        })
    }

    /// Ids of one list: none empty, none `exit`, none twice.
    pub(crate) fn dup_check<'a>(&mut self, what: &str, ids: impl Iterator<Item = &'a str>) {
        let mut seen = BTreeSet::new();
        for id in ids {
            if id.is_empty() {
                self.err(what.to_string(), "an id is empty".into());
            } else if id == "exit" {
                self.err(
                    format!("{what}.{id}"),
                    "\"exit\" is reserved for leaving the system".into(),
                );
            } else if !seen.insert(id) {
                self.err(format!("{what}.{id}"), format!("id {id:?} is used twice"));
            }
        }
    }

    /// Builds `f` (already resolved for `variant`), section by section.
    fn build(
        mut self,
        f: &ScenarioFile,
        variant: Option<&VariantSpec>,
    ) -> Result<Model, ScenarioError> {
        let hours = self.run(&f.run);
        self.calendar = self.calendar(f.calendar.as_ref(), &f.run, &hours);
        let mut resources = self.resources(&f.resources);
        let mut stations = self.stations(&f.stations, &mut resources);
        let station_ix: BTreeMap<&str, usize> = f
            .stations
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let (classes, class_cumulative) = self.classes(&f.classes, &station_ix, stations.len());
        self.leaving(&f.stations, &mut stations, &classes);
        let paths = self.pathways(&f.pathways, &station_ix, &stations, &classes);
        for step in &paths.steps {
            if let StepKind::Visit {
                station,
                by_appointment: true,
                ..
            } = step.kind
            {
                stations[station as usize].by_appointment = true;
            }
        }
        let streams = self.arrivals(f, &hours, &paths.pathways, &classes, &class_cumulative);
        self.sampling(&hours);
        let workflow = self.workflow(f, variant, &classes, &station_ix);
        let targets = self.targets(&f.targets, &station_ix, &stations, &classes);
        self.workflow_fits(&workflow, variant, &stations, &streams, &paths.steps);
        if !self.problems.is_empty() {
            return Err(ScenarioError::Invalid(self.problems));
        }
        let mut model = Model {
            name: f.scenario.name.clone(),
            description: f.scenario.description.clone(),
            open: hours.open,
            // With a calendar, walk-ins stop each day at that day's close (their pieces are cut
            // there); the run's close is the last open day's.
            close: match &self.calendar {
                Some(c) => c.open_days().filter_map(|d| d.close).reduce(f64::max),
                None => hours.close,
            },
            stop: hours.stop,
            max_arrivals: f.run.max_arrivals,
            seed: f.run.seed,
            replications: f.run.replications,
            stats_start: if f.run.warm_up.is_some() {
                hours.open + hours.warm_up
            } else {
                first_activity(hours.open, &streams)
            },
            sample_interval: hours.sample_interval,
            warm_up_auto: hours.warm_up_auto,
            classes,
            class_cumulative,
            stations,
            resources,
            steps: paths.steps,
            pathways: paths.pathways,
            routes: paths.routes,
            streams,
            warnings: self.warnings,
            has_multipliers: false,
            variant: String::new(),
            // Filled in by `Scenario::model` (shared, so building n variants stays linear).
            variant_ids: std::sync::Arc::from(Vec::new()),
            workflow,
            targets,
            calendar: self.calendar.take(),
        };
        model.has_multipliers = model
            .classes
            .iter()
            .any(|c| c.multipliers.iter().any(|&x| x != 1.0));
        let problems = model_checks(&model, f.run.warm_up.is_some());
        if !problems.is_empty() {
            return Err(ScenarioError::Invalid(problems));
        }
        let load = load::offered_load(&model);
        model.warnings.extend(load);
        Ok(model)
    }
}

/// Checks on the assembled model: what the clock can represent, the memory a study needs, a
/// warm-up that leaves nothing to observe, and loops that almost never exit.
fn model_checks(model: &Model, has_warm_up: bool) -> Vec<Problem> {
    // Times and durations the clock cannot represent (see `bounds`).
    let mut problems = bounds::check(model);
    // A study too large for memory is refused before it starts (see `memory`).
    if let Err(message) = memory::check(model) {
        problems.push(Problem::new("run.replications".into(), message));
    }
    // A warm-up that reaches past the end of the run leaves nothing to observe.
    let end = model.stop.or(model.close);
    if has_warm_up
        && let Some(end) = end
        && model.stats_start >= end
    {
        problems.push(Problem::new("run.warm_up".into(), format!(
                "the warm-up ends at {}, at or after the {} ({}), so nothing would be observed: shorten the warm-up",
                format_clock(model.stats_start),
                if model.stop.is_some() { "end of the run" } else { "closing time" },
                format_clock(end)
            )));
    }
    // Loops with a tiny exit probability make patients circle (almost) forever.
    for st in &model.streams {
        for c in 0..model.classes.len() {
            let visits: f64 = load::expected_visits(model, st.start_step, c).iter().sum();
            if visits.is_nan() || visits > MAX_EXPECTED_VISITS {
                let pathway = model.steps[st.start_step as usize].pathway as usize;
                problems.push(Problem::new(format!("pathways.{}", model.pathways[pathway].id), format!(
                        "a patient of class {:?} would pass through about {visits:.0} steps on average (a loop almost never exits); the limit is {MAX_EXPECTED_VISITS:.0}",
                        model.classes[c].id
                    )));
            }
        }
    }
    problems.extend(preemption_without_lower_class(model));
    problems.dedup();
    problems
}

/// A station set to preempt needs a lower class among the classes that visit it: with one
/// priority there, nobody could ever be interrupted and the setting would silently do nothing.
fn preemption_without_lower_class(model: &Model) -> Vec<Problem> {
    let preempting: Vec<usize> = (0..model.stations.len())
        .filter(|&s| model.stations[s].preemption.is_some())
        .collect();
    if preempting.is_empty() {
        return Vec::new();
    }
    // reaches[c][s]: class c can reach station s.
    let mut reaches = vec![vec![false; model.stations.len()]; model.classes.len()];
    for st in &model.streams {
        for (c, reach) in reaches.iter_mut().enumerate() {
            let may_come = match st.class {
                Some(k) => k as usize == c,
                None => {
                    let below = if c == 0 {
                        0.0
                    } else {
                        model.class_cumulative[c - 1]
                    };
                    model.class_cumulative[c] > below
                }
            };
            if !may_come {
                continue;
            }
            let visits = load::expected_visits(model, st.start_step, c);
            for (step, v) in model.steps.iter().zip(&visits) {
                if let StepKind::Visit { station, .. } = step.kind
                    && *v > 0.0
                {
                    reach[station as usize] = true;
                }
            }
        }
    }
    let mut problems = Vec::new();
    for s in preempting {
        let classes: Vec<&crate::model::Class> = model
            .classes
            .iter()
            .zip(&reaches)
            .filter(|(_, reach)| reach[s])
            .map(|(c, _)| c)
            .collect();
        let lowest = classes.iter().map(|c| c.priority).min();
        if classes.is_empty() || classes.iter().all(|c| Some(c.priority) == lowest) {
            let who: Vec<String> = classes.iter().map(|c| format!("{:?}", c.id)).collect();
            problems.push(Problem::new(
                format!("stations.{}.preemption", model.stations[s].id),
                if classes.is_empty() {
                    "no patient class ever visits this station, so preemption would never happen"
                        .into()
                } else {
                    format!(
                        "every class that visits this station ({}) has priority {}, so there is no lower class to preempt: give the urgent class a larger `priority` in [[classes]], or remove `preemption`",
                        who.join(", "),
                        lowest.unwrap_or(0)
                    )
                },
            ));
        }
    }
    problems
}

/// The earlier of `open` and the first moment any stream can bring a patient.
fn first_activity(open: f64, streams: &[Stream]) -> f64 {
    streams
        .iter()
        .filter_map(|s| match &s.kind {
            StreamKind::Poisson { pieces } => pieces.first().map(|p| p.0),
            StreamKind::Appointments {
                sessions,
                punctuality,
                ..
            } => sessions.first().map(|s| {
                (s.0 + punctuality
                    .as_ref()
                    .map_or(0.0, |p| p.lower_bound().min(0.0)))
                .max(0.0)
            }),
            StreamKind::Batch { at, .. } => Some(*at),
        })
        .fold(open, f64::min)
}

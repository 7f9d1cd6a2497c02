//! The validated model: a scenario file checked and compiled into compact, index-based tables
//! the engine can run without further checks (or hashing, or string look-ups).
//!
//! `Model::from_toml` is the single gate: it reports syntax errors with line and column, then
//! lists *every* semantic problem it finds (not only the first), each naming its place in the
//! file. Once a `Model` exists the engine cannot fail on it. Warnings (e.g. a station whose
//! offered load exceeds its capacity) do not stop a run.

use crate::distribution::Dist;
use crate::error::{Problem, ScenarioError, line_column};
use crate::pathway::{RouteTable, check_pathway};
use crate::rng::name_hash;
use crate::scenario::{ArrivalKind, Discipline, ScenarioFile, Servers};
use crate::units::format_clock;
use std::collections::{BTreeMap, BTreeSet};

/// Step index meaning "leave the system".
pub const EXIT: u32 = u32::MAX;

/// Largest expected number of arrivals in one replication without an explicit `max_arrivals`.
pub const MAX_EXPECTED_ARRIVALS: f64 = 50_000_000.0;
/// Largest number of replications.
pub const MAX_REPLICATIONS: u32 = 100_000;
/// Largest number of servers at one station.
pub const MAX_SERVERS: u32 = 100_000;
/// Largest expected number of steps one patient passes through (loops included).
pub const MAX_EXPECTED_VISITS: f64 = 10_000.0;
/// Largest number of queue-length samples per station and replication.
pub const MAX_SAMPLES: usize = 20_000;

/// A patient class, compiled.
#[derive(Debug, Clone)]
pub struct Class {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Priority (larger first).
    pub priority: i32,
    /// Service-time multiplier at each station, by station index.
    pub multipliers: Vec<f64>,
}

/// A staffing change: from `at` on, `count` servers are on duty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StaffChange {
    /// Time (minutes after midnight).
    pub at: f64,
    /// Servers on duty from then.
    pub count: u32,
}

/// A station, compiled.
#[derive(Debug, Clone)]
pub struct Station {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Servers on duty at time zero.
    pub initial_servers: u32,
    /// Later staffing changes, in time order.
    pub changes: Vec<StaffChange>,
    /// Servers who keep working after the last shift while patients wait (0 = none).
    pub overtime_servers: u32,
    /// Queue discipline.
    pub discipline: Discipline,
    /// Queue capacity (`u32::MAX` when unlimited).
    pub capacity: u32,
    /// Patience distribution, if patients renege.
    pub patience: Option<Dist>,
    /// Default service distribution.
    pub service: Dist,
    /// The largest number of servers ever on duty.
    pub max_servers: u32,
}

/// What a step does.
#[derive(Debug, Clone)]
pub enum StepKind {
    /// Queue for and be served at a station.
    Visit {
        /// Station index.
        station: u32,
        /// Service-time distribution for this step.
        service: Dist,
    },
    /// Wait a while without using a server.
    Delay {
        /// Delay distribution.
        delay: Dist,
    },
}

/// A pathway step, compiled.
#[derive(Debug, Clone)]
pub struct Step {
    /// Identifier (`pathway.step` for messages is built from `pathway`).
    pub id: String,
    /// Owning pathway index.
    pub pathway: u32,
    /// What happens here.
    pub kind: StepKind,
    /// Routing table index for each class (indexed by class).
    pub routes: Vec<u32>,
    /// True when the step lies on a loop; draws there are keyed by the patient's loop count.
    pub cyclic: bool,
    /// Draw keys for this step, derived from the step id's hash and each purpose (service,
    /// branch, patience, delay, workflow): part of every random key drawn here.
    pub keys: StepKeys,
    /// The step's part in the workflow (for the digital levers).
    pub role: Option<crate::scenario::Role>,
    /// The next step when every class goes to the same single place (no draw, no table
    /// look-up), else `ROUTED`.
    pub fixed_next: u32,
}

/// `Step::fixed_next` value for steps whose next step depends on a draw or on the class.
pub const ROUTED: u32 = u32::MAX - 1;

/// Draw keys of a step (see `rng::purpose_key`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StepKeys {
    /// Service time.
    pub service: u64,
    /// Branch choice.
    pub branch: u64,
    /// Patience.
    pub patience: u64,
    /// Delay length.
    pub delay: u64,
    /// Workflow choices at this step (payment channel, remote review, home delivery).
    pub workflow: u64,
}

impl StepKeys {
    /// Keys for a step with the given name hash.
    pub fn new(step_hash: u64) -> StepKeys {
        use crate::rng::{Purpose, purpose_key};
        StepKeys {
            service: purpose_key(Purpose::Service, step_hash),
            branch: purpose_key(Purpose::Branch, step_hash),
            patience: purpose_key(Purpose::Patience, step_hash),
            delay: purpose_key(Purpose::Delay, step_hash),
            workflow: purpose_key(Purpose::Workflow, step_hash),
        }
    }
}

/// A pathway, compiled.
#[derive(Debug, Clone)]
pub struct Pathway {
    /// Identifier.
    pub id: String,
    /// First step (global step index).
    pub start: u32,
}

/// How a stream generates arrivals.
#[derive(Debug, Clone)]
pub enum StreamKind {
    /// Piecewise-constant Poisson rate (a homogeneous stream is a single piece).
    Poisson {
        /// (from, to, rate per minute) pieces, sorted and disjoint.
        pieces: Vec<(f64, f64, f64)>,
    },
    /// Booked slots.
    Appointments {
        /// Sessions (from, to), sorted and disjoint; slots start at `from`, `from + slot`, …
        /// while before `to`.
        sessions: Vec<(f64, f64)>,
        /// Slot length.
        slot: f64,
        /// Patients per slot.
        per_slot: u32,
        /// Probability of not attending.
        no_show: f64,
        /// Offset from the slot time (None = on time).
        punctuality: Option<Dist>,
    },
    /// A group at one time.
    Batch {
        /// Time.
        at: f64,
        /// Count.
        count: u32,
    },
}

/// An arrival stream, compiled.
#[derive(Debug, Clone)]
pub struct Stream {
    /// Identifier.
    pub id: String,
    /// Hash of the id: the root of its patients' random keys.
    pub hash: u64,
    /// First step of its pathway.
    pub start_step: u32,
    /// Fixed class, or None to draw from the shares.
    pub class: Option<u16>,
    /// Process.
    pub kind: StreamKind,
    /// Walk-in streams with a bounded day: the shape of their arrivals, for mapping a walk-in
    /// time to a booked time under online registration.
    pub shape: Option<crate::workflow::DayShape>,
}

/// A checked, runnable model.
#[derive(Debug, Clone)]
pub struct Model {
    /// Scenario name.
    pub name: String,
    /// Scenario description.
    pub description: String,
    /// Clinic opening time.
    pub open: f64,
    /// Arrivals stop at this time (if set).
    pub close: Option<f64>,
    /// The run stops here (if set).
    pub stop: Option<f64>,
    /// Cap on arrivals per replication.
    pub max_arrivals: Option<u64>,
    /// Base seed.
    pub seed: u64,
    /// Replications.
    pub replications: u32,
    /// Statistics are collected from this time on: `open + warm_up` with a warm-up, otherwise
    /// the earlier of opening time and the first possible arrival. Time integrals (utilisation,
    /// queue length) start here too, so staff on duty before the clinic opens do not dilute
    /// utilisation.
    pub stats_start: f64,
    /// Queue-length sampling interval (0 = off).
    pub sample_interval: f64,
    /// Patient classes.
    pub classes: Vec<Class>,
    /// Cumulative class shares (for streams without a fixed class), if defined.
    pub class_cumulative: Vec<f64>,
    /// Stations.
    pub stations: Vec<Station>,
    /// All pathway steps.
    pub steps: Vec<Step>,
    /// Pathways.
    pub pathways: Vec<Pathway>,
    /// Routing tables referenced by `Step::routes`.
    pub routes: Vec<RouteTable>,
    /// Arrival streams.
    pub streams: Vec<Stream>,
    /// Warnings found while checking (the model still runs).
    pub warnings: Vec<String>,
    /// True when some class has a service multiplier other than 1.
    pub has_multipliers: bool,
    /// The variant this model was built for (empty for the base scenario).
    pub variant: String,
    /// Every variant the scenario file declares.
    pub variant_ids: std::sync::Arc<[String]>,
    /// The digital workflow of this variant.
    pub workflow: crate::workflow::Workflow,
}

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
            warnings: Vec::new(),
        }
        .build_with(f, None)?;
        model.variant_ids = variant_ids;
        Ok(model)
    }

    /// Index of a station by id.
    pub fn station_index(&self, id: &str) -> Option<usize> {
        self.stations.iter().position(|s| s.id == id)
    }

    /// Index of a class by id.
    pub fn class_index(&self, id: &str) -> Option<usize> {
        self.classes.iter().position(|c| c.id == id)
    }
}

/// The ids a file declares for its variants, and the problems with that list (an empty or
/// reserved id, an id used twice).
fn variant_list(f: &ScenarioFile) -> (std::sync::Arc<[String]>, Vec<Problem>) {
    let mut b = Builder::default();
    dup_check(&mut b, "variants", f.variants.iter().map(|v| v.id.as_str()));
    (
        f.variants.iter().map(|v| v.id.clone()).collect(),
        b.problems,
    )
}

/// A scenario file parsed once, from which the base model and every variant are built.
///
/// Building a variant costs time in proportion to the base scenario and that variant's
/// overlays, not to the number of variants: the parsed tree is kept without its variant
/// list, and problems with the list itself (duplicate ids) are found once.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The text, kept to place problems in it (parsed again for spans only on failure).
    source: std::sync::Arc<str>,
    file: ScenarioFile,
    /// The file's TOML tree without `variants`, which overlays are applied to.
    base: toml::Table,
    /// Every declared variant id, shared by the models built from it.
    variant_ids: std::sync::Arc<[String]>,
    /// Problems with the variant list (reported with every model built).
    variant_problems: Vec<Problem>,
    /// Index into `file.variants` by id (the first of any duplicates), so that finding each
    /// of n variants costs log n, not n.
    variant_index: BTreeMap<String, usize>,
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
        })
    }

    /// The ids of the declared variants, in file order.
    pub fn variant_ids(&self) -> &[String] {
        &self.variant_ids
    }

    /// Builds the named variant (None: the base scenario); its problems are placed in the
    /// text (see [`crate::spans`]).
    pub fn model(&self, variant: Option<&str>) -> Result<Model, ScenarioError> {
        self.build(variant).map_err(|mut e| {
            if let ScenarioError::Invalid(problems) = &mut e {
                crate::spans::place(&self.source, variant, problems);
            }
            e
        })
    }

    fn build(&self, variant: Option<&str>) -> Result<Model, ScenarioError> {
        let file = &self.file;
        let builder = || Builder {
            problems: self.variant_problems.clone(),
            warnings: Vec::new(),
        };
        let Some(id) = variant else {
            let mut model = builder().build_with(file, None)?;
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
        let merged = crate::variant::apply(&self.base, spec).map_err(ScenarioError::Invalid)?;
        let resolved: ScenarioFile =
            toml::Value::Table(merged)
                .try_into()
                .map_err(|e: toml::de::Error| {
                    ScenarioError::Invalid(vec![Problem::new(
                        format!("variants.{id}"),
                        format!(
                            "the scenario with this variant's overlays is not valid: {}",
                            e.message().trim()
                        ),
                    )])
                })?;
        let mut model = builder().build_with(&resolved, Some(spec))?;
        model.variant = id.to_string();
        model.variant_ids = self.variant_ids.clone();
        Ok(model)
    }
}

#[derive(Default)]
struct Builder {
    problems: Vec<Problem>,
    warnings: Vec<String>,
}

fn dup_check<'a>(b: &mut Builder, what: &str, ids: impl Iterator<Item = &'a str>) {
    let mut seen = BTreeSet::new();
    for id in ids {
        if id.is_empty() {
            b.err(what.to_string(), "an id is empty".into());
        } else if id == "exit" {
            b.err(
                format!("{what}.{id}"),
                "\"exit\" is reserved for leaving the system".into(),
            );
        } else if !seen.insert(id) {
            b.err(format!("{what}.{id}"), format!("id {id:?} is used twice"));
        }
    }
}

impl Builder {
    fn err(&mut self, at: String, message: String) {
        self.problems.push(Problem::new(at, message));
    }

    fn dist(
        &mut self,
        at: String,
        spec: &crate::distribution::DistSpec,
        non_negative: bool,
    ) -> Dist {
        Dist::compile(spec, non_negative).unwrap_or_else(|m| {
            self.err(at, m);
            Dist::Det { value: 0.0 }
        })
    }

    /// Builds `f` (already resolved for `variant`).
    fn build_with(
        mut self,
        f: &ScenarioFile,
        variant: Option<&crate::scenario::VariantSpec>,
    ) -> Result<Model, ScenarioError> {
        let run = &f.run;
        let open = run.open.map_or(0.0, |c| c.0);
        let close = run.close.map(|c| c.0);
        if let Some(c) = close
            && c <= open
        {
            self.err(
                "run.close".into(),
                format!(
                    "closing time {} is not after opening time {}",
                    format_clock(c),
                    format_clock(open)
                ),
            );
        }
        let warm_up = run.warm_up.map_or(0.0, |d| d.0);
        let mut stop = run.hard_stop.map(|c| c.0);
        if let Some(s) = stop
            && s <= open
        {
            self.err(
                "run.hard_stop".into(),
                "the hard stop is not after opening time".into(),
            );
        }
        if let Some(len) = run.run_length {
            if len.0 <= 0.0 {
                self.err(
                    "run.run_length".into(),
                    "run length must be greater than zero".into(),
                );
            }
            if stop.is_some() {
                self.err(
                    "run.run_length".into(),
                    "give either hard_stop or warm_up + run_length, not both".into(),
                );
            }
            stop = Some(open + warm_up + len.0);
        }
        if run.replications == 0 || run.replications > MAX_REPLICATIONS {
            self.err(
                "run.replications".into(),
                format!(
                    "replications must be between 1 and {MAX_REPLICATIONS} (got {})",
                    run.replications
                ),
            );
        }
        if run.max_arrivals == Some(0) {
            self.err(
                "run.max_arrivals".into(),
                "max_arrivals must be at least 1".into(),
            );
        }
        let sample_interval = run.sample_interval.map_or(15.0, |d| d.0);

        // Stations.
        dup_check(
            &mut self,
            "stations",
            f.stations.iter().map(|s| s.id.as_str()),
        );
        if f.stations.is_empty() {
            self.err("stations".into(), "no stations are defined".into());
        }
        let mut stations = Vec::new();
        for s in &f.stations {
            let at = format!("stations.{}", s.id);
            let (initial, changes, max_servers, last) = self.staffing(&at, &s.servers);
            let service = self.dist(format!("{at}.service"), &s.service, true);
            let patience = s
                .patience
                .as_ref()
                .map(|p| self.dist(format!("{at}.patience"), p, true));
            if let Some(p) = &patience
                && p.mean() <= 0.0
            {
                self.err(
                    format!("{at}.patience"),
                    "patience must have a positive mean".into(),
                );
            }
            if !s.overtime
                && let Some(last) = changes.last()
            {
                self.warnings.push(format!(
                    "stations.{}: overtime is off, so patients still waiting when the last shift ends at {} are never served (they count as unfinished)",
                    s.id,
                    format_clock(last.at)
                ));
            }
            stations.push(crate::model::Station {
                id: s.id.clone(),
                name: s.name.clone().unwrap_or_else(|| s.id.clone()),
                initial_servers: initial,
                changes,
                overtime_servers: if s.overtime { last } else { 0 },
                discipline: s.discipline,
                capacity: s.capacity.unwrap_or(u32::MAX),
                patience,
                service,
                max_servers,
            });
        }
        let station_ix: BTreeMap<&str, usize> = f
            .stations
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();

        // Classes.
        dup_check(
            &mut self,
            "classes",
            f.classes.iter().map(|c| c.id.as_str()),
        );
        let mut classes = Vec::new();
        if f.classes.is_empty() {
            classes.push(Class {
                id: "patient".into(),
                name: "patient".into(),
                priority: 0,
                multipliers: vec![1.0; stations.len()],
            });
        }
        if f.classes.len() > u16::MAX as usize {
            self.err("classes".into(), "too many classes".into());
        }
        for c in &f.classes {
            let at = format!("classes.{}", c.id);
            let base = c.service_multiplier.unwrap_or(1.0);
            if !(base.is_finite() && base > 0.0) {
                self.err(
                    format!("{at}.service_multiplier"),
                    format!("must be greater than zero (got {base})"),
                );
            }
            let mut multipliers = vec![base; stations.len()];
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
            classes.push(Class {
                id: c.id.clone(),
                name: c.name.clone().unwrap_or_else(|| c.id.clone()),
                priority: c.priority,
                multipliers,
            });
        }
        let class_ix: BTreeMap<String, usize> = classes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        let mut class_cumulative = Vec::new();
        let shares: Vec<Option<f64>> = if f.classes.is_empty() {
            vec![Some(1.0)]
        } else {
            f.classes.iter().map(|c| c.share).collect()
        };
        if shares.iter().any(Option::is_some) {
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
                class_cumulative.push(acc);
            }
            if (acc - 1.0).abs() > 1e-9 {
                self.err(
                    "classes".into(),
                    format!("class shares sum to {acc}, not 1"),
                );
            }
            if let Some(last) = class_cumulative.last_mut() {
                *last = 1.0;
            }
        }

        // Pathways and steps.
        dup_check(
            &mut self,
            "pathways",
            f.pathways.iter().map(|p| p.id.as_str()),
        );
        let mut steps = Vec::new();
        let mut pathways = Vec::new();
        let mut routes = Vec::new();
        for (pi, p) in f.pathways.iter().enumerate() {
            let at = format!("pathways.{}", p.id);
            let compiled = check_pathway(
                p,
                pi as u32,
                steps.len() as u32,
                &at,
                &station_ix,
                &stations,
                &classes,
                &mut routes,
            );
            match compiled {
                Ok((start, mut s)) => {
                    pathways.push(Pathway {
                        id: p.id.clone(),
                        start,
                    });
                    steps.append(&mut s);
                }
                Err(mut probs) => {
                    self.problems.append(&mut probs);
                    pathways.push(Pathway {
                        id: p.id.clone(),
                        start: EXIT,
                    });
                }
            }
        }
        if f.pathways.is_empty() {
            self.err("pathways".into(), "no pathways are defined".into());
        }
        // A visited station with nobody ever on duty would hold its patients forever.
        for st in &steps {
            if let StepKind::Visit { station, .. } = st.kind {
                let s = &stations[station as usize];
                if s.max_servers == 0 {
                    self.err(format!("pathways.{}.steps.{}", f.pathways[st.pathway as usize].id, st.id), format!("visits station {:?}, which never has any servers, so patients would never leave", s.id));
                }
            }
        }

        // Arrival streams.
        dup_check(
            &mut self,
            "arrivals",
            f.arrivals.iter().map(|a| a.id.as_str()),
        );
        if f.arrivals.is_empty() {
            self.err("arrivals".into(), "no arrival streams are defined".into());
        }
        let mut streams = Vec::new();
        let mut expected_arrivals = 0.0;
        let mut unbounded = Vec::new();
        for a in &f.arrivals {
            let at = format!("arrivals.{}", a.id);
            let start_step = match f.pathways.iter().position(|p| p.id == a.pathway) {
                Some(i) => pathways[i].start,
                None => {
                    self.err(
                        format!("{at}.pathway"),
                        format!("no pathway is called {:?}", a.pathway),
                    );
                    EXIT
                }
            };
            let class = match a.class.as_deref() {
                Some(c) => match class_ix.get(c) {
                    Some(&i) => Some(i as u16),
                    None => {
                        self.err(format!("{at}.class"), format!("no class is called {c:?}"));
                        None
                    }
                },
                None => {
                    if class_cumulative.is_empty() {
                        self.err(format!("{at}.class"), "this stream names no class and no class has a share; give the stream a class or the classes shares".into());
                    }
                    None
                }
            };
            for (key, allowed) in a.set_keys() {
                if !allowed {
                    self.err(
                        format!("{at}.{key}"),
                        format!("`{key}` does not apply to kind = \"{}\"", a.kind.name()),
                    );
                }
            }
            let need = |b: &mut Builder, key: &str, present: bool| {
                if !present {
                    b.err(
                        format!("{at}.{key}"),
                        format!("kind = \"{}\" needs `{key}`", a.kind.name()),
                    );
                }
            };
            let kind = match a.kind {
                ArrivalKind::Poisson => {
                    need(&mut self, "rate", a.rate.is_some());
                    let rate = a.rate.map_or(1.0, |r| r.0);
                    let from = a.start.map_or(open, |c| c.0);
                    let to = a.end.map(|c| c.0).or(close).unwrap_or(f64::INFINITY);
                    if rate <= 0.0 {
                        self.err(
                            format!("{at}.rate"),
                            format!("the rate must be greater than zero (got {rate} per minute)"),
                        );
                    }
                    if to <= from {
                        self.err(
                            format!("{at}.end"),
                            "the stream ends before it starts".into(),
                        );
                    }
                    if to.is_infinite() {
                        unbounded.push(a.id.clone());
                    } else {
                        expected_arrivals += rate.max(0.0) * (to - from).max(0.0);
                    }
                    StreamKind::Poisson {
                        pieces: vec![(from, to, rate)],
                    }
                }
                ArrivalKind::Profile => {
                    need(&mut self, "rates", a.rates.is_some());
                    let rates = a.rates.as_deref().unwrap_or_default();
                    let mut pieces = Vec::new();
                    if a.rates.is_some() && rates.is_empty() {
                        self.err(format!("{at}.rates"), "the profile has no pieces".into());
                    }
                    for (i, r) in rates.iter().enumerate() {
                        let pat = format!("{at}.rates[{i}]");
                        if r.to.0 <= r.from.0 {
                            self.err(
                                pat.clone(),
                                format!(
                                    "piece {}–{} ends before it starts",
                                    format_clock(r.from.0),
                                    format_clock(r.to.0)
                                ),
                            );
                        }
                        if r.rate.0 <= 0.0 {
                            self.err(pat.clone(), format!("the rate must be greater than zero (got {} per minute); leave quiet periods out of the profile", r.rate.0));
                        }
                        if let Some(&(_, prev_to, _)) = pieces.last()
                            && r.from.0 < prev_to
                        {
                            self.err(
                                pat,
                                "pieces must be in time order and must not overlap".into(),
                            );
                        }
                        let to = close.map_or(r.to.0, |c| r.to.0.min(c));
                        expected_arrivals += r.rate.0.max(0.0) * (to - r.from.0).max(0.0);
                        pieces.push((r.from.0, r.to.0, r.rate.0));
                    }
                    StreamKind::Poisson { pieces }
                }
                ArrivalKind::Appointments => {
                    need(&mut self, "sessions", a.sessions.is_some());
                    need(&mut self, "slot", a.slot.is_some());
                    need(&mut self, "per_slot", a.per_slot.is_some());
                    let slot = a.slot.map_or(1.0, |d| d.0);
                    let per_slot = a.per_slot.unwrap_or(1);
                    let no_show = a.no_show.unwrap_or(0.0);
                    let sessions = a.sessions.as_deref().unwrap_or_default();
                    if slot <= 0.0 {
                        self.err(
                            format!("{at}.slot"),
                            "the slot length must be greater than zero".into(),
                        );
                    }
                    if per_slot == 0 {
                        self.err(
                            format!("{at}.per_slot"),
                            "per_slot must be at least 1".into(),
                        );
                    }
                    if !(0.0..=1.0).contains(&no_show) {
                        self.err(
                            format!("{at}.no_show"),
                            format!("no_show is a probability between 0 and 1 (got {no_show})"),
                        );
                    }
                    if a.sessions.is_some() && sessions.is_empty() {
                        self.err(format!("{at}.sessions"), "no sessions are defined".into());
                    }
                    let mut prev_end = f64::NEG_INFINITY;
                    for (i, s) in sessions.iter().enumerate() {
                        if s.to.0 <= s.from.0 {
                            self.err(
                                format!("{at}.sessions[{i}]"),
                                "the session ends before it starts".into(),
                            );
                        }
                        if s.from.0 < prev_end {
                            self.err(
                                format!("{at}.sessions[{i}]"),
                                "sessions must be in time order and must not overlap".into(),
                            );
                        }
                        prev_end = s.to.0;
                        if let Some(c) = close
                            && s.to.0 > c
                        {
                            self.err(
                                format!("{at}.sessions[{i}]"),
                                format!(
                                    "the session ends at {}, after the clinic closes at {}; no slot may start after closing",
                                    format_clock(s.to.0),
                                    format_clock(c)
                                ),
                            );
                        }
                        if slot > 0.0 {
                            // Counted arithmetically: slots are generated one at a time while
                            // the run goes, never listed, so a huge book costs no memory.
                            let n = slot_count(s.from.0, s.to.0, slot);
                            expected_arrivals += n as f64 * f64::from(per_slot);
                        }
                    }
                    let punctuality = a
                        .punctuality
                        .as_ref()
                        .map(|p| self.dist(format!("{at}.punctuality"), p, false));
                    StreamKind::Appointments {
                        sessions: sessions.iter().map(|s| (s.from.0, s.to.0)).collect(),
                        slot,
                        per_slot,
                        no_show,
                        punctuality,
                    }
                }
                ArrivalKind::Batch => {
                    need(&mut self, "at", a.at.is_some());
                    need(&mut self, "count", a.count.is_some());
                    let count = a.count.unwrap_or(1);
                    if let (Some(c), Some(when)) = (close, a.at)
                        && when.0 >= c
                    {
                        self.err(
                            format!("{at}.at"),
                            format!(
                                "the batch arrives at {}, at or after the clinic closes at {}",
                                format_clock(when.0),
                                format_clock(c)
                            ),
                        );
                    }
                    if count == 0 {
                        self.err(format!("{at}.count"), "count must be at least 1".into());
                    }
                    expected_arrivals += f64::from(count);
                    StreamKind::Batch {
                        at: a.at.map_or(open, |c| c.0),
                        count,
                    }
                }
            };
            let shape = match &kind {
                StreamKind::Poisson { pieces } if pieces.iter().all(|p| p.1.is_finite()) => {
                    let clipped: Vec<(f64, f64, f64)> = pieces
                        .iter()
                        .map(|&(a, b, r)| (a, close.map_or(b, |c| b.min(c)).max(a), r))
                        .collect();
                    crate::workflow::DayShape::new(&clipped)
                }
                _ => None,
            };
            streams.push(Stream {
                id: a.id.clone(),
                hash: name_hash(&a.id),
                start_step,
                class,
                kind,
                shape,
            });
        }
        if !unbounded.is_empty() && run.max_arrivals.is_none() && stop.is_none() {
            self.err("run".into(), format!("arrival stream{} {} never stop{}: set run.close, an end time on the stream, run.max_arrivals, or a hard stop", if unbounded.len() > 1 { "s" } else { "" }, unbounded.join(", "), if unbounded.len() > 1 { "" } else { "s" }));
        }
        if let Some(s) = stop
            && !unbounded.is_empty()
        {
            for st in &streams {
                if let StreamKind::Poisson { pieces } = &st.kind
                    && let Some(&(from, to, rate)) = pieces.first()
                    && to.is_infinite()
                {
                    expected_arrivals += rate * (s - from).max(0.0);
                }
            }
        }
        let capped = run
            .max_arrivals
            .map_or(expected_arrivals, |m| expected_arrivals.min(m as f64));
        if capped > MAX_EXPECTED_ARRIVALS && run.max_arrivals.is_none() {
            self.err("arrivals".into(), format!("about {capped:.0} arrivals are expected per replication, more than the limit of {MAX_EXPECTED_ARRIVALS:.0}; set run.max_arrivals to confirm a run this large"));
        }
        if sample_interval > 0.0 {
            let horizon = stop.or(close).map(|e| e - open);
            if let Some(h) = horizon
                && h / sample_interval > MAX_SAMPLES as f64
            {
                self.warnings.push(format!("run.sample_interval: only the first {MAX_SAMPLES} queue-length samples are kept"));
            }
        }

        let variant_at = variant.map_or("variants".to_string(), |v| format!("variants.{}", v.id));
        let workflow = crate::workflow::compile(
            f.workflow.as_ref(),
            variant.map_or(&[][..], |v| &v.levers[..]),
            variant.and_then(|v| v.adoption.as_ref()),
            &classes,
            &station_ix,
            &variant_at,
            &mut self.problems,
        );
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
        for lever in &workflow.levers {
            use crate::scenario::{Lever, Role};
            let roles: &[Role] = match lever {
                Lever::OnlineRegistration => &[Role::Registration],
                Lever::PayAtPointOfCare => &[Role::Prepayment, Role::Payment],
                Lever::CreditPayment => &[Role::Prepayment],
                Lever::ResultsOnline => &[Role::ReportCollection, Role::Revisit],
                Lever::FaceScan => &[
                    Role::Registration,
                    Role::Identity,
                    Role::Prepayment,
                    Role::Payment,
                ],
                Lever::EPrescription => &[Role::Pharmacy],
            };
            if !steps
                .iter()
                .any(|s| s.role.is_some_and(|r| roles.contains(&r)))
                && lever != &Lever::OnlineRegistration
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
        if !self.problems.is_empty() {
            return Err(ScenarioError::Invalid(self.problems));
        }
        let mut model = Model {
            name: f.scenario.name.clone(),
            description: f.scenario.description.clone(),
            open,
            close,
            stop,
            max_arrivals: run.max_arrivals,
            seed: run.seed,
            replications: run.replications,
            stats_start: if run.warm_up.is_some() {
                open + warm_up
            } else {
                first_activity(open, &streams)
            },
            sample_interval,
            classes,
            class_cumulative,
            stations,
            steps,
            pathways,
            routes,
            streams,
            warnings: self.warnings,
            has_multipliers: false,
            variant: String::new(),
            // Filled in by `Scenario::model` (shared, so building n variants stays linear).
            variant_ids: std::sync::Arc::from(Vec::new()),
            workflow,
        };
        model.has_multipliers = model
            .classes
            .iter()
            .any(|c| c.multipliers.iter().any(|&x| x != 1.0));
        // Times and durations the clock cannot represent (see `bounds`).
        let mut problems = crate::bounds::check(&model);
        // A study too large for memory is refused before it starts (see `memory`).
        if let Err(message) = crate::memory::check(&model) {
            problems.push(Problem::new("run.replications".into(), message));
        }
        // A warm-up that reaches past the end of the run leaves nothing to observe.
        let end = model.stop.or(model.close);
        if run.warm_up.is_some()
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
                let visits: f64 = crate::load::expected_visits(&model, st.start_step, c)
                    .iter()
                    .sum();
                if visits.is_nan() || visits > MAX_EXPECTED_VISITS {
                    problems.push(Problem::new(format!("pathways.{}", model.pathways[model.steps[st.start_step as usize].pathway as usize].id), format!(
                            "a patient of class {:?} would pass through about {visits:.0} steps on average (a loop almost never exits); the limit is {MAX_EXPECTED_VISITS:.0}",
                            model.classes[c].id
                        )));
                }
            }
        }
        if !problems.is_empty() {
            problems.dedup();
            return Err(ScenarioError::Invalid(problems));
        }
        let load = crate::load::offered_load(&model);
        model.warnings.extend(load);
        Ok(model)
    }

    /// Returns (initial servers, later changes, max servers, servers on the last shift).
    fn staffing(&mut self, at: &str, servers: &Servers) -> (u32, Vec<StaffChange>, u32, u32) {
        match servers {
            Servers::Constant(n) => {
                if *n > MAX_SERVERS {
                    self.err(
                        format!("{at}.servers"),
                        format!("{n} servers is more than the limit of {MAX_SERVERS}"),
                    );
                }
                (*n, Vec::new(), *n, *n)
            }
            Servers::Schedule(shifts) => {
                if shifts.is_empty() {
                    self.err(format!("{at}.servers"), "the schedule has no shifts".into());
                    return (0, Vec::new(), 0, 0);
                }
                let mut changes: Vec<StaffChange> = Vec::new();
                let mut prev_end = f64::NEG_INFINITY;
                let mut max = 0;
                for (i, s) in shifts.iter().enumerate() {
                    let sat = format!("{at}.servers[{i}]");
                    if s.to.0 <= s.from.0 {
                        self.err(
                            sat.clone(),
                            format!(
                                "shift {}–{} ends before it starts",
                                format_clock(s.from.0),
                                format_clock(s.to.0)
                            ),
                        );
                    }
                    if s.from.0 < prev_end {
                        self.err(
                            sat.clone(),
                            "shifts must be in time order and must not overlap".into(),
                        );
                    }
                    if s.count > MAX_SERVERS {
                        self.err(
                            sat,
                            format!(
                                "{} servers is more than the limit of {MAX_SERVERS}",
                                s.count
                            ),
                        );
                    }
                    max = max.max(s.count);
                    changes.push(StaffChange {
                        at: s.from.0,
                        count: s.count,
                    });
                    changes.push(StaffChange {
                        at: s.to.0,
                        count: 0,
                    });
                    prev_end = s.to.0;
                }
                // Back-to-back shifts: the later entry at the same instant wins, so there is no gap.
                let mut merged: Vec<StaffChange> = Vec::new();
                for c in changes {
                    match merged.last_mut() {
                        Some(last) if last.at == c.at => last.count = c.count,
                        _ => merged.push(c),
                    }
                }
                let last_count = shifts.last().map_or(0, |s| s.count);
                let initial = if merged.first().is_some_and(|c| c.at <= 0.0) {
                    merged.remove(0).count
                } else {
                    0
                };
                (initial, merged, max, last_count)
            }
        }
    }
}

/// Number of slots in a session [from, to) with the given slot length (no slot starts at or
/// after `to`; the tolerance absorbs rounding in `from + k * slot`).
pub fn slot_count(from: f64, to: f64, slot: f64) -> u64 {
    if to <= from || slot <= 0.0 {
        return 0;
    }
    ((to - from) / slot - 1e-9).ceil().max(0.0) as u64
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

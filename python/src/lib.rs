//! `carepath._carepath`: the extension module under the `carepath` Python package
//! (`python/carepath/`, which turns what this returns into DataFrames).
//!
//! It calls sim-core's study API directly, the same calls the CLI makes, so a notebook's
//! results are the CLI's bits: a scenario is parsed and its data files read by
//! `sim_core::data::files`, values set by the compiler's `Setting`s (as `--set`), an automatic
//! warm-up settled by `stats::warmup::settle_together`, replications run by
//! `study::parallel` (the CLI's runner) and summarised by `study::Findings`.
//!
//! Long runs leave the interpreter free: the replications run on a worker thread (and its
//! rayon pool) without the GIL, while the calling thread wakes every 100 ms to report
//! progress and look for a pending KeyboardInterrupt, which raises the stop flag; the run then
//! ends within moments and the KeyboardInterrupt propagates.
//!
//! Tables go back as dicts of equal-length column lists (pandas and Polars both build a
//! DataFrame from that), so this module needs neither library.

use pyo3::IntoPyObjectExt;
use pyo3::exceptions::{
    PyFileNotFoundError, PyKeyboardInterrupt, PyOSError, PyPermissionError, PyRuntimeError,
    PyTypeError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString};
use sim_core::compare::Comparison;
use sim_core::engine::event_log::{LogSpec, NONE, Sample};
use sim_core::scenario::{Overrides, Setting};
use sim_core::stats::warmup::{SettleError, settle_together};
use sim_core::study::Findings;
use sim_core::study::comparison::twin_overrides;
use sim_core::study::parallel::{self, Options, ParallelError};
use sim_core::summary::Accumulator;
use sim_core::sweep::Sweep;
use sim_core::{Model, RunError};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

pyo3::create_exception!(
    carepath._carepath,
    ScenarioError,
    PyValueError,
    "A scenario (or study) that cannot be built. `str(e)` has one line per problem, \
     `FILE:LINE:COL: error: PATH: message`, as `carepath validate` prints them; \
     `e.problems` lists them as dicts with `line`, `column` (None when the problem has no \
     place in the text), `at` (the dotted path) and `message`."
);

pyo3::create_exception!(
    carepath._carepath,
    SimulationError,
    PyRuntimeError,
    "A run that stopped: a replication exceeded a bound of the engine, say."
);

/// One problem as the dict `ScenarioError.problems` lists.
fn problem<'py>(
    py: Python<'py>,
    line: Option<usize>,
    column: Option<usize>,
    at: Option<&str>,
    message: &str,
    variant: Option<&str>,
) -> Bound<'py, PyDict> {
    let d = PyDict::new(py);
    let _ = d.set_item("line", line);
    let _ = d.set_item("column", column);
    let _ = d.set_item("at", at);
    let _ = d.set_item("message", message);
    let _ = d.set_item("variant", variant);
    d
}

/// A `ScenarioError` with `text` and `problems`.
fn raise_problems(py: Python<'_>, text: String, problems: Vec<Bound<'_, PyDict>>) -> PyErr {
    let err = ScenarioError::new_err(text);
    let _ = err
        .value(py)
        .setattr("problems", PyList::new(py, problems).ok());
    err
}

/// A problem of a study or of the call itself (no place in a scenario's text), as a
/// `ScenarioError` with its one problem listed.
fn plain_problem(py: Python<'_>, file: &str, at: Option<&str>, message: &str) -> PyErr {
    let text = match at {
        Some(at) => format!("{file}: error: {at}: {message}"),
        None => format!("{file}: error: {message}"),
    };
    raise_problems(py, text, vec![problem(py, None, None, at, message, None)])
}

/// Scenario errors (of the base or of variants) as one Python exception, every problem
/// listed: the lines `carepath validate` prints, in its order.
fn scenario_errors(
    py: Python<'_>,
    parts: &[(&sim_core::ScenarioError, Option<&str>)],
    file: &str,
) -> PyErr {
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    for (e, variant) in parts {
        lines.push(e.located_lines(file, *variant));
        match e {
            sim_core::ScenarioError::Syntax {
                line,
                column,
                message,
            } => problems.push(problem(
                py,
                Some(*line),
                Some(*column),
                None,
                message,
                *variant,
            )),
            sim_core::ScenarioError::Invalid(list) => {
                for p in list {
                    problems.push(problem(
                        py,
                        p.place.as_ref().map(|at| at.line),
                        p.place.as_ref().map(|at| at.column),
                        Some(&p.at),
                        &p.message,
                        *variant,
                    ));
                }
            }
        }
    }
    raise_problems(py, lines.join("\n"), problems)
}

/// One scenario error as the Python exception, with its problems listed.
fn scenario_error(
    py: Python<'_>,
    e: &sim_core::ScenarioError,
    file: &str,
    variant: Option<&str>,
) -> PyErr {
    scenario_errors(py, &[(e, variant)], file)
}

/// A scenario, parsed and with its data files attached; `set` gives a changed copy.
#[pyclass(frozen, module = "carepath._carepath", name = "Scenario")]
#[derive(Clone)]
struct PyScenario {
    inner: sim_core::Scenario,
    /// The file name problems are reported at (`<string>` for text).
    file: String,
    /// What it was parsed from, kept to pickle it (the settings are in `inner`).
    source: std::sync::Arc<Source>,
}

/// A scenario's text and its data files' texts (or why each could not be read).
struct Source {
    text: String,
    data: Vec<(String, Result<String, String>)>,
}

impl PyScenario {
    /// Builds `variant` with `overrides`; a problem with an overridden value names the
    /// argument, one inside a set value the `set` call.
    fn build(
        &self,
        py: Python<'_>,
        variant: Option<&str>,
        overrides: &Overrides,
    ) -> PyResult<Model> {
        self.try_build(variant, overrides)
            .map_err(|e| scenario_error(py, &e, &self.file, variant))
    }

    /// The base and every variant build, or every problem is raised at once (the base's
    /// alone when it fails, since every variant starts from it), as `carepath validate`
    /// reports them.
    fn check_all(&self, py: Python<'_>) -> PyResult<()> {
        let none = Overrides::default();
        self.build(py, None, &none)?;
        let failures: Vec<(sim_core::ScenarioError, &str)> = self
            .inner
            .variant_ids()
            .iter()
            .filter_map(|v| {
                self.try_build(Some(v), &none)
                    .err()
                    .map(|e| (e, v.as_str()))
            })
            .collect();
        if failures.is_empty() {
            return Ok(());
        }
        let parts: Vec<_> = failures.iter().map(|(e, v)| (e, Some(*v))).collect();
        Err(scenario_errors(py, &parts, &self.file))
    }

    /// [`build`](Self::build) without the exception.
    fn try_build(
        &self,
        variant: Option<&str>,
        overrides: &Overrides,
    ) -> Result<Model, sim_core::ScenarioError> {
        self.inner.model_with(variant, overrides).map_err(|mut e| {
            self.inner
                .name_outside_values(&mut e, overrides, |key, value| format!("{key}={value}"));
            e
        })
    }

    /// The variants asked for: `None` is the base scenario.
    fn check_variant(&self, variant: Option<&str>) -> PyResult<()> {
        match variant {
            Some(v) if !self.inner.variant_ids().iter().any(|id| id == v) => {
                Err(PyValueError::new_err(format!(
                    "{}: no variant {v:?} (declared: {})",
                    self.file,
                    if self.inner.variant_ids().is_empty() {
                        "none".to_string()
                    } else {
                        self.inner.variant_ids().join(", ")
                    }
                )))
            }
            _ => Ok(()),
        }
    }
}

#[pymethods]
impl PyScenario {
    /// Reads a scenario file and the data files it names (beside it).
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<PyScenario> {
        if let Err(e) = std::fs::metadata(&path) {
            let text = format!("cannot read {}: {e}", path.display());
            return Err(match e.kind() {
                std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(text),
                std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(text),
                _ => PyOSError::new_err(text),
            });
        }
        let text = sim_core::data::files::read_limited(&path).map_err(PyOSError::new_err)?;
        let file = path.display().to_string();
        let parsed =
            sim_core::Scenario::parse(&text).map_err(|e| scenario_error(py, &e, &file, None))?;
        let data = sim_core::data::files::read_texts(&path, &parsed);
        let inner = parsed
            .with_data(&sim_core::data::files::texts_to_files(&data))
            .map_err(|e| scenario_error(py, &e, &file, None))?;
        let s = PyScenario {
            inner,
            file,
            source: std::sync::Arc::new(Source { text, data }),
        };
        s.check_all(py)?;
        Ok(s)
    }

    /// Parses scenario text (which can name no data files: there is no folder to read
    /// them from); `name` is the file name problems are reported at.
    #[staticmethod]
    #[pyo3(signature = (text, name = "<string>"))]
    fn from_toml(py: Python<'_>, text: &str, name: &str) -> PyResult<PyScenario> {
        let file = name.to_string();
        let parsed =
            sim_core::Scenario::parse(text).map_err(|e| scenario_error(py, &e, &file, None))?;
        let inner = parsed
            .with_data(&sim_core::data::DataFiles::new())
            .map_err(|e| scenario_error(py, &e, &file, None))?;
        let s = PyScenario {
            inner,
            file,
            source: std::sync::Arc::new(Source {
                text: text.to_string(),
                data: Vec::new(),
            }),
        };
        s.check_all(py)?;
        Ok(s)
    }

    /// The declared variants, in file order.
    #[getter]
    fn variants(&self) -> Vec<String> {
        self.inner.variant_ids().to_vec()
    }

    /// The scenario's name (`[scenario].name`).
    #[getter]
    fn name(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self
            .build(py, None, &Overrides::default())?
            .name()
            .to_string())
    }

    /// The file problems are reported at.
    #[getter]
    fn file(&self) -> String {
        self.file.clone()
    }

    /// A copy with `path` set to `value` in every variant, checked now by the compiler
    /// (the base and every variant) as `--set` is.
    fn set(&self, py: Python<'_>, path: &str, value: &Bound<'_, PyAny>) -> PyResult<PyScenario> {
        let value = toml_value(value)
            .map_err(|why| PyTypeError::new_err(format!("set({path:?}, ...): {why}")))?;
        let s = PyScenario {
            inner: self
                .inner
                .with_settings(&[Setting::new(path, value).with_origin("set")]),
            file: self.file.clone(),
            source: self.source.clone(),
        };
        s.check_all(py)?;
        Ok(s)
    }

    /// The settings made with `set`, as `PATH=VALUE` texts.
    #[getter]
    fn settings(&self) -> Vec<String> {
        self.inner.settings().iter().map(Setting::display).collect()
    }

    /// Pickles as its text, its data files' texts and its settings, so a scenario can go to
    /// another process (multiprocessing, a Dask worker) and build the same models there.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let restore = py
            .import("carepath._carepath")?
            .getattr("_restore_scenario")?;
        let data: Vec<(String, Option<String>, Option<String>)> = self
            .source
            .data
            .iter()
            .map(|(path, text)| match text {
                Ok(t) => (path.clone(), Some(t.clone()), None),
                Err(why) => (path.clone(), None, Some(why.clone())),
            })
            .collect();
        let settings: Vec<(String, String, String)> = self
            .inner
            .settings()
            .iter()
            .map(|s| (s.path.clone(), s.value.to_string(), s.origin.clone()))
            .collect();
        let args =
            (self.source.text.clone(), self.file.clone(), data, settings).into_pyobject(py)?;
        Ok((restore, args.into_any()))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let name = self.name(py).unwrap_or_default();
        format!(
            "<carepath.Scenario {name:?} from {} ({} variant{}{})>",
            self.file,
            self.inner.variant_ids().len(),
            if self.inner.variant_ids().len() == 1 {
                ""
            } else {
                "s"
            },
            if self.inner.settings().is_empty() {
                String::new()
            } else {
                format!(", set: {}", self.settings().join(", "))
            }
        )
    }
}

/// Python's bool, or numpy's (`numpy.bool_`, `numpy.bool`), which is not an int.
fn is_bool(v: &Bound<'_, PyAny>) -> bool {
    v.is_instance_of::<PyBool>()
        || v.get_type()
            .name()
            .is_ok_and(|n| n.to_str().is_ok_and(|n| n == "bool_" || n == "bool"))
}

/// A whole number: a Python int, or anything that says it is one (`__index__`: numpy's
/// integers), but not a bool.
fn is_whole(v: &Bound<'_, PyAny>) -> bool {
    !is_bool(v)
        && (v.is_instance_of::<PyInt>()
            || (!v.is_instance_of::<PyFloat>() && v.hasattr("__index__").unwrap_or(false)))
}

/// A whole-number argument `name` in `min..=max`, named in the error when it is not one.
fn whole<T: TryFrom<i128>>(
    name: &str,
    v: Option<&Bound<'_, PyAny>>,
    min: i128,
    max: i128,
) -> PyResult<Option<T>> {
    let Some(v) = v.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if !is_whole(v) {
        return Err(PyTypeError::new_err(format!(
            "{name}: a whole number, not {}",
            v.get_type()
                .name()
                .map_or_else(|_| "?".to_string(), |n| n.to_string())
        )));
    }
    let n: i128 = v.extract().map_err(|_| {
        PyValueError::new_err(format!(
            "{name}: must be a whole number from {min} to {max}"
        ))
    })?;
    if n < min || n > max {
        return Err(PyValueError::new_err(format!(
            "{name}={n}: must be a whole number from {min} to {max}"
        )));
    }
    T::try_from(n)
        .map(Some)
        .map_err(|_| PyValueError::new_err(format!("{name}={n}: out of range")))
}

/// A Python value as a TOML value (what `--set` would have read).
fn toml_value(v: &Bound<'_, PyAny>) -> Result<toml::Value, String> {
    // bool before int: Python's True is an int.
    if is_bool(v) {
        return Ok(toml::Value::Boolean(
            v.is_truthy().map_err(|e| e.to_string())?,
        ));
    }
    if is_whole(v) {
        return v
            .extract::<i64>()
            .map(toml::Value::Integer)
            .map_err(|_| "the integer does not fit in 64 bits".to_string());
    }
    if v.is_instance_of::<PyFloat>()
        || v.get_type()
            .name()
            .is_ok_and(|n| n.to_str().is_ok_and(|n| n.starts_with("float")))
    {
        return Ok(toml::Value::Float(
            v.extract::<f64>().map_err(|e| e.to_string())?,
        ));
    }
    if v.is_instance_of::<PyBytes>() || v.is_instance_of::<PyByteArray>() {
        return Err("bytes are not a value; give a str".to_string());
    }
    if v.is_instance_of::<PyString>() {
        return Ok(toml::Value::String(
            v.extract::<String>().map_err(|e| e.to_string())?,
        ));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut t = toml::Table::new();
        for (k, x) in d.iter() {
            let k: String = k
                .extract()
                .map_err(|_| "table keys must be strings".to_string())?;
            t.insert(k, toml_value(&x)?);
        }
        return Ok(toml::Value::Table(t));
    }
    if let Ok(items) = v.try_iter() {
        let mut a = Vec::new();
        for x in items {
            a.push(toml_value(&x.map_err(|e| e.to_string())?)?);
        }
        return Ok(toml::Value::Array(a));
    }
    Err(format!(
        "a value must be a bool, int, float, str, list or dict (got {})",
        v.get_type()
            .name()
            .map_or_else(|_| "?".to_string(), |n| n.to_string())
    ))
}

/// A pickled scenario back (see `Scenario.__reduce__`): parsed again from its text, with the
/// same data files' texts and settings.
#[pyfunction]
fn _restore_scenario(
    py: Python<'_>,
    text: String,
    file: String,
    data: Vec<(String, Option<String>, Option<String>)>,
    settings: Vec<(String, String, String)>,
) -> PyResult<PyScenario> {
    let data: Vec<(String, Result<String, String>)> = data
        .into_iter()
        .map(|(path, text, why)| (path, text.ok_or_else(|| why.unwrap_or_default())))
        .collect();
    let settings = settings
        .into_iter()
        .map(|(path, value, origin)| {
            let table: toml::Table = toml::from_str(&format!("v = {value}")).map_err(|e| {
                PyValueError::new_err(format!("a pickled setting {path}={value}: {e}"))
            })?;
            let value = table
                .get("v")
                .cloned()
                .unwrap_or(toml::Value::Boolean(false));
            Ok(Setting::new(path, value).with_origin(origin))
        })
        .collect::<PyResult<Vec<_>>>()?;
    let parsed =
        sim_core::Scenario::parse(&text).map_err(|e| scenario_error(py, &e, &file, None))?;
    let inner = parsed
        .with_data(&sim_core::data::files::texts_to_files(&data))
        .map_err(|e| scenario_error(py, &e, &file, None))?
        .with_settings(&settings);
    Ok(PyScenario {
        inner,
        file,
        source: std::sync::Arc::new(Source { text, data }),
    })
}

/// The thread count: all cores by default (or with 0); more than four per core refused.
fn thread_count(threads: Option<usize>) -> PyResult<usize> {
    parallel::thread_count(threads).map_err(|e| PyValueError::new_err(format!("threads={e}")))
}

/// Progress of a call: replications done of all it will run, told to `callback` (from the
/// calling thread, with the GIL) as they finish.
struct Progress<'py> {
    callback: Option<Bound<'py, PyAny>>,
    done: AtomicU64,
    total: u64,
    /// What is running: "" for the replications asked for, "warm-up pilot" for the pilot
    /// replications of `warm_up = "auto"`.
    what: &'static str,
}

impl<'py> Progress<'py> {
    fn new(callback: Option<Bound<'py, PyAny>>, total: u64) -> Self {
        Progress {
            callback,
            done: AtomicU64::new(0),
            total,
            what: "",
        }
    }

    fn report(&self) -> PyResult<()> {
        if let Some(cb) = &self.callback {
            cb.call1((self.done.load(Ordering::Relaxed), self.total, self.what))?;
        }
        Ok(())
    }
}

/// Runs `work` on a worker thread without the GIL, waking every 100 ms to report progress
/// and look for signals; a pending KeyboardInterrupt (or an error from the progress callback)
/// raises `stop`, waits for the worker to notice, and is returned.
fn detached<T: Send>(
    py: Python<'_>,
    progress: &Progress<'_>,
    stop: &AtomicBool,
    work: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    // Finished, and the condition the worker signals it with (a Receiver cannot be shared
    // with the detached waits).
    let finished = (std::sync::Mutex::new(false), std::sync::Condvar::new());
    std::thread::scope(|s| {
        let worker = s.spawn(|| {
            // Says "finished" when the work returns or unwinds, so a panic is joined and
            // reported rather than waited on for ever.
            struct Finished<'a>(&'a (std::sync::Mutex<bool>, std::sync::Condvar));
            impl Drop for Finished<'_> {
                fn drop(&mut self) {
                    *self.0.0.lock().unwrap_or_else(|e| e.into_inner()) = true;
                    self.0.1.notify_all();
                }
            }
            let _finished = Finished(&finished);
            work()
        });
        loop {
            let done = py.detach(|| {
                let guard = finished.0.lock().unwrap_or_else(|e| e.into_inner());
                let (guard, _) = finished
                    .1
                    .wait_timeout_while(guard, Duration::from_millis(100), |done| !*done)
                    .unwrap_or_else(|e| e.into_inner());
                *guard
            });
            let checked = progress.report().and_then(|()| py.check_signals());
            if let Err(e) = checked {
                stop.store(true, Ordering::SeqCst);
                let _ = py.detach(|| worker.join());
                return Err(e);
            }
            if done {
                return worker.join().map_err(|_| {
                    PyRuntimeError::new_err("the simulation's worker thread panicked")
                });
            }
        }
    })
}

/// Runs every replication of `model` in parallel (see [`detached`]).
fn run_model(
    py: Python<'_>,
    model: &Model,
    threads: usize,
    progress: &Progress<'_>,
) -> PyResult<Accumulator> {
    let stop = AtomicBool::new(false);
    let done = &progress.done;
    let result = detached(py, progress, &stop, || {
        let count = |k: u64| {
            done.fetch_add(k, Ordering::Relaxed);
        };
        parallel::run_all(
            model,
            Options {
                threads,
                stop: &stop,
                progress: &count,
            },
        )
    })?;
    result.map_err(|e| match e {
        // Only a KeyboardInterrupt raises the flag, and it is returned above.
        ParallelError::Interrupted { .. } => PyKeyboardInterrupt::new_err("interrupted"),
        e => SimulationError::new_err(format!("the simulation stopped: {e}")),
    })
}

/// The settled scenario: `run.warm_up = "auto"` found from pilot replications, as the CLI
/// does before a run or a comparison.
fn settle<'py>(
    py: Python<'py>,
    scenario: &PyScenario,
    variants: &[Option<&str>],
    overrides: &Overrides,
    threads: usize,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<PyScenario> {
    for &v in variants {
        scenario.build(py, v, overrides)?;
    }
    let inner = settle_together(
        &scenario.inner,
        variants,
        overrides,
        |m| {
            let mut pilot = Progress::new(progress.cloned(), u64::from(m.replications()));
            pilot.what = "warm-up pilot";
            run_model(py, m, threads, &pilot)
        },
        |_, _| {},
    )
    .map_err(|e| match e {
        SettleError::Pilot(e) => e,
        SettleError::Scenario(e) => scenario_error(py, &e, &scenario.file, None),
        e => PyValueError::new_err(format!("{}: {e}", scenario.file)),
    })?;
    Ok(PyScenario {
        inner,
        file: scenario.file.clone(),
        source: scenario.source.clone(),
    })
}

/// What a run found, for `carepath.Result`.
#[pyclass(frozen, module = "carepath._carepath", name = "RunResult")]
struct PyRun {
    model: Model,
    acc: Accumulator,
    findings: Findings,
    /// Seconds the replications took, the span `carepath run` reports as its wall time.
    run_seconds: f64,
}

/// A dict of columns.
fn columns<'py>(py: Python<'py>, cols: Vec<(&str, Py<PyAny>)>) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in cols {
        d.set_item(k, v)?;
    }
    Ok(d)
}

#[pymethods]
impl PyRun {
    /// `summary.json`, byte for byte as `carepath run --out` writes it.
    fn summary_json(&self) -> PyResult<String> {
        let mut json = serde_json::to_string_pretty(&self.findings.summary)
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        json.push('\n');
        Ok(json)
    }

    /// Station ids in the scenario's order.
    fn station_ids(&self) -> Vec<String> {
        self.model.stations().iter().map(|s| s.id.clone()).collect()
    }

    /// Class ids in the scenario's order.
    fn class_ids(&self) -> Vec<String> {
        self.model.classes().iter().map(|c| c.id.clone()).collect()
    }

    /// Seconds the replications took (the span `carepath run` reports as "wall"): what a
    /// call costs beyond this is the price of calling from Python.
    #[getter]
    fn run_seconds(&self) -> f64 {
        self.run_seconds
    }

    /// The variant run ("" for the base scenario).
    #[getter]
    fn variant(&self) -> String {
        self.model.variant().to_string()
    }

    /// One row per replication and metric (every metric a sweep or `--precision` can name):
    /// `replication`, `metric`, `value` (NaN where a replication counted nobody for it, such
    /// as a target's share when no patient reached the station).
    fn replications<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let records = self.acc.records();
        let names = sim_core::sweep::metric_names(&self.model);
        let (mut rep, mut metric, mut value) = (Vec::new(), Vec::new(), Vec::new());
        for (i, r) in records.iter().enumerate() {
            for m in &names {
                let v = sim_core::sweep::metric_values(&self.model, std::slice::from_ref(r), m)
                    .and_then(|v| v.first().copied())
                    .unwrap_or(f64::NAN);
                rep.push(i as u32);
                metric.push(m.as_str());
                value.push(v);
            }
        }
        columns(
            py,
            vec![
                ("replication", rep.into_py_any(py)?),
                ("metric", metric.into_py_any(py)?),
                ("value", value.into_py_any(py)?),
            ],
        )
    }

    /// The queue-length series across replications, long: one row per (sample time, station),
    /// as `queue_length.csv`.
    fn queue_length<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let (mut t, mut clock, mut station, mut mean, mut p05, mut p95) = (
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        );
        for r in self.findings.series.rows() {
            t.push(r.time_min);
            clock.push(sim_core::scenario::units::format_clock(r.time_min));
            station.push(r.station);
            mean.push(r.mean);
            p05.push(r.p05);
            p95.push(r.p95);
        }
        columns(
            py,
            vec![
                ("time_min", t.into_py_any(py)?),
                ("clock", clock.into_py_any(py)?),
                ("station", station.into_py_any(py)?),
                ("mean", mean.into_py_any(py)?),
                ("p05", p05.into_py_any(py)?),
                ("p95", p95.into_py_any(py)?),
            ],
        )
    }

    /// The HTML report's sections for this run (summary, where the time goes, charts).
    fn html(&self) -> PyResult<String> {
        let view = carepath_charts::report::RunView {
            model: &self.model,
            summary: &self.findings.summary,
            breakdown: &self.findings.breakdown,
            series: &self.findings.series,
        };
        let warnings = carepath_charts::report::warnings(self.model.warnings(), &[&self.model]);
        let body = carepath_charts::report::sections(&[view], None, &warnings)
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        Ok(page(&body))
    }
}

/// Report sections in a `<div>` with the report's style, for a notebook cell.
fn page(body: &str) -> String {
    format!(
        "<div class=\"carepath-report\"><style>{}</style>\n{body}</div>",
        carepath_charts::report::STYLE
    )
}

fn overrides(replications: Option<u32>, seed: Option<u64>, max_arrivals: Option<u64>) -> Overrides {
    Overrides {
        seed,
        replications,
        max_arrivals,
    }
}

/// Runs one variant (or the base) of a scenario.
#[pyfunction]
#[pyo3(signature = (scenario, variant = None, replications = None, seed = None, threads = None, max_arrivals = None, progress = None))]
#[allow(clippy::too_many_arguments)]
fn run<'py>(
    py: Python<'py>,
    scenario: &PyScenario,
    variant: Option<&str>,
    replications: Option<&Bound<'py, PyAny>>,
    seed: Option<&Bound<'py, PyAny>>,
    threads: Option<&Bound<'py, PyAny>>,
    max_arrivals: Option<&Bound<'py, PyAny>>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<PyRun> {
    let replications = whole("replications", replications, 0, i128::from(u32::MAX))?;
    let seed = whole("seed", seed, 0, i128::from(u64::MAX))?;
    let threads = whole("threads", threads, 0, usize::MAX as i128)?;
    let max_arrivals = whole("max_arrivals", max_arrivals, 0, i128::from(u64::MAX))?;
    scenario.check_variant(variant)?;
    let threads = thread_count(threads)?;
    let overrides = overrides(replications, seed, max_arrivals);
    let scenario = settle(
        py,
        scenario,
        &[variant],
        &overrides,
        threads,
        progress.as_ref(),
    )?;
    let model = scenario.build(py, variant, &overrides)?;
    let progress = Progress::new(progress, u64::from(model.replications()));
    let started = std::time::Instant::now();
    let acc = run_model(py, &model, threads, &progress)?;
    let run_seconds = started.elapsed().as_secs_f64();
    let findings = Findings::of(&model, &acc);
    Ok(PyRun {
        model,
        acc,
        findings,
        run_seconds,
    })
}

/// What a comparison found, for `carepath.Comparison`.
#[pyclass(frozen, module = "carepath._carepath", name = "ComparisonResult")]
struct PyComparison {
    models: Vec<Model>,
    accs: Vec<Accumulator>,
    findings: Vec<Findings>,
    comparison: Comparison,
    warnings: Vec<String>,
}

#[pymethods]
impl PyComparison {
    /// `comparison.json`, byte for byte as `carepath compare --out` writes it.
    fn comparison_json(&self) -> PyResult<String> {
        let mut json = serde_json::to_string_pretty(&self.comparison)
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        json.push('\n');
        Ok(json)
    }

    /// Paired differences, one row per (pair, metric).
    fn differences<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = &self.comparison.differences;
        let col =
            |f: &dyn Fn(&sim_core::compare::PairedDifference) -> Option<f64>| -> Vec<Option<f64>> {
                d.iter().map(f).collect()
            };
        columns(
            py,
            vec![
                (
                    "a",
                    d.iter()
                        .map(|x| x.a.clone())
                        .collect::<Vec<_>>()
                        .into_py_any(py)?,
                ),
                (
                    "b",
                    d.iter()
                        .map(|x| x.b.clone())
                        .collect::<Vec<_>>()
                        .into_py_any(py)?,
                ),
                (
                    "metric",
                    d.iter()
                        .map(|x| x.metric.clone())
                        .collect::<Vec<_>>()
                        .into_py_any(py)?,
                ),
                ("a_mean", col(&|x| Some(x.a_mean)).into_py_any(py)?),
                ("b_mean", col(&|x| Some(x.b_mean)).into_py_any(py)?),
                (
                    "difference",
                    col(&|x| Some(x.difference.mean)).into_py_any(py)?,
                ),
                ("ci95_low", col(&|x| x.difference.ci95_low).into_py_any(py)?),
                (
                    "ci95_high",
                    col(&|x| x.difference.ci95_high).into_py_any(py)?,
                ),
                ("sd", col(&|x| Some(x.difference.sd)).into_py_any(py)?),
                (
                    "independent_ci95_half_width",
                    col(&|x| x.independent_ci95_half_width).into_py_any(py)?,
                ),
            ],
        )
    }

    /// Each variant's results, in the order compared.
    fn runs(&self) -> Vec<PyRun> {
        self.models
            .iter()
            .zip(&self.accs)
            .zip(&self.findings)
            .map(|((m, acc), f)| PyRun {
                model: m.clone(),
                acc: acc.clone(),
                findings: f.clone(),
                run_seconds: f64::NAN,
            })
            .collect()
    }

    /// The HTML report's sections for the comparison.
    fn html(&self) -> PyResult<String> {
        let views: Vec<_> = self
            .models
            .iter()
            .zip(&self.findings)
            .map(|(model, f)| carepath_charts::report::RunView {
                model,
                summary: &f.summary,
                breakdown: &f.breakdown,
                series: &f.series,
            })
            .collect();
        let body =
            carepath_charts::report::sections(&views, Some(&self.comparison), &self.warnings)
                .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        Ok(page(&body))
    }
}

/// Runs variants with common random numbers and pairs their replications, as
/// `carepath compare` does (the first variant is the baseline).
#[pyfunction]
#[pyo3(signature = (scenario, variants = None, replications = None, seed = None, threads = None, progress = None))]
fn compare<'py>(
    py: Python<'py>,
    scenario: &PyScenario,
    variants: Option<Vec<String>>,
    replications: Option<&Bound<'py, PyAny>>,
    seed: Option<&Bound<'py, PyAny>>,
    threads: Option<&Bound<'py, PyAny>>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<PyComparison> {
    let replications = whole("replications", replications, 0, i128::from(u32::MAX))?;
    let seed = whole("seed", seed, 0, i128::from(u64::MAX))?;
    let threads = whole("threads", threads, 0, usize::MAX as i128)?;
    let ids = variants.unwrap_or_else(|| scenario.inner.variant_ids().to_vec());
    if ids.len() < 2 {
        return Err(PyValueError::new_err(format!(
            "{}: compare needs at least two variants (declared: {})",
            scenario.file,
            if scenario.inner.variant_ids().is_empty() {
                "none".to_string()
            } else {
                scenario.inner.variant_ids().join(", ")
            }
        )));
    }
    for (i, v) in ids.iter().enumerate() {
        scenario.check_variant(Some(v))?;
        if ids[..i].contains(v) {
            return Err(PyValueError::new_err(format!(
                "variants names {v} twice; list each variant once (the first is the baseline)"
            )));
        }
    }
    let threads = thread_count(threads)?;
    let overrides = overrides(replications, seed, None);
    let refs: Vec<Option<&str>> = ids.iter().map(|v| Some(v.as_str())).collect();
    let scenario = settle(py, scenario, &refs, &overrides, threads, progress.as_ref())?;
    let models = ids
        .iter()
        .map(|v| scenario.build(py, Some(v), &overrides))
        .collect::<PyResult<Vec<_>>>()?;
    // Every variant once with the shared seed, and every variant but the baseline again with
    // unrelated random numbers, to show what pairing buys (as the CLI does).
    let per = u64::from(models[0].replications());
    let progress = Progress::new(progress, per * (2 * models.len() as u64 - 1));
    let compared = sim_core::study::comparison::run(
        &models,
        |i, m| scenario.build(py, Some(&ids[i]), &twin_overrides(&overrides, m.seed())),
        |m, _| run_model(py, m, threads, &progress),
    )?;
    let base = scenario.build(py, None, &overrides)?;
    let warnings =
        carepath_charts::report::warnings(base.warnings(), &models.iter().collect::<Vec<_>>());
    Ok(PyComparison {
        models,
        accs: compared.results,
        findings: compared.findings,
        comparison: compared.comparison,
        warnings,
    })
}

/// A TOML value as the Python value it reads as.
fn py_value(py: Python<'_>, v: &toml::Value) -> PyResult<Py<PyAny>> {
    match v {
        toml::Value::String(s) => s.into_py_any(py),
        toml::Value::Integer(i) => i.into_py_any(py),
        toml::Value::Float(f) => f.into_py_any(py),
        toml::Value::Boolean(b) => b.into_py_any(py),
        v => v.to_string().into_py_any(py),
    }
}

/// Runs every point of a study file (`carepath sweep`'s input), or those of `shard` (K, N)
/// as `--shard K/N` cuts them, and returns its tidy table: the columns of `sweep.csv`, typed.
/// Points run one after another, each point's replications in parallel; a point's rows
/// depend on the point alone, so the table is the CLI's.
#[pyfunction]
#[pyo3(signature = (study, replications = None, seed = None, threads = None, progress = None, shard = None))]
fn sweep<'py>(
    py: Python<'py>,
    study: PathBuf,
    replications: Option<&Bound<'py, PyAny>>,
    seed: Option<&Bound<'py, PyAny>>,
    threads: Option<&Bound<'py, PyAny>>,
    progress: Option<Bound<'py, PyAny>>,
    shard: Option<(usize, usize)>,
) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyDict>)> {
    let replications = whole("replications", replications, 0, i128::from(u32::MAX))?;
    let seed = whole("seed", seed, 0, i128::from(u64::MAX))?;
    let threads = whole("threads", threads, 0, usize::MAX as i128)?;
    let threads = thread_count(threads)?;
    if let Some((k, n)) = shard
        && (k == 0 || n == 0 || k > n)
    {
        return Err(PyValueError::new_err(format!(
            "shard=({k}, {n}): expected (K, N) with 1 <= K <= N"
        )));
    }
    let study_file = study.display().to_string();
    let text = std::fs::read_to_string(&study)
        .map_err(|e| PyOSError::new_err(format!("cannot read study {study_file}: {e}")))?;
    let sweep = Sweep::parse(&text).map_err(|e| match &e {
        sim_core::sweep::SweepError::Syntax {
            line,
            column,
            message,
        } => raise_problems(
            py,
            format!("{study_file}:{line}:{column}: error: {message}"),
            vec![problem(py, Some(*line), Some(*column), None, message, None)],
        ),
        e => plain_problem(py, &study_file, None, &e.to_string()),
    })?;
    let scenario_path: PathBuf = study
        .parent()
        .unwrap_or(Path::new("."))
        .join(&sweep.scenario);
    let base = PyScenario::from_file(py, scenario_path)?;
    let scenario = PyScenario {
        inner: base.inner.with_settings(
            &sweep
                .fixed
                .iter()
                .map(|s| s.clone().with_origin("sweep.set"))
                .collect::<Vec<_>>(),
        ),
        file: base.file.clone(),
        source: base.source.clone(),
    };
    let mut overrides = overrides(replications, seed, None);
    overrides.replications = overrides.replications.or(sweep.replications);
    overrides.seed = overrides.seed.or(sweep.seed);
    let build_point = |i: usize, v: Option<&str>| -> PyResult<Model> {
        let settings: Vec<Setting> = sweep
            .settings(i)
            .into_iter()
            .map(|s| s.with_origin("parameter"))
            .collect();
        let at = PyScenario {
            inner: scenario.inner.with_settings(&settings),
            file: scenario.file.clone(),
            source: scenario.source.clone(),
        };
        let model = at.build(py, v, &overrides).map_err(|e| {
            let point: Vec<String> = sweep.settings(i).iter().map(|s| s.display()).collect();
            let err = ScenarioError::new_err(format!(
                "{}\n  in point {i} of the sweep ({}){}",
                e.value(py),
                point.join(", "),
                v.map_or(String::new(), |v| format!(", variant {v}"))
            ));
            if let Ok(p) = e.value(py).getattr("problems") {
                let _ = err.value(py).setattr("problems", p);
            }
            err
        })?;
        if model.warm_up_is_auto() {
            return Err(plain_problem(
                py,
                &scenario.file,
                Some("run.warm_up"),
                "\"auto\" is not used in sweeps (each point would find its own warm-up, and the points would not share an observation window): run `carepath warmup` at the sweep's busiest point and set run.warm_up to what it finds (in the scenario or the study's [sweep.set])",
            ));
        }
        Ok(model)
    };
    // The metrics default to those of point 0 (in every shard, as in the CLI).
    let metrics = if sweep.metrics.is_empty() {
        sim_core::sweep::default_metrics(&build_point(
            0,
            sweep.variants.first().and_then(Option::as_deref),
        )?)
    } else {
        sweep.metrics.clone()
    };
    // Every point's models are built first, so a bad point stops the sweep before anything
    // runs (the first in point order is reported).
    let points: Vec<usize> = match shard {
        Some((k, n)) => sweep.shard(k, n).collect(),
        None => (0..sweep.len()).collect(),
    };
    let mut plans = Vec::new();
    for i in points {
        for v in &sweep.variants {
            plans.push((i, build_point(i, v.as_deref())?));
        }
    }
    for (_, m) in &plans {
        sim_core::sweep::check_metrics(m, &metrics)
            .map_err(|e| plain_problem(py, &study_file, Some("sweep.metrics"), &e.to_string()))?;
    }
    let total: u64 = plans.iter().map(|(_, m)| u64::from(m.replications())).sum();
    let progress = Progress::new(progress, total);
    let mut rows = Vec::new();
    for (i, model) in &plans {
        let acc = run_model(py, model, threads, &progress)?;
        rows.extend(sim_core::sweep::rows(*i, model, acc.records(), &metrics));
    }
    let d = PyDict::new(py);
    d.set_item("point", rows.iter().map(|r| r.point).collect::<Vec<_>>())?;
    d.set_item(
        "variant",
        rows.iter()
            .map(|r| {
                if r.variant.is_empty() {
                    "base".to_string()
                } else {
                    r.variant.clone()
                }
            })
            .collect::<Vec<_>>(),
    )?;
    // Each parameter's type, from its values at every point (not only this shard's), so
    // shards and empty shards have the same columns.
    let types = PyDict::new(py);
    let values: Vec<Vec<toml::Value>> = (0..sweep.len()).map(|i| sweep.point(i)).collect();
    for (k, name) in sweep.parameters.iter().enumerate() {
        let col = rows
            .iter()
            .map(|r| py_value(py, &values[r.point][k]))
            .collect::<PyResult<Vec<_>>>()?;
        d.set_item(name, col)?;
        let all = |f: fn(&toml::Value) -> bool| values.iter().all(|p| f(&p[k]));
        let kind = if all(|v| v.is_integer()) {
            "int"
        } else if all(|v| v.is_integer() || v.is_float()) {
            "float"
        } else if all(|v| v.is_bool()) {
            "bool"
        } else if all(|v| v.is_str()) {
            "str"
        } else {
            "object"
        };
        types.set_item(name, kind)?;
    }
    d.set_item(
        "metric",
        rows.iter().map(|r| r.metric.clone()).collect::<Vec<_>>(),
    )?;
    d.set_item(
        "mean",
        rows.iter().map(|r| r.estimate.mean).collect::<Vec<_>>(),
    )?;
    d.set_item(
        "ci95_low",
        rows.iter().map(|r| r.estimate.low()).collect::<Vec<_>>(),
    )?;
    d.set_item(
        "ci95_high",
        rows.iter().map(|r| r.estimate.high()).collect::<Vec<_>>(),
    )?;
    d.set_item(
        "half_width",
        rows.iter()
            .map(|r| r.estimate.half_width)
            .collect::<Vec<_>>(),
    )?;
    d.set_item("sd", rows.iter().map(|r| r.estimate.sd).collect::<Vec<_>>())?;
    d.set_item("replications", rows.iter().map(|r| r.n).collect::<Vec<_>>())?;
    Ok((d, types))
}

/// The patient-level event log of one replication (`carepath run --events`): one row per
/// event of the sampled patients, the columns of the CSV log.
#[pyfunction]
#[pyo3(signature = (scenario, variant = None, replication = None, seed = None, sample = None, limit = None))]
fn events<'py>(
    py: Python<'py>,
    scenario: &PyScenario,
    variant: Option<&str>,
    replication: Option<&Bound<'py, PyAny>>,
    seed: Option<&Bound<'py, PyAny>>,
    sample: Option<&Bound<'py, PyAny>>,
    limit: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let replication: u32 = whole("replication", replication, 0, i128::from(u32::MAX))?.unwrap_or(0);
    let seed = whole("seed", seed, 0, i128::from(u64::MAX))?;
    let limit: usize = whole("limit", limit, 1, usize::MAX as i128)?.unwrap_or(1_000_000);
    scenario.check_variant(variant)?;
    let what = "sample: an int (the first N patients) or a float in (0, 1] (a share of patients)";
    let sample = match sample.filter(|s| !s.is_none()) {
        None => Sample::All,
        Some(s) if is_bool(s) => return Err(PyTypeError::new_err(what)),
        Some(s) if is_whole(s) => {
            let n: u32 = whole("sample", Some(s), 0, i128::from(u32::MAX))?.unwrap_or(0);
            if n == 0 {
                return Err(PyValueError::new_err(
                    "sample=0 logs nobody; give at least 1 patient",
                ));
            }
            Sample::First(n)
        }
        Some(s) => {
            let r: f64 = s.extract().map_err(|_| PyTypeError::new_err(what))?;
            if !(r > 0.0 && r <= 1.0) {
                return Err(PyValueError::new_err(format!(
                    "sample={r}: a share of patients must be in (0, 1]"
                )));
            }
            Sample::Rate(r)
        }
    };
    let threads = thread_count(None)?;
    let ov = overrides(None, seed, None);
    let replications = scenario.build(py, variant, &ov)?.replications();
    if replication >= replications {
        return Err(PyValueError::new_err(format!(
            "replication={replication}: the scenario runs replications 0 to {}",
            replications - 1
        )));
    }
    let scenario = settle(py, scenario, &[variant], &ov, threads, None)?;
    let model = scenario.build(py, variant, &ov)?;
    let stop = AtomicBool::new(false);
    let progress = Progress::new(None, 1);
    let log = detached(py, &progress, &stop, || {
        let mut sim = sim_core::Simulator::new(&model)
            .with_stop_flag(&stop)
            .with_event_log(LogSpec {
                sample,
                max_events: limit,
            });
        sim.run(replication).map(|_| sim.event_log().to_vec())
    })?
    .map_err(|e| match e {
        RunError::Interrupted => PyKeyboardInterrupt::new_err("interrupted"),
        RunError::EventLogFull { .. } => PyValueError::new_err(format!(
            "limit={limit}: the replication logged more than {limit} events; log fewer patients (sample=N for the first N, or a share such as sample=0.1) or raise limit="
        )),
        e => SimulationError::new_err(format!("the simulation stopped: {e}")),
    })?;
    let name =
        |ids: &[String], i: u32| -> Option<String> { (i != NONE).then(|| ids[i as usize].clone()) };
    let classes: Vec<String> = model.classes().iter().map(|c| c.id.clone()).collect();
    let steps: Vec<String> = model.steps().iter().map(|s| s.id.clone()).collect();
    let stations: Vec<String> = model.stations().iter().map(|s| s.id.clone()).collect();
    let resources: Vec<String> = model.resources().iter().map(|r| r.id.clone()).collect();
    let d = PyDict::new(py);
    d.set_item("replication", vec![replication; log.len()])?;
    d.set_item("patient", log.iter().map(|e| e.patient).collect::<Vec<_>>())?;
    d.set_item(
        "class",
        log.iter()
            .map(|e| classes[e.class as usize].clone())
            .collect::<Vec<_>>(),
    )?;
    d.set_item(
        "workflow",
        log.iter()
            .map(|e| if e.digital { "digital" } else { "paper" })
            .collect::<Vec<_>>(),
    )?;
    d.set_item(
        "activity",
        log.iter().map(|e| e.activity.name()).collect::<Vec<_>>(),
    )?;
    d.set_item(
        "step",
        log.iter().map(|e| name(&steps, e.step)).collect::<Vec<_>>(),
    )?;
    d.set_item(
        "station",
        log.iter()
            .map(|e| name(&stations, e.station))
            .collect::<Vec<_>>(),
    )?;
    d.set_item(
        "resource",
        log.iter()
            .map(|e| name(&resources, e.resource))
            .collect::<Vec<_>>(),
    )?;
    d.set_item("time_min", log.iter().map(|e| e.time).collect::<Vec<_>>())?;
    Ok(d)
}

/// The extension module.
#[pymodule]
fn _carepath(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyScenario>()?;
    m.add_class::<PyRun>()?;
    m.add_class::<PyComparison>()?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(events, m)?)?;
    m.add_function(wrap_pyfunction!(_restore_scenario, m)?)?;
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add("SimulationError", m.py().get_type::<SimulationError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

"""CarePath from Python: outpatient patient-flow simulation with tidy DataFrame results.

The simulation runs in CarePath's Rust core (the extension module ``carepath._carepath``),
the same code as the ``carepath`` command line, so a scenario and seed give the CLI's bits.

>>> import carepath
>>> s = carepath.Scenario.from_file("scenarios/flagship_hospital.toml")
>>> r = carepath.run(s, variant="digital", replications=20, seed=42)
>>> r.summary["time_in_system_min"]["mean"]      # the summary.json schema
>>> r.stations()                                 # pandas DataFrame, one row per station
>>> carepath.compare(s, ["paper", "digital"]).differences   # paired, common random numbers

Long runs release the GIL, draw a tqdm progress bar when tqdm is installed, and stop within
moments on KeyboardInterrupt (Ctrl-C, or a notebook's interrupt button).
"""

from __future__ import annotations

import json
import os
from typing import Any, Iterable, Literal

from . import _carepath
from ._carepath import Scenario, ScenarioError, SimulationError, __version__

__all__ = [
    "Scenario",
    "ScenarioError",
    "SimulationError",
    "Result",
    "Comparison",
    "run",
    "compare",
    "sweep",
    "events",
    "__version__",
]

Backend = Literal["pandas", "polars"]


# Column types, named once for both backends: a column keeps its type whatever its values
# (all missing with one replication, none at all in an empty shard).
_PANDAS = {"float": "float64", "int": "int64", "bool": "bool", "str": object, "object": object}


def _polars_type(kind: str):
    import polars as pl

    return {"float": pl.Float64, "int": pl.Int64, "bool": pl.Boolean, "str": pl.String}.get(kind)


def _frame(columns: dict[str, list], backend: Backend, types: dict[str, str]):
    """A DataFrame of ``columns`` (a dict of equal-length lists) in ``backend``, each column
    of its type in ``types`` (``float``, ``int``, ``bool``, ``str``; ``object`` as it comes)."""
    if backend == "pandas":
        import pandas as pd

        return pd.DataFrame(
            {c: pd.Series(v, dtype=_PANDAS[types.get(c, "object")]) for c, v in columns.items()}
        )
    if backend == "polars":
        import polars as pl

        schema = {c: _polars_type(types.get(c, "object")) for c in columns}
        if all(t is not None for t in schema.values()):
            return pl.DataFrame(columns, schema=schema, strict=False)
        frame = pl.DataFrame(columns, strict=False, infer_schema_length=None)
        return frame.cast({c: t for c, t in schema.items() if t is not None}, strict=False)
    raise ValueError(f"backend={backend!r}: use 'pandas' or 'polars'")


def _kind(values: list) -> str:
    """The type of a column of summary values: numbers are floats unless every one is an int
    (a missing interval, None, is a float's NaN: intervals are numbers)."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "bool"
    if present and all(isinstance(v, str) for v in present):
        return "str"
    if present and len(present) == len(values) and all(isinstance(v, int) for v in present):
        return "int"
    return "float"


_REPLICATIONS = {"replication": "int", "metric": "str", "value": "float"}
_QUEUE = {"time_min": "float", "clock": "str", "station": "str", "mean": "float", "p05": "float", "p95": "float"}
_DIFFERENCES = {"a": "str", "b": "str", "metric": "str"}  # the rest are floats
_SWEEP = {"point": "int", "variant": "str", "metric": "str", "replications": "int"}  # and floats
_EVENTS = {
    "replication": "int", "patient": "int", "class": "str", "workflow": "str", "activity": "str",
    "step": "str", "station": "str", "resource": "str", "time_min": "float",
}


def _with_floats(columns: dict[str, list], named: dict[str, str]) -> dict[str, str]:
    return {c: named.get(c, "float") for c in columns}


def _flatten(d: dict, prefix: str = "") -> dict[str, Any]:
    """Nested dicts as one level with dotted keys (``wait_min.mean``); lists are left out
    (they are distributions and hourly series, which have tables of their own)."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        elif not isinstance(v, list):
            out[key] = v
    return out


def _rows(ids: Iterable[str], first: str, entries: dict[str, dict], backend: Backend):
    """One row per id (in the given order) with the entry's fields flattened."""
    rows = [{first: i, **_flatten(entries[i])} for i in ids]
    names: list[str] = []
    for r in rows:
        names.extend(k for k in r if k not in names)
    columns = {n: [r.get(n) for r in rows] for n in names}
    types = {n: _kind(v) for n, v in columns.items()}
    types[first] = types["name"] = "str"
    return _frame(columns, backend, types)


class _Bar:
    """The progress callback: a tqdm bar, drawn only once a call has run for a moment (the
    core calls back every 100 ms while it runs, and once at the end); a new bar for each
    phase (a warm-up pilot, then the replications)."""

    def __init__(self, enabled: bool | None, desc: str):
        self.enabled = enabled
        self.desc = desc
        self.bar = None
        self.phase = None

    def __call__(self, done: int, total: int, what: str = "") -> None:
        if self.bar is not None and self.phase != (what, total):
            self.close()
        if self.bar is None:
            if not self.enabled or done >= total:
                return
            try:
                from tqdm.auto import tqdm
            except ImportError:
                self.enabled = False
                return
            self.phase = (what, total)
            self.bar = tqdm(total=total, desc=f"{self.desc} {what}".strip(), unit="rep")
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _progress(progress: bool | None, desc: str) -> _Bar:
    # None: a bar when tqdm is installed (and CAREPATH_PROGRESS is not 0).
    if progress is None:
        progress = os.environ.get("CAREPATH_PROGRESS", "1") != "0"
    return _Bar(progress, desc)


class Result:
    """One variant's replications: ``summary`` (the ``summary.json`` schema) and tables."""

    def __init__(self, raw: _carepath.RunResult, backend: Backend = "pandas"):
        self._raw = raw
        self.backend = backend
        self.summary: dict = json.loads(raw.summary_json())

    @property
    def variant(self) -> str:
        """The variant run (``"base"`` for the base scenario)."""
        return self._raw.variant or "base"

    @property
    def run_seconds(self) -> float:
        """Seconds the replications took (what ``carepath run`` reports as wall time; NaN
        for the runs of a comparison)."""
        return self._raw.run_seconds

    def summary_json(self) -> str:
        """``summary.json`` as ``carepath run --out`` writes it, byte for byte."""
        return self._raw.summary_json()

    def stations(self, backend: Backend | None = None):
        """One row per station, in the scenario's order: every field of
        ``summary["stations"][id]`` with dotted names (``wait_min.mean``, ``utilisation.ci95_low``)."""
        return _rows(self._raw.station_ids(), "station", self.summary["stations"], backend or self.backend)

    def classes(self, backend: Backend | None = None):
        """One row per patient class, in the scenario's order (``patients.completed.mean``,
        ``time_in_system_min.p90``, ...)."""
        return _rows(self._raw.class_ids(), "class", self.summary["classes"], backend or self.backend)

    def replications(self, backend: Backend | None = None):
        """One row per replication and metric: ``replication``, ``metric``, ``value`` (the
        metrics a sweep can name, such as ``time_in_system_min.mean``)."""
        return _frame(self._raw.replications(), backend or self.backend, _REPLICATIONS)

    def queue_length(self, backend: Backend | None = None):
        """Queue length over the day across replications: one row per (time, station) with
        the mean and the 5th and 95th percentiles (``queue_length.csv``)."""
        return _frame(self._raw.queue_length(), backend or self.backend, _QUEUE)

    def _repr_html_(self) -> str:
        return self._raw.html()

    def __repr__(self) -> str:
        t = self.summary["time_in_system_min"]
        return (
            f"<carepath.Result {self.summary['scenario']!r} {self.variant}: "
            f"{self.summary['replications']} replications, seed {self.summary['seed']}, "
            f"time in system {t['mean']:.1f} min>"
        )


class Comparison:
    """Variants run with common random numbers: ``differences`` (paired, baseline first),
    ``summary`` (the ``comparison.json`` schema) and each variant's ``runs``."""

    def __init__(self, raw: _carepath.ComparisonResult, backend: Backend = "pandas"):
        self._raw = raw
        self.backend = backend
        self.summary: dict = json.loads(raw.comparison_json())
        d = raw.differences()
        self.differences = _frame(d, backend, _with_floats(d, _DIFFERENCES))
        self.runs: dict[str, Result] = {
            r.variant: r for r in (Result(x, backend) for x in raw.runs())
        }

    def comparison_json(self) -> str:
        """``comparison.json`` as ``carepath compare --out`` writes it, byte for byte."""
        return self._raw.comparison_json()

    def _repr_html_(self) -> str:
        return self._raw.html()

    def __repr__(self) -> str:
        return f"<carepath.Comparison {' vs '.join(self.summary['order'])}: {self.summary['replications']} replications each>"


def run(
    scenario: Scenario,
    variant: str | None = None,
    replications: int | None = None,
    seed: int | None = None,
    threads: int | None = None,
    *,
    max_arrivals: int | None = None,
    backend: Backend = "pandas",
    progress: bool | None = None,
) -> Result:
    """Runs ``variant`` (None: the base scenario) of ``scenario``: the file's ``[run]``
    replications and seed unless given, on ``threads`` threads (None: every core; the
    results are the same bits for any number)."""
    bar = _progress(progress, variant or "base")
    try:
        raw = _carepath.run(
            scenario, variant, replications, seed, threads, max_arrivals, bar
        )
    finally:
        bar.close()
    return Result(raw, backend)


def compare(
    scenario: Scenario,
    variants: list[str] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    threads: int | None = None,
    *,
    backend: Backend = "pandas",
    progress: bool | None = None,
) -> Comparison:
    """Runs ``variants`` (None: every declared one) with common random numbers, as
    ``carepath compare`` does; the first is the baseline of the paired differences."""
    bar = _progress(progress, "compare")
    try:
        raw = _carepath.compare(scenario, variants, replications, seed, threads, bar)
    finally:
        bar.close()
    return Comparison(raw, backend)


def sweep(
    study: str | os.PathLike,
    replications: int | None = None,
    seed: int | None = None,
    threads: int | None = None,
    *,
    shard: tuple[int, int] | None = None,
    backend: Backend = "pandas",
    progress: bool | None = None,
):
    """Runs every point of a study file (``carepath sweep``'s input), or only those of
    ``shard=(K, N)`` as ``carepath sweep --shard K/N`` cuts them, and returns its tidy
    table, the columns of ``sweep.csv``: ``point``, ``variant``, one column per parameter,
    ``metric``, ``mean``, ``ci95_low``, ``ci95_high``, ``half_width``, ``sd``,
    ``replications`` (those counted: a target's share leaves out replications that counted
    nobody)."""
    bar = _progress(progress, "sweep")
    try:
        cols, parameters = _carepath.sweep(
            os.fspath(study), replications, seed, threads, bar, None if shard is None else tuple(shard)
        )
    finally:
        bar.close()
    return _frame(cols, backend, {**_with_floats(cols, _SWEEP), **parameters})


def events(
    scenario: Scenario,
    variant: str | None = None,
    replication: int = 0,
    seed: int | None = None,
    *,
    sample: int | float | None = None,
    limit: int = 1_000_000,
    backend: Backend = "pandas",
):
    """The patient-level event log of one replication (``carepath run --events``): one row
    per event, with ``patient``, ``class``, ``workflow``, ``activity``, ``step``,
    ``station``, ``resource`` and ``time_min``. ``sample`` logs the first N patients (an int)
    or a share of them (a float); at most ``limit`` events are kept."""
    return _frame(
        _carepath.events(scenario, variant, replication, seed, sample, limit), backend, _EVENTS
    )

"""The `carepath` Python package against the `carepath` command line and against itself.

Run by scripts/test.sh (python/test.sh) with CAREPATH_BIN naming the CLI to compare with.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

import carepath

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
FLAGSHIP = SCENARIOS / "future-hospital.toml"
CLINIC = SCENARIOS / "outpatient-clinic.toml"
CLI = os.environ.get("CAREPATH_BIN", str(ROOT / "target" / "debug" / "carepath"))

MM1 = """
[scenario]
name = "M/M/1"
[run]
max_arrivals = 2000
replications = 6
[[stations]]
id = "desk"
servers = 1
service = { dist = "exponential", mean = "3min" }
[[arrivals]]
id = "walk_in"
kind = "poisson"
rate = "15/h"
pathway = "visit"
[[pathways]]
id = "visit"
steps = [{ id = "desk", station = "desk", next = "exit" }]
"""


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def flagship() -> carepath.Scenario:
    return carepath.Scenario.from_file(FLAGSHIP)


# --- scenarios and their errors -------------------------------------------------------------


def test_a_scenario_lists_its_variants_and_name(flagship):
    assert flagship.variants == ["paper", "digital", "digital_50pct", "digital_fewer_cashiers"]
    assert flagship.name.startswith("Future Hospital")
    assert "4 variants" in repr(flagship)


def test_problems_carry_lines_and_columns_and_match_validate(tmp_path):
    bad = tmp_path / "bad.toml"
    text = MM1.replace('station = "desk"', 'station = "desks"').replace(
        'mean = "3min"', 'mean = "-3min"'
    )
    bad.write_text(text)
    with pytest.raises(carepath.ScenarioError) as e:
        carepath.Scenario.from_file(bad)
    problems = e.value.problems
    assert len(problems) == 2, problems
    lines = text.splitlines()
    for p in problems:
        assert p["line"] >= 1 and p["column"] >= 1
        assert p["at"] and p["message"]
    written = {lines[p["line"] - 1].strip().split(" ")[0] for p in problems}
    assert written == {"service", "steps"}, written
    # The same lines as `carepath validate`.
    out = cli("validate", str(bad))
    assert out.returncode != 0
    theirs = [l for l in (out.stdout + out.stderr).splitlines() if ": error: " in l]
    assert str(e.value).splitlines() == theirs


def test_a_syntax_error_has_its_position():
    with pytest.raises(carepath.ScenarioError) as e:
        carepath.Scenario.from_toml("[scenario\nname = 1\n", name="typo.toml")
    (p,) = e.value.problems
    assert (p["line"], p["column"]) == (1, 10)
    assert str(e.value).startswith("typo.toml:1:10: error:")


def test_set_is_checked_by_the_compiler_and_changes_every_variant(flagship):
    with pytest.raises(carepath.ScenarioError) as e:
        flagship.set("stations.doctor.servers", -1)
    (p,) = e.value.problems
    assert p["at"] == "set stations.doctor.servers=-1"
    assert "zero or more" in p["message"]
    # A problem the value causes elsewhere is placed where the file says so.
    with pytest.raises(carepath.ScenarioError) as e:
        flagship.set("stations.doctor.servers", 0)
    assert all(p["line"] for p in e.value.problems)
    assert "never has any servers" in str(e.value)
    with pytest.raises(carepath.ScenarioError) as e:
        flagship.set("stations.no_such_station.servers", 3)
    assert "no_such_station" in str(e.value)
    with pytest.raises(TypeError):
        flagship.set("stations.doctor.servers", None)
    more = flagship.set("run.replications", 3).set("workflow.adoption.adult", 0.25)
    assert more.settings == ["run.replications=3", "workflow.adoption.adult=0.25"]
    assert flagship.settings == []  # set returns a copy
    r = carepath.run(more, "digital", progress=False)
    assert r.summary["replications"] == 3


def test_set_gives_the_cli_bits_of_set(tmp_path, flagship):
    r = carepath.run(flagship.set("stations.cashier.servers", 9), "paper", replications=3, seed=5, progress=False)
    out = cli("run", str(FLAGSHIP), "--variant", "paper", "--replications", "3", "--seed", "5",
              "--set", "stations.cashier.servers=9", "--out", str(tmp_path), "--quiet")
    assert out.returncode == 0, out.stderr
    assert r.summary_json() == (tmp_path / "summary.json").read_text()


def test_an_unknown_variant_or_bad_arguments_are_named(flagship):
    with pytest.raises(ValueError, match='no variant "papr"'):
        carepath.run(flagship, "papr")
    with pytest.raises(carepath.ScenarioError, match="replications=0"):
        carepath.run(flagship, "paper", replications=0)
    with pytest.raises(ValueError, match="threads=100000"):
        carepath.run(flagship, "paper", threads=100000)


# --- results as DataFrames ------------------------------------------------------------------


@pytest.fixture(scope="module")
def paper(flagship) -> carepath.Result:
    return carepath.run(flagship, "paper", replications=8, seed=3, progress=False)


def test_summary_is_the_summary_json_schema(paper):
    s = paper.summary
    assert s["replications"] == 8 and s["seed"] == 3 and s["variant"] == "paper"
    assert set(s) >= {"schema_version", "patients", "time_in_system_min", "stations", "classes"}


def test_station_and_class_tables_have_one_typed_row_each(paper):
    st = paper.stations()
    assert list(st["station"]) == paper._raw.station_ids()
    assert st["wait_min.mean"].dtype == "float64"
    assert st["max_queue_length"].dtype == "int64"
    assert math.isclose(
        st.set_index("station").loc["doctor", "wait_min.mean"],
        paper.summary["stations"]["doctor"]["wait_min"]["mean"],
    )
    cl = paper.classes()
    assert list(cl["class"]) == paper._raw.class_ids()
    assert cl["time_in_system_min.mean"].dtype == "float64"


def test_replications_table_has_a_row_per_replication_and_metric(paper):
    reps = paper.replications()
    assert list(reps.columns) == ["replication", "metric", "value"]
    metrics = reps["metric"].unique()
    assert len(reps) == 8 * len(metrics)
    assert reps["replication"].dtype == "int64" and reps["value"].dtype == "float64"
    tis = reps[reps.metric == "time_in_system_min.mean"]["value"]
    assert math.isclose(tis.mean(), paper.summary["time_in_system_min"]["mean"], rel_tol=1e-12)


def test_queue_length_is_long_with_a_band(paper):
    q = paper.queue_length()
    assert list(q.columns) == ["time_min", "clock", "station", "mean", "p05", "p95"]
    assert set(q["station"]) == set(paper._raw.station_ids())
    assert (q["p05"] <= q["mean"] + 1e-9).all() and (q["mean"] <= q["p95"] + 1e-9).all()


def test_polars_backend_gives_the_same_tables(flagship, paper):
    r = carepath.run(flagship, "paper", replications=8, seed=3, backend="polars", progress=False)
    st = r.stations()
    assert isinstance(st, pl.DataFrame)
    assert st.schema["wait_min.mean"] == pl.Float64
    assert st["wait_min.mean"].to_list() == paper.stations()["wait_min.mean"].tolist()
    assert isinstance(paper.stations(backend="polars"), pl.DataFrame)
    assert r.replications().height == len(paper.replications())


def test_html_has_the_report_sections(paper):
    h = paper._repr_html_()
    for section in ("summary", "time", "waits", "util", "queues"):
        assert f'<section id="{section}">' in h
    assert "<svg" in h


# --- the same bits as the CLI, for any thread count -------------------------------------


def test_a_run_is_the_cli_run_byte_for_byte(tmp_path, flagship):
    r = carepath.run(flagship, "digital", replications=6, seed=11, progress=False)
    out = cli("run", str(FLAGSHIP), "--variant", "digital", "--replications", "6", "--seed", "11",
              "--out", str(tmp_path), "--quiet")
    assert out.returncode == 0, out.stderr
    assert r.summary_json() == (tmp_path / "summary.json").read_text()
    q = pd.read_csv(tmp_path / "queue_length.csv", float_precision="round_trip")
    mine = r.queue_length()
    assert q["mean"].tolist() == mine["mean"].tolist()
    assert q["station"].tolist() == mine["station"].tolist()


@pytest.mark.parametrize("threads", [1, 2, 5])
def test_threads_do_not_change_a_bit(flagship, paper, threads):
    r = carepath.run(flagship, "paper", replications=8, seed=3, threads=threads, progress=False)
    assert r.summary_json() == paper.summary_json()


def test_a_comparison_is_the_cli_comparison(tmp_path, flagship):
    c = carepath.compare(flagship, ["paper", "digital"], replications=5, seed=2, progress=False)
    out = cli("compare", str(FLAGSHIP), "--variants", "paper,digital", "--replications", "5",
              "--seed", "2", "--out", str(tmp_path), "--quiet")
    assert out.returncode == 0, out.stderr
    assert c.comparison_json() == (tmp_path / "comparison.json").read_text()
    d = c.differences
    assert set(d["metric"]) >= {"time_in_system_min.mean"}
    tis = d[d.metric == "time_in_system_min.mean"].iloc[0]
    assert tis["a"] == "paper" and tis["b"] == "digital"
    assert tis["ci95_low"] <= tis["difference"] <= tis["ci95_high"]
    assert set(c.runs) == {"paper", "digital"}
    assert '<section id="diff">' in c._repr_html_()


def test_a_sweep_is_the_cli_sweep_table(tmp_path):
    study = tmp_path / "study.toml"
    study.write_text(
        f"""
[sweep]
scenario = "{FLAGSHIP.as_posix()}"
variants = ["paper", "digital"]
replications = 3
seed = 9
[parameters]
"stations.cashier.servers" = [6, 8]
"""
    )
    mine = carepath.sweep(study, progress=False)
    out = cli("sweep", str(study), "--out", str(tmp_path / "sweep"), "--quiet")
    assert out.returncode == 0, out.stderr
    theirs = pd.read_csv(tmp_path / "sweep" / "sweep.csv", float_precision="round_trip")
    assert list(mine.columns) == list(theirs.columns)
    assert len(mine) == len(theirs) == 2 * 2 * mine["metric"].nunique()
    for col in mine.columns:
        assert mine[col].tolist() == theirs[col].tolist(), col
    # Shards (as --shard K/N cuts them) put together are the whole table.
    shards = [carepath.sweep(study, shard=(k, 3), progress=False) for k in (1, 2, 3)]
    assert len(shards[2]) == 0  # 2 points: the third shard has none
    joined = pd.concat(shards).sort_values("point", kind="stable").reset_index(drop=True)
    for col in mine.columns:
        assert joined[col].tolist() == mine[col].tolist(), col
    with pytest.raises(ValueError, match=r"shard=\(4, 3\)"):
        carepath.sweep(study, shard=(4, 3))


def test_events_are_the_cli_event_log(tmp_path, flagship):
    ev = carepath.events(flagship, "digital", replication=1, seed=4, sample=20)
    out = cli("run", str(FLAGSHIP), "--variant", "digital", "--seed", "4", "--quiet",
              "--events", str(tmp_path / "log.csv"), "--events-sample", "20", "--events-replication", "1")
    assert out.returncode == 0, out.stderr
    theirs = pd.read_csv(tmp_path / "log.csv", keep_default_na=False, float_precision="round_trip")
    assert len(ev) == len(theirs) > 0
    assert ev["patient"].max() == 20
    assert ev["time_min"].tolist() == theirs["time_min"].tolist()
    assert ev["activity"].tolist() == theirs["activity"].tolist()
    assert ev["station"].fillna("").tolist() == theirs["station"].tolist()
    with pytest.raises(ValueError, match="limit=10"):
        carepath.events(flagship, "digital", sample=20, limit=10)


# --- long runs: progress, the GIL, KeyboardInterrupt ----------------------------------------

LONG = MM1.replace("max_arrivals = 2000", "max_arrivals = 400000000").replace(
    "replications = 6", "replications = 4"
)


def test_progress_is_reported_until_every_replication_is_done():
    calls = []
    carepath._carepath.run(
        carepath.Scenario.from_toml(MM1), None, 40, 1, 2, 200000, lambda d, t, w: calls.append((d, t, w))
    )
    assert calls and calls[-1] == (40, 40, "")
    assert all(t == 40 and 0 <= d <= 40 and w == "" for d, t, w in calls)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)


def test_a_warm_up_pilot_reports_its_own_progress():
    calls = []
    s = carepath.Scenario.from_file(SCENARIOS / "warmup-mmc.toml")
    carepath._carepath.run(s, None, 5, 3, 2, None, lambda d, t, w: calls.append((d, t, w)))
    phases = [w for _, _, w in calls]
    assert "warm-up pilot" in phases and phases[-1] == ""
    # The pilot's reports all come before the run's.
    assert phases == sorted(phases, key=lambda w: w != "warm-up pilot")


def test_a_run_leaves_the_interpreter_free():
    s = carepath.Scenario.from_toml(MM1)
    done = threading.Event()
    ticks = 0

    def work():
        carepath.run(s, replications=8, max_arrivals=1_500_000, threads=1, progress=False)
        done.set()

    t = threading.Thread(target=work)
    started = time.perf_counter()
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    wall = time.perf_counter() - started
    assert wall > 0.2, "the run was too short to tell"
    # With the GIL held for the whole run this thread could not have run at all.
    assert ticks > 0.2 * wall / 0.001, (ticks, wall)


def test_keyboard_interrupt_stops_a_long_run_within_moments():
    s = carepath.Scenario.from_toml(LONG)
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    started = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        carepath.run(s, threads=2, progress=False)
    stopped = time.perf_counter() - started
    assert stopped < 5, f"took {stopped:.1f} s to stop"
    # The package still works afterwards.
    r = carepath.run(carepath.Scenario.from_toml(MM1), progress=False)
    assert r.summary["replications"] == 6


# --- the example of docs/python.md ----------------------------------------------------------


def test_the_five_hours_example_runs_and_tells_the_story(tmp_path):
    import sys

    png = tmp_path / "chart.png"
    out = subprocess.run(
        [sys.executable, "-P", str(ROOT / "python" / "examples" / "five_hours_vs_one.py"), str(png)],
        capture_output=True, text=True, timeout=600, env={**os.environ, "CAREPATH_PROGRESS": "0"},
    )
    assert out.returncode == 0, out.stderr
    hours = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if parts and parts[0] in ("paper", "digital_50pct", "digital"):
            hours[parts[0]] = float(parts[1])
    # Five hours (4.8) under paper, about one (1.3) digital: docs/python.md and the README.
    assert 4.5 < hours["paper"] < 5.2 and 1.1 < hours["digital"] < 1.6, hours
    assert hours["paper"] > hours["digital_50pct"] > hours["digital"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- more of what a user meets --------------------------------------------------------------


def test_data_files_are_read_beside_the_scenario_and_refused_outside(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "c.csv").write_text(
        (SCENARIOS / "data" / "consultations.csv").read_text()
    )
    text = MM1.replace(
        'service = { dist = "exponential", mean = "3min" }',
        'service = { dist = "empirical", file = "data/c.csv", column = "consult", continuous = true }',
    )
    path = tmp_path / "observed.toml"
    path.write_text(text)
    r = carepath.run(carepath.Scenario.from_file(path), seed=1, progress=False)
    out = cli("run", str(path), "--seed", "1", "--out", str(tmp_path / "out"), "--quiet")
    assert out.returncode == 0, out.stderr
    assert r.summary_json() == (tmp_path / "out" / "summary.json").read_text()
    # From text there is no folder to read from, and a path may not leave the folder.
    with pytest.raises(carepath.ScenarioError, match="c.csv"):
        carepath.Scenario.from_toml(text)
    path.write_text(text.replace("data/c.csv", "../c.csv"))
    with pytest.raises(carepath.ScenarioError, match=r"\.\."):
        carepath.Scenario.from_file(path)


def test_a_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.toml"):
        carepath.Scenario.from_file(tmp_path / "nope.toml")


def test_a_tqdm_bar_is_drawn_for_a_run_that_takes_a_moment(capsys):
    pytest.importorskip("tqdm")
    s = carepath.Scenario.from_toml(MM1)
    carepath.run(s, replications=6, max_arrivals=1_000_000, threads=1, progress=True)
    err = capsys.readouterr().err
    assert "6/6" in err and "rep" in err, err
    carepath.run(s, progress=True)  # a quick call draws nothing
    assert capsys.readouterr().err == ""


def test_keyboard_interrupt_stops_a_sweep_too(tmp_path):
    (tmp_path / "long.toml").write_text(LONG)
    study = tmp_path / "study.toml"
    study.write_text(
        '[sweep]\nscenario = "long.toml"\nreplications = 2\n[parameters]\n"stations.desk.servers" = [1, 2, 3]\n'
    )
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    started = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        carepath.sweep(study, progress=False)
    assert time.perf_counter() - started < 5


def test_event_log_arguments_are_checked(flagship):
    ev = carepath.events(flagship, "paper", sample=0.01, seed=4)
    assert 0 < ev["patient"].nunique() < 500
    assert set(ev["workflow"]) == {"paper"}
    with pytest.raises(ValueError, match="sample=0"):
        carepath.events(flagship, "paper", sample=0)
    with pytest.raises(ValueError, match=r"sample=1\.5"):
        carepath.events(flagship, "paper", sample=1.5)
    with pytest.raises(ValueError, match="replication=99"):
        carepath.events(flagship, "paper", replication=99)
    pl_ev = carepath.events(flagship, "paper", sample=5, backend="polars")
    assert pl_ev.schema["time_min"] == pl.Float64 and pl_ev.schema["station"] == pl.String


def test_warm_up_auto_is_settled_as_the_cli_settles_it(tmp_path):
    path = SCENARIOS / "warmup-mmc.toml"
    r = carepath.run(carepath.Scenario.from_file(path), replications=5, seed=3, progress=False)
    out = cli("run", str(path), "--replications", "5", "--seed", "3", "--out", str(tmp_path), "--quiet")
    assert out.returncode == 0, out.stderr
    assert r.summary_json() == (tmp_path / "summary.json").read_text()


def test_the_type_stubs_name_what_the_extension_has():
    import ast

    stub = ast.parse((ROOT / "python" / "carepath" / "_carepath.pyi").read_text())
    for node in stub.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            assert hasattr(carepath._carepath, node.name), node.name
        if isinstance(node, ast.ClassDef):
            cls = getattr(carepath._carepath, node.name)
            for member in node.body:
                if isinstance(member, ast.FunctionDef):
                    assert hasattr(cls, member.name), f"{node.name}.{member.name}"
    public = {n for n in dir(carepath._carepath) if not n.startswith("_")}
    stubbed = {n.name for n in stub.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    assert public <= stubbed | {"Progress"}, public - stubbed


# --- rough edges a pandas or Polars user meets ----------------------------------------------


def test_every_broken_variant_is_reported_at_load_as_validate_reports_it(tmp_path):
    text = MM1 + """
[[variants]]
id = "ok"
[[variants]]
id = "b"
stations = [{ id = "desk", servers = -2 }]
[[variants]]
id = "c"
pathways = [{ id = "visit", steps = [{ id = "desk", station = "deskk", next = "exit" }] }]
"""
    path = tmp_path / "variants.toml"
    path.write_text(text)
    with pytest.raises(carepath.ScenarioError) as e:
        carepath.Scenario.from_file(path)
    assert {p["variant"] for p in e.value.problems} == {"b", "c"}
    out = cli("validate", str(path))
    assert out.returncode == 2
    theirs = [l for l in (out.stdout + out.stderr).splitlines() if ": error: " in l]
    assert str(e.value).splitlines() == theirs


def test_columns_keep_their_types_with_one_replication(flagship):
    r = carepath.run(flagship, "paper", replications=1, seed=1, progress=False)
    st = r.stations()
    assert st["wait_min.ci95_low"].dtype == "float64" and st["wait_min.ci95_low"].isna().all()
    assert r.classes()["time_in_system_min.ci95_high"].dtype == "float64"
    assert r.stations(backend="polars").schema["wait_min.ci95_low"] == pl.Float64
    c = carepath.compare(flagship, ["paper", "digital"], replications=1, progress=False)
    assert c.differences["ci95_low"].dtype == "float64"
    ev = carepath.events(flagship, "paper", sample=3, backend="polars")
    assert ev.schema["resource"] == pl.String and ev.schema["patient"] == pl.Int64


def test_shards_keep_their_column_types(tmp_path):
    study = tmp_path / "study.toml"
    study.write_text(
        f'[sweep]\nscenario = "{FLAGSHIP.as_posix()}"\nvariants = ["paper"]\nreplications = 2\n'
        '[parameters]\n"stations.cashier.servers" = [6, 8]\n'
    )
    empty = carepath.sweep(study, shard=[3, 3], progress=False)  # any pair of ints
    assert len(empty) == 0
    whole = pd.concat([carepath.sweep(study, shard=(k, 3), progress=False) for k in (1, 2, 3)])
    for col, dtype in [("point", "int64"), ("replications", "int64"), ("stations.cashier.servers", "int64"), ("mean", "float64")]:
        assert empty[col].dtype == dtype and whole[col].dtype == dtype, col
    assert carepath.sweep(study, shard=(3, 3), backend="polars", progress=False).schema["point"] == pl.Int64


def test_numpy_numbers_are_numbers(flagship):
    np = pytest.importorskip("numpy")
    a = flagship.set("stations.cashier.servers", np.int64(9)).set("workflow.adoption.adult", np.float64(0.5))
    assert a.settings == ["stations.cashier.servers=9", "workflow.adoption.adult=0.5"]
    r = carepath.run(a, "paper", replications=np.int64(2), seed=np.uint64(5), progress=False)
    assert r.summary["replications"] == 2 and r.summary["seed"] == 5
    assert carepath.events(flagship, "paper", sample=np.int64(5))["patient"].max() == 5
    with pytest.raises(TypeError, match="bytes"):
        flagship.set("scenario.name", b"ab")


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"seed": -1}, ValueError, "seed=-1"),
        ({"replications": 2**32}, ValueError, "replications=4294967296"),
        ({"replications": 2.5}, TypeError, "replications: a whole number"),
        ({"threads": -1}, ValueError, "threads=-1"),
        ({"seed": True}, TypeError, "seed: a whole number, not bool"),
        ({"max_arrivals": 0}, carepath.ScenarioError, "max_arrivals=0"),
    ],
)
def test_bad_numbers_name_their_argument(flagship, kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        carepath.run(flagship, "paper", progress=False, **kwargs)


def test_event_log_numbers_name_their_argument(flagship):
    with pytest.raises(ValueError, match=re.escape("replication=-1")):
        carepath.events(flagship, "paper", replication=-1)
    with pytest.raises(ValueError, match=re.escape("limit=0")):
        carepath.events(flagship, "paper", limit=0)
    with pytest.raises(ValueError, match="sample=N"):
        carepath.events(flagship, "paper", sample=50, limit=10)


def test_study_problems_are_listed_too(tmp_path):
    study = tmp_path / "study.toml"
    study.write_text('[sweep\nscenario = "x.toml"\n')
    with pytest.raises(carepath.ScenarioError) as e:
        carepath.sweep(study)
    (p,) = e.value.problems
    assert p["line"] == 1 and p["column"] >= 1
    study.write_text(
        f'[sweep]\nscenario = "{FLAGSHIP.as_posix()}"\nmetrics = ["no_such_metric"]\n'
        '[parameters]\n"stations.cashier.servers" = [6]\n'
    )
    with pytest.raises(carepath.ScenarioError) as e:
        carepath.sweep(study)
    (p,) = e.value.problems
    assert p["at"] == "sweep.metrics" and "no_such_metric" in p["message"]


def test_exceptions_pickle(tmp_path):
    import pickle

    with pytest.raises(carepath.ScenarioError) as e:
        carepath.Scenario.from_toml("[scenario\n")
    back = pickle.loads(pickle.dumps(e.value))
    assert type(back) is carepath.ScenarioError and str(back) == str(e.value)


def _run_in_child(s):  # module level: a process pool pickles it by name
    return carepath.run(s, "paper", replications=2, seed=8, progress=False).summary_json()


def test_a_scenario_pickles_with_its_settings_and_data(tmp_path, flagship):
    import copy
    import pickle

    s = flagship.set("stations.cashier.servers", 9).set("scenario.name", 'a "quoted" name')
    back = pickle.loads(pickle.dumps(s))
    assert back.settings == s.settings and back.variants == s.variants and back.file == s.file
    want = _run_in_child(s)
    assert _run_in_child(back) == want == _run_in_child(copy.deepcopy(s))
    # In another process, as multiprocessing and Dask send it.
    import concurrent.futures
    import multiprocessing

    with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        assert pool.submit(_run_in_child, s).result(timeout=120) == want
    # A scenario with a data file carries the file's text, not its path.
    (tmp_path / "c.csv").write_text((SCENARIOS / "data" / "consultations.csv").read_text())
    path = tmp_path / "observed.toml"
    path.write_text(MM1.replace(
        'service = { dist = "exponential", mean = "3min" }',
        'service = { dist = "empirical", file = "c.csv", column = "consult", continuous = true }',
    ))
    observed = carepath.Scenario.from_file(path)
    blob = pickle.dumps(observed)
    (tmp_path / "c.csv").unlink()
    again = pickle.loads(blob)
    assert carepath.run(again, seed=1, progress=False).summary_json() == carepath.run(observed, seed=1, progress=False).summary_json()


def test_compare_and_sweep_refuse_what_they_cannot_do(tmp_path, flagship):
    with pytest.raises(ValueError, match="at least two variants"):
        carepath.compare(carepath.Scenario.from_toml(MM1))
    with pytest.raises(ValueError, match="names paper twice"):
        carepath.compare(flagship, ["paper", "paper"])
    study = tmp_path / "study.toml"
    study.write_text(
        f'[sweep]\nscenario = "{(SCENARIOS / "warmup-mmc.toml").as_posix()}"\nreplications = 2\n'
        '[parameters]\n"run.seed" = [1, 2]\n'
    )
    with pytest.raises(carepath.ScenarioError) as e:
        carepath.sweep(study)
    (p,) = e.value.problems
    assert p["at"] == "run.warm_up" and "not used in sweeps" in p["message"]

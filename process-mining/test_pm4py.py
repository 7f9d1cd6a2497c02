"""Test of `carepath run --events`, run by scripts/test.sh (and so in CI): writes the event log
of one replication of the outpatient clinic as XES, OCEL 2.0 JSON and CSV, reads them with
pm4py (installed from PyPI by process-mining/setup.sh), and checks that the process pm4py
discovers (the directly-follows graph) has the scenario's pathway steps, starts with the
arrivals and ends with the departures, and has the counts summary.json reports for that
replication. Prints TAP (the totals of scripts/test.sh count it).

    process-mining/.venv/bin/python process-mining/test_pm4py.py CAREPATH_BINARY
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pm4py

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCENARIO = ROOT / "scenarios" / "outpatient-clinic.toml"
# The clinic's pathway steps (scenarios/outpatient-clinic.toml) and the stations they visit.
STEPS = {"register", "consult", "lab", "lab_turnaround", "revisit", "pay", "pharmacy"}

results: list[tuple[bool, str, str]] = []


def check(ok: bool, name: str, detail: str = "") -> None:
    results.append((ok, name, detail))


def main() -> int:
    carepath = str(Path(sys.argv[1]).resolve())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        logs = {ext: tmp / f"log.{ext}" for ext in ["xes", "jsonocel", "csv"]}
        for ext, path in logs.items():
            out = tmp / f"out-{ext}"
            subprocess.run([carepath, "run", str(SCENARIO), "-r", "1", "-q", "--out", str(out),
                            "--events", str(path)], check=True)
        summary = json.loads((tmp / "out-xes" / "summary.json").read_text())
        arrived = round(summary["patients"]["arrived"]["mean"])
        completed = round(summary["patients"]["completed"]["mean"])
        visits = {sid: round(s["visits"]["mean"]) for sid, s in summary["stations"].items()}
        print(f"# one replication: {arrived} patients, visits {visits}")

        # XES: one trace per patient; the completed activities give the process.
        started = time.monotonic()
        df = pm4py.read_xes(str(logs["xes"]))
        print(f"# pm4py {pm4py.__version__} read the XES log ({len(df)} events) in "
              f"{time.monotonic() - started:.1f} s")
        check(df["case:concept:name"].nunique() == arrived, "one XES trace per patient",
              f"{df['case:concept:name'].nunique()} traces, {arrived} arrived")
        done = df[df["lifecycle:transition"] == "complete"]
        dfg, starts, ends = pm4py.discover_dfg(done)
        activities = set(done["concept:name"]) - {"arrive", "leave"}
        check(activities <= STEPS and {"register", "consult", "pay"} <= activities,
              "the directly-follows graph's activities are the pathway's steps",
              f"{sorted(activities)}")
        check(set(starts) == {"arrive"} and starts["arrive"] == arrived,
              "every trace starts with the arrival", f"{starts}")
        check(set(ends) == {"leave"} and ends["leave"] == arrived,
              "every trace ends with leaving", f"{ends}")
        first = Counter({b: n for (a, b), n in dfg.items() if a == "arrive"})
        check(first == Counter({"register": arrived}), "arrival is followed by registration",
              f"{dict(first)}")
        # Each service's start names its station (org:resource): the counts are the visits.
        starts_at = Counter(df[df["carepath:activity"] == "start_service"]["org:resource"])
        check(dict(starts_at) == {k: v for k, v in visits.items() if v > 0},
              "services started per station equal summary.json's visits",
              f"log {dict(starts_at)}, summary {visits}")
        left_done = Counter(df[df["concept:name"] == "leave"]["case:concept:name"])
        check(len(left_done) == arrived and completed <= arrived,
              "every patient leaves once", f"{len(left_done)} left, {arrived} arrived")

        # OCEL 2.0: the same events, objects for patients and stations.
        started = time.monotonic()
        ocel = pm4py.read_ocel2_json(str(logs["jsonocel"]))
        print(f"# pm4py read the OCEL 2.0 log in {time.monotonic() - started:.1f} s")
        with logs["csv"].open() as f:
            rows = list(csv.DictReader(f))
        check(len(ocel.events) == len(rows) == len(df),
              "OCEL, CSV and XES hold the same events",
              f"OCEL {len(ocel.events)}, CSV {len(rows)}, XES {len(df)}")
        types = Counter(ocel.objects["ocel:type"])
        check(types["patient"] == arrived and types["station"] == len(visits),
              "OCEL objects: one per patient and one per station", f"{dict(types)}")
        ocdfg = pm4py.discover_ocdfg(ocel)
        patient_edges = set(ocdfg["edges"]["event_couples"]["patient"])
        check(set(ocdfg["object_types"]) == {"patient", "station"}
              and {("arrive", "start_service"), ("join_queue", "start_service"),
                   ("start_service", "end_service")} <= patient_edges
              and set(ocdfg["start_activities"]["events"]["patient"]) == {"arrive"},
              "pm4py's object-centric graph: patients start by arriving, queue, then are served",
              f"{ocdfg['object_types']}, {sorted(patient_edges)[:8]}")
        per_type = Counter(r["activity"] for r in rows)
        check(per_type["arrive"] == arrived and per_type["start_service"] == sum(visits.values()),
              "the CSV counts arrivals and services as summary.json does", f"{dict(per_type)}")

    print(f"1..{len(results)}")
    for i, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if not ok and detail:
            print(f"# {detail}")
    passed = sum(ok for ok, _, _ in results)
    print(f"# pass {passed}")
    print(f"# fail {len(results) - passed}")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())

"""What a call from Python costs over CarePath's own in-process run.

For each workload, `carepath.run(...)` is timed whole from Python (argument conversion,
building the model, the run without the GIL, the summary, `summary.json` text parsed into a
dict), and the same call reports `run_seconds`, the span of its replications, which is the
span `carepath run` prints as its wall time. The overhead of a call is the difference, taken
call by call; the CLI's own wall time for the same scenario is measured too (from its printed
`... events in X s wall` line), so both spans are from one machine in one run.

    python/.venv/bin/python -P python/benches/call_overhead.py [--cli target/release/carepath]

Figures go to docs/performance.md ("Python package: call overhead").
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import carepath

ROOT = Path(__file__).resolve().parents[2]

TINY = """
[scenario]
name = "tiny M/M/1"
[run]
max_arrivals = 200
replications = 1
seed = 1
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


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def cli_wall(cli: str, path: Path, variant: str | None, reps: int, threads: int) -> float:
    args = [cli, "run", str(path), "--replications", str(reps), "--threads", str(threads)]
    if variant:
        args += ["--variant", variant]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    m = re.search(r"events in ([0-9.]+) s wall", out)
    if not m:
        raise SystemExit(f"no wall time in the output of {' '.join(args)}")
    return float(m.group(1))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default=str(ROOT / "target" / "release" / "carepath"))
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tiny = Path(tmp) / "tiny.toml"
        tiny.write_text(TINY)
        workloads = [
            ("tiny M/M/1, 200 patients, 1 replication", tiny, None, 1, 200),
            ("outpatient-clinic.toml, 20 replications", ROOT / "scenarios" / "outpatient-clinic.toml", None, 20, 15),
            ("future-hospital.toml paper, 20 replications", ROOT / "scenarios" / "future-hospital.toml", "paper", 20, 7),
        ]
        print(f"# carepath {carepath.__version__}, {cpu_model()}, {os.cpu_count()} cores, threads={a.threads}")
        print("| workload | calls | Python call (median) | its run_seconds (median) | overhead per call (median, min) | CLI wall (median of 5) |")
        print("|---|---|---|---|---|---|")
        for label, path, variant, reps, calls in workloads:
            s = carepath.Scenario.from_file(path)
            carepath.run(s, variant, replications=reps, threads=a.threads, progress=False)  # warm
            totals, runs, over = [], [], []
            for _ in range(calls):
                t0 = time.perf_counter()
                r = carepath.run(s, variant, replications=reps, threads=a.threads, progress=False)
                t = time.perf_counter() - t0
                totals.append(t)
                runs.append(r.run_seconds)
                over.append(t - r.run_seconds)
            walls = [cli_wall(a.cli, path, variant, reps, a.threads) for _ in range(5)]
            ms = lambda x: f"{x * 1e3:.2f} ms"  # noqa: E731
            print(
                f"| {label} | {calls} | {ms(statistics.median(totals))} | {ms(statistics.median(runs))} "
                f"| {ms(statistics.median(over))}, {ms(min(over))} | {ms(statistics.median(walls))} |"
            )


if __name__ == "__main__":
    main()

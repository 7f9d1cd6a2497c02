"""Test of the Dask driver, run by scripts/test.sh (and so in CI): starts a Dask scheduler and
two workers on 127.0.0.1 as separate processes (`dask scheduler`, `dask worker`, as on a real
cluster), runs a shipped study through them with carepath_dask.sweep, and checks that the
merged sweep.csv and sweep.parquet are byte for byte what `carepath sweep` writes on one
machine, and that carepath_dask.sweep_frame (the Python package on the workers) gives the same
table as a DataFrame. Prints TAP (the totals of scripts/test.sh count it) and the timings.

    distributed/.venv/bin/python distributed/test_dask.py CAREPATH_BINARY
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STUDY = ROOT / "scenarios" / "studies" / "consult-doctors.toml"
EXTRA = ["--replications", "4"]

results: list[tuple[bool, str, str]] = []


def check(ok: bool, name: str, detail: str = "") -> None:
    results.append((ok, name, detail))


def wait_for(path: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} did not appear in {seconds} s")
        time.sleep(0.1)


def main() -> int:
    carepath = str(Path(sys.argv[1]).resolve())
    sys.path.insert(0, str(HERE))
    import carepath_dask
    from distributed import Client

    bindir = Path(sys.executable).parent
    procs = []
    with tempfile.TemporaryDirectory(prefix="carepath-dask-test-") as tmp:
        tmp = Path(tmp)
        sched_file = tmp / "scheduler.json"
        log = open(tmp / "dask.log", "w")
        try:
            procs.append(subprocess.Popen(
                [str(bindir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                 "--dashboard-address", ":0", "--scheduler-file", str(sched_file)],
                stdout=log, stderr=subprocess.STDOUT))
            wait_for(sched_file, 60)
            for _ in range(2):
                procs.append(subprocess.Popen(
                    [str(bindir / "dask"), "worker", "--scheduler-file", str(sched_file),
                     "--nthreads", "1", "--nworkers", "1", "--host", "127.0.0.1",
                     "--dashboard-address", ":0", "--no-nanny"],
                    stdout=log, stderr=subprocess.STDOUT))
            address = json.loads(sched_file.read_text())["address"]
            client = Client(address, timeout=60)
            client.wait_for_workers(2, timeout=60)
            check(len(client.nthreads()) == 2, "two workers joined the scheduler", str(client.nthreads()))

            single = tmp / "single"
            t0 = time.perf_counter()
            subprocess.run([carepath, "sweep", str(STUDY), "--out", str(single), "--quiet",
                            "--threads", "2", *EXTRA], check=True)
            single_wall = time.perf_counter() - t0

            out = tmp / "dask"
            r = carepath_dask.sweep(client, str(STUDY), out, shards=8, carepath=carepath,
                                    extra=["--threads", "1", *EXTRA], log=lambda m: print(f"# {m}"))
            for name in ["sweep.csv", "sweep.parquet"]:
                a, b = (single / name).read_bytes(), (out / name).read_bytes()
                check(a == b, f"{name} through Dask equals one machine's, byte for byte",
                      f"{len(a)} vs {len(b)} bytes")
            # The same table as a DataFrame, the shards run by the Python package on the workers.
            import pandas as pd

            t1 = time.perf_counter()
            frame = carepath_dask.sweep_frame(client, str(STUDY), shards=8, replications=4)
            frame_wall = time.perf_counter() - t1
            table = pd.read_csv(single / "sweep.csv", float_precision="round_trip")
            same = list(frame.columns) == list(table.columns) and all(
                frame[c].tolist() == table[c].tolist() for c in table.columns)
            check(same, "sweep_frame (the Python package on the workers) equals one machine's sweep.csv, value for value",
                  f"{len(frame)} vs {len(table)} rows")
            print(f"# sweep_frame through Dask, 8 shards: {frame_wall:.2f} s wall")
            manifest = json.loads((out / "sweep.json").read_text())
            check(manifest["points"] == 63, "the merged manifest has every point", str(manifest["points"]))
            # A shard that fails is reported, not hidden.
            try:
                carepath_dask.sweep(client, str(STUDY), tmp / "bad", shards=2, carepath=carepath,
                                    extra=["--replications", "0"], log=lambda m: None)
                check(False, "a failing shard raises")
            except Exception as e:  # noqa: BLE001 - any error is the point; its text is checked
                check("replications must be between" in str(e), "a failing shard raises with carepath's message", str(e)[:200])
            points = manifest["points"]
            print(f"# one machine (2 threads): {single_wall:.2f} s; Dask, 2 one-thread workers, 8 shards: "
                  f"{r['wall_seconds']:.2f} s wall ({r['shard_seconds']:.2f} s inside carepath); "
                  f"{points} points, overhead per point {(r['wall_seconds'] - single_wall) / points * 1000:.1f} ms")
            # Stops the scheduler and the workers (the processes then exit by themselves).
            client.shutdown()
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
            log.close()
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

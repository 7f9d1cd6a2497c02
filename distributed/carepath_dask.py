"""Run a CarePath sweep on a Dask cluster: the study's points cut into shards, each shard run
by `carepath sweep --shard K/N` on a worker, the finished point files streamed back to the
client as each shard completes, and the shards merged with `carepath merge` into exactly the
table one machine writes (sweep.csv and sweep.parquet, byte for byte).

The engine is CarePath's own; Dask only schedules. Workers need the `carepath` binary and
read access to the study and scenario files at the same paths (a shared file system, as on
most clusters); results travel back through Dask, so workers need no shared output
directory.

    python distributed/carepath_dask.py STUDY.toml --scheduler tcp://HOST:8786 --out DIR
    python distributed/carepath_dask.py STUDY.toml --local 2 --out DIR   # a local cluster

For a notebook that wants the table as a DataFrame rather than files, `sweep_frame` runs
the shards with the carepath Python package on the workers instead (no binary, no merge).

See docs/studies.md ("On a Dask cluster") and docs/python.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_shard(carepath: str, study: str, k: int, n: int, extra: list[str]) -> dict:
    """Runs shard k of n of `study` (on a worker) and returns its files: the manifest and
    every finished point file, as bytes, with the time it took."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="carepath-shard-") as tmp:
        out = Path(tmp) / "out"
        proc = subprocess.run(
            [carepath, "sweep", study, "--shard", f"{k}/{n}", "--out", str(out), "--quiet", *extra],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise RuntimeError(
                f"shard {k}/{n}: carepath exited {proc.returncode}:\n{proc.stderr.strip()}"
            )
        points = {p.name: p.read_bytes() for p in sorted((out / "points").glob("*.csv"))}
        return {
            "k": k,
            "manifest": (out / "sweep.json").read_bytes(),
            "points": points,
            "seconds": time.perf_counter() - started,
            "host": os.uname().nodename,
        }


def sweep(
    client,
    study: str,
    out: Path,
    shards: int,
    carepath: str,
    extra: list[str] | None = None,
    log=print,
) -> dict:
    """Runs `study` on the cluster behind `client` in `shards` shards, writes each returned
    shard into out/shards/K as it arrives, merges them into `out`, and returns timings."""
    from distributed import as_completed

    extra = extra or []
    study = str(Path(study).resolve())
    shard_root = out / "shards"
    if shard_root.exists():
        shutil.rmtree(shard_root)
    shard_root.mkdir(parents=True)
    started = time.perf_counter()
    # The workers run `run_shard` from this module: ship it to them (they need nothing of
    # CarePath's but the binary).
    client.upload_file(__file__)
    futures = [
        client.submit(run_shard, carepath, study, k, shards, extra, pure=False, key=f"carepath-shard-{k}-of-{shards}")
        for k in range(1, shards + 1)
    ]
    busy = 0.0
    dirs = []
    for future in as_completed(futures):
        r = future.result()
        d = shard_root / str(r["k"])
        (d / "points").mkdir(parents=True)
        (d / "sweep.json").write_bytes(r["manifest"])
        for name, data in r["points"].items():
            (d / "points" / name).write_bytes(data)
        dirs.append(d)
        busy += r["seconds"]
        log(f"shard {r['k']}/{shards}: {len(r['points'])} points from {r['host']} in {r['seconds']:.2f} s")
    merge = subprocess.run(
        [carepath, "merge", *map(str, sorted(dirs)), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    if merge.returncode != 0:
        raise RuntimeError(f"carepath merge exited {merge.returncode}:\n{merge.stderr.strip()}")
    shutil.rmtree(shard_root)
    wall = time.perf_counter() - started
    log(merge.stdout.strip())
    return {"wall_seconds": wall, "shard_seconds": busy, "shards": shards}


def frame_shard(study: str, k: int, n: int, replications: int | None, seed: int | None):
    """Shard k of n of `study` as a DataFrame, by the carepath Python package (on a worker)."""
    import carepath

    return carepath.sweep(study, replications=replications, seed=seed, threads=1, shard=(k, n), progress=False)


def sweep_frame(client, study: str, shards: int, replications: int | None = None, seed: int | None = None):
    """The tidy table of `study` as one pandas DataFrame (the columns and values of
    sweep.csv), its shards run on the cluster behind `client` by the carepath Python package
    (docs/python.md): for a notebook that wants the table, not files. Workers need the package
    installed (`pip install ./python`) and the study and scenario at the same paths; no
    binary, no output directory, no merge. The rows are those one machine's `carepath.sweep`
    gives, in the same order."""
    import pandas as pd

    study = str(Path(study).resolve())
    client.upload_file(__file__)
    futures = [
        client.submit(frame_shard, study, k, shards, replications, seed, pure=False,
                      key=f"carepath-frame-{k}-of-{shards}")
        for k in range(1, shards + 1)
    ]
    frames = [f for f in client.gather(futures) if len(f)]
    # A shard holds points k-1, k-1+n, ...: a stable sort by point restores the table's order
    # (within a point, variants and metrics stay as the shard wrote them).
    return pd.concat(frames).sort_values("point", kind="stable").reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("study", help="study file (TOML)")
    ap.add_argument("--out", required=True, type=Path, help="directory for the merged results")
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--scheduler", help="address of a running Dask scheduler (tcp://host:8786)")
    where.add_argument("--local", type=int, metavar="WORKERS", help="start a local cluster of this many one-thread workers")
    ap.add_argument("--shards", type=int, help="shards to cut the sweep into (default: 4 per worker thread)")
    ap.add_argument("--carepath", default=shutil.which("carepath") or "carepath", help="the carepath binary on the workers (default: carepath on the PATH)")
    ap.add_argument("--threads", type=int, default=1, help="threads per shard's carepath (default 1: Dask runs one shard per worker thread)")
    args = ap.parse_args(argv)
    from distributed import Client, LocalCluster

    if args.local:
        cluster = LocalCluster(n_workers=args.local, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, processes=True)
        client = Client(cluster)
    else:
        cluster = None
        client = Client(args.scheduler)
    try:
        threads = sum(client.nthreads().values())
        shards = args.shards or max(1, 4 * threads)
        r = sweep(client, args.study, args.out, shards, args.carepath, ["--threads", str(args.threads)])
        print(f"{r['shards']} shards on {threads} worker threads: {r['wall_seconds']:.2f} s wall, {r['shard_seconds']:.2f} s in carepath")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

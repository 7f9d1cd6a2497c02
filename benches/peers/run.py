#!/usr/bin/env python3
"""Side-by-side benchmark: CarePath vs SimPy and Ciw on the canonical workload.

Runs every simulator as a child process on the same workload ("outpatient-net-v1": N
patients through registration -> consult -> [lab -> consult] -> payment, see README.md),
measures each child's wall time and peak RSS, checks that the peers and CarePath agree
statistically, and prints a Markdown table with throughput and CarePath's speed-up.

Python 3.11 standard library only. The peers run in a virtual environment
(target/peers-venv, created on first use with pinned simpy and ciw).

    python3 benches/peers/run.py --sizes 10000,100000
    python3 benches/peers/run.py --simulators simpy,ciw --sizes 10000 --json out.json

Progress goes to stderr; the results (checks and the table) go to stdout.
Exit status: 0 if every requested run succeeded and every check passed, 1 otherwise.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]  # benches/peers/run.py -> repo root

PINS = {"simpy": "4.1.2", "ciw": "3.2.7"}
PEER_SCRIPTS = {"simpy": HERE / "simpy_outpatient.py", "ciw": HERE / "ciw_outpatient.py"}
ALL_SIMULATORS = ("carepath", "simpy", "ciw")
STATIONS = ("registration", "consult", "lab", "payment")
SERVERS = {"registration": 4, "consult": 15, "lab": 3, "payment": 4}

# Outputs compared between simulators: exactly the ones CarePath's summary.json reports.
METRICS = [(s, "mean_wait") for s in STATIONS] + [(s, "utilisation") for s in STATIONS] + [
    ("system", "mean_time_in_system")
]

# Exact N -> infinity values from the scenario spec (flow balance; M/M/4 at registration).
THEORY = {
    ("registration", "utilisation"): 0.75,
    ("consult", "utilisation"): 12.5 / 15,
    ("lab", "utilisation"): 2.5 / 3,
    ("payment", "utilisation"): 0.75,
    ("registration", "mean_wait"): 0.152830,
}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def metric_name(m):
    return m[1] if m[0] == "system" else f"{m[0]}.{m[1]}"


# --------------------------------------------------------------------------- environment

def venv_python(venv):
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv(venv):
    """Create the peers' venv and install the pinned peers unless already there."""
    py = venv_python(venv)
    if not py.exists():
        log(f"creating virtual environment {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    probe = "import simpy, ciw; print(simpy.__version__, ciw.__version__)"
    got = subprocess.run([str(py), "-c", probe], capture_output=True, text=True)
    want = f"{PINS['simpy']} {PINS['ciw']}"
    if got.returncode != 0 or got.stdout.strip() != want:
        log(f"installing simpy=={PINS['simpy']} ciw=={PINS['ciw']} into {venv}")
        subprocess.run(
            [str(py), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
            + [f"{k}=={v}" for k, v in PINS.items()],
            check=True,
        )
    return py


# --------------------------------------------------------------------------- measuring

def run_child(cmd, cwd):
    """Run cmd; return (exit code, wall seconds, peak RSS MiB of that child, stdout, stderr).

    os.wait4 gives the rusage of exactly this child, unlike RUSAGE_CHILDREN, which is a
    running maximum over every child this driver has reaped so far. Output goes to
    temporary files so a chatty child can never block on a full pipe.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        try:
            _, status, ru = os.wait4(p.pid, 0)
        except BaseException:
            p.kill()
            p.wait()
            raise
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        # ru_maxrss is KiB on Linux, bytes on macOS.
        rss_mib = ru.ru_maxrss / (2**20 if sys.platform == "darwin" else 2**10)
        out.seek(0)
        err.seek(0)
        return p.returncode, wall, rss_mib, out.read().decode(), err.read().decode()


def dig(d, path):
    cur = d
    for key in path.split("."):
        if not isinstance(cur, dict) or key not in cur:
            raise KeyError(path)
        cur = cur[key]
    return cur


def read_carepath_summary(path, n):
    """Map CarePath's summary.json onto the peers' output shape."""
    s = json.loads(Path(path).read_text())
    try:
        stations = {
            st: {
                "visits": dig(s, f"stations.{st}.visits.mean"),
                "mean_wait": dig(s, f"stations.{st}.wait_min.mean"),
                "utilisation": dig(s, f"stations.{st}.utilisation.mean"),
            }
            for st in STATIONS
        }
        out = {
            "patients": dig(s, "patients.arrived.mean"),
            "mean_time_in_system": dig(s, "time_in_system_min.mean"),
            "stations": stations,
        }
    except KeyError as e:
        raise RuntimeError(f"{path} has no field {e.args[0]!r}") from None
    try:
        out["engine_events"] = dig(s, "engine.events")
    except KeyError:
        out["engine_events"] = None
    # The spec's events (arrival + service start + service end), computed the same way for
    # every simulator; CarePath's own engine.events is kept alongside as engine_events.
    out["events"] = n + 2 * sum(v["visits"] for v in stations.values())
    return out


def run_one(sim, n, seed, args, peer_py):
    """One replication of one simulator. Returns a run record (never raises for a bad run)."""
    rec = {"simulator": sim, "patients": n, "seed": seed}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    rec["loadavg_1min_before"] = load
    outdir = None
    try:
        if sim == "carepath":
            outdir = tempfile.mkdtemp(prefix="carepath-peers-")
            cmd = [str(args.carepath), "run", args.scenario, "--max-arrivals", str(n),
                   "--seed", str(seed), "--replications", "1", "--quiet", "--out", outdir]
        else:
            cmd = [str(peer_py), str(PEER_SCRIPTS[sim]), "--patients", str(n), "--seed", str(seed)]
        code, wall, rss, out, err = run_child(cmd, cwd=REPO)
        rec.update(wall_s=wall, peak_rss_mib=rss, exit_code=code)
        if code != 0:
            rec["error"] = f"exit code {code}: {err.strip()[-2000:]}"
            return rec
        if sim == "carepath":
            rec["result"] = read_carepath_summary(Path(outdir) / "summary.json", n)
        else:
            rec["result"] = json.loads(out)
        arrived = rec["result"].get("patients")
        if arrived is not None and round(arrived) != n:
            rec["error"] = f"reported {arrived} arrivals, expected exactly {n}"
    except (OSError, ValueError, RuntimeError) as e:
        rec["error"] = str(e)
    finally:
        if outdir:
            shutil.rmtree(outdir, ignore_errors=True)
    return rec


# --------------------------------------------------------------------------- statistics

def get_metric(result, m):
    if m[0] == "system":
        return result[m[1]]
    return result["stations"][m[0]][m[1]]


def get_se(result, m):
    se = result.get("batch_se")
    if se is None:
        return None
    return se[m[1]] if m[0] == "system" else se["stations"][m[0]][m[1]]


def aggregate(runs):
    """Combine the R replications of one (simulator, N): means and their standard errors.

    A replication's own standard error is the batch-means SE its peer script computed
    (CarePath's summary has none). The SE of the mean of R independent replications is
    sqrt(sum se_r^2) / R.
    """
    ok = [r for r in runs if "result" in r and "error" not in r]
    if not ok:
        return None
    walls = [r["wall_s"] for r in ok]
    res = [r["result"] for r in ok]
    agg = {
        "replications": len(ok),
        "wall_s": statistics.median(walls),
        "peak_rss_mib": max(r["peak_rss_mib"] for r in ok),
        "events": statistics.mean(x["events"] for x in res),
        "visits": statistics.mean(sum(x["stations"][s]["visits"] for s in STATIONS) for x in res),
        "engine_events": res[0].get("engine_events"),
        "metrics": {},
        "se": {},
    }
    for m in METRICS:
        name = metric_name(m)
        agg["metrics"][name] = statistics.mean(get_metric(x, m) for x in res)
        ses = [get_se(x, m) for x in res]
        agg["se"][name] = (sum(s * s for s in ses) ** 0.5 / len(ses)) if all(s is not None for s in ses) else None
    return agg


def z_family(alpha, k):
    """Two-sided Bonferroni normal quantile: k tests with family-wise error rate alpha."""
    return statistics.NormalDist().inv_cdf(1 - alpha / (2 * k))


def borrowed_se(aggs, n):
    """SEs for a simulator that reports none (CarePath): the first peer's SEs at this N.

    Both implement the same model at the same N, so a correct implementation has the same
    estimator variance; the peer's batch-means SE is used as an estimate of it.
    """
    for sim in ("simpy", "ciw"):
        a = aggs.get((sim, n))
        if a and all(v is not None for v in a["se"].values()):
            return a["se"], sim
    return None, None


def se_of(aggs, sim, n):
    a = aggs[(sim, n)]
    if all(v is not None for v in a["se"].values()):
        return a["se"], sim
    return borrowed_se(aggs, n)


def compare(aggs, ref, other, n, z, inflate):
    """Agreement of `other` with `ref` at size n: |diff| <= z * inflate * sqrt(se_a^2 + se_b^2)."""
    se_a, src_a = se_of(aggs, ref, n)
    se_b, src_b = se_of(aggs, other, n)
    rows = []
    if se_a is None or se_b is None:
        return None, "no standard error available (needs a SimPy or Ciw run at this size)"
    for m in METRICS:
        name = metric_name(m)
        a = aggs[(ref, n)]["metrics"][name]
        b = aggs[(other, n)]["metrics"][name]
        tol = z * inflate * (se_a[name] ** 2 + se_b[name] ** 2) ** 0.5
        rows.append({"metric": name, ref: a, other: b, "diff": b - a, "tolerance": tol,
                     "pass": abs(b - a) <= tol})
    borrowed = [f"{sim} SE borrowed from {src}" for sim, src in ((ref, src_a), (other, src_b)) if src != sim]
    return rows, f"({'; '.join(borrowed)})" if borrowed else ""


def theory_check(aggs, sim, n, z, inflate):
    se, _ = se_of(aggs, sim, n)
    if se is None:
        return None
    rows = []
    for m, exact in THEORY.items():
        name = metric_name(m)
        v = aggs[(sim, n)]["metrics"][name]
        tol = z * inflate * se[name]
        rows.append({"metric": name, "value": v, "exact": exact, "tolerance": tol,
                     "pass": abs(v - exact) <= tol})
    return rows


# --------------------------------------------------------------------------- reporting

def fmt_rate(x):
    return f"{x:,.0f}"


def markdown_table(sizes, sims, aggs, skipped, failed):
    head = ["simulator", "N", "wall time s", "peak RSS MiB", "patients/s", "visits/s",
            "events/s", "CarePath speed-up"]
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
    for n in sizes:
        cp = aggs.get(("carepath", n))
        cp_rate = n / cp["wall_s"] if cp else None
        for sim in sims:
            a = aggs.get((sim, n))
            if (sim, n) in skipped:
                lines.append(f"| {sim} | {n:,} | {skipped[(sim, n)]} | | | | | |")
                continue
            if a is None:
                lines.append(f"| {sim} | {n:,} | failed: {failed.get((sim, n), '?')} | | | | | |")
                continue
            rate = n / a["wall_s"]
            if sim == "carepath":
                speed = "—"
            elif cp_rate:
                speed = f"{cp_rate / rate:,.1f}×"
            else:
                speed = "n/a"
            lines.append(
                f"| {sim} | {n:,} | {a['wall_s']:.2f} | {a['peak_rss_mib']:.0f} | {fmt_rate(rate)} | "
                f"{fmt_rate(a['visits'] / a['wall_s'])} | {fmt_rate(a['events'] / a['wall_s'])} | {speed} |"
            )
    return "\n".join(lines)


def parse_list(text, cast=str):
    return [cast(x.strip()) for x in text.split(",") if x.strip()]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--carepath", default="target/release/carepath",
                    help="CarePath binary (default: target/release/carepath in the repo)")
    ap.add_argument("--scenario", default="scenarios/benchmark.toml",
                    help="scenario passed to `carepath run` (run from the repo root)")
    ap.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated N values")
    ap.add_argument("--simulators", default="carepath,simpy,ciw")
    ap.add_argument("--max-ciw", type=int, default=100000,
                    help="skip Ciw above this N (it keeps every record: ~1.7 GiB at 1M)")
    ap.add_argument("--replications", type=int, default=1,
                    help="independent runs per simulator and size (seeds --seed, --seed+1, ...)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--alpha", type=float, default=0.01,
                    help="family-wise false-FAIL rate per compared pair (default 0.01)")
    ap.add_argument("--se-inflation", type=float, default=1.5,
                    help="factor on the batch-means SEs, which run up to ~1.4x small at N=10k")
    ap.add_argument("--venv", default="target/peers-venv", help="peers' virtual environment")
    ap.add_argument("--peer-python", help="use this Python for the peers instead of the venv")
    ap.add_argument("--json", dest="json_out", help="also write every measurement to this file")
    args = ap.parse_args(argv)

    sizes = parse_list(args.sizes, int)
    sims = parse_list(args.simulators)
    bad = [s for s in sims if s not in ALL_SIMULATORS]
    if bad or not sims or not sizes or args.replications < 1:
        ap.error(f"simulators must be among {','.join(ALL_SIMULATORS)}; sizes and replications >= 1")
    status = 0

    if "carepath" in sims:
        # A relative --carepath is tried from the current directory, then from the repo root.
        cp = Path(args.carepath)
        args.carepath = (cp if cp.is_file() else REPO / cp).resolve()
        if not (args.carepath.is_file() and os.access(args.carepath, os.X_OK)):
            log(f"ERROR: CarePath binary not found at {args.carepath}.\n"
                f"       Build it with `cargo build --release` (or pass --carepath PATH), or leave\n"
                f"       it out with --simulators simpy,ciw. Continuing with the peers only.")
            sims.remove("carepath")
            status = 1
        elif not (REPO / args.scenario).is_file():
            log(f"ERROR: scenario {REPO / args.scenario} not found; skipping CarePath.")
            sims.remove("carepath")
            status = 1

    peer_py = None
    if any(s in PEER_SCRIPTS for s in sims):
        peer_py = Path(args.peer_python) if args.peer_python else ensure_venv(REPO / args.venv)

    runs, aggs, skipped, failed = [], {}, {}, {}
    for n in sizes:
        for sim in sims:
            if sim == "ciw" and n > args.max_ciw:
                skipped[(sim, n)] = f"skipped (N > --max-ciw {args.max_ciw:,})"
                log(f"{sim:8s} N={n:>9,}  skipped (--max-ciw {args.max_ciw})")
                continue
            these = []
            for r in range(args.replications):
                rec = run_one(sim, n, args.seed + r, args, peer_py)
                these.append(rec)
                if "error" in rec:
                    log(f"{sim:8s} N={n:>9,}  seed={rec['seed']}  FAILED: {rec['error']}")
                else:
                    log(f"{sim:8s} N={n:>9,}  seed={rec['seed']}  {rec['wall_s']:8.2f} s  "
                        f"{rec['peak_rss_mib']:7.0f} MiB")
            runs.extend(these)
            agg = aggregate(these)
            if agg is None or agg["replications"] < args.replications:
                failed[(sim, n)] = next(r["error"] for r in these if "error" in r)[:80]
                status = 1
            if agg is not None:
                aggs[(sim, n)] = agg

    # ---- statistical agreement
    k = len(METRICS)
    z = z_family(args.alpha, k)
    print(f"## Agreement (|difference| <= {z:.2f} x {args.se_inflation} x sqrt(se_a^2 + se_b^2); "
          f"{k} outputs per pair, family-wise false-FAIL rate {args.alpha})\n")
    checks = []
    for n in sizes:
        present = [s for s in ALL_SIMULATORS if (s, n) in aggs]
        if len(present) < 2:
            continue
        ref = present[0]  # CarePath when present (it is listed first), else the first peer
        for other in present[1:]:
            rows, note = compare(aggs, ref, other, n, z, args.se_inflation)
            if rows is None:
                print(f"- N={n:,} {other} vs {ref}: not checked: {note}")
                continue
            ok = all(r["pass"] for r in rows)
            status |= 0 if ok else 1
            checks.append({"patients": n, "reference": ref, "other": other, "pass": ok,
                           "note": note, "rows": rows})
            print(f"- N={n:,} {other} vs {ref}: **{'PASS' if ok else 'FAIL'}** {note}".rstrip())
            for r in rows:
                flag = "" if r["pass"] else "   <-- FAIL"
                print(f"    {r['metric']:26s} {ref}={r[ref]:.4f} {other}={r[other]:.4f} "
                      f"diff={r['diff']:+.4f} tol={r['tolerance']:.4f}{flag}")
    if not checks:
        print("- nothing to compare: no size has results from two simulators")
    print()

    # ---- against the exact values of the spec (utilisations, M/M/4 registration wait)
    z_t = z_family(args.alpha, len(THEORY))
    print(f"## Against exact values (|value - exact| <= {z_t:.2f} x {args.se_inflation} x se)\n")
    theory = []
    for n in sizes:
        for sim in sims:
            if (sim, n) not in aggs:
                continue
            rows = theory_check(aggs, sim, n, z_t, args.se_inflation)
            if rows is None:
                print(f"- N={n:,} {sim}: not checked (no standard error at this size)")
                continue
            ok = all(r["pass"] for r in rows)
            status |= 0 if ok else 1
            theory.append({"patients": n, "simulator": sim, "pass": ok, "rows": rows})
            detail = ", ".join(f"{r['metric']}={r['value']:.4f} (exact {r['exact']:.4f})"
                               + ("" if r["pass"] else " FAIL") for r in rows)
            print(f"- N={n:,} {sim}: **{'PASS' if ok else 'FAIL'}** {detail}")
    print()

    # ---- throughput
    print(f"## Throughput ({args.replications} replication(s) per cell; wall time is the median, "
          f"RSS the maximum; whole process)\n")
    print(markdown_table(sizes, [s for s in ALL_SIMULATORS if s in sims], aggs, skipped, failed))
    print("\nTimings share a noisy 2-core machine; compare ratios within one run only.")

    if args.json_out:
        doc = {
            "machine": {"platform": platform.platform(), "python": platform.python_version(),
                        "cpus": os.cpu_count()},
            "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "runs": runs,
            "aggregates": [{"simulator": s, "patients": n, **a} for (s, n), a in aggs.items()],
            "skipped": [{"simulator": s, "patients": n, "reason": why} for (s, n), why in skipped.items()],
            "agreement": checks,
            "theory": theory,
        }
        Path(args.json_out).write_text(json.dumps(doc, indent=2))
        log(f"wrote {args.json_out}")
    return status


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""SimPy peer for CarePath's canonical benchmark workload "outpatient-net-v1".

Network (times in minutes, all exponential):
    Poisson arrivals, rate 10/min, exactly N patients, first arrival at Exp(mean 0.1)
    registration (4 servers, mean 0.3)
    consult first visit (15 servers, mean 1.0)
    with p = 0.5: lab (3 servers, mean 0.5), then consult return visit (same 15-server
        pool and same FIFO queue, mean 0.5)
    payment (4 servers, mean 0.3)
After the N-th arrival the model drains; T_end is the last departure.

This is deliberately written the way a typical SimPy user would write it (one process per
patient, simpy.Resource per station, one shared random.Random), not hand-optimised: the
point of the benchmark is to time what people actually run.

Usage: python simpy_outpatient.py --patients N --seed S [--batches B]
Prints one JSON object on stdout.
"""

import argparse
import json
import random
import sys
import time

import simpy

ARRIVAL_RATE = 10.0  # patients per minute
P_LAB = 0.5
SERVERS = {"registration": 4, "consult": 15, "lab": 3, "payment": 4}
STATIONS = tuple(SERVERS)
# Waits are also reported per consult visit class; they are tallied like pseudo-stations.
TALLIES = STATIONS + ("consult_first", "consult_return")
MEAN_SERVICE = {
    "registration": 0.3,
    "consult_first": 1.0,
    "consult_return": 0.5,
    "lab": 0.5,
    "payment": 0.3,
}


class Stats:
    """Sums kept per batch of consecutive patients (by arrival order).

    The point estimates only need the totals; the per-batch split exists so a single run
    can also report a batch-means standard error for every output, which the comparison
    driver (run.py) uses as its agreement tolerance.
    """

    def __init__(self, n_patients, n_batches):
        self.n = n_patients
        self.b = max(1, min(n_batches, n_patients))
        zeros = lambda: [0.0] * self.b
        self.visits = {k: zeros() for k in TALLIES}
        self.wait = {k: zeros() for k in TALLIES}
        self.busy = {k: zeros() for k in TALLIES}
        self.tis = zeros()
        self.done = zeros()
        self.batch_start = [None] * self.b  # arrival time of each batch's first patient
        # The spec's "events": external arrivals + service starts + service ends.
        self.arrivals = 0
        self.starts = 0
        self.ends = 0

    def batch_of(self, i):
        return i * self.b // self.n


class Clinic:
    """Resources, random stream and statistics of one run."""

    def __init__(self, env, n_patients, rng, stats):
        self.env = env
        self.n = n_patients
        self.rng = rng
        self.stats = stats
        self.res = {s: simpy.Resource(env, capacity=c) for s, c in SERVERS.items()}

    def visit(self, station, b, tally=None):
        """One visit: queue FIFO for a server, then hold it for an exponential service."""
        env, stats = self.env, self.stats
        tally = tally or station
        queued_at = env.now
        with self.res[station].request() as req:
            yield req
            stats.starts += 1
            wait = env.now - queued_at
            # Service time is drawn when service starts, as the spec requires.
            service = self.rng.expovariate(1.0 / MEAN_SERVICE[tally])
            yield env.timeout(service)
            stats.ends += 1
        # A consult visit counts towards the station and towards its visit class.
        for key in (station,) if tally == station else (station, tally):
            stats.visits[key][b] += 1
            stats.wait[key][b] += wait
            stats.busy[key][b] += service

    def patient(self, i):
        b = self.stats.batch_of(i)
        arrived = self.env.now
        yield from self.visit("registration", b)
        yield from self.visit("consult", b, "consult_first")
        if self.rng.random() < P_LAB:
            yield from self.visit("lab", b)
            # Same Resource as the first visit: one shared FIFO queue, no priority.
            yield from self.visit("consult", b, "consult_return")
        yield from self.visit("payment", b)
        self.stats.tis[b] += self.env.now - arrived
        self.stats.done[b] += 1

    def source(self):
        # The first arrival is itself Exp-distributed (nobody arrives at t = 0), and the
        # generator simply ends after N patients so that env.run() drains the system.
        stats = self.stats
        for i in range(self.n):
            yield self.env.timeout(self.rng.expovariate(ARRIVAL_RATE))
            stats.arrivals += 1
            b = stats.batch_of(i)
            if stats.batch_start[b] is None:
                stats.batch_start[b] = self.env.now
            self.env.process(self.patient(i))


def ratio_se(ys, xs):
    """Batch-means standard error of the ratio estimator sum(ys) / sum(xs).

    Delta method over batches treated as i.i.d.: se^2 = sum (y_b - R x_b)^2 / (B (B-1) xbar^2).
    Batches with x_b = 0 carry no information and are dropped.
    """
    pairs = [(y, x) for y, x in zip(ys, xs) if x > 0]
    k = len(pairs)
    if k < 2:
        return None
    sx = sum(x for _, x in pairs)
    r = sum(y for y, _ in pairs) / sx
    xbar = sx / k
    ss = sum((y - r * x) ** 2 for y, x in pairs)
    return (ss / (k * (k - 1))) ** 0.5 / xbar


def summarise(stats, t_end, n, seed, engine_events, run_seconds):
    # Utilisation batches: numerator = service given to the batch's patients, denominator =
    # c x the batch's share of the horizon (arrival span; the last batch also owns the drain).
    starts = stats.batch_start
    spans = [
        ((starts[k + 1] if k + 1 < stats.b else t_end) - starts[k]) if starts[k] is not None else 0.0
        for k in range(stats.b)
    ]
    out_st, se_st = {}, {}
    for s in STATIONS:
        visits = sum(stats.visits[s])
        busy = sum(stats.busy[s])
        c = SERVERS[s]
        out_st[s] = {
            "visits": int(visits),
            "mean_wait": sum(stats.wait[s]) / visits if visits else None,
            "utilisation": busy / (c * t_end) if t_end > 0 else None,
        }
        se_st[s] = {
            "mean_wait": ratio_se(stats.wait[s], stats.visits[s]),
            "utilisation": ratio_se(stats.busy[s], [c * x for x in spans]),
        }

    def mean_wait(key):
        v = sum(stats.visits[key])
        return sum(stats.wait[key]) / v if v else None

    visits_total = sum(v["visits"] for v in out_st.values())
    return {
        "simulator": f"simpy {simpy.__version__}",
        "patients": n,
        "seed": seed,
        "events": stats.arrivals + stats.starts + stats.ends,
        "events_check": n + 2 * visits_total,
        "engine_events": engine_events,
        "t_end": t_end,
        "mean_time_in_system": sum(stats.tis) / sum(stats.done),
        "stations": out_st,
        "consult_first_wait": mean_wait("consult_first"),
        "consult_return_wait": mean_wait("consult_return"),
        "batches": stats.b,
        "batch_se": {
            "stations": se_st,
            "mean_time_in_system": ratio_se(stats.tis, stats.done),
            "consult_first_wait": ratio_se(stats.wait["consult_first"], stats.visits["consult_first"]),
            "consult_return_wait": ratio_se(stats.wait["consult_return"], stats.visits["consult_return"]),
        },
        "run_seconds": run_seconds,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, required=True, help="number of arrivals N")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--batches", type=int, default=20,
                    help="batches for the batch-means standard errors (default 20)")
    args = ap.parse_args(argv)
    if args.patients < 1:
        ap.error("--patients must be >= 1")

    t0 = time.perf_counter()
    env = simpy.Environment()
    stats = Stats(args.patients, args.batches)
    clinic = Clinic(env, args.patients, random.Random(args.seed), stats)
    env.process(clinic.source())
    env.run()  # no `until`: runs until the event queue is empty, i.e. fully drained
    # SimPy numbers every scheduled event (Timeout, Request, Release, Process start...)
    # with a private counter; it is the closest thing it has to an engine event count.
    # Read it if present, never depend on it.
    eid = getattr(env, "_eid", None)
    engine_events = next(eid) if eid is not None else None
    out = summarise(stats, env.now, args.patients, args.seed, engine_events,
                    time.perf_counter() - t0)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

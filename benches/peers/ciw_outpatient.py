#!/usr/bin/env python3
"""Ciw peer for CarePath's canonical benchmark workload "outpatient-net-v1".

Network (times in minutes, all exponential):
    Poisson arrivals, rate 10/min, exactly N patients, first arrival at Exp(mean 0.1)
    registration (4 servers, mean 0.3)
    consult first visit (15 servers, mean 1.0)
    with p = 0.5: lab (3 servers, mean 0.5), then consult return visit (same 15-server
        pool and same FIFO queue, mean 0.5)
    payment (4 servers, mean 0.3)
After the N-th arrival the model drains; T_end is the last departure.

Modelling choices, in Ciw's own vocabulary (idiomatic, not hand-optimised):

* Two customer classes, "first" and "return". Ciw draws service times per (node, class),
  which is exactly what the consult node needs: first visits Exp(1.0), return visits
  Exp(0.5). Both classes share node 2's single FIFO queue and 15 servers, with equal
  priority, so the return visit is not favoured.
* Class change on routing: the lab node carries a class-change matrix first -> return
  (probability 1). Ciw applies it when lab service ends and *before* choosing the next
  node, so the patient is routed with the "return" routing matrix (lab -> consult) and
  then served at consult as a return visit. Routing matrices per class:
      first:  registration -> consult; consult -> lab 0.5 / payment 0.5; payment -> exit
      return: lab -> consult; consult -> payment; payment -> exit
  (Rows a class never uses are filled in consistently but never consulted.)
* Exactly N arrivals: Ciw has no arrival cap that keeps the run going until the system has
  drained (simulate_until_max_customers(method="Arrive") stops at the N-th arrival with
  patients still inside, and "Complete" on its own would let arrivals continue past N).
  So the arrival distribution is a small Distribution subclass that yields Exp(rate 10)
  inter-arrival times for the first N samples and float("inf") afterwards; Ciw samples it
  once for the first arrival and once after every arrival, so exactly N patients arrive.
  The run is then simulate_until_max_customers(N, method="Complete"), which returns when
  the N-th patient has left, i.e. when the system is empty: T_end = last departure.
* Statistics come from Ciw's service records (Q.get_all_records()), as a Ciw user would
  compute them. A record's `customer_class` is the class *before* the most recent class
  change, so the consult first/return split uses `original_customer_class` (the class the
  patient had when it joined that node's queue).

Usage: python ciw_outpatient.py --patients N --seed S [--batches B]
Prints one JSON object on stdout. Ciw keeps every record in memory (~1.7 GiB at N = 1M).
"""

import argparse
import json
import math
import random
import sys
import time

import ciw

ARRIVAL_RATE = 10.0  # patients per minute
P_LAB = 0.5
SERVERS = {"registration": 4, "consult": 15, "lab": 3, "payment": 4}
STATIONS = tuple(SERVERS)
NODE = {s: i + 1 for i, s in enumerate(STATIONS)}  # Ciw numbers nodes from 1


class FirstNArrivals(ciw.dists.Distribution):
    """Exp(rate) inter-arrival times for the first n samples, then never again."""

    def __init__(self, rate, n):
        self.rate = rate
        self.remaining = n

    def __repr__(self):
        return f"FirstNArrivals(rate={self.rate}, n={self.remaining})"

    def sample(self, t=None, ind=None):
        if self.remaining <= 0:
            return float("inf")
        self.remaining -= 1
        return random.expovariate(self.rate)


class EventCounter(ciw.trackers.StateTracker):
    """Counts Ciw's own event-loop iterations (one per arrival or end of service).

    Ciw calls timestamp() once per event; the default tracker does no work there either,
    so this costs nothing noticeable. Reported as engine_events, not as the spec's events.
    """

    def initialise(self, simulation):
        super().initialise(simulation)
        self.events = 0

    def timestamp(self):
        self.events += 1


def build_network(n):
    exp = ciw.dists.Exponential  # takes a rate, i.e. 1 / mean
    return ciw.create_network(
        arrival_distributions={
            "first": [FirstNArrivals(ARRIVAL_RATE, n), None, None, None],
            "return": [None, None, None, None],
        },
        service_distributions={
            "first": [exp(1 / 0.3), exp(1 / 1.0), exp(1 / 0.5), exp(1 / 0.3)],
            "return": [exp(1 / 0.3), exp(1 / 0.5), exp(1 / 0.5), exp(1 / 0.3)],
        },
        routing={
            #          reg  consult lab   payment
            "first": [[0.0, 1.0, 0.0, 0.0],
                      [0.0, 0.0, P_LAB, 1.0 - P_LAB],
                      [0.0, 1.0, 0.0, 0.0],
                      [0.0, 0.0, 0.0, 0.0]],
            "return": [[0.0, 1.0, 0.0, 0.0],
                       [0.0, 0.0, 0.0, 1.0],
                       [0.0, 1.0, 0.0, 0.0],
                       [0.0, 0.0, 0.0, 0.0]],
        },
        class_change_matrices=[
            {},
            {},
            {"first": {"first": 0.0, "return": 1.0}, "return": {"first": 0.0, "return": 1.0}},
            {},
        ],
        number_of_servers=[SERVERS[s] for s in STATIONS],
    )


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


def summarise(records, n, n_batches):
    """Spec outputs from Ciw's service records, with batch-means standard errors.

    Patients are batched by arrival order (Ciw numbers individuals 1..N in arrival order);
    the per-batch split exists only for the standard errors used by run.py.
    """
    nb = max(1, min(n_batches, n))
    keys = STATIONS + ("consult_first", "consult_return")
    visits = {k: [0] * nb for k in keys}
    wait = {k: [0.0] * nb for k in keys}
    busy = {k: [0.0] * nb for k in keys}
    arrived = [0.0] * nb  # sum of system arrival times (= arrival at registration)
    left = [0.0] * nb  # sum of departure times (= exit from payment; no blocking here)
    done = [0] * nb
    batch_start = [math.inf] * nb
    t_end = 0.0
    name = {v: k for k, v in NODE.items()}
    for r in records:
        b = (r.id_number - 1) * nb // n
        s = name[r.node]
        tallies = [s]
        if s == "consult":
            tallies.append("consult_first" if r.original_customer_class == "first" else "consult_return")
        for k in tallies:
            visits[k][b] += 1
            wait[k][b] += r.waiting_time
            busy[k][b] += r.service_time
        if s == "registration":
            arrived[b] += r.arrival_date
            batch_start[b] = min(batch_start[b], r.arrival_date)
        elif s == "payment":
            left[b] += r.exit_date
            done[b] += 1
        t_end = max(t_end, r.exit_date)

    spans = [((batch_start[k + 1] if k + 1 < nb else t_end) - batch_start[k])
             if batch_start[k] < math.inf else 0.0 for k in range(nb)]
    tis = [l - a for l, a in zip(left, arrived)]
    stations, se_st = {}, {}
    for s in STATIONS:
        v = sum(visits[s])
        c = SERVERS[s]
        stations[s] = {
            "visits": v,
            "mean_wait": sum(wait[s]) / v if v else None,
            "utilisation": sum(busy[s]) / (c * t_end) if t_end > 0 else None,
        }
        se_st[s] = {
            "mean_wait": ratio_se(wait[s], visits[s]),
            "utilisation": ratio_se(busy[s], [c * x for x in spans]),
        }

    def mean_wait(k):
        v = sum(visits[k])
        return sum(wait[k]) / v if v else None

    visits_total = sum(v["visits"] for v in stations.values())
    return {
        # One service record per completed service, each with one start and one end.
        "events": n + 2 * visits_total,
        "t_end": t_end,
        "mean_time_in_system": sum(tis) / sum(done),
        "completed": sum(done),
        "stations": stations,
        "consult_first_wait": mean_wait("consult_first"),
        "consult_return_wait": mean_wait("consult_return"),
        "batches": nb,
        "batch_se": {
            "stations": se_st,
            "mean_time_in_system": ratio_se(tis, done),
            "consult_first_wait": ratio_se(wait["consult_first"], visits["consult_first"]),
            "consult_return_wait": ratio_se(wait["consult_return"], visits["consult_return"]),
        },
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
    ciw.seed(args.seed)  # seeds Python's random (all Ciw sampling here) and numpy
    tracker = EventCounter()
    Q = ciw.Simulation(build_network(args.patients), tracker=tracker)
    Q.simulate_until_max_customers(args.patients, method="Complete")
    records = Q.get_all_records()
    out = {
        "simulator": f"ciw {ciw.__version__}",
        "patients": args.patients,
        "seed": args.seed,
        "arrivals": Q.nodes[0].number_of_individuals,
    }
    out.update(summarise(records, args.patients, args.batches))
    out["engine_events"] = tracker.events
    out["run_seconds"] = time.perf_counter() - t0
    # Guard the exactly-N / fully-drained contract rather than report a silently wrong run.
    if out["arrivals"] != args.patients or out["completed"] != args.patients:
        sys.exit(f"ciw run did not produce exactly {args.patients} arrivals and departures: "
                 f"{out['arrivals']} arrived, {out['completed']} completed")
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

//! Criterion benchmarks: the canonical workload end to end (events/s and patients/s), the two
//! scenarios planners run (the flagship and the outpatient clinic, a few replications each, in
//! events/s so their cost per event compares with the canonical workload's), and the engine's
//! hot paths (event queue, sampling, statistics). Fixed seeds throughout.
//! Run with `cargo bench -p carepath-benches`; figures are recorded in docs/performance.md.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use sim_core::distribution::{Dist, DistKind, DistSpec};
use sim_core::event_queue::EventQueue;
use sim_core::rng::{Purpose, draw_rng, purpose_key};
use sim_core::scenario::units::Offset;
use sim_core::stats::Tally;
use sim_core::{Model, Simulator};
use std::hint::black_box;

const PATIENTS: u64 = 100_000;

fn benchmark_model() -> Model {
    sim_core::Scenario::parse(carepath_benches::BENCHMARK_SCENARIO)
        .and_then(|s| {
            s.model_with(
                None,
                &sim_core::scenario::Overrides {
                    max_arrivals: Some(PATIENTS),
                    ..Default::default()
                },
            )
        })
        .expect("benchmark scenario is valid")
}

fn workload(c: &mut Criterion) {
    let model = benchmark_model();
    let mut sim = Simulator::new(&model);
    let events = sim.run(0).unwrap().events;
    let mut g = c.benchmark_group("benchmark_scenario");
    g.sample_size(20);
    g.throughput(Throughput::Elements(events));
    g.bench_function("events", |b| {
        b.iter(|| black_box(sim.run(0).unwrap().events))
    });
    g.throughput(Throughput::Elements(PATIENTS));
    g.bench_function("patients", |b| {
        b.iter(|| black_box(sim.run(0).unwrap().patients.completed))
    });
    // The yardstick: a hand-written engine for this workload only, same events.
    let sp_events = carepath_benches::single_purpose::run(PATIENTS, 1).events;
    g.throughput(Throughput::Elements(sp_events));
    g.bench_function("single_purpose_events", |b| {
        b.iter(|| black_box(carepath_benches::single_purpose::run(PATIENTS, 1).events))
    });
    g.finish();
}

/// A study of `model` (its `replications` replications) on one thread, as `carepath run
/// --threads 1` does it: each replication run into the last one's storage and folded into
/// the summary's accumulator. Returns the events of all of them.
fn run_study(model: &Model) -> u64 {
    let mut study = sim_core::Study::new(model);
    study.run().unwrap();
    study.accumulator().records().iter().map(|r| r.events).sum()
}

fn scenarios(c: &mut Criterion) {
    let mut g = c.benchmark_group("scenarios");
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(3));
    // A few replications each: about 60 ms per iteration for the flagship (5 peak days of
    // ~24,000 events), 80 ms for the clinic (100 days of ~7,000 events), and the clinic of
    // shared resources (400 days of ~770 events) for the cost per event of seizing pools.
    for (name, source, replications) in [
        ("future_hospital_5", carepath_benches::FLAGSHIP_SCENARIO, 5),
        (
            "outpatient_clinic_100",
            carepath_benches::CLINIC_SCENARIO,
            100,
        ),
        (
            "clinic_with_procedures_400",
            carepath_benches::SHARED_SCENARIO,
            400,
        ),
    ] {
        let model = sim_core::Scenario::parse(source)
            .and_then(|s| {
                s.model_with(
                    None,
                    &sim_core::scenario::Overrides {
                        replications: Some(replications),
                        ..Default::default()
                    },
                )
            })
            .expect("shipped scenario is valid");
        g.throughput(Throughput::Elements(run_study(&model)));
        g.bench_function(name, |b| b.iter(|| black_box(run_study(&model))));
    }
    g.finish();
}

fn event_queue(c: &mut Criterion) {
    // Hold model: ~20 pending events, each pop followed by a push a random time later, as in the
    // benchmark workload's steady state.
    let mut g = c.benchmark_group("event_queue");
    g.throughput(Throughput::Elements(1000));
    g.bench_function("hold_20_pending", |b| {
        b.iter_batched(
            || {
                let mut q = EventQueue::new();
                for i in 0..20u32 {
                    q.push(f64::from(i) * 0.1, i);
                }
                (q, draw_rng(1, purpose_key(Purpose::Service, 0), 0))
            },
            |(mut q, mut rng)| {
                for _ in 0..1000 {
                    let e = q.pop().expect("non-empty");
                    let dt = Dist::Exp { mean: 1.0 }.sample(&mut rng);
                    q.push(e.time + dt, e.event);
                }
                black_box(q.len())
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn sampling(c: &mut Criterion) {
    let mut g = c.benchmark_group("sampling");
    g.throughput(Throughput::Elements(1000));
    let exp = Dist::Exp { mean: 1.0 };
    let service_key = purpose_key(Purpose::Service, 7);
    g.bench_function("exponential_keyed_1000", |b| {
        b.iter(|| {
            let mut s = 0.0;
            for i in 0..1000u64 {
                s += exp.sample(&mut draw_rng(i, service_key, 0));
            }
            black_box(s)
        })
    });
    // The shipped gamma (cv 0.6: Marsaglia–Tsang over the ziggurat normal) and lognormal
    // (one `exp` per draw), keyed as the engine draws them.
    for (name, dist) in [
        ("gamma_cv06_keyed_1000", Dist::compile(&gamma_cv06(), true)),
        (
            "lognormal_keyed_1000",
            Dist::compile(&lognormal_4_2(), true),
        ),
    ] {
        let dist = dist.expect("valid distribution");
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut s = 0.0;
                for i in 0..1000u64 {
                    s += dist.sample(&mut draw_rng(i, service_key, 0));
                }
                black_box(s)
            })
        });
    }
    let mut rng = draw_rng(3, service_key, 0);
    g.bench_function("exponential_stream_1000", |b| {
        b.iter(|| {
            let mut s = 0.0;
            for _ in 0..1000 {
                s += exp.sample(&mut rng);
            }
            black_box(s)
        })
    });
    g.finish();
}

fn statistics(c: &mut Criterion) {
    let mut g = c.benchmark_group("statistics");
    g.throughput(Throughput::Elements(1000));
    let values: Vec<f64> = (0..1000).map(|i| (i as f64 * 0.37) % 13.0).collect();
    g.bench_function("tally_add_1000", |b| {
        let mut t = Tally::default();
        b.iter(|| {
            for v in &values {
                t.add(*v);
            }
            black_box(t.count)
        })
    });
    g.finish();
}

/// `{ dist = "gamma", mean = "5min", cv = 0.6 }`, the flagship's consultation.
fn gamma_cv06() -> DistSpec {
    DistSpec {
        mean: Some(Offset(5.0)),
        cv: Some(0.6),
        ..DistSpec::of(DistKind::Gamma)
    }
}

/// `{ dist = "lognormal", mean = "4min", sd = "2min" }`, a flagship service.
fn lognormal_4_2() -> DistSpec {
    DistSpec {
        mean: Some(Offset(4.0)),
        sd: Some(Offset(2.0)),
        ..DistSpec::of(DistKind::Lognormal)
    }
}

criterion_group!(
    benches,
    workload,
    scenarios,
    event_queue,
    sampling,
    statistics
);
criterion_main!(benches);

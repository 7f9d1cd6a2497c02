//! Criterion benchmarks: the canonical workload end to end (events/s and patients/s) and the
//! engine's hot paths (event queue, sampling, statistics). Fixed seeds throughout.
//! Run with `cargo bench -p carepath-benches`; figures are recorded in docs/performance.md.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use sim_core::distribution::Dist;
use sim_core::event_queue::EventQueue;
use sim_core::rng::{Purpose, draw_rng, purpose_key};
use sim_core::stats::Tally;
use sim_core::{Model, Simulator};
use std::hint::black_box;

const PATIENTS: u64 = 100_000;

fn benchmark_model() -> Model {
    let mut model = Model::from_toml(carepath_benches::BENCHMARK_SCENARIO)
        .expect("benchmark scenario is valid");
    model.max_arrivals = Some(PATIENTS);
    model
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

criterion_group!(benches, workload, event_queue, sampling, statistics);
criterion_main!(benches);

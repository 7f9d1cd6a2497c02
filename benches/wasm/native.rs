//! The native twin of the wasm export: runs the same function, prints the same JSON fields, so
//! `benches/wasm/run.mjs` can compare speed and bits. Usage: `wasm-bench-native N SEED`.

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2026);
    carepath_wasm_bench::run(10_000, seed);
    let mut best = f64::INFINITY;
    let mut out = (0, 0.0);
    for _ in 0..5 {
        let t0 = std::time::Instant::now();
        out = carepath_wasm_bench::run(n, seed);
        best = best.min(t0.elapsed().as_secs_f64());
    }
    println!(
        "{{\"patients\":{n},\"events\":{},\"best_seconds\":{best},\"patients_per_second\":{},\"mean_tis_bits\":\"{:016x}\"}}",
        out.0,
        n as f64 / best,
        out.1.to_bits()
    );
}

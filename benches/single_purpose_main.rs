//! `single-purpose N [SEED]`: runs the hand-written yardstick engine on the canonical workload
//! and prints its outcome, for side-by-side timing with `carepath run` (see docs/performance.md).

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let o = carepath_benches::single_purpose::run(n, seed);
    println!("{o:?}");
}

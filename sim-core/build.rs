//! Generates the ziggurat tables for the standard exponential sampler
//! (`distribution::standard_exp`) with the pure-Rust `libm`, so the constants are the same bits
//! on every platform, and writes them as Rust source into OUT_DIR.

use std::fmt::Write as _;

const R: f64 = 7.697_117_470_131_05;
const V: f64 = 0.003_949_659_822_581_557;

fn main() {
    let mut x = [0.0f64; 257];
    x[0] = V / libm::exp(-R);
    x[1] = R;
    for i in 2..256 {
        x[i] = -libm::log(V / x[i - 1] + libm::exp(-x[i - 1]));
    }
    x[256] = 0.0;
    let f: Vec<f64> = x.iter().map(|v| libm::exp(-v)).collect();
    let mut out = String::new();
    // `{:?}` prints the shortest text that reads back to the same bits.
    let _ = writeln!(
        out,
        "/// Right edge of the base layer's rectangle part (r)."
    );
    let _ = writeln!(out, "const ZIG_EXP_R: f64 = {R:?};");
    let _ = writeln!(out, "/// Layer edges.");
    let _ = writeln!(out, "const ZIG_EXP_X: [f64; 257] = {:?};", x);
    let _ = writeln!(out, "/// exp(-edge).");
    let _ = writeln!(out, "const ZIG_EXP_F: [f64; 257] = {:?};", f);
    let path = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("zig_exp.rs");
    std::fs::write(path, out).expect("write ziggurat tables");
    println!("cargo::rerun-if-changed=build.rs");
}

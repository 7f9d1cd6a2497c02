//! Generates the ziggurat tables for the standard exponential and standard normal samplers
//! (`distribution::standard_exp`, `distribution::standard_normal`) with the pure-Rust `libm`, so
//! the constants are the same bits on every platform, and writes them as Rust source into
//! OUT_DIR.

use std::fmt::Write as _;

const R: f64 = 7.697_117_470_131_05;
const V: f64 = 0.003_949_659_822_581_557;
/// Right edge of the normal ziggurat's base rectangle for 256 layers (Marsaglia & Tsang 2000).
/// The layer area is derived from it below, so the 255 layers close on x = 0: the top layer's
/// area differs from the others by about 1e-13 of itself.
const RN: f64 = 3.654_152_885_361_009;

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
    let dir = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(dir.join("zig_exp.rs"), out).expect("write ziggurat tables");
    std::fs::write(dir.join("zig_norm.rs"), normal_tables()).expect("write ziggurat tables");
    std::fs::write(dir.join("fast_exp.rs"), exp_tables()).expect("write exp tables");
    println!("cargo::rerun-if-changed=build.rs");
}

/// The normal ziggurat for the unnormalised density f(x) = exp(-x²/2) on x ≥ 0 (the sign is a
/// separate bit): every layer has area v = r·f(r) + ∫_r^∞ f, the tail integral being
/// sqrt(π/2)·erfc(r/√2); x[0] = v / f(r) is the base layer's virtual width, x[1] = r, and
/// x[i] = f⁻¹(v / x[i-1] + f(x[i-1])) down to x[256] = 0.
fn normal_tables() -> String {
    let f = |x: f64| libm::exp(-0.5 * x * x);
    let v = RN * f(RN)
        + libm::sqrt(std::f64::consts::PI / 2.0) * libm::erfc(RN / std::f64::consts::SQRT_2);
    let mut x = [0.0f64; 257];
    x[0] = v / f(RN);
    x[1] = RN;
    for i in 2..256 {
        x[i] = libm::sqrt(-2.0 * libm::log(v / x[i - 1] + f(x[i - 1])));
    }
    x[256] = 0.0;
    let fx: Vec<f64> = x.iter().map(|&v| f(v)).collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "/// Right edge of the normal base layer's rectangle part (r)."
    );
    let _ = writeln!(out, "const ZIG_NORM_R: f64 = {RN:?};");
    let _ = writeln!(out, "/// Layer edges.");
    let _ = writeln!(out, "const ZIG_NORM_X: [f64; 257] = {:?};", x);
    let _ = writeln!(out, "/// exp(-edge²/2).");
    let _ = writeln!(out, "const ZIG_NORM_F: [f64; 257] = {:?};", fx);
    out
}

/// ln 2 − `LN_2` (the next 53 bits of ln 2 beyond the double nearest to it).
const LN2_TAIL: f64 = 2.319_046_813_846_299_6e-17;

/// The table and constants of `fastmath::exp`: 2^(j/64) for j in 0..64 (libm's `exp2`, within
/// 1 ulp), and ln 2 / 64 as a high half with the low 20 mantissa bits cleared plus the rest,
/// computed with ln 2 to double-double precision.
fn exp_tables() -> String {
    let t: Vec<f64> = (0..64).map(|j| libm::exp2(f64::from(j) / 64.0)).collect();
    let l = std::f64::consts::LN_2 / 64.0;
    let hi = f64::from_bits(l.to_bits() & !0xf_ffff);
    // 64·hi is exact and within a few ulps of LN_2, so the subtraction is exact too.
    let lo = ((std::f64::consts::LN_2 - 64.0 * hi) + LN2_TAIL) / 64.0;
    let mut out = String::new();
    let _ = writeln!(out, "/// 2^(j/64) for j in 0..64.");
    // Entry 32 is √2, computed like the others rather than taken from std's constant.
    let _ = writeln!(out, "#[allow(clippy::approx_constant)]");
    let _ = writeln!(out, "const EXP2_64: [f64; 64] = {:?};", t);
    let _ = writeln!(out, "/// High part of ln 2 / 64 (20 trailing zero bits).");
    let _ = writeln!(out, "const LN2_64_HI: f64 = {hi:?};");
    let _ = writeln!(out, "/// ln 2 / 64 − LN2_64_HI.");
    let _ = writeln!(out, "const LN2_64_LO: f64 = {lo:?};");
    out
}

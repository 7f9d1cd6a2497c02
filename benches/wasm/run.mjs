// Times the canonical workload in WebAssembly under Node and compares the result bit for bit
// with the native build. Usage (from the repository root, after building both):
//   node benches/wasm/run.mjs target/wasm32-unknown-unknown/release/carepath_wasm_bench.wasm N SEED NATIVE_BITS_HEX
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [wasmPath, nArg = '1000000', seedArg = '2026', nativeBits = ''] = process.argv.slice(2);
const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), {});
const ex = instance.exports;
const n = Number(nArg);
ex.run_benchmark(10000, Number(seedArg)); // warm-up (compilation tiers)
const times = [];
let events = 0;
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  events = ex.run_benchmark(n, Number(seedArg));
  times.push((performance.now() - t0) / 1000);
}
const bits = (BigInt(ex.last_mean_tis_bits_hi()) << 32n) | BigInt(ex.last_mean_tis_bits_lo());
const best = Math.min(...times);
const out = {
  patients: n,
  events,
  best_seconds: best,
  patients_per_second: n / best,
  mean_tis_bits: bits.toString(16).padStart(16, '0'),
};
if (nativeBits) out.bit_identical_to_native = out.mean_tis_bits === nativeBits.toLowerCase();
console.log(JSON.stringify(out));

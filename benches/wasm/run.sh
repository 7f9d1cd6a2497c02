#!/usr/bin/env bash
# Builds sim-core for wasm32 and natively, runs the canonical workload in both (Node for wasm),
# and checks the mean time in system is the same bits. Usage: benches/wasm/run.sh [N] [SEED]
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-1000000}
seed=${2:-2026}
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
cargo build -q --release -p carepath-wasm-bench --target wasm32-unknown-unknown --lib
cargo build -q --release -p carepath-wasm-bench --bin wasm-bench-native
native=$(target/release/wasm-bench-native "$n" "$seed")
echo "native: $native"
bits=$(printf '%s' "$native" | python3 -c 'import json,sys; print(json.load(sys.stdin)["mean_tis_bits"])')
wasm=$(node benches/wasm/run.mjs target/wasm32-unknown-unknown/release/carepath_wasm_bench.wasm "$n" "$seed" "$bits")
echo "wasm:   $wasm"
python3 - "$native" "$wasm" <<'PY'
import json, sys
n, w = (json.loads(a) for a in sys.argv[1:3])
ratio = w["patients_per_second"] / n["patients_per_second"]
print(f"wasm/native speed: {ratio:.2f}; bit-identical: {w['bit_identical_to_native']}")
sys.exit(0 if w["bit_identical_to_native"] else 1)
PY

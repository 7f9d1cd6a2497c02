#!/usr/bin/env bash
# Builds the check module for wasm32 (into the workspace's target/wasm-check) and runs it in Node.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="$here/../../target/wasm-check"
cargo build --quiet --release --target wasm32-unknown-unknown \
  --manifest-path "$here/Cargo.toml" --target-dir "$target"
node "$here/run.mjs" "$target/wasm32-unknown-unknown/release/carepath_charts_wasm_check.wasm"

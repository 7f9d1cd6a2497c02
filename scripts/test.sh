#!/usr/bin/env bash
# CarePath's whole test suite — the README's test command:
#   1. every Rust test of the workspace (`cargo test --workspace`);
#   2. the web page end to end in headless Chromium: installs what is missing (wasm32 target,
#      wasm-bindgen-cli, npm packages, Debian chromium), builds web/dist and the release CLI,
#      then runs web/tests/ with Node's test runner.
# Set CAREPATH_LONG_TESTS=1 for the long validation cases (CI does).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> Rust tests"
cargo test --workspace

echo "==> web page in headless Chromium"
web/setup.sh --browser
cargo build --release -q -p carepath
web/build.sh
node --test --test-concurrency=1 web/tests/

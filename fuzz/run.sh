#!/usr/bin/env bash
# Fuzzes the scenario parser, validator and (briefly) the engine for a bounded time.
# Usage: fuzz/run.sh [SECONDS]   (default 60). Needs the nightly toolchain and cargo-fuzz:
#   rustup toolchain install nightly && cargo install cargo-fuzz
# The corpus is seeded from every shipped scenario and every bad-input fixture. Any crash is
# written to fuzz/artifacts/scenario/; turn it into a regression test in tests/tests/.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
mkdir -p corpus/scenario
for f in ../scenarios/*.toml ../scenarios/regression/*.toml ../tests/fixtures/bad/*.toml ../tests/fixtures/workflow/*.toml; do
  cp "$f" "corpus/scenario/$(echo "$f" | tr '/.' '__')"
done
cargo +nightly fuzz run scenario corpus/scenario -- -max_total_time="$seconds" -max_len=65536 -timeout=10

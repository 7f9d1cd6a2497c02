#!/usr/bin/env bash
# Installs what building and testing the web page need, skipping whatever is already there:
# the wasm32 target, wasm-bindgen-cli at the exact version Cargo.lock pins (built from
# crates.io; never --locked: that fails on a dependency version missing from the registry index,
# see docs/web.md), the npm packages of web/package-lock.json
# (binaryen's wasm-opt, playwright-core) and, for the browser tests, Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
want=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  echo "installing wasm-bindgen-cli $want (a few minutes)…"
  # Only the wasm-bindgen binary, without the test runner's TLS stack (the default feature), at
  # opt-level 1: it runs only at build time, and this compiles about a fifth less.
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
    cargo install -q wasm-bindgen-cli --version "$want" --no-default-features --bin wasm-bindgen
fi
if [ ! -x web/node_modules/.bin/wasm-opt ] || [ ! -d web/node_modules/playwright-core ] \
   || ! cmp -s web/package-lock.json web/node_modules/.package-lock.json.copy 2>/dev/null; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
  cp web/package-lock.json web/node_modules/.package-lock.json.copy
fi
if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium from Debian…"
  sudo_cmd=""
  if [ "$(id -u)" != 0 ]; then sudo_cmd=sudo; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi

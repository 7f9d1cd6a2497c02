#!/usr/bin/env bash
# Builds the web page into web/dist/: the WebAssembly module (cargo + wasm-bindgen, shrunk with
# wasm-opt from the npm package binaryen) and the static files from web/www/. Installs what it
# needs first (see setup.sh), so it works on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
web/setup.sh
out=web/dist
rm -rf "$out.tmp"
mkdir -p "$out.tmp/pkg"
cargo build --release --locked -q -p carepath-web --target wasm32-unknown-unknown
wasm-bindgen --target web --no-typescript --out-dir "$out.tmp/pkg" \
  target/wasm32-unknown-unknown/release/carepath_web.wasm
# -O2 with the features this Chromium has; bulk memory and sign-ext are what rustc emits.
web/node_modules/.bin/wasm-opt -O2 --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$out.tmp/pkg/carepath_web_bg.wasm" -o "$out.tmp/pkg/carepath_web_bg.wasm"
cp web/www/* "$out.tmp/"
# The offline cache is named after the content, so a new build replaces an old cache.
version=$(cat "$out.tmp"/pkg/* "$out.tmp"/*.js "$out.tmp"/*.html "$out.tmp"/*.css | sha256sum | cut -c1-12)
sed -i "s/__BUILD__/$version/" "$out.tmp/sw.js" "$out.tmp/index.html"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "built $out (build $version, wasm $(du -k "$out/pkg/carepath_web_bg.wasm" | cut -f1) KiB)"

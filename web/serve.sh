#!/usr/bin/env bash
# Builds the web page and serves it on http://127.0.0.1:PORT/ (default 8080); prints the URL.
#   web/serve.sh [PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
web/build.sh
exec node web/serve.mjs --port "${1:-8080}"

#!/usr/bin/env bash
# Installs the Dask driver's Python dependencies (requirements.txt, from PyPI) into
# distributed/.venv, once; prints the venv's python (see scripts/python-venv.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec "$here/../scripts/python-venv.sh" "$here" "dask, distributed"

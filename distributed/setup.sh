#!/usr/bin/env bash
# Installs the Dask driver's Python dependencies (requirements.txt, from PyPI) into
# distributed/.venv, once, and the carepath package (python/build-wheel.sh) every time; prints
# the venv's python (see scripts/python-venv.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python=$("$here/../scripts/python-venv.sh" "$here" "dask, distributed, pandas")
# The carepath package, for sweep_frame's workers (the wheel python/setup.sh installs too).
wheel=$("$here/../python/build-wheel.sh")
"$python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$wheel" >&2
echo "$python"

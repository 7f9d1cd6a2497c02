#!/usr/bin/env bash
# Makes python/.venv with what the package's tests need (requirements.txt, from PyPI, once),
# then installs the package itself into it, built as `pip install ./python` builds it
# (python/build-wheel.sh: maturin from PyPI builds the extension with cargo; cargo's cache
# makes a rebuild of unchanged sources quick). Prints the venv's python (see
# scripts/python-venv.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python=$("$here/../scripts/python-venv.sh" "$here" "pandas, polars, pytest, tqdm, matplotlib")
wheel=$("$here/build-wheel.sh")
"$python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$wheel" >&2
echo "$python"

#!/usr/bin/env bash
# Builds the carepath wheel from python/ exactly as `pip install ./python` builds it (pip runs
# maturin's PEP 517 hook, which runs cargo), into target/python-wheel/, and prints its path.
# python/setup.sh and distributed/setup.sh install this one file into their venvs: the wheel is
# abi3 (any CPython from 3.11 on), so one build serves both, and always building it with the
# same interpreter (python3 on the PATH) keeps cargo's cache of PyO3's build valid, so an
# unchanged tree rebuilds in seconds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../target/python-wheel"
rm -rf "$out"
mkdir -p "$out"
python3 -m pip wheel -q --disable-pip-version-check --no-deps "$here" -w "$out" >&2
ls "$out"/carepath-*.whl

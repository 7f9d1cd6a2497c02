#!/usr/bin/env bash
# Makes a Python venv DIR/.venv with DIR/requirements.txt installed from PyPI, once (again when
# `python -c "import MODULES"` fails in it); prints the venv's python. Used by
# distributed/setup.sh and process-mining/setup.sh. Needs Python 3.11+ with venv (Debian:
# python3-venv, installed here when missing and apt-get is available).
#   scripts/python-venv.sh DIR MODULES
set -euo pipefail
dir="$(cd "$1" && pwd)"
modules="$2"
venv="$dir/.venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import $modules" 2>/dev/null; then
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c "import ensurepip" 2>/dev/null; then
    if command -v apt-get >/dev/null; then
      sudo_=""; [ "$(id -u)" = 0 ] || sudo_=sudo
      $sudo_ apt-get update -qq && $sudo_ apt-get install -y -qq python3-venv >&2
    fi
  fi
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$dir/requirements.txt" >&2
fi
echo "$venv/bin/python"

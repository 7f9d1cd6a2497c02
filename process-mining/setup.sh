#!/usr/bin/env bash
# Installs the event-log check's Python dependencies (pm4py) (requirements.txt, from PyPI) into
# process-mining/.venv, once; prints the venv's python. Needs Python 3.11+ with venv
# (Debian: apt-get install python3-venv, which this script installs when missing and apt-get
# is available).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import pm4py" 2>/dev/null; then
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c "import ensurepip" 2>/dev/null; then
    if command -v apt-get >/dev/null; then
      sudo_=""; [ "$(id -u)" = 0 ] || sudo_=sudo
      $sudo_ apt-get update -qq && $sudo_ apt-get install -y -qq python3-venv >&2
    fi
  fi
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt" >&2
fi
echo "$venv/bin/python"

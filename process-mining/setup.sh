#!/usr/bin/env bash
# Installs the event-log check's Python dependency, pm4py (requirements.txt, from PyPI), into
# process-mining/.venv, once; prints the venv's python (see scripts/python-venv.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec "$here/../scripts/python-venv.sh" "$here" "pm4py"

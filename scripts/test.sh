#!/usr/bin/env bash
# CarePath's whole test suite — the README's test command:
#   0. this script's own counting of results (scripts/totals-test.sh, a fraction of a second);
#   1. every Rust test of the workspace (`cargo test --workspace --no-fail-fast`: a failing
#      test executable does not stop the others, so the totals cover everything);
#   2. the Dask driver (distributed/test_dask.py: a sweep through a local scheduler and two
#      workers equals one machine's, byte for byte; installs dask from PyPI into
#      distributed/.venv once, with distributed/setup.sh);
#   3. the Python package (python/tests/, pytest: errors with positions, DataFrames, the CLI's
#      bits, threads, KeyboardInterrupt; installs pandas, polars, pytest, tqdm and matplotlib
#      from PyPI into python/.venv once, and the package from the wheel `pip install ./python`
#      would build (python/build-wheel.sh, once per run for both venvs), which
#      builds the extension with maturin and cargo);
#   4. the web page end to end in headless Chromium: installs what is missing (wasm32 target,
#      wasm-bindgen-cli, npm packages, Debian chromium), builds web/dist, then runs web/tests/
#      with Node's test runner against the `carepath` binary step 1 already built (the `test`
#      profile, target/debug/carepath), so no release build is needed. With CI=true it builds
#      and uses the release binary instead, so the browser-versus-native figures the tests
#      print are against release code.
# The last line totals every test run: `N passed, M failed` (`, K skipped` when some were).
# Exits non-zero when any test failed or a step could not run; such a step (a build error, a
# crashed test executable, a failed tool install) is counted as one failure and named above
# the totals.
# Set CAREPATH_LONG_TESTS=1 for the long validation cases (CI does).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/totals.sh
. scripts/totals.sh

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
reset_totals

# Colours survive the `tee` below when the script itself writes to a terminal.
color=never
if [ -t 1 ]; then color=always; fi

echo "==> the test script's own counting"
status=0
scripts/totals-test.sh >"$logs/self.tap" || status=$?
grep -v "^ok " "$logs/self.tap" || true
add_counts "$(count_tap "$logs/self.tap")" "$status" "scripts/totals-test.sh"

# Where cargo puts its output (CARGO_TARGET_DIR and build.target-dir are honoured).
target=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
: "${target:=$PWD/target}"

echo "==> Rust tests"
# One build of everything first (libraries for the doc tests, binaries, test executables), so
# that `carepath` is compiled with exactly the dependencies (and features) the tests use; the
# tests then run it through CAREPATH_BIN instead of building it again with the features of the
# cli package alone, and `cargo test` itself compiles nothing more.
status=0
{
  cargo build --workspace --lib --bins --tests --profile test --color "$color" &&
    CAREPATH_BIN="$target/debug/carepath" \
      cargo test --workspace --no-fail-fast --color "$color" -- --color "$color"
} 2>&1 | tee "$logs/cargo.log" || status=$?
add_counts "$(count_cargo "$logs/cargo.log")" "$status" "cargo test"

echo "==> Dask driver: a sweep through a local scheduler and two workers (distributed/)"
# distributed/setup.sh installs dask and distributed from PyPI into distributed/.venv once.
status=0
if python=$(distributed/setup.sh); then
  "$python" distributed/test_dask.py "$target/debug/carepath" >"$logs/dask.tap" 2>"$logs/dask.err" || status=$?
  cat "$logs/dask.tap"
  if [ "$status" != 0 ]; then tail -20 "$logs/dask.err"; fi
  add_counts "$(count_tap "$logs/dask.tap")" "$status" "distributed/test_dask.py"
else
  add_counts "0 0 0" 1 "installing the Dask driver's dependencies (distributed/setup.sh)"
fi

echo "==> event log in pm4py: XES and OCEL 2.0 read by a process-mining library (process-mining/)"
# process-mining/setup.sh installs pm4py from PyPI into process-mining/.venv once.
status=0
if python=$(process-mining/setup.sh); then
  "$python" process-mining/test_pm4py.py "$target/debug/carepath" >"$logs/pm4py.tap" 2>"$logs/pm4py.err" || status=$?
  cat "$logs/pm4py.tap"
  if [ "$status" != 0 ]; then tail -20 "$logs/pm4py.err"; fi
  add_counts "$(count_tap "$logs/pm4py.tap")" "$status" "process-mining/test_pm4py.py"
else
  add_counts "0 0 0" 1 "installing pm4py (process-mining/setup.sh)"
fi

echo "==> Python package: pytest, against the CLI's results (python/)"
# python/setup.sh installs pandas, polars, pytest, tqdm and matplotlib from PyPI into
# python/.venv once, and the package itself every time, from the wheel python/build-wheel.sh
# builds as `pip install ./python` does.
status=0
if python=$(python/setup.sh); then
  CAREPATH_BIN="$target/debug/carepath" CAREPATH_PROGRESS=0 \
    "$python" -P -m pytest -q -p no:cacheprovider python/tests >"$logs/python.log" 2>&1 || status=$?
  cat "$logs/python.log"
  add_counts "$(count_tap "$logs/python.log")" "$status" "python/tests (pytest)"
else
  add_counts "0 0 0" 1 "installing the Python package (python/setup.sh)"
fi

echo "==> web page in headless Chromium"
# The test-profile binary is already built (step 1); building it again with `-p carepath`
# alone would resolve other features and recompile half the dependencies.
if [ "${CI:-}" = true ]; then
  dir=release build_cli=(cargo build -q --release -p carepath)
else
  dir=debug build_cli=(true)
fi
status=0
if web/setup.sh --browser && "${build_cli[@]}" && web/build.sh; then
  if [ "$dir" = debug ]; then
    echo "(native timings below are of the test-profile build target/debug/carepath; CI=true uses release)"
  fi
  # Node prints its usual report; a TAP copy goes to a file for the totals.
  CAREPATH_BIN="$target/$dir/carepath" node --test --test-concurrency=1 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$logs/node.tap" web/tests/ || status=$?
  add_counts "$(count_tap "$logs/node.tap")" "$status" "node --test web/tests/"
else
  add_counts "0 0 0" 1 "preparing the browser tests (web/setup.sh, the carepath build or web/build.sh)"
fi

echo
for p in "${problems[@]}"; do echo "error: $p"; done
totals_line "$passed" "$failed" "$skipped"
[ "$failed" = 0 ]

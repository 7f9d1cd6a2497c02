#!/usr/bin/env bash
# Checks the counting functions of scripts/totals.sh on sample outputs of cargo test and of
# Node's TAP reporter. Prints TAP (`ok N - …`, then `# pass N` / `# fail M`), which
# scripts/test.sh runs first and counts with the same function it checks. Exits 1 on a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/totals.sh
. scripts/totals.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
pass=0
fail=0

# check NAME EXPECTED ACTUAL
check() {
  n=$((n + 1))
  if [ "$2" = "$3" ]; then
    pass=$((pass + 1))
    echo "ok $n - $1"
  else
    fail=$((fail + 1))
    echo "not ok $n - $1: expected '$2', got '$3'"
  fi
}

# A passing workspace run: unit tests, an integration binary, doc tests, an empty binary, and
# compiler noise that mentions "passed" and "failed" without being a result line.
cat >"$tmp/cargo-ok.log" <<'EOF'
   Compiling carepath-sim-core v0.1.0 (/src/sim-core)
warning: 3 passed checks failed; this line is not a result
     Running unittests src/lib.rs (target/debug/deps/carepath_sim_core-0123)

running 24 tests
test stats::tests::t_table ... ok
test result: ok. 24 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.03s

     Running tests/main.rs (target/debug/deps/integration-4567)
test result: ok. 150 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in 61.20s

   Doc-tests carepath_sim_core
test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.50s

     Running unittests src/main.rs (target/debug/deps/carepath-89ab)
test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
EOF
check "cargo: a passing run" "177 0 3" "$(count_cargo "$tmp/cargo-ok.log")"

# A failing run (with --no-fail-fast every executable still reports), with the status word
# coloured as libtest does on a terminal.
printf '%s\n' \
  'test cli::exit_codes ... FAILED' \
  $'test result: \033[31mFAILED\033[0m. 9 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.00s' \
  'test result: ok. 5 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.10s' \
  'error: 1 target failed:' \
  >"$tmp/cargo-fail.log"
check "cargo: a failing run, coloured" "14 2 0" "$(count_cargo "$tmp/cargo-fail.log")"

: >"$tmp/empty.log"
check "cargo: no result lines (build error)" "0 0 0" "$(count_cargo "$tmp/empty.log")"

# Node's TAP reporter: subtests' own summaries are indented and must not be counted twice.
cat >"$tmp/node-ok.tap" <<'EOF'
TAP version 13
# Subtest: gallery loads
    # Subtest: inner
    ok 1 - inner
    # pass 1
ok 1 - gallery loads
  ---
  duration_ms: 812.5
  ...
# flagship paper+digital: browser 2.10 s
1..11
# tests 11
# suites 0
# pass 10
# fail 0
# cancelled 0
# skipped 1
# todo 0
# duration_ms 60123.4
EOF
check "tap: a passing run" "10 0 1" "$(count_tap "$tmp/node-ok.tap")"

cat >"$tmp/node-fail.tap" <<'EOF'
not ok 3 - canonical workload
# tests 11
# pass 8
# fail 2
# cancelled 1
# skipped 0
# todo 0
EOF
check "tap: failures and a cancelled test" "8 3 0" "$(count_tap "$tmp/node-fail.tap")"
check "tap: no summary (crashed)" "0 0 0" "$(count_tap "$tmp/empty.log")"
check "tap: no file (never started)" "0 0 0" "$(count_tap "$tmp/missing.tap")"
check "cargo: no log" "0 0 0" "$(count_cargo "$tmp/missing.log")"

check "totals line without skips" "3 passed, 0 failed" "$(totals_line 3 0 0)"
check "totals line with skips" "12 passed, 1 failed, 4 skipped" "$(totals_line 12 1 4)"

# Summing steps: a step that failed without a failed test (here cargo's build error) counts as
# one failure and is explained; one that reported its failures adds exactly those.
reset_totals
add_counts "5 0 1" 0 "self-test"
add_counts "0 0 0" 101 "cargo test"
add_counts "3 2 0" 1 "node --test"
check "sums over steps" "8 3 1" "$passed $failed $skipped"
check "a silent failure is explained" \
  "cargo test failed (exit status 101) without reporting a failed test; counted as 1 failed" \
  "${problems[*]}"

echo "1..$n"
echo "# pass $pass"
echo "# fail $fail"
[ "$fail" = 0 ]

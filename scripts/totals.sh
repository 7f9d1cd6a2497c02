# Counting the tests of scripts/test.sh, sourced by it and by scripts/totals-test.sh (which checks
# these functions on sample outputs). Each counter prints "PASSED FAILED SKIPPED".

# Sums cargo's `test result: ok. 12 passed; 0 failed; 1 ignored; …` lines (one per test
# executable and per crate's doc tests); ignored tests count as skipped. A missing log counts
# nothing.
count_cargo() {
  [ -f "$1" ] || { echo "0 0 0"; return; }
  awk '
    /^test result: / {
      for (i = 1; i <= NF; i++) {
        n = $(i - 1) + 0
        if ($i ~ /^passed;?$/) p += n
        if ($i ~ /^failed;?$/) f += n
        if ($i ~ /^ignored;?$/) s += n
      }
    }
    END { printf "%d %d %d\n", p, f, s }
  ' "$1"
}

# Reads the summary that Node's TAP reporter ends with (`# pass 11`, `# fail 0`,
# `# cancelled 0`, `# skipped 0`, `# todo 0`). Only unindented lines count: indented ones
# belong to subtests. A cancelled test (e.g. one that timed out) is a failure; todo is skipped.
# A missing file (the runner never started) counts nothing.
count_tap() {
  [ -f "$1" ] || { echo "0 0 0"; return; }
  awk '
    /^# pass [0-9]+$/ { p += $3 }
    /^# (fail|cancelled) [0-9]+$/ { f += $3 }
    /^# (skipped|todo) [0-9]+$/ { s += $3 }
    END { printf "%d %d %d\n", p, f, s }
  ' "$1"
}

# Running totals of scripts/test.sh, in the globals passed, failed, skipped and problems (the
# explanations printed above the totals line).
reset_totals() {
  passed=0
  failed=0
  skipped=0
  problems=()
}

# add_counts "P F S" STATUS WHAT: adds one step's counts. A step that exited non-zero without
# reporting a failed test (a build error, a crashed test executable, a runner that never
# started) counts as one failure, so the totals never read as a clean pass.
add_counts() {
  local p f s
  read -r p f s <<<"$1"
  if [ "$2" != 0 ] && [ "$f" = 0 ]; then
    f=1
    problems+=("$3 failed (exit status $2) without reporting a failed test; counted as 1 failed")
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  skipped=$((skipped + s))
}

# The last line of scripts/test.sh: "N passed, M failed", plus ", K skipped" when K > 0.
totals_line() {
  local line="$1 passed, $2 failed"
  if [ "$3" -gt 0 ]; then line="$line, $3 skipped"; fi
  printf '%s\n' "$line"
}

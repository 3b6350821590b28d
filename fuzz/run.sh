#!/usr/bin/env bash
# fuzz/run.sh DIR TARGET...: run each libFuzzer target for FUZZ_SECONDS
# (default 60) from tests/fuzz-corpus/TARGET (kept), new inputs to a scratch
# corpus. A crash is copied to tests/fuzz-corpus/TARGET/ and fails the run.
set -uo pipefail
dir=$1; shift
secs=${FUZZ_SECONDS:-60}
src=$(cd "$(dirname "$0")/.." && pwd)
pass=0; fail=0
for t in "$@"; do
  seed=$src/tests/fuzz-corpus/$t
  work=$(mktemp -d /tmp/secprov-fuzz.XXXXXX)
  mkdir -p "$seed"
  if LSAN_OPTIONS="suppressions=$src/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
       "$dir/$t" -max_total_time="$secs" -artifact_prefix="$work/" -print_final_stats=1 \
       "$work" "$seed" >"$work/log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$')
    echo "PASS  $t (${secs}s, ${runs:-?} runs, no finding)"; pass=$((pass + 1))
  else
    echo "FAIL  $t"; tail -n 30 "$work/log" | sed 's/^/    | /'
    cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$seed/" 2>/dev/null || true
    fail=$((fail + 1))
  fi
  rm -rf "$work"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

#!/usr/bin/env bash
# Run the tests named on the command line, one after another, each with a
# time limit. Quiet for a test that passes (but for its lines starting "SKIP "
# or "SUMMARY "); prints the log of one that fails.
# Ends with the line "N passed, N failed".
#   tests/run_tests.sh BUILD_DIR TEST...
# A test is an executable (cmocka program or shell script). It gets
#   SECPROV_BUILD  absolute build folder     SECPROV_SRC  absolute source folder
# and runs in a private scratch folder ($SECPROV_TEST_TMP), removed after.
set -u
build=$(cd "$1" && pwd); shift
src=$(cd "$(dirname "$0")/.." && pwd)
limit=${SECPROV_TEST_TIMEOUT:-900}
pass=0; fail=0; failed=()
for t in "$@"; do
  name=${t#"$build"/}
  tmp=$(mktemp -d /tmp/secprov-test.XXXXXX)
  log=$tmp/.log
  prog=$(cd "$src" && realpath "$t")
  start=$(date +%s%N)
  ( cd "$tmp" && SECPROV_BUILD=$build SECPROV_SRC=$src SECPROV_TEST_TMP=$tmp \
      timeout --kill-after=10 "$limit" "$prog" ) >"$log" 2>&1 </dev/null
  rc=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  secs=$((ms / 1000)).$(( (ms % 1000) / 100 ))
  if [ $rc -eq 0 ]; then
    pass=$((pass + 1)); echo "PASS  $name (${secs}s)"
    grep -E '^(SKIP|SUMMARY) ' "$log" | sed 's/^/    | /'   # what a passing test skipped or sums up
  else
    fail=$((fail + 1)); failed+=("$name")
    echo "FAIL  $name (exit $rc, ${secs}s)"; sed 's/^/    | /' "$log" | tail -n 80
  fi
  rm -rf "$tmp"
done
[ $fail -gt 0 ] && printf 'failed: %s\n' "${failed[@]}"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]

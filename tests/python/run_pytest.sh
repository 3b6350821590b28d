#!/usr/bin/env bash
# The Python package's pytest suite (tests/python), with Debian's
# /usr/bin/python3 (where python3-pytest and cython3 are), against this
# build's libsecprov.so.0 (SECPROV_LIBRARY) and the package in python/.
# Prints pytest's summary line; "no tests ran" is a failure.
set -uo pipefail
LIB=$SECPROV_BUILD/lib/libsecprov.so.0
if [ -n "${SECPROV_ARCH:-}" ] || [ "$(nm -D --undefined-only "$LIB" | grep -c __asan_ || true)" != 0 ]; then
  # A native Python cannot load an arm64 library, nor an ASan one without
  # preloading the runtime: tests/arm64/test_arm64_binding.sh checks the
  # binding's declarations against the arm64 build.
  echo "SKIP Python package tests (${SECPROV_ARCH:-ASan} build)"
  exit 0
fi
PY=/usr/bin/python3
"$PY" -c 'import pytest' 2>/dev/null || { echo "FAIL python3-pytest is not installed for $PY"; exit 1; }
export SECPROV_LIBRARY=$LIB PYTHONDONTWRITEBYTECODE=1
cd "$SECPROV_SRC" || exit 1
out=$SECPROV_TEST_TMP/pytest.out
"$PY" -m pytest -p no:cacheprovider -q -rfEs --basetemp="$SECPROV_TEST_TMP/pytest" tests/python \
  > "$out" 2>&1
rc=$?
cat "$out"
summary=$(grep -E '^=*.*( passed| failed| error| no tests ran)' "$out" | tail -n1)
echo "SUMMARY pytest: ${summary:-no summary}"
[ "$rc" = 5 ] && { echo "FAIL no tests ran"; exit 1; }
grep -q ' passed' <<<"$summary" || { echo "FAIL no test passed"; exit 1; }
exit "$rc"

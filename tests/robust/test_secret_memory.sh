#!/usr/bin/env bash
# Secrets in memory (issue 6, item 5): seal and unseal a secret made of a
# marker with free()/munmap() interposed by free_shim.so, which reports any
# freed memory still holding the marker; and the library works with
# RLIMIT_MEMLOCK=0 (mlock refused). ROBUST_SHIM_PROVIDERS picks providers
# (default "legacy": tpm is pending, see STRESS_PENDING in module.mk).
set -euo pipefail
source "$SECPROV_SRC/tests/tools/tpm_sim.sh"
trap tpm_sim_stop EXIT
T=$SECPROV_TEST_TMP
H=$SECPROV_BUILD/tests/robust/hygiene
SHIM=$SECPROV_BUILD/tests/robust/free_shim.so
fails=0
check() { if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi; }
marker="S3CRET-MARKER-$RANDOM$RANDOM"
# ASan owns malloc/free and must come first in the preload list: the shim
# cannot run there (LeakSanitizer and check-asan cover that build).
if readelf -dW "$H" | grep -q "NEEDED.*libasan"; then echo "skip: ASan build"; exit 0; fi
tpm_sim_pty "$T/tpm"
for p in ${ROBUST_SHIM_PROVIDERS:-legacy}; do
  mkdir -p "$T/$p"; tpm_sim_config "$T/$p/c.conf" "$p"
  export SECPROV_CONFIG=$T/$p/c.conf
  FREE_SHIM_MARKER=$marker HYGIENE_NO_RSS=1 LD_PRELOAD=$SHIM "$H" 1 "$marker" >"$T/$p/out" 2>"$T/$p/err" && rc=0 || rc=$?
  check "$p: seal/unseal under the free shim succeeds" test $rc = 0
  check "$p: no freed memory held the secret" test "$(grep -c '^free_shim:' "$T/$p/err" || true)" = 0
  prlimit --memlock=0 "$H" 5 "$marker" >"$T/$p/ml" 2>&1 && rc=0 || rc=$?
  check "$p: works with RLIMIT_MEMLOCK=0" test $rc = 0
done
echo "$fails failure(s)"; [ "$fails" = 0 ]

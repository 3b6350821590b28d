#!/usr/bin/env bash
# Secrets in memory (issue 6, item 5): seal and unseal a secret made of a
# marker with free()/munmap() interposed by free_shim.so, which reports any
# freed memory still holding the marker; and the library works with
# RLIMIT_MEMLOCK=0 (mlock refused). ROBUST_SHIM_PROVIDERS picks providers
# (default both). For tpm also, both about ESAPI's copy of Create's input
# (providers/tpm/esys_seal.c): a process that only seals frees nothing that
# held the secret; and a seal whose TPM2_Create is never answered
# (wedge_shim.so stops swtpm as Create is sent) times out, and the handle's
# close frees nothing that held it. And the legacy scheme's buffer
# encrypt/decrypt (legacy_mem) writes the plaintext only to secret memory:
# none of it is zeroed or freed in plain heap memory (FREE_SHIM_ZEROED).
source "$SECPROV_SRC/tests/tools/test_lib.sh"
H=$SECPROV_BUILD/tests/robust/hygiene
SHIM=$SECPROV_BUILD/tests/robust/free_shim.so
WEDGE=$SECPROV_BUILD/tests/robust/wedge_shim.so
marker="S3CRET-MARKER-$RANDOM$RANDOM"
# ASan owns malloc/free and must come first in the preload list: the shim
# cannot run there (LeakSanitizer and check-asan cover that build).
if readelf -dW "$H" | grep -q "NEEDED.*libasan"; then echo "skip: ASan build"; exit 0; fi
mkdir -p "$T/lgmem"
printf 'provider = "legacy";\nlegacy = { state_dir = "%s/lgmem/state"; hardware = "x"; };\n' "$T" > "$T/lgmem/c.conf"
SECPROV_CONFIG=$T/lgmem/c.conf FREE_SHIM_MARKER=$marker FREE_SHIM_ZEROED=1 LD_PRELOAD=$SHIM \
  "$SECPROV_BUILD/tests/robust/legacy_mem" "$marker" 2>"$T/lgmem/err" && rc=0 || rc=$?
check "legacy encrypt/decrypt under the free shim succeeds" test $rc = 0
check "legacy encrypt/decrypt: no heap memory held the plaintext" \
  test "$(grep -c '^free_shim:' "$T/lgmem/err" || true)" = 0
tpm_sim_pty "$T/tpm"
for p in ${ROBUST_SHIM_PROVIDERS:-legacy tpm}; do
  mkdir -p "$T/$p"; tpm_sim_config "$T/$p/c.conf" "$p"
  export SECPROV_CONFIG=$T/$p/c.conf
  FREE_SHIM_MARKER=$marker HYGIENE_NO_RSS=1 LD_PRELOAD=$SHIM "$H" 1 "$marker" >"$T/$p/out" 2>"$T/$p/err" && rc=0 || rc=$?
  check "$p: seal/unseal under the free shim succeeds" test $rc = 0
  check "$p: no freed memory held the secret" test "$(grep -c '^free_shim:' "$T/$p/err" || true)" = 0
  prlimit --memlock=0 "$H" 5 "$marker" >"$T/$p/ml" 2>&1 && rc=0 || rc=$?
  check "$p: works with RLIMIT_MEMLOCK=0" test $rc = 0
  if [ "$p" = tpm ]; then
    printf %s "$marker" > "$T/tpm/secret"
    # A process that only seals (in one that also unseals, TPM2_Load's input
    # happens to overwrite ESAPI's copy of Create's input).
    FREE_SHIM_MARKER=$marker LD_PRELOAD=$SHIM "$SECPROV_BUILD/bin/secprov" seal only "$T/tpm/secret" \
      2>"$T/tpm/seal.err" && rc=0 || rc=$?
    check "tpm: a process that only seals succeeds" test $rc = 0
    check "tpm: a process that only seals: no freed memory held the secret" \
      test "$(grep -c '^free_shim:' "$T/tpm/seal.err" || true)" = 0
    t0=$(date +%s%N)
    WEDGE_SHIM_CC=0x153 WEDGE_SHIM_PID=$TPM_PID FREE_SHIM_MARKER=$marker LD_PRELOAD="$SHIM:$WEDGE" \
      "$SECPROV_BUILD/bin/secprov" seal wedged "$T/tpm/secret" 2>"$T/tpm/wedge.err" && rc=0 || rc=$?
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    kill -CONT "$TPM_PID"
    check "tpm: TPM2_Create never answered: the seal fails with a timeout ($ms ms)" \
      grep -q "did not answer within" "$T/tpm/wedge.err"
    check "tpm: TPM2_Create never answered: no freed memory held the secret" \
      test "$(grep -c '^free_shim:' "$T/tpm/wedge.err" || true)" = 0
  fi
done
check_done

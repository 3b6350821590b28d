#!/usr/bin/env bash
# The seal/unseal paths leak nothing under valgrind, on tpm (private swtpm
# behind a pseudo-terminal) and legacy: 32 bytes (direct) and 4 KiB (envelope).
# Skipped in the sanitizer build (ASan and valgrind do not mix; ASan's own
# leak checker covers that build).
source "$SECPROV_SRC/tests/tools/test_lib.sh"
if readelf -dW "$SECPROV_BUILD/bin/secprov" | grep -q "NEEDED.*libasan"; then
  echo "sanitizer build: LeakSanitizer checks leaks here"; exit 0
fi
tpm_sim_pty "$T/tpm"
vg=(valgrind -q --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99)
for p in tpm legacy; do
  mkdir -p "$T/$p"; tpm_sim_config "$T/$p/c.conf" "$p"
  # valgrind runs the process many times slower: the TPM's bounded waits
  # (tpm.*_timeout_ms) are widened, so only a leak fails this test.
  sed -i 's/^tpm = {/tpm = { call_timeout_ms = 60000; probe_timeout_ms = 30000;/' "$T/$p/c.conf"
  export SECPROV_CONFIG=$T/$p/c.conf
  for n in 32 4096; do
    head -c $n /dev/urandom > "$T/in"
    "${vg[@]}" "$SECPROV_BUILD/bin/secprov" seal "v$n" "$T/in"
    "${vg[@]}" "$SECPROV_BUILD/bin/secprov" unseal "v$n" > "$T/out"
    cmp "$T/in" "$T/out"
    echo "ok   $p: $n bytes sealed and unsealed under valgrind, no leak"
  done
done

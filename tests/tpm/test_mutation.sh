#!/usr/bin/env bash
# No file in the tpm provider's state folder can crash the host (issue 12,
# item 2): a bounded, seeded mutation of every kind of state file secprov or
# tpm2-tss reads (a sealed object's object.json, direct and envelope; the
# SRK's entry under keystore/system; both kinds of reference; fapi-config.json;
# the profile; the "provisioned" marker), each change followed by an unseal
# through the public API (tests/tpm/fault_driver) against a real swtpm. Every
# change gives INTEGRITY, FORMAT or KEYSTORE_MISMATCH, or the right value:
# never a signal, never garbage (tests/tpm/keystore_mutate.py). Under ASan
# too (make check-asan); natively only (ARM64_SKIP): a few thousand TPM
# round trips. Time budget: SECPROV_MUTATION_BUDGET_S (default 100 s).
source "$SECPROV_SRC/tests/tools/test_lib.sh"

tpm_sim_socket "$T/s"
tpm_sim_config "$T/c.conf" tpm
BIG=$(head -c 300 /dev/zero | tr '\0' 'v')
printf 'open\nseal dd value-direct\nseal ee %s\n' "$BIG" | SECPROV_CONFIG=$T/c.conf "$FD" > "$T/got"
check "secrets sealed" test "$(awk '{print $2}' "$T/got" | tr '\n' ' ')" = "OK OK OK "
rc=0
SECPROV_CONFIG=$T/c.conf TSS2_LOG=all+none /usr/bin/python3 "$SECPROV_SRC/tests/tpm/keystore_mutate.py" \
  "$FD" "$T/tpm-state" "${SECPROV_MUTATION_BUDGET_S:-100}" dd=value-direct "ee=$BIG" | tee "$T/report" || rc=$?
check "every mutation: an error status or the right value, never a signal or garbage" test "$rc" = 0
check_done

#!/usr/bin/env bash
# An attacker on the TPM bus (tests/tools/mitmtpm: a character device that
# relays to swtpm) answers TPM2_ReadPublic of the SRK with its own public key
# (a valid ECC P-256 key, made in the endorsement hierarchy of the same
# swtpm) but the genuine name, the one the keystore recorded. ESAPI 3.2.1 takes both
# without checking one against the other; secprov checks the key ESAPI would
# salt sessions to (providers/tpm/esys_seal.c). Each call must fail with
# SECPROV_ERR_KEYSTORE_MISMATCH before any session is started, and work again
# through an honest relay, the keystore untouched.
set -euo pipefail
source "$SECPROV_SRC/tests/tools/tpm_sim.sh"
source "$SECPROV_SRC/tests/tools/check.sh"
T=$SECPROV_TEST_TMP
FD=$SECPROV_BUILD/tests/tpm/fault_driver
RELAY_PID=
relay_stop() { [ -n "$RELAY_PID" ] && { kill "$RELAY_PID" 2>/dev/null || true; wait "$RELAY_PID" 2>/dev/null || true; }; RELAY_PID=; }
relay_start() {   # [env...]: the interposer, logging to $T/relay.log
  rm -f "$T/tpm0"; : > "$T/relay.log"
  env "$@" "$SECPROV_BUILD/tests/tools/mitmtpm" "$T/tpm0" "$T/s/sock" "$T/relay.log" & RELAY_PID=$!
  for _ in $(seq 1 100); do [ -e "$T/tpm0" ] && return 0; sleep 0.05; done
  echo "relay did not come up" >&2; return 1
}
trap 'relay_stop; tpm_sim_stop' EXIT
drive() {   # the driver's answers to stdin's lines, without the milliseconds
  SECPROV_CONFIG=$T/c.conf SECURITY_PROVIDER=tpm "$FD" 2>>"$T/err" | cut -d' ' -f1,2,4 | sed 's/ $//'
}

tpm_sim_socket "$T/s"
echo "tpm = { devices = [\"$T/tpm0\"]; tcti = \"device:$T/tpm0\"; state_dir = \"$T/state\"; };" > "$T/c.conf"

relay_start
got=$(printf 'open\nseal s value-s\nunseal s\n' | drive | tr '\n' ' ')
check "honest relay: seal and unseal through the device" test "$got" = "open OK seal OK unseal OK value-s "
relay_stop

# The attacker's key: another ECC primary, its TPM2B_PUBLIC in a file.
TSS2_LOG=all+none tpm2_createprimary -T "$TPM_TCTI" -C e -G ecc256 -c "$T/attacker.ctx" > /dev/null
TSS2_LOG=all+none tpm2_readpublic -T "$TPM_TCTI" -c "$T/attacker.ctx" -o "$T/attacker.pub" > /dev/null
TSS2_LOG=all+none tpm2_flushcontext -T "$TPM_TCTI" -t
relay_start MITM_LIE_SRK="$T/attacker.pub"
ls -lR "$T/state" > "$T/state.before"
got=$(printf 'open\nunseal s\nseal t value-t\n' | drive | tr '\n' ' ')
check "lying relay: unseal and seal fail with KEYSTORE_MISMATCH ($got)" \
  test "$got" = "open OK unseal KEYSTORE_MISMATCH seal KEYSTORE_MISMATCH "
check "lying relay: the lie was told" grep -qx lie "$T/relay.log"
check "lying relay: no session was started (no TPM2_StartAuthSession)" \
  test "$(grep -c '^cmd 00000176$' "$T/relay.log" || true)" = 0
check "lying relay: the log names the SRK" grep -q "the SRK in the TPM is not the keystore's" "$T/err"
ls -lR "$T/state" > "$T/state.after"
check "lying relay: the keystore is untouched" cmp -s "$T/state.before" "$T/state.after"
relay_stop

relay_start
got=$(printf 'open\nunseal s\n' | drive | tr '\n' ' ')
check "honest relay again: the secret unseals" test "$got" = "open OK unseal OK value-s "
relay_stop
check_done

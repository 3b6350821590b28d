#!/usr/bin/env bash
# An attacker on the TPM bus (tests/tools/mitmtpm: a character device that
# relays to swtpm) answers TPM2_ReadPublic of the SRK with its own public key
# (a valid ECC P-256 key, made in the endorsement hierarchy of the same
# swtpm) but the genuine name, the one the keystore recorded. ESAPI 3.2.1 takes both
# without checking one against the other; secprov checks the key ESAPI would
# salt sessions to (providers/tpm/esys_seal.c). Each call must fail with
# SECPROV_ERR_KEYSTORE_MISMATCH before any session is started, and work again
# through an honest relay, the keystore untouched.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
source "$SECPROV_SRC/tests/tools/relay.sh"
source "$SECPROV_SRC/tests/tools/driver.sh"
answers() { drive SECURITY_PROVIDER=tpm; tr '\n' ' ' < "$T/got"; }   # stdin's lines' answers, on one line

tpm_sim_socket "$T/s"
echo "tpm = { devices = [\"$T/tpm0\"]; tcti = \"device:$T/tpm0\"; state_dir = \"$T/state\"; };" > "$T/c.conf"

relay_start
got=$(printf 'open\nseal s value-s\nunseal s\n' | answers)
check "honest relay: seal and unseal through the device" test "$got" = "open OK seal OK unseal OK value-s "
relay_stop

# The attacker's key: another ECC primary, its TPM2B_PUBLIC in a file.
TSS2_LOG=all+none tpm2_createprimary -T "$TPM_TCTI" -C e -G ecc256 -c "$T/attacker.ctx" > /dev/null
TSS2_LOG=all+none tpm2_readpublic -T "$TPM_TCTI" -c "$T/attacker.ctx" -o "$T/attacker.pub" > /dev/null
TSS2_LOG=all+none tpm2_flushcontext -T "$TPM_TCTI" -t
relay_start MITM_LIE_SRK="$T/attacker.pub"
ls -lR "$T/state" > "$T/state.before"
got=$(printf 'open\nunseal s\nseal t value-t\n' | answers)
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
got=$(printf 'open\nunseal s\n' | answers)
check "honest relay again: the secret unseals" test "$got" = "open OK unseal OK value-s "
relay_stop
check_done

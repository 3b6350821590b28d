#!/usr/bin/env bash
# Selection against real swtpm instances, through the `secprov` command:
#  AC-1 device present and FAPI works -> tpm, logged (socket, and pty device)
#  AC-4 SECURITY_PROVIDER=legacy with a working TPM -> legacy
#  AC-5 device present but the TPM path fails (wrong TCTI, swtpm stopped,
#       module missing, libtss2 unloadable, a plain file as the device)
#       -> legacy with exactly one warning naming the reason; info says fallback: yes
#  explicit tpm failing -> SECPROV_ERR_UNAVAILABLE, non-zero exit, one error line
#  fallback = false -> error; unknown provider value -> error naming it
source "$SECPROV_SRC/tests/tools/test_lib.sh"
run() {  # run CONF [env...] -- ARGS: stdout to $T/out, stderr to $T/err, exit code to $rc
  local conf=$1; shift
  rc=0
  env SECPROV_CONFIG="$conf" "$@" >"$T/out" 2>"$T/err" || rc=$?
}
has() { grep -qxF -- "$1" "$T/out"; }
err_has() { grep -qF -- "$1" "$T/err"; }
lines() { wc -l < "$T/err" | tr -d ' '; }

# AC-1 (socket)
tpm_sim_socket "$T/s"
tpm_sim_config "$T/s/c.conf"
run "$T/s/c.conf" SECPROV_LOG_LEVEL=info "$B" info
check "AC-1 socket: exit 0" test "$rc" = 0
check "AC-1 socket: provider tpm" has "provider: tpm"
check "AC-1 socket: fallback no" has "fallback: no"
check "AC-1 socket: fapi_config printed" has "fapi_config: $T/s/tpm-state/fapi-config.json"
check "AC-1 socket: choice logged" err_has "secprov: info: provider tpm selected (auto: $T/s/devnode present)"

# AC-4
run "$T/s/c.conf" SECURITY_PROVIDER=legacy "$B" info
check "AC-4: legacy when asked, TPM working" has "provider: legacy"
check "AC-4: no warning" test "$(lines)" = 0

# Interop: tss2_unseal reads a secret sealed by secprov (<= 128 bytes)
printf 'interop-\x00\x01\xff-secret' > "$T/secret"
run "$T/s/c.conf" "$B" seal inter "$T/secret"
check "interop: seal" test "$rc" = 0
run "$T/s/c.conf" "$B" locate inter
path=$(sed -n 's/^fapi://p' "$T/out")
run "$T/s/c.conf" "$B" info
conf=$(sed -n 's/^fapi_config: //p' "$T/out")
# The object's auth value is derived from the secret's name (name binding,
# docs/tpm-objects.md): tss2_unseal asks for it on its terminal.
auth=$(printf 'secprov-name-auth-v1:%s' inter | sha256sum | cut -c1-32)
printf '%s\n' "$auth" | TSS2_LOG=all+none TSS2_FAPICONF=$conf \
  script -qec "tss2_unseal --path '$path' --data '$T/from-tools' --force" /dev/null >/dev/null
check "interop: tss2_unseal returns the bytes (given the name's auth value)" cmp "$T/secret" "$T/from-tools"
# Without a terminal: the blobs through FAPI, the unseal through ESAPI tools.
rm -f "$T/from-tools2"
TSS2_LOG=all+none TSS2_FAPICONF=$conf tss2_gettpmblobs --path "$path" \
  --tpm2bPublic "$T/inter.pub" --tpm2bPrivate "$T/inter.priv" --policy "$T/inter.pol" --force
TSS2_LOG=all+none tpm2_load -T "$TPM_TCTI" -C 0x81000001 -u "$T/inter.pub" -r "$T/inter.priv" \
  -c "$T/inter.ctx" >/dev/null
TSS2_LOG=all+none tpm2_unseal -T "$TPM_TCTI" -c "$T/inter.ctx" -p "$auth" -o "$T/from-tools2"
TSS2_LOG=all+none tpm2_flushcontext -T "$TPM_TCTI" -t
check "interop: tpm2_load + tpm2_unseal -p AUTH return the bytes" cmp "$T/secret" "$T/from-tools2"

# Interop the other way, and secrets sealed by earlier secprov versions (which
# sealed through Fapi_CreateSeal): an object FAPI made (tss2_createseal) under
# a reference written by hand unseals through secprov, byte for byte.
printf 'made-by-fapi-\x00\x7f-secret' > "$T/fapi-secret"
TSS2_LOG=all+none TSS2_FAPICONF=$conf tss2_createseal --path /HS/SRK/sp-byfapi-00000000000000a1 \
  --type noDa --data "$T/fapi-secret" --authValue ""
printf 'SPTR\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xa1' > "$T/s/tpm-state/secrets/byfapi.ref"
chmod 600 "$T/s/tpm-state/secrets/byfapi.ref"
run "$T/s/c.conf" "$B" unseal byfapi
cmp -s "$T/out" "$T/fapi-secret" && rc2=0 || rc2=1
check "interop: an object made by FAPI (tss2_createseal) unseals through secprov" test "$rc$rc2" = 00

# A keystore object whose private blob was altered: the TPM refuses to load
# it (TPM_RC_INTEGRITY) -> SECPROV_ERR_INTEGRITY, named in the log.
obj=$(find "$T/s/tpm-state/keystore/user" -path "*${path#/}/object.json")
cp "$obj" "$T/object.orig"
sed -E -i 's/("private":"[0-9a-f]*)[1-9a-f]"/\10"/; t; s/("private":"[0-9a-f]*)0"/\11"/' "$obj"
run "$T/s/c.conf" "$B" unseal inter
check "altered keystore object: exit 1, file changed" \
  test "$rc" = 1 -a -n "$(cmp "$obj" "$T/object.orig" 2>&1 || true)"
check "altered keystore object: integrity error" err_has "secprov: error: unseal 'inter': stored secret failed its integrity check"
cp "$T/object.orig" "$obj"
run "$T/s/c.conf" "$B" unseal inter
check "altered keystore object restored: unseals again" cmp -s "$T/out" "$T/secret"

# Tampered / truncated stored secret on tpm -> SECPROV_ERR_INTEGRITY (exit 1), nothing else changed
head -c 3000 /dev/urandom > "$T/big"
run "$T/s/c.conf" "$B" seal env "$T/big"
ref=$T/s/tpm-state/secrets/env.ref
cp "$ref" "$T/ref.orig"
printf '\x55' | dd of="$ref" bs=1 seek=2000 conv=notrunc status=none
run "$T/s/c.conf" "$B" unseal env
check "tampered envelope: exit 1" test "$rc" = 1
check "tampered envelope: integrity error" err_has "secprov: error: unseal 'env': stored secret failed its integrity check"
check "tampered envelope: no output" test ! -s "$T/out"
head -c 100 "$T/ref.orig" > "$ref"
run "$T/s/c.conf" "$B" unseal env
check "truncated envelope: integrity error" err_has "failed its integrity check"
cp "$T/ref.orig" "$ref"
run "$T/s/c.conf" "$B" unseal env
check "restored envelope unseals exactly" cmp "$T/out" "$T/big"
run "$T/s/c.conf" "$B" unseal inter
check "other secret untouched" cmp "$T/out" "$T/secret"

# AC-5: wrong TCTI
sed 's|tcti = "[^"]*"|tcti = "swtpm:path='"$T"'/nowhere"|' "$T/s/c.conf" > "$T/s/wrong.conf"
run "$T/s/wrong.conf" "$B" info
check "AC-5 wrong TCTI: exit 0" test "$rc" = 0
check "AC-5 wrong TCTI: legacy" has "provider: legacy"
check "AC-5 wrong TCTI: fallback yes" has "fallback: yes"
check "AC-5 wrong TCTI: reason" grep -q "^reason: cannot open TCTI 'swtpm:path=$T/nowhere'" "$T/out"
check "AC-5 wrong TCTI: one warning line" test "$(lines)" = 1
check "AC-5 wrong TCTI: warning names the reason" err_has "secprov: warning: TPM provider failed (cannot open TCTI"

# explicit tpm when the TPM fails
run "$T/s/wrong.conf" SECURITY_PROVIDER=tpm "$B" info
check "explicit tpm failing: exit 1" test "$rc" = 1
check "explicit tpm failing: one line" test "$(lines)" = 1
check "explicit tpm failing: error line" grep -q "^secprov: error: TPM provider asked for (SECURITY_PROVIDER) but failed: cannot open TCTI" "$T/err"

# fallback = false
{ echo "fallback = false;"; cat "$T/s/wrong.conf"; } > "$T/s/nofb.conf"
run "$T/s/nofb.conf" "$B" info
check "fallback=false: exit 1" test "$rc" = 1
check "fallback=false: says why" err_has "and fallback = false"

# unknown value
run "$T/s/c.conf" SECURITY_PROVIDER=TPM2 "$B" info
check "unknown SECURITY_PROVIDER: exit 1" test "$rc" = 1
check "unknown SECURITY_PROVIDER: names it" err_has "unknown provider 'TPM2' in SECURITY_PROVIDER"
run "$T/s/c.conf" SECURITY_PROVIDER=tpm2 "$B" info
check "SECURITY_PROVIDER naming no installed module: exit 1" test "$rc" = 1
check "... names it and the folder" err_has "provider 'tpm2' (SECURITY_PROVIDER) is not installed"

# AC-5: module missing (a provider folder with legacy.so only)
mkdir -p "$T/prov"; cp "$SECPROV_BUILD/lib/secprov/legacy.so" "$T/prov/"
run "$T/s/c.conf" SECPROV_PROVIDER_DIR="$T/prov" "$B" info
check "AC-5 module missing: legacy" has "provider: legacy"
check "AC-5 module missing: reason" grep -q "^reason: tpm provider not installed ($T/prov/tpm.so" "$T/out"
check "AC-5 module missing: one warning" test "$(lines)" = 1

# AC-5: libtss2 cannot be loaded (hidden by an empty file in a private mount namespace)
# (libtss2-esys: tpm.so links it; libtss2-fapi is dlopen()ed to provision only,
# tests/tpm/test_no_fapi.sh)
fapi_lib=$(ldd "$SECPROV_BUILD/lib/secprov/tpm.so" | awk '/libtss2-esys/ {print $3}')
if unshare -m true 2>/dev/null; then
  SECPROV_CONFIG=$T/s/c.conf unshare -m sh -c "mount --bind /dev/null '$fapi_lib' && exec '$B' info" \
    >"$T/out" 2>"$T/err" && rc=0 || rc=$?
  check "AC-5 libtss2 unloadable: legacy" has "provider: legacy"
  check "AC-5 libtss2 unloadable: reason names the library" grep -q "^reason: cannot load .*tpm.so: .*libtss2-esys" "$T/out"
  check "AC-5 libtss2 unloadable: one warning" test "$(lines)" = 1
elif [ "$(id -u)" != 0 ]; then
  echo "SKIP AC-5 libtss2 unloadable: a private mount namespace (unshare -m) needs root"
else
  fail "AC-5 libtss2 unloadable: cannot make a private mount namespace (unshare -m) here"
fi

# AC-5: a plain file where the device should be
touch "$T/plainfile"
printf 'tpm = { devices = ["%s"]; state_dir = "%s"; };\nlegacy = { state_dir = "%s"; };\n' \
  "$T/plainfile" "$T/pf-tpm" "$T/pf-legacy" > "$T/pf.conf"
run "$T/pf.conf" "$B" info
check "AC-5 plain file: legacy" has "provider: legacy"
check "AC-5 plain file: fallback yes" has "fallback: yes"
check "AC-5 plain file: one warning" test "$(lines)" = 1

# AC-5: swtpm stopped
tpm_sim_stop
run "$T/s/c.conf" "$B" info
check "AC-5 swtpm stopped: legacy" has "provider: legacy"
check "AC-5 swtpm stopped: fallback yes" has "fallback: yes"
check "AC-5 swtpm stopped: one warning" test "$(lines)" = 1

# AC-1 (pseudo-terminal character device, default device: TCTI)
tpm_sim_pty "$T/p"
check "pty device is a character device" test -c "$(readlink -f "$T/p/tpm0")"
printf 'tpm = { devices = ["%s"]; state_dir = "%s"; };\nlegacy = { state_dir = "%s"; };\n' \
  "$T/p/tpm0" "$T/p/tpm-state" "$T/p/legacy" > "$T/p/c.conf"
run "$T/p/c.conf" SECPROV_LOG_LEVEL=info "$B" info
check "AC-1 pty: provider tpm" has "provider: tpm"
check "AC-1 pty: default TCTI device:<node>" has "tcti: device:$T/p/tpm0"
check "AC-1 pty: choice logged" err_has "provider tpm selected (auto: $T/p/tpm0 present)"
# a TPM that accepts commands but never answers: auto falls back, in bounded time
tpm_sim_wedge
start=$(date +%s)
run "$T/p/c.conf" "$B" info
check "wedged TPM: falls back to legacy" has "provider: legacy"
check "wedged TPM: within 5 s" test $(( $(date +%s) - start )) -le 5
check "wedged TPM: reason names the device" grep -q "^reason: .*'device:$T/p/tpm0'" "$T/out"

check_done

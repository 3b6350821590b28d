#!/usr/bin/env bash
# The provider contract's config rules (docs/provider-sdk.md): the core owns
# the selection keys and every group's state_dir; each provider checks its
# own group when it is loaded (its keys, then its values), and a refused
# group is SECPROV_ERR_CONFIG naming file and line, never a fallback and
# never UNAVAILABLE. `secprov config check` checks every installed
# provider's group, also of providers no open would load. No TPM: a present
# device node is stood in for by /dev/null (the group is refused before any
# TPM command).
source "$SECPROV_SRC/tests/tools/test_lib.sh"
run() { rc=0; "$B" "$@" > "$T/out" 2> "$T/err" || rc=$?; }
conf() { printf '%b' "$2" > "$T/$1"; }
L="legacy = { state_dir = \"$T/legacy\"; hardware = \"CPU: test. GPU: none. Memory: 1. DriveSerial: x\"; };\n"

# 1. A clean config: every part ok.
conf ok.conf "tpm = { devices = [\"$T/none\"]; state_dir = \"$T/tpm\"; };\n$L"
run --config "$T/ok.conf" config check
check "config check, clean: exit 0 (got $rc: $(cat "$T/err"))" test $rc = 0
check "... the file ok" grep -qx "config: ok ($T/ok.conf)" "$T/out"
check "... legacy ok" grep -qx "legacy: ok" "$T/out"
check "... tpm ok" grep -qx "tpm: ok" "$T/out"
check "... nothing written (no state folder made)" test ! -e "$T/tpm" -a ! -e "$T/legacy"

# 2. A typo in the tpm group on a device without a TPM: the open never
# loads tpm.so (no libtss2 mapped), so it works; the check finds the typo.
conf typo.conf "tpm = { devices = [\"$T/none\"];\n  colour = \"red\"; };\n$L"
run --config "$T/typo.conf" list
check "no TPM device, tpm group not loaded: list works (got $rc: $(cat "$T/err"))" test $rc = 0
run --config "$T/typo.conf" config check
check "config check finds it: exit 1" test $rc = 1
check "... naming file, line and key" grep -qx "tpm: error: $T/typo.conf:2: unknown key 'tpm.colour'" "$T/out"
check "... and legacy ok" grep -qx "legacy: ok" "$T/out"

# 3. The same typo where tpm.so is loaded: CONFIG (exit 1), naming it;
# in auto never a fallback to legacy.
conf typo_dev.conf "tpm = { devices = [\"/dev/null\"];\n  colour = \"red\"; };\n$L"
for p in auto tpm; do
  run --config "$T/typo_dev.conf" --provider $p info
  check "provider $p, typo in the loaded tpm group: exit 1 (got $rc)" test $rc = 1
  check "... SECPROV_ERR_CONFIG naming file, line and key ($(cat "$T/err"))" \
    grep -q "refuses its configuration: $T/typo_dev.conf:2: unknown key 'tpm.colour'" "$T/err"
  check "... no fallback" test "$(grep -c "falling back" "$T/err" || true)" = 0
done

# 4. Values: the provider's own check (tpm_settings.c, legacy_provider.c).
conf val.conf "tpm = { devices = [\"/dev/null\"];\n  lock_timeout_ms = 700000; };\n$L"
run --config "$T/val.conf" --provider tpm info
check "tpm.lock_timeout_ms out of range: refused at open naming file and line" \
  grep -q "$T/val.conf:2: 'tpm.lock_timeout_ms' must be 0 to 600000" "$T/err"
run --config "$T/val.conf" config check
check "... and by config check" grep -qx "tpm: error: $T/val.conf:2: 'tpm.lock_timeout_ms' must be 0 to 600000" "$T/out"
conf pcrs.conf "tpm = { devices = [\"/dev/null\"]; };\nattest = { pcrs = \"sha256:99\"; };\n$L"
run --config "$T/pcrs.conf" --provider auto info
check "attest.pcrs refused by tpm.so: exit 1, not a fallback ($(cat "$T/err"))" \
  test $rc = 1 -a "$(grep -c "falling back" "$T/err" || true)" = 0
check "... naming file and line" grep -q "$T/pcrs.conf:2: attest.pcrs 'sha256:99'" "$T/err"
long=$(head -c 2000 /dev/zero | tr '\0' x)
conf hw.conf "legacy = { state_dir = \"$T/legacy\";\n  hardware = \"$long\"; };\n"
run --config "$T/hw.conf" --provider legacy info
check "legacy.hardware too long: refused naming file and line" \
  grep -q "$T/hw.conf:2: 'legacy.hardware' is 2000 bytes, more than the 1023 allowed" "$T/err"

# 5. The legacy scheme's API reads the same config by the same rules.
conf ltypo.conf "legacy = { state_dir = \"$T/legacy\";\n  hardwar = \"x\"; };\n"
run --config "$T/ltypo.conf" legacy fingerprint
check "secprov legacy: a typo in the legacy group refused (got $rc)" test $rc = 1
check "... naming file, line and key" grep -q "$T/ltypo.conf:2: unknown key 'legacy.hardwar'" "$T/err"

# 6. The core's keys: state_dir of any group, a group for no module.
conf rel.conf "legacy = { state_dir = \"var/x\"; };\n"
run --config "$T/rel.conf" config check
check "a relative state_dir: the config part fails" \
  grep -qx "config: error: $T/rel.conf:1: 'legacy.state_dir' must be an absolute path, not 'var/x'" "$T/out"
conf hsm.conf "hsm = { slot = 1; };\n$L"
run --config "$T/hsm.conf" config check
check "a group for no installed module: named with the folder" \
  grep -q "^hsm: error: $T/hsm.conf:1: unknown key 'hsm' (no provider module hsm.so in " "$T/out"
check "... exit 1" test $rc = 1

# 7. A module of the old ABI in the folder: reported, named, not loaded.
D=$T/mods; mkdir -p "$D"; chmod 755 "$D"
cp "$SECPROV_BUILD/lib/secprov/legacy.so" "$D/"
cp "$SECPROV_BUILD/tests/core/fake-providers/abiv1.so" "$D/"
rc=0; SECPROV_PROVIDER_DIR=$D "$B" --config "$T/ok.conf" config check > "$T/out" 2> "$T/err" || rc=$?
check "an ABI 1 module with no group: not checked, named, exit 0 (got $rc)" test $rc = 0
check "... tpm's group without tpm.so: not checked, named" \
  grep -qx "tpm: not checked (no tpm.so in $D)" "$T/out"
check "... 'has provider ABI 1, this library needs 2'" \
  grep -q "^abiv1: not checked (.*has provider ABI 1, this library needs 2: rebuild it" "$T/out"
printf 'abiv1 = { x = 1; };\n' >> "$T/ok.conf"
rc=0; SECPROV_PROVIDER_DIR=$D "$B" --config "$T/ok.conf" config check > "$T/out" 2> "$T/err" || rc=$?
check "... with a group of its own: an error, exit 1" test $rc = 1
check_done

# Helpers for the tests/arm64 shell tests (sourced, not run).
# SECPROV_BUILD is build-arm64: its programs are aarch64 ELF files that this
# x86-64 host runs through qemu-aarch64 (binfmt_misc, tests/arm64/binfmt.sh).

b=${SECPROV_BUILD:?}
t=${SECPROV_TEST_TMP:?}
sp="$b/bin/secprov"
unset SECURITY_PROVIDER SECPROV_PROVIDER_DIR SECPROV_LOG_LEVEL
export TSS2_LOG=all+none

fail() { echo "FAIL: $*" >&2; exit 1; }

# orin_conf HEAD DEVICES [TCTI]: $t/secprov.conf: HEAD's lines (provider and
# the like), the tpm group on DEVICES (a list's items) and TCTI, and legacy
# with an Orin's hardware string.
orin_conf() {
  {
    printf '%s\ntpm = {\n  devices = [%s];\n' "$1" "$2"
    [ -z "${3:-}" ] || printf '  tcti = "%s";\n' "$3"
    printf '  state_dir = "%s";\n};\nlegacy = {\n  state_dir = "%s";\n' "$t/tpm-state" "$t/legacy-state"
    printf '  hardware = "CPU: Cortex-A78AE. GPU: NVIDIA Orin. Memory: 7995312. DriveSerial: 0x12345678";\n};\n'
  } > "$t/secprov.conf"
}

# info_field KEY: the value of "KEY: value" in `secprov info`.
info_field() { "$sp" info | sed -n "s/^$1: //p"; }

# roundtrip NAME SIZE: seal SIZE random bytes as NAME, unseal, compare exactly.
roundtrip() {
  local name=$1 size=$2
  head -c "$size" /dev/urandom > "$t/$name.in"
  "$sp" seal "$name" "$t/$name.in" || fail "seal $name ($size bytes)"
  "$sp" unseal "$name" > "$t/$name.out" || fail "unseal $name ($size bytes)"
  cmp "$t/$name.in" "$t/$name.out" || fail "$name: unsealed bytes differ ($size bytes)"
  [ "$(stat -c %s "$t/$name.out")" -eq "$size" ] || fail "$name: unsealed size differs"
  # from stdin too
  "$sp" seal "$name-stdin" < "$t/$name.in" || fail "seal $name-stdin from stdin"
  "$sp" unseal "$name-stdin" | cmp - "$t/$name.in" || fail "$name-stdin: bytes differ"
  echo "ok: $name: $size bytes sealed and unsealed exactly"
}

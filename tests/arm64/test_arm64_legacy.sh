#!/usr/bin/env bash
# ARM64 under qemu with no TPM device: the arm64 `secprov` selects `legacy`
# (auto, no device: no fallback) and seals/unseals 32 bytes and 1 MiB
# exactly. The public legacy vectors: tests/arm64/test_arm64_vectors.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

orin_conf 'provider = "auto";' "\"$t/no-tpmrm0\", \"$t/no-tpm0\""
export SECPROV_CONFIG=$t/secprov.conf

[ "$(info_field provider)" = legacy ] || { "$sp" info >&2 || true; fail "no device: provider is not legacy"; }
[ "$(info_field fallback)" = no ] || fail "no device: fallback is not no"
LD_DEBUG=libs "$sp" info > /dev/null 2> "$t/ld.log" || fail "secprov info with LD_DEBUG failed"
if grep -q 'calling init: .*libtss2' "$t/ld.log"; then fail "libtss2 loaded with no TPM device"; fi
grep -q 'calling init: .*/lib/secprov/legacy.so$' "$t/ld.log" || fail "legacy.so not loaded"
grep -q 'calling init: /lib/aarch64-linux-gnu/libc.so.6$' "$t/ld.log" || fail "arm64 libc not loaded"
echo "ok: provider legacy, no libtss2 loaded"

roundtrip leg32 32
roundtrip leg1m 1048576
[ "$(stat -c %a "$t/legacy-state")" = 700 ] || fail "legacy state_dir mode is not 0700"
echo "arm64 legacy checks passed"

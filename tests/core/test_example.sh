#!/usr/bin/env bash
# The README's example runs and prints what the README says (legacy, no device).
source "$SECPROV_SRC/tests/tools/test_lib.sh"
printf 'tpm = { devices = ["%s/none"]; };\nlegacy = { state_dir = "%s/legacy"; };\n' "$T" "$T" > "$T/c.conf"
out=$(SECPROV_CONFIG=$T/c.conf "$SECPROV_BUILD/examples/seal_unseal")
expected=$'provider: legacy\nunsealed 14 bytes: match'
[ "$out" = "$expected" ] || { echo "got: $out"; exit 1; }
echo "ok   example prints: $out"

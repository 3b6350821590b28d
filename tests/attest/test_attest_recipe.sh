#!/usr/bin/env bash
# The AK-EK binding recipe of docs/attestation.md, run literally: the two
# shell blocks after "On the verifier (offline, no TPM):" and "On the device
# (" are extracted from the doc and run as written (bash -e), the device's
# against a pty swtpm (a character device, no resource manager) with
# TPM2TOOLS_TCTI and AK_DIR set as the doc says. The answer must equal the
# challenge; the same recipe with a credential for another name must fail.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
SP=$SECPROV_BUILD/bin/secprov
PY=/usr/bin/python3
export TSS2_LOG=all+none

block() {   # MARKER: the indented block after the paragraph starting with MARKER
  $PY - "$SECPROV_SRC/docs/attestation.md" "$1" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
i = next(k for k, l in enumerate(lines) if l.startswith(sys.argv[2]))
while not lines[i].startswith("    "):
    i += 1
while i < len(lines) and lines[i].startswith("    "):
    print(lines[i][4:]); i += 1
PY
}

tpm_sim_pty "$T/a"
tpm_sim_config "$T/a.conf" tpm
sed -i "s|$T/tpm-state|$T/a-state|" "$T/a.conf"
"$SP" --config "$T/a.conf" attest enroll > "$T/device-enrollment.json"
block "On the verifier (offline, no TPM):" > "$T/verifier.sh"
block "On the device (" > "$T/device.sh"
grep -q tpm2_makecredential "$T/verifier.sh" && grep -q tpm2_activatecredential "$T/device.sh" &&
  ok "the two blocks extracted from docs/attestation.md" || fail "extracting the recipe"

mkdir -p "$T/v" "$T/d"
cp "$T/device-enrollment.json" "$T/v/"
(cd "$T/v" && bash -e "$T/verifier.sh") && ok "verifier block runs" || fail "verifier block"
cp "$T/v/credential" "$T/d/"
if (cd "$T/d" && TPM2TOOLS_TCTI=$TPM_TCTI AK_DIR=$T/a-state/attest bash -e "$T/device.sh") >"$T/d.log" 2>&1 &&
   cmp -s "$T/d/answer" "$T/v/challenge"; then
  ok "device block runs on a TPM without a resource manager: answer = challenge"
else fail "device block: $(tail -5 "$T/d.log")"; fi

# The same, the credential made for another key's name: refused.
sed -i 's/-n "$(jq -r .ak.name device-enrollment.json)"/-n "000b$(printf "%064x" 5)"/' "$T/verifier.sh"
mkdir -p "$T/v2" "$T/d2"
cp "$T/device-enrollment.json" "$T/v2/"
(cd "$T/v2" && bash -e "$T/verifier.sh") && cp "$T/v2/credential" "$T/d2/"
if (cd "$T/d2" && TPM2TOOLS_TCTI=$TPM_TCTI AK_DIR=$T/a-state/attest bash -e "$T/device.sh") >/dev/null 2>&1; then
  fail "a credential for another name was activated"
else ok "a credential for another key's name is not activated"; fi
check_done

#!/usr/bin/env bash
# make demo: secprov against a private software TPM (swtpm behind a
# pseudo-terminal, so it is a real character device, as /dev/tpmrm0 is on a
# device). Touches nothing outside a temporary folder; exits 0 only when
# every step did what it says.
#   scripts/demo.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
B=$build/bin/secprov
work=$(mktemp -d /tmp/secprov-demo.XXXXXX)
export SECPROV_BUILD=$build
source "$src/tests/tools/tpm_sim.sh"
cleanup() { tpm_sim_stop; rm -rf "$work"; }
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "1. Start a private swtpm behind a pseudo-terminal"
tpm_sim_pty "$work/tpm"
echo "TPM device: $TPM_DEV -> $(readlink "$TPM_DEV")"
cat > "$work/secprov.conf" <<CONF
tpm = { devices = ["$TPM_DEV"]; state_dir = "$work/state/tpm"; };
legacy = { state_dir = "$work/state/legacy"; };
CONF
export SECPROV_CONFIG=$work/secprov.conf
echo "config: $SECPROV_CONFIG"; sed 's/^/    /' "$SECPROV_CONFIG"

step "2. secprov info: the device is there and answers, so auto picks tpm"
show "$B" --log-level info info | tee "$work/info"
grep -qx 'provider: tpm' "$work/info"

step "3. Seal, list, unseal, replace, delete a small secret"
printf 'db-password-%s' "$RANDOM" > "$work/secret"
show "$B" seal db-password "$work/secret"
show "$B" list
show "$B" locate db-password
printf '$ %s unseal db-password\n' "$B"
"$B" unseal db-password > "$work/back"; cat "$work/back"; echo
cmp "$work/secret" "$work/back"
echo "-> the same bytes came back"
printf 'rotated' | "$B" seal db-password
[ "$("$B" unseal db-password)" = rotated ] && echo "-> replaced atomically: now 'rotated'"

step "4. A 1 MiB secret (envelope: TPM-sealed data key + AES-256-GCM)"
head -c 1048576 /dev/urandom > "$work/big"
start=$(date +%s%N)
"$B" seal model-key "$work/big"
"$B" unseal model-key > "$work/big.back"
echo "round-trip: $(( ($(date +%s%N) - start) / 1000000 )) ms (two processes)"
cmp "$work/big" "$work/big.back" && echo "-> 1 MiB came back exactly"
show "$B" delete model-key

step "5. Interop: tpm2-tools reads the secret (FAPI blobs, ESAPI unseal with the name's auth value)"
# docs/tpm-objects.md "Reading a secret with tpm2-tools": no terminal, no prompt.
if command -v tss2_gettpmblobs >/dev/null && command -v tpm2_unseal >/dev/null; then
  conf=$(sed -n 's/^fapi_config: //p' "$work/info")
  path=$("$B" locate db-password | sed 's/^fapi://')
  auth=$(printf 'secprov-name-auth-v1:%s' db-password | sha256sum | cut -c1-32)
  echo "auth value of 'db-password': $auth"
  export TSS2_LOG=all+none
  show env TSS2_FAPICONF="$conf" tss2_gettpmblobs --path "$path" --tpm2bPublic "$work/obj.pub" \
    --tpm2bPrivate "$work/obj.priv" --policy "$work/obj.pol" --force </dev/null
  show tpm2_load -T "$TPM_TCTI" -C 0x81000001 -u "$work/obj.pub" -r "$work/obj.priv" \
    -c "$work/obj.ctx" </dev/null
  show tpm2_unseal -T "$TPM_TCTI" -c "$work/obj.ctx" -p "$auth" -o "$work/tools" </dev/null
  tpm2_flushcontext -T "$TPM_TCTI" -t </dev/null
  unset TSS2_LOG
  [ "$(cat "$work/tools")" = rotated ] || { echo "tpm2_unseal returned other bytes" >&2; exit 1; }
  echo "-> tpm2_unseal returned 'rotated'"
else
  echo "(tpm2-tools not installed: skipped)"
fi

step "6. The TPM stops answering: auto falls back to legacy with one warning"
tpm_sim_wedge
show "$B" info 2>&1 | tee "$work/info2"
grep -qx 'fallback: yes' "$work/info2"
step "7. Asked for tpm explicitly, the same failure is an error, never a downgrade"
rc=0; SECURITY_PROVIDER=tpm "$B" info || rc=$?
[ "$rc" -ne 0 ] || { echo "unexpected success"; exit 1; }
echo "-> exit status $rc, as expected"

step "Demo finished: every step did what it says."

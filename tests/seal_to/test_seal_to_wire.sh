#!/usr/bin/env bash
# Seal-to on the wire (docs/seal-to.md): what a sniffer on the TPM bus sees
# while a device imports and unwraps blobs, and exactly which TPM commands
# each whole process sends. swtpm behind the pseudo-terminal device (no
# resource manager between secprov and it) logs every command and response
# (PTYTPM_SWTPM_LOG), so its log is exactly what secprov sends.
#   - the bus: a direct secret imported, unsealed and unwrapped, and an
#     envelope's data key, appear in no command and no response; Import,
#     Load, Unseal and Create run in a session (tag 0x8002) salted to the
#     SRK. The control: tpm2-tools' import, load and unseal of the same
#     blobs (no parameter encryption) put both on the bus, found in the same
#     log, so the search can fail.
#   - the counts, each mode of tpm.resource_manager: a whole `secprov
#     import` and `secprov unwrap` (1 StartAuthSession, 1 Import, 0
#     CreatePrimary), and the first `secprov unseal` after an import sends
#     exactly what the unseal of a locally sealed name sends.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
PY=/usr/bin/python3
export TSS2_LOG=all+none
LOG=$T/swtpm.log
hex() { od -An -tx1 | tr -d ' \n' | tr a-f A-F; }
messages() {   # one line per message: "Read <hex>" (a command) or "Write <hex>" (a response)
  awk '/SWTPM_IO_(Read|Write)/ { if (m != "") print m; split($1, a, "_"); m = substr(a[3], 1, length(a[3]) - 1) " "; next }
       /^ ([0-9A-F][0-9A-F] )+$/ { gsub(/ /, ""); m = m $0 }
       END { if (m != "") print m }' "$LOG"
}
source "$SECPROV_SRC/tests/tools/tpm_counts.sh"   # name_of, settle, since, process
auth_of() { printf 'secprov-name-auth-v1:%s' "$1" | sha256sum | cut -c1-32; }

PTYTPM_SWTPM_LOG=$LOG tpm_sim_pty "$T/tpm"
tpm_sim_config "$T/c.conf" tpm
export SECPROV_CONFIG=$T/c.conf
"$B" attest enroll > "$T/enroll.json"
server() { env -u SECPROV_CONFIG "$B" --config /dev/null seal-to --enrollment "$T/enroll.json" "$@"; }

# ---- the bus --------------------------------------------------------------
marker="WIRE-SEAL-TO-$RANDOM$RANDOM-$RANDOM$RANDOM"
printf %s "$marker" > "$T/direct"
{ printf %s "$marker"; head -c 300 /dev/zero | tr '\0' x; } > "$T/envelope"
server wd "$T/direct" > "$T/d.blob"
server we "$T/envelope" > "$T/e.blob"
settle; start=$(stat -c %s "$LOG")
"$B" import wd "$T/d.blob"; "$B" unseal wd > "$T/d.out"; "$B" unwrap "$T/d.blob" > "$T/d.unwrap"
"$B" import we "$T/e.blob"; "$B" unseal we > "$T/e.out"; "$B" unwrap "$T/e.blob" > "$T/e.unwrap"
check "import, unseal and unwrap give both secrets" \
  cmp -s <(cat "$T/direct" "$T/direct" "$T/envelope" "$T/envelope") <(cat "$T/d.out" "$T/d.unwrap" "$T/e.out" "$T/e.unwrap")
settle; messages > "$T/m1"
want=$(hex < "$T/direct")
check "the log holds the exchanges ($(wc -l < "$T/m1") messages)" test "$(wc -l < "$T/m1")" -gt 40
check "the direct secret's bytes are in no command and no response" \
  test "$(grep -c "$want" "$T/m1" || true)" = 0
# Commands: 80 02 = with sessions; the code at bytes 6..9.
for cc in 00000156:TPM2_Import 00000157:TPM2_Load 0000015E:TPM2_Unseal 00000153:TPM2_Create; do
  n=$(grep -c "^Read 8002........${cc%%:*}" "$T/m1" || true)
  bare=$(grep -c "^Read 8001........${cc%%:*}" "$T/m1" || true)
  check "${cc#*:}: sent $n times, each in a session (without: $bare)" test "$n" -ge 2 -a "$bare" = 0
done
check "the sessions are salted with the SRK 0x81000001" \
  test "$(grep -c '^Read 8001........0000017681000001' "$T/m1" || true)" -ge 4
# The control: tpm2-tools, no parameter encryption, puts what it unseals on
# the bus: the direct secret and the envelope's data key.
if command -v tpm2_import >/dev/null; then
  export TPM2TOOLS_TCTI=$TPM_TCTI
  for b in d:wd e:we; do
    x=$T/x${b%%:*}; mkdir -p "$x"
    $PY "$SECPROV_SRC/tests/seal_to/split_blob.py" "$T/${b%%:*}.blob" "$x"
    tpm2_import -C 0x81000001 -u "$x/pub" -i "$x/dup" -s "$x/seed" -r "$x/priv" >/dev/null &&
      tpm2_load -C 0x81000001 -u "$x/pub" -r "$x/priv" -c "$x/ctx" >/dev/null &&
      tpm2_unseal -c "$x/ctx" -p "$(auth_of "${b#*:}")" -o "$x/out"
    tpm2_flushcontext -t >/dev/null 2>&1 || true
  done
  unset TPM2TOOLS_TCTI
  settle; messages > "$T/m2"
  check "control: tpm2-tools unsealed the direct secret" cmp -s "$T/xd/out" "$T/direct"
  check "control: the direct secret is found in the log after tpm2_unseal" \
    test "$(grep -c "$want" "$T/m2" || true)" -ge 1
  key=$(hex < "$T/xe/out")
  check "the envelope's data key (32 bytes) is in no message of secprov's import, unseal, unwrap" \
    test "${#key}" = 64 -a "$(grep -c "$key" "$T/m1" || true)" = 0
  check "control: the data key is found in the log after tpm2_unseal" \
    test "$(grep -c "$key" "$T/m2" || true)" -ge 1
else
  echo "SKIP tpm2-tools not installed: no control on the bus (the search is unproven)"
fi

# ---- the counts ---------------------------------------------------------------
for rm in no yes; do
  tpm_sim_config "$T/$rm.conf" tpm
  sed -i "s|tcti = |resource_manager = \"$rm\"; tcti = |; s|$T/tpm-state|$T/$rm-state|" "$T/$rm.conf"
  export SECPROV_CONFIG=$T/$rm.conf
  printf local | "$B" seal local                     # provisioning, outside the counts
  server "c$rm" "$T/direct" > "$T/c$rm.blob"
  # (no resource manager: the probe and the ESAPI context share the device
  # held for the call, one GetRandom; tests/tpm/test_commands.sh)
  if [ $rm = no ]; then save=", ContextSave x1" imp_ctx="ContextLoad x1, ContextSave x2, " gr=1
  else save="" imp_ctx="" gr=2; fi
  # open (GetRandom, ReadPublic of the SRK); Import, Load, Unseal and the
  # flush of the imported object in the session; Create of the local object.
  process "rm=$rm: whole process: secprov import" \
    "${imp_ctx}Create x1, FlushContext x2, GetRandom x$gr, Import x1, Load x1, ReadPublic x1, StartAuthSession x1, Unseal x1" \
    "$B" import "c$rm" "$T/c$rm.blob"
  process "rm=$rm: whole process: secprov unwrap (no Create: nothing stored)" \
    "FlushContext x2, GetRandom x$gr, Import x1, Load x1, ReadPublic x1, StartAuthSession x1, Unseal x1${save}" \
    "$B" unwrap "$T/c$rm.blob"
  local_unseal="FlushContext x2, GetRandom x$gr, Load x1, ReadPublic x1, StartAuthSession x1, Unseal x1${save}"
  process "rm=$rm: whole process: secprov unseal of a local secret" "$local_unseal" "$B" unseal local
  process "rm=$rm: whole process: the first secprov unseal after the import (the same)" "$local_unseal" "$B" unseal "c$rm"
done
check_done

#!/usr/bin/env bash
# On the wire: what a sniffer on the TPM bus sees. swtpm behind the
# pseudo-terminal device logs every command and response it exchanges
# (PTYTPM_SWTPM_LOG); a secret sealed directly and unsealed again must not
# appear in any of them, and the commands that carry it (TPM2_Create,
# TPM2_Load, TPM2_Unseal) must run in an authorisation session (tag 0x8002)
# whose salt goes to the SRK (tpm.salt_key ecc) or to the loaded RSA salt
# key (rsa; issue 24): both are run. The control: TPM2_Hash of the same bytes (sent
# in clear by tpm2_hash) is found in the same log, so the search can fail.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
hex() { od -An -tx1 | tr -d ' \n' | tr a-f A-F; }
# One line per message: "Read <hex>" (a command) or "Write <hex>" (a response).
# messages [OFFSET]: those logged after OFFSET bytes of the log.
messages() {
  tail -c +"$((${1:-0} + 1))" "$T/swtpm.log" |
  awk '/SWTPM_IO_(Read|Write)/ { if (m != "") print m; split($1, a, "_"); m = substr(a[3], 1, length(a[3]) - 1) " "; next }
       /^ ([0-9A-F][0-9A-F] )+$/ { gsub(/ /, ""); m = m $0 }
       END { if (m != "") print m }'
}
settle() {   # until swtpm's log stops growing (it is written as it answers)
  local a b; b=$(stat -c %s "$T/swtpm.log")
  while :; do sleep 0.05; a=$b; b=$(stat -c %s "$T/swtpm.log"); [ "$a" = "$b" ] && break; done
}

wire() {   # SALT: tpm.salt_key (issue 24): ecc salts to the SRK, rsa to the RSA
           # salt key, loaded (a transient handle 0x80......) for each salt
  local salt=$1
  rm -f "$T/swtpm.log"; mkdir -p "$T/$salt"
  PTYTPM_SWTPM_LOG=$T/swtpm.log tpm_sim_pty "$T/tpm-$salt"
  tpm_sim_config "$T/$salt/c.conf" tpm
  sed -i "s|tcti = |salt_key = \"$salt\"; tcti = |" "$T/$salt/c.conf"
  export SECPROV_CONFIG=$T/$salt/c.conf
  # Provisioning first (FAPI's own sessions: tpm2-tss 4 salts one to the
  # transient primary before it persists the SRK), outside the session count.
  printf provisioned | "$B" seal provisioning
  settle; after_provisioning=$(stat -c %s "$T/swtpm.log")
  marker="WIRE-SECRET-$RANDOM$RANDOM-$RANDOM$RANDOM"
  printf %s "$marker" > "$T/secret"
  "$B" seal wire "$T/secret"
  "$B" unseal wire > "$T/back"
  "$B" seal wire "$T/secret"            # over the same name: a second Create
  "$B" unseal wire >> "$T/back"
  check "$salt: the secret round-trips (twice)" test "$(cat "$T/back")" = "$marker$marker"
  want=$(hex < "$T/secret")
  messages > "$T/messages"
  check "$salt: the log holds the exchanges ($(wc -l < "$T/messages") messages)" test "$(wc -l < "$T/messages")" -gt 20
  check "$salt: the secret's bytes are in no command and no response" \
    test "$(grep -c "$want" "$T/messages" || true)" = 0
  # Commands: 80 02 = with sessions; code at bytes 6..9.
  for cc in 00000153:TPM2_Create 00000157:TPM2_Load 0000015E:TPM2_Unseal; do
    n=$(grep -c "^Read 8002........${cc%%:*}" "$T/messages" || true)
    bare=$(grep -c "^Read 8001........${cc%%:*}" "$T/messages" || true)
    check "$salt: ${cc#*:}: sent $n times, each in a session (without: $bare)" test "$n" -ge 2 -a "$bare" = 0
  done
  # StartAuthSession (0x176) carries an encrypted salt: its tpmKey (bytes 10..13);
  # secprov's sessions, after provisioning.
  messages "$after_provisioning" > "$T/steady"
  srk=$(grep -c '^Read 8001........0000017681000001' "$T/steady" || true)
  transient=$(grep -c '^Read 8001........0000017680' "$T/steady" || true)
  if [ "$salt" = ecc ]; then
    check "ecc: the sessions are salted with the SRK 0x81000001 ($srk; to a loaded key: $transient)" \
      test "$srk" -ge 4 -a "$transient" = 0
  else
    check "rsa: the sessions are salted to a loaded key 0x80...... ($transient; to the SRK: $srk)" \
      test "$transient" -ge 4 -a "$srk" = 0
  fi
  TSS2_LOG=all+none tpm2_hash -T "$TPM_TCTI" -g sha256 "$T/secret" > /dev/null
  messages > "$T/messages"
  check "$salt: control: TPM2_Hash of the same bytes is found in the log" \
    test "$(grep -c "$want" "$T/messages" || true)" -ge 1
  tpm_sim_stop
}
wire ecc
wire rsa
check_done

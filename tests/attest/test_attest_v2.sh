#!/usr/bin/env bash
# Reports version 2 (issue 23 item 3), against a real swtpm:
#   - no member is unsigned: time, provider, issued_at, expires_at, an added
#     member, each changed: refused (qualifying_data); before, time and
#     provider changed freely;
#   - expiry: attest.lifetime_s; a report past expires_at beyond the skew is
#     `expired`, one issued ahead beyond the skew `not_yet_valid`, within
#     --max-skew it passes; a bad lifetime_s is a config error;
#   - --since: two reports of one boot pass; after a TPM reset `rebooted`;
#     a --since report of another AK is refused as an argument;
#   - --json: the breakdown, pass/fail/not_checked per group, going on
#     after the first failure;
#   - expected PCRs: every drifted PCR is named;
#   - a version 1 report is refused, saying to update the device.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
SP=$SECPROV_BUILD/bin/secprov
PY=/usr/bin/python3
export TSS2_LOG=all+none

mutate() {   # IN OUT PYTHON-STATEMENTS (on dict r)
  $PY -c "import json,sys; r=json.load(open(sys.argv[1])); exec(sys.argv[3]); json.dump(r, open(sys.argv[2], 'w'))" "$@"
}
expect() {   # DESC WANT DETAIL-SUBSTRING REPORT [verify options...]
  local got; got=$("$SP" verify "$4" --nonce "$N1" --enrollment "$T/enroll.json" "${@:5}" 2>"$T/verify.err" | head -n 1 || true)
  if [ "$got" = "$2" ] && { [ -z "$3" ] || grep -qF -- "$3" "$T/verify.err"; }; then ok "$1"
  else fail "$1: got '$got' ($(cat "$T/verify.err")), want '$2' and '$3'"; fi
}
field() { $PY -c "import json,sys; print(json.load(open(sys.argv[1]))$2)" "$1"; }

tpm_sim_socket "$T/a"
TCTI_A=$TPM_TCTI
tpm_sim_config "$T/a.conf" tpm
sed -i "s|$T/tpm-state|$T/a-state|; s|$T/legacy-state|$T/a-legacy|" "$T/a.conf"
echo 'attest = { pcrs = "sha256:0,7"; lifetime_s = 120; };' >> "$T/a.conf"
A="$SP --config $T/a.conf"
N1=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
$A attest enroll > "$T/enroll.json"
$A attest --nonce "$N1" > "$T/rep.json"
expect "a genuine v2 report verifies" "ok" "" "$T/rep.json"
[ "$(field "$T/rep.json" "['version']")" = 2 ] && [ "$(field "$T/enroll.json" "['version']")" = 2 ] &&
  ok "report and enrollment are version 2" || fail "versions"
ISS=$(field "$T/rep.json" "['issued_at']"); EXP=$(field "$T/rep.json" "['expires_at']")
[ $((EXP - ISS)) = 120 ] && ok "attest.lifetime_s = 120: expires_at = issued_at + 120" || fail "lifetime: $ISS $EXP"

# ---- every member signed -------------------------------------------------
for m in "r['time']='2001-01-01T00:00:00Z'" "r['provider']='legacy'" "r['issued_at']+=1" \
         "r['expires_at']+=3600" "r['extra']='x'" "r['device']['serial']='other'"; do
  mutate "$T/rep.json" "$T/m.json" "$m"
  expect "changed ($m): refused" "refused: qualifying_data" "its qualifying data is not the digest" "$T/m.json"
done

# ---- expiry and skew ------------------------------------------------------
expect "past expires_at beyond the skew: expired" "refused: expired" "expired at $EXP" \
  "$T/rep.json" --now $((EXP + 61))
expect "past expires_at within the default skew (60 s): ok" "ok" "" "$T/rep.json" --now $((EXP + 60))
expect "past expires_at within --max-skew 300: ok" "ok" "" "$T/rep.json" --now $((EXP + 200)) --max-skew 300
expect "issued 61 s ahead of now: not_yet_valid" "refused: not_yet_valid" "ahead of now" \
  "$T/rep.json" --now $((ISS - 61))
rc=0; "$SP" verify "$T/rep.json" --nonce "$N1" --enrollment "$T/enroll.json" --max-skew -1 >/dev/null 2>&1 || rc=$?
[ $rc = 2 ] && ok "--max-skew -1: usage error" || fail "--max-skew -1 accepted"
sed 's/lifetime_s = 120/lifetime_s = 0/' "$T/a.conf" > "$T/bad.conf"
if "$SP" --config "$T/bad.conf" attest --nonce "$N1" >/dev/null 2>"$T/err"; then fail "lifetime_s = 0 accepted"
elif grep -q "attest.lifetime_s' must be 1 to 86400" "$T/err"; then ok "lifetime_s = 0: config error naming it"
else fail "lifetime_s = 0: $(cat "$T/err")"; fi

# ---- --json breakdown -----------------------------------------------------
"$SP" verify "$T/rep.json" --nonce "$N1" --enrollment "$T/enroll.json" --json > "$T/b.json"
$PY - "$T/b.json" <<'PY' && ok "--json: ok, each group pass or not_checked" || fail "--json genuine: $(cat "$T/b.json")"
import json, sys
b = json.load(open(sys.argv[1]))
assert b["result"] == "ok", b
c = b["checks"]
assert c["signature"] == c["ak_binding"] == c["nonce"] == c["freshness"] == "pass", c
assert c["pcr_drift"] == "not_checked" and c["activation"] == "not_checked", c
PY
N2=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
"$SP" verify "$T/rep.json" --nonce "$N2" --enrollment "$T/enroll.json" --json --now $((EXP + 999)) \
  > "$T/b.json" 2>/dev/null || true
$PY - "$T/b.json" <<'PY' && ok "--json: another nonce and expired: both failed, the first is the result" || fail "--json refused: $(cat "$T/b.json")"
import json, sys
b = json.load(open(sys.argv[1]))
assert b["result"] == "nonce" and "nonce" in b["detail"], b
c = b["checks"]
assert c["nonce"] == "fail" and c["freshness"] == "fail" and c["signature"] == "pass", c
PY

# ---- every drifted PCR named ----------------------------------------------
printf '{"sha256": {"0": "%064x", "7": "%064x", "9": "%064x"}}' 1 2 3 > "$T/pcrs.json"
expect "expected PCRs: each drifted and unquoted one named" "refused: pcr_values" \
  "differ from their expected values: sha256:0, sha256:7; expected but not quoted: sha256:9" \
  "$T/rep.json" --pcrs "$T/pcrs.json"

# ---- v1 report -------------------------------------------------------------
mutate "$T/rep.json" "$T/m.json" "r['version']=1"
expect "a version 1 report: refused, saying why" "refused: malformed_report" "update the device" "$T/m.json"

# ---- --since: the TPM's reset and restart counts ----------------------------
$A attest --nonce "$N1" > "$T/rep2.json"
expect "--since a report of the same boot: ok" "ok" "" "$T/rep2.json" --since "$T/rep.json"
tpm2_shutdown -T "$TCTI_A" -c
swtpm_ioctl --unix "$T/a/sock.ctrl" -i
tpm2_startup -T "$TCTI_A" -c
$A attest --nonce "$N1" > "$T/rep3.json"
expect "after a TPM reset: the report itself verifies" "ok" "" "$T/rep3.json"
expect "after a TPM reset, --since the earlier report: rebooted" "refused: rebooted" "reset or restarted" \
  "$T/rep3.json" --since "$T/rep.json"
mutate "$T/rep.json" "$T/m.json" "r['ak_name']='000b'+'00'*32"
expect "--since a report of another AK: refused as an argument" "refused: bad_argument" "same AK" \
  "$T/rep2.json" --since "$T/m.json"
check_done

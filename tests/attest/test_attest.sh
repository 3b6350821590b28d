#!/usr/bin/env bash
# Attestation end to end against a real swtpm, through the `secprov` command
# (secprov_attest, secprov_attest_enroll, secprov_verify_report):
#   - the AK is made once and kept (enroll twice, many quotes, a seal/delete
#     with the orphan sweep: the same key, files untouched);
#   - a genuine report verifies, also with its expected PCR values;
#   - each forgery is refused with the right reason: another nonce, a report
#     that claims the other nonce, another device's enrollment, altered PCR
#     values, altered fields (device, clock, zero_pcrs), a swapped
#     signature, an unrestricted key as the AK (pinned in the enrollment,
#     and planted in the device's state folder), expected values that differ;
#   - tpm2_checkquote (tpm2-tools) accepts the quote with the qualifying
#     data recomputed here from the documented encoding, and refuses it with
#     other PCR values;
#   - ML-DSA-65 (OpenSSL >= 3.5 builds): stripped, swapped or altered
#     second signature refused, the pinned key bound by the quote; without
#     ML-DSA: info says so, and an enrollment pinning one is refused;
#   - the AK-EK binding procedure of the docs (tpm2_makecredential against
#     the enrolled EK and AK name, tpm2_activatecredential on the device);
#   - legacy and auto-fallen-back: {"is_available": false} and exit 0;
#     --require-tpm: exit 1.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
SP=$SECPROV_BUILD/bin/secprov
PY=/usr/bin/python3
export TSS2_LOG=all+none

mutate() {   # IN OUT PYTHON-STATEMENTS (on dict r)
  $PY -c "import json,sys; r=json.load(open(sys.argv[1])); exec(sys.argv[3]); json.dump(r, open(sys.argv[2], 'w'))" "$@"
}
verdict() {  # REPORT NONCE ENROLLMENT [--pcrs FILE]: the first stdout line
  "$SP" verify "$1" --nonce "$2" --enrollment "$3" "${@:4}" 2>"$T/verify.err" | head -n 1 || true
}
expect_verdict() {  # DESC WANT REPORT NONCE ENROLLMENT [...]
  local got; got=$(verdict "${@:3}")
  if [ "$got" = "$2" ]; then ok "$1"; else fail "$1: got '$got' ($(cat "$T/verify.err")), want '$2'"; fi
}

tpm_sim_socket "$T/a"
TCTI_A=$TPM_TCTI
tpm_sim_config "$T/a.conf" tpm
sed -i "s|$T/tpm-state|$T/a-state|; s|$T/legacy-state|$T/a-legacy|" "$T/a.conf"
A="$SP --config $T/a.conf"
N1=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
N2=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')

# ---- the AK, made once ----------------------------------------------------
$A attest enroll > "$T/enroll.json"
cp -p "$T/a-state/attest/ak.pub" "$T/ak.pub.first"
$A attest enroll > "$T/enroll2.json"
ak1=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['ak']['public'])" "$T/enroll.json")
ak2=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['ak']['public'])" "$T/enroll2.json")
[ -n "$ak1" ] && [ "$ak1" = "$ak2" ] && ok "enroll twice: the same AK" || fail "the AK changed between enrolls"
$PY - "$T/enroll.json" <<'PY' && ok "enrollment: AK public, PEM, name, EK, device fields" || fail "enrollment record incomplete"
import json, sys, base64, hashlib
e = json.load(open(sys.argv[1]))
assert e["format"] == "secprov-enrollment" and e["version"] == 2
pub = base64.b64decode(e["ak"]["public"])
assert e["ak"]["name"] == "000b" + hashlib.sha256(pub[2:]).hexdigest()
assert e["ak"]["pem"].startswith("-----BEGIN PUBLIC KEY-----")
assert e["ek"]["public"] and e["ek"]["pem"] and "certificate" in e["ek"]
assert set(e["device"]) == {"machine_id", "serial"}
PY
for i in 1 2 3; do $A attest --nonce "$N1" > "$T/r$i.json"; done
printf 'x' | $A seal s1 && $A delete s1 && $A list > "$T/list"
cmp -s "$T/a-state/attest/ak.pub" "$T/ak.pub.first" && [ ! -s "$T/list" ] &&
  ok "quotes, a seal and a delete (orphan sweep): the AK file is untouched and not a secret" ||
  fail "the AK file changed, or shows as a secret"
[ ! -e "$T/a-state/attest/ak.pub.tmp" ] && [ "$(stat -c %a "$T/a-state/attest/ak.priv")" = 600 ] &&
  ok "AK files private (0600)" || fail "AK file mode: $(stat -c %a "$T/a-state/attest/ak.priv")"

# ---- a genuine report ----------------------------------------------------
$A attest --nonce "$N1" > "$T/rep.json"
expect_verdict "genuine report verifies" "ok" "$T/rep.json" "$N1" "$T/enroll.json"
$PY - "$T/rep.json" "$N1" <<'PY' && ok "report fields: format, nonce, PCR sha256:7 flagged all-zero, clock" || fail "report fields"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["format"] == "secprov-attest" and r["version"] == 2 and r["provider"] == "tpm"
assert 0 < r["expires_at"] - r["issued_at"] <= 300
assert r["nonce"] == sys.argv[2]
assert [(p["bank"], p["pcr"]) for p in r["pcrs"]] == [("sha256", 7)]
assert r["zero_pcrs"] == ["sha256:7"]
assert set(r["clock"]) == {"clock", "reset_count", "restart_count", "safe"}
PY
V=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['pcrs'][0]['value'])" "$T/rep.json")
echo "{\"sha256\": {\"7\": \"$V\"}}" > "$T/pcrs-good.json"
echo "{\"sha256\": {\"7\": \"$(printf '%064x' 1)\"}}" > "$T/pcrs-bad.json"
echo "{\"sha256\": {\"8\": \"$V\"}}" > "$T/pcrs-unquoted.json"
echo "{\"sha999\": {\"7\": \"$V\"}}" > "$T/pcrs-malformed.json"
expect_verdict "expected PCR values match" "ok" "$T/rep.json" "$N1" "$T/enroll.json" --pcrs "$T/pcrs-good.json"
expect_verdict "an expected PCR value differs" "refused: pcr_values" "$T/rep.json" "$N1" "$T/enroll.json" --pcrs "$T/pcrs-bad.json"
expect_verdict "an expected PCR is not quoted" "refused: pcr_values" "$T/rep.json" "$N1" "$T/enroll.json" --pcrs "$T/pcrs-unquoted.json"
expect_verdict "malformed expected PCRs" "refused: malformed_pcrs" "$T/rep.json" "$N1" "$T/enroll.json" --pcrs "$T/pcrs-malformed.json"

# ---- forgeries -------------------------------------------------------------
# With ML-DSA its signature covers the whole report and is checked before
# the members that come from the quote (pcrs, zero_pcrs, clock): it refuses
# their alteration first.
AQ=; $A info | grep -q '^attest_mldsa: ML-DSA-65' && AQ=mldsa_signature
expect_verdict "another nonce" "refused: nonce" "$T/rep.json" "$N2" "$T/enroll.json"
mutate "$T/rep.json" "$T/m.json" "r['nonce']='$N2'"
expect_verdict "a report claiming the other nonce" "refused: qualifying_data" "$T/m.json" "$N2" "$T/enroll.json"
mutate "$T/rep.json" "$T/m.json" "r['pcrs'][0]['value']='$(printf '%064x' 1)'; r['zero_pcrs']=[]"
expect_verdict "altered PCR value" "refused: ${AQ:-pcr_digest}" "$T/m.json" "$N1" "$T/enroll.json"
mutate "$T/rep.json" "$T/m.json" "r['device']['machine_id']='0123456789abcdef0123456789abcdef'"
expect_verdict "altered device field" "refused: qualifying_data" "$T/m.json" "$N1" "$T/enroll.json"
mutate "$T/rep.json" "$T/m.json" "r['clock']['reset_count'] += 1"
expect_verdict "altered clock field" "refused: ${AQ:-field_mismatch}" "$T/m.json" "$N1" "$T/enroll.json"
mutate "$T/rep.json" "$T/m.json" "r['zero_pcrs']=[]"
expect_verdict "zero_pcrs flag dropped" "refused: ${AQ:-field_mismatch}" "$T/m.json" "$N1" "$T/enroll.json"
mutate "$T/rep.json" "$T/m.json" "r['quote']['signature']=json.load(open('$T/r1.json'))['quote']['signature']"
expect_verdict "swapped signature (of another quote)" "refused: signature" "$T/m.json" "$N1" "$T/enroll.json"
mutate "$T/enroll.json" "$T/m-enroll.json" "r['device']['serial']='other'"
expect_verdict "identity differs from the enrollment's" "refused: device_mismatch" "$T/rep.json" "$N1" "$T/m-enroll.json"
echo '{"format": "secprov-attest"' > "$T/trunc.json"
expect_verdict "truncated report" "refused: malformed_report" "$T/trunc.json" "$N1" "$T/enroll.json"
mutate "$T/rep.json" "$T/m.json" "r['quote']['attest']=r['quote']['attest'][:-8]"
expect_verdict "truncated TPMS_ATTEST" "refused: malformed_report" "$T/m.json" "$N1" "$T/enroll.json"

# another device (its own TPM and keystore)
tpm_sim_socket "$T/b"
tpm_sim_config "$T/b.conf" tpm
sed -i "s|$T/tpm-state|$T/b-state|; s|$T/legacy-state|$T/b-legacy|" "$T/b.conf"
"$SP" --config "$T/b.conf" attest enroll > "$T/enroll-b.json"
expect_verdict "another device's enrollment" "refused: ak_mismatch" "$T/rep.json" "$N1" "$T/enroll-b.json"
"$SP" --config "$T/b.conf" attest --nonce "$N1" > "$T/rep-b.json"
expect_verdict "the other device's own report verifies against its enrollment" "ok" "$T/rep-b.json" "$N1" "$T/enroll-b.json"
TPM_TCTI=$TCTI_A

# ---- the ML-DSA-65 second signature (OpenSSL >= 3.5 builds only) -----------
mldsa=$($A info | sed -n 's/^attest_mldsa: //p')
if [[ $mldsa == ML-DSA-65* ]]; then
  $PY - "$T/enroll.json" "$T/rep.json" <<'PY' && ok "ML-DSA-65: the enrollment pins its key, the report carries its signature" || fail "ML-DSA fields"
import json, sys, base64
e = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2]))
assert e["mldsa"]["algorithm"] == "ML-DSA-65" and len(base64.b64decode(e["mldsa"]["public"])) == 1952
assert r["mldsa"]["algorithm"] == "ML-DSA-65" and len(base64.b64decode(r["mldsa"]["signature"])) == 3309
PY
  [ "$(stat -c %a "$T/a-state/attest/mldsa.sealed")" = 600 ] && [ -s "$T/a-state/attest/mldsa.pub" ] &&
    ok "ML-DSA seed kept sealed by the TPM (mldsa.sealed, 0600)" || fail "ML-DSA key files"
  mutate "$T/rep.json" "$T/m.json" "del r['mldsa']"
  expect_verdict "ML-DSA signature stripped" "refused: mldsa_signature" "$T/m.json" "$N1" "$T/enroll.json"
  mutate "$T/rep.json" "$T/m.json" "r['mldsa']['signature']=json.load(open('$T/r1.json'))['mldsa']['signature']"
  expect_verdict "ML-DSA signature of another quote" "refused: mldsa_signature" "$T/m.json" "$N1" "$T/enroll.json"
  mutate "$T/rep.json" "$T/m.json" "import base64; b=bytearray(base64.b64decode(r['mldsa']['signature'])); b[100]^=1; r['mldsa']['signature']=base64.b64encode(b).decode()"
  expect_verdict "ML-DSA signature altered" "refused: mldsa_signature" "$T/m.json" "$N1" "$T/enroll.json"
  mutate "$T/enroll.json" "$T/m-enroll.json" "r['mldsa']=json.load(open('$T/enroll-b.json'))['mldsa']"
  expect_verdict "another device's ML-DSA key pinned" "refused: qualifying_data" "$T/rep.json" "$N1" "$T/m-enroll.json"
  mutate "$T/enroll.json" "$T/m-enroll.json" "del r['mldsa']"
  expect_verdict "enrollment without the ML-DSA key (the quote covers it)" "refused: qualifying_data" "$T/rep.json" "$N1" "$T/m-enroll.json"
  mutate "$T/enroll.json" "$T/m-enroll.json" "r['mldsa']['public']='AAAA'"
  expect_verdict "malformed ML-DSA key pinned" "refused: malformed_enrollment" "$T/rep.json" "$N1" "$T/m-enroll.json"
else
  echo "SKIP ML-DSA-65 second signature: $mldsa"
  [[ $mldsa == "not built (OpenSSL 3."[0-4]* ]] && ok "secprov info: ML-DSA left out, saying why" ||
    fail "secprov info attest_mldsa: '$mldsa'"
  $PY -c "import json,sys; sys.exit('mldsa' in json.load(open(sys.argv[1])) or 'mldsa' in json.load(open(sys.argv[2])))" \
    "$T/enroll.json" "$T/rep.json" && ok "no ML-DSA fields without ML-DSA" || fail "ML-DSA fields in a build without it"
  mutate "$T/enroll.json" "$T/m-enroll.json" "r['mldsa']={'algorithm': 'ML-DSA-65', 'public': 'AAAA'}"
  expect_verdict "enrollment pinning ML-DSA, verifier without it" "refused: mldsa_unsupported" "$T/rep.json" "$N1" "$T/m-enroll.json"
fi

# an unrestricted key as the AK: it signs any digest, so a forged quote too
tpm2_create -T "$TCTI_A" -C 0x81000001 -G ecc256:ecdsa-sha256 \
  -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign|noda' \
  -u "$T/u.pub" -r "$T/u.priv" >/dev/null
tpm2_load -T "$TCTI_A" -C 0x81000001 -u "$T/u.pub" -r "$T/u.priv" -c "$T/u.ctx" >/dev/null
$PY -c "import json,base64; open('$T/att.bin','wb').write(base64.b64decode(json.load(open('$T/rep.json'))['quote']['attest']))"
tpm2_sign -T "$TCTI_A" -c "$T/u.ctx" -g sha256 -o "$T/forged.sig" "$T/att.bin"
tpm2_readpublic -T "$TCTI_A" -c "$T/u.ctx" -f pem -o "$T/u.pem" >/dev/null
tpm2_flushcontext -T "$TCTI_A" -t >/dev/null
$PY - "$T" <<'PY'
import json, base64, hashlib, sys
t = sys.argv[1]
pub = open(t + "/u.pub", "rb").read()
r = json.load(open(t + "/rep.json")); e = json.load(open(t + "/enroll.json"))
r["quote"]["signature"] = base64.b64encode(open(t + "/forged.sig", "rb").read()).decode()
r["ak_name"] = "000b" + hashlib.sha256(pub[2:]).hexdigest()
e["ak"] = {"public": base64.b64encode(pub).decode(), "pem": open(t + "/u.pem").read(), "name": r["ak_name"]}
json.dump(r, open(t + "/forged.json", "w")); json.dump(e, open(t + "/forged-enroll.json", "w"))
PY
expect_verdict "unrestricted key pinned as the AK (forged quote)" "refused: ak_attributes" "$T/forged.json" "$N1" "$T/forged-enroll.json"
cp -p "$T/a-state/attest/ak.pub" "$T/ak.pub.keep"; cp -p "$T/a-state/attest/ak.priv" "$T/ak.priv.keep"
cp "$T/u.pub" "$T/a-state/attest/ak.pub"; cp "$T/u.priv" "$T/a-state/attest/ak.priv"
if $A attest --nonce "$N1" > "$T/out" 2>"$T/err"; then fail "a planted unrestricted AK was used"
elif grep -q "refusing the attestation key.*not restricted" "$T/err" && cmp -s "$T/u.pub" "$T/a-state/attest/ak.pub"; then
  ok "unrestricted key planted as the device's AK: refused, the file kept"
else fail "planted AK: $(cat "$T/err")"; fi
cp -p "$T/ak.pub.keep" "$T/a-state/attest/ak.pub"; cp -p "$T/ak.priv.keep" "$T/a-state/attest/ak.priv"

# ---- tpm2_checkquote agrees ---------------------------------------------
$PY - "$T" "$N1" <<'PY'
# The qualifying data from docs/attestation.md's encoding, computed here.
import json, base64, hashlib, sys
t, nonce = sys.argv[1], bytes.fromhex(sys.argv[2])
r = json.load(open(t + "/rep.json")); e = json.load(open(t + "/enroll.json"))
open(t + "/q.att", "wb").write(base64.b64decode(r["quote"]["attest"]))
open(t + "/q.sig", "wb").write(base64.b64decode(r["quote"]["signature"]))
open(t + "/ak.pem", "w").write(e["ak"]["pem"])
open(t + "/q.vals", "wb").write(b"".join(bytes.fromhex(p["value"]) for p in r["pcrs"]))
# v2: SHA-256("secprov-report-v2" || the canonical bytes of the report
# less the members that come from the quote).
claims = {k: v for k, v in r.items() if k not in ("quote", "pcrs", "zero_pcrs", "clock", "mldsa")}
m = b"secprov-report-v2" + json.dumps(claims, sort_keys=True, separators=(",", ":"),
                                       ensure_ascii=False).encode()
open(t + "/q.qd", "w").write(hashlib.sha256(m).hexdigest())
PY
check "tpm2_checkquote accepts the quote (signature, qualifying data, PCR values)" \
  tpm2_checkquote -u "$T/ak.pem" -m "$T/q.att" -s "$T/q.sig" -f "$T/q.vals" -l sha256:7 -g sha256 -q "$(cat "$T/q.qd")" >/dev/null
printf '\001' | dd of="$T/q.vals" bs=1 seek=5 conv=notrunc 2>/dev/null
if tpm2_checkquote -u "$T/ak.pem" -m "$T/q.att" -s "$T/q.sig" -f "$T/q.vals" -l sha256:7 -g sha256 \
     -q "$(cat "$T/q.qd")" >/dev/null 2>&1; then fail "tpm2_checkquote took other PCR values"
else ok "tpm2_checkquote refuses other PCR values"; fi

# ---- PCRs that change -------------------------------------------------------
tpm2_pcrextend -T "$TCTI_A" "7:sha256=$(printf '%064x' 7)"
$A attest --nonce "$N2" > "$T/rep2.json"
expect_verdict "after a PCR 7 extend: verifies" "ok" "$T/rep2.json" "$N2" "$T/enroll.json"
expect_verdict "after a PCR 7 extend: the old expected value is refused" "refused: pcr_values" "$T/rep2.json" "$N2" "$T/enroll.json" --pcrs "$T/pcrs-good.json"
$PY -c "import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r['zero_pcrs']==[] else 1)" "$T/rep2.json" &&
  ok "a measured PCR is not flagged all-zero" || fail "zero_pcrs after extend"

# ---- binding the AK to the EK: the procedure of docs/attestation.md ---------
# Verifier, offline: a credential for the enrolled AK name, to the enrolled
# EK. Device: TPM2_ActivateCredential with the AK files and the EK (made
# anew from its template: the same key as the enrollment's).
export TPM2TOOLS_TCTI=$TCTI_A
$PY - "$T" <<'PY'
import json, base64, sys
t = sys.argv[1]; e = json.load(open(t + "/enroll.json"))
open(t + "/ek-enrolled.pub", "wb").write(base64.b64decode(e["ek"]["public"]))
open(t + "/ak.name", "w").write(e["ak"]["name"])
PY
head -c 32 /dev/urandom > "$T/challenge"
tpm2_makecredential -T none -u "$T/ek-enrolled.pub" -s "$T/challenge" -n "$(cat "$T/ak.name")" \
  -o "$T/cred" 2>/dev/null
tpm2_makecredential -T none -u "$T/ek-enrolled.pub" -s "$T/challenge" -n "000b$(printf '%064x' 5)" \
  -o "$T/cred-other" 2>/dev/null
activate() {   # CREDENTIAL OUT
  tpm2_flushcontext -t
  tpm2_createek -c "$T/ek.ctx" -G ecc -u "$T/ek.pub" >/dev/null && tpm2_flushcontext -t &&
  tpm2_load -C 0x81000001 -u "$T/a-state/attest/ak.pub" -r "$T/a-state/attest/ak.priv" \
    -c "$T/ak.ctx" >/dev/null && tpm2_flushcontext -t &&
  tpm2_startauthsession --policy-session -S "$T/sess.ctx" &&
  tpm2_policysecret -S "$T/sess.ctx" -c e >/dev/null &&
  tpm2_activatecredential -c "$T/ak.ctx" -C "$T/ek.ctx" -i "$1" -o "$2" -P "session:$T/sess.ctx" >/dev/null 2>&1
  local rc=$?
  tpm2_flushcontext "$T/sess.ctx" 2>/dev/null; tpm2_flushcontext -t
  return $rc
}
activate "$T/cred" "$T/answer" && cmp -s "$T/answer" "$T/challenge" &&
  ok "ActivateCredential: the device answers a credential made for its enrolled AK and EK" ||
  fail "ActivateCredential of the enrolled AK"
if activate "$T/cred-other" "$T/answer2"; then fail "a credential for another key name was activated"
else ok "ActivateCredential refuses a credential made for another key's name"; fi
unset TPM2TOOLS_TCTI

# ---- the command's input checks ----------------------------------------------
set +e
$A attest --nonce "$(printf '%0130x' 1)" >/dev/null 2>&1; [ $? = 2 ] && ok "65-byte nonce: usage error" || fail "65-byte nonce accepted"
$A attest --nonce zz >/dev/null 2>&1; [ $? = 2 ] && ok "non-hex nonce: usage error" || fail "non-hex nonce accepted"
$A attest --nonce "$(printf '%0128x' 1)" > "$T/rep64.json" 2>/dev/null; rc=$?
[ $rc = 0 ] && [ "$(verdict "$T/rep64.json" "$(printf '%0128x' 1)" "$T/enroll.json")" = ok ] &&
  ok "64-byte nonce: verifies" || fail "64-byte nonce (rc $rc)"

# ---- no TPM -------------------------------------------------------------------
out=$($A --provider legacy attest --nonce "$N1" 2>"$T/err"); rc=$?
[ $rc = 0 ] && echo "$out" | $PY -c "import json,sys; r=json.load(sys.stdin); sys.exit(0 if r['is_available'] is False and r['provider']=='legacy' else 1)" &&
  ok "legacy: is_available false, exit 0" || fail "legacy attest: rc $rc, $out"
$A --provider legacy attest --nonce "$N1" --require-tpm >/dev/null 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "attestation required, but the provider in use (legacy) has no TPM" "$T/err" && ok "legacy --require-tpm: exit 1 (unavailable)" ||
  fail "legacy --require-tpm: rc $rc, $(cat "$T/err")"
echo "tpm = { devices = [\"$T/a/devnode\"]; tcti = \"swtpm:path=$T/no-such-socket\"; state_dir = \"$T/c-state\"; }; legacy = { state_dir = \"$T/c-legacy\"; hardware = \"CPU: t. GPU: none. Memory: 1. DriveSerial: x\"; };" > "$T/c.conf"
out=$("$SP" --config "$T/c.conf" attest --nonce "$N1" 2>/dev/null); rc=$?
[ $rc = 0 ] && echo "$out" | $PY -c "import json,sys; r=json.load(sys.stdin); sys.exit(0 if r['is_available'] is False and r['fell_back'] is True and 'swtpm' in r['fallback_reason'] else 1)" &&
  ok "auto fallen back to legacy: is_available false, fell_back true, exit 0" || fail "fallback attest: rc $rc, $out"
"$SP" --config "$T/c.conf" attest enroll --require-tpm >/dev/null 2>&1; rc=$?
[ $rc = 1 ] && ok "fallen back, enroll --require-tpm: exit 1" || fail "fallen back enroll --require-tpm: rc $rc"
set -e
check_done

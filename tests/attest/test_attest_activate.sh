#!/usr/bin/env bash
# Credential activation in secprov (issue 23 item 1), against a pty swtpm
# (no resource manager): secprov_verify_make_credential() for the enrolled
# EK, bound to the AK's computed name; the device opens it with the
# recipe of docs/attestation.md (TPM2_ActivateCredential, the EK's
# PolicySecret); secprov_verify_enroll() checks the answer and writes the
# activation record; `secprov verify --require-activated RECORD` requires it.
#   - the genuine device activates, the record is required and passes;
#   - a wrong answer: not_activated; a record of another AK: not_activated;
#   - the forgery (real AK name, software key in ak.public): no credential
#     (malformed_enrollment); the same software key under its own name gets
#     a credential, but the device's TPM cannot open it (no such AK): the
#     software-signed reports then have no activation record and are refused;
#   - an enrollment whose ek is null cannot be activated (no_ek), saying so;
#   - --ek-ca: an EK certificate chaining to the named CA passes; one of
#     another CA, or none at all, is refused (ek_certificate);
#   - the device's half in secprov, `secprov attest activate CHALLENGE`:
#     enroll -> make_credential -> activate -> enroll(answer) -> record ->
#     --require-activated ok, nothing left loaded on the pty TPM; a
#     credential for another AK and a malformed one are refused; another
#     TPM cannot open the challenge, and its answer to its own challenge is
#     not_activated against this one's; a keystore without an EK (ek null)
#     cannot answer, saying so.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
SP=$SECPROV_BUILD/bin/secprov
PY=/usr/bin/python3
export TSS2_LOG=all+none

source "$SECPROV_SRC/tests/tools/activation.sh"   # call make|enroll
device_block() {
  $PY - "$SECPROV_SRC/docs/attestation.md" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
i = next(k for k, l in enumerate(lines) if l.startswith("On the device ("))
while not lines[i].startswith("    "):
    i += 1
while i < len(lines) and lines[i].startswith("    "):
    print(lines[i][4:]); i += 1
PY
}
activate() {   # DIR (holding credential): the device answers into DIR/answer
  (cd "$1" && TPM2TOOLS_TCTI=$TPM_TCTI AK_DIR=$T/a-state/attest bash -e "$T/device.sh") >"$1/log" 2>&1
}
verdict() { "$SP" verify "$T/rep.json" --nonce "$N1" --enrollment "$1" "${@:2}" 2>"$T/verify.err" | head -n 1 || true; }

tpm_sim_pty "$T/a"
tpm_sim_config "$T/a.conf" tpm
sed -i "s|$T/tpm-state|$T/a-state|" "$T/a.conf"
A="$SP --config $T/a.conf"
N1=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
$A attest enroll > "$T/enroll.json"
$A attest --nonce "$N1" > "$T/rep.json"
device_block > "$T/device.sh"

mkdir -p "$T/g"
got=$(call make "$T/enroll.json" "$T/g/credential" "$T/g/state")
[ "${got%% *}" = ok ] && ok "make_credential for the enrolled EK and AK" || fail "make_credential: $got"
activate "$T/g" && ok "the device opens it (TPM2_ActivateCredential, the doc's recipe)" || fail "activate: $(tail -3 "$T/g/log")"
got=$(call enroll "$T/enroll.json" "$T/g/state" "$T/g/answer" "$T/record.json")
[ "${got%% *}" = ok ] && [ -s "$T/record.json" ] && ok "enroll: the answer is the challenge, record written" || fail "enroll: $got"
[ "$(verdict "$T/enroll.json" --require-activated "$T/record.json")" = ok ] &&
  ok "--require-activated: the record of this AK and EK passes" || fail "--require-activated: $(cat "$T/verify.err")"
"$SP" verify "$T/rep.json" --nonce "$N1" --enrollment "$T/enroll.json" --require-activated "$T/record.json" --json |
  grep -q '"activation": "pass"' && ok "--json: activation pass" || fail "--json activation"

head -c 32 /dev/urandom > "$T/g/wrong"
got=$(call enroll "$T/enroll.json" "$T/g/state" "$T/g/wrong" "$T/r2.json")
[ "${got%% *}" = not_activated ] && ok "a wrong answer: not_activated" || fail "wrong answer: $got"
$PY -c "import json,sys; r=json.load(open(sys.argv[1])); r['ak_name']='000b'+'11'*32; json.dump(r, open(sys.argv[2],'w'))" \
  "$T/record.json" "$T/other-record.json"
[ "$(verdict "$T/enroll.json" --require-activated "$T/other-record.json")" = "refused: not_activated" ] &&
  ok "a record of another AK: not_activated" || fail "other record: $(cat "$T/verify.err")"

# The forgery: the real AK's name, a software key in ak.public.
openssl ecparam -name prime256v1 -genkey -noout -out "$T/soft.key" 2>/dev/null
openssl ec -in "$T/soft.key" -pubout -out "$T/soft.pem" 2>/dev/null
openssl ec -in "$T/soft.key" -pubout -outform DER -out "$T/soft.der" 2>/dev/null
$PY - "$T" <<'PY'
import json, base64, hashlib, sys
t = sys.argv[1]; e = json.load(open(t + "/enroll.json"))
real = base64.b64decode(e["ak"]["public"]); point = open(t + "/soft.der", "rb").read()[-64:]
soft = real[:-68] + b"\x00\x20" + point[:32] + b"\x00\x20" + point[32:]
e["ak"] = {"public": base64.b64encode(soft).decode(), "pem": open(t + "/soft.pem").read(), "name": e["ak"]["name"]}
json.dump(e, open(t + "/forged-enroll.json", "w"))
e["ak"]["name"] = "000b" + hashlib.sha256(soft[2:]).hexdigest()
json.dump(e, open(t + "/soft-enroll.json", "w"))
e["ek"] = None
json.dump(e, open(t + "/noek-enroll.json", "w"))
PY
got=$(call make "$T/forged-enroll.json" "$T/x" "$T/y")
[[ $got == "malformed_enrollment enrollment.ak.name"* ]] && ok "forgery: no credential for a record that is not one key" || fail "forged make: $got"
mkdir -p "$T/s"
got=$(call make "$T/soft-enroll.json" "$T/s/credential" "$T/s/state")
[ "${got%% *}" = ok ] && ! activate "$T/s" &&
  ok "a software key under its own name: credential made, the device's TPM cannot open it" ||
  fail "software key activated: $got"
got=$(call make "$T/noek-enroll.json" "$T/x" "$T/y")
[[ $got == "no_ek enrollment.ek: null"* ]] && ok "ek null: cannot be activated, saying so" || fail "no ek: $got"

# --ek-ca: swtpm here has no EK certificate; one is made for the enrolled EK.
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/ca.key" \
  -subj /CN=test-ek-ca -days 2 -out "$T/ca.pem" 2>/dev/null
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/ca2.key" \
  -subj /CN=other-ca -days 2 -out "$T/ca2.pem" 2>/dev/null
$PY -c "import json,sys; print(json.load(open(sys.argv[1]))['ek']['pem'], end='')" "$T/enroll.json" > "$T/ek.pem"
openssl x509 -new -force_pubkey "$T/ek.pem" -subj /CN=ek -CA "$T/ca.pem" -CAkey "$T/ca.key" -days 2 \
  -out "$T/ekcert.pem" 2>/dev/null
$PY -c "import json,sys; r=json.load(open(sys.argv[1])); r['ek']['certificate']=open(sys.argv[2]).read(); json.dump(r, open(sys.argv[3],'w'))" \
  "$T/enroll.json" "$T/ekcert.pem" "$T/cert-enroll.json"
[ "$(verdict "$T/cert-enroll.json" --ek-ca "$T/ca.pem")" = ok ] && ok "--ek-ca: the EK certificate chains to the CA" ||
  fail "--ek-ca good: $(cat "$T/verify.err")"
[ "$(verdict "$T/cert-enroll.json" --ek-ca "$T/ca2.pem")" = "refused: ek_certificate" ] &&
  ok "--ek-ca another CA: ek_certificate" || fail "--ek-ca other: $(cat "$T/verify.err")"
[ "$(verdict "$T/enroll.json" --ek-ca "$T/ca.pem")" = "refused: ek_certificate" ] && grep -q "pin its EK" "$T/verify.err" &&
  ok "--ek-ca without an EK certificate: ek_certificate, saying to pin the EK" || fail "--ek-ca none: $(cat "$T/verify.err")"
# The device's half in secprov (`secprov attest activate CHALLENGE`; the C
# call secprov_attest_activate): on this pty TPM (no resource manager),
# enroll -> make_credential -> activate -> enroll(answer) -> record ->
# verify --require-activated passes; it leaves nothing loaded.
mkdir -p "$T/c"
call make "$T/enroll.json" "$T/c/credential" "$T/c/state" >/dev/null
$A attest activate "$T/c/credential" > "$T/c/answer" 2>"$T/c/err" &&
  [ "$(stat -c %s "$T/c/answer")" = 32 ] && ok "secprov attest activate: a 32-byte answer" ||
  fail "secprov attest activate: $(cat "$T/c/err")"
got=$(call enroll "$T/enroll.json" "$T/c/state" "$T/c/answer" "$T/c/record.json")
[ "${got%% *}" = ok ] && ok "enroll takes secprov's answer: record written" || fail "enroll (secprov answer): $got"
[ "$(verdict "$T/enroll.json" --require-activated "$T/c/record.json")" = ok ] &&
  ok "--require-activated with the record from secprov attest activate: ok" ||
  fail "--require-activated (secprov): $(cat "$T/verify.err")"
left=$(TSS2_LOG=all+none tpm2_getcap -T "$TPM_TCTI" handles-transient; TSS2_LOG=all+none tpm2_getcap -T "$TPM_TCTI" handles-loaded-session)
[ -z "$left" ] && ok "activate leaves no object or session loaded" || fail "left loaded: $left"
# A credential for another AK name (the software key's) is not opened.
mkdir -p "$T/c2"
call make "$T/soft-enroll.json" "$T/c2/credential" "$T/c2/state" >/dev/null
! $A attest activate "$T/c2/credential" > "$T/c2/answer" 2>"$T/c2/err" && grep -q "cannot open the challenge" "$T/c2/err" &&
  [ ! -s "$T/c2/answer" ] && ok "a credential for another AK: refused by the TPM, no answer" ||
  fail "another AK's credential: $(cat "$T/c2/err")"
printf 'not a credential' > "$T/c2/garbage"
! $A attest activate "$T/c2/garbage" > /dev/null 2>"$T/c2/err" && grep -q "not a credential file" "$T/c2/err" &&
  ok "a malformed challenge: refused, saying why" || fail "garbage challenge: $(cat "$T/c2/err")"

# Another TPM: it cannot open A's challenge; its answer to its own
# challenge is not A's (not_activated against A's state).
tpm_sim_pty "$T/b"
tpm_sim_config "$T/b.conf" tpm
sed -i "s|$T/tpm-state|$T/b-state|" "$T/b.conf"
B="$SP --config $T/b.conf"
$B attest enroll > "$T/b-enroll.json"
! $B attest activate "$T/c/credential" > "$T/c/b-answer" 2>"$T/c/b-err" && grep -q "cannot open the challenge" "$T/c/b-err" &&
  ok "another TPM cannot open this device's challenge" || fail "other TPM opened it: $(cat "$T/c/b-err")"
mkdir -p "$T/bb"
call make "$T/b-enroll.json" "$T/bb/credential" "$T/bb/state" >/dev/null
$B attest activate "$T/bb/credential" > "$T/bb/answer" 2>/dev/null || fail "B activates its own challenge"
got=$(call enroll "$T/enroll.json" "$T/c/state" "$T/bb/answer" "$T/bb/record.json")
[ "${got%% *}" = not_activated ] && [ ! -e "$T/bb/record.json" ] &&
  ok "the other TPM's answer against this device's challenge: not_activated, no record" || fail "other TPM's answer: $got"

# A device whose keystore has no EK (its enrollment says "ek": null)
# cannot answer, and says so.
cp -a "$T/b-state" "$T/b-noek"
find "$T/b-noek" -path '*HE/EK*' -exec rm -rf {} + 2>/dev/null || true
sed "s|$T/b-state|$T/b-noek|" "$T/b.conf" > "$T/b-noek.conf"
"$SP" --config "$T/b-noek.conf" attest enroll > "$T/b-noek-enroll.json" 2>/dev/null
$PY -c "import json,sys; assert json.load(open(sys.argv[1]))['ek'] is None" "$T/b-noek-enroll.json" &&
  ok "a keystore without an EK: the enrollment has ek null" || fail "noek enrollment: $(head -c 300 "$T/b-noek-enroll.json")"
! "$SP" --config "$T/b-noek.conf" attest activate "$T/bb/credential" > /dev/null 2>"$T/bb/noek.err" &&
  grep -q 'ek.*null.*cannot be activated' "$T/bb/noek.err" &&
  ok "no EK: attest activate refuses, saying the enrollment's ek is null" || fail "noek activate: $(cat "$T/bb/noek.err")"
check_done

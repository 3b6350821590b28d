#!/usr/bin/env bash
# The enrollment record is one key (issue 23 item 1), against a real swtpm:
#   - the forgery of the review: a record with the device's real AK name
#     (what tpm2_makecredential binds the credential to) but a software key
#     in ak.public (restricted/fixedTPM bits set by hand), and a report that
#     key signed in software over a genuine TPMS_ATTEST: refused
#     (malformed_enrollment, naming enrollment.ak.name); before, `ok`;
#   - each other pair that says the same thing twice: ak.pem of another
#     key, ek.name, ek.pem, ek.certificate of another key: refused, naming
#     the field; an `ek` null and an `srk` object still read; a genuine
#     record verifies;
#   - a refusal never carries the detail `ok` (pcrs items not objects);
#   - the tpm_attestation block path reads the record through the same
#     reader: the same forgery on a block is refused naming ak.name.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
SP=$SECPROV_BUILD/bin/secprov
PY=/usr/bin/python3
export TSS2_LOG=all+none

mutate() {   # IN OUT PYTHON-STATEMENTS (on dict r)
  $PY -c "import json,sys; r=json.load(open(sys.argv[1])); exec(sys.argv[3]); json.dump(r, open(sys.argv[2], 'w'))" "$@"
}
expect() {   # DESC WANT-VERDICT WANT-DETAIL-SUBSTRING REPORT ENROLLMENT
  local got; got=$("$SP" verify "$4" --nonce "$N1" --enrollment "$5" 2>"$T/verify.err" | head -n 1 || true)
  if [ "$got" = "$2" ] && { [ -z "$3" ] || grep -qF -- "$3" "$T/verify.err"; }; then ok "$1"
  else fail "$1: got '$got' ($(cat "$T/verify.err")), want '$2' and '$3'"; fi
}

tpm_sim_socket "$T/a"
tpm_sim_config "$T/a.conf" tpm
sed -i "s|$T/tpm-state|$T/a-state|; s|$T/legacy-state|$T/a-legacy|" "$T/a.conf"
A="$SP --config $T/a.conf"
N1=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
$A attest enroll > "$T/enroll.json"
$A attest --nonce "$N1" > "$T/rep.json"
expect "a genuine record and report verify" "ok" "" "$T/rep.json" "$T/enroll.json"

# A software P-256 key, its point put into the real AK's public area.
openssl ecparam -name prime256v1 -genkey -noout -out "$T/soft.key" 2>/dev/null
openssl ec -in "$T/soft.key" -pubout -out "$T/soft.pem" 2>/dev/null
openssl ec -in "$T/soft.key" -pubout -outform DER -out "$T/soft.der" 2>/dev/null
$PY -c "import json,base64,sys; open(sys.argv[2],'wb').write(base64.b64decode(json.load(open(sys.argv[1]))['quote']['attest']))" \
  "$T/rep.json" "$T/att.bin"
openssl dgst -sha256 -sign "$T/soft.key" -out "$T/soft.sig" "$T/att.bin"
$PY - "$T" <<'PY'
import json, base64, hashlib, struct, sys
t = sys.argv[1]
e = json.load(open(t + "/enroll.json")); r = json.load(open(t + "/rep.json"))
real = base64.b64decode(e["ak"]["public"])
point = open(t + "/soft.der", "rb").read()[-64:]
assert real[-68:-66] == b"\x00\x20" and real[-34:-32] == b"\x00\x20"
soft = real[:-68] + b"\x00\x20" + point[:32] + b"\x00\x20" + point[32:]
def der_ints(d):                    # ECDSA-Sig-Value: SEQUENCE { r INTEGER, s INTEGER }
    i = 2 if d[1] < 0x80 else 3
    out = []
    for _ in range(2):
        n = d[i + 1]; v = d[i + 2:i + 2 + n].lstrip(b"\0").rjust(32, b"\0"); out.append(v); i += 2 + n
    return out
rr, ss = der_ints(open(t + "/soft.sig", "rb").read())
sig = struct.pack(">HH", 0x0018, 0x000B) + struct.pack(">H", 32) + rr + struct.pack(">H", 32) + ss
# The device's forged record: its real AK name (what the credential binds),
# the software key's public area and PEM.
e["ak"] = {"public": base64.b64encode(soft).decode(), "pem": open(t + "/soft.pem").read(),
           "name": e["ak"]["name"]}
r["ak_name"] = "000b" + hashlib.sha256(soft[2:]).hexdigest()
r["quote"]["signature"] = base64.b64encode(sig).decode()
json.dump(e, open(t + "/forged-enroll.json", "w")); json.dump(r, open(t + "/forged.json", "w"))
PY
expect "forgery: real AK name, software key in ak.public: refused, naming ak.name" \
  "refused: malformed_enrollment" "enrollment.ak.name: is not the name of enrollment.ak.public" \
  "$T/forged.json" "$T/forged-enroll.json"
mutate "$T/enroll.json" "$T/m.json" "r['ak']['pem']=open('$T/soft.pem').read()"
expect "ak.pem of another key: refused" "refused: malformed_enrollment" "enrollment.ak.pem" "$T/rep.json" "$T/m.json"
mutate "$T/enroll.json" "$T/m.json" "r['ak']['name']=r['ak']['name'][:-2]+'00'"
expect "ak.name altered: refused" "refused: malformed_enrollment" "enrollment.ak.name" "$T/rep.json" "$T/m.json"
mutate "$T/enroll.json" "$T/m.json" "del r['ak']['pem']"
expect "ak.pem missing: refused" "refused: malformed_enrollment" "enrollment.ak: no field 'pem'" "$T/rep.json" "$T/m.json"
mutate "$T/enroll.json" "$T/m.json" "r['ek']['name']=r['ak']['name']"
expect "ek.name of another key: refused" "refused: malformed_enrollment" "enrollment.ek.name" "$T/rep.json" "$T/m.json"
mutate "$T/enroll.json" "$T/m.json" "r['ek']['pem']=r['ak']['pem']"
expect "ek.pem of another key: refused" "refused: malformed_enrollment" "enrollment.ek.pem" "$T/rep.json" "$T/m.json"
openssl req -x509 -new -key "$T/soft.key" -subj /CN=not-the-ek -days 1 -out "$T/soft.crt" 2>/dev/null
mutate "$T/enroll.json" "$T/m.json" "r['ek']['certificate']=open('$T/soft.crt').read()"
expect "ek.certificate of another key: refused" "refused: malformed_enrollment" "enrollment.ek.certificate" "$T/rep.json" "$T/m.json"
mutate "$T/enroll.json" "$T/m.json" "r['ek']=None"
expect "ek null: reads" "ok" "" "$T/rep.json" "$T/m.json"
mutate "$T/enroll.json" "$T/m.json" "r['srk']={'public': 'AAAA'}"
expect "an srk object: reads (its members are seal-to's)" "ok" "" "$T/rep.json" "$T/m.json"
mutate "$T/enroll.json" "$T/m.json" "r['srk']='x'"
expect "an srk that is not an object: refused" "refused: malformed_enrollment" "'srk' must be an object" "$T/rep.json" "$T/m.json"

# Item 4: every refusal names what was wrong, never "ok".
mutate "$T/rep.json" "$T/m.json" "r['pcrs']=[7]"
if $A info | grep -q '^attest_mldsa: ML-DSA-65'; then   # the whole-report signature refuses it first
  expect "pcrs item not an object: refused (ML-DSA)" "refused: mldsa_signature" "report.mldsa.signature" "$T/m.json" "$T/enroll.json"
else
  expect "pcrs item not an object: refused naming it" "refused: malformed_report" "report.pcrs[0]: not an object" "$T/m.json" "$T/enroll.json"
fi
mutate "$T/rep.json" "$T/m.json" "r['zero_pcrs']=[7]"
got=$("$SP" verify "$T/m.json" --nonce "$N1" --enrollment "$T/enroll.json" 2>&1 >/dev/null || true)
[[ $got != *": ok"* ]] && ok "zero_pcrs item not a string: the detail is not 'ok' ($got)" || fail "detail: $got"
# The block path reads the enrollment through the same reader: the same
# forgery (real AK name, software key) on a tpm_attestation block, signed in
# software over the block's genuine TPMS_ATTEST, is refused naming ak.name;
# the genuine block with the genuine record verifies.
$A attest --payload-id req-1 --format tpm_attestation > "$T/block.json"
$PY -c "import json,base64,sys; open(sys.argv[2],'wb').write(base64.b64decode(json.load(open(sys.argv[1]))['quote_b64'])[2:])" \
  "$T/block.json" "$T/batt.bin"
openssl dgst -sha256 -sign "$T/soft.key" -out "$T/bsoft.sig" "$T/batt.bin"
$PY - "$T" <<'PY'
import json, base64, struct, sys
t = sys.argv[1]
b = json.load(open(t + "/block.json")); e = json.load(open(t + "/forged-enroll.json"))
def der_ints(d):
    i = 2 if d[1] < 0x80 else 3
    out = []
    for _ in range(2):
        n = d[i + 1]; v = d[i + 2:i + 2 + n].lstrip(b"\0").rjust(32, b"\0"); out.append(v); i += 2 + n
    return out
rr, ss = der_ints(open(t + "/bsoft.sig", "rb").read())
b["aik_pubkey_b64"] = e["ak"]["public"]
b["signature_b64"] = base64.b64encode(struct.pack(">HH", 0x0018, 0x000B) + struct.pack(">H", 32) + rr
                                      + struct.pack(">H", 32) + ss).decode()
json.dump(b, open(t + "/forged-block.json", "w"))
PY
bexpect() {  # DESC WANT-VERDICT WANT-DETAIL BLOCK ENROLLMENT
  local got; got=$("$SP" verify --format tpm_attestation --payload-id req-1 --enrollment "$5" "$4" 2>"$T/verify.err" | head -n 1 || true)
  if [ "$got" = "$2" ] && { [ -z "$3" ] || grep -qF -- "$3" "$T/verify.err"; }; then ok "$1"
  else fail "$1: got '$got' ($(cat "$T/verify.err")), want '$2' and '$3'"; fi
}
bexpect "block: genuine record and block verify" "ok" "" "$T/block.json" "$T/enroll.json"
bexpect "block forgery: real AK name, software key: refused, naming ak.name" \
  "refused: malformed_enrollment" "enrollment.ak.name: is not the name of enrollment.ak.public" \
  "$T/forged-block.json" "$T/forged-enroll.json"
mutate "$T/enroll.json" "$T/m.json" "r['ek']['pem']=r['ak']['pem']"
bexpect "block: ek.pem of another key: refused" "refused: malformed_enrollment" "enrollment.ek.pem" "$T/block.json" "$T/m.json"

check_done

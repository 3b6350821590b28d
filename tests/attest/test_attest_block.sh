#!/usr/bin/env bash
# The per-response tpm_attestation block (docs/attestation.md, "The
# per-response block") against swtpm, through the `secprov` command
# (secprov_attest_block, secprov_verify_block):
#   - exactly the published members; pcr_banks "sha256:0,7,10" from
#     attest.pcrs, pcr_values {bank: {index: hex}};
#   - the published client's own steps with Debian's python3-tpm2-pytss
#     (unmarshal the three structures, verify the signature with the AIK
#     inside, qualifying data == SHA-256(payload_id)[:16], pcr_values hash
#     to the quote's pcrDigest and match a baseline); SKIP without it;
#   - tpm2_checkquote accepts it with the published qualifying data;
#   - secprov verify --format tpm_attestation: ok with and without
#     --enrollment; another payload id, altered PCR values, a flipped
#     signature, another device's enrollment, a drifted baseline, a
#     malformed block each refused with its reason; --format bundle
#     wants --enrollment, and a block is not a bundle (malformed_bundle);
#     the default format is still report;
#   - the default AIK is the persistent AK (no key made per request);
#   - tiers: legacy standard/high {"is_available": false} exit 0; maximum
#     and --require-tpm exit 1.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
SP=$SECPROV_BUILD/bin/secprov
PY=/usr/bin/python3
export TSS2_LOG=all+none
ID="req-4711/answer"

tpm_sim_socket "$T/a"
TCTI_A=$TPM_TCTI
tpm_sim_config "$T/a.conf" tpm
echo 'attest = { pcrs = "sha256:0,7,10"; };' >> "$T/a.conf"
A="$SP --config $T/a.conf"

tpm_sim_socket "$T/b"
tpm_sim_config "$T/b/b.conf" tpm
B="$SP --config $T/b/b.conf"

$A attest enroll > "$T/enroll.json"
$B attest enroll > "$T/enroll-b.json"
$A attest --payload-id "$ID" --format tpm_attestation > "$T/blk.json"
$A attest --payload-id "$ID" --format tpm_attestation > "$T/blk2.json"

$PY - "$T/blk.json" "$T/enroll.json" <<'PY' && ok "block: exactly the published members, pcr_banks sha256:0,7,10, the AIK is the enrolled AK" || fail "block members"
import json, sys, base64
b = json.load(open(sys.argv[1])); e = json.load(open(sys.argv[2]))
assert set(b) == {"is_available", "pcr_banks", "pcr_values", "aik_pubkey_b64", "quote_b64",
                  "signature_b64"}, set(b)
assert b["is_available"] is True and b["pcr_banks"] == "sha256:0,7,10"
assert list(b["pcr_values"]) == ["sha256"] and sorted(b["pcr_values"]["sha256"], key=int) == ["0", "7", "10"]
assert all(len(v) == 64 for v in b["pcr_values"]["sha256"].values())
assert b["aik_pubkey_b64"] == e["ak"]["public"]          # default: the persistent AK
PY
ak_files=$(stat -c '%Y %i' "$T/tpm-state/attest/ak.pub" "$T/tpm-state/attest/ak.priv")
$A attest --payload-id "$ID-2" --format tpm_attestation > /dev/null
[ "$ak_files" = "$(stat -c '%Y %i' "$T/tpm-state/attest/ak.pub" "$T/tpm-state/attest/ak.priv")" ] &&
  cmp -s <($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['aik_pubkey_b64'])" "$T/blk2.json") \
         <($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['aik_pubkey_b64'])" "$T/blk.json") &&
  ok "no key per request: the same AIK, the AK files untouched" || fail "the AIK changed between blocks"

# ---- the published client's steps (python3-tpm2-pytss) -----------------------
if $PY -c "import tpm2_pytss, cryptography" 2>/dev/null; then
  $PY - "$T/blk.json" "$ID" <<'PY' && ok "tpm2-pytss client: unmarshal, signature by the AIK, qualifying data, pcrDigest, baseline" || fail "tpm2-pytss client steps"
import json, sys, hashlib
from base64 import b64decode as b64d
from tpm2_pytss.types import TPM2B_PUBLIC, TPM2B_ATTEST, TPMT_SIGNATURE, TPMS_ATTEST
from tpm2_pytss.constants import TPM2_ST
from tpm2_pytss.internal.crypto import public_to_key
b = json.load(open(sys.argv[1])); payload_id = sys.argv[2]
pub, n1 = TPM2B_PUBLIC.unmarshal(b64d(b["aik_pubkey_b64"]))
att2b, n2 = TPM2B_ATTEST.unmarshal(b64d(b["quote_b64"]))
sig, n3 = TPMT_SIGNATURE.unmarshal(b64d(b["signature_b64"]))
raw = bytes(att2b)                                   # the TPMS_ATTEST bytes the TPM signed
sig.verify_signature(public_to_key(pub.publicArea), raw)    # raises on a bad signature
att, _ = TPMS_ATTEST.unmarshal(raw)
assert att.type == TPM2_ST.ATTEST_QUOTE
assert bytes(att.extraData) == hashlib.sha256(payload_id.encode()).digest()[:16]
vals = b["pcr_values"]["sha256"]
digest = hashlib.sha256(b"".join(bytes.fromhex(vals[k]) for k in sorted(vals, key=int))).digest()
assert bytes(att.attested.quote.pcrDigest) == digest
baseline = {"0": vals["0"], "7": vals["7"], "10": vals["10"]}
assert vals == baseline
# and a signature over other bytes is refused by the same helper
try:
    sig.verify_signature(public_to_key(pub.publicArea), raw[:-1] + bytes([raw[-1] ^ 1]))
except Exception:
    pass
else:
    raise SystemExit("tpm2-pytss took a signature over altered bytes")
PY
else
  echo "SKIP tpm2-pytss client steps: python3-tpm2-pytss not installed (scripts/deps.sh check)"
fi

# ---- tpm2_checkquote ----------------------------------------------------------
$PY - "$T" "$ID" <<'PY'
import json, sys, base64, hashlib
t, pid = sys.argv[1], sys.argv[2]
b = json.load(open(t + "/blk.json"))
open(t + "/c.pub", "wb").write(base64.b64decode(b["aik_pubkey_b64"]))
open(t + "/c.att", "wb").write(base64.b64decode(b["quote_b64"])[2:])   # TPMS_ATTEST
open(t + "/c.sig", "wb").write(base64.b64decode(b["signature_b64"]))
v = b["pcr_values"]["sha256"]
open(t + "/c.vals", "wb").write(b"".join(bytes.fromhex(v[k]) for k in ("0", "7", "10")))
open(t + "/c.qd", "w").write(hashlib.sha256(pid.encode()).hexdigest()[:32])
PY
check "tpm2_checkquote accepts the block (AIK inside, SHA-256(payload_id)[:16], pcr_values)" \
  tpm2_checkquote -u "$T/c.pub" -m "$T/c.att" -s "$T/c.sig" -f "$T/c.vals" -l sha256:0,7,10 -g sha256 -q "$(cat "$T/c.qd")" >/dev/null
if tpm2_checkquote -u "$T/c.pub" -m "$T/c.att" -s "$T/c.sig" -f "$T/c.vals" -l sha256:0,7,10 -g sha256 \
     -q "$(printf %s "other" | sha256sum | cut -c1-32)" >/dev/null 2>&1; then
  fail "tpm2_checkquote took another payload id"
else ok "tpm2_checkquote refuses another payload id"; fi

# ---- secprov verify --format tpm_attestation ---------------------------------
verdict() {  # BLOCK ID [options]: the first stdout line
  "$SP" verify --format tpm_attestation --payload-id "$2" "${@:3}" "$1" 2>"$T/verify.err" | head -n 1 || true
}
expect() {   # DESC WANT BLOCK ID [options]
  local got; got=$(verdict "${@:3}")
  if [ "$got" = "$2" ]; then ok "$1"; else fail "$1: got '$got' ($(cat "$T/verify.err")), want '$2'"; fi
}
mutate() {   # IN OUT PYTHON-STATEMENTS (on dict b)
  $PY -c "import json,sys,base64; b=json.load(open(sys.argv[1])); exec(sys.argv[3]); json.dump(b, open(sys.argv[2], 'w'))" "$@"
}
expect "verify with --enrollment: ok" "ok" "$T/blk.json" "$ID" --enrollment "$T/enroll.json"
expect "verify without --enrollment: ok, saying it does not know the device" \
  "ok (the key inside the block signed it; without --enrollment, not which device)" "$T/blk.json" "$ID"
expect "another payload id: refused" "refused: qualifying_data" "$T/blk.json" "$ID-other" --enrollment "$T/enroll.json"
expect "another device's enrollment: refused" "refused: ak_mismatch" "$T/blk.json" "$ID" --enrollment "$T/enroll-b.json"
mutate "$T/blk.json" "$T/m.json" "b['pcr_values']['sha256']['7']='%064x' % 1"
expect "an altered PCR value: refused" "refused: pcr_digest" "$T/m.json" "$ID" --enrollment "$T/enroll.json"
mutate "$T/blk.json" "$T/m.json" "s=bytearray(base64.b64decode(b['signature_b64'])); s[-1]^=1; b['signature_b64']=base64.b64encode(bytes(s)).decode()"
expect "a flipped signature: refused" "refused: signature" "$T/m.json" "$ID"
mutate "$T/blk.json" "$T/m.json" "b['pcr_banks']='sha256:0,7'; del b['pcr_values']['sha256']['10']"
expect "pcr_banks not the quote's selection: refused" "refused: field_mismatch" "$T/m.json" "$ID"
mutate "$T/blk.json" "$T/m.json" "b['pcr_values']['sha256']['11']='00'*32"
expect "a PCR value pcr_banks does not name: refused" "refused: malformed_report" "$T/m.json" "$ID"
grep -q "pcr_values.sha256: holds PCRs that pcr_banks does not name" "$T/verify.err" &&
  ok "the refusal names the field" || fail "detail: $(cat "$T/verify.err")"
mutate "$T/blk.json" "$T/m.json" "b['extra']=1"
expect "an unknown member: refused" "refused: malformed_report" "$T/m.json" "$ID"
echo '{"is_available": false}' > "$T/na.json"
expect "an unavailable block does not verify" "refused: malformed_report" "$T/na.json" "$ID"
V=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['pcr_values']['sha256']['7'])" "$T/blk.json")
echo "{\"sha256\": {\"7\": \"$V\"}}" > "$T/base-good.json"
echo "{\"sha256\": {\"7\": \"$(printf '%064x' 1)\", \"10\": \"$(printf '%064x' 2)\"}}" > "$T/base-bad.json"
expect "a baseline that matches: ok" "ok" "$T/blk.json" "$ID" --enrollment "$T/enroll.json" --pcrs "$T/base-good.json"
expect "a drifted baseline: refused" "refused: pcr_values" "$T/blk.json" "$ID" --enrollment "$T/enroll.json" --pcrs "$T/base-bad.json"
grep -q "sha256:7, sha256:10" "$T/verify.err" && ok "every drifted PCR named" || fail "drift detail: $(cat "$T/verify.err")"
set +e
"$SP" verify --format bundle "$T/blk.json" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "usage: secprov verify --format bundle BUNDLE --enrollment FILE" "$T/err" && ok "--format bundle without --enrollment: usage, exit 2" || fail "--format bundle: rc $rc $(cat "$T/err")"
out=$("$SP" verify --format bundle "$T/blk.json" --enrollment "$T/enroll.json" 2>"$T/err"); rc=$?
[ $rc = 1 ] && [ "$out" = "refused: malformed_bundle" ] && ok "a block is not a bundle: malformed_bundle, exit 1" || fail "--format bundle on a block: rc $rc $out $(cat "$T/err")"
"$SP" verify --format nonsense "$T/blk.json" >/dev/null 2>&1; rc=$?
[ $rc = 2 ] && ok "--format nonsense: usage error" || fail "--format nonsense: rc $rc"
$A attest --nonce 00aa > "$T/rep.json"
[ "$("$SP" verify "$T/rep.json" --nonce 00aa --enrollment "$T/enroll.json")" = ok ] &&
[ "$("$SP" verify --format report "$T/rep.json" --nonce 00aa --enrollment "$T/enroll.json")" = ok ] &&
  ok "reports: default format and --format report" || fail "report verify through --format"

# ---- --ephemeral-aik: a fresh key certified by the AK ---------------------------
$A attest --payload-id "$ID" --format tpm_attestation --ephemeral-aik > "$T/eph.json"
$PY - "$T/eph.json" "$T/blk.json" <<'PY' && ok "ephemeral AIK: another key than the AK, the certification carried" || fail "ephemeral block members"
import json, sys
e = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
assert set(e) == set(b) | {"aik_certify_b64", "aik_certify_signature_b64"}, set(e)
assert e["aik_pubkey_b64"] != b["aik_pubkey_b64"]
PY
[ -z "$(ls "$T/tpm-state/attest" | grep -v -e '^ak\.pub$' -e '^ak\.priv$' -e '^mldsa')" ] &&
  [ "$(tpm2_getcap -T "$TCTI_A" handles-transient | wc -l)" = 0 ] &&
  ok "ephemeral AIK: nothing stored, nothing left loaded" || fail "ephemeral AIK left state: $(ls "$T/tpm-state/attest") $(tpm2_getcap -T "$TCTI_A" handles-transient)"
expect "ephemeral AIK, chain to the enrolled AK: ok" "ok" "$T/eph.json" "$ID" --enrollment "$T/enroll.json"
expect "ephemeral AIK, another device's enrollment: refused" "refused: ak_mismatch" "$T/eph.json" "$ID" --enrollment "$T/enroll-b.json"
mutate "$T/eph.json" "$T/m.json" "del b['aik_certify_b64']; del b['aik_certify_signature_b64']"
expect "ephemeral AIK without its certification: refused" "refused: ak_mismatch" "$T/m.json" "$ID" --enrollment "$T/enroll.json"
$A attest --payload-id "$ID-x" --format tpm_attestation --ephemeral-aik > "$T/eph2.json"
mutate "$T/eph.json" "$T/m.json" "o=json.load(open('$T/eph2.json')); b['aik_certify_b64']=o['aik_certify_b64']; b['aik_certify_signature_b64']=o['aik_certify_signature_b64']"
expect "another request's certification: refused" "refused: ak_mismatch" "$T/m.json" "$ID" --enrollment "$T/enroll.json"
mutate "$T/eph.json" "$T/m.json" "del b['aik_certify_signature_b64']"
expect "half a certification: refused" "refused: malformed_report" "$T/m.json" "$ID"

# ---- tiers ----------------------------------------------------------------------
for tier in standard high; do
  out=$($A --provider legacy attest --payload-id "$ID" --format tpm_attestation --tier $tier 2>"$T/err"); rc=$?
  [ $rc = 0 ] && echo "$out" | $PY -c "import json,sys; sys.exit(0 if json.load(sys.stdin) == {'is_available': False} else 1)" &&
    ok "legacy, tier $tier: exactly {\"is_available\": false}, exit 0" || fail "tier $tier: rc $rc, $out $(cat "$T/err")"
done
$A --provider legacy attest --payload-id "$ID" --format tpm_attestation --tier maximum >/dev/null 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "has no TPM" "$T/err" && ok "legacy, tier maximum: exit 1 (unavailable)" || fail "tier maximum: rc $rc $(cat "$T/err")"
$A --provider legacy attest --payload-id "$ID" --format tpm_attestation --require-tpm >/dev/null 2>&1; rc=$?
[ $rc = 1 ] && ok "legacy, --require-tpm: exit 1" || fail "--require-tpm: rc $rc"
$A --provider legacy attest --nonce 00aa --tier maximum >/dev/null 2>&1; rc=$?
[ $rc = 1 ] && ok "report, tier maximum on legacy: exit 1" || fail "report tier maximum: rc $rc"
$A attest --payload-id "$ID" --format tpm_attestation --tier extreme >/dev/null 2>&1; rc=$?
[ $rc = 2 ] && ok "--tier extreme: usage error" || fail "--tier extreme: rc $rc"
set -e
check_done

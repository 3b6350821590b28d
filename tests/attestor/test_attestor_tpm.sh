#!/usr/bin/env bash
# secprov-attestor with a TPM (swtpm behind a pseudo-terminal: a real
# character device with no resource manager, one opener at a time):
#   - the bundle is TPM-signed: `secprov verify --format bundle` accepts it
#     offline with the device's enrollment record (also the whole
#     /api/v1/attest answer, and through Python), and refuses it with
#     another device's record, and every tampered copy (state, a failure
#     removed, a service digest, the audit head, the PCR values, the
#     timestamp, the attestation's quote), naming why; the HMAC still covers
#     the whole bundle;
#   - GET /api/v1/attest?nonce=HEX binds the verifier's nonce (another nonce,
#     or a bundle without one, refused); a malformed nonce is 400;
#   - expected_pcrs: the quoted value attests, another value degrades
#     naming the PCR and both values, a PCR not quoted degrades saying so;
#   - beside loaders on the same one-opener TPM: secprov commands while
#     the daemon refreshes in a loop never fall back to legacy;
#   - the TPM wedged mid-run: require_tpm -> failed (the daemon answers
#     /health meanwhile), without it -> degraded (the TPM of an earlier
#     attestation is gone); the TPM back -> attested again.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
source "$SECPROV_SRC/tests/attestor/lib.sh"
SP=$SECPROV_BUILD/bin/secprov
export TSS2_LOG=all+none
on_exit tpm_sim_stop
at_fixtures
tpm_sim_pty "$T/tpm"
# under qemu-user every process is slower: fewer rounds there
ROUNDS=10; [ "${SECPROV_ARCH:-}" = arm64 ] && ROUNDS=3

conf() {   # FILE [ATTESTOR KEYS]: the TPM's config and the attestor group
  tpm_sim_config "$1.tpm"
  at_config "$1.at" "${2:-}"
  cat "$1.tpm" "$1.at" > "$1"; chmod 600 "$1"
}
C=$T/c.conf
conf "$C" 'refresh_interval_s = 3600;'
export SECPROV_CONFIG=$C
"$SP" attest enroll > "$T/enroll.json"
check "the daemon starts on the TPM" at_start "$C"
get /api/v1/attest; cp "$T/body" "$T/answer.json"; jq .bundle "$T/body" > "$T/bundle.json"
check "attested, tpm_available, tpm_quote_verified" \
  test "$(jq -c '[.state, .bundle.tpm_available, .bundle.tpm_quote_verified, .bundle.nonce]' "$T/answer.json")" = '["attested",true,true,null]'
check "boot_measurements.pcrs from the quote: sha256 7 (swtpm: zeros)" \
  test "$(jq -r '.boot_measurements.pcrs.sha256."7"' "$T/bundle.json")" = "$(printf '0%.0s' $(seq 64))"
get /api/security/status
check "status: tpm_available, tpm_quote_verified" test "$(jq -c '[.tpm_available, .tpm_quote_verified]' "$T/body")" = '[true,true]'
check "the attestation is a secprov report" test "$(jq -r .attestation.format "$T/bundle.json")" = secprov-attest

vb() {   # BUNDLE ENROLLMENT [ARGS]: verify's first line, its stderr in $T/verify.err
  "$SP" verify --format bundle "$1" --enrollment "$2" "${@:3}" 2>"$T/verify.err" > "$T/verify.out" || true
  head -n 1 "$T/verify.out"
}
expect() {   # DESC WANT BUNDLE ENROLLMENT [ARGS]
  local got; got=$(vb "${@:3}")
  if [ "$got" = "$2" ]; then ok "$1"; else fail "$1: got '$got' ($(cat "$T/verify.err")), want '$2'"; fi
}
expect "the bundle verifies offline with the enrollment" ok "$T/bundle.json" "$T/enroll.json"
expect "... and the whole /api/v1/attest answer" ok "$T/answer.json" "$T/enroll.json"
# A native Python loads neither an arm64 nor an ASan library (as run_pytest.sh)
if [ -n "${SECPROV_ARCH:-}" ] || [ "$(nm -D --undefined-only "$SECPROV_BUILD/lib/libsecprov_verify.so.0" | grep -c __asan_ || true)" != 0 ]; then
  echo "SKIP python: secprov.verify.verify_bundle (${SECPROV_ARCH:-ASan} build)"
else check "python: secprov.verify.verify_bundle" \
  env PYTHONPATH="$SECPROV_SRC/python" SECPROV_LIBRARY="$SECPROV_BUILD/lib/libsecprov.so.0" /usr/bin/python3 -c "
import sys, secprov.verify as v
r = v.verify_bundle(open(sys.argv[1]).read(), open(sys.argv[2]).read())
assert r.ok, r
bad = open(sys.argv[1]).read().replace('\"attested\"', '\"degraded\"', 1)
r = v.verify_bundle(bad, open(sys.argv[2]).read())
assert not r.ok and r.reason == 'nonce', r
" "$T/bundle.json" "$T/enroll.json"
fi

# another device's enrollment record
PTY_DEV=$TPM_DEV PTY_TCTI=$TPM_TCTI PTY_PID=$TPM_PID
tpm_sim_socket "$T/other"
tpm_sim_config "$T/other/c.conf"
SECPROV_CONFIG=$T/other/c.conf "$SP" attest enroll > "$T/other-enroll.json"
TPM_DEV=$PTY_DEV TPM_TCTI=$PTY_TCTI TPM_PID=$PTY_PID
expect "another device's enrollment: refused" "refused: ak_mismatch" "$T/bundle.json" "$T/other-enroll.json"

mut() {   # DESC WANT JQ-FILTER
  jq -c "$3" "$T/bundle.json" > "$T/mut.json"
  expect "tampered ($1): $2" "refused: $2" "$T/mut.json" "$T/enroll.json"
}
mut "state" nonce '.state = "failed"'
check "... saying the bundle changed after the TPM signed it" grep -q "bundle: changed after the TPM signed it" "$T/verify.err"
mut "a failure added" nonce '.failures += [{"what":"x","why":"y","critical":false}]'
mut "a service digest" nonce '.service_digests.loader = ("0" * 64)'
mut "the audit head" nonce '.audit_head = ("1" * 64)'
mut "the timestamp" nonce '.timestamp += 1'
mut "the stated PCR values" nonce '.boot_measurements.pcrs.sha256."7" = ("1" * 64)'
# the signature's last byte flipped (still a well-formed TPMT_SIGNATURE)
/usr/bin/python3 -c "
import base64, json, sys
b = json.load(open(sys.argv[1])); q = b['attestation']['quote']
s = bytearray(base64.b64decode(q['signature'])); s[-1] ^= 1
q['signature'] = base64.b64encode(bytes(s)).decode(); json.dump(b, open(sys.argv[2], 'w'))
" "$T/bundle.json" "$T/mut.json"
expect "tampered (the quote's signature): signature" "refused: signature" "$T/mut.json" "$T/enroll.json"
mut "no attestation" malformed_bundle 'del(.attestation)'
mut "another format" malformed_bundle '.format = "secprov-bundle-v0"'
jq -c '.bundle_hmac = ("0" * 64)' "$T/bundle.json" > "$T/mut.json"
expect "bundle_hmac is not the TPM's (a changed HMAC still verifies offline)" ok "$T/mut.json" "$T/enroll.json"
check "the HMAC covers the whole bundle, attestation included" /usr/bin/python3 -c "
import hmac, hashlib, json, sys
b = json.load(open(sys.argv[1])); key = open(sys.argv[2], 'rb').read()
mac = b.pop('bundle_hmac')
canon = json.dumps(b, sort_keys=True, separators=(',', ':'), ensure_ascii=False).encode()
assert hmac.new(key, canon, hashlib.sha256).hexdigest() == mac
b['attestation']['nonce'] = '00'
canon = json.dumps(b, sort_keys=True, separators=(',', ':'), ensure_ascii=False).encode()
assert hmac.new(key, canon, hashlib.sha256).hexdigest() != mac
" "$T/bundle.json" "$T/hmac.key"

# The digest as docs/attestor.md defines it, recomputed here; a bundle made
# by hand around a real quote of that digest: with the true PCR values it
# verifies (the format is what the docs say), with PCR values other than
# the quoted ones (a lying daemon: the digest covers them, the quote does
# not) it is refused.
forge() {   # JQ-FILTER OUT: the bundle changed, then quoted anew by this TPM
  jq -c "$1" "$T/bundle.json" > "$T/forge.json"
  d=$(/usr/bin/python3 -c "
import hashlib, json, sys
b = json.load(open(sys.argv[1])); b.pop('attestation', None); b.pop('bundle_hmac', None)
c = json.dumps(b, sort_keys=True, separators=(',', ':'), ensure_ascii=False).encode()
print(hashlib.sha256(b'secprov-bundle-v1' + c).hexdigest())" "$T/forge.json")
  "$SP" attest --nonce "$d" > "$T/forge-report.json"
  jq -c --slurpfile r "$T/forge-report.json" '.attestation = $r[0]' "$T/forge.json" > "$2"
}
forge '.service_digests.loader = ("a" * 64)' "$T/forged.json"
expect "a bundle quoted anew (digest recomputed from the docs): ok" ok "$T/forged.json" "$T/enroll.json"
forge '.boot_measurements.pcrs.sha256."7" = ("1" * 64)' "$T/forged.json"
expect "stated PCR values other than the quoted ones: refused" "refused: pcr_values" "$T/forged.json" "$T/enroll.json"
forge '.boot_measurements.pcrs = {}' "$T/forged.json"
expect "... none stated: ok (the claims are only what the bundle states)" ok "$T/forged.json" "$T/enroll.json"
check "... and an expected value the quote does not meet: refused" test "$(vb "$T/forged.json" "$T/enroll.json" --pcrs <(echo "{\"sha256\":{\"7\":\"$(printf '1%.0s' $(seq 64))\"}}"))" = "refused: pcr_values"

# the verifier's nonce
get '/api/v1/attest?nonce=00112233AABB'; jq .bundle "$T/body" > "$T/nonce.json"
check "?nonce=: 200, the nonce (lower case) in the bundle" test "$code $(jq -r .nonce "$T/nonce.json")" = "200 00112233aabb"
expect "a bundle with the verifier's nonce verifies with --nonce" ok "$T/nonce.json" "$T/enroll.json" --nonce 00112233aabb
expect "... not with another nonce" "refused: nonce" "$T/nonce.json" "$T/enroll.json" --nonce 00112233aabc
expect "a bundle without a nonce, asked for one: refused" "refused: nonce" "$T/bundle.json" "$T/enroll.json" --nonce 00112233aabb
check "... saying to ask with ?nonce=" grep -q "ask GET /api/v1/attest?nonce=HEX" "$T/verify.err"
# back to back on one connection: the second comes before the first's
# duration has passed again (the TPM is HTTP's at most half the time)
# (the pair again while the first is refused: an earlier request's turn)
for _ in $(seq 1 20); do
  curl -s -m 30 -o /dev/null -o /dev/null -D "$T/hdr" -w '%{http_code}\n' "$URL/api/v1/attest?nonce=01" "$URL/api/v1/attest?nonce=02" > "$T/codes"
  [ "$(head -n 1 "$T/codes")" = 200 ] && break; sleep 0.5
done
check "?nonce= back to back: 200 then 503 ($(echo $(cat "$T/codes")))" test "$(echo $(cat "$T/codes"))" = "200 503"
check "... with Retry-After" grep -qi '^Retry-After: 1' "$T/hdr"
for bad in xyz 0 "$(printf 'ab%.0s' $(seq 65))"; do
  get "/api/v1/attest?nonce=$bad"; check "?nonce=${bad:0:8}...: 400" test "$code" = 400
done

# beside loaders on the one-opener TPM: 0 fallbacks
( for _ in $(seq 1 $((ROUNDS * 2))); do refresh; done ) & RP=$!
falls=0; wrong=0
for i in $(seq 1 "$ROUNDS"); do
  printf 'v%s' "$i" | "$SP" seal "k$i" 2>>"$T/loaders.err" || falls=$((falls + 1))
  [ "$("$SP" unseal "k$i" 2>>"$T/loaders.err")" = "v$i" ] || wrong=$((wrong + 1))
done
wait $RP
grep -c -i "fall" "$T/loaders.err" > "$T/nfall" || true
check "loaders beside the refreshing daemon: every value right ($wrong wrong, $falls failed seals)" test "$wrong $falls" = "0 0"
check "... and never a fallback to legacy ($(cat "$T/nfall") lines)" test "$(cat "$T/nfall")" = 0
check "... the store they used is the TPM's" test "$("$SP" locate k1 | cut -d: -f1)" = fapi
at_stop

# expected PCRs
Z=$(printf '0%.0s' $(seq 64)); O=$(printf '1%.0s' $(seq 64))
conf "$T/p.conf" "expected_pcrs = [\"sha256:7=$Z\"];"
at_start "$T/p.conf"; get /api/v1/attest
check "expected PCR 7 = the quoted value: attested ($(jq -c .bundle.failures "$T/body"))" test "$code $(field .state)" = "200 attested"
at_stop
conf "$T/p.conf" "expected_pcrs = [\"sha256:7=$O\", \"sha256:3=$Z\"];"
at_start "$T/p.conf"; get /api/v1/attest
check "another expected value: degraded" test "$(field .state)" = degraded
check "... naming the PCR and both values" \
  test "$(jq -r '.bundle.failures[] | select(.what == "pcr sha256:7") | .why' "$T/body")" = "is $Z, expected $O"
check "... a PCR not quoted: says so" \
  test "$(jq -r '.bundle.failures[] | select(.what == "pcr sha256:3") | .why' "$T/body")" = "not in the quote: add it to attest.pcrs"
at_stop

# the TPM wedged mid-run, then back
for req in true false; do
  conf "$T/w.conf" "require_tpm = $req;"
  # require_tpm=true: the wedged TPM's probe outlasts the 5 s request
  # deadline (http_guard.c): the refresh waiting for it is still answered
  [ $req = true ] && sed -i 's|tcti = |probe_timeout_ms = 6500; call_timeout_ms = 6500; tcti = |' "$T/w.conf"
  at_start "$T/w.conf"; get /health
  check "require_tpm=$req: attested at start" test "$(field .state)" = attested
  tpm_sim_wedge
  w0=$(date +%s%N)
  ( refresh; echo "$code $(( ($(date +%s%N) - w0) / 1000000 ))" > "$T/wcode" ) & RP=$!
  sleep 0.5
  t0=$(date +%s%N); get /health; t1=$(date +%s%N)
  check "require_tpm=$req, TPM wedged: /health answers during the attestation ($(( (t1 - t0) / 1000000 )) ms)" \
    test "$code" = 200 -a $(( (t1 - t0) / 1000000 )) -lt 2000
  wait $RP || true
  read -r wcode wms < "$T/wcode"
  [ $req = true ] && check "require_tpm=true, TPM wedged: the refresh is answered (200) after $wms ms, past the 5 s request deadline" test "$wcode" = 200 -a "$wms" -gt 5000
  get /api/v1/attest
  if [ $req = true ]; then want=failed; else want=degraded; fi
  check "require_tpm=$req, TPM wedged: $want" test "$(field .state)" = $want
  check "... naming the TPM" test "$(jq -r '[.bundle.failures[].what] | index("tpm") != null' "$T/body")" = true
  kill -CONT "$TPM_PID"
  # a TPM that was stopped mid-command may need a moment to answer again
  for _ in $(seq 1 20); do refresh; [ "$(jq -r .state "$T/body")" = attested ] && break; sleep 0.5; done
  check "require_tpm=$req, TPM back: attested again" test "$(jq -r .state "$T/body")" = attested
  at_stop
done
check_done

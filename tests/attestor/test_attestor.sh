#!/usr/bin/env bash
# secprov-attestor: every transition of the state machine, each endpoint's
# answers, the token cases, the HMAC over the canonical bundle, watched
# files changed, missing, replaced by a symlink or a fifo (never followed,
# never hangs), the config group checked by `secprov config check`, a
# non-loopback listen refused, SIGTERM.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
source "$SECPROV_SRC/tests/attestor/lib.sh"
at_fixtures
C=$T/c.conf
at_config "$C"

# --- the config group ---
export SECPROV_CONFIG=$C
check "config check accepts the attestor group" "$B" config check
at_config "$T/bad.conf" 'bogus_key = 1;'
rc=0; SECPROV_CONFIG=$T/bad.conf "$B" config check >"$T/out" 2>&1 || rc=$?
check "config check names an unknown attestor key" grep -q "unknown key 'attestor.bogus_key'" "$T/out"
at_config "$T/bad.conf" 'refresh_interval_s = "5";'
rc=0; SECPROV_CONFIG=$T/bad.conf "$B" config check >"$T/out" 2>&1 || rc=$?
check "config check names a wrong type" grep -q "'attestor.refresh_interval_s' must be an integer" "$T/out"
sed -i "s|listen = \"127.0.0.1:$AT_PORT\"|listen = \"0.0.0.0:$AT_PORT\"|" "$T/bad.conf"
at_config "$T/remote.conf" ''
sed -i "s|listen = \"127.0.0.1:$AT_PORT\"|listen = \"0.0.0.0:$AT_PORT\"|" "$T/remote.conf"
rc=0; "$AD" --config "$T/remote.conf" 2>"$T/err" || rc=$?
check "a non-loopback listen is refused" test $rc = 1
check "... naming allow_remote" grep -q "not a loopback address: refused unless allow_remote = true" "$T/err"
at_config "$T/pcr.conf" 'expected_pcrs = ["sha256:7=abcd"];'
rc=0; "$AD" --config "$T/pcr.conf" 2>"$T/err" || rc=$?
check "a short PCR value is refused, naming it" grep -q "entry 'sha256:7=abcd': a sha256 value is 64 hex digits, not 4" "$T/err"
unset SECPROV_CONFIG

# --- endpoints, attested ---
check "the daemon starts" at_start "$C"
get /health; check "/health 200 ok attested" test "$code $(jq -c . "$T/body")" = '200 {"status":"ok","state":"attested"}'
get /api/v1/verify; check "/api/v1/verify 200 verified" test "$code $(jq -c . "$T/body")" = '200 {"verified":true,"state":"attested"}'
get /api/security/status
check "status: attested, 1 service, counters" test "$code $(jq -c '[.attestation_state,.service_count,.failure_count,.attest_count,.degrade_count,.fail_count,.secure_boot,.tpm_available]' "$T/body")" = '200 ["attested",1,0,1,0,0,true,false]'
check "status: last_attested set" test "$(field .last_attested)" -gt 0
get /api/v1/attest; cp "$T/body" "$T/attest.json"
check "/api/v1/attest: the bundle's members" test "$(jq -c '.bundle | [.state, .kernel_cmdline, .kernel_lockdown, .boot_measurements.secure_boot, (.service_digests|keys), (.failures|length), (.bundle_hmac|length), (.audit_head|length)]' "$T/attest.json")" = '["attested","root=/dev/mmcblk0p1 quiet","integrity",true,["loader"],0,64,64]'
check "service digest is SHA-256 of the binary" test "$(jq -r .bundle.service_digests.loader "$T/attest.json")" = "$(sha256sum < "$T/svc" | cut -d' ' -f1)"
# The HMAC: HMAC-SHA256 with the key file over the canonical bundle less bundle_hmac
hmac_of() { python3 -c '
import hmac, hashlib, json, sys
b = json.load(open(sys.argv[1]))["bundle"]; b.pop("bundle_hmac")
c = json.dumps(b, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
print(hmac.new(open(sys.argv[2], "rb").read(), c, hashlib.sha256).hexdigest())' "$@"; }
check "bundle_hmac verifies with the key" test "$(hmac_of "$T/attest.json" "$T/hmac.key")" = "$(jq -r .bundle.bundle_hmac "$T/attest.json")"
jq '.bundle.state = "attested" | .bundle.kernel_cmdline = "init=/bin/sh"' "$T/attest.json" > "$T/tampered.json"
check "a tampered bundle fails the HMAC" test "$(hmac_of "$T/tampered.json" "$T/hmac.key")" != "$(jq -r .bundle.bundle_hmac "$T/attest.json")"
rc=0; "$B" --config "$C" attestor verify >"$T/out" 2>&1 || rc=$?
check "secprov attestor verify: exit 0 when attested" test "$rc $(cat "$T/out")" = "0 attestor: attested"
check "python Client: verify() True, status() attested, refresh(wrong) 401, attest(bad nonce) 400, attest(nonce) signs it in, attest()" test "$(python3 "$SECPROV_SRC/tests/attestor/client_check.py" "$URL" "$SECPROV_SRC")" = "True attested 401 400 0011 attested"
get /api/v1/nope; check "unknown path 404" test "$code" = 404
post /health; check "/health POST 405" test "$code" = 405
get /api/v1/refresh; check "refresh GET 405" test "$code" = 405
head -c 100000 /dev/zero > "$T/big"
post /api/v1/refresh --data-binary @"$T/big" -H 'Authorization: Bearer s3cret-token'
check "an oversized body is 413" test "$code" = 413

# --- tokens ---
post /api/v1/refresh; check "refresh without a token: 401" test "$code" = 401
post /api/v1/refresh -H 'Authorization: Bearer wrong'; check "wrong token: 401" test "$code" = 401
post /api/v1/refresh -H 'Authorization: Bearer s3cret-tokenX'; check "token with a suffix: 401" test "$code" = 401
refresh; check "right token: 200 and the new bundle" test "$code $(field .state)" = "200 attested"
check "refresh counted (start, the Python client's nonce attestation, this)" test "$(curl -s "$URL/api/security/status" | jq .attest_count)" = 3
chmod 640 "$T/token"; refresh
check "a token file readable by the group: refused (403)" test "$code" = 403
check "... and the log says why" grep -q "mode 640 lets other users at it" "$T/daemon.err"
chmod 600 "$T/token"
if [ "$(id -u)" = 0 ]; then
  chown 65534 "$T/token"; refresh
  check "a token file owned by another user: refused (403)" test "$code" = 403
  chown 0 "$T/token"
else
  echo "SKIP a token file owned by another user: needs root (chown)"
fi
ln -sf "$T/token" "$T/token.link"
refresh; check "token back in order: 200" test "$code" = 200

# --- transitions: attested -> degraded -> attested ---
echo "tampered" >> "$T/svc"; refresh
check "a changed binary: degraded" test "$code $(field .state) $(field '.failures[0].what') $(field '.failures[0].why')" = "200 degraded loader changed since the attestor started"
rc=0; "$B" --config "$C" attestor verify >"$T/out" 2>&1 || rc=$?
check "secprov attestor verify: exit 1 when degraded" test "$rc $(cat "$T/out")" = "1 attestor: degraded"
get /api/v1/verify; check "/api/v1/verify 503 when degraded" test "$code $(jq -c . "$T/body")" = '503 {"verified":false,"state":"degraded"}'
echo "binary one" > "$T/svc"; refresh
check "binary restored: attested again" test "$(field .state)" = attested
rm "$T/pol"; refresh
check "a missing policy file: degraded, naming it" test "$(field .state) $(field '.failures[0].what')" = "degraded policy_files"
check "... with errno" test "$(field '.failures[0].why')" = "$T/pol: No such file or directory"
echo "policy" > "$T/pol.real"; ln -s "$T/pol.real" "$T/pol"; refresh
check "a symlinked policy file is never followed: degraded" test "$(field .state) $(field '.failures[0].why')" = "degraded $T/pol: a symbolic link (never followed)"
rm "$T/pol"; mkfifo "$T/pol"
start=$(date +%s%N); refresh; ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "a fifo never hangs: answered in ${ms} ms (< 2000)" test "$code" = 200 -a "$ms" -lt 2000
check "... and is not a regular file" test "$(field '.failures[0].why')" = "$T/pol: not a regular file"
rm "$T/pol"; echo "policy" > "$T/pol"; refresh
check "policy file back: attested" test "$(field .state)" = attested

# --- transitions: -> failed -> attested (require_secure_boot) ---
at_stop; check "SIGTERM: exit 0" test "$AT_RC" = 0
check "SIGTERM: a stop line in the audit log" test "$(tail -1 "$T/audit/audit.jsonl" | jq -r .event)" = stop
at_config "$C" 'require_secure_boot = true;'
printf '\x06\x00\x00\x00\x00' > "$SB"
check "restart with Secure Boot off" at_start "$C"
get /api/v1/verify; check "require_secure_boot and Secure Boot off: failed (503)" test "$code $(field .state)" = "503 failed"
get /api/v1/attest; check "... the failure is critical and named" test "$(jq -c '.bundle.failures[0] | [.what,.why,.critical]' "$T/body")" = '["secure_boot","Secure Boot is off",true]'
rm "$SB"; refresh
check "no SecureBoot variable: still failed" test "$(field .state)" = failed
printf '\x06\x00\x00\x00\x01' > "$SB"; refresh
check "Secure Boot on again: failed is left for attested" test "$(field .state)" = attested
get /api/security/status
check "counters: 3 attestations, 2 failed, 0 degraded" test "$(jq -c '[.attest_count,.fail_count,.degrade_count]' "$T/body")" = '[3,2,0]'
at_stop
at_config "$C" 'require_tpm = true;'
check "restart with require_tpm" at_start "$C"
get /api/v1/verify; check "require_tpm and no TPM read: failed" test "$code $(field .state)" = "503 failed"
at_stop
rc=0; "$B" --config "$C" attestor verify >"$T/out" 2>&1 || rc=$?
check "secprov attestor verify: exit 1 with no daemon, naming where" grep -q "cannot reach the attestor at 127.0.0.1:$AT_PORT" "$T/out"
check "the audit chain verifies after all of it (secprov attestor audit-verify)" "$B" attestor audit-verify "$T/audit/audit.jsonl"
check "state changes are in the audit log" test "$(jq -r 'select(.event=="state_change") | .to' "$T/audit/audit.jsonl" | tr '\n' ' ')" = "attested degraded attested degraded attested failed attested failed "
nref=6; [ "$(id -u)" = 0 ] || nref=5   # the foreign-owned token case needs root
check "refusals name the requester ($nref)" test "$(jq -r 'select(.event=="refresh_refused") | .requester' "$T/audit/audit.jsonl" | grep -c '^127.0.0.1:')" = $nref

# the audit log's own folder is made on first start (0700, one level only)
at_config "$C" "audit_log = \"$T/new/audit.jsonl\";"
sed -i "0,/audit_log = \"$(printf '%s' "$T" | sed 's/[\/&]/\\&/g')\/audit\/audit.jsonl\";/s///" "$C"
check "a missing audit folder: made, the daemon attested" at_start "$C"
get /health; check "... state attested" test "$(field .state)" = attested
check "... the folder 0700" test "$(stat -c %a "$T/new")" = 700
at_stop
at_config "$C" "audit_log = \"$T/no/such/audit.jsonl\";"
sed -i "0,/audit_log = \"$(printf '%s' "$T" | sed 's/[\/&]/\\&/g')\/audit\/audit.jsonl\";/s///" "$C"
at_start "$C"; get /api/v1/attest
check "a missing parent above it: degraded, naming the log" test "$(jq -r '[.bundle.failures[] | select(.what == "audit_log") | .why][0]' "$T/body")" = "audit log $T/no/such/audit.jsonl: No such file or directory"
at_stop
check_done

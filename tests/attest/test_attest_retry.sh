#!/usr/bin/env bash
# A PCR that changes between the quote and the PCR read (tests/tools/mitmtpm
# with MITM_EXTEND_AFTER_QUOTE=N extends PCR 7 right after each of the first
# N quotes, as another process measuring something would): the values read
# no longer match the quote's digest, so secprov quotes again. N=1: the
# report is made with a second quote and verifies, its values the signed
# ones; N=4 (QUOTE_TRIES): the call fails with SECPROV_ERR_BUSY, no report.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
SP=$SECPROV_BUILD/bin/secprov
export TSS2_LOG=all+none
source "$SECPROV_SRC/tests/tools/relay.sh"
tpm_sim_socket "$T/s"
echo "tpm = { devices = [\"$T/tpm0\"]; tcti = \"device:$T/tpm0\"; state_dir = \"$T/state\"; };" > "$T/c.conf"
A="$SP --config $T/c.conf --provider tpm"

relay_start
$A attest enroll > "$T/enroll.json"
relay_stop

relay_start MITM_EXTEND_AFTER_QUOTE=1
$A --log-level info attest --nonce 01020304 > "$T/rep.json" 2>"$T/err"
relay_stop
quotes=$(grep -c '^cmd 00000158$' "$T/relay.log")
[ "$quotes" = 2 ] && grep -q "the PCRs changed during a quote; 2 quotes made" "$T/err" &&
  ok "PCR 7 extended after the first quote: quoted again (2 quotes)" ||
  fail "retry: $quotes quotes, $(cat "$T/err")"
[ "$("$SP" verify "$T/rep.json" --nonce 01020304 --enrollment "$T/enroll.json")" = ok ] &&
  ok "the report of the second quote verifies" || fail "the report of the retry does not verify"
/usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r['zero_pcrs']==[] else 1)" "$T/rep.json" &&
  ok "its PCR 7 value is the extended one" || fail "PCR 7 value of the retry"

relay_start MITM_EXTEND_AFTER_QUOTE=4
rc=0; $A attest --nonce 01020304 > "$T/out" 2>"$T/err" || rc=$?
relay_stop
quotes=$(grep -c '^cmd 00000158$' "$T/relay.log")
[ "$rc" = 1 ] && [ ! -s "$T/out" ] && [ "$quotes" = 4 ] &&
  grep -q "device or resource busy\|busy" "$T/err" && grep -q "the PCRs changed during each of 4 quotes" "$T/err" &&
  ok "PCR 7 changing during every quote: SECPROV_ERR_BUSY after 4 quotes, no report" ||
  fail "always changing: rc $rc, $quotes quotes, $(cat "$T/err")"
check_done

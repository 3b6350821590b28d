#!/usr/bin/env bash
# tests/attest/test_attest_api against a private swtpm (provider tpm, with
# attest.pcrs on two banks), then with provider legacy; and a bad
# attest.pcrs is a clear SECPROV_ERR_CONFIG naming the setting.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
dir=$SECPROV_TEST_TMP
tpm_sim_socket "$dir/tpm"
for p in tpm legacy; do
  mkdir -p "$dir/$p"
  tpm_sim_config "$dir/$p/secprov.conf"
  echo 'attest = { pcrs = "sha256:0,7+sha1:7"; };' >> "$dir/$p/secprov.conf"
  echo "--- provider $p"
  check "C API, provider $p" env SECPROV_CONFIG="$dir/$p/secprov.conf" SECURITY_PROVIDER=$p \
    EXPECT_PROVIDER=$p "$SECPROV_BUILD/tests/attest/test_attest_api"
done
tpm_sim_config "$dir/bad.conf" tpm
echo 'attest = { pcrs = "sha256:7,24"; };' >> "$dir/bad.conf"
if "$SECPROV_BUILD/bin/secprov" --config "$dir/bad.conf" attest --nonce 00 2>"$dir/err"; then
  fail "attest.pcrs with PCR 24 accepted"
else
  grep -q "attest.pcrs 'sha256:7,24': PCR numbers are 0 to 23" "$dir/err" &&
    ok "bad attest.pcrs: a clear error" || fail "bad attest.pcrs: $(cat "$dir/err")"
fi
echo 'attest = { pcrz = "sha256:7"; };' > "$dir/typo.conf"
if "$SECPROV_BUILD/bin/secprov" --config "$dir/typo.conf" info >/dev/null 2>"$dir/err"; then
  fail "unknown key attest.pcrz accepted"
else
  grep -q "unknown key 'attest.pcrz'" "$dir/err" && ok "unknown attest key refused" || fail "$(cat "$dir/err")"
fi
check_done

#!/usr/bin/env bash
# AC-2 (API): test_roundtrip against a private swtpm behind a pseudo-terminal
# (the production device: TCTI), once with provider tpm, once with legacy.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
dir=$SECPROV_TEST_TMP
tpm_sim_pty "$dir/tpm"
for p in tpm legacy; do
  mkdir -p "$dir/$p"
  tpm_sim_config "$dir/$p/secprov.conf"
  echo "--- provider $p"
  SECPROV_CONFIG=$dir/$p/secprov.conf SECURITY_PROVIDER=$p EXPECT_PROVIDER=$p \
    "$SECPROV_BUILD/tests/tpm/test_roundtrip"
done

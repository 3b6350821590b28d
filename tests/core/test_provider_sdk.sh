#!/usr/bin/env bash
# The provider SDK: an out-of-tree provider (examples/provider/), built
# against the INSTALLED SDK with pkg-config only, installed into the
# provider folder pkg-config names, is loaded by name (option, environment
# and config) and passes the same API round-trip test as the in-tree ones
# (tests/tpm/test_roundtrip). Its config group is checked against its
# declared keys; a name with no module, a group for no installed module,
# and a path as a name are SECPROV_ERR_CONFIG naming what and where.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
P=$T/prefix
install_to "" "$P"
export PKG_CONFIG_PATH=$P/lib/pkgconfig
check "the SDK header is installed" test -f "$P/include/secprov_provider.h"
check "pkg-config names the provider folder" test "$(pkg-config --variable=providerdir secprov)" = "$P/lib/secprov"
# A cross build (check-arm64) builds the example with the same compiler.
cc=${CC:-cc}; [ "${SECPROV_ARCH:-}" = arm64 ] && cc=aarch64-linux-gnu-gcc
make -s -C "$SECPROV_SRC/examples/provider" CC="$cc" OUT="$T" install >/dev/null
check "example_file.so installed beside tpm.so and legacy.so" test -x "$P/lib/secprov/example_file.so"
check "example_file.so imports no secprov_ symbol" \
  test "$(nm -D --undefined-only "$P/lib/secprov/example_file.so" | grep -c ' secprov_' || true)" = 0

mkdir -p "$T/state"; chmod 700 "$T/state"
printf 'tpm = { devices = ["%s/none"]; };\nlegacy = { state_dir = "%s/legacy"; };\nexample_file = { state_dir = "%s/state/ex"; };\n' \
  "$T" "$T" "$T" > "$T/c.conf"
export SECPROV_PROVIDER_DIR=$P/lib/secprov SECPROV_CONFIG=$T/c.conf
check "the round-trip test passes on example_file (by SECURITY_PROVIDER)" \
  env SECURITY_PROVIDER=example_file EXPECT_PROVIDER=example_file "$SECPROV_BUILD/tests/tpm/test_roundtrip"
run() { rc=0; "$B" "$@" > "$T/out" 2> "$T/err" || rc=$?; }
printf 'v1' > "$T/v"
run --provider example_file seal a "$T/v"
check "the command seals by --provider example_file" test $rc = 0
run --provider example_file info
check "info: provider example_file, its state_dir" \
  grep -qx "provider: example_file" "$T/out" && grep -qx "state_dir: $T/state/ex" "$T/out"
printf 'provider = "example_file";\nexample_file = { state_dir = "%s/state/ex"; };\n' "$T" > "$T/named.conf"
rc=0; SECPROV_CONFIG=$T/named.conf "$B" unseal a > "$T/out" 2>&1 || rc=$?
check "provider = \"example_file\" in the config: unseals" test $rc = 0 -a "$(cat "$T/out")" = v1

run --provider nosuch info
check "a name with no module: exit 1" test $rc = 1
check "... names the provider and the folder" grep -q "provider 'nosuch' (options) is not installed.*$P/lib/secprov/nosuch.so" "$T/err"
rc=0; SECURITY_PROVIDER=../tpm "$B" info 2> "$T/err" || rc=$?
check "a path as a name: refused" test $rc = 1 && grep -q "unknown provider '../tpm'" "$T/err"
printf 'example_file = { state_dir = "%s/state/ex"; stat_dir = "x"; };\n' "$T" > "$T/typo.conf"
rc=0; SECPROV_CONFIG=$T/typo.conf "$B" --provider example_file info 2> "$T/err" || rc=$?
check "a typo in the provider's group: refused naming file, line and key" \
  grep -q "$T/typo.conf:1: unknown key 'example_file.stat_dir'" "$T/err"
# Its own key, its own check (config_check), at open and by config check.
printf 'example_file = { state_dir = "%s/state/ex";\n  max_size = 0; };\n' "$T" > "$T/max.conf"
rc=0; SECPROV_CONFIG=$T/max.conf "$B" --provider example_file info 2> "$T/err" || rc=$?
check "example_file.max_size = 0: refused at open naming file and line" \
  grep -q "$T/max.conf:2: 'example_file.max_size' must be 1 to 16777216, not 0" "$T/err"
rc=0; SECPROV_CONFIG=$T/max.conf "$B" config check > "$T/out" 2> "$T/err" || rc=$?
check "... and by secprov config check, exit 1 (got $rc)" \
  test $rc = 1 && grep -qx "example_file: error: $T/max.conf:2: 'example_file.max_size' must be 1 to 16777216, not 0" "$T/out"
printf 'example_file = { state_dir = "%s/state/ex"; max_size = 4; };\n' "$T" > "$T/small.conf"
printf '12345' > "$T/five"
rc=0; SECPROV_CONFIG=$T/small.conf "$B" --provider example_file seal big "$T/five" 2> "$T/err" || rc=$?
check "... max_size = 4 refuses a 5-byte secret naming the key" \
  test $rc = 1 && grep -q "more than example_file.max_size (4)" "$T/err"
rc=0; "$B" config check > "$T/out" 2> "$T/err" || rc=$?
check "config check of the installed SDK's folder: every module ok (got $rc: $(cat "$T/out"))" \
  test $rc = 0 && grep -qx "example_file: ok" "$T/out" && grep -qx "legacy: ok" "$T/out"
printf 'other_mod = { x = 1; };\n' > "$T/nomod.conf"
rc=0; SECPROV_CONFIG=$T/nomod.conf "$B" info 2> "$T/err" || rc=$?
check "a group for no installed module: refused naming it and the folder" \
  grep -q "$T/nomod.conf:1: unknown key 'other_mod' (no provider module other_mod.so in $P/lib/secprov)" "$T/err"
check_done

#!/usr/bin/env bash
# make install PREFIX DESTDIR: the paths of the contract, a versioned soname,
# only secprov_* exported, libsecprov.so free of libtss2 and libcrypto, one
# exported symbol per provider, a working pkg-config file, and an installed
# secprov that finds its providers with no environment variable.
set -euo pipefail
T=$SECPROV_TEST_TMP
D=$T/dest
P=/opt/secprov-test
make -s -C "$SECPROV_SRC" BUILD="$SECPROV_BUILD" install PREFIX=$P DESTDIR="$D" >/dev/null
source "$SECPROV_SRC/tests/tools/check.sh"
for f in include/secprov.h lib/libsecprov.so lib/libsecprov.so.0 lib/secprov/tpm.so \
         lib/secprov/legacy.so lib/pkgconfig/secprov.pc bin/secprov; do
  check "installed $f" test -e "$D$P/$f"
done
check "soname libsecprov.so.0" sh -c "readelf -d '$D$P/lib/libsecprov.so' | grep -q 'SONAME.*libsecprov.so.0'"
check "libsecprov.so does not link libtss2" sh -c "! readelf -d '$D$P/lib/libsecprov.so' | grep -q libtss2"
check "libsecprov.so does not link libcrypto" sh -c "! readelf -d '$D$P/lib/libsecprov.so' | grep -q libcrypto"
others=$(nm -D --defined-only "$D$P/lib/libsecprov.so" | awk '$3 !~ /^secprov_/ && $3 != "SECPROV_0" {print $3}')
check "libsecprov.so exports only secprov_*" test -z "$others"
for p in tpm legacy; do
  syms=$(nm -D --defined-only "$D$P/lib/secprov/$p.so" | awk '{print $3}' | tr '\n' ' ')
  check "$p.so exports only secprov_provider_entry" test "$syms" = "secprov_provider_entry "
done
check "pkg-config file" sh -c "PKG_CONFIG_PATH='$D$P/lib/pkgconfig' pkg-config --libs secprov | grep -q -- '-lsecprov'"
printf 'tpm = { devices = ["%s/none"]; };\nlegacy = { state_dir = "%s/legacy"; };\n' "$T" "$T" > "$T/c.conf"
out=$(env -u SECPROV_PROVIDER_DIR SECPROV_CONFIG=$T/c.conf "$D$P/bin/secprov" info)
check "installed secprov finds its providers" grep -qx 'provider: legacy' <<<"$out"
check_done

#!/usr/bin/env bash
# make install: libsecprov_verify (versioned soname, only secprov_verify_*
# exported, of tpm2-tss only libtss2-mu linked: no TPM access), its header
# and pkg-config file (a program builds and runs against the install), and
# libsecprov still free of libtss2 and libcrypto.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
D=$T/dest P=/opt/secprov-test
install_to "$D" "$P"
L=$D$P/lib/libsecprov_verify.so
for f in include/secprov_verify.h lib/libsecprov_verify.so lib/libsecprov_verify.so.0 \
         lib/pkgconfig/secprov_verify.pc; do
  check "installed $f" test -e "$D$P/$f"
done
check "soname libsecprov_verify.so.0" sh -c "readelf -d '$L' | grep -q 'SONAME.*libsecprov_verify.so.0'"
tss=$(readelf -d "$L" | grep -o 'libtss2[^]]*' | tr '\n' ' ')
check "libsecprov_verify links libtss2-mu only of tpm2-tss (got: $tss)" test "$tss" = "libtss2-mu.so.0 "
check "libsecprov_verify links libcrypto" sh -c "readelf -d '$L' | grep -q 'NEEDED.*libcrypto'"
others=$(nm -D --defined-only "$L" | awk '$3 !~ /^secprov_verify_/ && $3 != "SECPROV_VERIFY_0" {print $3}')
check "libsecprov_verify exports only secprov_verify_* (others: $others)" test -z "$others"
check "libsecprov.so still links neither libtss2 nor libcrypto" \
  sh -c "! readelf -d '$D$P/lib/libsecprov.so' | grep -qE 'libtss2|libcrypto'"
if [ "${SECPROV_ARCH:-}" = arm64 ]; then
  echo "SKIP building against the install: native compiler, arm64 library"
else
  cat > "$T/use.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <secprov_verify.h>
int main(void)
{
    char detail[128];
    int rc = secprov_verify_report("{}", "n", 1, "{}", NULL, detail, sizeof detail);
    printf("%s %s\n", secprov_verify_reason(rc), detail);
    return rc == SECPROV_VERIFY_MALFORMED_ENROLLMENT ? 0 : 1;
}
C
  flags=$(PKG_CONFIG_PATH="$D$P/lib/pkgconfig" pkg-config --cflags --libs secprov_verify |
          sed "s|$P|$D$P|g")
  san=()   # a sanitizer build's library needs its runtime first
  readelf -dW "$L" | grep -q "NEEDED.*libasan" && san=(-fsanitize=address,undefined)
  cc "${san[@]}" -o "$T/use" "$T/use.c" $flags -Wl,-rpath,"$D$P/lib"
  out=$("$T/use")
  check "a program built with pkg-config secprov_verify runs (got: $out)" \
    test "$out" = "malformed_enrollment enrollment: no field 'format'"
fi
check_done

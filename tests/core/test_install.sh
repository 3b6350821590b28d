#!/usr/bin/env bash
# make install PREFIX DESTDIR: the paths of the contract, a versioned soname,
# only secprov_* exported, libsecprov.so free of libtss2 and libcrypto, one
# exported symbol per provider, a working pkg-config file, and an installed
# secprov that finds its providers with no environment variable; the Python
# package in PREFIX/lib/python3/dist-packages, recording the library's path,
# and (installed without DESTDIR) finding that library with no environment.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
D=$T/dest P=/opt/secprov-test
install_to "$D" "$P"
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
PYSITE=lib/python3/dist-packages
for f in __init__.py _ffi.py _lib.py errors.py legacy.py provider.py secret.py security_provider.py py.typed; do
  check "installed $PYSITE/secprov/$f" test -e "$D$P/$PYSITE/secprov/$f"
done
check "the package records the installed library" \
  grep -qx "LIBRARY = \"$P/lib/libsecprov.so.0\"" "$D$P/$PYSITE/secprov/_install.py"
pyc=$(ls "$D$P/$PYSITE/secprov/__pycache__/" 2>/dev/null | grep -c '\.cpython-[0-9]*\.pyc$' || true)
srcs=$(ls "$D$P/$PYSITE/secprov/" | grep -c '\.py$')
check "the package is byte-compiled at install ($pyc .pyc for $srcs .py)" test "$pyc" = "$srcs"
check "its bytecode names the installed path, not DESTDIR" \
  sh -c "! grep -qa -- '$D' '$D$P/$PYSITE/secprov/__pycache__/'*.pyc"
LIB=$SECPROV_BUILD/lib/libsecprov.so.0
if [ -n "${SECPROV_ARCH:-}" ] || [ "$(nm -D --undefined-only "$LIB" | grep -c __asan_ || true)" != 0 ]; then
  echo "SKIP importing the installed Python package (${SECPROV_ARCH:-ASan} build)"
else
  P2=$T/prefix
  install_to "" "$P2"
  pyout=$(cd / && env -u SECPROV_LIBRARY -u SECPROV_PROVIDER_DIR PYTHONPATH="$P2/$PYSITE" \
    SECPROV_CONFIG=$T/c.conf /usr/bin/python3 -c 'import secprov
with secprov.open() as sp: print(secprov.library_path, sp.name)' 2>&1) || true
  check "installed package finds the installed library, no environment ($pyout)" \
    test "$pyout" = "$P2/lib/libsecprov.so.0 legacy"
  used=$(PYTHONPATH="$P2/$PYSITE" /usr/bin/python3 -v -c 'import secprov.provider' 2>&1 |
    grep -c "^# code object from '$P2/$PYSITE/secprov/__pycache__/" || true)
  check "the installed package is imported from its bytecode ($used modules)" test "$used" -ge 5
  make -s -C "$SECPROV_SRC" BUILD="$SECPROV_BUILD" uninstall PREFIX="$P2" >/dev/null
  check "uninstall removes the package" test ! -e "$P2/$PYSITE/secprov"
fi
check_done

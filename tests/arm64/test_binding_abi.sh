#!/usr/bin/env bash
# The Python binding's ctypes declarations against this build's ABI: a C
# program compiled for the build's target (aarch64 in check-arm64, run under
# qemu; the host otherwise) prints the sizes, offsets and values the binding
# assumes, and python/secprov/_ffi.py (read on its own with the host's
# Python: it loads no library) prints what it declares; both must be equal
# (an LP64 host's ctypes sizes are arm64's). The build's libsecprov.so.0 must
# export every function the binding declares.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
"$SECPROV_BUILD/tests/arm64/binding_abi" | sort > "$T/c.txt"
"$PY" "$SECPROV_SRC/python/secprov/_ffi.py" | sort > "$T/py.txt"
check "C side printed its ABI ($(wc -l < "$T/c.txt") lines)" test "$(wc -l < "$T/c.txt")" -ge 40
# Every line the C side prints must be the binding's; every size/offset line
# of the binding must be printed by the C side. (A status code the C program
# does not list yet is checked against the header by test_constants.py.)
notpy=$(comm -23 "$T/c.txt" "$T/py.txt")
grep -E '^(sizeof|offsetof|fieldsize)_' "$T/py.txt" > "$T/py-layout.txt"
notc=$(comm -23 "$T/py-layout.txt" "$T/c.txt")
if [ -z "$notpy" ] && [ -z "$notc" ]; then
  ok "binding's sizes, offsets and values = the ${SECPROV_ARCH:-native} build's"
else
  fail "binding differs from the ${SECPROV_ARCH:-native} build: C says [$(tr '\n' ' ' <<<"$notpy")], binding says [$(tr '\n' ' ' <<<"$notc")]"
fi
readelf --dyn-syms -W "$SECPROV_BUILD/lib/libsecprov.so.0" | awk '$7 != "UND" {print $8}' | sed 's/@.*//' | sort -u > "$T/exported"
"$PY" - "$SECPROV_SRC/python/secprov/_ffi.py" > "$T/declared" <<'PY'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("_ffi", sys.argv[1])
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
print("\n".join(sorted(m.PROTOTYPES)))
PY
missing=$(comm -23 "$T/declared" "$T/exported" | tr '\n' ' ')
check "libsecprov.so.0 exports all $(wc -l < "$T/declared") functions the binding declares${missing:+ (missing: $missing)}" test -z "$missing"
check_done

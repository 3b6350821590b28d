#!/usr/bin/env bash
# ARM64 build: every shipped binary and every test program is an aarch64 ELF
# (file says "ARM aarch64"), the library's ABI is what an arm64 loader
# expects, and arm64 programs really run here (under qemu-aarch64).
# Run by `make check-arm64` (tests/arm64/module.mk) on build-arm64/.
set -euo pipefail
b=${SECPROV_BUILD:?}
fails=0
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

shipped=("$b/lib/libsecprov.so" "$b/lib/secprov/tpm.so" "$b/lib/secprov/legacy.so" "$b/bin/secprov")
for f in "${shipped[@]}"; do
  [ -e "$f" ] || { bad "$f not built"; continue; }
  d=$(file -bL "$f")
  case "$d" in
    "ELF 64-bit LSB "*", ARM aarch64, "*) echo "ok: ${f#"$b"/}: $d" ;;
    *) bad "${f#"$b"/} is not an aarch64 ELF: $d" ;;
  esac
done

# Every ELF file in the build (tests included): aarch64, never x86-64.
n=0
while IFS= read -r -d '' f; do
  d=$(file -b "$f")
  case "$d" in
    ELF*", ARM aarch64, "*) n=$((n + 1)) ;;
    ELF*) bad "${f#"$b"/} is not aarch64: $d" ;;
  esac
done < <(find "$b/lib" "$b/bin" "$b/tests" -type f -print0 2>/dev/null)
echo "ok: $n ELF files in the build, all aarch64"

# Dynamic linking as on the device: the aarch64 loader, the soname, and
# libsecprov.so does not need libtss2 (only tpm.so does).
interp=$(readelf -lW "$b/bin/secprov" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
[ "$interp" = /lib/ld-linux-aarch64.so.1 ] || bad "secprov interpreter is '$interp'"
soname=$(readelf -dW "$b/lib/libsecprov.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libsecprov.so.0 ] || bad "libsecprov.so soname is '$soname'"
if readelf -dW "$b/lib/libsecprov.so" | grep -q 'NEEDED.*libtss2'; then
  bad "libsecprov.so links libtss2"
fi
readelf -dW "$b/lib/secprov/tpm.so" 2>/dev/null | grep -q 'NEEDED.*libtss2-esys' || bad "tpm.so does not link libtss2-esys"
if readelf -dW "$b/lib/secprov/tpm.so" | grep -q 'NEEDED.*libtss2-fapi'; then
  bad "tpm.so links libtss2-fapi (it is dlopen()ed to provision only)"
fi

# Exports: libsecprov only secprov_*, each provider exactly its entry symbol.
exports() { readelf -W --dyn-syms "$1" | awk '$7 != "UND" && $7 != "ABS" && $5 == "GLOBAL" && ($4 == "FUNC" || $4 == "OBJECT") {print $8}' | sed 's/@.*//' | sort -u; }
other=$(exports "$b/lib/libsecprov.so" | grep -v '^secprov_' || true)
[ -z "$other" ] || bad "libsecprov.so exports non-secprov_ symbols: $other"
for p in tpm legacy; do
  [ -e "$b/lib/secprov/$p.so" ] || continue
  e=$(exports "$b/lib/secprov/$p.so" | tr '\n' ' ')
  [ "$e" = "secprov_provider_entry " ] || bad "$p.so exports '$e', want secprov_provider_entry only"
done

# JetPack 6 is Ubuntu 22.04: glibc 2.35. Debian 12 (here) has 2.36, so a
# binary must not ask for a newer symbol version than the device has.
max_glibc=${SECPROV_ARM64_MAX_GLIBC:-2.35}
for f in "${shipped[@]}"; do
  [ -e "$f" ] || continue
  need=$(readelf -W --dyn-syms "$f" | grep -o '@GLIBC_2\.[0-9.]*' | sed 's/@GLIBC_//' | sort -uV | tail -n 1)
  if [ -n "$need" ] && [ "$(printf '%s\n%s\n' "$need" "$max_glibc" | sort -V | tail -n 1)" != "$max_glibc" ]; then
    bad "${f#"$b"/} needs GLIBC_$need, newer than the device's $max_glibc"
  fi
  echo "ok: ${f#"$b"/} needs glibc ${need:-none} (device: $max_glibc)"
done

# arm64 code runs here, through qemu-aarch64 (binfmt_misc or explicit).
out=$("$b/bin/secprov" --help 2>&1) || bad "arm64 secprov --help failed: $out"
echo "ok: arm64 secprov --help ran ($(printf '%s\n' "$out" | head -n 1))"

[ $fails -eq 0 ] || { echo "$fails check(s) failed" >&2; exit 1; }
echo "all ELF checks passed"

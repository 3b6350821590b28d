#!/usr/bin/env bash
# Make this (x86-64) kernel run aarch64 ELF files through qemu-aarch64, so the
# arm64 test programs, and the shell tests that start arm64 binaries, run
# unchanged: registers Debian's qemu-user-binfmt entry with binfmt_misc.
# Needs root (as `make check` does for packages); prints the fix otherwise.
#   tests/arm64/binfmt.sh          register if needed, then prove it works
set -euo pipefail

bm=/proc/sys/fs/binfmt_misc
conf=/usr/lib/binfmt.d/qemu-aarch64.conf   # from qemu-user-binfmt
probe=/lib/ld-linux-aarch64.so.1            # from libc6:arm64; runs by itself

works() { "$probe" --version >/dev/null 2>&1; }

works && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "secprov: this kernel does not run aarch64 programs. As root run:" >&2
  echo "  mount -t binfmt_misc binfmt_misc $bm  # if not mounted" >&2
  echo "  grep -v '^#' $conf > $bm/register" >&2
  exit 1
fi
[ -r "$conf" ] || { echo "secprov: $conf missing (install qemu-user-binfmt: scripts/deps.sh arm64)" >&2; exit 1; }
[ -x "$probe" ] || { echo "secprov: $probe missing (install libc6:arm64: scripts/deps.sh arm64)" >&2; exit 1; }

if [ ! -e "$bm/register" ]; then
  mount -t binfmt_misc binfmt_misc "$bm"
fi
[ "$(cat "$bm/status")" = enabled ] || echo 1 > "$bm/status"
if [ ! -e "$bm/qemu-aarch64" ]; then
  grep -v '^#' "$conf" > "$bm/register"
  echo "secprov: registered qemu-aarch64 with binfmt_misc ($conf)" >&2
fi
if ! works; then
  echo "secprov: aarch64 programs still do not run: $probe --version failed" >&2
  "$probe" --version >&2 || true
  exit 1
fi

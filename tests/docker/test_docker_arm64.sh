#!/usr/bin/env bash
# make check-docker-arm64: the image from docker/Dockerfile, unchanged, built
# for arm64 (the Jetson) on this x86-64 machine, every RUN step under
# qemu-user, then run: `secprov` in it is an aarch64 program, with no device
# it says provider legacy and seals/unseals, and with the pseudo-terminal
# swtpm passed in as /dev/tpmrm0 it says provider tpm and seals/unseals.
# Not in CI (emulated apt and compiler: slow); run as root.
#
# How, with no registry and no Docker engine:
#  - a static qemu-aarch64 (from Debian's qemu-user-static, unpacked into
#    $SECPROV_BUILD/docker-arm64, not installed: it conflicts with the
#    qemu-user-binfmt that make check-arm64 uses) is registered with
#    binfmt_misc with the F flag, so it also runs inside containers; the
#    entry is removed on exit;
#  - the arm64 base image is a debootstrap --foreign rootfs finished under
#    that qemu, imported with --arch arm64 into a podman storage of its own.
set -euo pipefail

src=${SECPROV_SRC:?}; build=${SECPROV_BUILD:?}; tmp=${SECPROV_TEST_TMP:?}
[ "$(id -u)" -eq 0 ] || { echo "check-docker-arm64: needs root" >&2; exit 1; }
# shellcheck source=/dev/null
source "$src/docker/podman-env.sh"
# shellcheck source=/dev/null
source "$src/tests/tools/tpm_sim.sh"
work=$build/docker-arm64
mkdir -p "$work"
podman_env "$work/podman"
IMG=localhost/secprov:arm64
fails=0
ok()   { echo "ok: $*"; }
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# --- a static qemu-aarch64, registered with the F (fix binary) flag ----------
bm=/proc/sys/fs/binfmt_misc
entry=secprov-aarch64-static
qemu=$work/qemu/usr/bin/qemu-aarch64-static
if [ ! -x "$qemu" ]; then
  (cd "$work" && rm -f qemu-user-static_*.deb && apt-get download qemu-user-static >/dev/null)
  dpkg-deb -x "$work"/qemu-user-static_*.deb "$work/qemu"
fi
[ -e "$bm/register" ] || mount -t binfmt_misc binfmt_misc "$bm"
[ -e "$bm/$entry" ] && echo -1 > "$bm/$entry"
magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
echo ":$entry:M::$magic:$mask:$qemu:F" > "$bm/register"
cleanup() { tpm_sim_stop; [ -e "$bm/$entry" ] && echo -1 > "$bm/$entry"; return 0; }
trap cleanup EXIT

# --- the arm64 base images --------------------------------------------------------
t0=$(date +%s)
if ! "${PODMAN[@]}" image exists docker.io/library/debian:bookworm; then
  tarball=$work/bookworm-arm64-minbase.tar
  if [ ! -s "$tarball" ]; then
    mirror=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
               /etc/apt/sources.list.d/*.sources 2>/dev/null |
             grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -n1 | tr -d ' ' || true)
    [ -n "$mirror" ] || { echo "check-docker-arm64: no Debian mirror in /etc/apt/sources.list*" >&2; exit 1; }
    root=$(mktemp -d "$work/rootfs.XXXXXX")
    debootstrap --arch=arm64 --foreign --variant=minbase bookworm "$root" "${mirror%/}" \
      > "$work/debootstrap.log" 2>&1 || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
    chroot "$root" /debootstrap/debootstrap --second-stage >> "$work/debootstrap.log" 2>&1 ||
      { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
    printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "${mirror%/}" "${mirror%/}" \
      > "$root/etc/apt/sources.list"
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$root"
  fi
  "${PODMAN[@]}" import --arch arm64 "$tarball" docker.io/library/debian:bookworm >/dev/null
  "${PODMAN[@]}" tag docker.io/library/debian:bookworm docker.io/library/debian:bookworm-slim
fi
t1=$(date +%s)

# --- the image, from docker/Dockerfile unchanged -------------------------------------
"${PODMAN[@]}" build --arch arm64 --pull=never --network host -f "$src/docker/Dockerfile" \
    -t "$IMG" "$src" > "$tmp/build.log" 2>&1 || { tail -n 40 "$tmp/build.log" >&2; exit 1; }
t2=$(date +%s)
size=$("${PODMAN[@]}" image inspect --format '{{.Size}}' "$IMG")
arch=$("${PODMAN[@]}" image inspect --format '{{.Architecture}}' "$IMG")
echo "check-docker-arm64: base image $((t1 - t0)) s, image build $((t2 - t1)) s (emulated), size $((size / 1000000)) MB" |
  tee "$work/figures.txt"
[ "$arch" = arm64 ] && ok "image architecture: arm64" || fail "image architecture: $arch"

RUN=("${PODMAN[@]}" run --rm --network none --arch arm64)
machine=$("${RUN[@]}" --entrypoint uname "$IMG" -m)
[ "$machine" = aarch64 ] && ok "uname -m in the container: aarch64" || fail "uname -m: $machine"
elf=$("${RUN[@]}" --entrypoint sh "$IMG" -c 'head -c 20 /usr/local/bin/secprov | od -An -tx1 | tr -d " \n"')
[ "${elf:36:4}" = b700 ] && ok "/usr/local/bin/secprov is an aarch64 ELF (e_machine 0xb7)" ||
  fail "/usr/local/bin/secprov e_machine: ${elf:36:4}"

# no device: legacy; a secret seals and unseals
"${PODMAN[@]}" volume create secprov-arm64-check >/dev/null
VOL=(-v secprov-arm64-check:/var/lib/secprov)
out=$("${RUN[@]}" "${VOL[@]}" "$IMG" info 2>&1 | sed -n 's/^provider: //p')
[ "$out" = legacy ] && ok "no device: provider legacy" || fail "no device: provider '$out'"
printf 'arm64-legacy' | "${RUN[@]}" -i "${VOL[@]}" "$IMG" seal l1 2>/dev/null || fail "legacy seal"
out=$("${RUN[@]}" "${VOL[@]}" "$IMG" unseal l1 2>/dev/null || true)
[ "$out" = arm64-legacy ] && ok "no device: legacy seal/unseal" || fail "legacy unseal: '$out'"

# the pseudo-terminal swtpm as /dev/tpmrm0: tpm
tpm_sim_pty "$tmp/tpm"
PTY=$(readlink -f "$TPM_DEV")
chgrp 4711 "$PTY"; chmod 0660 "$PTY"
TPMRUN=("${RUN[@]}" "${VOL[@]}" -v "$PTY:/dev/tpmrm0" --device-cgroup-rule='c 136:* rwm' --group-add 4711)
out=$("${TPMRUN[@]}" "$IMG" info 2>&1 | sed -n 's/^provider: //p')
[ "$out" = tpm ] && ok "TPM device: provider tpm" || fail "TPM device: provider '$out'"
printf 'arm64-tpm' | "${TPMRUN[@]}" -i "$IMG" seal t1 2>/dev/null || fail "tpm seal"
out=$("${TPMRUN[@]}" "$IMG" unseal t1 2>/dev/null || true)
[ "$out" = arm64-tpm ] && ok "TPM device: tpm seal/unseal" || fail "tpm unseal: '$out'"
"${PODMAN[@]}" volume rm -f secprov-arm64-check >/dev/null

echo "check-docker-arm64: $fails failed"
[ "$fails" -eq 0 ]

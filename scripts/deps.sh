#!/usr/bin/env bash
# Make sure the Debian packages a job needs are installed.
#   scripts/deps.sh PROFILE      (build | check | demo | bench | deb | docker | arm64)
# As root, installs what is missing with apt-get; otherwise prints the exact
# apt-get line to run and exits 1.
set -euo pipefail

profile=${1:-build}
build=(make gcc libc6-dev pkg-config libtss2-dev libjson-c-dev libconfig-dev libssl-dev libmicrohttpd-dev)
case "$profile" in
  build)  pkgs=("${build[@]}") ;;
  demo)   pkgs=("${build[@]}" swtpm swtpm-tools tpm2-tools) ;;
  check)  pkgs=("${build[@]}" libcmocka-dev swtpm swtpm-tools tpm2-tools valgrind
                clang libclang-rt-14-dev openssl xxd procps psmisc jq time
                libcap2-bin util-linux curl wrk systemd
                gdb python3 python3-pytest python3-tpm2-pytss python3-pip cython3 python3-dev mypy python3-cryptography
                tpm2-abrmd libtss2-tcti-tabrmd0 dbus) ;;
  bench)  pkgs=("${build[@]}" swtpm swtpm-tools tpm2-tools gnuplot-nox systemd openssl procps time python3 python3-tpm2-pytss curl wrk) ;;
  deb)    pkgs=("${build[@]}" debhelper dh-python python3 chrpath dpkg-dev lintian) ;;
  docker) pkgs=(make gcc libc6-dev podman runc debootstrap podman-compose swtpm swtpm-tools tpm2-tools uidmap slirp4netns fuse-overlayfs) ;;
  arm64)  pkgs=("${build[@]}" gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user qemu-user-binfmt
                libc6:arm64 libtss2-dev:arm64 libconfig-dev:arm64 libssl-dev:arm64 libcmocka-dev:arm64
                swtpm swtpm-tools tpm2-tools openssl xxd procps psmisc file jq time libjson-c-dev:arm64 libmicrohttpd-dev:arm64) ;;
  *) echo "deps.sh: unknown profile '$profile'" >&2; exit 2 ;;
esac

# A name without an architecture means the native one: dpkg-query -W NAME
# alone is satisfied by a foreign copy (libcmocka-dev:arm64 after
# `make check-arm64`), which the native build cannot link with. A package
# of architecture "all" has no native-qualified name; it is asked for as is.
native=$(dpkg --print-architecture)
installed() {
  local p=$1 q=$1
  [[ $p == *:* ]] || q=$p:$native
  dpkg-query -W -f='${Status}\n' "$q" 2>/dev/null | grep -qx 'install ok installed' && return 0
  [[ $p != *:* ]] &&
    dpkg-query -W -f='${Architecture} ${Status}\n' "$p" 2>/dev/null | grep -qx 'all install ok installed'
}
missing=()
for p in "${pkgs[@]}"; do
  installed "$p" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

need_arm64=no
for p in "${missing[@]}"; do [[ $p == *:arm64 ]] && need_arm64=yes; done

if [ "$(id -u)" -ne 0 ]; then
  echo "secprov: missing packages for '$profile'. Run as root:" >&2
  [ $need_arm64 = yes ] && echo "  dpkg --add-architecture arm64" >&2
  echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "secprov: installing ${missing[*]}" >&2
if [ $need_arm64 = yes ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null

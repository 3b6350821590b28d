#!/usr/bin/env bash
# Make the base images docker/Dockerfile starts FROM (debian:bookworm and
# debian:bookworm-slim) without a registry: a debootstrap minbase rootfs,
# imported into podman under both names. SUITE trixie makes debian:trixie
# and debian:trixie-slim (Debian 13, for docker/Dockerfile.trixie-ci).
#   docker/base-image.sh CACHE_DIR [SUITE]   (needs root, debootstrap, podman;
#                                             source docker/podman-env.sh first)
# The rootfs tarball is cached in CACHE_DIR; the Debian mirror is the one the
# host's apt already uses (read from /etc/apt/sources.list*).
set -euo pipefail
cache=$1
suite=${2:-bookworm}
podman_cmd=(${PODMAN_CMD:-podman --runtime runc --cgroup-manager cgroupfs})

have() { "${podman_cmd[@]}" image exists "$1"; }
if have docker.io/library/debian:$suite && have docker.io/library/debian:$suite-slim; then exit 0; fi

host_mirror() {   # first Debian (not security) mirror the host's apt uses
  local m
  m=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
        /etc/apt/sources.list.d/*.sources 2>/dev/null |
      grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -n1 | tr -d ' ')
  [ -n "$m" ] || { echo "base-image: no Debian mirror in /etc/apt/sources.list*" >&2; return 1; }
  echo "${m%/}"
}

tarball=$cache/$suite-minbase.tar
if [ ! -s "$tarball" ]; then
  mirror=$(host_mirror)
  root=$(mktemp -d "$cache/rootfs.XXXXXX")
  trap 'rm -rf "$root"' EXIT
  echo "base-image: debootstrap --variant=minbase $suite ($mirror)" >&2
  debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$cache/debootstrap-$suite.log" 2>&1 ||
    { tail -n 20 "$cache/debootstrap-$suite.log" >&2; exit 1; }
  # Same sources inside the image as on the host ($suite + security).
  printf 'deb %s %s main\ndeb %s %s-updates main\n' "$mirror" "$suite" "$mirror" "$suite" \
    > "$root/etc/apt/sources.list"
  sec=$(grep -hsoE 'https?://[^ ]+/debian-security/?' /etc/apt/sources.list \
          /etc/apt/sources.list.d/* 2>/dev/null | head -n1 || true)
  [ -n "$sec" ] && printf 'deb %s %s-security main\n' "${sec%/}" "$suite" >> "$root/etc/apt/sources.list"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
fi
"${podman_cmd[@]}" import "$tarball" docker.io/library/debian:$suite >/dev/null
"${podman_cmd[@]}" tag docker.io/library/debian:$suite docker.io/library/debian:$suite-slim
echo "base-image: debian:$suite and debian:$suite-slim imported" >&2

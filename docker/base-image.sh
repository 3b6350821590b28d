#!/usr/bin/env bash
# Make the base images docker/Dockerfile starts FROM (debian:bookworm and
# debian:bookworm-slim) without a registry: a debootstrap minbase rootfs,
# imported into podman under both names.
#   docker/base-image.sh CACHE_DIR     (needs root, debootstrap, podman;
#                                       source docker/podman-env.sh first)
# The rootfs tarball is cached in CACHE_DIR; the Debian mirror is the one the
# host's apt already uses (read from /etc/apt/sources.list*).
set -euo pipefail
cache=$1
podman_cmd=(${PODMAN_CMD:-podman --runtime runc --cgroup-manager cgroupfs})

have() { "${podman_cmd[@]}" image exists "$1"; }
if have docker.io/library/debian:bookworm && have docker.io/library/debian:bookworm-slim; then exit 0; fi

host_mirror() {   # first Debian (not security) mirror the host's apt uses
  local m
  m=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
        /etc/apt/sources.list.d/*.sources 2>/dev/null |
      grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -n1 | tr -d ' ')
  [ -n "$m" ] || { echo "base-image: no Debian mirror in /etc/apt/sources.list*" >&2; return 1; }
  echo "${m%/}"
}

tarball=$cache/bookworm-minbase.tar
if [ ! -s "$tarball" ]; then
  mirror=$(host_mirror)
  root=$(mktemp -d "$cache/rootfs.XXXXXX")
  trap 'rm -rf "$root"' EXIT
  echo "base-image: debootstrap --variant=minbase bookworm ($mirror)" >&2
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -n 20 "$cache/debootstrap.log" >&2; exit 1; }
  # Same sources inside the image as on the host (bookworm + security).
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$mirror" "$mirror" \
    > "$root/etc/apt/sources.list"
  sec=$(grep -hsoE 'https?://[^ ]+/debian-security/?' /etc/apt/sources.list \
          /etc/apt/sources.list.d/* 2>/dev/null | head -n1 || true)
  [ -n "$sec" ] && printf 'deb %s bookworm-security main\n' "${sec%/}" >> "$root/etc/apt/sources.list"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
fi
"${podman_cmd[@]}" import "$tarball" docker.io/library/debian:bookworm >/dev/null
"${podman_cmd[@]}" tag docker.io/library/debian:bookworm docker.io/library/debian:bookworm-slim
echo "base-image: debian:bookworm and debian:bookworm-slim imported" >&2

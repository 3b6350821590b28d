#!/usr/bin/env bash
# make check-trixie: the whole project built and `make check-run` run in a
# Debian 13 (trixie) container (gcc 14 with -Werror, OpenSSL 3.5 so the
# ML-DSA-65 path is built and tested, tpm2-tss 4.x), with podman as root.
#   docker/check-trixie.sh BUILD_DIR
# The base image (debootstrap trixie) and the CI image are cached in
# BUILD_DIR/docker; the sources are the checkout's tracked files (git
# ls-files), copied to BUILD_DIR/trixie/src and mounted into the container.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "check-trixie: needs root (podman as root)" >&2; exit 1; }
source "$src/docker/podman-env.sh"
podman_env "$build/docker/podman"
IMG=localhost/secprov-ci:trixie

t0=$(date +%s)
PODMAN_CMD="${PODMAN[*]}" "$src/docker/base-image.sh" "$build/docker" trixie
if ! "${PODMAN[@]}" image exists "$IMG" ||
   [ "$("${PODMAN[@]}" image inspect --format '{{index .Labels "secprov.ci"}}' "$IMG")" != \
     "$(sha256sum < "$src/docker/Dockerfile.trixie-ci" | cut -c1-16)" ]; then
  "${PODMAN[@]}" build --pull=never --network host -f "$src/docker/Dockerfile.trixie-ci" \
    --label "secprov.ci=$(sha256sum < "$src/docker/Dockerfile.trixie-ci" | cut -c1-16)" \
    -t "$IMG" "$src/docker" > "$build/docker/trixie-build.log" 2>&1 ||
    { tail -n 40 "$build/docker/trixie-build.log" >&2; exit 1; }
fi
t1=$(date +%s)
rm -rf "$build/trixie" && mkdir -p "$build/trixie/src"
# The tracked files as they are (a checkout), or the release tree as is (CI
# runs from the tarball: no .git).
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$src" && git ls-files -z | tar --null -T - -cf -) | tar -xf - -C "$build/trixie/src"
else
  "$src/scripts/source-tree.sh" "$build/trixie/src"
fi
# --privileged: the suite runs as root with the host CI's powers (a private
# mount namespace in test_selection.sh, setpriv, mlock).
rc=0
"${PODMAN[@]}" run --rm --privileged --network none -v "$build/trixie/src:/src" "$IMG" \
  bash -c 'set -e; echo "trixie: $(gcc --version | head -n1); $(openssl version); libtss2 $(pkg-config --modversion tss2-esys)"; make -j2 check-run' ||
  rc=$?
t2=$(date +%s)
# The product image's Debian 13 variant (docker/Dockerfile, SUITE=trixie):
# it builds, its runtime libraries are all there, it seals and unseals on
# legacy (no device), its Python package imports, and its verifier checks
# ML-DSA (OpenSSL 3.5).
if [ $rc = 0 ]; then
  "${PODMAN[@]}" build --pull=never --network host --build-arg SUITE=trixie \
    -f "$src/docker/Dockerfile" -t localhost/secprov:trixie "$build/trixie/src" \
    > "$build/docker/trixie-image.log" 2>&1 || { tail -n 40 "$build/docker/trixie-image.log" >&2; rc=1; }
fi
if [ $rc = 0 ]; then
  out=$("${PODMAN[@]}" run --rm --network none --entrypoint sh localhost/secprov:trixie -c \
    'printf trixie-value | secprov seal s && secprov unseal s && echo && secprov info &&
     python3 -c "import secprov; from secprov import verify; print(\"python\", secprov.library_version, \"mldsa\", verify.has_mldsa())"' 2>&1) || rc=1
  for want in trixie-value "provider: legacy" "python 0.1" "mldsa True"; do
    grep -q "$want" <<<"$out" || { echo "check-trixie: the trixie image lacks '$want':" >&2; echo "$out" >&2; rc=1; }
  done
  [ $rc = 0 ] && echo "check-trixie: the Debian 13 variant of the image seals, unseals, imports secprov, has ML-DSA"
fi
t3=$(date +%s)
echo "check-trixie: images $((t1 - t0)) s, build and tests $((t2 - t1)) s, product image $((t3 - t2)) s, total $((t3 - t0)) s"
exit $rc

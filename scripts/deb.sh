#!/usr/bin/env bash
# make deb: the Debian packages, with Debian's tooling (debian/ +
# dpkg-buildpackage + debhelper 13), into OUT (build/deb/), then lintian.
# Built from the release's files (scripts/source-tree.sh: git archive of
# HEAD, or this tarball tree), with debian/changelog made from VERSION.
#   scripts/deb.sh OUT
set -euo pipefail
out=$1
src=$(cd "$(dirname "$0")/.." && pwd)
version=$(cat "$src/VERSION")
rm -rf "$out"; mkdir -p "$out/src"
tree=$out/src/secprov-$version
"$src/scripts/source-tree.sh" "$tree"
cat > "$tree/debian/changelog" <<CL
secprov ($version) unstable; urgency=medium

  * Release $version (debian/changelog is made from the file VERSION by make deb).

 -- secprov developers <secprov@example.org>  $(date -R -d @"${SOURCE_DATE_EPOCH:-$(git -C "$src" log -1 --format=%ct 2>/dev/null || date +%s)}")
CL
t0=$(date +%s)
(cd "$tree" && DEB_BUILD_OPTIONS="parallel=$(nproc) noautodbgsym ${DEB_BUILD_OPTIONS:-}" \
   dpkg-buildpackage -b -us -uc) > "$out/build.log" 2>&1 ||
  { tail -n 40 "$out/build.log" >&2; echo "make deb: dpkg-buildpackage failed ($out/build.log)" >&2; exit 1; }
mv "$out"/src/*.deb "$out/"
mv "$out"/src/*.changes "$out"/src/*.buildinfo "$out/" 2>/dev/null || true
rm -rf "$out/src"
echo "make deb: $(ls "$out"/*.deb | wc -l) packages in $out ($(( $(date +%s) - t0 )) s)"
# lintian: errors fail; warnings are listed (docs/packaging.md says why each stays).
lintian --fail-on error --suppress-tags-from-file /dev/null "$out"/*.changes | tee "$out/lintian.txt" ||
  { echo "make deb: lintian found errors ($out/lintian.txt)" >&2; exit 1; }
echo "make deb: lintian: $(grep -c '^E:' "$out/lintian.txt" || true) errors, $(grep -c '^W:' "$out/lintian.txt" || true) warnings"

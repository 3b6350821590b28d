#!/usr/bin/env bash
# make check-deb: the packages of build/deb/ (make deb) installed with
# `apt-get install ./*.deb` in a clean Debian 12 container (podman; the
# base image made by debootstrap, docker/base-image.sh), then used there
# with a swtpm behind a pseudo-terminal bind-mounted as /dev/tpmrm0:
#   secprov --version says VERSION; secprov info picks tpm; the secprov
#   user exists and owns /var/lib/secprov (0700); /etc/secprov/secprov.conf
#   is a conffile; a seal and unseal as the secprov user round-trips;
#   python3 -c 'import secprov' finds libsecprov.so.0 by its soname; the
#   provider folder is /usr/lib/<triplet>/secprov with no env var; no rpath.
# Needs root and podman: exits 1 otherwise (like check-docker).
source "$SECPROV_SRC/tests/tools/test_lib.sh"
src=$SECPROV_SRC; build=$SECPROV_BUILD
[ "$(id -u)" -eq 0 ] || { echo "check-deb: needs root (podman as root)" >&2; exit 1; }
source "$src/docker/podman-env.sh"
podman_env "$build/docker/podman"
debs=$src/build/deb
ls "$debs"/*.deb >/dev/null || { echo "check-deb: no packages in $debs (make deb)" >&2; exit 1; }
version=$(cat "$src/VERSION")
PODMAN_CMD="${PODMAN[*]}" "$src/docker/base-image.sh" "$build/docker"
mkdir -p "$T/debs"; cp "$debs"/*.deb "$T/debs/"; chmod 755 "$T" "$T/debs"; chmod 644 "$T"/debs/*.deb
tpm_sim_pty "$T/tpm"
PTY=$(readlink -f "$TPM_DEV"); chmod 0666 "$PTY"
name=secprov-check-deb-$$
on_exit "${PODMAN[*]} rm -f $name >/dev/null 2>&1"
t0=$(date +%s)
rc=0
"${PODMAN[@]}" run --name "$name" --network host -v "$T/debs:/debs:ro" -v "$PTY:/dev/tpmrm0" \
  --device-cgroup-rule='c 136:* rwm' -e DEBIAN_FRONTEND=noninteractive \
  docker.io/library/debian:bookworm sh -euc '
    apt-get update -q >/dev/null
    apt-get install -y -q ./debs/*.deb > /tmp/apt.log 2>&1 || { tail -20 /tmp/apt.log; exit 1; }
    echo "installed: $(dpkg-query -W -f="\${binary:Package} " libsecprov0 libsecprov0-tpm libsecprov-verify0 libsecprov-dev secprov python3-secprov secprov-attestor)"
    echo "attestor: $(command -v secprov-attestor) $(ldd /usr/bin/secprov-attestor | grep -c "not found" || true) missing"
    echo "version: $(secprov --version)"
    echo "user: $(id -un secprov):$(id -gn secprov)"
    echo "state: $(stat -c "%U:%G %a" /var/lib/secprov)"
    echo "conffile: $(dpkg-query -W -f="\${Conffiles}" secprov | awk "{print \$1}")"
    echo "provider_dir: $(ls -d /usr/lib/*/secprov)"
    echo "pc: $(pkg-config --variable=providerdir secprov 2>/dev/null || echo no-pkg-config)"
    runuser -u secprov -- secprov info > /tmp/info
    sed "s/^/info: /" /tmp/info
    printf "deb-secret-%s" 42 | runuser -u secprov -- secprov seal deb-key
    echo "unsealed: $(runuser -u secprov -- secprov unseal deb-key)"
    echo "python: $(runuser -u secprov -- python3 -c "import secprov; print(secprov.__version__, secprov.library_path)")"
  ' > "$T/out" 2> "$T/err" || rc=$?
echo "check-deb: container install and use $(( $(date +%s) - t0 )) s"
sed 's/^/    /' "$T/out"
check "the container run exits 0 (got $rc: $(tail -c 600 "$T/err"))" test $rc = 0
has() { grep -qx -- "$1" "$T/out"; }
check "secprov --version says VERSION" has "version: secprov $version"
check "secprov-attestor installed, every library found" has "attestor: /usr/bin/secprov-attestor 0 missing"
check "the secprov system user and group" has "user: secprov:secprov"
check "/var/lib/secprov secprov:secprov 0700" has "state: secprov:secprov 700"
check "/etc/secprov/secprov.conf is a conffile" has "conffile: /etc/secprov/secprov.conf"
# No rpath in any packaged ELF file (the build tree's $ORIGIN/../lib).
mkdir -p "$T/x"; for d in "$debs"/*.deb; do dpkg-deb -x "$d" "$T/x"; done
n=0; while IFS= read -r f; do
  if readelf -d "$f" 2>/dev/null | grep -qE 'RPATH|RUNPATH'; then echo "rpath in $f"; n=$((n + 1)); fi
done < <(find "$T/x" -type f \( -name '*.so*' -o -path '*/bin/*' \))
check "no rpath in the packaged binaries ($n with one)" test $n = 0
check "secprov info as secprov: provider tpm, found with no env var" has "info: provider: tpm"
check "seal and unseal round-trip" has "unsealed: deb-secret-42"
check "import secprov: VERSION, the library by its soname" \
  grep -qE "^python: $version (/usr/lib/[^ ]*/)?libsecprov.so.0$" "$T/out"
check_done

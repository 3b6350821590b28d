#!/usr/bin/env bash
# make check-docker: the secprov image built from docker/Dockerfile
# (unchanged), run with podman as root on a machine with no Docker engine and
# no registry. Proves in running containers:
#   (a) TPM device present (a pseudo-terminal swtpm bind-mounted as
#       /dev/tpmrm0): `secprov info` says provider: tpm; a binary secret seals
#       and unseals byte-exact; without the device's group it cannot use it
#   (b) the secret survives the container: removed, a new one unseals it from
#       the state volume (and a container on a fresh volume cannot, though
#       it uses the TPM too: its new keystore reuses the SRK)
#   (c) no device: provider: legacy, fallback: no, nothing on stderr;
#       `secprov config check` passes the image's config and providers
#   (d) device present, TPM stopped (swtpm SIGSTOPped, pty kept): provider:
#       legacy, fallback: yes, exactly one warning line on stderr
#   (e) the Python package in the image: import secprov finds the installed
#       library; the compose service, examples/loader.py, runs on the TPM
#       and without a device (open, provider logged, credentials unsealed,
#       split resource decrypted)
#   (f) docker-compose.yml run by podman-compose 1.0.3 (no TPM device here):
#       the secprov-attestor service comes up healthy (its health check,
#       `secprov attestor verify`, exits 0; podman runs health checks only
#       when asked: no systemd timers here), reads the watched host paths
#       bind-mounted under /host, keeps its audit log on the state volume,
#       answers a loader container over the shared socket volume; the loader
#       service starts after it and runs; and what podman-compose 1.0.3 does
#       not do: wait for `condition: service_healthy` (a never-healthy
#       attestor, the loader still starts)
# plus: the container user is not root, a podman run returns when its
# container exits, and the compose files parse and hold the device mounts /
# swtpm service / the attestor service.
# Env: SECPROV_SRC (repo), SECPROV_BUILD (absolute build dir: images and the
# debootstrap tarball are cached in $SECPROV_BUILD/docker), SECPROV_TEST_TMP.
set -euo pipefail

src=${SECPROV_SRC:?}; build=${SECPROV_BUILD:?}; tmp=${SECPROV_TEST_TMP:?}
[ "$(id -u)" -eq 0 ] || { echo "check-docker: needs root (podman as root)" >&2; exit 1; }

# shellcheck source=/dev/null
source "$src/docker/podman-env.sh"
# shellcheck source=/dev/null
source "$src/tests/tools/tpm_sim.sh"
podman_env "$build/docker/podman"

IMG=localhost/secprov:check
TPM_GID=4711                    # stands for the host's `tss` group
tag=$$-$RANDOM
VOLS=(); CTRS=(); PROJS=()
fails=0
# Seconds per section, as SUMMARY lines (shown in make check-docker's output).
lap_t=$(date +%s)
lap() { local now; now=$(date +%s); echo "SUMMARY check-docker: $1: $((now - lap_t)) s"; lap_t=$now; }
cleanup() {
  local c v p
  for p in "${PROJS[@]}"; do
    # -t 2: the never-healthy attestor (sleep as PID 1) ignores SIGTERM
    (cd "$tmp/compose" && podman-compose -p "${p%%:*}" -f "${p#*:}" down -v -t 2 >/dev/null 2>&1) || true
    "${PODMAN[@]}" network rm -f "${p%%:*}_default" >/dev/null 2>&1 || true
  done
  for c in "${CTRS[@]}"; do "${PODMAN[@]}" rm -f "$c" >/dev/null 2>&1 || true; done
  for v in "${VOLS[@]}"; do "${PODMAN[@]}" volume rm -f "$v" >/dev/null 2>&1 || true; done
  tpm_sim_stop
  lap "clean-up"
}
trap cleanup EXIT

ok()   { echo "ok: $*"; }
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
expect_eq() {   # WHAT GOT WANT
  if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', want '$3'"; fi
}
field() { sed -n "s/^$1: //p" "$2" | head -n1; }
newvol() {   # NAME: a new named volume, in $VOL (removed on exit)
  VOL="secprov-check-$tag-$1"; "${PODMAN[@]}" volume create "$VOL" >/dev/null; VOLS+=("$VOL")
}

# --- images ----------------------------------------------------------------
t0=$(date +%s)
PODMAN_CMD="${PODMAN[*]}" "$src/docker/base-image.sh" "$build/docker"
t1=$(date +%s)
# --network host: the build stages apt-get from the host's Debian mirror.
# The context is the release's files (git archive: 0664/0775), not the
# checkout, so the image is what a release tarball builds.
ctx=$tmp/context; "$src/scripts/source-tree.sh" "$ctx"
"${PODMAN[@]}" build --pull=never --network host -f "$ctx/docker/Dockerfile" \
    -t "$IMG" "$ctx" > "$tmp/build.log" 2>&1 || { tail -n 40 "$tmp/build.log" >&2; exit 1; }
t2=$(date +%s)
size=$("${PODMAN[@]}" image inspect --format '{{.Size}}' "$IMG")
echo "check-docker: base image $((t1 - t0)) s, secprov image build $((t2 - t1)) s, image size $((size / 1000000)) MB ($size bytes)" | tee "$build/docker/figures.txt"

RUN=("${PODMAN[@]}" run --rm --network none)

lap_t=$t2   # the images: timed in the figures line above
# --- the image itself ---------------------------------------------------------
run_t0=$(date +%s)
uid=$("${RUN[@]}" --entrypoint id "$IMG" -u)
run_s=$(( $(date +%s) - run_t0 ))
[ "$uid" != 0 ] && ok "container user is not root (uid $uid)" || fail "container runs as root"
# Not after conmon's 20 s timer, as when its clean-up failed (docker/podman-env.sh).
[ "$run_s" -lt 10 ] && ok "a podman run returns when its container exits (${run_s} s)" ||
  fail "a podman run took ${run_s} s: its clean-up failed (run with --log-level=debug)"
"${RUN[@]}" --entrypoint sh "$IMG" -c 'command -v secprov' > "$tmp/which" 2>&1
expect_eq "secprov on PATH" "$(cat "$tmp/which")" "/usr/local/bin/secprov"

lap "the image itself"
# --- (a) TPM present ----------------------------------------------------------
tpm_sim_pty "$tmp/tpm"
PTY=$(readlink -f "$TPM_DEV")
chgrp "$TPM_GID" "$PTY"; chmod 0660 "$PTY"
[ "$(stat -c %t "$PTY")" = 88 ] || { echo "check-docker: $PTY is not a pty (major 136)" >&2; exit 1; }
newvol state; vol=$VOL
TPMRUN=("${RUN[@]}" -v "$vol:/var/lib/secprov" -v "$PTY:/dev/tpmrm0"
        --device-cgroup-rule='c 136:* rwm' --group-add "$TPM_GID")

"${TPMRUN[@]}" "$IMG" info > "$tmp/a.out" 2> "$tmp/a.err" || true
expect_eq "(a) provider with device" "$(field provider "$tmp/a.out")" tpm
expect_eq "(a) fallback with device" "$(field fallback "$tmp/a.out")" no
expect_eq "(a) stderr with device" "$(cat "$tmp/a.err")" ""

head -c 3000 /dev/urandom > "$tmp/secret"; printf '\0\n\0' >> "$tmp/secret"
"${TPMRUN[@]}" -i "$IMG" seal docker-secret < "$tmp/secret" 2> "$tmp/seal.err" ||
  fail "(a) seal: $(cat "$tmp/seal.err")"
"${TPMRUN[@]}" "$IMG" unseal docker-secret > "$tmp/unsealed" 2> "$tmp/unseal.err" ||
  fail "(a) unseal: $(cat "$tmp/unseal.err")"
cmp -s "$tmp/secret" "$tmp/unsealed" && ok "(a) unseal is byte-exact (3003 bytes)" ||
  fail "(a) unsealed bytes differ from the sealed ones"
# It is the TPM that holds it: the legacy store has nothing, the FAPI keystore is on the volume.
"${TPMRUN[@]}" --entrypoint sh "$IMG" -c 'ls /var/lib/secprov/legacy 2>/dev/null | wc -l; test -d /var/lib/secprov/tpm && echo tpm-dir' \
  > "$tmp/layout" 2>&1 || true
expect_eq "(a) state on the volume: tpm keystore, empty legacy store" "$(tr '\n' ' ' < "$tmp/layout")" "0 tpm-dir "

lap "(a)"
# --- (e) Python: the package and the compose service's loader -----------------------
"${RUN[@]}" --entrypoint python3 "$IMG" -c 'import secprov; print(secprov.library_path, secprov.library_version)' \
  > "$tmp/py.out" 2>&1 || true
expect_eq "(e) import secprov in the image" "$(cat "$tmp/py.out")" "/usr/local/lib/libsecprov.so.0 0.1.0"
LOADER=(--entrypoint python3 "$IMG" /usr/local/share/secprov/examples/loader.py demo --dir /var/lib/secprov/loader)
newvol loader
"${RUN[@]}" -v "$VOL:/var/lib/secprov" -v "$PTY:/dev/tpmrm0" --device-cgroup-rule='c 136:* rwm' \
    --group-add "$TPM_GID" "${LOADER[@]}" > "$tmp/e.out" 2> "$tmp/e.err" || true
grep -q '^loader: ok tpm [0-9a-f]\{64\}$' "$tmp/e.out" && grep -q 'security provider: tpm' "$tmp/e.err" &&
  grep -q 'credentials unsealed' "$tmp/e.err" && ok "(e) loader.py on the TPM: $(cat "$tmp/e.out")" ||
  fail "(e) loader.py on the TPM: $(cat "$tmp/e.out" "$tmp/e.err")"
"${RUN[@]}" -v "$VOL:/var/lib/secprov" -v "$PTY:/dev/tpmrm0" --device-cgroup-rule='c 136:* rwm' \
    --group-add "$TPM_GID" "${LOADER[@]}" > "$tmp/e2.out" 2> "$tmp/e2.err" || true
expect_eq "(e) loader.py again (a new container): the same resource from the sealed credentials" \
  "$(cat "$tmp/e2.out")" "$(cat "$tmp/e.out")"
newvol loader-legacy
"${RUN[@]}" -v "$VOL:/var/lib/secprov" "${LOADER[@]}" > "$tmp/e3.out" 2> "$tmp/e3.err" || true
grep -q '^loader: ok legacy [0-9a-f]\{64\}$' "$tmp/e3.out" && ok "(e) loader.py without a device: $(cat "$tmp/e3.out")" ||
  fail "(e) loader.py without a device: $(cat "$tmp/e3.out" "$tmp/e3.err")"

# Without the device's group the (non-root) user cannot open it: falls back.
newvol nogroup
"${RUN[@]}" -v "$VOL:/var/lib/secprov" -v "$PTY:/dev/tpmrm0" \
    --device-cgroup-rule='c 136:* rwm' "$IMG" info > "$tmp/ng.out" 2> "$tmp/ng.err" || true
expect_eq "(a) without --group-add the device is not usable" "$(field fallback "$tmp/ng.out")" yes

lap "(e)"
# --- (b) restart: remove the container, a new one unseals -----------------------
c1="secprov-check-$tag-c1"; CTRS+=("$c1")
printf 'survives-restart' > "$tmp/secret-b"
"${PODMAN[@]}" create --name "$c1" --network none -i -v "$vol:/var/lib/secprov" -v "$PTY:/dev/tpmrm0" \
    --device-cgroup-rule='c 136:* rwm' --group-add "$TPM_GID" "$IMG" seal restart-secret >/dev/null
"${PODMAN[@]}" start -a -i "$c1" < "$tmp/secret-b" >/dev/null 2> "$tmp/b.err" || fail "(b) seal: $(cat "$tmp/b.err")"
"${PODMAN[@]}" rm -f "$c1" >/dev/null
"${PODMAN[@]}" container exists "$c1" && fail "(b) container $c1 still exists"
"${TPMRUN[@]}" "$IMG" unseal restart-secret > "$tmp/b.out" 2> "$tmp/b.err" || true
expect_eq "(b) secret survives the container (new container, same volume)" "$(cat "$tmp/b.out")" survives-restart
newvol fresh
"${RUN[@]}" -v "$VOL:/var/lib/secprov" -v "$PTY:/dev/tpmrm0" --device-cgroup-rule='c 136:* rwm' \
    --group-add "$TPM_GID" "$IMG" unseal restart-secret > "$tmp/b2.out" 2>/dev/null && rc=0 || rc=$?
[ "$rc" -ne 0 ] && [ ! -s "$tmp/b2.out" ] && ok "(b) a fresh volume does not have it (the volume carries the state)" ||
  fail "(b) a fresh volume unsealed restart-secret (rc $rc)"
# ... and still uses the TPM: it provisions a new keystore that reuses the
# SRK already at 0x81000001 (the first volume's), no fallback to legacy.
"${RUN[@]}" -v "$VOL:/var/lib/secprov" -v "$PTY:/dev/tpmrm0" --device-cgroup-rule='c 136:* rwm' \
    --group-add "$TPM_GID" "$IMG" info > "$tmp/b3.out" 2> "$tmp/b3.err" || true
expect_eq "(b) a fresh volume on the provisioned TPM: provider" "$(field provider "$tmp/b3.out")" tpm
expect_eq "(b) a fresh volume on the provisioned TPM: fallback" "$(field fallback "$tmp/b3.out")" no

lap "(b)"
# --- (c) no device ----------------------------------------------------------------
newvol nodev
"${RUN[@]}" -v "$VOL:/var/lib/secprov" "$IMG" info > "$tmp/c.out" 2> "$tmp/c.err" || true
expect_eq "(c) provider without device" "$(field provider "$tmp/c.out")" legacy
expect_eq "(c) fallback without device" "$(field fallback "$tmp/c.out")" no
expect_eq "(c) stderr without device" "$(cat "$tmp/c.err")" ""
printf 'legacy-secret' | "${RUN[@]}" -i -v "$VOL:/var/lib/secprov" "$IMG" seal l1 2>/dev/null || fail "(c) legacy seal"
expect_eq "(c) legacy unseal" "$("${RUN[@]}" -v "$VOL:/var/lib/secprov" "$IMG" unseal l1 2>/dev/null)" legacy-secret
# The image's config and every provider in it (docs/docker.md).
"${RUN[@]}" "$IMG" config check > "$tmp/cc.out" 2>&1 || true
expect_eq "(c) config check of the image's config" \
  "$(tr '\n' '|' < "$tmp/cc.out")" "config: ok (/etc/secprov/secprov.conf)|legacy: ok|tpm: ok|"

lap "(c)"
# --- (d) device present, TPM stopped ------------------------------------------------
tpm_sim_wedge          # swtpm SIGSTOPped: the pty stays, nothing answers
newvol dead
"${RUN[@]}" -v "$VOL:/var/lib/secprov" -v "$PTY:/dev/tpmrm0" --device-cgroup-rule='c 136:* rwm' \
    --group-add "$TPM_GID" "$IMG" info > "$tmp/d.out" 2> "$tmp/d.err" || true
expect_eq "(d) provider with the TPM stopped" "$(field provider "$tmp/d.out")" legacy
expect_eq "(d) fallback with the TPM stopped" "$(field fallback "$tmp/d.out")" yes
expect_eq "(d) one line on stderr" "$(wc -l < "$tmp/d.err")" 1
grep -q '^secprov: warning: ' "$tmp/d.err" && ok "(d) it is a warning: $(cat "$tmp/d.err")" ||
  fail "(d) stderr is not one warning: $(cat "$tmp/d.err")"
[ -n "$(field reason "$tmp/d.out")" ] && ok "(d) info gives the reason" || fail "(d) no reason: line"
# SECURITY_PROVIDER=tpm passed in: no silent downgrade, an error.
"${RUN[@]}" -e SECURITY_PROVIDER=tpm -v "$VOL:/var/lib/secprov" -v "$PTY:/dev/tpmrm0" \
    --device-cgroup-rule='c 136:* rwm' --group-add "$TPM_GID" "$IMG" info > /dev/null 2>&1 && rc=0 || rc=$?
[ "$rc" -ne 0 ] && ok "(d) SECURITY_PROVIDER=tpm with the TPM stopped fails (rc $rc)" ||
  fail "(d) SECURITY_PROVIDER=tpm with the TPM stopped succeeded"

lap "(d)"
# --- CI variant: the TCP swtpm TCTI in the image --------------------------------------
# What docker-compose.ci.yml does, without a compose network: a swtpm on TCP
# (free ports of this host), SECURITY_PROVIDER=tpm, tcti = "swtpm:host=...".
# The swtpm TCTI uses PORT for commands and PORT+1 for control: two free ones.
read -r p1 p2 < <(/usr/bin/python3 -c 'import socket, random
while True:
    p = random.randrange(20000, 60000, 2); s = [socket.socket(), socket.socket()]
    try:
        s[0].bind(("127.0.0.1", p)); s[1].bind(("127.0.0.1", p + 1)); break
    except OSError: pass
    finally: [x.close() for x in s]
print(p, p + 1)')
mkdir -p "$tmp/tcp/state"
swtpm socket --tpm2 --server "type=tcp,port=$p1,bindaddr=127.0.0.1" --ctrl "type=tcp,port=$p2,bindaddr=127.0.0.1" \
    --tpmstate "dir=$tmp/tcp/state" --flags not-need-init,startup-clear --daemon --pid "file=$tmp/tcp/pid"
TPM_PIDS+=("$(cat "$tmp/tcp/pid")")
TPM_TCTI="swtpm:host=127.0.0.1,port=$p1" tpm_sim_wait
sed "s/swtpm:host=swtpm,port=2321/swtpm:host=127.0.0.1,port=$p1/" "$src/docker/ci/secprov-ci.conf" > "$tmp/ci.conf"
newvol ci
CIRUN=("${PODMAN[@]}" run --rm --network host -e SECURITY_PROVIDER=tpm -e SECPROV_CONFIG=/etc/secprov/ci.conf
       -v "$tmp/ci.conf:/etc/secprov/ci.conf:ro" -v "$VOL:/var/lib/secprov")
"${CIRUN[@]}" "$IMG" info > "$tmp/ci.out" 2> "$tmp/ci.err" || true
expect_eq "(ci) provider over the swtpm TCP TCTI (and stderr)" "$(field provider "$tmp/ci.out")$(cat "$tmp/ci.err")" tpm
printf 'ci-secret' | "${CIRUN[@]}" -i "$IMG" seal ci-check 2>/dev/null || fail "(ci) seal"
expect_eq "(ci) unseal over the swtpm TCP TCTI" "$("${CIRUN[@]}" "$IMG" unseal ci-check 2>/dev/null)" ci-secret

lap "(ci)"
# --- (f) compose: the attestor service, the loader waiting on it -----------------------
# docker-compose.yml as it is, less what this machine has not: no TPM device
# (devices, group_add dropped: the loader uses legacy), fixture files for the
# watched host paths (Secure Boot on, lockdown integrity), the image built
# above. podman-compose 1.0.3 names containers PROJECT_SERVICE_1.
mkdir -p "$tmp/compose/efivars" "$tmp/compose/security"
printf '\x06\x00\x00\x00\x01' > "$tmp/compose/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e98c0333e0fe"
echo "none [integrity] confidentiality" > "$tmp/compose/security/lockdown"
/usr/bin/python3 - "$src/docker/docker-compose.yml" "$tmp/compose" "$IMG" <<'PY'
import sys, yaml
src, out, img = sys.argv[1:]
doc = yaml.safe_load(open(src))
for name, svc in doc["services"].items():
    svc["image"] = img
    for k in ("build", "devices", "group_add"):
        svc.pop(k, None)
vols = doc["services"]["secprov-attestor"]["volumes"]
vols[:] = [v.replace("/sys/firmware/efi/efivars:", out + "/efivars:")
            .replace("/sys/kernel/security:", out + "/security:") for v in vols]
yaml.safe_dump(doc, open(out + "/ok.yml", "w"))
# never healthy: the attestor's container runs, its daemon does not
doc["services"]["secprov-attestor"]["entrypoint"] = ["sleep", "300"]
yaml.safe_dump(doc, open(out + "/sick.yml", "w"))
PY
compose_up() {   # PROJECT FILE
  PROJS+=("$1:$2")
  (cd "$tmp/compose" && podman-compose -p "$1" -f "$2" up -d) > "$tmp/compose/$1.log" 2>&1
}
started() { "${PODMAN[@]}" inspect --format '{{.State.StartedAt.UnixNano}}' "$1" 2>/dev/null; }
P1=secprov-check-$tag-ok
A=${P1}_secprov-attestor_1; L=${P1}_secprov_1
compose_up "$P1" ok.yml || fail "(f) podman-compose up: $(tail -n 5 "$tmp/compose/$P1.log")"
health=$("${PODMAN[@]}" inspect --format '{{.State.Health.Status}}' "$A" 2>&1 || true)
healthy=no
for _ in $(seq 30); do
  "${PODMAN[@]}" healthcheck run "$A" > "$tmp/hc.out" 2>&1 && { healthy=yes; break; }
  sleep 1
done
expect_eq "(f) the attestor's health check (secprov attestor verify) passes" "$healthy" yes
expect_eq "(f) ... and podman marks it healthy" \
  "$("${PODMAN[@]}" inspect --format '{{.State.Health.Status}}' "$A" 2>&1)" healthy
echo "info: (f) health status before the first podman healthcheck run: $health"
expect_eq "(f) secprov attestor verify in the attestor container" \
  "$("${PODMAN[@]}" exec "$A" secprov attestor verify 2>&1)" "attestor: attested"
# what the daemon sees of the watched host paths (bind mounts under /host)
"${PODMAN[@]}" exec "$A" python3 -c '
import json, socket
s = socket.socket(socket.AF_UNIX); s.connect("/run/secprov/attestor.sock")
s.sendall(b"GET /api/v1/attest HTTP/1.0\r\n\r\n"); r = b""
while True:
    b = s.recv(65536)
    if not b: break
    r += b
b = json.loads(r.split(b"\r\n\r\n", 1)[1])["bundle"]
print(b["boot_measurements"]["secure_boot"], b["kernel_lockdown"], bool(b["kernel_cmdline"]))' \
  > "$tmp/bundle.out" 2>&1 || true
expect_eq "(f) the bundle: Secure Boot and lockdown from /host, /proc/cmdline read" \
  "$(cat "$tmp/bundle.out")" "True integrity True"
"${PODMAN[@]}" exec "$A" sh -c 'stat -c "%U %a" /run/secprov/attestor.sock; secprov attestor audit-verify /var/lib/secprov/attestor/audit.jsonl' \
  > "$tmp/audit.out" 2>&1 || true
expect_eq "(f) the socket is secprov's, mode 660" "$(head -n1 "$tmp/audit.out")" "secprov 660"
grep -q '^/var/lib/secprov/attestor/audit.jsonl: good' "$tmp/audit.out" &&
  ok "(f) the audit log on the state volume verifies: $(tail -n1 "$tmp/audit.out")" ||
  fail "(f) audit log: $(cat "$tmp/audit.out")"
# a loader container (the image, the attestor's volumes) asks over the socket
"${PODMAN[@]}" run --rm --network none --volumes-from "$A" -e SECPROV_CONFIG=/etc/secprov/compose.conf \
  "$IMG" attestor verify > "$tmp/lv.out" 2>&1 || true
expect_eq "(f) secprov attestor verify from another container (the shared socket volume)" \
  "$(cat "$tmp/lv.out")" "attestor: attested"
rc=$("${PODMAN[@]}" wait "$L" 2>&1 || true)
expect_eq "(f) the loader service ran: exit status" "$rc" 0
"${PODMAN[@]}" logs "$L" > "$tmp/loader.out" 2>&1 || true
grep -q '^loader: ok legacy [0-9a-f]\{64\}$' "$tmp/loader.out" && ok "(f) the loader service: $(grep "^loader: ok" "$tmp/loader.out")" ||
  fail "(f) the loader service: $(cat "$tmp/loader.out")"
ta=$(started "$A"); tl=$(started "$L")
[ -n "$ta" ] && [ -n "$tl" ] && [ "$tl" -gt "$ta" ] &&
  ok "(f) the loader started after the attestor (+$(( (tl - ta) / 1000000 )) ms)" ||
  fail "(f) start order: attestor $ta, loader $tl"

lap "(f) healthy project"
# What podman-compose 1.0.3 does not do: wait for condition: service_healthy.
P2=secprov-check-$tag-sick
A2=${P2}_secprov-attestor_1; L2=${P2}_secprov_1
compose_up "$P2" sick.yml || fail "(f) podman-compose up (sick): $(tail -n 5 "$tmp/compose/$P2.log")"
"${PODMAN[@]}" healthcheck run "$A2" > "$tmp/hc2.out" 2>&1 && rc=0 || rc=$?
[ "$rc" -ne 0 ] && ok "(f) a never-healthy attestor: its health check fails ($(tr '\n' ' ' < "$tmp/hc2.out"))" ||
  fail "(f) the sick attestor's health check passed"
rc=$("${PODMAN[@]}" wait "$L2" 2>&1 || true)
expect_eq "(f) podman-compose 1.0.3 ignores condition: service_healthy: the loader started and ran anyway (exit status)" "$rc" 0

lap "(f) never-healthy project"
# --- compose files -------------------------------------------------------------------
# Parsed with PyYAML (podman-compose 1.0.3 has no `config` and its --dry-run
# still creates volumes and networks); the checks name what each file must do.
if /usr/bin/python3 - "$src/docker" > "$tmp/compose.out" 2>&1 <<'PY'
import sys, yaml
d = sys.argv[1]
dev = yaml.safe_load(open(d + "/docker-compose.yml"))["services"]["secprov"]
assert {"/dev/tpm0:/dev/tpm0", "/dev/tpmrm0:/dev/tpmrm0"} <= set(dev["devices"]), "device: devices"
assert dev["group_add"], "device: group_add"
assert "SECURITY_PROVIDER" in dev["environment"], "device: SECURITY_PROVIDER"
assert any(v.endswith(":/var/lib/secprov") for v in dev["volumes"]), "device: state volume"
assert dev["build"]["dockerfile"] == "docker/Dockerfile", "device: Dockerfile"
assert dev["entrypoint"] == ["python3", "/usr/local/share/secprov/examples/loader.py"], "device: loader.py"
assert dev["command"][0] == "demo", "device: loader.py demo"
ci = yaml.safe_load(open(d + "/docker-compose.ci.yml"))["services"]
cmd = " ".join(ci["swtpm"]["command"])
assert "type=tcp,port=2321" in cmd and "type=tcp,port=2322" in cmd, "ci: swtpm ports"
assert ci["secprov"]["environment"]["SECURITY_PROVIDER"] == "tpm", "ci: provider tpm"
assert "swtpm" in ci["secprov"]["depends_on"], "ci: depends_on swtpm"
conf = ci["secprov"]["environment"]["SECPROV_CONFIG"]
src = [v.split(":")[0] for v in ci["secprov"]["volumes"] if v.split(":")[1] == conf][0]
assert 'tcti      = "swtpm:host=swtpm,port=2321"' in open(d + "/" + src).read(), "ci: tcti"
at = yaml.safe_load(open(d + "/docker-compose.yml"))["services"]["secprov-attestor"]
assert at["healthcheck"]["test"] == ["CMD", "secprov", "attestor", "verify"], "attestor: healthcheck"
assert dev["depends_on"] == {"secprov-attestor": {"condition": "service_healthy"}}, "loader: depends_on"
assert at["environment"]["SECPROV_CONFIG"] == dev["environment"]["SECPROV_CONFIG"] == "/etc/secprov/compose.conf", "one config"
assert "secprov-run:/run/secprov" in at["volumes"] and "secprov-run:/run/secprov" in dev["volumes"], "socket volume"
assert {"/sys/firmware/efi/efivars:/host/efivars:ro", "/sys/kernel/security:/host/security:ro"} <= set(at["volumes"]), "attestor: watched paths"
assert 'listen = "unix:/run/secprov/attestor.sock";' in open(d + "/secprov-compose.conf").read(), "compose.conf: socket"
print("compose files ok")
PY
then ok "compose files: $(cat "$tmp/compose.out")"; else fail "compose files: $(tail -n2 "$tmp/compose.out")"; fi

echo "check-docker: $fails failed"
[ "$fails" -eq 0 ]

#!/usr/bin/env bash
# State folders (issue 12 item 5; docs/store.md), through the command, on
# both providers (tpm: swtpm on a socket):
#  M  an existing state folder's mode is never changed: group/world-writable
#     (1777, 0770) is refused with PERMISSION naming it, 0755 is used as is
#  W  read-only commands (unseal, list, locate, info) write and chmod nothing
#  R  a read-only state folder (read-only bind mount; root, else SKIP):
#     unseal, list, locate, info work on tpm, legacy and auto (no fallback),
#     also with no lock file (keystore/ is locked); seal and delete
#     fail saying read-only and naming the folder
#  P  the same with a folder the user may only read (setpriv; root, else SKIP)
#  V  two containers sharing a state volume (different PID namespaces,
#     unshare -p; root, else SKIP): a writer's in-flight temp file is not
#     removed by the other's sweep; a dead writer's still is
source "$SECPROV_SRC/tests/tools/test_lib.sh"
run() {   # CONF [env...] -- ARGS: stdout $T/out, stderr $T/err, exit $rc
  local conf=$1; shift
  rc=0
  env SECPROV_CONFIG="$conf" "$@" >"$T/out" 2>"$T/err" || rc=$?
}
err_has() { grep -qF -- "$1" "$T/err"; }
out_is() { [ "$(cat "$T/out")" = "$1" ]; }
out_is_file() { [ "$(cat "$1")" = "$2" ]; }
v() { printf '%s' "$1" > "$T/v"; echo "$T/v"; }
root=no; [ "$(id -u)" = 0 ] && root=yes

tpm_sim_socket "$T/s"
D=$T/st                                      # the state volume: both providers
mkdir -p "$D"; chmod 0700 "$D"
C=$T/c.conf
printf 'tpm = { devices = ["%s"]; tcti = "%s"; state_dir = "%s/tpm"; };\n' "$TPM_DEV" "$TPM_TCTI" "$D" > "$C"
printf 'legacy = { state_dir = "%s/legacy"; hardware = "CPU: test. GPU: none. Memory: 1. DriveSerial: x"; };\n' "$D" >> "$C"
for p in tpm legacy; do
  run "$C" SECURITY_PROVIDER=$p "$B" seal "s$p" "$(v "value-$p")"
  check "setup: sealed on $p" test "$rc" = 0
done

# --- M: modes ---------------------------------------------------------------------
for mode in 1777 0770; do
  chmod "$mode" "$D/legacy"
  run "$C" SECURITY_PROVIDER=legacy "$B" list
  check "M legacy $mode: list refused" test "$rc" = 1
  check "M legacy $mode: PERMISSION naming the folder" \
    err_has "state folder $D/legacy is writable by group or others (mode $mode)"
  check "M legacy $mode: the mode is unchanged" test "$(stat -c %04a "$D/legacy")" = "$mode"
  chmod "$mode" "$D/tpm"
  run "$C" SECURITY_PROVIDER=tpm "$B" unseal stpm
  check "M tpm $mode: refused naming the folder" err_has "state folder $D/tpm is writable by group or others"
  check "M tpm $mode: the mode is unchanged" test "$(stat -c %04a "$D/tpm")" = "$mode"
  chmod 0700 "$D/legacy" "$D/tpm"
done
chmod 0755 "$D/legacy"
run "$C" SECURITY_PROVIDER=legacy "$B" unseal slegacy
check "M legacy 0755: used as is" out_is value-legacy
check "M legacy 0755: still 0755" test "$(stat -c %04a "$D/legacy")" = 0755
chmod 0700 "$D/legacy"

# --- W: read-only commands write nothing ----------------------------------------
snapshot() { find "$D" -printf '%p %m %s %T@\n' | sort; }
readonly_commands() {   # PROVIDERS [prefix...]: every read-only command
  local p name
  for p in $1; do
    name=s$p; [ $p = auto ] && name=stpm
    run "$C" SECURITY_PROVIDER=$p "${@:2}" "$B" list
    [ "$label" = W ] && cp "$T/out" "$T/list.$p"
    check "$label $p: list" cmp -s "$T/out" "$T/list.$p"
    run "$C" SECURITY_PROVIDER=$p "${@:2}" "$B" unseal "$name"
    check "$label $p: unseal" out_is "value-${name#s}"
    run "$C" SECURITY_PROVIDER=$p "${@:2}" "$B" locate "$name"
    check "$label $p: locate" test "$rc" = 0 -a -s "$T/out"
    run "$C" SECURITY_PROVIDER=$p "${@:2}" "$B" info
    check "$label $p: info, no fallback" grep -qx "fallback: no" "$T/out"
  done
}
label=W
snapshot > "$T/before"; readonly_commands "tpm legacy"; snapshot > "$T/after"
check "W tpm, legacy: nothing in the state folders was written, removed or chmod'ed" cmp -s "$T/before" "$T/after"
diff "$T/before" "$T/after" || true
check "W: explicit tpm lists the TPM's store only" out_is_file "$T/list.tpm" stpm
check "W: explicit legacy lists the legacy store only" out_is_file "$T/list.legacy" slegacy
# auto: its first call moves the legacy copy into the TPM (docs/store.md, rule
# 1); after that, its read-only commands write nothing either
run "$C" "$B" list
check "W auto: the first call moved slegacy into the TPM" test -f "$D/tpm/secrets/slegacy.ref" -a ! -e "$D/legacy/slegacy.sec"
snapshot > "$T/before"; readonly_commands auto; snapshot > "$T/after"
check "W auto: nothing in the state folders was written, removed or chmod'ed" cmp -s "$T/before" "$T/after"
diff "$T/before" "$T/after" || true
check "W auto: lists both names" out_is_file "$T/list.auto" $'slegacy\nstpm'
run "$C" SECURITY_PROVIDER=legacy "$B" seal slegacy "$(v value-legacy)"   # for R and P
for p in tpm legacy; do   # what R's lists must show: as on the writable folder
  run "$C" SECURITY_PROVIDER=$p "$B" list; cp "$T/out" "$T/list.$p"
done

# --- R: a read-only bind mount ----------------------------------------------------
printf '#!/bin/sh\nexec unshare -m sh -c '"'"'mount --bind -o ro "$0" "$0" && exec "$@"'"'"' "%s" "$@"\n' "$D" > "$T/ro"
chmod +x "$T/ro"
if [ $root = yes ] && unshare -m true 2>/dev/null; then
  label=R; readonly_commands "tpm legacy auto" "$T/ro"
  rm "$D/tpm/lock"
  run "$C" SECURITY_PROVIDER=tpm "$T/ro" "$B" unseal stpm
  check "R tpm: no lock file: unseal works (keystore/ is locked)" out_is value-tpm
  run "$C" SECURITY_PROVIDER=tpm "$B" list
  check "R tpm: the lock file is made again on a writable folder" test -f "$D/tpm/lock"
  for p in tpm legacy auto; do
    dir=$D/$p; [ $p = auto ] && dir=$D/tpm
    run "$C" SECURITY_PROVIDER=$p "$T/ro" "$B" seal new "$(v x)"
    check "R $p: seal fails" test "$rc" = 1
    check "R $p: ... saying read-only and naming the folder" err_has "the state folder is read-only: $dir"
    check "R $p: ... read-only" err_has ": Read-only file system"
    name=s$p; [ $p = auto ] && name=stpm
    run "$C" SECURITY_PROVIDER=$p "$T/ro" "$B" delete "$name"
    check "R $p: delete fails saying read-only" err_has "Read-only file system"
    check "R $p: ... naming the folder" err_has "$dir"
  done
  run "$C" SECURITY_PROVIDER=tpm "$B" unseal stpm
  check "R: the secrets are all still there" out_is value-tpm
else
  echo "SKIP R: read-only bind mounts need root and unshare -m"
fi

# --- P: a folder this user may only read (setpriv) ------------------------------
if [ $root = yes ] && command -v setpriv >/dev/null; then
  chmod 0755 "$T"
  N=$T/nobody; mkdir -p "$N"; chmod 0755 "$N"
  printf 'provider = "legacy";\nlegacy = { state_dir = "%s/legacy"; hardware = "CPU: test. GPU: none. Memory: 1. DriveSerial: x"; };\n' "$N" > "$N/c.conf"
  chmod 0644 "$N/c.conf"; chown 65534:65534 "$N"
  as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  printf 'nobody-value' > "$N/v"; chmod 0644 "$N/v"
  run "$N/c.conf" "${as_nobody[@]}" "$B" seal sn "$N/v"
  check "P: sealed as 65534" test "$rc" = 0
  chmod 0500 "$N/legacy"                       # its owner may read it, not write it
  run "$N/c.conf" "${as_nobody[@]}" "$B" unseal sn
  check "P: unseal works" out_is nobody-value
  run "$N/c.conf" "${as_nobody[@]}" "$B" list
  check "P: list works" out_is sn
  run "$N/c.conf" "${as_nobody[@]}" "$B" seal sn2 "$N/v"
  check "P: seal fails saying read-only, naming the folder" err_has "the state folder is read-only: $N/legacy: Permission denied"
  run "$N/c.conf" "${as_nobody[@]}" "$B" delete sn
  check "P: delete fails naming the file and EACCES" err_has "$N/legacy/sn.sec: Permission denied"
  check "P: the mode is unchanged" test "$(stat -c %04a "$N/legacy")" = 0500
else
  echo "SKIP P: dropping privileges with setpriv needs root"
fi

# --- V: two containers sharing a state volume --------------------------------------
shim=$SECPROV_BUILD/tests/robust/pause_shim.so
pause_env() {   # the paused writer's environment: the shim for secprov only
  if [ "${SECPROV_ARCH:-}" = arm64 ]; then   # for the guest, not for qemu-user itself
    pause=(QEMU_SET_ENV="PAUSE_SHIM_DIR=$T/pause,PAUSE_SHIM_FILE=a.sec,LD_PRELOAD=$shim")
  else
    pause=(PAUSE_SHIM_DIR="$T/pause" PAUSE_SHIM_FILE=a.sec LD_PRELOAD="$shim")
  fi
}
pause_env
if readelf -dW "$B" | grep -q 'NEEDED.*libasan'; then
  echo "SKIP V: ASan build (the shim cannot precede the ASan runtime; the plain build runs it)"
elif [ $root = yes ] && unshare -p -f true 2>/dev/null; then
  mkdir -p "$T/pause"
  printf 'first-container' > "$T/va"; printf 'second-container' > "$T/vb"
  # container A: its `secprov seal a` (pid 2 in its namespace) pauses before
  # its rename, its temp file ".tmp.2.*" in the folder
  SECURITY_PROVIDER=legacy SECPROV_CONFIG=$C unshare -p -f \
    sh -c 'rc=$1; shift; env "$@"; echo $? > "$rc"' sh "$T/rc-a" "${pause[@]}" "$B" seal a "$T/va" &
  a=$!
  for _ in $(seq 1 250); do [ -e "$T/pause/paused" ] && break; sleep 0.02; done
  check "V: container A's writer is paused mid-write" test -e "$T/pause/paused"
  check "V: ... its temp file is in the folder" test -n "$(ls -A "$D/legacy" | grep '^\.tmp\.2\.' || true)"
  # container B: its `secprov seal b` is pid 3 (pid 2 has exited there), and
  # its seal sweeps temp files
  SECURITY_PROVIDER=legacy SECPROV_CONFIG=$C unshare -p -f sh -c 'true & wait; "$0" seal b "$1"; true' "$B" "$T/vb"
  check "V: container B's seal kept A's in-flight temp file" \
    test -n "$(ls -A "$D/legacy" | grep '^\.tmp\.2\.' || true)"
  touch "$T/pause/go"; wait $a || true
  check "V: container A's seal succeeded" test "$(cat "$T/rc-a")" = 0
  run "$C" SECURITY_PROVIDER=legacy "$B" unseal a
  check "V: A's secret unseals" out_is first-container
  run "$C" SECURITY_PROVIDER=legacy "$B" unseal b
  check "V: B's secret unseals" out_is second-container
  # a dead writer's temp file still goes: A killed while paused
  rm -f "$T/pause/go" "$T/pause/paused"
  SECURITY_PROVIDER=legacy SECPROV_CONFIG=$C env "${pause[@]}" "$B" seal a "$T/vb" & a=$!
  for _ in $(seq 1 250); do [ -e "$T/pause/paused" ] && break; sleep 0.02; done
  kill -9 $a; wait $a 2>/dev/null || true
  check "V: a killed writer left its temp file" test -n "$(ls -A "$D/legacy" | grep '^\.tmp\.' || true)"
  run "$C" SECURITY_PROVIDER=legacy "$B" seal c "$(v c)"
  check "V: the next seal removed it" test -z "$(ls -A "$D/legacy" | grep '^\.tmp\.' || true)"
  run "$C" SECURITY_PROVIDER=legacy "$B" unseal a
  check "V: and the killed seal left the old value" out_is first-container
else
  echo "SKIP V: PID namespaces (unshare -p) need root"
fi
check_done

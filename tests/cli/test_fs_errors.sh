#!/usr/bin/env bash
# Errors name the path and the errno's meaning, not "input/output error":
# a full file system (a 64 KiB tmpfs; ENOSPC), a read-only one (EROFS), on
# both providers; and, as an unprivileged user (setpriv 65534), a secret
# file that user cannot read (EACCES). A failed seal keeps the old value
# and leaves no temp file. Needs root (mounts, setpriv): SKIP otherwise.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
if [ "$(id -u)" != 0 ]; then echo "SKIP test_fs_errors: needs root (tmpfs mounts, setpriv)"; exit 0; fi
mounts=()
unmount_all() { local m; for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || true; done; }
on_exit unmount_all
run() { rc=0; "$@" >"$T/out" 2>"$T/err" || rc=$?; }
says() { grep -qxF -- "secprov: error: $1" "$T/err" || { echo "     stderr: $(cat "$T/err")"; return 1; }; }
no_temp() { test -z "$(find "$1" -name '.tmp.*' 2>/dev/null)"; }

tpm_sim_pty "$T/tpm"
for p in legacy tpm; do
  m=$T/$p/fs; mkdir -p "$m"
  if ! mount -t tmpfs -o size=256k,mode=0755 tmpfs "$m"; then
    echo "SKIP test_fs_errors: cannot mount a tmpfs"; exit 0
  fi
  mounts+=("$m")
  tpm_sim_config "$T/$p/c.conf" "$p"
  sed -i "s|$T/$p/tpm-state|$m/tpm-state|; s|$T/$p/legacy-state|$m/legacy-state|" "$T/$p/c.conf"
  export SECPROV_CONFIG=$T/$p/c.conf
  head -c 100 /dev/urandom > "$T/old"; head -c 3000 /dev/urandom > "$T/new"
  run "$B" seal keep "$T/old"; check "$p: seal on the tmpfs" test $rc = 0
  file=$m/legacy-state/keep.sec      # (legacy: the secret's own file)
  # ENOSPC
  dd if=/dev/zero of="$m/filler" bs=4k 2>/dev/null || true
  run "$B" seal keep "$T/new"
  check "$p: full: seal exits 1" test $rc = 1
  check "$p: full: the line says ENOSPC with the path" grep -qE "^secprov: error: seal 'keep': $p: .*$m/[^ ]+: No space left on device\$" "$T/err"
  check "$p: full: not 'input/output error'" test "$(grep -c 'input/output error' "$T/err" || true)" = 0
  run "$B" unseal keep; check "$p: full: the old value is kept" cmp "$T/out" "$T/old"
  check "$p: full: no temp file left" no_temp "$m"
  rm -f "$m/filler"
  # EROFS
  mount -o remount,ro "$m"
  run "$B" seal keep "$T/new"
  check "$p: read-only: seal exits 1" test $rc = 1
  # (tpm: its open already fails, on the lock file it needs writable)
  check "$p: read-only: the line says EROFS with the path" grep -qE "^secprov: error: .*$m/[^ ]+: Read-only file system\$" "$T/err"
  run "$B" delete keep
  check "$p: read-only: delete exits 1" test $rc = 1
  check "$p: read-only: delete says EROFS with the path" grep -qE "^secprov: error: .*$m/[^ ]+: Read-only file system\$" "$T/err"
  [ $p = legacy ] && check "$p: read-only: delete names the secret's file" says "delete 'keep': $p: $file: Read-only file system"
  mount -o remount,rw "$m"
  run "$B" unseal keep; check "$p: read-only: the old value is kept" cmp "$T/out" "$T/old"
done

# EACCES, as an unprivileged user: a secret file of that user it cannot read
u=$T/user; mkdir -m 0755 "$u"; chown 65534:65534 "$u"
as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
printf 'provider = "legacy";\nlegacy = { state_dir = "%s/state"; hardware = "x"; };\n' "$u" > "$u/c.conf"
chmod 0644 "$u/c.conf"; chmod 0644 "$T/old"; chmod 0755 "$T"
export SECPROV_CONFIG=$u/c.conf
run as_user "$B" seal locked "$T/old"; check "user: seal" test $rc = 0
chmod 0000 "$u/state/locked.sec"
run as_user "$B" unseal locked
check "user: unreadable secret: exit 1" test $rc = 1
check "user: unreadable secret: the line says EACCES with the path" \
  says "unseal 'locked': permission denied or insecure file (owner, mode or symlink) (legacy: $u/state/locked.sec: Permission denied)"
mkdir -m 0700 "$T/closed"; printf 'provider = "legacy";\nlegacy = { state_dir = "%s/closed/state"; hardware = "x"; };\n' "$T" > "$u/c2.conf"
chmod 0644 "$u/c2.conf"
run as_user "$B" --config "$u/c2.conf" seal x "$T/old"
check "user: a state folder it cannot reach: exit 1" test $rc = 1
check "user: a state folder it cannot reach: the line says EACCES with the path" \
  grep -qF "$T/closed/state: Permission denied" "$T/err"
check_done

#!/usr/bin/env bash
# The trust rule's groups (docs/security.md "Code and configuration"), on a
# real copy of the build (bin/secprov, lib/, lib/secprov/legacy.so, a config)
# run through the command:
#   - root's tree as a release tarball extracted as root leaves it (root:root,
#     folders 0775, files 0664): loads;
#   - the same with the provider folder, or the config, in group nogroup
#     (another user may be a member): refused, naming it and the gid;
#   - a user's tree made under umask 002 with a private group (daemon:daemon),
#     run as that user (setpriv): loads;
#   - the same tree as nobody:nogroup (a primary group that is not the user's
#     own), or with its provider folder in another group: refused.
# Needs root (chown, setpriv): SKIP otherwise.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
if [ "$(id -u)" != 0 ]; then
  echo "SKIP trust groups: needs root (chown, setpriv)"; exit 0
fi
chmod 755 "$T"
NOBODY=65534

tree() {  # DIR OWNER:GROUP: a copy of the build with its config, 0775/0664
  local d=$1
  mkdir -p "$d/bin" "$d/lib/secprov" "$d/state"
  cp "$B" "$d/bin/"
  cp -P "$SECPROV_BUILD"/lib/libsecprov.so* "$d/lib/"
  cp "$SECPROV_BUILD/lib/secprov/legacy.so" "$d/lib/secprov/"
  cat > "$d/secprov.conf" <<CONF
provider = "legacy";
legacy = { state_dir = "$d/state/legacy"; hardware = "CPU: test. GPU: none. Memory: 1. DriveSerial: x"; };
CONF
  find "$d" -type d -exec chmod 0775 {} +
  find "$d" -type f -exec chmod 0664 {} +
  chmod 0775 "$d/bin/secprov" "$d/lib/secprov/legacy.so" "$d"/lib/libsecprov.so.*.*
  chmod 0700 "$d/state"
  chown -R "$2" "$d"
}
run() {  # WHO DIR: secprov info with DIR's config, as WHO (root | a user name)
  local who=$1 d=$2
  if [ "$who" = root ]; then
    "$d/bin/secprov" --config "$d/secprov.conf" info
  else
    setpriv --reuid="$who" --regid="$(id -g "$who")" --clear-groups \
      "$d/bin/secprov" --config "$d/secprov.conf" info
  fi
}

# Root: the release tarball extracted as root.
R=$T/root-tree
tree "$R" 0:0
rc=0; run root "$R" > "$T/out" 2> "$T/err" || rc=$?
check "root:root 0775/0664 tree: secprov info exit 0 (got $rc: $(head -c 300 "$T/err"))" test $rc = 0
check "... provider legacy" grep -qx 'provider: legacy' "$T/out"
chgrp $NOBODY "$R/lib/secprov"
rc=0; run root "$R" > /dev/null 2> "$T/err" || rc=$?
check "provider folder root:nogroup 0775: refused (exit $rc)" test $rc != 0
check "... naming the folder and its group ($(head -c 300 "$T/err"))" \
  grep -q "folder $R/lib/secprov above it is writable by its group gid $NOBODY" "$T/err"
chgrp 0 "$R/lib/secprov"; chgrp $NOBODY "$R/secprov.conf"
rc=0; run root "$R" > /dev/null 2> "$T/err" || rc=$?
check "config root:nogroup 0664: refused (exit $rc), naming it ($(head -c 300 "$T/err"))" \
  test $rc != 0 -a "$(grep -c "$R/secprov.conf is writable by its group gid $NOBODY" "$T/err")" = 1
chgrp 0 "$R/secprov.conf"
check "control: back to root:root, loads again" run root "$R"

# A user with a private group: its umask-002 tree.
if [ "$(id -gn daemon 2>/dev/null)" = daemon ]; then
  U=$T/user-tree
  tree "$U" daemon:daemon
  rc=0; run daemon "$U" > "$T/out" 2> "$T/err" || rc=$?
  check "daemon:daemon 0775/0664 tree, as daemon: exit 0 (got $rc: $(head -c 300 "$T/err"))" test $rc = 0
  chgrp bin "$U/lib/secprov"
  rc=0; run daemon "$U" > /dev/null 2> "$T/err" || rc=$?
  check "... provider folder in group bin (another user's): refused ($(head -c 300 "$T/err"))" \
    test $rc != 0 -a "$(grep -c "$U/lib/secprov above it is writable by its group gid $(getent group bin | cut -d: -f3)" "$T/err")" = 1
else
  echo "SKIP private group: no daemon:daemon account here"
fi

# nobody's primary group nogroup is not its own: any member could write.
N=$T/nobody-tree
tree "$N" $NOBODY:$NOBODY
rc=0; run nobody "$N" > /dev/null 2> "$T/err" || rc=$?
check "nobody:nogroup 0775 tree, as nobody: refused (exit $rc)" test $rc != 0
check "... naming a folder and gid $NOBODY ($(head -c 300 "$T/err"))" \
  grep -q "writable by its group gid $NOBODY" "$T/err"
find "$N" -type d -exec chmod g-w {} +; find "$N" -type f -exec chmod g-w {} +
check "control: the same tree without group write loads as nobody" run nobody "$N"
check_done

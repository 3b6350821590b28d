#!/usr/bin/env bash
# Privileged hosts take nothing from the caller's environment. A setuid-root
# host and a host with a file capability (both AT_SECURE; linked with an
# absolute rpath) are run as an unprivileged user (65534) whose environment
# names an attacker's provider folder (modules whose constructor leaves a
# marker), an attacker's config (a TCTI that is a library), a provider, a
# log level, TSS2_LOG=all+trace and a TSS2_LOGFILE. The constructor never
# runs, no log file appears, and the open does what the program's own
# options and the defaults say. Controls: the same host without privilege
# runs the attacker's constructor and writes the tpm2-tss log, so each
# search can fail. Also: outside privilege, a provider folder of another
# user is refused (SECPROV_ERR_PERMISSION naming it), and secprov's own log
# holds no secret even at debug level.
# Needs root (setuid, setcap, chown): SKIP otherwise.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
if [ "$(id -u)" != 0 ]; then
  echo "SKIP privileged hosts: needs root (setuid, setcap, chown, setpriv)"; exit 0
fi
E=$SECPROV_BUILD/tests/security
chmod 755 "$T"
NOBODY=65534
as_nobody() { setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups "$@"; }

# The hosts: privileged copies of one program, beside the build (a /tmp
# mounted nosuid would void the setuid bit).
BIN=$(mktemp -d "$E/priv.XXXXXX")
on_exit 'rm -rf "$BIN"'
chmod 755 "$BIN"; ln -s "$BIN" "$T/bin"
cp "$E/sp_host" "$T/bin/suid"; chown root:root "$T/bin/suid"; chmod 4755 "$T/bin/suid"
cp "$E/sp_host" "$T/bin/cap"; chmod 755 "$T/bin/cap"
cp "$E/sp_host" "$T/bin/plain"; chmod 755 "$T/bin/plain"
setcap cap_net_bind_service+ep "$T/bin/cap" 2>/dev/null || true
# The privilege must take effect (no nosuid mount, no no_new_privs, setcap
# allowed), or there is nothing to test.
got_suid=$(as_nobody "$T/bin/suid" whoami 2>&1 || true)
got_cap=$(as_nobody "$T/bin/cap" whoami 2>&1 || true)
if [ "$got_suid" != "euid 0 secure 1" ] || [ "$got_cap" != "euid $NOBODY secure 1" ]; then
  echo "SKIP privileged hosts: privilege does not take effect here (setuid: '$got_suid'," \
       "file capability: '$got_cap')"
  exit 0
fi
check "control: the plain host is not privileged" \
  test "$(as_nobody "$T/bin/plain" whoami)" = "euid $NOBODY secure 0"

# A TPM on a socket that uid 65534 may use too.
tpm_sim_socket "$T/tpm"
chmod 755 "$T/tpm"; chmod 666 "$T/tpm/sock" "$T/tpm/sock.ctrl"
# The program's own configs (root's, 0644): provider tpm on that TPM; the
# cap host runs as 65534, so its state folders are 65534's.
conf() {  # FILE STATE_PREFIX
  cat > "$1" <<CONF
provider = "tpm";
tpm = { devices = ["$TPM_DEV"]; tcti = "$TPM_TCTI"; state_dir = "$2-tpm"; };
legacy = { state_dir = "$2-legacy"; hardware = "CPU: test. GPU: none. Memory: 1. DriveSerial: x"; };
CONF
  chmod 644 "$1"
}
conf "$T/root.conf" "$T/root"
conf "$T/cap.conf" "$T/cap"
install -d -m 700 -o $NOBODY -g $NOBODY "$T/cap-tpm" "$T/cap-legacy"

# The attacker's folder (65534's own): modules, a config, the log target.
A=$T/evil
install -d -m 755 -o $NOBODY -g $NOBODY "$A"
install -m 755 -o $NOBODY -g $NOBODY "$E/evil/tpm.so" "$E/evil/legacy.so" "$A/"
cat > "$A/c.conf" <<CONF
provider = "tpm";
tpm = { tcti = "$A/libtss2-tcti-evil.so"; state_dir = "$A/state"; };
legacy = { state_dir = "evil-relative"; };
CONF
chown $NOBODY:$NOBODY "$A/c.conf"
ATTACK=(SECPROV_PROVIDER_DIR="$A" SECPROV_CONFIG="$A/c.conf" SECURITY_PROVIDER=tpm
        SECPROV_LOG_LEVEL=debug TSS2_LOG=all+trace TSS2_LOGFILE="$A/tss.log"
        TSS2_FAPICONF="$A/fapi.json" TCTI_PCAP_FILE="$A/bus.pcap" EVIL_MARKER="$A/marker")
attack() { as_nobody env "${ATTACK[@]}" "$@"; }
clean() { [ ! -e "$A/marker" ] && [ ! -e "$A/tss.log" ] && [ ! -e "$A/bus.pcap" ]; }
SECRET="PRIV-SECRET-$RANDOM$RANDOM"

# The setuid-root host first makes its real uid root (-r): tpm2-tss's FAPI
# checks its folders with access(2), for the real uid (see below).
for host in "suid -r" cap; do
  c=$T/root.conf; [ "$host" = cap ] && c=$T/cap.conf
  h=$T/bin/$host
  rc=0; attack $h -c "$c" open > "$T/out" 2> "$T/err" || rc=$?
  check "$host: open with the program's config: exit 0 (got $rc)" test $rc = 0
  check "$host: the provider is the config's tpm, not \$SECURITY_PROVIDER's" \
    test "$(cat "$T/out")" = "provider tpm"
  check "$host: \$SECPROV_LOG_LEVEL=debug ignored (stderr: $(head -c 600 "$T/err"))" test ! -s "$T/err"
  rc=0; attack $h -c "$c" seal s1 "$SECRET" 2> "$T/err" || rc=$?
  check "$host: seal: exit 0 (got $rc)" test $rc = 0
  rc=0; attack $h -c "$c" unseal s1 > "$T/out" 2> "$T/err" || rc=$?
  check "$host: unseal: exit 0 (got $rc), the secret" test $rc = 0 -a "$(cat "$T/out")" = "$SECRET"
  check "$host: the attacker's constructor never ran, no tpm2-tss log or pcap file" clean
  rc=0; attack $h -c "$c" -p legacy open > /dev/null 2>&1 || rc=$?
  check "$host: -p legacy (options beat the config): exit 0 (got $rc)" test $rc = 0
  check "$host: still no constructor, no log" clean
done
# Without -r (real uid 65534, effective uid root): the keystore is provisioned
# already, so no FAPI context is made (FAPI checks access(2) with the real
# uid and refused root's 0700 state folder); secprov itself works with the
# effective uid, the program's privilege: the open succeeds, and tpm2-tss
# writes no log.
rc=0; attack "$T/bin/suid" -c "$T/root.conf" open > /dev/null 2> "$T/err" || rc=$?
check "suid without -r: opens with the program's privilege (got $rc: $(head -c 300 "$T/err"))" \
  test $rc = 0
check "suid without -r: no constructor, no log" clean
# The legacy API's open: the same rules.
for host in suid cap; do
  rc=0; out=$(attack "$T/bin/$host" legacy 2> "$T/err") || rc=$?
  check "$host: secprov_legacy_open ignores \$SECPROV_CONFIG and \$SECPROV_PROVIDER_DIR: exit 0 (got $rc: $(head -c 300 "$T/err"))" \
    test $rc = 0 -a -n "$out"
  check "$host: no constructor" clean
done
rc=0; attack "$T/bin/plain" legacy > /dev/null 2>&1 || rc=$?
check "control: unprivileged, secprov_legacy_open reads \$SECPROV_CONFIG (its relative legacy.state_dir: SECPROV_ERR_CONFIG, got $rc)" test $rc = 5
rc=0; attack "$T/bin/suid" -c "$T/root.conf" -d "$A" -p legacy open > /dev/null 2> "$T/err" || rc=$?
check "suid: the program's provider folder, another user's: SECPROV_ERR_PERMISSION (got $rc)" test $rc = 13
check "suid: the constructor did not run" test ! -e "$A/marker"

# No config from the program: $SECPROV_CONFIG (a TCTI library) and
# $SECURITY_PROVIDER=tpm are ignored, the defaults apply: auto, no TPM
# device, legacy in /var/lib/secprov (a private tmpfs: nothing of the host's).
if [ -e /dev/tpmrm0 ] || [ -e /dev/tpm0 ] || ! unshare -m true 2>/dev/null; then
  echo "SKIP defaults in a privileged host: a TPM device here, or no mount namespace"
else
  for host in suid; do
    rc=0; out=$(unshare -m bash -c 'mount -t tmpfs tmpfs /var/lib && exec "$@"' - \
                  setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
                  env "${ATTACK[@]}" "$T/bin/$host" open 2> "$T/err") || rc=$?
    check "$host: no options: the defaults (auto -> legacy), exit 0 (got $rc: $(head -c 300 "$T/err"))" \
      test $rc = 0 -a "$out" = "provider legacy"
    check "$host: still no constructor, no log" clean
  done
fi

# Controls: the same program without privilege takes all of it.
rc=0; attack "$T/bin/plain" -c "$T/cap.conf" open > /dev/null 2>&1 || rc=$?
check "control: unprivileged, \$SECPROV_PROVIDER_DIR is read and the constructor runs (exit $rc)" \
  test -e "$A/marker"
rm -f "$A/marker"
as_nobody env TSS2_LOG=all+trace TSS2_LOGFILE="$A/tss.log" "$T/bin/plain" -c "$T/cap.conf" open > /dev/null 2>&1 || true
check "control: unprivileged, TSS2_LOG/TSS2_LOGFILE are tpm2-tss's: the log appears" test -s "$A/tss.log"
rm -f "$A/tss.log"

# Outside privilege too: code only from files no other user could have written.
rc=0; env "${ATTACK[@]}" SECURITY_PROVIDER=legacy "$T/bin/plain" -c "$T/root.conf" -p legacy open \
  > /dev/null 2> "$T/err" || rc=$?
check "root, 65534's provider folder: SECPROV_ERR_PERMISSION (got $rc)" test $rc = 13
check "... naming the module ($(head -c 300 "$T/err"))" grep -q "$A/legacy.so is owned by uid 65534" "$T/err"
rc=0; env "${ATTACK[@]}" "$T/bin/plain" -c "$T/root.conf" -p tpm open > /dev/null 2> "$T/err" || rc=$?
check "root, 65534's provider folder, tpm asked for: SECPROV_ERR_UNAVAILABLE (got $rc)" test $rc = 6
check "... naming the module" grep -q "$A/tpm.so is owned by uid 65534" "$T/err"
check "the constructor did not run" test ! -e "$A/marker"
chmod 664 "$T/root.conf"; chgrp $NOBODY "$T/root.conf"
rc=0; "$T/bin/plain" -c "$T/root.conf" open > /dev/null 2> "$T/err" || rc=$?
check "a group-writable config: SECPROV_ERR_PERMISSION (got $rc), naming it" \
  test $rc = 13 -a "$(grep -c "$T/root.conf is writable by its group gid $NOBODY" "$T/err")" = 1
chmod 644 "$T/root.conf"; chgrp 0 "$T/root.conf"

# secprov's own log never holds a secret, at any level (debug here).
for p in tpm legacy; do
  rc=0
  "$T/bin/plain" -c "$T/root.conf" -p $p -l 1 seal dbg "$SECRET" 2> "$T/log-$p" || rc=$?
  "$T/bin/plain" -c "$T/root.conf" -p $p -l 1 unseal dbg > /dev/null 2>> "$T/log-$p" || rc=$?
  n=$(grep -cE '^secprov: (debug|info):' "$T/log-$p" || true)
  check "$p at debug: exit 0 (got $rc), $n debug/info lines logged" test $rc = 0 -a "$n" -ge 1
  check "$p at debug: the secret is not in secprov's log" test "$(grep -c "$SECRET" "$T/log-$p" || true)" = 0
done
check_done

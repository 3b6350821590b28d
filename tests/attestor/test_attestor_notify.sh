#!/usr/bin/env bash
# secprov-attestor and sd_notify (attestor/notify.c, Type=notify): a Python
# AF_UNIX SOCK_DGRAM listener stands in for systemd as NOTIFY_SOCKET and
# records every datagram; when READY=1 arrives it asks /health at once.
# Checks: the exact messages in order (STATUS=attested from the first
# attestation, READY=1 once /health answers attested, STATUS=degraded on a
# state change, STOPPING=1 at SIGTERM); without NOTIFY_SOCKET nothing is
# loaded or said; a NOTIFY_SOCKET nobody listens on is reported once and
# the daemon serves on; libsystemd.so.0 missing (root: hidden by a bind
# mount in a private mount namespace) is one clear line, and it serves on.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
source "$SECPROV_SRC/tests/attestor/lib.sh"
at_fixtures
C=$T/c.conf
at_config "$C"

# The listener: one JSON line per datagram in $T/notes; on READY=1 the
# answer of GET /health, taken before reading the next datagram.
cat > "$T/listen.py" <<'PY'
import json, os, socket, sys, urllib.request
path, notes, url = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
open(path + ".up", "w").close()
with open(notes, "a") as out:
    while True:
        msg = s.recv(4096).decode()
        rec = {"msg": msg}
        if "READY=1" in msg.split("\n"):
            try:
                with urllib.request.urlopen(url + "/health", timeout=5) as r:
                    rec["health"] = "%d %s" % (r.status, json.loads(r.read())["state"])
            except Exception as e:
                rec["health"] = "error: %s" % e
        out.write(json.dumps(rec) + "\n")
        out.flush()
PY
LPID=
on_exit '[ -n "$LPID" ] && kill $LPID 2>/dev/null'
listen() {   # SOCKET NOTES: start the listener, wait until it is bound
  python3 "$T/listen.py" "$1" "$2" "$URL" & LPID=$!
  for _ in $(seq 100); do [ -e "$1.up" ] && return 0; sleep 0.05; done
  return 1
}
wait_for() {   # NOTES TEXT: until a message holds TEXT (5 s)
  for _ in $(seq 100); do
    jq -r .msg "$1" 2>/dev/null | grep -qF -- "$2" && return 0
    sleep 0.05
  done
  return 1
}
msgs() { jq -c -s 'map(.msg)' "$1"; }
wait_count() {   # NOTES N: until N messages are in (5 s)
  for _ in $(seq 100); do [ "$(jq -s length "$1")" -ge "$2" ] && return 0; sleep 0.05; done
  return 1
}
maps_has() { grep -c 'libsystemd\.so' "/proc/$1/maps" || true; }

# Where libsystemd.so.0 would come from (ldconfig -p read to the end).
lib=$(ldconfig -p | awk '/libsystemd\.so\.0 /{p=$NF} END{print p}')
if [ "${SECPROV_ARCH:-}" = arm64 ]; then
  lib=
  for d in /lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu; do
    [ -e "$d/libsystemd.so.0" ] && lib=$d/libsystemd.so.0
  done
fi

# --- NOTIFY_SOCKET set, the library there: the messages ---
if [ -n "$lib" ]; then
  check "listener bound" listen "$T/notify.sock" "$T/notes"
  export NOTIFY_SOCKET=$T/notify.sock
  check "the daemon starts under NOTIFY_SOCKET" at_start "$C"
  unset NOTIFY_SOCKET
  check "READY=1 arrives" wait_for "$T/notes" READY=1
  check "READY=1 came when /health answered 200 attested (first attestation done)" \
    test "$(jq -r 'select(.health) | .health' "$T/notes")" = "200 attested"
  check "messages so far: STATUS=attested (the first attestation), then READY=1" \
    test "$(msgs "$T/notes")" = '["STATUS=attested","READY=1\nSTATUS=attested"]'
  if [ "${SECPROV_ARCH:-}" != arm64 ]; then
    check "libsystemd is loaded (dlopen) under NOTIFY_SOCKET" test "$(maps_has "$AT_PID")" -gt 0
  fi
  echo "tampered" >> "$T/svc"; refresh
  check "a state change: degraded" test "$code $(field .state)" = "200 degraded"
  check "... STATUS=degraded arrives" wait_for "$T/notes" STATUS=degraded
  echo "binary one" > "$T/svc"; refresh
  wait_count "$T/notes" 4 || true
  check "... and back: STATUS=attested" test "$(msgs "$T/notes" | jq -r '.[-1]')" = STATUS=attested
  refresh
  check "an attestation without a state change sends nothing" test "$(jq -s length "$T/notes")" = 4
  at_stop
  check "SIGTERM: exit 0" test "$AT_RC" = 0
  check "SIGTERM: STOPPING=1 was sent" wait_for "$T/notes" STOPPING=1
  check "all the messages, in order" test "$(msgs "$T/notes")" = \
    '["STATUS=attested","READY=1\nSTATUS=attested","STATUS=degraded","STATUS=attested","STOPPING=1\nSTATUS=stopping"]'
  check "nothing on stderr about notify" test "$(grep -c -i 'notify\|libsystemd' "$T/daemon.err" || true)" = 0
  kill "$LPID"; wait "$LPID" 2>/dev/null || true; LPID=
else
  echo "SKIP sd_notify messages: no libsystemd.so.0 for ${SECPROV_ARCH:-this architecture} (install libsystemd0${SECPROV_ARCH:+:$SECPROV_ARCH})"
fi

# --- NOTIFY_SOCKET unset: nothing loaded, nothing said ---
: > "$T/daemon.err"
check "without NOTIFY_SOCKET the daemon starts" at_start "$C"
get /health; check "... /health 200 attested" test "$code $(field .state)" = "200 attested"
if [ "${SECPROV_ARCH:-}" != arm64 ]; then
  check "... libsystemd is not loaded" test "$(maps_has "$AT_PID")" = 0
fi
at_stop
check "... SIGTERM: exit 0" test "$AT_RC" = 0
check "... nothing on stderr about notify" test "$(grep -c -i 'notify\|libsystemd' "$T/daemon.err" || true)" = 0

# --- NOTIFY_SOCKET where nobody listens: reported once, serves on ---
if [ -n "$lib" ]; then
  : > "$T/daemon.err"
  export NOTIFY_SOCKET=$T/nobody.sock
  check "NOTIFY_SOCKET with no listener: the daemon starts" at_start "$C"
  unset NOTIFY_SOCKET
  echo "tampered" >> "$T/svc"; refresh; echo "binary one" > "$T/svc"; refresh
  get /health; check "... and serves" test "$code $(field .state)" = "200 attested"
  at_stop
  check "... exit 0" test "$AT_RC" = 0
  check "... the failed send reported once (5 sends), naming the socket" \
    test "$(grep -c "sd_notify(.*to NOTIFY_SOCKET $T/nobody.sock: " "$T/daemon.err")" = 1
fi

# --- NOTIFY_SOCKET set, libsystemd.so.0 missing ---
# A private mount namespace where the library file reads as /dev/null: its
# dlopen fails ("file too short"), as on a system without libsystemd0.
start_missing() {
  if [ -n "$lib" ]; then
    NOTIFY_SOCKET=$T/notify2.sock unshare -m sh -c 'mount --bind /dev/null "$1" && exec "$2" --config "$3"' \
      sh "$lib" "$AD" "$C" 2>>"$T/daemon.err" &
  else   # arm64 without the arm64 library: missing for real
    NOTIFY_SOCKET=$T/notify2.sock "$AD" --config "$C" 2>>"$T/daemon.err" &
  fi
  AT_PID=$!
  at_wait_ready
}
if [ -n "$lib" ] && ! unshare -m sh -c 'mount --bind /dev/null "$1"' sh "$lib" 2>/dev/null; then
  echo "SKIP libsystemd missing: hiding it needs a private mount namespace (root, CAP_SYS_ADMIN)"
else
  : > "$T/daemon.err"
  check "listener bound (2)" listen "$T/notify2.sock" "$T/notes2"
  check "libsystemd missing, NOTIFY_SOCKET set: the daemon starts" start_missing
  get /health; check "... and serves" test "$code $(field .state)" = "200 attested"
  echo "tampered" >> "$T/svc"; refresh; echo "binary one" > "$T/svc"; refresh
  at_stop
  check "... exit 0" test "$AT_RC" = 0
  check "... one line says libsystemd cannot be loaded" \
    test "$(grep -c 'NOTIFY_SOCKET is set but libsystemd.so.0 cannot be loaded' "$T/daemon.err")" = 1
  check "... and it is the only notify line" test "$(grep -c -i 'notify' "$T/daemon.err")" = 1
  check "... nothing was sent" test "$(wc -c < "$T/notes2" 2>/dev/null || echo 0)" = 0
  kill "$LPID"; wait "$LPID" 2>/dev/null || true; LPID=
fi
check_done

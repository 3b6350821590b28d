#!/usr/bin/env bash
# One store in auto mode, and lock contention (issue 12 item 4; docs/store.md),
# against swtpm (socket, and the pty character device), through the API (a
# long-lived handle: tests/tpm/fault_driver) and the command:
#  S1 a secret the TPM holds, asked for while the TPM is unusable (swtpm
#     stopped; the device node gone), is UNAVAILABLE naming why, never
#     NOT_FOUND; seal over it and delete it are refused the same way
#  S2 legacy copies (sealed during a fallback) are moved into the TPM on the
#     first call that finds it usable (not by info); the legacy copy is gone
#  S3 both stores hold a name: the TPM's copy wins, the legacy copy is
#     removed; list shows each name once; delete removes it from both
#  S4 a fallen-back handle retries the TPM (tpm.retry_interval_s) and
#     switches to it with one info line; also a handle opened with no device
#  S5 explicit legacy and tpm keep their meaning
#  B  another process holding the lock: auto and tpm wait
#     tpm.lock_timeout_ms, then BUSY; never a fallback, nothing sealed in legacy
source "$SECPROV_SRC/tests/tools/test_lib.sh"
LIMIT_MS=8000

source "$SECPROV_SRC/tests/tools/driver.sh"
drv_info() {   # CONF: a driver process on config CONF (log level info), $T/driver.err emptied
  : > "$T/driver.err"
  drv_start "$1" SECPROV_LOG_LEVEL=info
}
HOLDER=
on_exit '[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null'
run() {   # CONF [env...] -- the command: stdout $T/out, stderr $T/err, exit $rc
  local conf=$1; shift
  rc=0
  env SECPROV_CONFIG="$conf" "$@" >"$T/out" 2>"$T/err" || rc=$?
}
out_is() { [ "$(cat "$T/out")" = "$1" ]; }
err_has() { grep -qF -- "$1" "$T/err"; }
no_err() { ! grep -qF -- "$1" "$T/err"; }
conf() {   # FILE DEVICE TCTI: auto, retry every second, lock wait 500 ms
  printf 'tpm = { devices = ["%s"]; %s state_dir = "%s"; lock_timeout_ms = 500; retry_interval_s = 1; };\n' \
    "$2" "${3:+tcti = \"$3\";}" "$T/tpm-state" > "$1"
  printf 'legacy = { state_dir = "%s"; hardware = "CPU: test. GPU: none. Memory: 1. DriveSerial: x"; };\n' \
    "$T/legacy-state" >> "$1"
}
S=$T/tpm-state/secrets
L=$T/legacy-state
v() { printf '%s' "$1" > "$T/v"; echo "$T/v"; }

tpm_sim_socket "$T/s"
C=$T/c.conf; conf "$C" "$TPM_DEV" "$TPM_TCTI"
run "$C" "$B" seal tp "$(v tpm-value)"
check "setup: 'tp' sealed by the TPM" test "$rc" = 0 -a -f "$S/tp.ref"

# --- S1: the TPM unusable (swtpm stopped) ---------------------------------------
tpm_sim_stop
run "$C" "$B" unseal tp
check "S1 command: unseal of a TPM-held secret, TPM stopped: exit 1" test "$rc" = 1
check "S1 command: it is 'provider unavailable'" err_has "unseal 'tp': provider unavailable"
check "S1 command: it names the TPM as keeper and why it cannot be used" \
  err_has "the TPM keeps 'tp', and the TPM cannot be used now: cannot open TCTI"
check "S1 command: never 'no secret of that name'" no_err "no secret of that name"
run "$C" "$B" seal tp "$(v new-in-legacy)"
check "S1 command: seal over a TPM-held name refused (UNAVAILABLE)" err_has "seal 'tp': provider unavailable"
check "S1 command: nothing sealed in legacy" test ! -e "$L/tp.sec"
run "$C" "$B" delete tp
check "S1 command: delete of a TPM-held name refused (UNAVAILABLE)" err_has "delete 'tp': provider unavailable"
check "S1 command: the TPM's reference is kept" test -f "$S/tp.ref"
run "$C" "$B" locate tp
check "S1 command: locate refused (UNAVAILABLE)" err_has "locate 'tp': provider unavailable"
run "$C" "$B" seal lg "$(v legacy-value)"
check "S1 command: another name is sealed in legacy (fallback)" test "$rc" = 0 -a -f "$L/lg.sec"
run "$C" "$B" list
check "S3 command: list, TPM stopped: the names of both stores" out_is $'lg\ntp'
run "$C" "$B" unseal nothere
check "S1 command: a name no store holds is still NOT_FOUND" err_has "unseal 'nothere': no secret of that name"
# S5: explicit legacy keeps its meaning
run "$C" SECURITY_PROVIDER=legacy "$B" unseal tp
check "S5: explicit legacy: a TPM-held name is NOT_FOUND there" err_has "unseal 'tp': no secret of that name"
run "$C" SECURITY_PROVIDER=legacy "$B" list
check "S5: explicit legacy: list shows the legacy store only" out_is lg
run "$C" SECURITY_PROVIDER=tpm "$B" unseal lg
check "S5: explicit tpm, TPM stopped: UNAVAILABLE at open" err_has "TPM provider asked for (SECURITY_PROVIDER) but failed"

# API: a long-lived handle opened while the TPM is stopped
drv_info "$C"
ask open; expect "S4 API: open with the TPM stopped" OK
ask provider; expect "S4 API: it fell back" OK "legacy fallback=yes"
ask unseal tp; expect "S1 API: unseal of a TPM-held secret: UNAVAILABLE, not NOT_FOUND" UNAVAILABLE
ask seal tp x; expect "S1 API: seal over it: UNAVAILABLE" UNAVAILABLE
ask delete tp; expect "S1 API: delete it: UNAVAILABLE" UNAVAILABLE
ask seal lg2 legacy-value-2; expect "S1 API: another name sealed (legacy)" OK
ask list; expect "S3 API: list: each name of both stores once" OK "lg,lg2,tp"

# --- S4 and S2: the TPM back; the same handle switches and moves -----------------
tpm_sim_socket "$T/s"
mkdir -p "$T/tpm-state"; touch "$T/tpm-state/lock"
( exec 9<"$T/tpm-state/lock"; flock 9; exec sleep 30 ) & HOLDER=$!   # sleep holds it
for _ in $(seq 1 100); do flock -n "$T/tpm-state/lock" true || break; sleep 0.05; done
sleep 1.2                                    # tpm.retry_interval_s = 1
ask unseal lg2; expect "S4 API: the retry finds the lock held: BUSY (contention is not failure)" BUSY
kill "$HOLDER"; wait "$HOLDER" 2>/dev/null || true; HOLDER=
sleep 1.2
ask unseal lg2; expect "S4 API: after the retry interval, the call is served" OK legacy-value-2
ask provider; expect "S4 API: the handle switched to the TPM" OK "tpm fallback=no"
check "S4 API: one info line says so" test "$(grep -c 'the TPM can be used again: provider tpm now serves this handle' "$T/driver.err")" = 1
check "S2 API: the legacy copies were moved (legacy holds none)" test ! -e "$L/lg.sec" -a ! -e "$L/lg2.sec"
check "S2 API: ... into the TPM" test -f "$S/lg.ref" -a -f "$S/lg2.ref"
check "S2 API: each move logged" test "$(grep -c "moved '.*' from the legacy store into the TPM" "$T/driver.err")" = 2
ask unseal lg; expect "S2 API: a moved secret unseals from the TPM" OK legacy-value
ask unseal tp; expect "S1 API: the TPM-held secret unseals again" OK tpm-value
ask list; expect "S3 API: list" OK "lg,lg2,tp"
drv_stop

# --- S2 through the command: the first call moves; info does not ---------------
tpm_sim_stop
run "$C" "$B" seal mig "$(v mig-value)"
check "S2 command: sealed into legacy while the TPM is stopped" test "$rc" = 0 -a -f "$L/mig.sec"
tpm_sim_socket "$T/s"
run "$C" "$B" info
check "S2 command: info does not move anything" test -f "$L/mig.sec" -a ! -e "$S/mig.ref"
run "$C" SECPROV_LOG_LEVEL=info "$B" list
check "S2 command: list (the first call) lists it once" out_is $'lg\nlg2\nmig\ntp'
check "S2 command: ... and moved it into the TPM" test ! -e "$L/mig.sec" -a -f "$S/mig.ref"
check "S2 command: the move is logged at info" err_has "moved 'mig' from the legacy store into the TPM"
run "$C" "$B" unseal mig
check "S2 command: it unseals from the TPM" out_is mig-value

# --- S3: both stores hold a name -----------------------------------------------
run "$C" SECURITY_PROVIDER=legacy "$B" seal tp "$(v stale-legacy-copy)"
check "S3: a legacy copy of 'tp' beside the TPM's" test -f "$L/tp.sec" -a -f "$S/tp.ref"
tpm_sim_stop
run "$C" "$B" list
check "S3: list with both copies (TPM stopped): 'tp' once" out_is $'lg\nlg2\nmig\ntp'
run "$C" "$B" unseal tp
check "S3: TPM stopped: the legacy copy is not served (UNAVAILABLE)" err_has "unseal 'tp': provider unavailable"
tpm_sim_socket "$T/s"
run "$C" SECPROV_LOG_LEVEL=info "$B" unseal tp
check "S3: the TPM's copy wins" out_is tpm-value
check "S3: the legacy copy is removed" test ! -e "$L/tp.sec"
check "S3: ... and that is logged" err_has "removed the legacy copy of 'tp': the TPM holds 'tp'"
# a TPM copy that cannot be read never costs the legacy copy
run "$C" SECURITY_PROVIDER=tpm "$B" seal bk "$(v bk-tpm)"
run "$C" SECURITY_PROVIDER=legacy "$B" seal bk "$(v bk-legacy)"
obj=$(find "$T/tpm-state/keystore/user" -path '*/sp-bk-*/object.json')
cp "$obj" "$T/obj.orig"
sed -E -i 's/("private":"[0-9a-f]*)[1-9a-f]"/\10"/; t; s/("private":"[0-9a-f]*)0"/\11"/' "$obj"
run "$C" "$B" unseal bk
check "S3: both hold 'bk', the TPM's copy altered: the TPM's answer (integrity error)" \
  err_has "unseal 'bk': stored secret failed its integrity check"
check "S3: ... and the legacy copy is kept" test -f "$L/bk.sec"
run "$C" SECURITY_PROVIDER=legacy "$B" unseal bk
check "S3: ... and still unseals by explicit legacy" out_is bk-legacy
cp "$T/obj.orig" "$obj"
run "$C" "$B" unseal bk
check "S3: the TPM's copy restored: it wins, the legacy copy goes" test "$(cat "$T/out")" = bk-tpm -a ! -e "$L/bk.sec"
run "$C" SECURITY_PROVIDER=tpm "$B" seal dd "$(v dd-tpm)"
run "$C" SECURITY_PROVIDER=legacy "$B" seal dd "$(v dd-legacy)"
check "S3: 'dd' in both stores" test -f "$S/dd.ref" -a -f "$L/dd.sec"
run "$C" "$B" delete dd
check "S3: delete: exit 0" test "$rc" = 0
check "S3: delete removed it from both stores" test ! -e "$S/dd.ref" -a ! -e "$L/dd.sec"
run "$C" "$B" unseal dd
check "S3: then it is NOT_FOUND" err_has "unseal 'dd': no secret of that name"
run "$C" SECURITY_PROVIDER=legacy "$B" seal sx "$(v sx-old)"
run "$C" "$B" seal sx "$(v sx-new)"
check "S3: auto seal over a legacy-held name: into the TPM, the legacy copy gone" \
  test -f "$S/sx.ref" -a ! -e "$L/sx.sec"
run "$C" "$B" unseal sx
check "S3: ... and it unseals to the new value" out_is sx-new

# --- B: lock contention is not failure ------------------------------------------
( exec 9<"$T/tpm-state/lock"; flock 9; exec sleep 30 ) & HOLDER=$!   # sleep holds it
for _ in $(seq 1 100); do flock -n "$T/tpm-state/lock" true || break; sleep 0.05; done
start=$(date +%s%N)
run "$C" "$B" seal busy "$(v busy-value)"
took=$(( ($(date +%s%N) - start) / 1000000 ))
check "B: lock held elsewhere, auto seal: exit 1" test "$rc" = 1
check "B: ... says busy and names the lock" err_has "TPM provider busy: another process holds the lock $T/tpm-state/lock (waited 500 ms: tpm.lock_timeout_ms)"
check "B: ... no fallback: nothing sealed in legacy" test ! -e "$L/busy.sec"
check "B: ... within tpm.lock_timeout_ms and a margin ($took ms)" test "$took" -lt 3000
run "$C" SECURITY_PROVIDER=tpm "$B" unseal tp
check "B: explicit tpm: busy too" err_has "TPM provider busy: another process holds the lock"
run "$C" "$B" info
check "B: info: busy, not a fallback" test "$rc" = 1 -a ! -s "$T/out"
kill "$HOLDER"; wait "$HOLDER" 2>/dev/null || true; HOLDER=
run "$C" "$B" seal busy "$(v busy-value)"
check "B: lock free again: sealed into the TPM" test "$rc" = 0 -a -f "$S/busy.ref"
tpm_sim_stop

# --- S1, S4 on the character device: a device path that stops existing ----------
rm -rf "$T/tpm-state" "$T/legacy-state"
tpm_sim_pty "$T/p"
P=$T/p.conf; conf "$P" "$TPM_DEV" ""
run "$P" "$B" seal pd "$(v pty-value)"
check "pty: sealed by the TPM" test "$rc" = 0 -a -f "$S/pd.ref"
mv "$TPM_DEV" "$T/p/moved"
run "$P" "$B" unseal pd
check "S1 pty: device node gone: UNAVAILABLE naming it" \
  err_has "the TPM keeps 'pd', and the TPM cannot be used now: no TPM device present ($TPM_DEV)"
run "$P" "$B" info
check "S1 pty: device node gone: legacy, as before" grep -qx "provider: legacy" "$T/out"
drv_info "$P"
ask open; expect "S4 pty API: open with no device" OK
ask unseal pd; expect "S1 pty API: UNAVAILABLE" UNAVAILABLE
mv "$T/p/moved" "$TPM_DEV"
sleep 1.2
ask unseal pd; expect "S4 pty API: the device is back: the handle switches and unseals" OK pty-value
ask provider; expect "S4 pty API: served by the TPM" OK "tpm fallback=no"
drv_stop

# --- S6: the tpm provider cannot even be loaded (a provider folder with
# legacy.so only: as when libtss2 is missing), the TPM's state folder there:
# a name legacy lacks may be the TPM's, so it is UNAVAILABLE, never NOT_FOUND.
mkdir -p "$T/onlylegacy"; cp "$SECPROV_BUILD/lib/secprov/legacy.so" "$T/onlylegacy/"
chmod 0755 "$T/onlylegacy"
run "$C" SECPROV_PROVIDER_DIR="$T/onlylegacy" "$B" unseal tp
check "S6: tpm.so not loadable: unseal of a TPM-held name is UNAVAILABLE" err_has "unseal 'tp': provider unavailable"
check "S6: ... naming the TPM's store it cannot ask" err_has "cannot be asked whether it keeps it"
sum_of() { if [ -e "$1" ]; then sha256sum < "$1"; else echo absent; fi; }
before=$(sum_of "$L/tp.sec")
run "$C" SECPROV_PROVIDER_DIR="$T/onlylegacy" "$B" seal tp "$(v legacy-over-tp)"
check "S6: ... a seal over it is UNAVAILABLE, not a legacy copy the TPM's would win over" \
  err_has "seal 'tp': provider unavailable"
check "S6: ... nothing sealed into legacy" test "$(sum_of "$L/tp.sec")" = "$before"
run "$C" SECPROV_PROVIDER_DIR="$T/onlylegacy" "$B" delete tp
check "S6: ... a delete is UNAVAILABLE" err_has "delete 'tp': provider unavailable"
# tpm.so there but refusing its group (a typo), no device node: the same.
conf "$T/typo.conf" "$T/no-device" ""
sed -i 's/^tpm = { /tpm = { colour = 1; /' "$T/typo.conf"
run "$T/typo.conf" "$B" unseal tp
check "S6: tpm.so refusing its group: unseal of a TPM-held name UNAVAILABLE, naming the key" \
  grep -q "cannot be asked whether it keeps it: .*unknown key 'tpm.colour'" "$T/err"
run "$T/typo.conf" "$B" seal tp "$(v legacy-over-tp)"
check "S6: ... and a seal" err_has "seal 'tp': provider unavailable"
run "$C" SECURITY_PROVIDER=legacy "$B" seal l6 "$(v legacy-six)"
run "$C" SECPROV_PROVIDER_DIR="$T/onlylegacy" "$B" unseal l6
check "S6: ... a legacy-held name still unseals" test "$rc" = 0 -a "$(cat "$T/out")" = legacy-six
mv "$T/tpm-state" "$T/tpm-state.away"
run "$C" SECPROV_PROVIDER_DIR="$T/onlylegacy" "$B" unseal nosuch
check "S6: no TPM state folder at all: NOT_FOUND as before" err_has "no secret of that name"
mv "$T/tpm-state.away" "$T/tpm-state"
check_done

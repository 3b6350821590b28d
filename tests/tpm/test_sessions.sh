#!/usr/bin/env bash
# The handle's one salted session (providers/tpm/tpm_session.h), against
# swtpm behind the pseudo-terminal device (no resource manager) and behind
# tpm2-abrmd (a resource manager, tabrmd: TCTI):
#  - 100 processes killed with SIGKILL while holding an open handle (each
#    after a round-trip, so each leaves a saved session: more than swtpm's 64
#    active-session slots), then 100 round-trips: 0 failures
#  - the session flushed from outside under an open handle (what another
#    process's recovery does), saved or kept loaded: the next calls work
#  - the TPM restarted under an open handle: the next calls work
#  - tpm.resource_manager = yes on a TPM without one: 8 processes, 0 failures
#  - tpm.call_timeout_ms and tpm.probe_timeout_ms bound a wedged TPM
#  - tpm2-abrmd in front of swtpm: 8 processes x ROUNDS round-trips with the
#    session kept loaded, 0 failures, one StartAuthSession per process
# (8 processes x 50 and 4 threads on one handle without a resource manager:
# tests/robust/test_concurrency.sh.)
source "$SECPROV_SRC/tests/tools/test_lib.sh"
RT=$SECPROV_BUILD/bench/rt_api
HOLDERS=100 ROUNDS=100 MP_ROUNDS=20
if [ "${SECPROV_ARCH:-}" = arm64 ]; then HOLDERS=66 ROUNDS=20 MP_ROUNDS=5; fi
PIDS=()
kill_holders() { local p; for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; }
on_exit kill_holders
export TSS2_LOG=all+none

# --- 100 holders killed --------------------------------------------------------------
tpm_sim_pty "$T/tpm"
tpm_sim_config "$T/c.conf" tpm          # provider tpm: no fallback hides a failure
export SECPROV_CONFIG=$T/c.conf
"$RT" 1 32 > /dev/null 2>&1                      # provisioning
held=0
for i in $(seq 1 "$HOLDERS"); do
  ( RT_NAME=h$i RT_HOLD=1 exec "$RT" 1 32 > "$T/h$i.out" 2> "$T/h$i.err" ) & PIDS+=($!); disown $!
  for _ in $(seq 1 750); do grep -qx held "$T/h$i.out" 2>/dev/null && break; sleep 0.02; done
  if grep -qx held "$T/h$i.out"; then held=$((held + 1)); else echo "holder $i: $(head -c 300 "$T/h$i.err")"; fi
done
check "$HOLDERS processes each did a round-trip and hold an open handle ($held)" test "$held" = "$HOLDERS"
if [ "$HOLDERS" -gt 64 ]; then
  check "more holders than active-session slots: a recovery flush made room" \
    grep -q 'out of session/object slots; flushed' "$T"/h*.err
fi
for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
for p in "${PIDS[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.01; done; done
PIDS=()
saved=$(tpm2_getcap -T "$TPM_TCTI" handles-saved-session | grep -c '^- ' || true)
echo "saved sessions left by the killed processes: $saved"
rc=0; "$RT" "$ROUNDS" 32 > "$T/after.out" 2> "$T/after.err" || rc=$?
check "after the kill: $ROUNDS round-trips, 0 failures (rc $rc, $(wc -l < "$T/after.out") done)" \
  test "$rc" = 0 -a "$(wc -l < "$T/after.out")" = "$ROUNDS"

# --- the session flushed, and the TPM restarted, under an open handle ---------------------
ask() {   # a line to the driver; its answer in $reply
  echo "$*" >&"${DRV[1]}"; reply=""
  IFS= read -r -t 30 reply <&"${DRV[0]}" || reply="$1 NO_ANSWER"
}
expect_ok() {   # DESC [VALUE]
  case $reply in *" OK "*"${2:-}"|*" OK"*) ok "$1: $reply" ;; *) fail "$1: $reply" ;; esac
}
for rm in no yes; do
  tpm_sim_config "$T/$rm.conf" tpm
  sed -i "s|tcti = |resource_manager = \"$rm\"; tcti = |" "$T/$rm.conf"
  coproc DRV { SECPROV_CONFIG=$T/$rm.conf exec "$FD" 2>>"$T/driver.err"; }
  ask open; expect_ok "rm=$rm: open"
  ask seal f value-f; expect_ok "rm=$rm: seal"
  if [ $rm = no ]; then which=--saved-session; else which=--loaded-session; fi
  tpm2_flushcontext -T "$TPM_TCTI" $which
  ask unseal f; expect_ok "rm=$rm: session flushed from outside ($which): unseal" value-f
  tpm2_flushcontext -T "$TPM_TCTI" $which
  ask seal f value-g; expect_ok "rm=$rm: flushed again: seal"
  ask unseal f; expect_ok "rm=$rm: and unseal" value-g
  tpm_sim_stop; tpm_sim_pty "$T/tpm"               # same state, new device
  ask unseal f; expect_ok "rm=$rm: TPM restarted under the open handle: unseal" value-g
  ask seal f value-h; expect_ok "rm=$rm: restarted: seal"
  ask unseal f; expect_ok "rm=$rm: restarted: unseal" value-h
  eval "exec ${DRV[1]}>&-"; wait "$DRV_PID" || true
done

# --- resource_manager = yes on a TPM without one (a misnamed device): still 0 failures ------
pids=()
for p in $(seq 1 8); do
  SECPROV_CONFIG=$T/yes.conf RT_NAME=y$p "$RT" "$MP_ROUNDS" 32 > "$T/y$p.out" 2> "$T/y$p.err" & pids+=($!)
done
good=0; for p in "${pids[@]}"; do wait "$p" && good=$((good + 1)); done
check "resource_manager = yes without one: 8 processes x $MP_ROUNDS, 0 failures ($good, $(cat "$T"/y*.out | wc -l))" \
  test "$good" = 8 -a "$(cat "$T"/y*.out | wc -l)" = $((8 * MP_ROUNDS))

# --- the bounded waits are settings: tpm.call_timeout_ms, tpm.probe_timeout_ms ---------------
tpm_sim_config "$T/short.conf" tpm
sed -i "s|tcti = |call_timeout_ms = 700; probe_timeout_ms = 300; tcti = |" "$T/short.conf"
coproc DRV { SECPROV_CONFIG=$T/short.conf exec "$FD" 2>>"$T/driver.err"; }
ask open; expect_ok "short timeouts: open"
ask unseal f; expect_ok "short timeouts: unseal" value-h
tpm_sim_wedge
ask unseal f
read -r _ st ms _ <<<"$reply"
check "call_timeout_ms = 700, TPM wedged: TIMEOUT within 700..1500 ms ($reply)" \
  test "$st" = TIMEOUT -a "${ms%.*}" -ge 690 -a "${ms%.*}" -lt 1500
eval "exec ${DRV[1]}>&-"; wait "$DRV_PID" || true
t0=$EPOCHREALTIME
rc=0; SECPROV_CONFIG=$T/short.conf "$SECPROV_BUILD/bin/secprov" info > /dev/null 2> "$T/probe.err" || rc=$?
t1=$EPOCHREALTIME; ms=$(( (${t1/./} - ${t0/./}) / 1000 ))
check "probe_timeout_ms = 300, TPM wedged: open fails in under 1000 ms ($ms ms, rc $rc)" \
  test "$rc" != 0 -a "$ms" -lt 1000
check "probe_timeout_ms = 300: the error names the bound" grep -q "did not answer within 300 ms" "$T/probe.err"
tpm_sim_stop

# --- tpm2-abrmd in front of swtpm ------------------------------------------------------------
if [ "${SECPROV_ARCH:-}" = arm64 ]; then
  echo "SKIP tabrmd under qemu: the arm64 guest has no libtss2-tcti-tabrmd (the native run has it)"
  check_done; exit
fi
ABRMD=$(command -v tpm2-abrmd || echo /usr/sbin/tpm2-abrmd)
PTYTPM_SWTPM_LOG=$T/abrmd-swtpm.log tpm_sim_pty "$T/rm"
addr=$(dbus-daemon --session --fork --print-address=1 --print-pid=3 3> "$T/dbus.pid")
PIDS+=("$(cat "$T/dbus.pid")")
export DBUS_SESSION_BUS_ADDRESS=$addr
"$ABRMD" --session --allow-root --tcti="device:$TPM_DEV" > "$T/abrmd.log" 2>&1 & PIDS+=($!); disown $!
for _ in $(seq 1 100); do tpm2_getrandom -T tabrmd:bus_type=session 4 > /dev/null 2>&1 && break; sleep 0.1; done
{ echo 'provider = "tpm";'
  echo "tpm = { devices = [\"$TPM_DEV\"]; tcti = \"tabrmd:bus_type=session\"; state_dir = \"$T/rm-state\"; };"
} > "$T/rm.conf"
export SECPROV_CONFIG=$T/rm.conf
"$RT" 1 32 > /dev/null 2> "$T/rm0.err" || { fail "tabrmd: provisioning: $(cat "$T/rm0.err")"; check_done; exit; }
before=$(grep -A1 SWTPM_IO_Read "$T/abrmd-swtpm.log" | grep -c '^ 80 0[12] .. .. .. .. 00 00 01 76' || true)
pids=()
for p in $(seq 1 8); do RT_NAME=mp$p "$RT" "$MP_ROUNDS" 32 > "$T/mp$p.out" 2> "$T/mp$p.err" & pids+=($!); done
good=0; for p in "${pids[@]}"; do wait "$p" && good=$((good + 1)); done
done_rt=$(cat "$T"/mp*.out | wc -l)
check "tabrmd: 8 processes x $MP_ROUNDS round-trips, 0 failures ($good processes, $done_rt round-trips)" \
  test "$good" = 8 -a "$done_rt" = $((8 * MP_ROUNDS))
sleep 0.2
after=$(grep -A1 SWTPM_IO_Read "$T/abrmd-swtpm.log" | grep -c '^ 80 0[12] .. .. .. .. 00 00 01 76' || true)
check "tabrmd: the session is kept: one StartAuthSession per process ($((after - before)) for 8)" \
  test $((after - before)) = 8
check_done

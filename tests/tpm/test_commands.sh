#!/usr/bin/env bash
# TPM commands per operation, counted at the client side: swtpm behind the
# pseudo-terminal device logs every command it gets (PTYTPM_SWTPM_LOG) and
# nothing stands between secprov and it, so its log is exactly what secprov
# sends. The counts are deterministic; a change that adds a command or an
# ECDH (TPM2_StartAuthSession, salted) fails here. Timings stay in the bench.
# Each mode of tpm.resource_manager (docs/performance.md):
#   no  (the default for device:/dev/tpm0 and this pty): the session is saved
#       at the end of every call and loaded at the start of the next;
#   yes (the default for /dev/tpmrm0, tabrmd): the session stays loaded.
# Operations: open; the first call after open (unseal); steady-state seal,
# unseal, round-trip on an open handle; close; a whole-process
# `secprov unseal` (process start to exit).
source "$SECPROV_SRC/tests/tools/test_lib.sh"
on_exit drv_stop
LOG=$T/swtpm.log

source "$SECPROV_SRC/tests/tools/tpm_counts.sh"   # name_of, settle, since, process
DRV_PID=
drv_start() { coproc DRV { exec "$FD" 2>>"$T/driver.err"; }; }
drv_stop() {
  if [ -n "${DRV_PID:-}" ]; then
    local fd=${DRV[1]:-}; [ -n "$fd" ] && { eval "exec $fd>&-"; }
    wait "$DRV_PID" 2>/dev/null || true
  fi
  DRV_PID=
}
step() {   # DESC WANT LINE: send LINE to the driver; its commands must be WANT
  local at reply
  settle; at=$(stat -c %s "$LOG")
  echo "$3" >&"${DRV[1]}"
  IFS= read -r -t 30 reply <&"${DRV[0]}" || reply="no answer"
  case $reply in *" OK "*|*" OK") ;; *) fail "$1: the call failed: $reply"; return ;; esac
  settle
  local got want; got=$(since "$at"); want=$(sorted "$2")
  [ "$got" = "$want" ] && ok "$1: $got" || fail "$1: got '$got', want '$want'"
}
device_fds() {   # how many fds the driver has open on the TPM device
  local dev n=0 f; dev=$(realpath "$TPM_DEV")
  for f in /proc/"$DRV_PID"/fd/*; do [ "$(readlink "$f")" = "$dev" ] && n=$((n + 1)); done
  echo $n
}

PTYTPM_SWTPM_LOG=$LOG tpm_sim_pty "$T/tpm"
for rm in no yes; do
  tpm_sim_config "$T/$rm.conf" tpm
  sed -i "s|tcti = |resource_manager = \"$rm\"; tcti = |" "$T/$rm.conf"
  export SECPROV_CONFIG=$T/$rm.conf
  printf value-a | "$B" seal a                      # provisioning, outside the counts
  check "rm=$rm: secprov info says so" grep -q "^resource_manager: $rm (" <("$B" info)
  if [ $rm = no ]; then
    load="ContextLoad x1, " save=", ContextSave x1" probes="GetRandom x1"
  else
    load="" save="" probes="GetRandom x2"
  fi
  drv_start
  # Open: the bounded probe, then the connection: with rm=yes tpm2-tss's
  # device TCTI, which sends a GetRandom of its own when it opens the
  # device; with rm=no secprov's TCTI that holds the device only under the
  # lock (providers/tpm/tcti_held.h), which sends none. Then the SRK check.
  # The first call: one salted session.
  step "rm=$rm: open" "$probes, ReadPublic x1" open
  step "rm=$rm: first call after open (unseal)" \
    "FlushContext x1, Load x1, StartAuthSession x1, Unseal x1${save}" "unseal a"
  step "rm=$rm: seal, steady state" "${save:+ContextLoad x1, }Create x1${save}" "seal a value-b"
  step "rm=$rm: unseal, steady state" "${load}FlushContext x1, Load x1, Unseal x1${save}" "unseal a"
  if [ $rm = no ]; then
    rt="ContextLoad x2, ContextSave x2, Create x1, FlushContext x1, Load x1, Unseal x1"
  else
    rt="Create x1, FlushContext x1, Load x1, Unseal x1"
  fi
  settle; at=$(stat -c %s "$LOG")
  echo "seal a value-c" >&"${DRV[1]}"; read -r -t 30 r1 <&"${DRV[0]}"
  echo "unseal a" >&"${DRV[1]}"; read -r -t 30 r2 <&"${DRV[0]}"
  settle; got=$(since "$at")
  [[ $r1 == "seal OK "* && $r2 == "unseal OK "*" value-c" ]] && [ "$got" = "$(sorted "$rt")" ] &&
    ok "rm=$rm: round-trip, steady state: $got" || fail "rm=$rm: round-trip: $r1 / $r2: got '$got', want '$rt'"
  # Between calls the device is held only with a resource manager: without
  # one (/dev/tpm0 admits one opener) it is opened under the lock, per call.
  [ $rm = no ] && held=0 || held=1
  check "rm=$rm: between calls the handle holds the device $held time(s)" \
    test "$(device_fds)" = $held
  step "rm=$rm: close (the session is flushed)" "FlushContext x1" close
  drv_stop
  process "rm=$rm: whole process: secprov unseal" \
    "FlushContext x2, $probes, Load x1, ReadPublic x1, StartAuthSession x1, Unseal x1${save}" "$B" unseal a
done
check_done

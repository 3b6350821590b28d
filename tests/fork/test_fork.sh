#!/usr/bin/env bash
# A handle opened in a parent and used in forked children (issue 22,
# docs/fork.md), each mode of tests/fork/forker.c:
#  - three: parent + 2 children seal and unseal at once: 0 errors, every
#    value right
#  - pool: 4 children unseal one secret 10 times each: 40 of 40 right
#  - orphan: children that end without closing (or are killed mid-call)
#    leave the parent working
#  - threads: forks while another thread of the parent is in a call: the
#    children's calls neither hang nor fail
#  - gate: a fork while another thread's call is held inside the call
#    returns only after that call did (core/fork_gate.h), and the child works
#  - callback: a fork while another thread's call waits in a callback to the
#    host for a lock the forking thread holds does not wait for it
#  - probe: a fork while another thread's open waits for the TPM's answer
#    to its probe: the child holds no fd on the device
# on a TPM behind a pty (a real character device, no resource manager: the
# parent's fd would be shared), on swtpm's socket, and on legacy.
# FORK_ROUNDS (default 20) rounds of 3 calls per process, within
# FORK_BUDGET_S seconds (default 60: ASan, qemu).
source "$SECPROV_SRC/tests/tools/test_lib.sh"
F=$SECPROV_BUILD/tests/fork/forker
ROUNDS=${FORK_ROUNDS:-20}
export FORK_BUDGET_S=${FORK_BUDGET_S:-60}

run_modes() {   # LABEL MODE...: each mode on $SECPROV_CONFIG
  local label=$1 m; shift
  for m in "$@"; do
    "$F" $m "$ROUNDS" > "$T/$label.$m" 2>&1 && rc=0 || rc=$?
    check "$label: $m: exit 0 and 'errors: 0'" grep -qx 'errors: 0' "$T/$label.$m"
    [ $rc = 0 ] || sed 's/^/    /' "$T/$label.$m" | tail -20
    case $m in
      pool) check "$label: pool: every worker 10 of 10 right" \
              test "$(grep -c '10 of 10 right' "$T/$label.pool")" = 4 ;;
      three) grep '^SUMMARY' "$T/$label.three" | sed "s/^SUMMARY /SUMMARY $label three: /" || true ;;
    esac
  done
}

# threads on swtpm's socket: not tested. swtpm's TCTI opens a socket per
# command, and a child forked while another thread of the parent is in a
# command keeps a copy of that socket: swtpm then waits on it and serves
# no one else until the child ends (docs/fork.md). A device has no such
# wait: the child closes its copy of the device's fd at its first call.
tpm_sim_pty "$T/pty"
mkdir -p "$T/p" "$T/a"; tpm_sim_config "$T/p/c.conf" tpm
# FORK_DEVICE: a child forked in the middle of a call holds no copy of the
# device's fd (it would keep /dev/tpm0 busy for the parent while it lives).
# threads: a child forked while another thread of the parent was inside
# OpenSSL (a DRBG's lock held) hung at its first call; the fork gate
# (core/fork_gate.h) makes the fork wait for the call in flight. Without it
# the TPM threads mode failed 10 runs of 10 under ASan (now it runs there).
tpm_threads=threads legacy_threads=threads probe=probe gate=gate callback=callback
# qemu-user (make check-arm64) cannot fork a guest while another guest
# thread runs: qemu itself aborts in the child ("cpu_exec: assertion failed:
# (cpu == current_cpu)"), whatever the program does. The threads modes run
# natively (make check, check-asan for legacy) and in check-trixie.
if [ "${SECPROV_ARCH:-}" = arm64 ]; then
  echo "SKIP fork threads modes under qemu-user (qemu aborts when a threaded guest forks)"
  tpm_threads= legacy_threads= probe= gate= callback=
fi
FORK_DEVICE=$TPM_DEV SECPROV_CONFIG=$T/p/c.conf run_modes "tpm on a pty TPM" three pool orphan $tpm_threads
tpm_sim_config "$T/a/c.conf"            # auto: the store's mutex across fork too
# probe (last: it stops the TPM for a probe's 3 s): a fork while another
# thread's open waits for the probe's answer; the child holds no fd.
FORK_DEVICE=$TPM_DEV FORK_SWTPM_PID=$TPM_PID SECPROV_CONFIG=$T/a/c.conf \
  run_modes "auto on a pty TPM" three $tpm_threads $probe
tpm_sim_stop

tpm_sim_socket "$T/sock"
mkdir -p "$T/s"; tpm_sim_config "$T/s/c.conf" tpm
SECPROV_CONFIG=$T/s/c.conf FORK_KILL=1 run_modes "tpm on swtpm's socket" three pool orphan

mkdir -p "$T/l"; tpm_sim_config "$T/l/c.conf" legacy
# gate: a fork while another thread's call is in flight waits for it to
# return (core/fork_gate.h: OpenSSL's locks are not fork-safe), bounded.
# callback: a thread in a callback to the host (waiting, as for Python's
# GIL, for a lock the forking thread holds) does not hold the fork up.
SECPROV_CONFIG=$T/l/c.conf FORK_KILL=1 run_modes "legacy" three pool orphan $legacy_threads $gate $callback
cat "$T/legacy.gate" "$T/legacy.callback" 2>/dev/null | grep -E '^(gate|callback):' | sed 's/^/SUMMARY legacy /' || true
check_done

#!/usr/bin/env bash
# TPM faults, each against a real swtpm, with one open handle held by
# tests/tpm/fault_driver (provider tpm asked for explicitly):
#  - wedged (swtpm SIGSTOPped behind the pseudo-terminal device: accepts
#    commands, never answers) on an open handle: each call fails with
#    SECPROV_ERR_TIMEOUT within 5 s; once swtpm answers again the same handle
#    works again
#  - killed in the middle of a run of calls: every call returns, each within
#    5 s, no crash; the secret sealed before is intact
#  - restarted (same state, same socket): the same handle works again
#  - wiped (a new swtpm state behind an old keystore): unseal fails with
#    SECPROV_ERR_KEYSTORE_MISMATCH and the keystore and reference are kept
#  - /dev/tpm0 in use by another process (EBUSY; an LD_PRELOAD shim stands in
#    for the kernel, see tests/tpm/ebusy_shim.c): auto falls back with one
#    warning naming EBUSY; provider tpm fails naming it
source "$SECPROV_SRC/tests/tools/test_lib.sh"
LIMIT_MS=5000

source "$SECPROV_SRC/tests/tools/driver.sh"
drv_open() {   # CONF: a driver process on config CONF, opened
  drv_start "$1"
  ask open
  expect "open" OK
}
expect_error_in_time() {   # DESC: the last answer is an error, within LIMIT_MS
  if [ "$status" != OK ] && [ "$status" != NO_ANSWER ] && [ "$ms" -lt "$LIMIT_MS" ]; then
    ok "$1: $status in $ms ms"
  else fail "$1: got $status in $ms ms, want an error within $LIMIT_MS ms"; fi
}

# --- killed and restarted, socket TCTI -------------------------------------------
# (Wedged is tested on the device below: tpm2-tss's socket TCTIs block in
# their receive whatever the timeout, so no bound is possible over them.)
tpm_sim_socket "$T/s"
tpm_sim_config "$T/s/c.conf" tpm
drv_open "$T/s/c.conf"
ask seal a value-a;   expect "socket: seal" OK
ask seal b value-b;   expect "socket: seal b" OK
ask unseal a;         expect "socket: unseal" OK value-a
kill -9 "$TPM_PID"; sleep 0.2
ask unseal a;         expect_error_in_time "socket killed: unseal"
ask seal c value-c;   expect_error_in_time "socket killed: seal"
tpm_sim_socket "$T/s"           # restarted: same state folder, same socket
ask unseal a;         expect "socket restarted: the same handle unseals" OK value-a
ask unseal b;         expect "socket restarted: the same handle unseals b" OK value-b
ask seal c value-c;   expect "socket restarted: the same handle seals" OK
drv_stop

# --- wiped TPM: a new swtpm state behind the old keystore ------------------------
kill -9 "$TPM_PID"; sleep 0.2
mv "$T/s/state" "$T/s/state.old"
tpm_sim_socket "$T/s"
ls -R "$T/s/tpm-state/keystore" > "$T/keystore.before"
drv_open "$T/s/c.conf"
ask unseal a;         expect "wiped TPM: unseal" KEYSTORE_MISMATCH
ask seal d value-d;   expect "wiped TPM: seal" KEYSTORE_MISMATCH
drv_stop
ls -R "$T/s/tpm-state/keystore" > "$T/keystore.after"
cmp -s "$T/keystore.before" "$T/keystore.after" && [ -s "$T/s/tpm-state/secrets/a.ref" ] &&
  ok "wiped TPM: keystore and reference kept" || fail "wiped TPM: the keystore or a.ref changed"
grep -q 'does not match this TPM' "$T/driver.err" && ok "wiped TPM: the log says the keystore does not match" ||
  fail "wiped TPM: no 'does not match this TPM' in the log"
tpm_sim_stop

# --- wedged and killed, pseudo-terminal device ---------------------------------------
tpm_sim_pty "$T/p"
tpm_sim_config "$T/p/c.conf" tpm
drv_open "$T/p/c.conf"
ask seal a value-a;   expect "pty: seal" OK
tpm_sim_wedge
ask unseal a;         expect "pty wedged: unseal on the open handle" TIMEOUT
ask seal b value-b;   expect "pty wedged: seal on the open handle" TIMEOUT
kill -CONT "$TPM_PID"; sleep 0.5     # swtpm answers what it was sent while stopped
ask unseal a;         expect "pty answering again: the same handle unseals" OK value-a
ask seal b value-b;   expect "pty answering again: the same handle seals" OK
ask unseal b;         expect "pty answering again: and unseals that" OK value-b
drv_stop
tpm_sim_stop

# Killed in the middle of a run: 400 calls queued, swtpm killed after ~1 s.
tpm_sim_pty "$T/k"
tpm_sim_config "$T/k/c.conf" tpm
{ echo open; echo "seal keep value-keep"
  for i in $(seq 1 200); do echo "seal n$i value-$i"; echo "unseal n$i"; done; } > "$T/run.in"
SECPROV_CONFIG=$T/k/c.conf "$FD" < "$T/run.in" > "$T/run.out" 2> "$T/run.err" & run_pid=$!
sleep 1; kill -9 "$TPM_PID"
rc=0; wait "$run_pid" || rc=$?
n=$(wc -l < "$T/run.out")
[ "$rc" = 0 ] && [ "$n" = 402 ] && ok "killed mid-run: all 402 calls returned, driver exit 0" ||
  fail "killed mid-run: driver exit $rc, $n of 402 answers"
slow=$(awk -v l=$LIMIT_MS '$3 >= l' "$T/run.out" | wc -l)
[ "$slow" = 0 ] && ok "killed mid-run: every call within $LIMIT_MS ms (slowest $(sort -k3 -n "$T/run.out" | tail -n1 | cut -d' ' -f3) ms)" ||
  fail "killed mid-run: $slow calls took $LIMIT_MS ms or more"
good=$(grep -c ' OK ' "$T/run.out" || true); bad=$(grep -vc ' OK ' "$T/run.out" || true)
[ "$good" -ge 2 ] && [ "$bad" -ge 1 ] && [ "$(tail -n1 "$T/run.out" | cut -d' ' -f2)" != OK ] &&
  ok "killed mid-run: $good calls before the kill succeeded, $bad after it failed" ||
  fail "killed mid-run: $good OK and $bad errors (the kill did not land mid-run?)"
# each answer beside its command: "unseal nK" + "unseal OK ms value-K"
paste -d' ' "$T/run.in" "$T/run.out" | awk '$1 == "unseal" && $4 == "OK"' > "$T/unsealed"
checked=$(wc -l < "$T/unsealed")
wrong=$(awk '$6 != "value-" substr($2, 2)' "$T/unsealed" | wc -l)
[ "$checked" -ge 1 ] && [ "$wrong" = 0 ] && ok "killed mid-run: all $checked successful unseals gave their exact value" ||
  fail "killed mid-run: $wrong of $checked successful unseals gave a wrong value"
tpm_sim_stop

# --- /dev/tpm0 in use by another process (EBUSY) ---------------------------------------
if readelf -dW "$FD" | grep -q 'NEEDED.*libasan'; then
  echo "skip EBUSY: ASan build (the shim cannot precede the ASan runtime; the plain build runs it)"
else
  tpm_sim_pty "$T/b"
  tpm_sim_config "$T/b/c.conf"
  shim=$SECPROV_BUILD/tests/tpm/ebusy_shim.so
  if [ "${SECPROV_ARCH:-}" = arm64 ]; then   # for the guest only, not for qemu-user itself
    busy_env=(QEMU_SET_ENV="EBUSY_SHIM_PATH=$TPM_DEV,LD_PRELOAD=$shim")
  else
    busy_env=(EBUSY_SHIM_PATH="$TPM_DEV" LD_PRELOAD="$shim")
  fi
  rc=0; env "${busy_env[@]}" SECPROV_CONFIG="$T/b/c.conf" "$B" info > "$T/b.out" 2> "$T/b.err" || rc=$?
  [ "$rc" = 0 ] && grep -qx 'provider: legacy' "$T/b.out" && grep -qx 'fallback: yes' "$T/b.out" &&
    ok "EBUSY, auto: legacy, fallback: yes" || fail "EBUSY, auto: rc $rc, $(tr '\n' ' ' < "$T/b.out")"
  [ "$(wc -l < "$T/b.err")" = 1 ] && grep -q "^secprov: warning: .*in use by another process (EBUSY)" "$T/b.err" &&
    ok "EBUSY, auto: one warning naming EBUSY" || fail "EBUSY, auto: stderr: $(cat "$T/b.err")"
  rc=0; env "${busy_env[@]}" SECURITY_PROVIDER=tpm SECPROV_CONFIG="$T/b/c.conf" "$B" info > "$T/b.out" 2> "$T/b.err" || rc=$?
  [ "$rc" != 0 ] && grep -q "in use by another process (EBUSY)" "$T/b.err" &&
    ok "EBUSY, provider tpm: fails naming EBUSY (rc $rc)" || fail "EBUSY, provider tpm: rc $rc, $(cat "$T/b.err")"
  tpm_sim_stop
fi

check_done

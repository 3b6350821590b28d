#!/usr/bin/env bash
# Concurrency, on a swtpm with no resource manager (behind a pseudo-terminal,
# like /dev/tpm0... but each process opens it in turn: the provider's lock
# serialises them) and on legacy:
#  - 8 processes x ROUNDS seal/unseal/delete on distinct names: 0 failures
#  - 4 threads sharing one handle x ROUNDS: 0 failures
#  - 2 processes sealing the same name at once, 20 times: the value is always
#    exactly one of the two, never a mix, never corrupt
source "$SECPROV_SRC/tests/tools/test_lib.sh"
S=$SECPROV_BUILD/tests/robust/stress
ROUNDS=${STRESS_ROUNDS:-50}
# Under qemu-user (check-arm64): 20 rounds, the time budget of an emulated suite.
[ "${SECPROV_ARCH:-}" = arm64 ] && [ -z "${STRESS_ROUNDS:-}" ] && ROUNDS=20
tpm_sim_pty "$T/tpm"
head -c 4096 /dev/zero | tr '\0' 'A' > "$T/a"
head -c 4096 /dev/zero | tr '\0' 'B' > "$T/b"
for p in tpm legacy; do
  mkdir -p "$T/$p"; tpm_sim_config "$T/$p/c.conf" "$p"
  export SECPROV_CONFIG=$T/$p/c.conf
  pids=()
  for i in $(seq 1 8); do "$S" 1 "$ROUNDS" "proc$i" > "$T/$p/out.$i" 2>&1 & pids+=($!); done
  ok=0; for pid in "${pids[@]}"; do wait "$pid" && ok=$((ok + 1)); done
  check "$p: 8 processes x $ROUNDS round-trips, all succeed" test $ok = 8
  check "$p: 8 processes: 0 failures reported" test "$(cat "$T"/$p/out.* | grep -c '^failures: 0$')" = 8
  "$S" 4 "$ROUNDS" threads > "$T/$p/threads" 2>&1 && rc=0 || rc=$?
  check "$p: 4 threads sharing a handle x $ROUNDS: 0 failures" grep -qx 'failures: 0' "$T/$p/threads"
  mixed=0
  for i in $(seq 1 20); do
    "$B" seal same "$T/a" & a=$!
    "$B" seal same "$T/b" & b=$!
    wait $a; wait $b
    "$B" unseal same > "$T/got"
    cmp -s "$T/got" "$T/a" || cmp -s "$T/got" "$T/b" || mixed=$((mixed + 1))
  done
  check "$p: same name sealed by 2 processes at once: always one whole value" test $mixed = 0
  "$B" list > "$T/$p/list"
  check "$p: nothing left but 'same'" test "$(cat "$T/$p/list")" = same
done
check_done

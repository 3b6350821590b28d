#!/usr/bin/env bash
# Crash safety: `secprov seal` killed with SIGKILL at random points, many
# times (CRASH_ROUNDS, default 200 on legacy and 60 on tpm, whose seal is
# slower; a third of that under qemu), never leaves a secret that unseals to anything but its old or its
# new value; after the next successful seal no temp file is left. On tpm a
# killed seal leaves at most one leftover object folder (its uncommitted new
# object, the superseded old one, or a folder it was writing), which the next
# seal of that name sweeps; after the loop `secprov gc --dry-run` finds
# nothing (docs/tpm-store.md).
# The TPM is swtpm on a socket here: a process killed mid-command on the
# pseudo-terminal stand-in would leave swtpm's reply in the pty buffer for
# the next process, which the kernel's /dev/tpm0 driver never does (it
# drops a dead opener's response on close).
source "$SECPROV_SRC/tests/tools/test_lib.sh"
tpm_sim_socket "$T/tpm"
head -c 3000 /dev/urandom > "$T/old"          # envelope-sized on tpm
head -c 3000 /dev/urandom > "$T/new"
for p in legacy tpm; do
  rounds=${CRASH_ROUNDS:-$([ $p = tpm ] && echo 60 || echo 200)}
  # Under qemu-user (check-arm64) a third of the rounds: the time budget of
  # an emulated suite; the crash points are as random, the checks the same.
  [ "${SECPROV_ARCH:-}" = arm64 ] && [ -z "${CRASH_ROUNDS:-}" ] && rounds=$((rounds / 3))
  mkdir -p "$T/$p"; tpm_sim_config "$T/$p/c.conf" "$p"
  export SECPROV_CONFIG=$T/$p/c.conf
  "$B" seal victim "$T/old"
  bad=0; olds=0; news=0; most=0
  for i in $(seq 1 "$rounds"); do
    "$B" seal victim "$T/new" & pid=$!
    # legacy seals in ~5 ms, tpm in ~50 ms (process start included)
    if [ $p = tpm ]; then sleep "0.0$(( RANDOM % 70 ))"; else sleep "0.00$(( RANDOM % 9 ))"; fi
    kill -9 $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
    if "$B" unseal victim > "$T/got" 2>"$T/err"; then
      if cmp -s "$T/got" "$T/old"; then olds=$((olds + 1))
      elif cmp -s "$T/got" "$T/new"; then news=$((news + 1))
      else bad=$((bad + 1)); fi
    else
      bad=$((bad + 1)); cat "$T/err"
    fi
    if [ $p = tpm ]; then                        # object folders beside the live one
      n=$(( $(ls "$T/tpm/tpm-state/keystore/user/P_ECCP256SHA256_secprov/HS/SRK" | grep -c '^sp-' || true) - 1 ))
      [ "$n" -gt "$most" ] && most=$n
    fi
    "$B" seal victim "$T/old"                    # back to old for the next round
  done
  echo "info $p: $rounds kills: old value $olds times, new value $news times"
  check "$p: every killed seal left the old or the new value" test $bad = 0
  state=$T/$p/$([ $p = tpm ] && echo tpm-state/secrets || echo legacy-state)
  check "$p: no temp file left after the next successful seal" test -z "$(ls -A "$state" | grep '^\.tmp\.' || true)"
  check "$p: one secret listed" test "$("$B" list)" = victim
  [ $p = tpm ] && check "tpm: a killed seal left at most one leftover object (most: $most)" test "$most" -le 1
done
# tpm: no keystore object left but the live one (leftovers swept by the next seal)
export SECPROV_CONFIG=$T/tpm/c.conf
conf=$("$B" info | sed -n 's/^fapi_config: //p')
TSS2_LOG=all+none TSS2_FAPICONF=$conf tss2_list --searchPath=/ 2>/dev/null | tr ':' '\n' > "$T/objects" || true
objects=$(grep -c '/HS/SRK/sp-' "$T/objects" || true)
[ "$objects" = 1 ] || { echo "keystore objects:"; cat "$T/objects"; }
check "tpm: exactly one keystore object after the crashes (orphans swept)" test "$objects" = 1
folders=$(ls "$T/tpm/tpm-state/keystore/user/P_ECCP256SHA256_secprov/HS/SRK" | grep -c '^sp-' || true)
check "tpm: exactly one object folder (none left half written)" test "$folders" = 1
check "tpm: gc finds no leftover" test "$("$B" gc --dry-run)" = "0 leftover(s), none removed (dry run)"
check_done

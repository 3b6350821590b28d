#!/usr/bin/env bash
# Closed standard fds never carry a secret, through a host program that
# links libsecprov. For each of <&- >&- 2>&- and their combinations, on
# both providers (tpm through swtpm behind a pseudo-terminal: the real
# device TCTI, every message on the bus logged): seal, unseal and an error
# path (a name never sealed) return the right status; afterwards no state
# file holds a secret's bytes or an error line, the bus log holds no
# secret's bytes in clear, and each secret unseals to what was sealed. Then
# a child exec'd while a handle is open inherits none of secprov's or
# tpm2-tss's fds (control: an fd the child is given is seen).
source "$SECPROV_SRC/tests/tools/test_lib.sh"
H=$SECPROV_BUILD/tests/security/sp_host
hex() { od -An -tx1 | tr -d ' \n' | tr a-f A-F; }
messages() {   # as tests/tpm/test_wire.sh: "Read <hex>" / "Write <hex>" per message
  awk '/SWTPM_IO_(Read|Write)/ { if (m != "") print m; split($1, a, "_"); m = substr(a[3], 1, length(a[3]) - 1) " "; next }
       /^ ([0-9A-F][0-9A-F] )+$/ { gsub(/ /, ""); m = m $0 }
       END { if (m != "") print m }' "$T/swtpm.log"
}
# closed WHICH CMD...: run CMD with those of fds 0, 1, 2 closed.
closed() {
  local which=$1; shift
  case $which in
    0) "$@" <&- ;;  1) "$@" >&- ;;  2) "$@" 2>&- ;;
    01) "$@" <&- >&- ;;  02) "$@" <&- 2>&- ;;  12) "$@" >&- 2>&- ;;
    012) "$@" <&- >&- 2>&- ;;
  esac
}

PTYTPM_SWTPM_LOG=$T/swtpm.log tpm_sim_pty "$T/tpm"
tpm_sim_config "$T/c.conf"
STEM="FDSECRET$RANDOM$RANDOM"
for p in legacy tpm; do
  for c in 0 1 2 01 02 12 012; do
    s="$STEM-$p-$c"
    rc=0; closed $c "$H" -c "$T/c.conf" -p $p seal "n$c" "$s" > "$T/out" 2>&1 || rc=$?
    check "$p, fds $c closed: seal exits 0 (got $rc)" test $rc = 0
    rc=0; closed $c "$H" -c "$T/c.conf" -p $p unseal "n$c" > "$T/out" 2> "$T/err" || rc=$?
    check "$p, fds $c closed: unseal exits 0 (got $rc)" test $rc = 0
    case $c in *1*) ;; *) check "$p, fds $c closed: unseal wrote the secret" test "$(cat "$T/out")" = "$s" ;; esac
    rc=0; closed $c "$H" -c "$T/c.conf" -p $p unseal never > "$T/out" 2> "$T/err" || rc=$?
    check "$p, fds $c closed: unseal of a missing name: SECPROV_ERR_NOT_FOUND (got $rc)" test $rc = 103
    rc=0; out=$("$H" -c "$T/c.conf" -p $p unseal "n$c") || rc=$?
    check "$p, fds $c closed: what was sealed unseals (exit $rc)" test "$out" = "$s"
  done
done
for c in 0 1 2 01 02 12 012; do
  rc=0; closed $c "$H" -c "$T/c.conf" legacy > "$T/out" 2>&1 || rc=$?
  check "secprov_legacy_open, fds $c closed: exit 0, fds 0-2 open after it (got $rc)" test $rc = 0
done
hits=$(grep -r -a -l -F "$STEM" "$T/tpm-state" "$T/legacy-state" || true)
check "no state file holds a secret's bytes${hits:+: $hits}" test -z "$hits"
hits=$(grep -r -a -l -F "secprov: " "$T/tpm-state" "$T/legacy-state" || true)
check "no state file holds a log line${hits:+: $hits}" test -z "$hits"
messages > "$T/messages"
check "the bus log holds the exchanges ($(wc -l < "$T/messages") messages)" test "$(wc -l < "$T/messages")" -gt 50
want=$(printf %s "$STEM" | hex)
check "no secret's bytes on the bus in clear" test "$(grep -c "$want" "$T/messages" || true)" = 0

# A child exec'd while the handle is open (after an unseal: the TPM
# connection is up) holds none of its fds. (Under qemu-user too: qemu
# keeps its own fds out of the guest's view.)
for p in legacy tpm; do
  rc=0; "$H" -c "$T/c.conf" -p $p exec n0 "$T/fds-$p" || rc=$?
  check "$p: the child ran (exit $rc)" test $rc = 0 -a -e "$T/fds-$p"
  check "$p: the child inherited no fd of secprov's or tpm2-tss's ($(tr '\n' ' ' < "$T/fds-$p"))" \
    test ! -s "$T/fds-$p"
done
"$H" fds "$T/fds-control" 7< "$T/c.conf"
check "control: an fd the child is given is listed" grep -q "^7 -> $T/c.conf\$" "$T/fds-control"
check_done

#!/usr/bin/env bash
# Closed standard fds (issue 13 item 2, the command's part), on both
# providers (tpm: swtpm behind a pseudo-terminal, so the TPM is a real
# character device that a closed fd could take; swtpm logs the bus). Every
# combination of <&- >&- 2>&- for unseal, seal from stdin, seal from FILE
# and error paths: unseal with stdout closed and seal from a closed stdin
# refuse (exit 1, a line on stderr when it is open) before any secret is
# touched; the other cases work with the closed fds filled with /dev/null;
# afterwards no state file holds a secret byte or an error line, and no
# command or response on the bus holds a secret. A write error on stdout
# (> /dev/full) fails.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
hex() { od -An -tx1 | tr -d ' \n' | tr a-f A-F; }
messages() {   # as tests/tpm/test_wire.sh: one line per command ("Read") or response ("Write")
  awk '/SWTPM_IO_(Read|Write)/ { if (m != "") print m; split($1, a, "_"); m = substr(a[3], 1, length(a[3]) - 1) " "; next }
       /^ ([0-9A-F][0-9A-F] )+$/ { gsub(/ /, ""); m = m $0 }
       END { if (m != "") print m }' "$T/swtpm.log"
}
# try FDS CMD...: run CMD with the fds listed in FDS (e.g. "02") closed;
# stdin otherwise from $T/in, stdout to $T/out, stderr to $T/err.
try() {
  local fds=$1; shift
  : > "$T/out"; : > "$T/err"; rc=0
  (
    if [[ $fds == *0* ]]; then exec 0<&-; else exec 0<"$T/in"; fi
    if [[ $fds == *1* ]]; then exec 1>&-; else exec 1>"$T/out"; fi
    if [[ $fds == *2* ]]; then exec 2>&-; else exec 2>"$T/err"; fi
    exec "$@"
  ) || rc=$?
}
says() { grep -qxF -- "secprov: error: $1" "$T/err" || { echo "     stderr: $(cat "$T/err")"; return 1; }; }

# Under qemu-user (make check-arm64) binfmt_misc hands qemu the program's
# file on the lowest free fd: with stdin closed that is fd 0, so the
# program sees its own ELF file as stdin. No device has that: the cases
# with stdin closed run natively only.
stdin_cases=1
if [ "${SECPROV_ARCH:-}" = arm64 ]; then
  stdin_cases=0; echo "SKIP closed-stdin cases: under qemu-user fd 0 is qemu's (the program's ELF file)"
fi
PTYTPM_SWTPM_LOG=$T/swtpm.log tpm_sim_pty "$T/tpm"
m1="FD-SECRET-ONE-$RANDOM$RANDOM$RANDOM"
m2="FD-SECRET-TWO-$RANDOM$RANDOM$RANDOM"
m3="FD-SECRET-THREE-$RANDOM$RANDOM$RANDOM"
printf %s "$m1" > "$T/s1"; printf %s "$m2" > "$T/s2"; printf %s "$m3" > "$T/s3"
for p in legacy tpm; do
  mkdir -p "$T/$p"; tpm_sim_config "$T/$p/c.conf" "$p"
  export SECPROV_CONFIG=$T/$p/c.conf
  "$B" seal known "$T/s1"
  : > "$T/in"
  for fds in 1 01 12 012; do
    try "$fds" "$B" unseal known
    check "$p: unseal, fds $fds closed: exit 1" test $rc = 1
    [[ $fds == *2* ]] || check "$p: unseal, fds $fds closed: says why" \
      says "unseal: stdout (fd 1) is closed: refusing to write to it"
  done
  for fds in 0 2 02; do
    try "$fds" "$B" unseal known
    check "$p: unseal, fds $fds closed: the secret on stdout" test "$(cat "$T/out")" = "$m1" -a $rc = 0
  done
  cp "$T/s3" "$T/in"
  for fds in $([ $stdin_cases = 1 ] && echo 0 01 02 012); do
    try "$fds" "$B" seal fromstdin
    check "$p: seal from stdin, fds $fds closed: exit 1" test $rc = 1
    [[ $fds == *2* ]] || check "$p: seal from stdin, fds $fds closed: says why" \
      says "seal: stdin (fd 0) is closed: refusing to read from it"
  done
  try "" "$B" unseal fromstdin
  [ $stdin_cases = 1 ] && check "$p: no secret was sealed from a closed stdin" says "unseal 'fromstdin': no secret of that name"
  for fds in 1 2 12; do
    try "$fds" "$B" seal "stdin$fds"
    try "" "$B" unseal "stdin$fds"
    check "$p: seal from stdin, fds $fds closed: sealed" test "$(cat "$T/out")" = "$m3"
  done
  for fds in 0 1 2 01 02 12 012; do
    try "$fds" "$B" seal "file$fds" "$T/s2"
    check "$p: seal FILE, fds $fds closed: exit 0" test $rc = 0
    try "" "$B" unseal "file$fds"
    check "$p: seal FILE, fds $fds closed: sealed" test "$(cat "$T/out")" = "$m2"
  done
  # error paths: the status, and the line (when stderr is open) or nothing
  for fds in 0 2 02; do
    try "$fds" "$B" unseal missing
    check "$p: unseal missing, fds $fds closed: exit 1" test $rc = 1
    [[ $fds == *2* ]] || check "$p: unseal missing, fds $fds closed: one line" \
      says "unseal 'missing': no secret of that name"
    try "$fds" "$B" delete missing
    check "$p: delete missing, fds $fds closed: exit 1" test $rc = 1
    try "$fds" "$B" seal 'bad/name' "$T/s2"
    check "$p: seal bad name, fds $fds closed: exit 2" test $rc = 2
  done
  for fds in 1 12; do
    try "$fds" "$B" list
    check "$p: list, fds $fds closed: exit 1" test $rc = 1
  done
  # write errors on stdout
  for cmd in "unseal known" "list" "info" "locate known"; do
    rc=0; "$B" $cmd > /dev/full 2> "$T/err" || rc=$?
    check "$p: $cmd > /dev/full: exit 1" test $rc = 1
    check "$p: $cmd > /dev/full: says so" grep -q "cannot write to stdout: No space left on device" "$T/err"
  done
  # nothing of it in any state file
  for m in "$m1" "$m2" "$m3" "secprov: " "no secret of that name"; do
    check "$p: no state file holds '${m:0:16}...'" test -z "$(grep -rlaF -- "$m" "$T/$p" | grep -v 'c.conf$' || true)"
  done
done
rc=0; "$B" legacy hw-hash --hardware x > /dev/full 2> "$T/err" || rc=$?
check "legacy hw-hash > /dev/full: exit 1" test $rc = 1
try 1 "$B" legacy hw-hash --hardware x
check "legacy hw-hash, stdout closed: exit 1" test $rc = 1
echo key > "$T/k"
if [ $stdin_cases = 1 ]; then
  try 0 "$B" legacy encrypt --key-file "$T/k"
  check "legacy encrypt from a closed stdin: exit 1" says "legacy encrypt: stdin (fd 0) is closed: refusing to read from it"
fi
"$B" legacy encrypt --key-file "$T/k" "$T/s1" "$T/enc"
try 1 "$B" legacy decrypt --key-file "$T/k" "$T/enc"
check "legacy decrypt to a closed stdout: exit 1" says "legacy decrypt: stdout (fd 1) is closed: refusing to write to it"
try 1 "$B" legacy decrypt --key-file "$T/k" "$T/enc" "$T/dec"
check "legacy decrypt to OUT with stdout closed: works" cmp "$T/dec" "$T/s1"

messages > "$T/messages"
check "the bus log holds the exchanges ($(wc -l < "$T/messages") messages)" test "$(wc -l < "$T/messages")" -gt 50
for m in "$m1" "$m2" "$m3"; do
  check "no secret on the bus (${m:0:14})" test "$(grep -c "$(printf %s "$m" | hex)" "$T/messages" || true)" = 0
done
check_done

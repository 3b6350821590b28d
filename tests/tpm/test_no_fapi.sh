#!/usr/bin/env bash
# No FAPI stack in a steady-state process (issue 24): tpm.so does not link
# libtss2-fapi (it is dlopen()ed to provision a keystore the first time:
# providers/tpm/fapi_lib.h). A process that opens the tpm provider on a
# provisioned keystore and seals, unseals, lists, locates, collects and
# deletes (and a whole process that attests, imports or unwraps) maps none of libtss2-fapi, libcurl, libldap, libkrb5, libgnutls
# (its /proc/PID/maps, read while it holds the handle), on the pty TPM and
# on swtpm's socket. With libtss2-fapi hidden, such a process still works,
# and only a keystore's first provisioning fails, naming the library.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
on_exit drv_stop
TPM_SO=$SECPROV_BUILD/lib/secprov/tpm.so
HEAVY='libtss2-fapi|libcurl|libldap|libkrb5|libgnutls'
# Under qemu-user (make check-arm64) the process is qemu's: its own host
# libraries (it links GnuTLS) are not the guest's; only aarch64 ones count.
LIBDIR_RE='/'
[ "${SECPROV_ARCH:-}" = arm64 ] && LIBDIR_RE='/aarch64-linux-gnu/'

if readelf -dW "$TPM_SO" | grep -q 'NEEDED.*libtss2-fapi'; then
  fail "tpm.so has libtss2-fapi in its DT_NEEDED"
else
  ok "tpm.so: no libtss2-fapi in DT_NEEDED"
fi

DRV_PID=
drv_start() { coproc DRV { exec "$FD" 2>>"$T/driver.err"; }; }
drv_stop() {
  if [ -n "${DRV_PID:-}" ]; then
    local fd=${DRV[1]:-}; [ -n "$fd" ] && { eval "exec $fd>&-"; }
    wait "$DRV_PID" 2>/dev/null || true
  fi
  DRV_PID=
}
say() {   # LINE WANT-PREFIX: one call to the driver, its answer must start so
  local reply
  echo "$1" >&"${DRV[1]}"
  IFS= read -r -t 30 reply <&"${DRV[0]}" || reply="no answer"
  [[ $reply == "$2"* ]] && ok "$MODE: $1: ${reply%% [0-9]*}" || fail "$MODE: $1: got '$reply', want '$2...'"
}
heavy_maps() {   # PID: the heavy libraries it maps, one line each
  awk '{ print $6 }' "/proc/$1/maps" | grep -E "$LIBDIR_RE($HEAVY)[^/]*\.so" | sort -u || true
}

for MODE in pty socket; do
  mkdir -p "$T/$MODE"
  tpm_sim_$MODE "$T/$MODE/tpm"
  tpm_sim_config "$T/$MODE/c.conf" tpm
  export SECPROV_CONFIG=$T/$MODE/c.conf
  printf first | "$B" seal first         # provisioning: the one use of FAPI, its own process
  check "$MODE: the keystore is provisioned" test -f "$T/$MODE/tpm-state/provisioned"
  drv_start
  say open "open OK"
  say "seal a value-a" "seal OK"
  say "unseal a" "unseal OK"
  say "unseal first" "unseal OK"
  say list "list OK"
  say "locate a" "locate OK"
  say gc-dry-run "gc-dry-run OK"
  say "delete a" "delete OK"
  got=$(heavy_maps "$DRV_PID")
  [ -z "$got" ] && ok "$MODE: the process maps none of libtss2-fapi, libcurl, libldap, libkrb5, libgnutls" \
                || fail "$MODE: the process maps: $(echo $got)"
  check "$MODE: ... but it did map tpm.so and libtss2-esys" \
    grep -qE '/tpm\.so|libtss2-esys' "/proc/$DRV_PID/maps"
  say close "close OK"
  drv_stop
  # Whole processes: attest (the AK made and loaded under the SRK) and
  # unseal; the dynamic loader names every library it initialises.
  # A seal-to blob for this TPM (the server's half needs no TPM), so import
  # and unwrap are among them too.
  "$B" attest enroll > "$T/$MODE/enroll.json"
  printf imported | env -u SECPROV_CONFIG "$B" --config /dev/null seal-to \
    --enrollment "$T/$MODE/enroll.json" imp > "$T/$MODE/imp.blob"
  for cmd in "attest enroll" "attest --nonce 00112233" "unseal first" \
             "attest --payload-id req-1 --format tpm_attestation" \
             "import imp $T/$MODE/imp.blob" "unwrap $T/$MODE/imp.blob"; do
    LD_DEBUG=libs "$B" $cmd >/dev/null 2>"$T/ld.log" && rc=0 || rc=$?
    inits=$(grep -E "calling init: .*$LIBDIR_RE($HEAVY)" "$T/ld.log" | sed 's/.*calling init: //' || true)
    [ $rc = 0 ] && [ -z "$inits" ] && ok "$MODE: secprov $cmd: done, no FAPI stack loaded"       || fail "$MODE: secprov $cmd: exit $rc, loaded: $(echo $inits)"
  done
  tpm_sim_stop
done

# libtss2-fapi hidden (an empty file over it in a private mount namespace):
# a provisioned keystore is served; a new one is refused, naming the library.
if [ "${SECPROV_ARCH:-}" = arm64 ]; then
  fapi_lib=$(ls /usr/lib/aarch64-linux-gnu/libtss2-fapi.so.1 2>/dev/null || true)
else
  # awk reads to the end: an early exit would kill ldconfig with SIGPIPE once
  # its list outgrows a pipe's buffer (64 KiB), and pipefail would end the test
  fapi_lib=$(ldconfig -p | awk '/libtss2-fapi\.so\.1 / && !f { print $NF; f = 1 }')
fi
if [ -z "$fapi_lib" ]; then
  fail "libtss2-fapi.so.1 is not installed (ldconfig -p)"
elif ! unshare -m true 2>/dev/null; then
  echo "SKIP libtss2-fapi hidden: cannot make a private mount namespace (unshare -m) here"
else
  tpm_sim_socket "$T/hide/tpm"
  tpm_sim_config "$T/hide/c.conf" tpm
  export SECPROV_CONFIG=$T/hide/c.conf
  printf old | "$B" seal old
  hidden() { unshare -m sh -c "mount --bind /dev/null '$fapi_lib' && exec \"\$@\"" sh "$@"; }
  check "FAPI hidden, provisioned keystore: seal" hidden sh -c "printf new | '$B' seal new"
  check "FAPI hidden, provisioned keystore: unseal" test "$(hidden "$B" unseal old)" = old
  rm -rf "$T/hide/tpm-state"
  printf x > "$T/x"
  hidden "$B" seal other "$T/x" >"$T/out" 2>"$T/err" && rc=0 || rc=$?
  check "FAPI hidden, new keystore: seal fails" test "$rc" != 0
  check "FAPI hidden, new keystore: the error names libtss2-fapi" \
    grep -q "cannot load libtss2-fapi.so.1 (tpm2-tss's FAPI, needed to provision a new keystore)" "$T/err"
  check "FAPI hidden, new keystore: not marked provisioned" test ! -e "$T/hide/tpm-state/provisioned"
fi
check_done

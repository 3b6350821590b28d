# Credential activation, the verifier's half, through the command a server
# runs (`secprov activation`, libsecprov_verify: runs under qemu-user and
# ASan alike), for the tests that need a challenge or an activation record:
#   call make ENROLLMENT CRED STATE             activation challenge
#   call enroll ENROLLMENT STATE ANSWER RECORD  activation check
# each prints the reason ("ok", "no_ek", ...) and the detail. Needs
# SECPROV_BUILD and T.
call() {
  local sp=$SECPROV_BUILD/bin/secprov rc
  case $1 in
    make) env -u SECPROV_CONFIG "$sp" --config /dev/null activation challenge --enrollment "$2" \
            --state "$4" >"$3" 2>"$T/call.err" && rc=0 || rc=$? ;;
    enroll) env -u SECPROV_CONFIG "$sp" --config /dev/null activation check --enrollment "$2" \
              --state "$3" "$4" >"$T/call.out" 2>"$T/call.err" && rc=0 || rc=$?
            [ "$rc" != 0 ] || mv "$T/call.out" "$5" ;;   # no record unless admitted
  esac
  if [ "$rc" = 0 ]; then echo "ok "; else
    sed -n 's/^secprov: error: activation [a-z]*: \([a-z_]*\): /\1 /p' "$T/call.err"
    grep -v '^secprov: error: activation [a-z]*: [a-z_]*: ' "$T/call.err" || true
  fi
}

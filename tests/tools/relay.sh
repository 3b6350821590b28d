# Source this (after tests/tools/test_lib.sh): tests/tools/mitmtpm, a TPM
# character device at $T/tpm0 that relays to the swtpm socket $T/s/sock (an
# interposer on the TPM bus; its environment says what it tampers with).
#   relay_start [VAR=VALUE...]   start it, logging to $T/relay.log (emptied)
#   relay_stop                   stop it (also done on EXIT)
RELAY_PID=
relay_stop() { [ -n "$RELAY_PID" ] && { kill "$RELAY_PID" 2>/dev/null || true; wait "$RELAY_PID" 2>/dev/null || true; }; RELAY_PID=; }
relay_start() {
  rm -f "$T/tpm0"; : > "$T/relay.log"
  env "$@" "$SECPROV_BUILD/tests/tools/mitmtpm" "$T/tpm0" "$T/s/sock" "$T/relay.log" & RELAY_PID=$!
  for _ in $(seq 1 100); do [ -e "$T/tpm0" ] && return 0; sleep 0.05; done
  echo "relay did not come up" >&2; return 1
}
on_exit relay_stop

# Source after test_lib.sh: a private attestor over fixture files.
#   at_fixtures        EFI SecureBoot variable (on), lockdown, cmdline, a
#                      service binary, a policy file, a token file (0600)
#   at_config FILE [EXTRA KEYS]   the config (port $AT_PORT, audit in $T)
#   at_start FILE      start the daemon (pid AT_PID), wait for /health to say
#                      its first attestation is done (not pending)
#   at_wait_ready      wait for the daemon AT_PID (started otherwise) likewise
#   at_stop            SIGTERM, wait, AT_RC its exit status
#   get PATH / post PATH [curl args]  -> $T/body, HTTP status in $code
AD=$SECPROV_BUILD/bin/secprov-attestor
AT_PORT=$((20000 + RANDOM % 20000))
URL=http://127.0.0.1:$AT_PORT
SB=$T/efi/SecureBoot-8be4df61-93ca-11d2-aa0d-e98c0333e0fe
at_fixtures() {
  mkdir -p "$T/efi" "$T/audit"
  printf '\x06\x00\x00\x00\x01' > "$SB"
  echo "none [integrity] confidentiality" > "$T/lockdown"
  echo "root=/dev/mmcblk0p1 quiet" > "$T/cmdline"
  echo "binary one" > "$T/svc"; echo "policy" > "$T/pol"; echo "jetpack 6" > "$T/release"
  echo "s3cret-token" > "$T/token"; chmod 600 "$T/token"
  head -c 32 /dev/urandom > "$T/hmac.key"; chmod 600 "$T/hmac.key"
}
at_config() {
  cat > "$1" <<CONF
attestor = {
  listen = "127.0.0.1:$AT_PORT";
  service_binaries = ["loader=$T/svc"];
  policy_files = ["$T/pol"];
  deployment_files = ["$T/release"];
  token_file = "$T/token";
  hmac_key_file = "$T/hmac.key";
  audit_log = "$T/audit/audit.jsonl";
  efivars_dir = "$T/efi"; lockdown_file = "$T/lockdown"; cmdline_file = "$T/cmdline";
  ${2:-}
};
CONF
  chmod 600 "$1"
}
AT_PID=
at_start() {
  "$AD" --config "$1" 2>>"$T/daemon.err" &
  AT_PID=$!
  at_wait_ready
}
at_wait_ready() {   # the daemon AT_PID up, and its first attestation done
  # (slower with a TPM, ASan or qemu)
  for _ in $(seq 600); do
    case "$(curl -s "$URL/health" 2>/dev/null || true)" in
      *'"state":"pending"'*|'') ;;
      *) return 0 ;;
    esac
    kill -0 "$AT_PID" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}
at_stop() { AT_RC=0; kill -TERM "$AT_PID" 2>/dev/null; wait "$AT_PID" || AT_RC=$?; AT_PID=; }
on_exit '[ -n "$AT_PID" ] && kill -KILL $AT_PID 2>/dev/null'
code=
get() { code=$(curl -s -m 10 -o "$T/body" -w '%{http_code}' "${@:2}" "$URL$1"); }
post() { code=$(curl -s -m 10 -o "$T/body" -w '%{http_code}' -X POST "${@:2}" "$URL$1"); }
field() { jq -r "$1" "$T/body"; }
refresh() { post /api/v1/refresh -H 'Authorization: Bearer s3cret-token'; }

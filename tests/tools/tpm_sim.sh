# Source this: a private swtpm for one test, in a scratch folder.
#   tpm_sim_socket DIR     swtpm on a unix socket; sets TPM_TCTI, TPM_PID, and
#                          TPM_DEV (a plain file standing for the device node)
#   tpm_sim_pty DIR        swtpm behind a pseudo-terminal; sets TPM_DEV (a
#                          symlink to the pty slave), TPM_TCTI=device:TPM_DEV, TPM_PID
#   tpm_sim_stop           stop it (also done on EXIT when tpm_sim_trap is used)
#   tpm_sim_wedge          SIGSTOP swtpm: a TPM that accepts commands but never answers
#   tpm_sim_config FILE [provider]   write a secprov config for this TPM
# Needs SECPROV_BUILD (tests/run_tests.sh sets it).
TPM_PIDS=()

tpm_sim_wait() {   # wait until a TPM command gets an answer, at most 10 s
  local i
  for i in $(seq 1 100); do
    TSS2_LOG=all+none tpm2_getrandom -T "$TPM_TCTI" 4 >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "tpm_sim: swtpm did not come up ($TPM_TCTI)" >&2
  return 1
}

tpm_sim_socket() {
  local dir=$1
  mkdir -p "$dir/state"
  swtpm socket --tpm2 --server "type=unixio,path=$dir/sock" \
    --ctrl "type=unixio,path=$dir/sock.ctrl" --tpmstate "dir=$dir/state" \
    --flags not-need-init,startup-clear --daemon --pid "file=$dir/swtpm.pid"
  TPM_PID=$(cat "$dir/swtpm.pid"); TPM_PIDS+=("$TPM_PID")
  TPM_TCTI="swtpm:path=$dir/sock"
  TPM_DEV="$dir/devnode"          # a node that stays when swtpm stops
  touch "$TPM_DEV"
  tpm_sim_wait
}

tpm_sim_pty() {
  local dir=$1 i
  mkdir -p "$dir/state"
  rm -f "$dir/swtpm.pid"
  "$SECPROV_BUILD/tests/tools/ptytpm" "$dir/tpm0" "$dir/state" "$dir/swtpm.pid" &
  TPM_PIDS+=("$!")
  for i in $(seq 1 100); do [ -s "$dir/swtpm.pid" ] && [ -e "$dir/tpm0" ] && break; sleep 0.05; done
  TPM_PID=$(cat "$dir/swtpm.pid"); TPM_PIDS+=("$TPM_PID")
  TPM_DEV="$dir/tpm0"
  TPM_TCTI="device:$TPM_DEV"
  tpm_sim_wait
}

tpm_sim_wedge() { kill -STOP "$TPM_PID"; }

tpm_sim_stop() {
  local p
  # Some may be gone already (ptytpm exits with its swtpm): never fail here.
  for p in "${TPM_PIDS[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
  for p in "${TPM_PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$p" 2>/dev/null || true
  done
  TPM_PIDS=()
  return 0
}

tpm_sim_config() {   # FILE [provider]: config for the current TPM, state under FILE's folder
  local file=$1 base
  base=$(dirname "$file")
  {
    [ -n "${2:-}" ] && echo "provider = \"$2\";"
    echo "tpm = { devices = [\"$TPM_DEV\"]; tcti = \"$TPM_TCTI\"; state_dir = \"$base/tpm-state\"; };"
    echo "legacy = { state_dir = \"$base/legacy-state\"; hardware = \"CPU: test. GPU: none. Memory: 1. DriveSerial: x\"; };"
  } > "$file"
}

#!/usr/bin/env bash
# bench/tpm_commands.sh BUILD_DIR: TPM commands per steady-state seal+unseal
# round-trip (32 bytes, open handle), counted by command code from swtpm's own
# I/O log: runs bench/rt_api with 1 and with 21 round-trips against a fresh
# swtpm and divides the difference by 20 (open and provisioning cancel out).
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
work=$(mktemp -d /tmp/secprov-cmds.XXXXXX)
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
declare -A NAMES=([0131]=CreatePrimary [0153]=Create [0157]=Load [015E]=Unseal [0176]=StartAuthSession
  [0165]=FlushContext [0173]=ReadPublic [017A]=GetCapability [0121]=EvictControl [017B]=GetRandom
  [0161]=ContextLoad [0162]=ContextSave [0177]=PolicyPCR [016F]=PolicyCommandCode [0186]=PolicyAuthValue
  [017F]=PCR_Read [0144]=Startup [0163]=ContextSave [0152]=ObjectChangeAuth [0158]=LoadExternal
  [0171]=PolicyGetDigest [016B]=PolicyPassword [0154]=HierarchyChangeAuth)
count() {  # count N -> "code count" lines for N round-trips
  rm -rf "$work/st" "$work/state" && mkdir -p "$work/state"
  swtpm socket --tpm2 --server "type=unixio,path=$work/sock" --ctrl "type=unixio,path=$work/sock.ctrl" \
    --tpmstate "dir=$work/state" --flags not-need-init,startup-clear --daemon --pid "file=$work/pid" \
    --log "file=$work/log,level=20"
  sleep 0.2
  touch "$work/dev"
  printf 'tpm = { devices = ["%s"]; tcti = "swtpm:path=%s"; state_dir = "%s"; };\n' \
    "$work/dev" "$work/sock" "$work/st" > "$work/c.conf"
  # provision first (outside the count), then the measured run
  SECPROV_CONFIG=$work/c.conf SECURITY_PROVIDER=tpm "$build/bench/rt_api" 1 32 >/dev/null 2>&1
  : > "$work/log"
  SECPROV_CONFIG=$work/c.conf SECURITY_PROVIDER=tpm "$build/bench/rt_api" "$1" 32 >/dev/null 2>&1
  kill "$(cat "$work/pid")"; sleep 0.2
  awk '/SWTPM_IO_Read/ {getline; print $9 $10}' "$work/log" | sort | uniq -c | awk '{print $2, $1}'
}
count 1 > "$work/c1"
count 21 > "$work/c21"
join -a2 -e 0 -o 0,1.2,2.2 "$work/c1" "$work/c21" | while read -r code a b; do
  per=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", (b - a) / 20 }')
  [ "$per" = "0.00" ] && continue
  printf '%-18s 0x%s %6s\n' "${NAMES[$code]:-?}" "$code" "$per"
done | sort -k3 -nr > "$work/table"
cat "$work/table"
awk '{s += $3} END { printf "total per round-trip: %.2f commands\n", s }' "$work/table"

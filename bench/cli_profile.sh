#!/usr/bin/env bash
# Where a whole `secprov unseal` process spends its CPU (issue 24, CLI leg).
# bench/cli_profile.sh BUILD_DIR (needs perf, hyperfine, strace, swtpm, cc; one
# pty TPM; the percentages are shares of the process's CPU samples).
set -eu
B=$(cd "$1" && pwd)
export SECPROV_BUILD=$B
T=$(mktemp -d)
trap 'tpm_sim_stop; rm -rf "$T"' EXIT
source "$(dirname "$0")/../tests/tools/tpm_sim.sh"
tpm_sim_pty "$T/t"; tpm_sim_config "$T/c.conf" tpm
export SECPROV_CONFIG=$T/c.conf
head -c 32 /dev/urandom | "$B/bin/secprov" seal x
"$B/bin/secprov" unseal x >/dev/null
perf stat -r 20 -e task-clock "$B/bin/secprov" unseal x 2>&1 >/dev/null | grep -E 'task-clock|elapsed'
hyperfine -N -w 3 -r 30 "$B/bin/secprov --help" "$B/bin/secprov list" "$B/bin/secprov unseal x" 2>&1 | grep -E 'Benchmark|Time'
# The floor: a process that loads tpm.so's libraries and does OpenSSL's
# first digest, DRBGs and P-256 key, and nothing else (bench/cli_floor.c).
cc -O2 -Wall -Wextra -Werror -o "$T/cli_floor" "$(dirname "$0")/cli_floor.c" -ldl -lcrypto
hyperfine -N -w 3 -r 30 "$T/cli_floor $B/lib/secprov/tpm.so 1" "$T/cli_floor $B/lib/secprov/tpm.so 4" \
  2>&1 | grep -E 'Benchmark|Time'
# A seal round-trip in one process: through ESAPI alone (bench/floor_process.c:
# salted session, Create, Load, Unseal, Flush) and through secprov (open,
# seal, unseal, close: bench/rt_api 1 32).
TSS2_LOG=all+none "$B/bench/floor_process" "$TPM_TCTI"   # its SRK, made once
hyperfine -N -w 3 -r 30 "$B/bench/floor_process $TPM_TCTI" "$B/bench/rt_api 1 32" \
  2>&1 | grep -E 'Benchmark|Time'
strace -c -o "$T/strace" "$B/bin/secprov" unseal x >/dev/null; sed -n '1,8p;$p' "$T/strace"
perf record -q -F 20000 --call-graph dwarf,16384 -o "$T/perf.data" -- sh -c \
  "for i in 1 2 3; do '$B/bin/secprov' unseal x >/dev/null; done" 2>/dev/null
perf script -i "$T/perf.data" --comm secprov 2>/dev/null > "$T/stacks"
python3 "$(dirname "$0")/cli_profile.py" "$T/stacks"


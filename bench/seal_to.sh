#!/usr/bin/env bash
# bench/seal_to.sh BUILD [OUT]: the seal-to legs (docs/seal-to.md, "Cost"),
# raw files into OUT (default bench/out): server seal-to with no TPM (whole
# process and the library call in process), and on a private swtpm behind a
# pseudo-terminal device (no resource manager): a whole `secprov import`, the
# first `secprov unseal` after it, the unseal of a locally sealed name, and
# `secprov unwrap`, interleaved (one of each per round); each leg's TPM
# commands from swtpm's log and their modeled latency on the Orin fTPM and
# the SLB9672 (bench/tpm_model.py). bench/seal_to_report.py sums them up
# into a table (stdout) and OUT/seal_to.json. `make bench` runs it; `make
# bench-seal-to` runs it alone.
# Sizes: BENCH_SEAL_TO_N rounds (30), BENCH_SEAL_TO_LIB_N library calls (200).
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
out=${2:-${BENCH_OUT:-$src/bench/out}}
N=${BENCH_SEAL_TO_N:-30} LIB_N=${BENCH_SEAL_TO_LIB_N:-200}
export SECPROV_SRC=$src SECPROV_BUILD=$build TSS2_LOG=all+none
unset SECURITY_PROVIDER SECPROV_LOG_LEVEL SECPROV_CONFIG
source "$src/tests/tools/tpm_sim.sh"
work=$(mktemp -d /tmp/secprov-bench-seal-to.XXXXXX)
trap 'tpm_sim_stop; rm -rf "$work"' EXIT
mkdir -p "$out"
SP=$build/bin/secprov
say() { printf 'bench seal-to: %s\n' "$*" >&2; }
us() { echo "$1 $(( ${3/./} - ${2/./} ))"; }   # LEG T0 T1 -> "LEG MICROSECONDS"

PTYTPM_SWTPM_LOG=$work/swtpm.log tpm_sim_pty "$work/t" >/dev/null
tpm_sim_config "$work/c.conf" tpm
conf=$work/c.conf
"$SP" --config "$conf" attest enroll > "$work/enroll.json"
head -c 32 /dev/urandom > "$work/s32"
head -c 1048576 /dev/urandom > "$work/s1m"
"$SP" --config "$conf" seal local "$work/s32"
server() { env -u SECPROV_CONFIG "$SP" --config /dev/null seal-to --enrollment "$work/enroll.json" "$@"; }
{ echo "machine: $(nproc) cores, $(uname -m), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)"
  echo "swtpm: $(swtpm --version 2>&1 | head -n1)"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"; } > "$out/seal_to_env.txt"

say "server: seal-to, whole process, 32 B and 1 MiB ($N each, interleaved)"
: > "$out/seal_to.txt"
for _ in $(seq 1 "$N"); do
  t0=$EPOCHREALTIME; server k32 "$work/s32" > "$work/b32"; t1=$EPOCHREALTIME; us server-32B "$t0" "$t1" >> "$out/seal_to.txt"
  t0=$EPOCHREALTIME; server k1m "$work/s1m" > "$work/b1m"; t1=$EPOCHREALTIME; us server-1MiB "$t0" "$t1" >> "$out/seal_to.txt"
done
say "server: secprov.verify.seal_to in process, 32 B ($LIB_N calls)"
SECPROV_LIBRARY=$build/lib/libsecprov.so.0 PYTHONPATH=$src/python /usr/bin/python3 - \
    "$work/enroll.json" "$LIB_N" >> "$out/seal_to.txt" <<'PYEOF'
import sys, time
from secprov import verify
enr = open(sys.argv[1]).read()
verify.seal_to(enr, "k", b"x" * 32)
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter_ns(); verify.seal_to(enr, "k", b"x" * 32); t1 = time.perf_counter_ns()
    print("server-lib-32B", (t1 - t0) // 1000)
PYEOF

say "device: import, first unseal after it, local unseal, unwrap ($N rounds, interleaved)"
for _ in $(seq 1 "$N"); do
  t0=$EPOCHREALTIME; "$SP" --config "$conf" import k32 "$work/b32"; t1=$EPOCHREALTIME; us import-32B "$t0" "$t1" >> "$out/seal_to.txt"
  t0=$EPOCHREALTIME; "$SP" --config "$conf" unseal k32 > /dev/null; t1=$EPOCHREALTIME; us first-unseal-after-import "$t0" "$t1" >> "$out/seal_to.txt"
  t0=$EPOCHREALTIME; "$SP" --config "$conf" unseal local > /dev/null; t1=$EPOCHREALTIME; us unseal-local "$t0" "$t1" >> "$out/seal_to.txt"
  t0=$EPOCHREALTIME; "$SP" --config "$conf" unwrap "$work/b32" > /dev/null; t1=$EPOCHREALTIME; us unwrap-32B "$t0" "$t1" >> "$out/seal_to.txt"
  t0=$EPOCHREALTIME; "$SP" --config "$conf" import k1m "$work/b1m"; t1=$EPOCHREALTIME; us import-1MiB "$t0" "$t1" >> "$out/seal_to.txt"
done

say "device: the TPM commands of each leg (swtpm's command log)"
settle() { local a b; b=$(stat -c %s "$work/swtpm.log")
  while :; do sleep 0.05; a=$b; b=$(stat -c %s "$work/swtpm.log"); [ "$a" = "$b" ] && break; done; }
: > "$out/seal_to_commands.txt"
counted() {   # LEG CMD...: the command codes one run of CMD sends
  local a; settle; a=$(stat -c %s "$work/swtpm.log")
  "${@:2}" > /dev/null; settle
  tail -c +"$((a + 1))" "$work/swtpm.log" | awk -v leg="$1" '/SWTPM_IO_Read/ { getline; print leg, $7 $8 $9 $10 }' \
    >> "$out/seal_to_commands.txt"
}
counted import-32B "$SP" --config "$conf" import k32 "$work/b32"
counted first-unseal-after-import "$SP" --config "$conf" unseal k32
counted unseal-local "$SP" --config "$conf" unseal local
counted unwrap-32B "$SP" --config "$conf" unwrap "$work/b32"
counted import-1MiB "$SP" --config "$conf" import k1m "$work/b1m"
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/seal_to_env.txt"
python3 "$src/bench/seal_to_report.py" "$out"

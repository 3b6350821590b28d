#!/usr/bin/env bash
# bench/run.sh BUILD: everything `make bench` measures, against private swtpms
# behind pseudo-terminal devices (the production device: TCTI, no resource
# manager), written as raw files under $BENCH_OUT (default bench/out, kept)
# and summarised by bench/report.py into one table, bench/results.json and
# bench/latency.png.
#
# Each comparison is interleaved in one run: A B A B ... (in-process legs
# alternate every round-trip inside bench_tpm; whole-process legs alternate
# every pair of commands here).
# Sizes: BENCH_N TPM round-trips per in-process leg (200), BENCH_PROC_N
# whole-process pairs per leg (40), BENCH_OPEN_N opens per mode (30),
# BENCH_BIG_N 1 MiB round-trips per provider (20), BENCH_GIB GiB for the
# legacy stream (1), BENCH_MP_N round-trips per process of the 8 (25).
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
out=${BENCH_OUT:-$src/bench/out}
N=${BENCH_N:-200} PROC_N=${BENCH_PROC_N:-40} OPEN_N=${BENCH_OPEN_N:-30}
BIG_N=${BENCH_BIG_N:-20} GIB=${BENCH_GIB:-1} MP_N=${BENCH_MP_N:-25}

export SECPROV_SRC=$src SECPROV_BUILD=$build TSS2_LOG=all+none
unset SECURITY_PROVIDER SECPROV_LOG_LEVEL
# shellcheck source=/dev/null
source "$src/tests/tools/tpm_sim.sh"
work=$(mktemp -d /tmp/secprov-bench.XXXXXX)
trap 'tpm_sim_stop; rm -rf "$work"' EXIT
rm -rf "$out"; mkdir -p "$out"
BT=$build/bench/bench_tpm
SP=$build/bin/secprov
say() { printf 'bench: %s\n' "$*" >&2; }
HW='CPU: bench. GPU: none. Memory: 1. DriveSerial: x'
# The Python legs run the package as make install leaves it (byte-compiled,
# as the Debian package does too): from the source tree under
# PYTHONDONTWRITEBYTECODE=1 every process would compile it again. Its
# recorded library path does not exist; SECPROV_LIBRARY names the build's.
make -s -C "$src" install-python DESTDIR="$work/python" PREFIX=/bench
export BENCH_PYTHONPATH=$work/python/bench/lib/python3/dist-packages

config() {   # FILE DEVICE TCTI STATE [hardware]: a config (provider auto; $RM: tpm.resource_manager)
  { echo "tpm = { devices = [\"$2\"]; tcti = \"$3\"; state_dir = \"$4/tpm\"; resource_manager = \"${RM:-auto}\"; };"
    if [ "${5-x}" = collect ]; then echo "legacy = { state_dir = \"$4/legacy\"; };"
    else echo "legacy = { state_dir = \"$4/legacy\"; hardware = \"$HW\"; };"; fi
  } > "$1"
}
{ echo "machine: $(nproc) cores, $(uname -m), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)"
  echo "swtpm: $(swtpm --version 2>&1 | head -n1)"
  echo "tpm2-tss: $(dpkg-query -W -f='${Version}\n' libtss2-fapi1 2>/dev/null | head -n1)"
  echo "systemd: $(systemd-creds --version 2>/dev/null | head -n1)"
  echo "openssl: $(openssl version)"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"; } > "$out/env.txt"

# --- 1. TPM round-trip, open handle: secprov vs the ESAPI floor vs stock FAPI ----
say "1/7 TPM round-trips in process: secprov, floor, stock FAPI ($N each, interleaved)"
tpm_sim_pty "$work/t1" >/dev/null
config "$work/c1.conf" "$TPM_DEV" "$TPM_TCTI" "$work/s1"
RM=yes config "$work/c1rm.conf" "$TPM_DEV" "$TPM_TCTI" "$work/s1"
mkdir -p "$work/fapi1"
SECPROV_CONFIG=$work/c1.conf BENCH_CONFIG_RM=$work/c1rm.conf BENCH_TCTI=$TPM_TCTI BENCH_DIR=$work/fapi1 \
  "$BT" rt "$N" secprov secprov-rm floor fapi > "$out/rt.txt"
# Where secprov's gap to the floor goes: the same two legs again with fsync()
# a no-op (bench/nofsync.c): what remains is the TPM commands and the work
# around them.
cc -shared -fPIC -o "$work/nofsync.so" "$src/bench/nofsync.c"
SECPROV_CONFIG=$work/c1.conf BENCH_CONFIG_RM=$work/c1rm.conf BENCH_TCTI=$TPM_TCTI LD_PRELOAD=$work/nofsync.so \
  "$BT" rt "$N" secprov secprov-rm floor | sed 's/^\([a-z-]*\) /\1-nofsync /' > "$out/rt_nofsync.txt"

# --- whole processes: systemd-creds encrypt+decrypt vs secprov seal+unseal ----------
say "1/7 whole processes: systemd-creds vs secprov command ($PROC_N pairs each, interleaved)"
head -c 32 /dev/urandom > "$work/secret"
export SECPROV_CONFIG=$work/c1.conf
creds() {   # (systemd-creds will not write over an existing output file)
  rm -f "$work/cred" "$work/creds.out"
  systemd-creds encrypt --with-key=tpm2 --tpm2-device="$TPM_DEV" --name=bench \
      "$work/secret" "$work/cred" 2>/dev/null &&
    systemd-creds decrypt --tpm2-device="$TPM_DEV" --name=bench "$work/cred" "$work/creds.out" 2>/dev/null
}
# systemd-creds leaves its sessions loaded when it exits (a resource manager
# would flush them; this TPM has none, as on a device with only /dev/tpm0):
# flushed after each of its runs, outside the timing and the command count.
flush_sessions() { tpm2_flushcontext -T "$TPM_TCTI" --loaded-session >/dev/null 2>&1 || true; }
cli() {
  "$SP" seal bench-cli < "$work/secret" && "$SP" unseal bench-cli > "$work/cli.out"
}
# Each round-trip is checked byte for byte after its timing (a `cmp` process
# costs 4 to 7 ms here, as much as a fifth of a secprov command).
same() { cmp -s "$work/secret" "$work/$1.out" || { say "$1: the round-trip gave other bytes"; exit 1; }; }
creds && flush_sessions && cli && same creds && same cli || { say "warm-up of the whole-process legs failed"; exit 1; }
: > "$out/proc.txt"
for _ in $(seq 1 "$PROC_N"); do
  for leg in creds cli; do
    t0=$EPOCHREALTIME; "$leg" || { say "$leg failed"; exit 1; }; t1=$EPOCHREALTIME
    same "$leg"
    echo "$leg $(( (${t1/./} - ${t0/./}) ))" >> "$out/proc.txt"
    [ "$leg" = creds ] && flush_sessions
  done
done
unset SECPROV_CONFIG
tpm_sim_stop

# --- 2. TPM commands per round-trip, by command code -----------------------------------
say "2/7 TPM commands per round-trip (swtpm's command log)"
PTYTPM_SWTPM_LOG=$work/swtpm.log tpm_sim_pty "$work/t2" >/dev/null
config "$work/c2.conf" "$TPM_DEV" "$TPM_TCTI" "$work/s2"
RM=yes config "$work/c2rm.conf" "$TPM_DEV" "$TPM_TCTI" "$work/s2"
mkdir -p "$work/fapi2"
K=10
slice() {   # LEG START END: the command codes in that part of the log
  tail -c +"$(($2 + 1))" "$work/swtpm.log" | head -c "$(($3 - $2))" |
    awk '/SWTPM_IO_Read/ { getline; print $7 $8 $9 $10 }' | sed "s/^/$1 /"
}
: > "$out/commands.txt"
for leg in secprov secprov-rm floor fapi; do
  read -r a b < <(SECPROV_CONFIG=$work/c2.conf BENCH_CONFIG_RM=$work/c2rm.conf BENCH_TCTI=$TPM_TCTI BENCH_DIR=$work/fapi2 "$BT" count "$leg" "$K" "$work/swtpm.log")
  slice "$leg" "$a" "$b" >> "$out/commands.txt"
done
export SECPROV_CONFIG=$work/c2.conf
for leg in creds cli; do
  "$leg"; flush_sessions
  for _ in $(seq 1 "$K"); do
    a=$(stat -c %s "$work/swtpm.log"); "$leg"; b=$(stat -c %s "$work/swtpm.log")
    slice "$leg" "$a" "$b" >> "$out/commands.txt"
    flush_sessions
  done
done
# The loader's start-up (process start, open, unseal 1 or 10, exit), both modes.
LD=$build/bench/loader
SECPROV_CONFIG=$work/c2.conf "$LD" seal 10
for rm in no yes; do
  conf=$work/c2.conf; [ $rm = yes ] && conf=$work/c2rm.conf
  for n in 1 10; do
    for _ in $(seq 1 "$K"); do
      a=$(stat -c %s "$work/swtpm.log"); SECPROV_CONFIG=$conf "$LD" "$n"; sleep 0.05
      b=$(stat -c %s "$work/swtpm.log")
      slice "loader$n-rm$rm" "$a" "$b" >> "$out/commands.txt"
    done
  done
done
unset SECPROV_CONFIG
echo "$K" > "$out/commands.k"
tpm_sim_stop

# --- the loader's start-up, timed: process start, open, unseal 1 / 10, exit ------------------
say "2/7 the loader's start-up ($PROC_N processes each)"
tpm_sim_pty "$work/t2b" >/dev/null
config "$work/c2b.conf" "$TPM_DEV" "$TPM_TCTI" "$work/s2b"
RM=yes config "$work/c2brm.conf" "$TPM_DEV" "$TPM_TCTI" "$work/s2b"
SECPROV_CONFIG=$work/c2b.conf "$LD" seal 10
: > "$out/loader.txt"
for _ in $(seq 1 "$PROC_N"); do
  for leg in loader1-rmno loader10-rmno loader1-rmyes loader10-rmyes loader1-rmno-lean loader10-rmno-lean; do
    conf=$work/c2b.conf; [[ $leg == *rmyes ]] && conf=$work/c2brm.conf
    n=${leg#loader}; n=${n%%-*}
    lean=(); [[ $leg == *-lean ]] && lean=(--no-legacy-names)
    t0=$EPOCHREALTIME; SECPROV_CONFIG=$conf "$LD" "${lean[@]}" "$n" || { say "$leg failed"; exit 1; }; t1=$EPOCHREALTIME
    echo "$leg $(( (${t1/./} - ${t0/./}) ))" >> "$out/loader.txt"
  done
done
# The same through the Python package (bench/python_loader.py writes "LEG
# MICROSECONDS" lines; its legs are reported beside these). The package's
# per-call overhead is bench/python_overhead.py's (docs/python.md).
SECPROV_CONFIG=$work/c2b.conf SECPROV_BUILD=$build /usr/bin/python3 "$src/bench/python_loader.py" \
  "$PROC_N" > "$out/python.txt" || say "python_loader.py failed (its legs are left out)"
tpm_sim_stop

# --- the loader's start-up in Python: secprov vs the original design on tpm2-pytss ----------
# (issue 24) Twin TPMs, one per leg, alternating fresh processes (import,
# open, unseal 32 B, exit): bench/loader_startup.py. Then the commands of K
# processes of each leg, from each swtpm's log.
say "2/7 loader start-up in Python: secprov vs tpm2-pytss FAPI ($PROC_N each, twin TPMs)"
if /usr/bin/python3 -c 'import tpm2_pytss' 2>/dev/null; then
  PTYTPM_SWTPM_LOG=$work/la.log tpm_sim_pty "$work/la" >/dev/null; la_dev=$TPM_DEV la_tcti=$TPM_TCTI
  PTYTPM_SWTPM_LOG=$work/lb.log tpm_sim_pty "$work/lb" >/dev/null; lb_tcti=$TPM_TCTI
  config "$work/cls.conf" "$la_dev" "$la_tcti" "$work/sls"
  LS="/usr/bin/python3 $src/bench/loader_startup.py"
  head -c 32 /dev/urandom | SECPROV_CONFIG=$work/cls.conf "$SP" seal loader-32
  $LS setup "$work/fapi-ls" "$lb_tcti"
  SECPROV_CONFIG=$work/cls.conf SECPROV_BUILD=$build $LS run "$PROC_N" "$work/fapi-ls" > "$out/startup.txt"
  : > "$out/startup_cmds.txt"
  for leg in secprov pytss; do
    logf=$work/la.log; [ $leg = pytss ] && logf=$work/lb.log
    for _ in $(seq 1 "$K"); do
      a=$(stat -c %s "$logf")
      SECPROV_CONFIG=$work/cls.conf SECPROV_BUILD=$build $LS once "$leg" "$work/fapi-ls"; sleep 0.05
      b=$(stat -c %s "$logf")
      tail -c +"$((a + 1))" "$logf" | head -c "$((b - a))" |
        awk '/SWTPM_IO_Read/ { getline; print $7 $8 $9 $10 }' | sed "s/^/startup-$leg /" >> "$out/startup_cmds.txt"
    done
  done
  tpm_sim_stop
else
  say "python3-tpm2-pytss is not installed (scripts/deps.sh bench): the leg is left out"
fi
# tpm.so's dlopen and the libraries it maps (bench/so_load.py)
/usr/bin/python3 "$src/bench/so_load.py" "$PROC_N" "$build/lib/secprov/tpm.so" > "$out/so_load.txt"

# --- 3. secprov_open: tpm, legacy, fallback ------------------------------------------------
say "3/7 secprov_open: tpm, legacy, fallback"
tpm_sim_pty "$work/t3" >/dev/null
config "$work/c3.conf" "$TPM_DEV" "$TPM_TCTI" "$work/s3"
SECPROV_CONFIG=$work/c3.conf "$BT" open 1 > /dev/null          # provisioning, once
touch "$work/dead-device"   # present, nothing behind it: the connection is refused
config "$work/c3l.conf" "$work/no-such-device" "" "$work/s3"
config "$work/c3c.conf" "$work/no-such-device" "" "$work/s3c" collect
config "$work/c3d.conf" "$work/dead-device" "swtpm:path=$work/no-socket" "$work/s3d"
first_open() {   # MODE CONF: "MODE MICROSECONDS PROVIDER" for the first open in a
                 # fresh process of rt_api, which links only libsecprov as a loader does
  SECPROV_CONFIG=$2 "$build/bench/rt_api" 0 32 2>&1 >/dev/null |
    sed -n "s/^rt_api: provider \([a-z]*\), open \([0-9]*\) us\$/$1 \2 \1/p"
}
opens() {   # MODE CONF: first_open in each of OPEN_N processes ("MODE"), then
            # OPEN_N more in one process ("MODE-again": modules already loaded)
  for _ in $(seq 1 "$OPEN_N"); do first_open "$1" "$2"; done
  SECPROV_CONFIG=$2 "$BT" open "$((OPEN_N + 1))" 2>/dev/null | tail -n +2 | sed "s/^open/$1-again/"
}
: > "$out/open.txt"
opens tpm "$work/c3.conf" >> "$out/open.txt"
opens legacy "$work/c3l.conf" >> "$out/open.txt"
OPEN_N=10 opens legacy-collect "$work/c3c.conf" >> "$out/open.txt"
opens fallback-unreachable "$work/c3d.conf" >> "$out/open.txt"
tpm_sim_wedge               # present, accepts commands, never answers
for _ in 1 2 3 4 5; do first_open fallback-wedged "$work/c3.conf"; done >> "$out/open.txt"
tpm_sim_stop

# --- 4. 1 MiB secret: tpm (envelope) vs legacy ----------------------------------------------
say "4/7 1 MiB secret: tpm vs legacy ($BIG_N each, interleaved)"
tpm_sim_pty "$work/t4" >/dev/null
config "$work/c4.conf" "$TPM_DEV" "$TPM_TCTI" "$work/s4"
SECPROV_CONFIG=$work/c4.conf "$BT" rt "$BIG_N" tpm-1m legacy-1m > "$out/big.txt"
tpm_sim_stop

# --- 5. legacy streaming decrypt of BENCH_GIB GiB vs openssl enc -d ------------------------------
say "5/7 legacy stream decrypt of $GIB GiB vs openssl (3 each, interleaved)"
key=$(printf 'bench-resource-key' | base64)
printf '%s\n' "$key" > "$work/key"
head -c $((GIB * 1024 * 1024 * 1024)) /dev/urandom > "$work/plain"
SECPROV_CONFIG=$work/c3l.conf "$SP" legacy encrypt --key-file "$work/key" "$work/plain" "$work/blob"
rm -f "$work/plain"
iv=$(head -c 16 "$work/blob" | od -An -tx1 | tr -d ' \n')
aes=$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)
tail -c +17 "$work/blob" > "$work/body"
: > "$out/stream.txt"
timed() {   # WHO COMMAND...: "WHO SECONDS PEAK_RSS_KIB" (wall clock to the microsecond)
  local who=$1 t0 t1; shift
  t0=$EPOCHREALTIME; /usr/bin/time -f '%M' -o "$work/rss" "$@"; t1=$EPOCHREALTIME
  echo "$who $(( ${t1/./} - ${t0/./} )) $(cat "$work/rss")" | awk '{ printf "%s %.6f %s\n", $1, $2 / 1e6, $3 }'
}
for _ in 1 2 3; do
  timed secprov env SECPROV_CONFIG="$work/c3l.conf" "$SP" legacy decrypt --key-file "$work/key" "$work/blob" /dev/null >> "$out/stream.txt"
  timed openssl openssl enc -d -aes-256-cbc -K "$aes" -iv "$iv" -in "$work/body" -out /dev/null >> "$out/stream.txt"
done
echo "$GIB" > "$out/stream.gib"
rm -f "$work/blob" "$work/body"

# --- 6. 8 processes at once on one TPM with no resource manager -------------------------------
say "6/7 8 processes x $MP_N round-trips on one TPM, no resource manager"
tpm_sim_pty "$work/t6" >/dev/null
config "$work/c6.conf" "$TPM_DEV" "$TPM_TCTI" "$work/s6"
SECPROV_CONFIG=$work/c6.conf "$build/bench/rt_api" 1 32 >/dev/null 2>&1   # provisioning, once
t0=$EPOCHREALTIME; pids=()
for p in $(seq 1 8); do
  SECPROV_CONFIG=$work/c6.conf RT_NAME=mp$p "$build/bench/rt_api" "$MP_N" 32 \
      > "$work/mp$p.out" 2> "$work/mp$p.err" & pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
t1=$EPOCHREALTIME
done_rt=$(cat "$work"/mp*.out | wc -l)
echo "processes 8 per_process $MP_N completed $done_rt failed_processes $failed wall_us $(( ${t1/./} - ${t0/./} ))" > "$out/mp.txt"
tpm_sim_stop

# --- the seal-to legs: server seal-to (no TPM), device import, first unseal after it, unwrap
say "6/7 seal-to legs (bench/seal_to.sh; docs/seal-to.md)"
"$src/bench/seal_to.sh" "$build" "$out" > "$out/seal_to_table.txt"

# --- 7. the table, results.json, latency.png ------------------------------------------------------
say "7/7 report"
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/env.txt"
python3 "$src/bench/report.py" "$out" "$src/bench"
echo; cat "$out/seal_to_table.txt"

#!/usr/bin/env bash
# `secprov seal` holds its input only in secret memory (issue 13 item 4).
# The command reads a known secret from a fifo whose writer stays open, so
# it waits in read() holding the secret. Then:
#  1. /proc/PID/mem, which reads every mapping, also those excluded from
#     core dumps: the secret is in process memory (so the search works),
#     and only in mappings with the VmFlag dd (MADV_DONTDUMP).
#  2. a real core dump: gcore (gdb honours dd like the kernel), and the
#     kernel's own (SIGABRT with ulimit -c unlimited, when core_pattern
#     writes a file): each holds a control marker from the process's
#     environment (so the dump is searchable) and not the secret.
# Not under qemu-user (its /proc/PID/mem and core are qemu's): SKIP there.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
# Nor under ASan: its terabytes of shadow mappings are no process memory to
# scan, and it turns core dumps off (the normal build runs it in make check).
if [ "${SECPROV_ARCH:-}" = arm64 ]; then echo "SKIP test_seal_memory: not under qemu-user"; exit 0; fi
if readelf -dW "$B" | grep -q "NEEDED.*libasan"; then echo "SKIP test_seal_memory: ASan build"; exit 0; fi
SCAN="/usr/bin/python3 $SECPROV_SRC/tests/cli/mem_scan.py"
printf 'provider = "legacy";\nlegacy = { state_dir = "%s/state"; hardware = "x"; };\n' "$T" > "$T/c.conf"
export SECPROV_CONFIG=$T/c.conf
secret="SEAL-INPUT-SECRET-$RANDOM$RANDOM$RANDOM$RANDOM"
control="DUMP-CONTROL-MARKER-$RANDOM$RANDOM$RANDOM"
mkdir "$T/cores"; mkfifo "$T/fifo"
( cd "$T/cores"; ulimit -c unlimited; exec env DUMP_CONTROL=$control "$B" seal dumped < "$T/fifo" ) &
pid=$!
exec 3>"$T/fifo"
printf %s "$secret" >&3                 # the writer stays open: seal waits for more
for _ in $(seq 1 100); do
  $SCAN "$pid" "$secret" > "$T/scan" 2>/dev/null && grep -q '^dontdump [1-9]' "$T/scan" && break
  sleep 0.05
done
check "/proc/PID/mem: the secret is in seal's memory, in a MADV_DONTDUMP mapping" grep -q '^dontdump [1-9]' "$T/scan"
check "/proc/PID/mem: in no dumpable mapping" grep -qx 'dumpable 0' "$T/scan"
$SCAN "$pid" "$control" > "$T/scan-control"
check "/proc/PID/mem: control: the environment's marker is in dumpable memory" grep -q '^dumpable [1-9]' "$T/scan-control"
dumps=0
if command -v gcore >/dev/null && gcore -o "$T/gcore" "$pid" >/dev/null 2>&1 && [ -s "$T/gcore.$pid" ]; then
  dumps=$((dumps + 1))
  check "gcore: control marker found" grep -qaF "$control" "$T/gcore.$pid"
  check "gcore: the secret is not in the dump" test "$(grep -caF "$secret" "$T/gcore.$pid" || true)" = 0
else
  echo "SKIP gcore: not available or cannot attach"
fi
kill -ABRT "$pid"; rc=0; wait "$pid" || rc=$?
exec 3>&-
core=$(ls "$T/cores"/core* 2>/dev/null | head -1 || true)
if [ -n "$core" ] && [ -s "$core" ]; then
  dumps=$((dumps + 1))
  check "kernel core dump (exit $rc): control marker found" grep -qaF "$control" "$core"
  check "kernel core dump: the secret is not in the dump" test "$(grep -caF "$secret" "$core" || true)" = 0
else
  echo "SKIP kernel core dump: core_pattern '$(cat /proc/sys/kernel/core_pattern)' writes no file here"
fi
check "at least one core dump was searched ($dumps)" test "$dumps" -ge 1
check "nothing was sealed by the killed seal" test -z "$(ls -A "$T/state" 2>/dev/null | grep -v '^\.' || true)"
check_done

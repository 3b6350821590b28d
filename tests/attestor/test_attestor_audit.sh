#!/usr/bin/env bash
# The attestor's audit log: the hash chain verified and the first bad line
# named (a line removed, a line rewritten), the chain head inside the
# bundle, a torn last line cut off at start and reported, SIGKILL at random
# points (the chain verifies after restart), rotation keeping the chain
# across files, and a write error (a full tmpfs: ENOSPC; read-only: EROFS)
# making the state degraded, never a crash or a torn line.
source "$SECPROV_SRC/tests/tools/test_lib.sh"
source "$SECPROV_SRC/tests/attestor/lib.sh"
at_fixtures
C=$T/c.conf
L=$T/audit/audit.jsonl
at_config "$C"
verify() { rc=0; "$AD" --audit-verify "$@" >"$T/vout" 2>&1 || rc=$?; }
line_hash() { sed -n "${2}p" "$1" | tr -d '\n' | sha256sum | cut -d' ' -f1; }

check "the daemon starts" at_start "$C"
for _ in 1 2 3; do refresh; done
get /api/v1/attest
n=$(grep -n '"event":"attestation"' "$L" | tail -1 | cut -d: -f1)
check "the bundle's audit_head is the hash of its attestation line" test "$(field .bundle.audit_head)" = "$(line_hash "$L" "$n")"
at_stop
verify "$L"; check "a whole log verifies" test $rc = 0
cp "$L" "$T/cut.jsonl"; sed -i 3d "$T/cut.jsonl"; verify "$T/cut.jsonl"
check "a removed line: exit 1, line 3 named" test "$rc $(cat "$T/vout")" = "1 $T/cut.jsonl: line 3: \"prev\" is not the hash of the line before (a line removed or rewritten)"
cp "$L" "$T/rw.jsonl"; sed -i '2s/"reason":"start"/"reason":"other"/' "$T/rw.jsonl"; verify "$T/rw.jsonl"
check "a rewritten line: the next line named" grep -q "line 3: \"prev\" is not the hash" "$T/vout"
cp "$L" "$T/sp.jsonl"; sed -i '2s/,"reason"/, "reason"/' "$T/sp.jsonl"; verify "$T/sp.jsonl"
check "a line not in canonical form is named" grep -q "line 2: not in canonical form" "$T/vout"
cp "$L" "$T/torn.jsonl"; printf '{"event":"attesta' >> "$T/torn.jsonl"; verify "$T/torn.jsonl"
n=$(wc -l < "$L")
check "audit-verify names a torn last line" test "$rc $(cat "$T/vout")" = "1 $T/torn.jsonl: line $((n + 1)): torn (no end of line: 17 bytes)"

# --- a torn last line at start: cut off, reported, the chain goes on ---
printf '{"event":"attesta' >> "$L"
check "restart over a torn line" at_start "$C"
check "the torn line is reported on stderr" grep -q "line $((n + 1)): torn (no end of line: 17 bytes): cut off, the chain goes on from the last good line" "$T/daemon.err"
check "... and in the log" test "$(sed -n "$((n + 1))p" "$L" | jq -r .event)" = torn_line_recovered
at_stop
verify "$L"; check "the chain verifies after recovery" test $rc = 0

# --- SIGKILL at random points ---
at_start "$C"
for i in 1 2 3 4 5; do
  ( for _ in $(seq 20); do refresh; done ) & rp=$!
  sleep "0.0$((RANDOM % 9 + 1))"
  kill -KILL "$AT_PID"; wait "$AT_PID" 2>/dev/null || true; wait $rp 2>/dev/null || true
  at_start "$C" || fail "restart $i after SIGKILL"
done
at_stop
verify "$L"; check "SIGKILL x5 during refreshes: the chain verifies" test $rc = 0
check "... and no torn line was ever left (fdatasync per line)" test "$(grep -c torn_line "$L")" = 1

# --- rotation keeps the chain ---
rm -f "$L" "$L.1"
at_config "$C" 'audit_max_bytes = 4096;'
at_start "$C"
for _ in $(seq 25); do refresh; done
at_stop
check "rotated: $L.1 exists" test -s "$L.1"
check "... each file within the bound" test "$(stat -c %s "$L")" -le 4096 -a "$(stat -c %s "$L.1")" -le 4096
verify "$L.1"; check "the older file verifies" test $rc = 0
verify "$L" "$(line_hash "$L.1" "$(wc -l < "$L.1")")"
check "the new file verifies from the older file's last line" test $rc = 0
verify "$L" "$(line_hash "$L.1" 1)"
check "... and not from another line" test $rc = 1

# --- write errors: ENOSPC and EROFS ---
if [ "$(id -u)" != 0 ]; then echo "SKIP write errors: needs root (tmpfs)"; check_done; exit; fi
m=$T/fs; mkdir -p "$m"
if ! mount -t tmpfs -o size=64k tmpfs "$m"; then echo "SKIP write errors: cannot mount a tmpfs"; check_done; exit; fi
on_exit "umount -l '$m'"
at_config "$C" "audit_log = \"$m/audit.jsonl\";"
sed -i "0,/audit_log = \"$(printf '%s' "$T" | sed 's/[\/&]/\\&/g')\/audit\/audit.jsonl\";/s///" "$C"
check "start with the log on a small tmpfs" at_start "$C"
dd if=/dev/zero of="$m/filler" bs=1k 2>/dev/null || true
for _ in $(seq 40); do refresh; [ "$(field .state)" = degraded ] && break; done
check "ENOSPC: the refresh answers, degraded" test "$code $(field .state)" = "200 degraded"
check "... naming the audit log and the error" test "$(field '.failures[-1].why')" = "audit log $m/audit.jsonl: write: No space left on device"
get /health; check "... the daemon lives (/health 200)" test "$code" = 200
rm "$m/filler"; refresh
check "space again: attested" test "$(field .state)" = attested
at_stop
check "SIGTERM after a write error: exit 0" test "$AT_RC" = 0
verify "$m/audit.jsonl"; check "the log has no gap or torn line: it verifies" test $rc = 0
mount -o remount,ro "$m"
check "start with the log on a read-only mount" at_start "$C"
get /api/v1/verify; check "read-only: degraded (503)" test "$code $(field .state)" = "503 degraded"
get /api/v1/attest
check "... naming the log and EROFS" test "$(jq -r '.bundle.failures[0].why' "$T/body")" = "audit log $m/audit.jsonl: Read-only file system"
at_stop
mount -o remount,rw "$m"
check_done

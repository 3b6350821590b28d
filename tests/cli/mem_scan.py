#!/usr/bin/python3
"""mem_scan.py PID MARKER: where MARKER is in the memory of PID.

Reads every readable mapping through /proc/PID/mem (which also reads
mappings excluded from core dumps) and prints two counts: "dontdump N"
(mappings with the VmFlag dd, MADV_DONTDUMP, holding MARKER) and
"dumpable N" (all other mappings holding it)."""
import re
import sys

pid, marker = sys.argv[1], sys.argv[2].encode()
CHUNK = 1 << 20
dontdump = dumpable = 0
cur = None
with open(f"/proc/{pid}/smaps") as smaps, open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
    for line in smaps:
        m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
        if m:
            cur = (int(m[1], 16), int(m[2], 16), m[3])
            continue
        if not line.startswith("VmFlags:") or cur is None or "r" not in cur[2]:
            continue
        found = False
        try:
            mem.seek(cur[0])
            tail = b""
            for _ in range((cur[1] - cur[0] + CHUNK - 1) // CHUNK):
                data = tail + mem.read(CHUNK)
                if marker in data:
                    found = True
                    break
                tail = data[-len(marker):]
        except (OSError, OverflowError, ValueError):
            pass
        if found:
            if "dd" in line.split()[1:]:
                dontdump += 1
            else:
                dumpable += 1
print(f"dontdump {dontdump}")
print(f"dumpable {dumpable}")

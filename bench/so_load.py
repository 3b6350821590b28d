#!/usr/bin/env python3
"""dlopen() of tpm.so in fresh processes: `so_load.py N TPM_SO...` prints, per
module, "so_load PATH median_us=.. min_us=.. libs=.." where libs is the number
of shared objects mapped by the process after the dlopen minus before it (what
loading the module brought in), and the time is that of the dlopen alone
(RTLD_NOW | RTLD_LOCAL, as core/loader.c loads a provider)."""
from __future__ import annotations

import statistics
import subprocess
import sys

CHILD = r"""
import ctypes, os, sys, time
def libs():
    with open("/proc/self/maps") as f:
        return {l.split()[5] for l in f if len(l.split()) > 5 and ".so" in l.split()[5]}
before = libs()
t0 = time.perf_counter_ns()
ctypes.CDLL(sys.argv[1], mode=os.RTLD_NOW | os.RTLD_LOCAL)
t1 = time.perf_counter_ns()
print((t1 - t0) // 1000, len(libs() - before) - 1)
"""


def main() -> int:
    n = int(sys.argv[1])
    for so in sys.argv[2:]:
        us, libs = [], 0
        for _ in range(n):
            out = subprocess.run([sys.executable, "-c", CHILD, so], check=True,
                                 capture_output=True, text=True).stdout.split()
            us.append(int(out[0]))
            libs = int(out[1])
        print("so_load %s median_us=%d min_us=%d libs=%d" %
              (so, statistics.median(us), min(us), libs))
    return 0


if __name__ == "__main__":
    sys.exit(main())

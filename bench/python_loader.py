#!/usr/bin/env python3
"""The loader's start-up through the Python package, as a leg of `make bench`
(bench/run.sh runs it as `python_loader.py N` with SECPROV_CONFIG and
SECPROV_BUILD set, after `bench/loader seal 10` sealed loader-0 .. loader-9):
N times each, a whole Python process that imports secprov, opens it, unseals
1 (or 10) of those secrets, checks them and exits, timed from start to exit.
Prints "LEG MICROSECONDS" lines (legs python-loader1, python-loader10), which
bench/report.py reports beside the C loader's legs."""
from __future__ import annotations

import os
import subprocess
import sys
import time

CHILD = r"""
import sys, secprov
n = int(sys.argv[1])
with secprov.open() as sp:
    for i in range(n):
        with sp.unseal("loader-%d" % i) as s:
            assert bytes(s) == b"secret-%d-0123456789abcdef" % i
"""


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    build = os.environ.get("SECPROV_BUILD", "build")
    src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=os.environ.get("BENCH_PYTHONPATH",
                                                os.path.join(src, "python")),
               SECPROV_LIBRARY=os.path.join(build, "lib", "libsecprov.so.0"))
    for _ in range(n):
        for leg, k in (("python-loader1", 1), ("python-loader10", 10)):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", CHILD, str(k)], env=env, check=True)
            print("%s %d" % (leg, (time.perf_counter() - t0) * 1e6), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Python call overhead over the C API, and legacy cipher throughput.

    make all build/bench/rt_api build/tests/tools/ptytpm
    /usr/bin/python3 bench/python_overhead.py [--build build] [--n 300] [--mib 256]

1. A 32-byte seal+unseal round-trip on legacy and on tpm (swtpm behind a
   pseudo-terminal): the C API (bench/rt_api, one process, one handle) and
   the package (Provider.seal + Provider.unseal), medians of N; the
   overhead per round-trip (2 calls) and per call.
2. The binding's own cost per call, without the provider: a ctypes call
   of secprov_name_check against the package's name_check().
3. encrypt_to/decrypt_to on MIB MiB (buffer to buffer) and the streaming
   encrypt_file/decrypt_file, against `secprov legacy encrypt|decrypt`
   (file to file), in MiB/s.
Prints a table; asserts nothing. Figures in docs/python.md.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1]


def med(xs):
    return statistics.median(xs)


def c_roundtrip(build: Path, conf: Path, n: int) -> list:
    env = dict(os.environ, SECPROV_CONFIG=str(conf), RT_NAME="cbench")
    out = subprocess.run([str(build / "bench/rt_api"), str(n), "32"], env=env, check=True,
                         capture_output=True, text=True).stdout
    return [float(x) for x in out.split()]


def py_roundtrip(conf: Path, n: int) -> list:
    import secprov
    data = bytearray(os.urandom(32))
    out = []
    with secprov.open(config=conf) as sp:
        for i in range(n):
            data[0] = i & 0xFF
            t = time.perf_counter()
            sp.seal("pybench", data)
            s = sp.unseal("pybench")
            dt = time.perf_counter() - t
            s.wipe()
            out.append(dt * 1e6)
    return out


def throughput(build: Path, mib: int, tmp: Path) -> list:
    import secprov.legacy as lg
    key = lg.get_resource_encryption_key()
    data = os.urandom(1 << 20) * mib
    rows = []
    t = time.perf_counter()
    ct = lg.encrypt_to(data, key)
    rows.append(("encrypt_to (bytes -> bytes)", mib / (time.perf_counter() - t)))
    t = time.perf_counter()
    pt = lg.decrypt_to(ct, key)
    rows.append(("decrypt_to (bytes -> bytes)", mib / (time.perf_counter() - t)))
    assert pt == data
    del ct, pt
    src = tmp / "plain"
    src.write_bytes(data)
    del data
    t = time.perf_counter()
    lg.encrypt_file(key, src, tmp / "enc")
    rows.append(("encrypt_file (file -> file)", mib / (time.perf_counter() - t)))
    t = time.perf_counter()
    lg.decrypt_file(key, tmp / "enc", tmp / "dec")
    rows.append(("decrypt_file (file -> file)", mib / (time.perf_counter() - t)))
    (tmp / "key").write_text(key + "\n")
    cmd = str(build / "bin/secprov")
    t = time.perf_counter()
    subprocess.run([cmd, "legacy", "encrypt", "--key-file", str(tmp / "key"), str(src),
                    str(tmp / "enc2")], check=True)
    rows.append(("C: secprov legacy encrypt (file -> file)", mib / (time.perf_counter() - t)))
    t = time.perf_counter()
    subprocess.run([cmd, "legacy", "decrypt", "--key-file", str(tmp / "key"), str(tmp / "enc2"),
                    str(tmp / "dec2")], check=True)
    rows.append(("C: secprov legacy decrypt (file -> file)", mib / (time.perf_counter() - t)))
    for f in ("plain", "enc", "dec", "enc2", "dec2"):
        (tmp / f).unlink()
    return rows


def binding_per_call(n: int = 200000) -> tuple:
    import secprov
    raw = secprov._lib.lib.secprov_name_check
    t = time.perf_counter()
    for _ in range(n):
        raw(b"bench-name")
    t_raw = (time.perf_counter() - t) / n * 1e6
    t = time.perf_counter()
    for _ in range(n):
        secprov.name_check("bench-name")
    t_pkg = (time.perf_counter() - t) / n * 1e6
    return t_raw, t_pkg


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=str(SRC / "build"))
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--mib", type=int, default=256)
    a = ap.parse_args()
    build = Path(a.build).resolve()
    os.environ.setdefault("SECPROV_LIBRARY", str(build / "lib/libsecprov.so.0"))
    sys.path.insert(0, str(SRC / "python"))
    sys.path.insert(0, str(SRC / "tests/python"))
    os.environ["SECPROV_BUILD"] = str(build)
    from conftest import PtyTpm, write_config   # the tests' pty swtpm and config writer

    with tempfile.TemporaryDirectory(prefix="secprov-pybench.") as td:
        tmp = Path(td)
        print("secprov Python overhead (python %s, %s)" % (sys.version.split()[0], os.uname().machine))
        print("%-8s %8s %12s %12s %12s %10s" % ("provider", "n", "C us/rt", "Python us/rt",
                                                "+us per call", "overhead"))
        tpm = PtyTpm(tmp / "tpm")
        tpm.start()
        try:
            for where in ("legacy", "tpm"):
                (tmp / ("conf-" + where)).mkdir()
                conf = (write_config(tmp / ("conf-" + where) / "c.conf") if where == "legacy"
                        else tpm.config(tmp / ("conf-" + where) / "c.conf"))
                n = a.n if where == "legacy" else max(20, a.n // 5)
                c = med(c_roundtrip(build, conf, n))
                p = med(py_roundtrip(conf, n))
                print("%-8s %8d %12.1f %12.1f %12.1f %9.1f%%"
                      % (where, n, c, p, (p - c) / 2, (p - c) / c * 100))
        finally:
            tpm.stop()
        raw, pkg = binding_per_call()
        print("\nper call, no provider work: ctypes call %.2f us, package call %.2f us" % (raw, pkg))
        print("\nlegacy cipher, %d MiB:" % a.mib)
        for what, mbs in throughput(build, a.mib, tmp):
            print("  %-44s %8.0f MiB/s" % (what, mbs))
    return 0


if __name__ == "__main__":
    sys.exit(main())

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
import shutil
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


def interleaved(conf: Path, n: int) -> tuple:
    """Per iteration, one round-trip through raw ctypes calls (the C API plus
    ctypes' own call cost) and one through the package, interleaved so that
    load and fsync noise hit both alike. Medians in us."""
    import secprov
    lib = secprov._lib.lib
    data = os.urandom(32)
    raw, pkg = [], []
    with secprov.open(config=conf) as sp:
        h = sp._h
        for i in range(n):
            ptr, ln = ctypes.c_void_p(), ctypes.c_size_t()
            t = time.perf_counter()
            lib.secprov_seal(h, b"rawbench", data, 32)
            lib.secprov_unseal(h, b"rawbench", ctypes.byref(ptr), ctypes.byref(ln))
            raw.append((time.perf_counter() - t) * 1e6)
            lib.secprov_free(ptr, ln)
            t = time.perf_counter()
            sp.seal("pkgbench", data)
            s = sp.unseal("pkgbench")
            pkg.append((time.perf_counter() - t) * 1e6)
            s.wipe()
    return med(raw), med(pkg)


def unseal_only(conf: Path, n: int) -> tuple:
    """Unseal (+ free/wipe) of an existing 32-byte secret and locate(), raw
    ctypes vs package, interleaved: calls with no fsync, so the binding's
    cost is not lost in the disk's noise. Medians in us."""
    import secprov
    lib = secprov._lib.lib
    out = {"unseal_raw": [], "unseal_pkg": [], "locate_raw": [], "locate_pkg": []}
    buf = ctypes.create_string_buffer(4096)
    with secprov.open(config=conf) as sp:
        h = sp._h
        sp.seal("u", os.urandom(32))
        for _ in range(n):
            p, ln = ctypes.c_void_p(), ctypes.c_size_t()
            t = time.perf_counter()
            lib.secprov_unseal(h, b"u", ctypes.byref(p), ctypes.byref(ln))
            lib.secprov_free(p, ln)
            out["unseal_raw"].append(time.perf_counter() - t)
            t = time.perf_counter()
            sp.unseal("u").wipe()
            out["unseal_pkg"].append(time.perf_counter() - t)
            t = time.perf_counter()
            lib.secprov_locate(h, b"u", buf, 4096)
            out["locate_raw"].append(time.perf_counter() - t)
            t = time.perf_counter()
            sp.locate("u")
            out["locate_pkg"].append(time.perf_counter() - t)
    return {k: med(v) * 1e6 for k, v in out.items()}


def best_of(k: int, fn) -> float:
    ts = []
    for _ in range(k):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return min(ts)


def throughput(build: Path, mib: int, tmp: Path) -> list:
    import secprov.legacy as lg
    key = lg.get_resource_encryption_key()
    data = os.urandom(1 << 20) * mib
    rows = []
    ct = lg.encrypt_to(data, key)
    rows.append(("encrypt_to (bytes -> bytes)", mib / best_of(3, lambda: lg.encrypt_to(data, key))))
    rows.append(("decrypt_to (bytes -> bytes)", mib / best_of(3, lambda: lg.decrypt_to(ct, key))))
    assert lg.decrypt_to(ct, key) == data
    del ct
    src = tmp / "plain"
    src.write_bytes(data)
    del data
    rows.append(("encrypt_file (file -> file)",
                 mib / best_of(3, lambda: lg.encrypt_file(key, src, tmp / "enc"))))
    rows.append(("decrypt_file (file -> file)",
                 mib / best_of(3, lambda: lg.decrypt_file(key, tmp / "enc", tmp / "dec"))))
    (tmp / "key").write_text(key + "\n")
    cmd = str(build / "bin/secprov")
    rows.append(("C: secprov legacy encrypt (file -> file)", mib / best_of(3, lambda: subprocess.run(
        [cmd, "legacy", "encrypt", "--key-file", str(tmp / "key"), str(src), str(tmp / "enc2")],
        check=True))))
    rows.append(("C: secprov legacy decrypt (file -> file)", mib / best_of(3, lambda: subprocess.run(
        [cmd, "legacy", "decrypt", "--key-file", str(tmp / "key"), str(tmp / "enc2"),
         str(tmp / "dec2")], check=True))))
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
        print("%-12s %6s %12s %12s %12s %10s" % ("provider", "n", "C us/rt", "Python us/rt",
                                                "+us per call", "overhead"))
        rows = []
        tpm = PtyTpm(tmp / "tpm")
        tpm.start()
        try:
            shm = Path(tempfile.mkdtemp(prefix="secprov-pybench.", dir="/dev/shm"))
            for where in ("legacy", "legacy-tmpfs", "tpm"):
                if where == "legacy-tmpfs":     # state on tmpfs: fsync is free, no disk noise
                    conf = write_config(shm / "c.conf")
                elif where == "legacy":
                    (tmp / "conf-legacy").mkdir()
                    conf = write_config(tmp / "conf-legacy" / "c.conf")
                else:
                    (tmp / "conf-tpm").mkdir()
                    conf = tpm.config(tmp / "conf-tpm" / "c.conf")
                n = a.n if where != "tpm" else max(20, a.n // 5)
                cs, ps = [], []
                for _ in range(3):                  # alternate, so load drifts hit both
                    cs += c_roundtrip(build, conf, n // 3)
                    ps += py_roundtrip(conf, n // 3)
                c, p = med(cs), med(ps)
                print("%-12s %6d %12.1f %12.1f %12.1f %9.1f%%"
                      % (where, len(cs), c, p, (p - c) / 2, (p - c) / c * 100))
                rows.append((where, n) + interleaved(conf, n))
                if where == "legacy-tmpfs":
                    uo = unseal_only(conf, 3000)
        finally:
            tpm.stop()
            shutil.rmtree(shm, ignore_errors=True)
        print("\nthe same, in one process, interleaved per iteration (raw ctypes calls vs the package):")
        print("%-12s %6s %14s %14s %14s %10s" % ("provider", "n", "ctypes us/rt", "package us/rt",
                                                "+us per call", "overhead"))
        for where, n, r, p in rows:
            print("%-12s %6d %14.1f %14.1f %14.1f %9.2f%%" % (where, n, r, p, (p - r) / 2,
                                                             (p - r) / r * 100))
        print("\nlegacy on tmpfs, unseal only (3000 each, interleaved): unseal+free %.1f us raw, %.1f us package "
              "(+%.1f us); locate %.1f us raw, %.1f us package (+%.1f us)"
              % (uo["unseal_raw"], uo["unseal_pkg"], uo["unseal_pkg"] - uo["unseal_raw"],
                 uo["locate_raw"], uo["locate_pkg"], uo["locate_pkg"] - uo["locate_raw"]))
        raw, pkg = binding_per_call()
        print("\nper call, no provider work (name_check): ctypes call %.2f us, package call %.2f us"
                % (raw, pkg))
        print("\nlegacy cipher, %d MiB:" % a.mib)
        for what, mbs in throughput(build, a.mib, tmp):
            print("  %-44s %8.0f MiB/s" % (what, mbs))
    return 0


if __name__ == "__main__":
    sys.exit(main())

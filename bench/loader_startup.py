#!/usr/bin/env python3
"""The leg "loader start-up" of `make bench` (issue 24): a fresh Python
process that imports its TPM library, opens it and unseals 32 bytes, timed
from start to exit, alternating in one run between
  secprov  `import secprov`, secprov.open(), unseal (tpm provider,
           SECPROV_CONFIG on TPM A), and
  pytss    the original design on Debian's python3-tpm2-pytss: FAPI
           (TSS2_FAPICONF on TPM B, the stock P_ECCP256SHA256 profile),
           FAPI.unseal of an object made by FAPI.create_seal under /HS/SRK,
           no PCR policy,
on twin TPMs (two private swtpm behind pseudo-terminal devices: bench/run.sh
makes them). Usage:
  loader_startup.py setup FAPI_DIR TCTI_B   FAPI config, provision, create_seal
  loader_startup.py run N FAPI_DIR           prints "LEG MICROSECONDS" lines
  loader_startup.py once LEG FAPI_DIR        one process of LEG (for counting)
SECPROV_CONFIG (with a secret "loader-32" sealed) and SECPROV_BUILD are set
by the caller; BENCH_PYTHONPATH, when set, is the folder of a byte-compiled
copy of the package (bench/run.sh makes it), else python/ is used."""
from __future__ import annotations

import os
import subprocess
import sys
import time

PY = "/usr/bin/python3"          # Debian's, where python3-tpm2-pytss is
SECRET = bytes(range(32))

SECPROV_CHILD = r"""
import secprov
with secprov.open() as sp:
    with sp.unseal("loader-32") as s:
        assert len(bytes(s)) == 32
"""
PYTSS_CHILD = r"""
from tpm2_pytss import FAPI
with FAPI() as f:
    assert len(f.unseal("/HS/SRK/loader-32")) == 32
"""


def fapi_env(fapi_dir: str) -> dict:
    return dict(os.environ, TSS2_FAPICONF=os.path.join(fapi_dir, "fapi-config.json"),
                TSS2_LOG="all+none")


def secprov_env() -> dict:
    build = os.environ.get("SECPROV_BUILD", "build")
    src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return dict(os.environ, PYTHONPATH=os.environ.get("BENCH_PYTHONPATH",
                                                    os.path.join(src, "python")),
                SECPROV_LIBRARY=os.path.join(build, "lib", "libsecprov.so.0"))


def setup(fapi_dir: str, tcti: str) -> None:
    for sub in ("user", "system", "log"):
        os.makedirs(os.path.join(fapi_dir, sub), exist_ok=True)
    with open(os.path.join(fapi_dir, "fapi-config.json"), "w") as f:
        f.write('{"profile_name": "P_ECCP256SHA256",'
                ' "profile_dir": "/etc/tpm2-tss/fapi-profiles/",'
                ' "user_dir": "%s/user", "system_dir": "%s/system", "tcti": "%s",'
                ' "system_pcrs": [], "log_dir": "%s/log", "ek_cert_less": "yes"}\n'
                % (fapi_dir, fapi_dir, tcti, fapi_dir))
    code = ("from tpm2_pytss import FAPI\nwith FAPI() as f:\n    f.provision()\n"
            "    f.create_seal('/HS/SRK/loader-32', data=bytes(range(32)))\n")
    subprocess.run([PY, "-c", code], env=fapi_env(fapi_dir), check=True)


def once(leg: str, fapi_dir: str) -> int:
    if leg == "secprov":
        cmd, env = [PY, "-c", SECPROV_CHILD], secprov_env()
    else:
        cmd, env = [PY, "-c", PYTSS_CHILD], fapi_env(fapi_dir)
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True)
    return int((time.perf_counter() - t0) * 1e6)


def main() -> int:
    what = sys.argv[1]
    if what == "setup":
        setup(sys.argv[2], sys.argv[3])
    elif what == "once":
        once(sys.argv[2], sys.argv[3])
    else:
        n, fapi_dir = int(sys.argv[2]), sys.argv[3]
        for leg in ("secprov", "pytss"):             # warm-up, not reported
            once(leg, fapi_dir)
        for _ in range(n):
            for leg in ("secprov", "pytss"):
                print("startup-%s %d" % (leg, once(leg, fapi_dir)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

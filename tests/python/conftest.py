"""pytest fixtures for the secprov package, run from the source tree:
tests/python/run_pytest.sh (make check) sets SECPROV_LIBRARY to the build's
libsecprov.so.0 and puts python/ first on sys.path; run by hand:

    SECPROV_BUILD=$PWD/build /usr/bin/python3 -m pytest tests/python
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("SECPROV_BUILD", SRC / "build")).resolve()
os.environ.setdefault("SECPROV_LIBRARY", str(BUILD / "lib" / "libsecprov.so.0"))
sys.path.insert(0, str(SRC / "python"))
# No config or selection from the caller's environment leaks into a test.
for var in ("SECPROV_CONFIG", "SECURITY_PROVIDER", "SECPROV_LOG_LEVEL", "SECPROV_PROVIDER_DIR"):
    os.environ.pop(var, None)

HARDWARE = "CPU: test. GPU: none. Memory: 1. DriveSerial: x"


def write_config(path: Path, *, provider: str | None = None, devices=None, tcti=None,
                 extra: str = "") -> Path:
    base = path.parent
    lines = []
    if provider:
        lines.append('provider = "%s";' % provider)
    devs = ", ".join('"%s"' % d for d in (devices if devices is not None else [base / "no-tpm"]))
    tpm = 'tpm = { devices = [%s]; state_dir = "%s"; ' % (devs, base / "tpm-state")
    if tcti:
        tpm += 'tcti = "%s"; ' % tcti
    lines.append(tpm + "};")
    lines.append('legacy = { state_dir = "%s"; hardware = "%s"; };' % (base / "legacy-state", HARDWARE))
    lines.append(extra)
    path.write_text("\n".join(lines) + "\n")
    return path


def seal_unseal_in_threads(sp, prefix: str, rounds: int, each_round=None, threads: int = 8) -> list:
    """THREADS threads on the one handle SP, thread i ROUNDS times sealing a
    random value as PREFIX<i>, unsealing it and comparing (then each_round(i)
    if given); the exceptions they raised, [] if none."""
    errs = []

    def work(i):
        try:
            for _ in range(rounds):
                v = os.urandom(32)
                sp.seal("%s%d" % (prefix, i), v)
                with sp.unseal("%s%d" % (prefix, i)) as s:
                    assert bytes(s) == v
                if each_round is not None:
                    each_round(i)
        except Exception as e:  # noqa: BLE001
            errs.append(e)
    ts = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return errs


@pytest.fixture
def legacy_conf(tmp_path: Path) -> Path:
    """A config on which auto selects legacy (no TPM device)."""
    return write_config(tmp_path / "secprov.conf")


class PtyTpm:
    """swtpm behind a pseudo-terminal (tests/tools/ptytpm): a real character
    device, as /dev/tpmrm0 is on the Jetson."""

    def __init__(self, d: Path) -> None:
        self.dir = d
        self.link = d / "tpm0"
        self.proc: subprocess.Popen | None = None
        self.swtpm_pid = 0

    def start(self) -> None:
        state = self.dir / "state"
        state.mkdir(parents=True, exist_ok=True)
        pidfile = self.dir / "swtpm.pid"
        pidfile.unlink(missing_ok=True)
        self.proc = subprocess.Popen([str(BUILD / "tests/tools/ptytpm"), str(self.link),
                                      str(state), str(pidfile)])
        for _ in range(200):
            if pidfile.exists() and pidfile.read_text().strip() and self.link.exists():
                break
            time.sleep(0.05)
        self.swtpm_pid = int(pidfile.read_text())
        env = dict(os.environ, TSS2_LOG="all+none")
        for _ in range(100):
            if subprocess.run(["tpm2_getrandom", "-T", "device:%s" % self.link, "4"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("ptytpm: swtpm did not come up")

    def wedge(self) -> None:
        os.kill(self.swtpm_pid, signal.SIGSTOP)

    def unwedge(self) -> None:
        os.kill(self.swtpm_pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            os.kill(self.swtpm_pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for _ in range(50):             # ptytpm stops its swtpm; make sure
            try:
                os.kill(self.swtpm_pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            os.kill(self.swtpm_pid, signal.SIGKILL)
        self.proc = None

    def config(self, path: Path, provider: str | None = None) -> Path:
        return write_config(path, provider=provider, devices=[self.link],
                            tcti="device:%s" % self.link)


@pytest.fixture
def pty_tpm(tmp_path: Path):
    t = PtyTpm(tmp_path / "tpm")
    t.start()
    try:
        yield t
    finally:
        t.stop()


@pytest.fixture(scope="module")
def module_tpm(tmp_path_factory):
    t = PtyTpm(tmp_path_factory.mktemp("tpm"))
    t.start()
    try:
        yield t
    finally:
        t.stop()

"""Finding and checking the C library at import."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import SRC

FAKE = r'''
const char *secprov_version(void) { return "%s"; }
'''


def _import(env_lib: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, SECPROV_LIBRARY=env_lib, PYTHONPATH=str(SRC / "python"))
    return subprocess.run([sys.executable, "-c", "import secprov; print(secprov.library_version)"],
                          env=env, capture_output=True, text=True)


@pytest.mark.parametrize("version,ok", [("1.0.0", False), ("0.0.9", False), ("0.1.0", True)])
def test_version_check(tmp_path, version, ok):
    (tmp_path / "fake.c").write_text(FAKE % version)
    so = tmp_path / "libfake.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(so), str(tmp_path / "fake.c")], check=True)
    r = _import(str(so))
    assert r.returncode != 0
    if ok:   # right version, but not the real library: every missing function is named
        assert "lacks secprov_strerror" in r.stderr
    else:
        assert "is version %s; this package needs 0.x with x >= 1" % version in r.stderr


def test_missing_library_named(tmp_path):
    r = _import(str(tmp_path / "nothere.so.0"))
    assert r.returncode != 0 and "nothere.so.0" in r.stderr and "SECPROV_LIBRARY" in r.stderr


def test_loaded_library_is_the_build(monkeypatch):
    import secprov
    assert secprov.library_path == os.environ["SECPROV_LIBRARY"]
    assert secprov.library_version.split(".")[:2] == ["0", "1"]

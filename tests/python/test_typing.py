"""The package's type hints hold under mypy --strict (Debian's mypy), for the
oldest Python the package supports: the package, the example loader, and a
loader's usual code; a str secret is a type error."""
from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import SRC

GOOD = '''
import secprov
from secprov import aio

def f() -> None:
    with secprov.get_security_provider() as sp:
        sp.seal("a", b"v")
        if sp.fell_back:
            print(sp.fallback_reason)
        if "a" in sp and sp.exists("a"):
            s = sp.get("a")
            if s is not None:
                with s:
                    bytes(s)
        sp.close()
    with secprov.open(config={"provider": "legacy"}) as p:
        p.seal("b", bytearray(b"x"))
        d: bytes | secprov.Secret = p.get("b", b"")
        try:
            p.unseal("c")
        except secprov.NotFoundError as e:
            print(e.status_name)

async def g() -> None:
    async with await aio.open() as sp:
        await sp.seal("a", memoryview(b"v"))
        with await sp.unseal("a") as s:
            s.view()
'''

BAD = '''
import secprov
with secprov.open() as sp:
    sp.seal("a", "text")
'''


def _mypy(*args: str, cwd=None):
    if subprocess.run([sys.executable, "-m", "mypy", "--version"], capture_output=True).returncode:
        pytest.fail("mypy is not installed for %s (Debian's mypy; scripts/deps.sh check)"
                    % sys.executable)
    return subprocess.run([sys.executable, "-m", "mypy", "--python-version", "3.10", "--strict",
                           "--cache-dir=/dev/null", *args], cwd=cwd or SRC / "python",
                          capture_output=True, text=True)


def test_mypy_strict_package_and_example():
    r = _mypy("secprov", str(SRC / "examples" / "loader.py"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert (SRC / "python" / "secprov" / "py.typed").exists()


def test_mypy_strict_accepts_a_loaders_code(tmp_path):
    (tmp_path / "good.py").write_text(GOOD)
    r = _mypy(str(tmp_path / "good.py"))
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_rejects_a_str_secret(tmp_path):
    (tmp_path / "bad.py").write_text(BAD)
    r = _mypy(str(tmp_path / "bad.py"))
    assert r.returncode == 1
    assert 'bad.py:4: error: Argument 2 to "seal" of "Provider" has incompatible type "str"' \
        in r.stdout, r.stdout

"""The package's type hints are complete: mypy --strict (Debian's mypy),
for the oldest Python the package supports."""
from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import SRC


def test_mypy_strict():
    if subprocess.run([sys.executable, "-m", "mypy", "--version"], capture_output=True).returncode:
        pytest.fail("mypy is not installed for %s (Debian's mypy; scripts/deps.sh check)" % sys.executable)
    r = subprocess.run([sys.executable, "-m", "mypy", "--python-version", "3.10", "--strict",
                        "--cache-dir=/dev/null", "secprov"], cwd=SRC / "python",
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (SRC / "python" / "secprov" / "py.typed").exists()

"""`pip install ./python` offline: the in-tree build backend needs nothing
downloaded (pip's isolated build env gets no requirements); the wheel
records the SECPROV_LIBRARY it was built with."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import SRC


def test_pip_install_offline(tmp_path, legacy_conf):
    if subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True).returncode:
        pytest.fail("pip is not installed for %s (python3-pip)" % sys.executable)
    target = tmp_path / "site"
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-index", "--no-cache-dir",
                        "--target", str(target), str(SRC / "python")],
                       env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (target / "secprov" / "py.typed").exists()
    assert (target / "secprov-0.1.0.dist-info" / "RECORD").exists()
    run_env = {k: v for k, v in os.environ.items() if k not in ("SECPROV_LIBRARY", "PYTHONPATH")}
    run_env["PYTHONPATH"] = str(target)
    out = subprocess.run([sys.executable, "-c", "import secprov, sys\n"
                          "with secprov.open(config=sys.argv[1]) as sp: print(secprov.__file__, "
                          "secprov.library_path, sp.name)", str(legacy_conf)],
                         env=run_env, capture_output=True, text=True, cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    f, lib, name = out.stdout.split()
    assert f.startswith(str(target)) and lib == os.environ["SECPROV_LIBRARY"] and name == "legacy"
    assert not list((SRC / "python").glob("*.egg-info")) and not (SRC / "python" / "build").exists()

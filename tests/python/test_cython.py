"""A module compiled with Cython (Debian's cython3, the loader's "Python 3.11
and Cython") imports secprov and round-trips a secret; compiled at test time
into the test's temporary folder."""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import sysconfig
import types

import pytest

PYX = '''
# cython: language_level=3
import secprov
from secprov.legacy import Security

cdef bytes _value(int n):
    return bytes(range(n))

def roundtrip(str config, str name, int n):
    cdef bytes v = _value(n)
    with secprov.open(config=config) as sp:
        sp.seal(name, v)
        with sp.unseal(name) as s:
            got = bytes(s)
            view_ok = s.view() == v
        sp.delete(name)
        return sp.name, got == v and view_ok

def resource_key():
    return Security.get_resource_encryption_key()
'''


def test_cython_module_roundtrips(tmp_path, legacy_conf):
    cython = shutil.which("cython3") or shutil.which("cython")
    if cython is None:
        pytest.fail("cython3 is not installed (scripts/deps.sh check installs it)")
    (tmp_path / "loader_cy.pyx").write_text(PYX)
    subprocess.run([cython, "-3", "loader_cy.pyx", "-o", "loader_cy.c"], cwd=tmp_path, check=True)
    ext = sysconfig.get_config_var("EXT_SUFFIX")
    inc = sysconfig.get_paths()["include"]
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-I", inc, "loader_cy.c", "-o", "loader_cy" + ext],
                   cwd=tmp_path, check=True)
    spec = importlib.util.spec_from_file_location("loader_cy", tmp_path / ("loader_cy" + ext))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.__file__.endswith(ext)
    assert not isinstance(mod.roundtrip, types.FunctionType)     # compiled, not Python code
    assert mod.roundtrip(str(legacy_conf), "cython", 48) == ("legacy", True)
    assert mod.resource_key() == "FIKO2j/w/e6TMjCpko/faQHbTGax37IectZtZSXQ+VcOmmcKD2OKjFAFDAI4iei/"
    sys.modules.pop("loader_cy", None)

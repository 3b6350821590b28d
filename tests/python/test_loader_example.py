"""examples/loader.py (the compose service): provision, then run, on legacy
and on the TPM; the resource comes back byte-exact."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from conftest import SRC

LOADER = str(SRC / "examples" / "loader.py")


def _loader(conf, *args):
    env = dict(os.environ, SECPROV_CONFIG=str(conf), PYTHONPATH=str(SRC / "python"))
    return subprocess.run([sys.executable, LOADER, *args], env=env, capture_output=True, text=True)


@pytest.mark.parametrize("where", ["legacy", "tpm"])
def test_loader_provision_and_run(where, tmp_path, legacy_conf, module_tpm):
    conf = legacy_conf if where == "legacy" else module_tpm.config(tmp_path / "tpm.conf")
    res = tmp_path / "model.bin"
    res.write_bytes(os.urandom(300_000))
    (tmp_path / "pw").write_text("s3cret\n")
    r = _loader(conf, "provision", "--email", "e@x", "--password-file", str(tmp_path / "pw"),
                "--resource", str(res), "--dir", str(tmp_path / "d"))
    assert r.returncode == 0, r.stderr
    assert "secprov: INFO: security provider: %s" % where in r.stderr
    r = _loader(conf, "run", "--dir", str(tmp_path / "d"))
    assert r.returncode == 0, r.stderr
    digest = hashlib.sha256(res.read_bytes()).hexdigest()
    assert r.stdout.strip() == "loader: ok %s %s" % (where, digest)
    assert "credentials unsealed for e@x" in r.stderr and "s3cret" not in r.stderr + r.stdout
    assert (tmp_path / "d" / "resource.out").read_bytes() == res.read_bytes()

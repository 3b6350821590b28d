"""The package against a TPM: swtpm behind a pseudo-terminal (a real
character device, the production device: TCTI)."""
from __future__ import annotations

import logging
import os
import shutil
import threading
import time

import pytest

from conftest import seal_unseal_in_threads

import secprov
from secprov import (LegacySecurityProvider, SecurityProvider, TpmSecurityProvider,
                     get_security_provider)


@pytest.fixture(scope="module")
def tpm_conf(module_tpm, tmp_path_factory):
    return module_tpm.config(tmp_path_factory.mktemp("conf") / "secprov.conf")


def test_auto_selects_tpm_and_roundtrips(tpm_conf):
    with secprov.open(config=tpm_conf) as sp:
        assert sp.name == "tpm" and sp.is_tpm and not sp.fell_back
        info = sp.info()
        assert info["provider"] == "tpm" and info["fallback"] == "no"
        assert info["fapi_config"] and info["tcti"].startswith("device:")
        small, big = os.urandom(32), os.urandom(3000)          # 3000: the envelope path
        sp.seal("py-small", small)
        sp.seal("py-big", bytearray(big))
        with sp.unseal("py-small") as s:
            assert bytes(s) == small
        with sp.unseal("py-big") as s:
            assert s.view() == big
        assert {"py-small", "py-big"} <= set(sp.list())
        assert sp.locate("py-small").startswith("fapi:")
        sp.delete("py-small")
        with pytest.raises(secprov.NotFoundError):
            sp.unseal("py-small")


def test_security_provider_shape(tpm_conf, legacy_conf, caplog):
    caplog.set_level(logging.INFO, logger="secprov")
    with get_security_provider(config=tpm_conf) as p:
        assert isinstance(p, TpmSecurityProvider) and isinstance(p, SecurityProvider)
        assert p.name == "tpm" and p.is_tpm
        p.seal("shape", b"v1")
        assert bytes(p.unseal("shape")) == b"v1" and "shape" in p.list()
        p.delete("shape")
    assert "security provider: tpm" in caplog.text
    with get_security_provider(config=legacy_conf) as p:
        assert isinstance(p, LegacySecurityProvider) and not p.is_tpm
    assert "security provider: legacy" in caplog.text
    with TpmSecurityProvider(config=tpm_conf) as p:
        assert p.name == "tpm"
    with LegacySecurityProvider(config=tpm_conf) as p:     # asked for: legacy, whatever the device
        assert p.name == "legacy"
    with pytest.raises(secprov.UnavailableError):
        TpmSecurityProvider(config=legacy_conf)              # asked for, no TPM: an error
    with pytest.raises(TypeError):
        SecurityProvider()                                   # type: ignore[abstract]


def test_eight_threads_share_one_tpm_provider(tpm_conf):
    with secprov.open(config=tpm_conf) as sp:
        assert seal_unseal_in_threads(sp, "th", 3) == []
        assert {"th%d" % i for i in range(8)} <= set(sp.list())


def test_wedged_tpm_timeout_then_recovers(pty_tpm, tmp_path, caplog):
    conf = pty_tpm.config(tmp_path / "c.conf")
    with secprov.open(config=conf) as sp:
        sp.seal("w", b"value")
        pty_tpm.wedge()
        try:
            # While the call waits for the TPM, the GIL is free: another
            # Python thread keeps running.
            ticks, stop = [0], threading.Event()

            def count():
                while not stop.is_set():
                    ticks[0] += 1
                    time.sleep(0.01)
            counter = threading.Thread(target=count)
            counter.start()
            t0 = time.monotonic()
            try:
                with pytest.raises(secprov.SecprovTimeoutError) as e:
                    sp.unseal("w")
            finally:
                stop.set()
                counter.join()
            assert isinstance(e.value, TimeoutError)
            assert time.monotonic() - t0 < 15
            assert ticks[0] > 50, ticks        # ~100 per second while the call waits
            # auto on a device that does not answer: one warning, legacy
            caplog.clear()
            caplog.set_level(logging.WARNING, logger="secprov")
            (tmp_path / "fb").mkdir()
            conf2 = pty_tpm.config(tmp_path / "fb" / "c.conf")
            with secprov.open(config=conf2) as fb:
                assert fb.name == "legacy" and fb.fell_back and fb.fallback_reason
            warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
            assert len(warnings) == 1 and "falling back to legacy" in warnings[0].getMessage()
        finally:
            pty_tpm.unwedge()
            time.sleep(0.5)     # swtpm answers what it was sent while stopped (as test_faults.sh)
        assert bytes(sp.unseal("w")) == b"value"           # the same handle, again


def test_close_waits_for_a_call_in_progress(pty_tpm, tmp_path):
    """close() from one thread while another is inside a (wedged) TPM call:
    it returns only after that call did, which fails cleanly (no use of a
    closed handle)."""
    conf = pty_tpm.config(tmp_path / "c.conf")
    sp = secprov.open(config=conf)
    sp.seal("c", b"value")
    pty_tpm.wedge()
    done = {}

    def call():
        try:
            sp.unseal("c")
        except secprov.SecprovError as e:
            done["error"] = type(e)
        done["t"] = time.monotonic()
    t = threading.Thread(target=call)
    try:
        t.start()
        time.sleep(0.3)
        sp.close()
        closed_at = time.monotonic()
    finally:
        pty_tpm.unwedge()
        t.join()
    assert done["error"] is secprov.SecprovTimeoutError
    assert closed_at >= done["t"]
    assert sp.closed


def test_cleared_tpm_keystore_mismatch(pty_tpm, tmp_path):
    conf = pty_tpm.config(tmp_path / "c.conf")
    with secprov.open("tpm", config=conf) as sp:
        sp.seal("k", b"value")
    pty_tpm.stop()
    shutil.rmtree(pty_tpm.dir / "state")                   # a new, empty TPM
    pty_tpm.start()
    with secprov.open("tpm", config=conf) as sp:
        with pytest.raises(secprov.KeystoreMismatchError, match="does not match|SRK"):
            sp.unseal("k")

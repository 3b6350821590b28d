"""Attestation and gc through the package (docs/attestation.md,
docs/tpm-store.md): Provider.enroll(), Provider.attest() and
secprov.verify_report() against swtpm behind a pseudo-terminal; each
refusal raises VerifyError naming the check; legacy cannot attest."""
from __future__ import annotations

import base64
import copy
import os

import pytest

import secprov


@pytest.fixture(scope="module")
def tpm_conf(module_tpm, tmp_path_factory):
    return module_tpm.config(tmp_path_factory.mktemp("attest") / "secprov.conf")


def test_attest_roundtrip_and_refusals(tpm_conf):
    nonce = os.urandom(32)
    with secprov.open(config=tpm_conf) as sp:
        enrollment = sp.enroll()
        report = sp.attest(nonce)
        again = sp.enroll()
    # the AK is made once; srk.certify is a new TPM2_Certify each time (docs/seal-to.md)
    strip = lambda r: {k: v if k != "srk" else {**v, "certify": None} for k, v in r.items()}
    assert strip(enrollment) == strip(again)
    assert report["nonce"] == nonce.hex()
    secprov.verify_report(report, nonce, enrollment)               # passes: returns None
    with pytest.raises(secprov.VerifyError) as e:
        secprov.verify_report(report, os.urandom(32), enrollment)  # another nonce
    assert e.value.reason in ("nonce", "qualifying_data")
    forged = copy.deepcopy(report)
    sig = bytearray(base64.b64decode(forged["quote"]["signature"]))
    sig[-1] ^= 1
    forged["quote"]["signature"] = base64.b64encode(bytes(sig)).decode()
    with pytest.raises(secprov.VerifyError) as e:
        secprov.verify_report(forged, nonce, enrollment)
    assert e.value.reason == "signature" and e.value.detail
    with pytest.raises(ValueError):                                # VerifyError is a ValueError
        secprov.verify_report("not json", nonce, enrollment)


def test_attest_on_legacy(legacy_conf):
    with secprov.open(config=legacy_conf) as sp:
        with pytest.raises(secprov.UnsupportedError):
            sp.attest(b"n")
        with pytest.raises(secprov.UnavailableError):
            sp.attest(b"n", require_tpm=True)


def test_gc_dry_run_lists_nothing_on_a_clean_store(tpm_conf):
    with secprov.open(config=tpm_conf) as sp:
        sp.seal("gc-a", b"1")
        sp.seal("gc-a", b"2")                  # the superseded object is swept by the seal
        assert sp.gc(dry_run=True) == []
        assert sp.gc() == []
        sp.delete("gc-a")

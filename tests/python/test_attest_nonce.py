"""Nonces are bytes-like or str, never an int (issue 23 item 4): bytes(16)
would be sixteen zero bytes, a constant and replayable nonce. Both the
device call (Provider.attest) and the verifier (verify_report) refuse
anything else with TypeError before anything is quoted or checked."""
from __future__ import annotations

import pytest

import secprov
from secprov._nonce import nonce_bytes


@pytest.mark.parametrize("bad", [16, 0, True, 1.5, None, [1, 2], object()])
def test_nonce_types_refused(bad, legacy_conf):
    with pytest.raises(TypeError):
        nonce_bytes(bad)
    with secprov.open(config=legacy_conf) as sp:
        with pytest.raises(TypeError):
            sp.attest(bad)
    with pytest.raises(TypeError):
        secprov.verify_report("{}", bad, "{}")


def test_nonce_bytes_like_and_str():
    assert nonce_bytes(b"ab") == b"ab"
    assert nonce_bytes(bytearray(b"ab")) == b"ab"
    assert nonce_bytes(memoryview(b"ab")) == b"ab"
    assert nonce_bytes("é") == "é".encode("utf-8")


def test_verify_report_returns_none_or_raises(legacy_conf):
    # docs/attestation.md: None when every check passes, else VerifyError
    # (a ValueError) naming the check; here the enrollment is malformed.
    with pytest.raises(secprov.VerifyError) as e:
        secprov.verify_report("{}", b"n", "{}")
    assert e.value.reason == "malformed_enrollment" and e.value.detail != "ok"

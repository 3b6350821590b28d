"""Credential activation through the package (docs/attestation.md): the
verifier's secprov.make_credential(), the device's
Provider.attest_activate() against swtpm behind a pseudo-terminal (no
resource manager), secprov.verify_enroll() -> the activation record that
check_report(activation=...) requires; a wrong answer raises
NotActivatedError; an enrollment with "ek": null raises NoEkError; a
challenge that is not bytes is TypeError; a malformed one FormatError;
legacy has nothing to activate (UnavailableError)."""
from __future__ import annotations

import json
import os

import pytest

import secprov
from secprov.verify_result import NoEkError, NotActivatedError


@pytest.fixture(scope="module")
def tpm_conf(module_tpm, tmp_path_factory):
    return module_tpm.config(tmp_path_factory.mktemp("activate") / "secprov.conf")


def test_activate_roundtrip_and_refusals(tpm_conf):
    with secprov.open(config=tpm_conf) as sp:
        enrollment = sp.enroll()
        credential, state = secprov.make_credential(enrollment)
        assert credential[:4] == b"\xba\xdc\xc0\xde"               # tpm2-tools' credential file
        answer = sp.attest_activate(credential)
        assert len(answer) == 32
        record = secprov.verify_enroll(enrollment, state, answer)
        assert json.loads(record)["format"] == "secprov-activation"
        with pytest.raises(NotActivatedError):
            secprov.verify_enroll(enrollment, state, os.urandom(32))
        with pytest.raises(TypeError):
            sp.attest_activate("not bytes")                        # type: ignore[arg-type]
        with pytest.raises(secprov.FormatError):
            sp.attest_activate(b"not a credential")
        nonce = os.urandom(16)
        report = sp.attest(nonce)
    assert secprov.check_report(report, nonce, enrollment, activation=record).ok
    other = dict(json.loads(record), ak_name="000b" + "11" * 32)
    result = secprov.check_report(report, nonce, enrollment, activation=other)
    assert result.reason == "not_activated" and result.checks["activation"] == "fail"
    noek = dict(enrollment, ek=None)
    with pytest.raises(NoEkError) as e:
        secprov.make_credential(noek)
    assert "null" in e.value.detail
    secprov.verify_report(report, nonce, enrollment)


def test_activate_on_legacy(legacy_conf):
    with secprov.open(config=legacy_conf) as sp:
        with pytest.raises(secprov.UnavailableError):
            sp.attest_activate(b"\xba\xdc\xc0\xde\x00\x00\x00\x01")

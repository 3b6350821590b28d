"""The verifier's result object and its exceptions (issue 23 item 3):
secprov.check_report() returns the breakdown; verify_report() raises the
reason's VerifyError subclass (the first failure), and a refusal's detail
is never "ok"; against swtpm behind a pseudo-terminal."""
from __future__ import annotations

import copy
import os

import pytest

import secprov
from secprov import verify_result as vr


@pytest.fixture(scope="module")
def attested(module_tpm, tmp_path_factory):
    conf = module_tpm.config(tmp_path_factory.mktemp("verify") / "secprov.conf")
    nonce = os.urandom(16)
    with secprov.open(config=conf) as sp:
        return sp.enroll(), sp.attest(nonce), nonce


def test_breakdown_of_a_genuine_report(attested):
    enrollment, report, nonce = attested
    r = secprov.check_report(report, nonce, enrollment)
    assert r.ok and r.reason == "ok"
    assert r.checks == {"signature": "pass", "ak_binding": "pass", "nonce": "pass",
                        "freshness": "pass", "pcr_drift": "not_checked", "mldsa": r.checks["mldsa"],
                        "activation": "not_checked"}
    r.raise_for_failure()                                      # ok: returns None


def test_first_failure_raised_and_every_group_reported(attested):
    enrollment, report, nonce = attested
    r = secprov.check_report(report, os.urandom(16), enrollment, now=report["expires_at"] + 999)
    assert r.reason == "nonce" and r.checks["nonce"] == "fail"
    assert r.checks["freshness"] == "fail" and r.checks["signature"] == "pass"
    with pytest.raises(vr.NonceError) as e:
        r.raise_for_failure()
    assert isinstance(e.value, secprov.VerifyError) and e.value.checks["freshness"] == "fail"


def test_one_class_per_reason(attested):
    enrollment, report, nonce = attested
    with pytest.raises(vr.ExpiredError):
        secprov.check_report(report, nonce, enrollment,
                             now=report["expires_at"] + 61).raise_for_failure()
    for field, value in (("time", "2001-01-01T00:00:00Z"), ("provider", "legacy")):
        forged = copy.deepcopy(report)
        forged[field] = value
        with pytest.raises(vr.QualifyingDataError):
            secprov.verify_report(forged, nonce, enrollment)
    forged = copy.deepcopy(report)
    forged["pcrs"] = [7]
    if "mldsa" in report:          # the whole-report ML-DSA signature refuses it first
        with pytest.raises(vr.MldsaSignatureError) as e:
            secprov.verify_report(forged, nonce, enrollment)
    else:
        with pytest.raises(vr.MalformedReportError) as e:
            secprov.verify_report(forged, nonce, enrollment)
        assert "pcrs[0]" in e.value.detail
    assert e.value.detail != "ok"
    assert len(set(vr.ERRORS.values())) == len(vr.ERRORS) == 26
    assert all(issubclass(c, secprov.VerifyError) for c in vr.ERRORS.values())

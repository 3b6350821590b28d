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


def test_attest_block_roundtrip_and_tiers(tpm_conf, legacy_conf):
    """The tpm_attestation block through the package: verify_block() accepts
    it for its payload id (with and without the enrollment), refuses another;
    legacy gives {"is_available": False} at standard/high, TpmRequiredError
    (an UnavailableError) at maximum; payload ids are str or bytes only."""
    with secprov.open(config=tpm_conf) as sp:
        enrollment = sp.enroll()
        block = sp.attest_block("req-1")
        assert sp.attest_block(b"req-1")["aik_pubkey_b64"] == block["aik_pubkey_b64"]
        with pytest.raises(TypeError):
            sp.attest_block(16)                    # never bytes(16)
    assert block["is_available"] is True and block["aik_pubkey_b64"] == enrollment["ak"]["public"]
    secprov.verify_block(block, "req-1", enrollment)
    secprov.verify_block(block, b"req-1")
    with pytest.raises(secprov.VerifyError) as e:
        secprov.verify_block(block, "req-2", enrollment)
    assert e.value.reason == "qualifying_data"
    with secprov.open(config=legacy_conf) as sp:
        assert sp.attest_block("req-1") == {"is_available": False}
        assert sp.attest_block("req-1", tier="high") == {"is_available": False}
        with pytest.raises(secprov.TpmRequiredError) as t:
            sp.attest_block("req-1", tier="maximum")
        assert isinstance(t.value, secprov.UnavailableError)
        with pytest.raises(ValueError):
            sp.attest_block("req-1", tier="extreme")


def test_attest_block_tpm2_pytss_client(tpm_conf):
    """The published client's steps, exactly, with Debian's python3-tpm2-pytss."""
    pytss = pytest.importorskip("tpm2_pytss", reason="python3-tpm2-pytss not installed "
                                "(scripts/deps.sh check)")
    import hashlib
    from base64 import b64decode as b64d
    from tpm2_pytss.internal.crypto import public_to_key
    from tpm2_pytss.types import TPM2B_ATTEST, TPM2B_PUBLIC, TPMS_ATTEST, TPMT_SIGNATURE
    payload_id = "req-pytss"
    with secprov.open(config=tpm_conf) as sp:
        block = sp.attest_block(payload_id)
    pub, _ = TPM2B_PUBLIC.unmarshal(b64d(block["aik_pubkey_b64"]))
    quote, _ = TPM2B_ATTEST.unmarshal(b64d(block["quote_b64"]))
    sig, _ = TPMT_SIGNATURE.unmarshal(b64d(block["signature_b64"]))
    raw = bytes(quote)
    sig.verify_signature(public_to_key(pub.publicArea), raw)
    att, _ = TPMS_ATTEST.unmarshal(raw)
    assert att.type == pytss.constants.TPM2_ST.ATTEST_QUOTE
    assert bytes(att.extraData) == hashlib.sha256(payload_id.encode()).digest()[:16]
    bank, idx = block["pcr_banks"].split(":")
    values = block["pcr_values"][bank]
    assert sorted(values, key=int) == idx.split(",")
    digest = hashlib.sha256(b"".join(bytes.fromhex(values[i]) for i in idx.split(","))).digest()
    assert bytes(att.attested.quote.pcrDigest) == digest
    baseline = dict(values)                               # a baseline taken at enrollment
    assert values == baseline

"""The verifier's breakdown and its exceptions (docs/attestation.md,
"Verifying"): ``secprov.check_report()`` returns a VerifyResult; one exception
class per refusal reason, each a subclass of ``secprov.VerifyError``; the
one raised is the first check that failed, in the documented order."""
from __future__ import annotations

import ctypes
from typing import Dict, Optional, Type

from .verify import VerifyError

# enum secprov_verify_check
CHECK_NAMES = {0: "not_checked", 1: "pass", 2: "fail"}
GROUPS = ("signature", "ak_binding", "nonce", "freshness", "pcr_drift", "mldsa", "activation")


class VerifyOptions(ctypes.Structure):
    """struct secprov_verify_options (it only grows; size first)."""
    _fields_ = [("size", ctypes.c_size_t), ("now", ctypes.c_longlong),
                ("max_skew_s", ctypes.c_longlong), ("since", ctypes.c_char_p),
                ("activation", ctypes.c_char_p), ("ek_ca", ctypes.c_char_p)]


class VerifyBreakdown(ctypes.Structure):
    """struct secprov_verify_breakdown (it only grows; size first)."""
    _fields_ = [("size", ctypes.c_size_t)] + [(g, ctypes.c_int) for g in GROUPS]


class BadArgumentError(VerifyError): pass                    # noqa: E701
class MalformedEnrollmentError(VerifyError): pass            # noqa: E701
class MldsaUnsupportedError(VerifyError): pass               # noqa: E701
class AkAttributesError(VerifyError): pass                   # noqa: E701
class MalformedReportError(VerifyError): pass                # noqa: E701
class MalformedPcrsError(VerifyError): pass                  # noqa: E701
class AkMismatchError(VerifyError): pass                     # noqa: E701
class NotAQuoteError(VerifyError): pass                      # noqa: E701
class SignatureError(VerifyError): pass                      # noqa: E701
class NonceError(VerifyError): pass                          # noqa: E701
class QualifyingDataError(VerifyError): pass                 # noqa: E701
class DeviceMismatchError(VerifyError): pass                 # noqa: E701
class FieldMismatchError(VerifyError): pass                  # noqa: E701
class PcrDigestError(VerifyError): pass                      # noqa: E701
class PcrValuesError(VerifyError): pass                      # noqa: E701
class MldsaSignatureError(VerifyError): pass                 # noqa: E701
class VerifyNomemError(VerifyError): pass                    # noqa: E701
class ExpiredError(VerifyError): pass                        # noqa: E701
class NotYetValidError(VerifyError): pass                    # noqa: E701
class RebootedError(VerifyError): pass                       # noqa: E701
class NoEkError(VerifyError): pass                           # noqa: E701
class NotActivatedError(VerifyError): pass                   # noqa: E701
class EkCertificateError(VerifyError): pass                  # noqa: E701
class NoSrkError(VerifyError): pass                          # noqa: E701
class SrkCertifyError(VerifyError): pass                     # noqa: E701
class MalformedBundleError(VerifyError): pass                # noqa: E701

ERRORS: Dict[str, Type[VerifyError]] = {
    "bad_argument": BadArgumentError, "malformed_enrollment": MalformedEnrollmentError,
    "mldsa_unsupported": MldsaUnsupportedError, "ak_attributes": AkAttributesError,
    "malformed_report": MalformedReportError, "malformed_pcrs": MalformedPcrsError,
    "ak_mismatch": AkMismatchError, "not_a_quote": NotAQuoteError, "signature": SignatureError,
    "nonce": NonceError, "qualifying_data": QualifyingDataError,
    "device_mismatch": DeviceMismatchError, "field_mismatch": FieldMismatchError,
    "pcr_digest": PcrDigestError, "pcr_values": PcrValuesError,
    "mldsa_signature": MldsaSignatureError, "nomem": VerifyNomemError,
    "expired": ExpiredError, "not_yet_valid": NotYetValidError, "rebooted": RebootedError,
    "no_ek": NoEkError, "not_activated": NotActivatedError, "ek_certificate": EkCertificateError,
    "no_srk": NoSrkError, "srk_certify": SrkCertifyError, "malformed_bundle": MalformedBundleError,
}


def error_for(result: int, reason: str, detail: str,
              checks: Optional[Dict[str, str]] = None) -> VerifyError:
    """The exception of reason (VerifyError itself for a reason this
    package does not know yet), with ``checks`` the breakdown."""
    err = ERRORS.get(reason, VerifyError)(result, reason, detail)
    err.checks = dict(checks or {})
    return err


class VerifyResult:
    """What secprov.check_report() found: ``ok``, ``reason`` ("ok" or the first
    check that failed), ``result`` (its code), ``detail`` (one line) and
    ``checks`` ({group: "pass" | "fail" | "not_checked"} for signature,
    ak_binding, nonce, freshness, pcr_drift, mldsa, activation)."""

    def __init__(self, result: int, reason: str, detail: str, checks: Dict[str, str]) -> None:
        self.result, self.reason, self.detail, self.checks = result, reason, detail, checks
        self.ok = result == 0

    def raise_for_failure(self) -> None:
        """None when ok, else raise the reason's VerifyError subclass."""
        if not self.ok:
            raise error_for(self.result, self.reason, self.detail, self.checks)

    def __repr__(self) -> str:
        return "<secprov.VerifyResult %s %r>" % (self.reason, self.checks)

"""Offline verification of an attestation report (libsecprov_verify.so.0,
include/secprov_verify.h; docs/attestation.md). Needs no TPM: it runs on the
server that asked for the report.

    enrollment = sp.enroll()                 # once, on the device; pinned by the server
    report = sp.attest(nonce)                # per request, on the device
    secprov.verify_report(report, nonce, enrollment)   # on the server: raises VerifyError
"""
from __future__ import annotations

import ctypes
import json
import os
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple, Union

from . import _ffi
from ._lib import library_path
from ._nonce import nonce_bytes
from .errors import LibraryError

if TYPE_CHECKING:
    from ._nonce import NonceLike

VERIFY_SONAME = "libsecprov_verify.so.0"

JsonLike = Union[str, bytes, Dict[str, Any]]

_verify_lib: Optional[ctypes.CDLL] = None


class VerifyError(ValueError):
    """The report was refused: ``reason`` is the check that failed ("nonce",
    "signature", "pcr_values", ...: docs/attestation.md), ``result`` its code
    (enum secprov_verify_result) and ``detail`` one line saying where."""

    def __init__(self, result: int, reason: str, detail: str) -> None:
        super().__init__("attestation report refused: %s (%s)" % (reason, detail))
        self.result, self.reason, self.detail = result, reason, detail
        self.checks: Dict[str, str] = {}      # the breakdown, when known (check_report)


def _load() -> ctypes.CDLL:
    global _verify_lib
    if _verify_lib is not None:
        return _verify_lib
    here = os.path.dirname(library_path) if os.path.isabs(library_path) else ""
    tries = ([os.path.join(here, VERIFY_SONAME)] if here else []) + [VERIFY_SONAME]
    errors = []
    for path in tries:
        try:
            cdll = ctypes.CDLL(path)
            break
        except OSError as e:
            errors.append("%s: %s" % (path, e))
    else:
        raise LibraryError("secprov: cannot load the verifier library (%s)" % "; ".join(errors))
    for name, (restype, argtypes) in _ffi.VERIFY_PROTOTYPES.items():
        f = getattr(cdll, name)
        f.restype, f.argtypes = restype, argtypes
    _verify_lib = cdll
    return cdll


def _text(value: Optional[JsonLike], what: str) -> Optional[bytes]:
    if value is None:
        return None
    if isinstance(value, dict):
        value = json.dumps(value)
    b = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    if b"\0" in b:
        raise ValueError("secprov: the %s contains a NUL byte" % what)
    return b


def verify_report(report: JsonLike, nonce: NonceLike, enrollment: JsonLike,
                  expected_pcrs: Optional[JsonLike] = None) -> None:
    """Check a report from Provider.attest() against the nonce the server sent,
    the device's pinned enrollment record (Provider.enroll()) and, if given,
    the PCR values the server expects ({"sha256": {"7": "hex", ...}}).
    Returns None when every check passes; raises the VerifyError subclass of
    the first check that failed (secprov.verify_result: e.g. NonceError,
    ExpiredError), whose ``reason`` names it. The nonce: bytes-like or str
    (UTF-8), anything else TypeError."""
    lib = _load()
    n = nonce_bytes(nonce)
    detail = ctypes.create_string_buffer(512)
    rc = lib.secprov_verify_report(_text(report, "report"), n, len(n),
                                   _text(enrollment, "enrollment record"),
                                   _text(expected_pcrs, "expected PCR values"), detail,
                                   ctypes.sizeof(detail))
    if rc != 0:
        from .verify_result import error_for
        reason = (lib.secprov_verify_reason(rc) or b"unknown").decode()
        raise error_for(rc, reason, detail.value.decode("utf-8", "replace"))


def check_report(report: JsonLike, nonce: NonceLike, enrollment: JsonLike,
           expected_pcrs: Optional[JsonLike] = None, *, now: Optional[int] = None,
           max_skew: Optional[int] = None, since: Optional[JsonLike] = None,
           activation: Optional[JsonLike] = None, ek_ca: Optional[str] = None) -> Any:
    """Like verify_report(), but returns a VerifyResult (never raises for a
    refusal: ``result.raise_for_failure()`` does): the first failure and the
    breakdown of every group of checks. ``now`` (Unix seconds, default the
    clock), ``max_skew`` (seconds, default 60), ``since`` (a previous report
    of the same AK: refused as "rebooted" when the TPM reset or restarted),
    ``activation`` (the record verify_enroll() returned: required, else
    "not_activated"), ``ek_ca`` (a PEM file of CAs the EK certificate must
    chain to)."""
    return _checked("secprov_verify_report2", _text(report, "report"), nonce_bytes(nonce),
                    enrollment, expected_pcrs, now, max_skew, since, activation, ek_ca)


def verify_bundle(bundle: JsonLike, enrollment: JsonLike, nonce: Optional[NonceLike] = None,
                  expected_pcrs: Optional[JsonLike] = None, *, now: Optional[int] = None,
                  max_skew: Optional[int] = None, activation: Optional[JsonLike] = None,
                  ek_ca: Optional[str] = None) -> Any:
    """Check a runtime attestor's bundle (docs/attestor.md: the bundle, or the
    whole GET /api/v1/attest answer) offline: its report is signed by the
    enrolled AK, its nonce is the bundle's digest, the PCR values it states are
    the ones quoted. ``nonce``: the verifier's nonce the bundle must carry
    (GET /api/v1/attest?nonce=HEX), or None. Returns a VerifyResult as
    check_report() does (``result.raise_for_failure()`` raises)."""
    n = nonce_bytes(nonce) if nonce is not None else b""
    return _checked("secprov_verify_bundle", _text(bundle, "bundle"), n, enrollment,
                    expected_pcrs, now, max_skew, None, activation, ek_ca)


def _checked(fn: str, doc: Optional[bytes], n: bytes, enrollment: JsonLike,
             expected_pcrs: Optional[JsonLike], now: Optional[int], max_skew: Optional[int],
             since: Optional[JsonLike], activation: Optional[JsonLike],
             ek_ca: Optional[str]) -> Any:
    """secprov_verify_report2 or secprov_verify_bundle (one shape: document,
    nonce (b"": none), enrollment, PCRs, options, breakdown, detail) as a
    VerifyResult."""
    from .verify_result import CHECK_NAMES, GROUPS, VerifyBreakdown, VerifyOptions, VerifyResult
    lib = _load()
    for name, value in (("now", now), ("max_skew", max_skew)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise TypeError("secprov: %s must be a positive int (seconds)" % name)
    opts = VerifyOptions(ctypes.sizeof(VerifyOptions), now or 0, max_skew or 0,
                         _text(since, "--since report"), _text(activation, "activation record"),
                         os.fsencode(ek_ca) if ek_ca is not None else None)
    bd = VerifyBreakdown(ctypes.sizeof(VerifyBreakdown))
    detail = ctypes.create_string_buffer(512)
    rc = getattr(lib, fn)(doc, n or None, len(n), _text(enrollment, "enrollment record"),
                          _text(expected_pcrs, "expected PCR values"), ctypes.byref(opts),
                          ctypes.byref(bd), detail, ctypes.sizeof(detail))
    reason = (lib.secprov_verify_reason(rc) or b"unknown").decode()
    checks = {g: CHECK_NAMES.get(getattr(bd, g), "unknown") for g in GROUPS}
    return VerifyResult(rc, reason, detail.value.decode("utf-8", "replace"), checks)


def verify_block(block: JsonLike, payload_id: Union[str, bytes],
                 enrollment: Optional[JsonLike] = None,
                 expected_pcrs: Optional[JsonLike] = None) -> None:
    """Check a per-response ``tpm_attestation`` block (Provider.attest_block())
    for the payload id the service answered. Without ``enrollment`` it proves
    only that the key inside the block signed it; with the device's pinned
    enrollment record, that the enrolled device did. Returns None; raises
    VerifyError naming the first check that failed."""
    lib = _load()
    if isinstance(payload_id, str):
        pid = payload_id.encode("utf-8")
    elif isinstance(payload_id, (bytes, bytearray, memoryview)):
        pid = bytes(payload_id)
    else:
        raise TypeError("secprov: payload_id must be str or bytes, not %s"
                        % type(payload_id).__name__)
    detail = ctypes.create_string_buffer(512)
    rc = lib.secprov_verify_block(_text(block, "block"), pid, len(pid),
                                  _text(enrollment, "enrollment record"),
                                  _text(expected_pcrs, "expected PCR values"), detail,
                                  ctypes.sizeof(detail))
    if rc != 0:
        _refuse(lib, rc, detail)


def _refuse(lib: ctypes.CDLL, rc: int, detail: Any) -> None:
    from .verify_result import error_for
    reason = (lib.secprov_verify_reason(rc) or b"unknown").decode()
    raise error_for(rc, reason, detail.value.decode("utf-8", "replace"))


def make_credential(enrollment: JsonLike) -> Tuple[bytes, str]:
    """Credential activation, the verifier's half (docs/attestation.md): a
    challenge for the enrolled EK bound to the AK's computed name. Returns
    (credential, state): the credential goes to the device
    (Provider.attest_activate(), `secprov attest activate`); the state (JSON,
    holds the secret) stays with the verifier for verify_enroll(). Raises the
    VerifyError subclass of the refusal (NoEkError for "ek": null)."""
    lib = _load()
    cred, n, state = ctypes.c_void_p(), ctypes.c_size_t(), ctypes.c_void_p()
    detail = ctypes.create_string_buffer(512)
    rc = lib.secprov_verify_make_credential(_text(enrollment, "enrollment record"),
                                            ctypes.byref(cred), ctypes.byref(n),
                                            ctypes.byref(state), detail, ctypes.sizeof(detail))
    if rc != 0:
        _refuse(lib, rc, detail)
    try:
        return ctypes.string_at(cred.value or 0, n.value), ctypes.string_at(state.value or 0).decode()
    finally:
        lib.secprov_verify_free(cred)
        lib.secprov_verify_free(state)


def verify_enroll(enrollment: JsonLike, state: Union[str, bytes], answer: bytes) -> str:
    """The device's answer against the kept state: returns the activation
    record (JSON text) the verifier writes and keeps, and later requires
    (`secprov verify --require-activated RECORD`, VerifyOptions.activation).
    A wrong answer raises NotActivatedError."""
    if not isinstance(answer, (bytes, bytearray, memoryview)):
        raise TypeError("secprov: answer must be bytes, not %s" % type(answer).__name__)
    lib = _load()
    a = bytes(answer)
    rec = ctypes.c_void_p()
    detail = ctypes.create_string_buffer(512)
    rc = lib.secprov_verify_enroll(_text(enrollment, "enrollment record"),
                                   _text(state, "challenge state"), a, len(a), ctypes.byref(rec),
                                   detail, ctypes.sizeof(detail))
    if rc != 0:
        _refuse(lib, rc, detail)
    try:
        return ctypes.string_at(rec.value or 0).decode()
    finally:
        lib.secprov_verify_free(rec)


def seal_to(enrollment: JsonLike, name: str, data: bytes, version: int = 1, *,
            activation: Optional[JsonLike] = None, ek_ca: Optional[str] = None) -> bytes:
    """On a server, no TPM: seal ``data`` (1 byte to 16 MiB) for the secret
    ``name`` at ``version`` to the TPM of the device whose enrollment record
    is given (its SRK, certified by its AK). ``activation`` (the record
    verify_enroll() returned) requires the AK's credential activation first,
    as a server should; ``ek_ca`` a PEM file of CAs the EK certificate must
    chain to. The blob the device imports with Provider.import_blob(name,
    blob) (docs/seal-to.md). Raises VerifyError naming what was wrong (a
    record without srk: re-enroll)."""
    from .verify_result import VerifyOptions
    lib = _load()
    d = bytes(data)
    out, out_len = ctypes.c_void_p(), ctypes.c_size_t()
    detail = ctypes.create_string_buffer(512)
    opts = VerifyOptions(ctypes.sizeof(VerifyOptions), 0, 0, None,
                         _text(activation, "activation record"),
                         os.fsencode(ek_ca) if ek_ca is not None else None)
    rc = lib.secprov_verify_seal_to(_text(enrollment, "enrollment record"), ctypes.byref(opts),
                                    name.encode("utf-8"), version, d, len(d), ctypes.byref(out),
                                    ctypes.byref(out_len), detail, ctypes.sizeof(detail))
    if rc != 0:
        reason = (lib.secprov_verify_reason(rc) or b"unknown").decode()
        raise VerifyError(rc, reason, detail.value.decode("utf-8", "replace"))
    try:
        return ctypes.string_at(out.value or 0, out_len.value)
    finally:
        lib.secprov_verify_free(out)


def has_mldsa() -> bool:
    """Whether this verifier checks ML-DSA-65 signatures (OpenSSL >= 3.5)."""
    return bool(_load().secprov_verify_has_mldsa())

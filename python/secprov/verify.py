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
from typing import Any, Dict, Optional, Union

from . import _ffi
from ._lib import library_path
from .errors import LibraryError

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


def verify_report(report: JsonLike, nonce: bytes, enrollment: JsonLike,
                  expected_pcrs: Optional[JsonLike] = None) -> None:
    """Check a report from Provider.attest() against the nonce the server sent,
    the device's pinned enrollment record (Provider.enroll()) and, if given,
    the PCR values the server expects ({"sha256": {"7": "hex", ...}}).
    Returns None when every check passes; raises VerifyError naming the
    first check that failed."""
    lib = _load()
    n = bytes(nonce)
    detail = ctypes.create_string_buffer(512)
    rc = lib.secprov_verify_report(_text(report, "report"), n, len(n),
                                   _text(enrollment, "enrollment record"),
                                   _text(expected_pcrs, "expected PCR values"), detail,
                                   ctypes.sizeof(detail))
    if rc != 0:
        reason = (lib.secprov_verify_reason(rc) or b"unknown").decode()
        raise VerifyError(rc, reason, detail.value.decode("utf-8", "replace"))


def seal_to(enrollment: JsonLike, name: str, data: bytes, version: int = 1) -> bytes:
    """On a server, no TPM: seal ``data`` (1 byte to 16 MiB) for the secret
    ``name`` at ``version`` to the TPM of the device whose enrollment record
    is given (its SRK, certified by its AK). The blob the device imports
    with Provider.import_blob(name, blob) (docs/seal-to.md). Raises
    VerifyError naming what was wrong (a record without srk: re-enroll)."""
    lib = _load()
    d = bytes(data)
    out, out_len = ctypes.c_void_p(), ctypes.c_size_t()
    detail = ctypes.create_string_buffer(512)
    rc = lib.secprov_verify_seal_to(_text(enrollment, "enrollment record"), name.encode("utf-8"),
                                    version, d, len(d), ctypes.byref(out), ctypes.byref(out_len),
                                    detail, ctypes.sizeof(detail))
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

"""secprov.open() and Provider: an open secprov handle."""
from __future__ import annotations

import contextlib
import ctypes
import json
import os
import threading
from typing import Any, Dict, List, Optional, Tuple, TypeVar, Union

from . import _ffi
from ._lib import lib, make_options
from ._nonce import NonceLike, nonce_bytes
from .errors import InvalidNameError, SecprovError, TpmRequiredError, UnavailableError
from .secret import Secret

__all__ = ["open", "Provider", "BytesLike", "PathLike"]

BytesLike = Union[bytes, bytearray, memoryview, Secret, Any]  # any buffer-protocol object
PathLike = Union[str, "os.PathLike[str]", bytes]

_LOCATE_MAX = 4096


def _name_arg(name: str) -> bytes:
    if not isinstance(name, str):
        raise TypeError("secprov: a secret name is a str, not %s" % type(name).__name__)
    b = name.encode("utf-8", "surrogateescape")
    if b"\0" in b or not b:
        # The C side would see a shorter (or empty) name: refuse it here.
        raise InvalidNameError(_ffi.STATUS_CODES["SECPROV_ERR_NAME"],
                               "%r is not 1..%d of [A-Za-z0-9_-]"
                               % (name, _ffi.NAME_MAX), "secret name")
    return b


class _Data:
    """A C pointer and length for a bytes-like argument: no copy for bytes,
    a Secret or a writable contiguous buffer; any other (read-only or not
    contiguous) is copied once into a bytearray zeroed in done()."""

    def __init__(self, data: BytesLike) -> None:
        self._tmp: Optional[bytearray] = None
        self._keep: Any = data
        if isinstance(data, bytes):
            self.ptr: Any = ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p)
            self.len = len(data)
            return
        if isinstance(data, Secret):
            mv = data.view()            # holds the memory while we use it
            self._keep = mv
            self.len = len(mv)
            self.ptr = ctypes.addressof(mv.obj) if self.len else None  # type: ignore[arg-type]
            return
        mv = memoryview(data)
        self.len = mv.nbytes
        if self.len == 0:
            self.ptr = None
            return
        if not (mv.c_contiguous and not mv.readonly):
            self._tmp = bytearray(mv)
            mv = memoryview(self._tmp)
        arr = (ctypes.c_char * self.len).from_buffer(mv.cast("B"))
        self._keep = (data, arr)
        self.ptr = ctypes.addressof(arr)

    def done(self) -> None:
        self._keep = None
        if self._tmp is not None:
            t = self._tmp
            self._tmp = None
            t[:] = bytes(len(t))        # zero the copy in place


_C = TypeVar("_C", bound="_Closing")


class _Closing:
    """A handle released by close() (idempotent): also at the end of a
    ``with`` block, and when collected."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self: _C) -> _C:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()


class Provider(_Closing):
    """An open secprov handle (``secprov.open()``). Thread-safe: share one
    between threads; close() waits for calls in progress."""

    def __init__(self, handle: ctypes.c_void_p) -> None:
        self._h: Optional[ctypes.c_void_p] = handle
        self._cv = threading.Condition(threading.Lock())
        self._calls = 0
        self.name: str = lib.secprov_provider_name(handle).decode()
        self.fell_back: bool = bool(lib.secprov_fell_back(handle))
        r = lib.secprov_fallback_reason(handle)
        self.fallback_reason: Optional[str] = r.decode("utf-8", "replace") if r else None

    # -- the handle, guarded against a concurrent close -----------------------
    def _enter(self) -> ctypes.c_void_p:
        with self._cv:
            if self._h is None:
                raise ValueError("secprov: the provider is closed")
            self._calls += 1
            return self._h

    def _leave(self) -> None:
        with self._cv:
            self._calls -= 1
            if self._calls == 0:
                self._cv.notify_all()

    @property
    def is_tpm(self) -> bool:
        return self.name == "tpm"

    @property
    def closed(self) -> bool:
        return self._h is None

    def info(self) -> Dict[str, str]:
        """The handle described (provider, fallback, reason, then the provider's keys)."""
        out: Dict[str, str] = {}

        def emit(k: bytes, v: bytes, _u: Any) -> None:
            out[k.decode("utf-8", "replace")] = (v or b"").decode("utf-8", "replace")

        cb = _ffi.INFO_FN(emit)
        h = self._enter()
        try:
            lib.secprov_info(h, cb, None)
        finally:
            self._leave()
        return out

    def seal(self, name: str, data: BytesLike) -> None:
        """Seal ``data`` (any bytes-like object, or a Secret) under ``name``;
        replaces an existing secret of that name atomically."""
        n = _name_arg(name)
        d = _Data(data)
        h = self._enter()
        try:
            lib.secprov_seal(h, n, d.ptr, d.len)
        except SecprovError as e:
            e.set_operation("seal %r" % name)
            raise
        finally:
            self._leave()
            d.done()

    def unseal(self, name: str) -> Secret:
        """The secret ``name`` as a Secret (NotFoundError, a KeyError, if absent)."""
        n = _name_arg(name)
        ptr, length = ctypes.c_void_p(), ctypes.c_size_t()
        h = self._enter()
        try:
            lib.secprov_unseal(h, n, ctypes.byref(ptr), ctypes.byref(length))
        except SecprovError as e:
            e.set_operation("unseal %r" % name)
            raise
        finally:
            self._leave()
        return Secret(ptr.value or 0, length.value)

    def import_blob(self, name: str, blob: bytes) -> None:
        """Store a seal-to blob (secprov.verify.seal_to on a server) as the
        secret ``name``: TPM2_Import under the SRK, then an ordinary sealed
        secret (docs/seal-to.md)."""
        n = _name_arg(name)
        b = bytes(blob)
        h = self._enter()
        try:
            lib.secprov_import(h, n, b, len(b))
        except SecprovError as e:
            e.set_operation("import %r" % name)
            raise
        finally:
            self._leave()

    def unwrap(self, blob: bytes) -> Secret:
        """The secret of a seal-to blob, storing nothing."""
        b = bytes(blob)
        ptr, length = ctypes.c_void_p(), ctypes.c_size_t()
        h = self._enter()
        try:
            lib.secprov_unwrap(h, b, len(b), ctypes.byref(ptr), ctypes.byref(length))
        except SecprovError as e:
            e.set_operation("unwrap")
            raise
        finally:
            self._leave()
        return Secret(ptr.value or 0, length.value)

    def delete(self, name: str) -> None:
        n = _name_arg(name)
        h = self._enter()
        try:
            lib.secprov_delete(h, n)
        except SecprovError as e:
            e.set_operation("delete %r" % name)
            raise
        finally:
            self._leave()

    def list(self) -> List[str]:
        """Names of all secrets, sorted."""
        names = ctypes.POINTER(ctypes.c_char_p)()
        count = ctypes.c_size_t()
        h = self._enter()
        try:
            lib.secprov_list(h, ctypes.byref(names), ctypes.byref(count))
        finally:
            self._leave()
        try:
            return [names[i].decode("utf-8", "replace") for i in range(count.value)]
        finally:
            lib.secprov_list_free(names, count.value)

    def locate(self, name: str) -> str:
        """Where ``name`` is kept: "fapi:<FAPI path>" (tpm) or "file:<path>" (legacy)."""
        n = _name_arg(name)
        buf = ctypes.create_string_buffer(_LOCATE_MAX)
        h = self._enter()
        try:
            lib.secprov_locate(h, n, buf, _LOCATE_MAX)
        except SecprovError as e:
            e.set_operation("locate %r" % name)
            raise
        finally:
            self._leave()
        return buf.value.decode("utf-8", "surrogateescape")

    def gc(self, dry_run: bool = False) -> List[Tuple[str, str, str]]:
        """The store's leftover objects (docs/tpm-store.md) as (name, location,
        reason), removed unless ``dry_run``."""
        out: List[Tuple[str, str, str]] = []

        def emit(name: bytes, where: bytes, why: bytes, _u: Any) -> None:
            def text(x: Optional[bytes]) -> str:
                return (x or b"").decode("utf-8", "replace")
            out.append((text(name), text(where), text(why)))

        cb = _ffi.GC_FN(emit)
        h = self._enter()
        try:
            lib.secprov_gc(h, 1 if dry_run else 0, cb, None)
        finally:
            self._leave()
        return out

    def _attest_json(self, call: Any, *args: Any) -> Dict[str, Any]:
        out = ctypes.c_void_p()
        h = self._enter()
        try:
            call(h, *args, ctypes.byref(out))
        finally:
            self._leave()
        try:
            value: Dict[str, Any] = json.loads(ctypes.string_at(out.value or 0).decode("utf-8"))
            return value
        finally:
            lib.secprov_attest_free(out)

    def attest(self, nonce: NonceLike, require_tpm: bool = False) -> Dict[str, Any]:
        """A TPM quote bound to ``nonce`` (1 to 64 bytes; bytes-like, or str as
        UTF-8, anything else TypeError) as the JSON report
        (docs/attestation.md), for secprov.verify_report() on the server.
        Without a TPM: UnsupportedError, or UnavailableError with require_tpm."""
        n = nonce_bytes(nonce)
        return self._attest_json(lib.secprov_attest, n, len(n),
                                 _ffi.DEFINES["SECPROV_ATTEST_REQUIRE_TPM"] if require_tpm else 0)

    def attest_block(self, payload_id: Union[str, bytes], tier: str = "standard",
                     require_tpm: bool = False, ephemeral_aik: bool = False) -> Dict[str, Any]:
        """The per-response ``tpm_attestation`` block for ``payload_id`` (str,
        UTF-8 encoded, or bytes; 1 to 4096 bytes): a quote whose qualifying
        data is SHA-256(payload_id)[:16] (docs/attestation.md). Without a TPM:
        ``{"is_available": False}`` at tier "standard" or "high";
        TpmRequiredError (an UnavailableError: HTTP 503) at tier "maximum"
        or with require_tpm. ephemeral_aik: a fresh AIK certified by the
        attestation key quotes (the block carries the certification)."""
        if isinstance(payload_id, str):
            pid = payload_id.encode("utf-8")
        elif isinstance(payload_id, (bytes, bytearray, memoryview)):
            pid = bytes(payload_id)
        else:
            raise TypeError("secprov: payload_id must be str or bytes, not %s"
                            % type(payload_id).__name__)
        if tier not in ("standard", "high", "maximum"):
            raise ValueError("secprov: tier must be 'standard', 'high' or 'maximum'")
        flags = (_ffi.DEFINES["SECPROV_ATTEST_REQUIRE_TPM"]
                 if require_tpm or tier == "maximum" else 0)
        eph = _ffi.DEFINES["SECPROV_ATTEST_EPHEMERAL_AIK"] if ephemeral_aik else 0
        try:
            return self._attest_json(lib.secprov_attest_block, pid, len(pid), flags | eph)
        except UnavailableError as e:
            if not flags:
                raise
            raise TpmRequiredError(e.status, e.message, e.operation) from e

    def attest_activate(self, challenge: bytes) -> bytes:
        """Credential activation, the device's half (docs/attestation.md):
        open the challenge a verifier made with
        secprov_verify_make_credential() (bytes, 1 to 4096: tpm2-tools'
        credential file) with TPM2_ActivateCredential (the EK and the
        attestation key); returns the answer for the verifier's
        secprov_verify_enroll(). A challenge for another TPM or key:
        TpmError; malformed: FormatError; no EK: NotFoundError."""
        if not isinstance(challenge, (bytes, bytearray, memoryview)):
            raise TypeError("secprov: challenge must be bytes, not %s" % type(challenge).__name__)
        c = bytes(challenge)
        answer = ctypes.create_string_buffer(_ffi.DEFINES["SECPROV_ATTEST_ANSWER_MAX"])
        n = ctypes.c_size_t()
        h = self._enter()
        try:
            lib.secprov_attest_activate(h, c, len(c), answer, len(answer), ctypes.byref(n))
        finally:
            self._leave()
        out = answer.raw[:n.value]
        ctypes.memset(answer, 0, len(answer))
        return out

    def enroll(self, require_tpm: bool = False) -> Dict[str, Any]:
        """The enrollment record a verifier pins (the attestation key, the EK,
        the device's identity)."""
        return self._attest_json(lib.secprov_attest_enroll,
                                 _ffi.DEFINES["SECPROV_ATTEST_REQUIRE_TPM"] if require_tpm else 0)

    def close(self) -> None:
        """Close the handle (idempotent); waits for calls in progress."""
        with self._cv:
            h, self._h = self._h, None
            while self._calls:
                self._cv.wait()
        if h is not None:
            lib.secprov_close(h)

    def __repr__(self) -> str:
        state = "closed" if self._h is None else self.name
        fb = " (fell back: %s)" % self.fallback_reason if self.fell_back else ""
        return "<secprov.Provider %s%s>" % (state, fb)


def open(provider: Optional[str] = None, config: Optional[PathLike] = None,
         provider_dir: Optional[PathLike] = None,
         log_level: Union[None, str, int] = None) -> Provider:
    """Open secprov: ``provider`` "auto" | "tpm" | "legacy" (None: the
    environment, then the config file decide), ``config`` a libconfig file
    (None: $SECPROV_CONFIG, then /etc/secprov/secprov.conf), ``provider_dir``
    the folder of tpm.so/legacy.so, ``log_level`` a name ("debug" ...
    "none") or a logging level (None: $SECPROV_LOG_LEVEL, then the config).
    secprov's log lines go to the logging logger "secprov"."""
    opts = make_options(provider, config, provider_dir, log_level)
    h = ctypes.c_void_p()
    lib.secprov_open(ctypes.byref(h), ctypes.byref(opts))
    return Provider(h)


def name_check(name: str) -> bool:
    """True when ``name`` is a valid secret name."""
    try:
        lib.secprov_name_check(_name_arg(name))
    except InvalidNameError:
        return False
    return True


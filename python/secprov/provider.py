"""secprov.open() and Provider: an open secprov handle."""
from __future__ import annotations

import ctypes
import math
import os
import threading
import weakref
from collections.abc import Mapping

from . import _ffi
from ._lib import fs_arg, lib, make_options
from ._nonce import nonce_bytes
from .errors import (InvalidArgumentError, InvalidNameError, NotFoundError, SecprovError,
                     TpmRequiredError, UnavailableError)
from .secret import Secret

__all__ = ["open", "Provider", "BytesLike", "PathLike", "ConfigLike", "name_check",
           "render_config"]

# A loader opens secprov once per process, so what this module imports is
# start-up time (docs/python.md#open-imports): typing, re, json,
# contextlib and logging are not imported on the way to open() and unseal()
# (tests/python/test_import.py). Type checkers see the typing names below;
# at run time the three public aliases are built on first use (__getattr__).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple, TypeAlias, TypeVar, Union, overload

    from _typeshed import ReadableBuffer

    from ._nonce import NonceLike
    # Any object with the buffer protocol (bytes, bytearray, memoryview,
    # array, mmap, ...) or a Secret; a str is not one (mypy: arg-type error).
    BytesLike: TypeAlias = Union[ReadableBuffer, Secret]
    PathLike: TypeAlias = Union[str, "os.PathLike[str]", bytes]
    # secprov.open(config=...): a path (str, bytes, os.PathLike), libconfig
    # text (a str that holds a setting: "=", ":", ";", "{" or a newline), or
    # a mapping rendered to libconfig text.
    ConfigLike: TypeAlias = Union[str, "os.PathLike[str]", bytes, Mapping[str, Any]]
    _T = TypeVar("_T")
    _C = TypeVar("_C", bound="_Closing")
    # The options a handle was opened with, as secprov.open() takes them
    # again: (provider, config path, config text, provider_dir, log_level).
    # Never a log_fn.
    _Reopen = Tuple[Optional[str], Optional[bytes], Optional[str], Optional[bytes],
                    Union[None, str, int]]
else:
    def overload(f):                # typing.overload's registry is for type checkers
        return f

    def __getattr__(name):
        if name not in ("BytesLike", "PathLike", "ConfigLike"):
            raise AttributeError("module %r has no attribute %r" % (__name__, name))
        from typing import Any, Union
        aliases = {   # at run time: documentation
            "BytesLike": Union[bytes, bytearray, memoryview, Secret],
            "PathLike": Union[str, "os.PathLike[str]", bytes],
            "ConfigLike": Union[str, "os.PathLike[str]", bytes, Mapping[str, Any]],
        }
        globals().update(aliases)
        return aliases[name]

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

    def __init__(self, data: BytesLike, what: str = "data") -> None:
        self._tmp: Optional[bytearray] = None
        self._keep: Any = data
        if isinstance(data, str):
            raise TypeError("secprov: %s must be bytes-like (bytes, bytearray, memoryview, a "
                            "Secret), not str: encode text first (value.encode())" % what)
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
        try:
            mv = memoryview(data)
        except TypeError:
            raise TypeError("secprov: %s must be bytes-like (bytes, bytearray, memoryview, a "
                            "Secret), not %s" % (what, type(data).__name__)) from None
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
        try:
            self.close()
        except Exception:
            pass


# Every open Provider, for the fork handler below.
_providers: "weakref.WeakSet[Provider]" = weakref.WeakSet()


def _after_fork_in_child() -> None:
    # A thread of the parent may have been inside a call (holding _cv, or
    # counted in _calls) when another forked: that thread does not exist in
    # the child, so its lock and count are reset. The C handle itself makes
    # its own TPM connection, lock and session on its first call in the child.
    for p in list(_providers):
        p._cv = threading.Condition(threading.Lock())
        p._calls = 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _reopen(provider: Optional[str], config: Optional[bytes], config_text: Optional[str],
            provider_dir: Optional[bytes], log_level: Union[None, str, int]) -> "Provider":
    """Unpickling a Provider (a spawn pool's worker): open it again here."""
    return _open_options((provider, config, config_text, provider_dir, log_level))


class Provider(_Closing):
    """An open secprov handle (``secprov.open()``). Thread-safe: share one
    between threads; close() waits for calls in progress. A forked child may
    use the handle it inherited (it gets its own TPM connection, lock and
    session); pickled (a spawn pool), it opens again with the same options."""

    def __init__(self, handle: ctypes.c_void_p, options: Optional[_Reopen] = None) -> None:
        self._h: Optional[ctypes.c_void_p] = handle
        self._cv = threading.Condition(threading.Lock())
        self._calls = 0
        self._options = options
        _providers.add(self)
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
        d = _Data(data, "the secret")
        if d.len == 0:
            d.done()
            raise InvalidArgumentError(
                _ffi.STATUS_CODES["SECPROV_ERR_INVALID_ARG"],
                "an empty secret is refused: a secret is 1 byte to 16 MiB, so that an "
                "unsealed value is never mistaken for one that was never set (to remove "
                "the name, delete it)", "seal %r" % name)
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

    @overload
    def get(self, name: str) -> Optional[Secret]: ...

    @overload
    def get(self, name: str, default: _T) -> Union[Secret, _T]: ...

    def get(self, name: str, default: Any = None) -> Any:
        """unseal(name), or ``default`` when there is no secret of that name
        (only NotFoundError maps to the default; every other failure raises)."""
        try:
            return self.unseal(name)
        except NotFoundError:
            return default

    def exists(self, name: str) -> bool:
        """True when a secret ``name`` is stored (no TPM command: the store's
        reference is read, as locate() does; the secret is not unsealed)."""
        try:
            self.locate(name)
        except NotFoundError:
            return False
        return True

    def __contains__(self, name: object) -> bool:
        """``name in sp``: exists(name); False for what is not a valid name."""
        if not isinstance(name, str):
            return False
        try:
            return self.exists(name)
        except InvalidNameError:
            return False

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
        import json                     # here: not a loader's start-up
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

    def __reduce__(self) -> Tuple[Any, _Reopen]:
        """Pickled (a spawn or forkserver pool's argument): the options it was
        opened with, never the handle nor a log_fn; unpickled, it opens again."""
        if self._options is None:
            raise TypeError("secprov: this Provider was not made by secprov.open() and cannot "
                            "be pickled: open one per process (secprov.open() in the worker)")
        return (_reopen, self._options)

    def __repr__(self) -> str:
        state = "closed" if self._h is None else self.name
        fb = " (fell back: %s)" % self.fallback_reason if self.fell_back else ""
        return "<secprov.Provider %s%s>" % (state, fb)


_KEY_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_KEY_REST = _KEY_FIRST | frozenset("-0123456789_")


def _is_key(k: object) -> bool:
    """A libconfig setting name: [A-Za-z][-A-Za-z0-9_]* (ASCII only)."""
    return (isinstance(k, str) and k != "" and k[0] in _KEY_FIRST
            and all(c in _KEY_REST for c in k[1:]))


_STR_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t",
                "\f": "\\f"}


def _render_value(v: Any, where: str, indent: str) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        if not -(1 << 63) <= v < (1 << 63):
            raise ValueError("secprov: config %s: %d does not fit in 64 bits" % (where, v))
        return "%d%s" % (v, "" if -(1 << 31) <= v < (1 << 31) else "L")
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError("secprov: config %s: %r is not a libconfig number" % (where, v))
        r = repr(v)
        return r if any(c in r for c in ".eE") else r + ".0"
    if isinstance(v, os.PathLike):
        v = os.fspath(v)
    if isinstance(v, str):
        if "\0" in v:
            raise ValueError("secprov: config %s contains a NUL character" % where)
        out = []
        for c in v:
            if c in _STR_ESCAPES:
                out.append(_STR_ESCAPES[c])
            elif ord(c) < 0x20 or ord(c) == 0x7f:
                out.append("\\x%02x" % ord(c))
            else:
                out.append(c)
        return '"%s"' % "".join(out)
    if isinstance(v, Mapping):
        return "{\n%s%s}" % (_render_settings(v, where + ".", indent + "  "), indent)
    if isinstance(v, (list, tuple)):
        items = [_render_value(x, "%s[%d]" % (where, i), indent + "  ") for i, x in enumerate(v)]
        scalar = all(isinstance(x, (bool, int, float, str, os.PathLike)) for x in v)
        same = len({type(x) if not isinstance(x, os.PathLike) else str for x in v}) <= 1
        return ("[%s]" if scalar and same else "(%s)") % ", ".join(items)
    raise TypeError("secprov: config %s: a %s has no libconfig form (str, int, float, bool, "
                    "a mapping, a list)" % (where, type(v).__name__))


def _render_settings(m: Mapping[str, Any], prefix: str, indent: str) -> str:
    lines = []
    for k, v in m.items():
        if not _is_key(k):
            raise ValueError("secprov: config key %r: not a libconfig setting name "
                             "([A-Za-z][-A-Za-z0-9_]*)" % (prefix + str(k)))
        lines.append("%s%s = %s;\n" % (indent, k, _render_value(v, prefix + k, indent)))
    return "".join(lines)


def render_config(config: Mapping[str, Any]) -> str:
    """A mapping as libconfig text: groups for mappings, arrays for lists of
    one scalar type (else lists), strings quoted and escaped; what libconfig
    cannot hold (a NUL, inf, a 65-bit int, another type) is an error here."""
    return _render_settings(config, "", "")


def _is_config_text(s: str) -> bool:
    return any(c in s for c in "=:;{\n")


def _config_options(config: Optional[ConfigLike]) -> Tuple[Optional[bytes], Optional[str]]:
    """(config path, config text) for open()'s ``config``."""
    if config is None:
        return None, None
    if isinstance(config, Mapping):
        return None, render_config(config)
    if isinstance(config, str) and _is_config_text(config):
        return None, config
    return fs_arg(config, "config"), None


def _open_options(o: _Reopen) -> Provider:
    provider, config, config_text, provider_dir, log_level = o
    opts = make_options(provider, config, provider_dir, log_level, config_text)
    h = ctypes.c_void_p()
    lib.secprov_open(ctypes.byref(h), ctypes.byref(opts))
    return Provider(h, o)


def open(provider: Optional[str] = None, config: Optional[ConfigLike] = None,
         provider_dir: Optional[PathLike] = None,
         log_level: Union[None, str, int] = None) -> Provider:
    """Open secprov: ``provider`` "auto" | "tpm" | "legacy" (None: the
    environment, then the config decide); ``config`` a libconfig file (a
    path: str, bytes or os.PathLike; None: $SECPROV_CONFIG, then
    /etc/secprov/secprov.conf), or the configuration itself: libconfig
    text (a str holding "=", ":", ";", "{" or a newline; a path never needs
    them, else pass a pathlib.Path) or a mapping rendered to it
    (render_config); ``provider_dir`` the folder of tpm.so/legacy.so;
    ``log_level`` a name ("debug" ... "none") or a logging level (None:
    $SECPROV_LOG_LEVEL, then the config).
    secprov's log lines go to the logging logger "secprov"."""
    path, text = _config_options(config)
    if provider is not None and not isinstance(provider, str):
        raise TypeError("secprov: provider must be a str, not %s" % type(provider).__name__)
    return _open_options((provider, path, text, fs_arg(provider_dir, "provider_dir"),
                          log_level))


def name_check(name: str) -> bool:
    """True when ``name`` is a valid secret name."""
    try:
        lib.secprov_name_check(_name_arg(name))
    except InvalidNameError:
        return False
    return True


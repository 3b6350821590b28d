"""The legacy scheme, with the old loader security module's names and
signatures: change the import, nothing else.

    from secprov.legacy import Security, Credentials, HardwareService, decrypt_archive

Byte for byte the scheme of docs/legacy-scheme.md (every public vector of
tests/legacy/vectors/legacy-public.json passes through this module:
tests/python/test_legacy.py). The work is done in C (libsecprov's
secprov_legacy_*, the legacy provider's scheme); Python only moves bytes.

Keys are 64-character base64 strings. The old signatures return them as
Python str, which cannot be zeroed: secprov zeroes every C buffer it used,
the str objects are the caller's.
"""
from __future__ import annotations

import contextlib
import ctypes
import io
import os
import shutil
import stat
import tempfile
import threading
from typing import IO, Any, BinaryIO, Dict, Iterator, Optional, Tuple, Union

from . import _ffi
from ._lib import lib, make_options
from .provider import BytesLike, PathLike, _Closing, _Data

__all__ = [
    "Scheme", "Security", "Credentials", "HardwareService",
    "calc_hash", "get_hw_hash", "get_api_encryption_key", "get_resource_encryption_key",
    "encrypt_to", "decrypt_to", "decrypt_archive", "encrypt_file", "decrypt_file",
    "split_big_small", "join_big_small", "fingerprint", "configure",
]

Source = Union[PathLike, BinaryIO, IO[bytes], bytes, bytearray, memoryview]
Sink = Union[PathLike, BinaryIO, IO[bytes]]

_CHUNK = 1 << 20


def _text(s: str, what: str) -> bytes:
    if not isinstance(s, str):
        raise TypeError("secprov.legacy: %s must be a str, not %s" % (what, type(s).__name__))
    b = s.encode("utf-8")
    if b"\0" in b:
        raise ValueError("secprov.legacy: %s contains a NUL character" % what)
    return b


def _key_out(fn: Any, *args: Any) -> str:
    buf = ctypes.create_string_buffer(_ffi.KEY_LEN + 1)
    try:
        fn(*args, buf)
        return buf.value.decode("ascii")
    finally:
        ctypes.memset(buf, 0, len(buf))


def _take(ptr: ctypes.c_void_p, n: ctypes.c_size_t) -> bytes:
    try:
        return ctypes.string_at(ptr.value or 0, n.value) if n.value else b""
    finally:
        lib.secprov_free(ptr, n.value)


def _is_path(x: Any) -> bool:
    return isinstance(x, (str, os.PathLike))


@contextlib.contextmanager
def _in_fd(src: Source, regular: bool = False) -> Iterator[int]:
    """An fd to read ``src`` from: a path, a file object (its fd when it has
    one), or a bytes-like object. regular: the C side needs a regular file
    (anything else is spooled to a temporary file, in bounded chunks)."""
    if _is_path(src):
        pfd = os.open(src, os.O_RDONLY | os.O_CLOEXEC)  # type: ignore[arg-type]
        try:
            if regular and not stat.S_ISREG(os.fstat(pfd).st_mode):
                with os.fdopen(os.dup(pfd), "rb") as f, _in_fd(f, True) as sfd:
                    yield sfd
            else:
                yield pfd
        finally:
            os.close(pfd)
        return
    if isinstance(src, (bytes, bytearray, memoryview)):
        with tempfile.TemporaryFile() as t:
            t.write(src)
            t.flush()
            t.seek(0)
            yield t.fileno()
        return
    fd: Optional[int] = None
    try:
        fd = src.fileno()               # type: ignore[union-attr]
    except (AttributeError, io.UnsupportedOperation, OSError):
        fd = None
    if fd is not None and not (regular and not stat.S_ISREG(os.fstat(fd).st_mode)):
        # The fd's offset is the file object's position (buffered readers
        # may have read ahead: seek to where the caller is).
        with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
            os.lseek(fd, src.tell(), os.SEEK_SET)  # type: ignore[union-attr]
        yield fd
        return
    with tempfile.TemporaryFile() as t:
        shutil.copyfileobj(src, t, _CHUNK)  # type: ignore[arg-type]
        t.flush()
        t.seek(0)
        yield t.fileno()


@contextlib.contextmanager
def _out_fd(dst: Sink) -> Iterator[int]:
    """An fd to write ``dst``: a path is written beside itself (mode 0600) and
    renamed over it only on success, so an error leaves no partial file; a
    file object gets the output at its position (through a temporary file
    when it has no fd, copied in bounded chunks)."""
    if _is_path(dst):
        path = os.fspath(dst)                           # type: ignore[arg-type]
        d = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".%s." % os.path.basename(path))
        try:
            yield fd
            os.fsync(fd)
            os.close(fd)
            fd = -1
            os.replace(tmp, path)
        except BaseException:
            if fd >= 0:
                os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return
    fd2: Optional[int] = None
    try:
        dst.flush()                                     # type: ignore[union-attr]
        fd2 = dst.fileno()                              # type: ignore[union-attr]
    except (AttributeError, io.UnsupportedOperation, OSError):
        fd2 = None
    if fd2 is not None:
        yield fd2
        with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
            dst.seek(os.lseek(fd2, 0, os.SEEK_CUR))     # type: ignore[union-attr]
        return
    with tempfile.TemporaryFile() as t:
        yield t.fileno()
        t.seek(0)
        shutil.copyfileobj(t, dst, _CHUNK)              # type: ignore[arg-type]


def _iv_arg(iv: Optional[bytes]) -> Any:
    if iv is None:
        return None
    if len(iv) != _ffi.IV_LEN:
        raise ValueError("secprov.legacy: iv must be %d bytes, not %d" % (_ffi.IV_LEN, len(iv)))
    return (ctypes.c_uint8 * _ffi.IV_LEN).from_buffer_copy(iv)


class Scheme(_Closing):
    """The legacy scheme with its own options (the module-level functions
    use one shared Scheme; see configure()). Thread-safe."""

    def __init__(self, config: Optional[PathLike] = None, provider_dir: Optional[PathLike] = None,
                 log_level: Union[None, str, int] = None) -> None:
        opts = make_options(None, config, provider_dir, log_level)
        h = ctypes.c_void_p()
        lib.secprov_legacy_open(ctypes.byref(h), ctypes.byref(opts))
        self._h: Optional[ctypes.c_void_p] = h

    def close(self) -> None:
        h, self._h = self._h, None
        if h is not None:
            lib.secprov_legacy_close(h)

    @property
    def h(self) -> ctypes.c_void_p:
        if self._h is None:
            raise ValueError("secprov.legacy: the scheme is closed")
        return self._h

    # -- keys -------------------------------------------------------------------
    def calc_hash(self, key: str) -> str:
        return _key_out(lib.secprov_legacy_calc_hash, self.h, _text(key, "key"))

    def fingerprint(self) -> str:
        buf = ctypes.create_string_buffer(4096)
        lib.secprov_legacy_fingerprint(self.h, buf, len(buf))
        return buf.value.decode("utf-8", "replace")

    def get_hw_hash(self, hardware: Optional[str] = None) -> str:
        hw = None if hardware is None else _text(hardware, "hardware")
        return _key_out(lib.secprov_legacy_hw_hash, self.h, hw)

    def get_api_encryption_key(self, creds: Any, hardware_hash: str) -> str:
        c_pw = ctypes.create_string_buffer(_text(creds.password, "password"))
        try:
            return _key_out(lib.secprov_legacy_api_key, self.h, _text(creds.email, "email"),
                            c_pw, _text(hardware_hash, "hardware_hash"))
        finally:
            ctypes.memset(c_pw, 0, len(c_pw))

    def get_resource_encryption_key(self) -> str:
        return _key_out(lib.secprov_legacy_resource_key, self.h)

    # -- buffers ----------------------------------------------------------------
    def _buffer(self, fn: Any, head: Tuple[Any, ...], data: BytesLike) -> bytes:
        """fn(handle, *head, data, its length, &out, &out_len): *out as bytes."""
        d = _Data(data)
        out, n = ctypes.c_void_p(), ctypes.c_size_t()
        try:
            fn(self.h, *head, d.ptr, d.len, ctypes.byref(out), ctypes.byref(n))
        finally:
            d.done()
        return _take(out, n)

    def encrypt_to(self, data: BytesLike, key: str, *, iv: Optional[bytes] = None) -> bytes:
        """IV || AES-256-CBC(PKCS#7) of data under key string ``key``; a fresh
        random IV (``iv``: a fixed one, for test vectors only)."""
        if iv is None:
            return self._buffer(lib.secprov_legacy_encrypt, (_text(key, "key"),), data)
        return self._buffer(lib.secprov_legacy_encrypt_with_iv, (_text(key, "key"), _iv_arg(iv)),
                            data)

    def decrypt_to(self, data: BytesLike, key: str) -> bytes:
        """The plaintext of IV || ciphertext. A wrong key (bad padding) raises
        PaddingError, malformed input FormatError: both ValueErrors."""
        return self._buffer(lib.secprov_legacy_decrypt, (_text(key, "key"),), data)

    # -- streams ----------------------------------------------------------------
    def _data_stream(self, fn: Any, data: BytesLike, src: Source, dst: Sink) -> None:
        """fn(handle, data, its length, src's fd, dst's fd)."""
        d = _Data(data)
        try:
            with _in_fd(src) as i, _out_fd(dst) as o:
                fn(self.h, d.ptr, d.len, i, o)
        finally:
            d.done()

    def encrypt_file(self, key: str, src: Source, dst: Sink, *, iv: Optional[bytes] = None) -> None:
        """encrypt_to, streamed from src to dst (bounded memory)."""
        with _in_fd(src) as i, _out_fd(dst) as o:
            lib.secprov_legacy_encrypt_fd(self.h, _text(key, "key"), _iv_arg(iv), i, o)

    def decrypt_file(self, key: str, src: Source, dst: Sink) -> None:
        """decrypt_to, streamed from src to dst (bounded memory)."""
        with _in_fd(src) as i, _out_fd(dst) as o:
            lib.secprov_legacy_decrypt_fd(self.h, _text(key, "key"), i, o)

    def decrypt_archive(self, encrypted_path: Source, key_fragment: BytesLike,
                        output_path: Sink) -> None:
        """A container archive: AES key SHA-256(key_fragment bytes), IV || ct, streamed."""
        self._data_stream(lib.secprov_legacy_archive_decrypt_fd, key_fragment, encrypted_path,
                          output_path)

    def split_big_small(self, resource: Source, big_out: Sink, *,
                        iv: Optional[bytes] = None) -> bytes:
        """Upload side: encrypt ``resource`` with the resource key; the first
        min(3072, floor(0.3 * length)) bytes are returned (the small part, for
        the API server), the rest streamed to ``big_out`` (CDN or cache file)."""
        r, w = os.pipe()                # the small part is at most 3 KiB: fits a pipe
        try:
            try:
                with _in_fd(resource, regular=True) as i, _out_fd(big_out) as o:
                    lib.secprov_legacy_split_fd(self.h, _iv_arg(iv), i, w, o)
            finally:
                os.close(w)
            chunks = []
            while True:
                b = os.read(r, 65536)
                if not b:
                    break
                chunks.append(b)
            return b"".join(chunks)
        finally:
            os.close(r)

    def join_big_small(self, small: BytesLike, big: Source,
                       output: Optional[Sink] = None) -> Optional[bytes]:
        """Download side: decrypt small || big with the resource key, big
        streamed. ``small``: the small part with the server's API-key layer
        already removed (decrypt_to(from_server, api_key)). The plaintext
        goes to ``output`` (a path: written whole or not at all), or is
        returned as bytes when output is None."""
        if output is None:
            buf = io.BytesIO()
            self.join_big_small(small, big, buf)
            return buf.getvalue()
        self._data_stream(lib.secprov_legacy_join_fd, small, big, output)
        return None


_default: Optional[Scheme] = None
_default_lock = threading.Lock()
_default_opts: Dict[str, Any] = {}


def configure(config: Optional[PathLike] = None, provider_dir: Optional[PathLike] = None,
              log_level: Union[None, str, int] = None) -> None:
    """Options for the module-level functions (default: $SECPROV_CONFIG etc.);
    takes effect for the next call."""
    global _default
    with _default_lock:
        _default_opts.clear()
        _default_opts.update(config=config, provider_dir=provider_dir, log_level=log_level)
        old, _default = _default, None
    if old is not None:
        old.close()
    HardwareService._cache = None


def _scheme() -> Scheme:
    global _default
    s = _default
    if s is None:
        with _default_lock:
            if _default is None:
                _default = Scheme(**_default_opts)
            s = _default
    return s


# -- the old module's names -------------------------------------------------------
def calc_hash(key: str) -> str:
    """base64(SHA-384(UTF-8 of key)): 64 characters."""
    return _scheme().calc_hash(key)


def get_hw_hash(hardware: str) -> str:
    """The hardware hash of a fingerprint string (HardwareService.get_hardware_info())."""
    return _scheme().get_hw_hash(hardware)


def get_api_encryption_key(creds: Any, hardware_hash: str) -> str:
    """The per-user, per-device API key; creds: any object with .email and .password."""
    return _scheme().get_api_encryption_key(creds, hardware_hash)


def get_resource_encryption_key() -> str:
    return _scheme().get_resource_encryption_key()


def encrypt_to(data: BytesLike, key: str, *, iv: Optional[bytes] = None) -> bytes:
    return _scheme().encrypt_to(data, key, iv=iv)


def decrypt_to(data: BytesLike, key: str) -> bytes:
    return _scheme().decrypt_to(data, key)


def encrypt_file(key: str, src: Source, dst: Sink, *, iv: Optional[bytes] = None) -> None:
    _scheme().encrypt_file(key, src, dst, iv=iv)


def decrypt_file(key: str, src: Source, dst: Sink) -> None:
    _scheme().decrypt_file(key, src, dst)


def decrypt_archive(encrypted_path: Source, key_fragment: BytesLike, output_path: Sink) -> None:
    _scheme().decrypt_archive(encrypted_path, key_fragment, output_path)


def split_big_small(resource: Source, big_out: Sink, *, iv: Optional[bytes] = None) -> bytes:
    return _scheme().split_big_small(resource, big_out, iv=iv)


def join_big_small(small: BytesLike, big: Source, output: Optional[Sink] = None) -> Optional[bytes]:
    return _scheme().join_big_small(small, big, output)


def fingerprint() -> str:
    """This device's fingerprint string (legacy.hardware when set, else collected)."""
    return _scheme().fingerprint()


class Credentials:
    """The old module's Credentials(email, password)."""

    __slots__ = ("email", "password")

    def __init__(self, email: str, password: str) -> None:
        self.email = email
        self.password = password

    def __repr__(self) -> str:
        return "Credentials(email=%r, password=<hidden>)" % (self.email,)


class HardwareService:
    """The old module's HardwareService: the fingerprint, cached for the process."""

    _cache: Optional[str] = None
    _lock = threading.Lock()

    @staticmethod
    def get_hardware_info() -> str:
        with HardwareService._lock:
            if HardwareService._cache is None:
                HardwareService._cache = fingerprint()
            return HardwareService._cache


class Security:
    """The old module's Security: every method static."""

    calc_hash = staticmethod(calc_hash)
    get_hw_hash = staticmethod(get_hw_hash)
    get_api_encryption_key = staticmethod(get_api_encryption_key)
    get_resource_encryption_key = staticmethod(get_resource_encryption_key)
    encrypt_to = staticmethod(encrypt_to)
    decrypt_to = staticmethod(decrypt_to)
    decrypt_archive = staticmethod(decrypt_archive)
    split_big_small = staticmethod(split_big_small)
    join_big_small = staticmethod(join_big_small)

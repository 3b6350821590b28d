"""Secret: unsealed bytes that live in memory secprov allocated (locked in
RAM where the platform allows, excluded from core dumps) and are zeroed
when done."""
from __future__ import annotations

import ctypes
import sys
import weakref
TYPE_CHECKING = False                   # typing is not imported at run time
if TYPE_CHECKING:
    from typing import Any, Optional

from ._lib import lib

__all__ = ["Secret"]


def _free(ptr: int, length: int) -> None:
    lib.secprov_free(ptr, length)       # zeroes, then frees


class Secret:
    """An unsealed secret.

    - ``bytes(secret)`` copies the value into an ordinary (unzeroed) bytes
      object: on purpose only.
    - ``secret.view()`` is a read-only ``memoryview`` of secprov's memory,
      no copy (on Python >= 3.12 ``memoryview(secret)`` too).
    - ``secret.wipe()`` (also on leaving ``with``) zeroes the value at once;
      the memory itself is freed at once when no view is left, else when the
      last view is released, so a view never points at freed memory.
    - ``secret.release()`` zeroes and frees now, and raises ``BufferError``
      (changing nothing) while a view still exists.
    - Garbage collection zeroes and frees it too (when no view is left).
    - ``repr()`` never shows the value; a Secret cannot be pickled.
    CPython only (views are counted by reference count).
    """

    __slots__ = ("_arr", "_len", "_wiped", "__weakref__")

    def __init__(self, ptr: int, length: int) -> None:
        arr = (ctypes.c_ubyte * length).from_address(ptr)
        # The memory lives exactly as long as this array object: the Secret
        # and every exported view hold it.
        weakref.finalize(arr, _free, ptr, length)
        self._arr: Optional[Any] = arr
        self._len = length
        self._wiped = False

    def _exports(self) -> int:
        # References to the array besides self._arr and getrefcount's own
        # argument: each is a live buffer export (a memoryview's managed buffer).
        return sys.getrefcount(self._arr) - 2

    def _live(self) -> Any:
        if self._wiped or self._arr is None:
            raise ValueError("secprov: this secret was wiped")
        return self._arr

    def __len__(self) -> int:
        return self._len

    def __bytes__(self) -> bytes:
        return ctypes.string_at(ctypes.addressof(self._live()), self._len)

    def view(self) -> memoryview:
        """A read-only memoryview of the value, no copy. It stays valid (and
        keeps the memory) until released; after wipe() it reads zeros."""
        return memoryview(self._live()).cast("B").toreadonly()

    def __buffer__(self, flags: int) -> memoryview:   # Python >= 3.12: memoryview(secret)
        return self.view()

    @property
    def wiped(self) -> bool:
        return self._wiped

    def wipe(self) -> None:
        """Zero the value now; free the memory now, or when the last view is released."""
        arr = self._arr
        if arr is None:
            return
        ctypes.memset(ctypes.addressof(arr), 0, self._len)
        self._wiped = True
        self._arr = None                # the finalizer frees once no view holds it
        del arr

    def release(self) -> None:
        """Zero and free now. BufferError (and nothing done) while a view exists."""
        if self._arr is None:
            return
        n = self._exports()
        if n > 0:
            raise BufferError("secprov: secret has %d exported view(s): release them first "
                              "(wipe() zeroes now and frees when they are gone)" % n)
        self.wipe()

    def __enter__(self) -> "Secret":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.wipe()

    def __repr__(self) -> str:
        state = "wiped" if self._wiped else "%d bytes" % self._len
        return "<secprov.Secret %s>" % state

    def __reduce__(self) -> Any:
        raise TypeError("secprov: a Secret cannot be pickled")

    def __eq__(self, other: object) -> bool:
        """Constant-time comparison with bytes-like objects or another Secret."""
        import hmac
        if isinstance(other, Secret):
            return hmac.compare_digest(self.view(), other.view())
        try:
            return hmac.compare_digest(self.view(), memoryview(other))  # type: ignore[arg-type]
        except TypeError:
            return NotImplemented

    __hash__ = None  # type: ignore[assignment]

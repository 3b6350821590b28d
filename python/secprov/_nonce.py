"""Nonces and payload ids as bytes (docs/attestation.md): bytes-like
(bytes, bytearray, memoryview) as they are, str as its UTF-8 bytes; anything
else is a TypeError, never ``bytes(value)`` (which turns the int 16 into
sixteen zero bytes: a constant, replayable nonce)."""
from __future__ import annotations

TYPE_CHECKING = False                   # typing is not imported at run time
if TYPE_CHECKING:
    from typing import Union

    NonceLike = Union[bytes, bytearray, memoryview, str]


def nonce_bytes(value: NonceLike, what: str = "nonce") -> bytes:
    """``value`` as bytes; TypeError for anything but bytes-like or str."""
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError("secprov: the %s must be bytes, bytearray, memoryview or str, not %s"
                    % (what, type(value).__name__))

"""secprov's exceptions: one class per status code, all SecprovError.

Each also derives from the built-in exception a Python caller would expect
(NotFoundError is a KeyError, PaddingError a ValueError, ...), so existing
``except KeyError`` / ``except ValueError`` code keeps working.
"""
from __future__ import annotations

TYPE_CHECKING = False                   # typing is not imported at run time
if TYPE_CHECKING:
    from typing import Dict, Optional, Type

from . import _ffi

__all__ = [
    "SecprovError", "InvalidArgumentError", "InvalidNameError", "NotFoundError",
    "IntegrityError", "ConfigError", "UnavailableError", "TpmRequiredError", "NotInstalledError",
    "SecprovIOError", "OutOfMemoryError", "TpmError", "UnsupportedError",
    "KeystoreMismatchError", "SecprovPermissionError", "BusyError", "TooLargeError",
    "FormatError", "PaddingError", "SecprovTimeoutError", "InternalError",
    "WrongDeviceError", "WrongNameError", "RollbackError",
    "LibraryError", "error_for_status",
]


class SecprovError(Exception):
    """A secprov call failed.

    ``status``: the negative SECPROV_ERR_* code; ``status_name``: its C name;
    ``message``: the library's error line for this call (secprov_last_error:
    names the file, errno text or value that was wrong; never a secret), or
    its status text when the call logged none; ``operation``: what was asked
    (e.g. "unseal 'api-key'"; else the C function's name).
    """

    status: int
    status_name: str
    message: str
    operation: str

    def __init__(self, status: int, message: str, operation: str = "") -> None:
        self.status = status
        self.status_name = _ffi.STATUS_NAMES.get(status, "status %d" % status)
        self.message = message
        self.operation = operation
        super().__init__(str(self))

    def set_operation(self, operation: str) -> None:
        """Name what was asked (e.g. "unseal 'api-key'") in the message."""
        self.operation = operation
        self.args = (str(self),)

    def __str__(self) -> str:
        head = "%s: " % self.operation if self.operation else ""
        if head and self.message.startswith(head):
            head = ""                   # the library's line already names it: say it once
        return "%s%s (%s)" % (head, self.message, self.status_name)


class LibraryError(ImportError):
    """libsecprov.so.0 cannot be loaded, or is a version this package does not support."""


class InvalidArgumentError(SecprovError, ValueError):
    """SECPROV_ERR_INVALID_ARG: a bad argument (empty value, bad option)."""


class InvalidNameError(SecprovError, ValueError):
    """SECPROV_ERR_NAME: a secret name is not 1..64 of [A-Za-z0-9_-]."""


class NotFoundError(SecprovError, KeyError):
    """SECPROV_ERR_NOT_FOUND: no secret of that name (also a KeyError)."""

    __str__ = SecprovError.__str__      # not KeyError's repr()


class IntegrityError(SecprovError):
    """SECPROV_ERR_INTEGRITY: a stored secret was tampered with, truncated or moved."""


class ConfigError(SecprovError):
    """SECPROV_ERR_CONFIG: bad configuration or selection value."""


class UnavailableError(SecprovError):
    """SECPROV_ERR_UNAVAILABLE: the provider asked for cannot be used."""


class TpmRequiredError(UnavailableError):
    """Attestation at tier "maximum" (or require_tpm) without a TPM: a web
    service answers it with HTTP 503 (docs/attestation.md, "Tiers")."""


class NotInstalledError(SecprovError):
    """SECPROV_ERR_NOT_INSTALLED: a provider module is not installed."""


class SecprovIOError(SecprovError, OSError):
    """SECPROV_ERR_IO: a file system error (also an OSError)."""

    __str__ = SecprovError.__str__


class OutOfMemoryError(SecprovError, MemoryError):
    """SECPROV_ERR_NOMEM."""


class TpmError(SecprovError):
    """SECPROV_ERR_TPM: a TPM command failed."""


class UnsupportedError(SecprovError, NotImplementedError):
    """SECPROV_ERR_UNSUPPORTED: the provider lacks this operation."""


class KeystoreMismatchError(SecprovError):
    """SECPROV_ERR_KEYSTORE_MISMATCH: the keystore does not match this TPM (cleared?)."""


class SecprovPermissionError(SecprovError, PermissionError):
    """SECPROV_ERR_PERMISSION: insecure owner/mode, a symlink, or access denied
    (also a PermissionError)."""

    __str__ = SecprovError.__str__


class BusyError(SecprovError):
    """SECPROV_ERR_BUSY: the device is held by another process (after a bounded wait)."""


class TooLargeError(SecprovError, ValueError):
    """SECPROV_ERR_TOO_LARGE: input larger than supported."""


class FormatError(SecprovError, ValueError):
    """SECPROV_ERR_FORMAT: malformed input (length, encoding)."""


class PaddingError(SecprovError, ValueError):
    """SECPROV_ERR_PADDING: bad padding, i.e. a wrong key or corrupted data."""


class SecprovTimeoutError(SecprovError, TimeoutError):
    """SECPROV_ERR_TIMEOUT: the TPM did not answer in time (also a TimeoutError)."""

    __str__ = SecprovError.__str__


class InternalError(SecprovError):
    """SECPROV_ERR_INTERNAL: a bug in secprov or a provider."""


class WrongDeviceError(SecprovError):
    """SECPROV_ERR_WRONG_DEVICE: a seal-to blob sealed to another TPM."""


class WrongNameError(SecprovError):
    """SECPROV_ERR_WRONG_NAME: a seal-to blob sealed for another secret name."""


class RollbackError(SecprovError):
    """SECPROV_ERR_ROLLBACK: a seal-to blob older than the version imported."""


# The one table from status code to class (tests/python/test_constants.py
# checks that it covers every code of include/secprov.h).
STATUS_CLASSES: Dict[str, Type[SecprovError]] = {
    "SECPROV_ERR_INVALID_ARG": InvalidArgumentError,
    "SECPROV_ERR_NAME": InvalidNameError,
    "SECPROV_ERR_NOT_FOUND": NotFoundError,
    "SECPROV_ERR_INTEGRITY": IntegrityError,
    "SECPROV_ERR_CONFIG": ConfigError,
    "SECPROV_ERR_UNAVAILABLE": UnavailableError,
    "SECPROV_ERR_NOT_INSTALLED": NotInstalledError,
    "SECPROV_ERR_IO": SecprovIOError,
    "SECPROV_ERR_NOMEM": OutOfMemoryError,
    "SECPROV_ERR_TPM": TpmError,
    "SECPROV_ERR_UNSUPPORTED": UnsupportedError,
    "SECPROV_ERR_KEYSTORE_MISMATCH": KeystoreMismatchError,
    "SECPROV_ERR_PERMISSION": SecprovPermissionError,
    "SECPROV_ERR_BUSY": BusyError,
    "SECPROV_ERR_TOO_LARGE": TooLargeError,
    "SECPROV_ERR_FORMAT": FormatError,
    "SECPROV_ERR_PADDING": PaddingError,
    "SECPROV_ERR_TIMEOUT": SecprovTimeoutError,
    "SECPROV_ERR_INTERNAL": InternalError,
    "SECPROV_ERR_WRONG_DEVICE": WrongDeviceError,
    "SECPROV_ERR_WRONG_NAME": WrongNameError,
    "SECPROV_ERR_ROLLBACK": RollbackError,
}


def error_for_status(status: int, message: str, operation: str = "") -> SecprovError:
    """The exception for a status code (SecprovError itself for a code this
    package does not know yet: a newer library's)."""
    name: Optional[str] = _ffi.STATUS_NAMES.get(status)
    cls: Type[SecprovError] = STATUS_CLASSES.get(name, SecprovError) if name else SecprovError
    return cls(status, message, operation)

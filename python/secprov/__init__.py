"""secprov for Python: keep secrets and keys in the TPM when the device has
one, in the legacy store when not (ctypes over libsecprov.so.0).

    import secprov
    with secprov.open() as sp:                  # auto: tpm, else legacy
        sp.seal("api-key", b"...")
        with sp.unseal("api-key") as key:       # zeroed on leaving
            use(key.view())

secprov's log lines go to the logging logger "secprov". See docs/python.md.

``import secprov`` itself loads nothing: ctypes, the C library and
the submodules are imported on the first use of a name that needs them
(PEP 562), so a loader pays for them once it opens secprov, not at import.
"""

# The names below are real imports for type checkers only (mypy sees every
# public name as explicitly exported); at run time __getattr__ imports the
# submodule that defines a name on its first use. "TYPE_CHECKING = False"
# rather than typing.TYPE_CHECKING: typing alone costs a few ms to import.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from . import aio as aio
    from . import legacy as legacy
    from ._lib import library_path as library_path, library_version as library_version
    from ._config_check import (ConfigCheck as ConfigCheck, ConfigPart as ConfigPart,
                                config_check as config_check)
    from .errors import (BusyError as BusyError, ConfigError as ConfigError,
                         FormatError as FormatError, IntegrityError as IntegrityError,
                         InternalError as InternalError,
                         InvalidArgumentError as InvalidArgumentError,
                         InvalidNameError as InvalidNameError,
                         KeystoreMismatchError as KeystoreMismatchError,
                         LibraryError as LibraryError, NotFoundError as NotFoundError,
                         NotInstalledError as NotInstalledError,
                         OutOfMemoryError as OutOfMemoryError, PaddingError as PaddingError,
                         SecprovError as SecprovError, SecprovIOError as SecprovIOError,
                         SecprovPermissionError as SecprovPermissionError,
                         SecprovTimeoutError as SecprovTimeoutError,
                         TooLargeError as TooLargeError, TpmError as TpmError,
                         TpmRequiredError as TpmRequiredError,
                         UnavailableError as UnavailableError,
                         WrongDeviceError as WrongDeviceError, WrongNameError as WrongNameError,
                         RollbackError as RollbackError,
                         UnsupportedError as UnsupportedError,
                         error_for_status as error_for_status)
    from .provider import (BytesLike as BytesLike, ConfigLike as ConfigLike,
                           PathLike as PathLike, Provider as Provider,
                           name_check as name_check, open as open)
    from .secret import Secret as Secret
    from .security_provider import (LegacySecurityProvider as LegacySecurityProvider,
                                    SecurityProvider as SecurityProvider,
                                    TpmSecurityProvider as TpmSecurityProvider,
                                    get_security_provider as get_security_provider)
    from .verify import (VerifyError as VerifyError, verify_report as verify_report,
                         verify_block as verify_block, check_report as check_report,
                         verify_bundle as verify_bundle,
                         make_credential as make_credential, verify_enroll as verify_enroll)
    from .verify_result import VerifyResult as VerifyResult

__version__ = "0.1.0"
NAME_MAX = 64                       # SECPROV_NAME_MAX (tests/python/test_constants.py)
SECRET_MAX = 16 * 1024 * 1024       # SECPROV_SECRET_MAX

__all__ = [
    "open", "Provider", "Secret", "name_check", "BytesLike", "PathLike", "ConfigLike",
    "SecurityProvider", "TpmSecurityProvider", "LegacySecurityProvider",
    "get_security_provider", "aio", "legacy", "verify_report", "verify_block", "check_report",
    "verify_bundle",
    "VerifyResult", "make_credential", "verify_enroll", "VerifyError",
    "config_check", "ConfigCheck", "ConfigPart", "library_path", "library_version",
    "NAME_MAX", "SECRET_MAX", "__version__",
    # errors
    "SecprovError", "InvalidArgumentError", "InvalidNameError", "NotFoundError",
    "IntegrityError", "ConfigError", "UnavailableError", "TpmRequiredError", "NotInstalledError",
    "SecprovIOError", "OutOfMemoryError", "TpmError", "UnsupportedError",
    "KeystoreMismatchError", "SecprovPermissionError", "BusyError", "TooLargeError",
    "FormatError", "PaddingError", "SecprovTimeoutError", "InternalError",
    "WrongDeviceError", "WrongNameError", "RollbackError",
    "LibraryError", "error_for_status",
]

# name -> the submodule that defines it ("" for a submodule itself).
_WHERE = {
    "aio": "", "legacy": "", "errors": "", "provider": "", "secret": "", "verify": "",
    "security_provider": "", "_ffi": "", "_lib": "", "_config_check": "", "verify_result": "",
    "_nonce": "",
    "library_path": "_lib", "library_version": "_lib",
    "ConfigCheck": "_config_check", "ConfigPart": "_config_check", "config_check": "_config_check",
    "BytesLike": "provider", "ConfigLike": "provider", "PathLike": "provider",
    "Provider": "provider", "name_check": "provider", "open": "provider",
    "Secret": "secret",
    "LegacySecurityProvider": "security_provider", "SecurityProvider": "security_provider",
    "TpmSecurityProvider": "security_provider", "get_security_provider": "security_provider",
    "VerifyError": "verify", "verify_report": "verify", "verify_block": "verify",
    "check_report": "verify", "verify_bundle": "verify", "make_credential": "verify",
    "verify_enroll": "verify",
    "VerifyResult": "verify_result",
}

if not TYPE_CHECKING:           # hidden from mypy: a typo stays a type error
    def __getattr__(name):
        where = _WHERE.get(name)
        if where is None:
            if name in __all__:             # the errors
                where = "errors"
            else:
                raise AttributeError("module 'secprov' has no attribute %r" % name)
        from importlib import import_module
        if where == "":
            value = import_module("." + name, __name__)
        else:
            value = getattr(import_module("." + where, __name__), name)
        globals()[name] = value
        return value

    def __dir__():
        return sorted(set(globals()) | set(__all__))

"""secprov for Python: keep secrets and keys in the TPM when the device has
one, in the legacy store when not (ctypes over libsecprov.so.0).

    import secprov
    with secprov.open() as sp:                  # auto: tpm, else legacy
        sp.seal("api-key", b"...")
        with sp.unseal("api-key") as key:       # zeroed on leaving
            use(key.view())

secprov's log lines go to the logging logger "secprov". See docs/python.md.
"""
from __future__ import annotations

from . import _ffi
from ._lib import library_path, library_version
from .errors import *  # noqa: F401,F403
from .errors import __all__ as _errors_all
from .config_check import ConfigCheck, ConfigPart, config_check
from .provider import Provider, name_check, open
from .secret import Secret
from .security_provider import (LegacySecurityProvider, SecurityProvider,
                                TpmSecurityProvider, get_security_provider)
from .verify import VerifyError, verify_block, verify_report
from .verify import make_credential, verify_enroll  # noqa: E402  (credential activation)
from .verify import check_report  # noqa: E402  (issue 23: the breakdown)
from .verify_result import VerifyResult  # noqa: E402

from . import legacy  # noqa: E402  (secprov.legacy: the old module's names)

__version__ = "0.1.0"
NAME_MAX = _ffi.NAME_MAX
SECRET_MAX = _ffi.SECRET_MAX

__all__ = ["open", "Provider", "Secret", "name_check", "SecurityProvider",
           "TpmSecurityProvider", "LegacySecurityProvider", "get_security_provider",
           "legacy", "verify_report", "verify_block", "config_check", "ConfigCheck", "ConfigPart", "VerifyError", "library_path", "library_version", "NAME_MAX", "SECRET_MAX",
           "__version__", "check_report", "VerifyResult", "make_credential", "verify_enroll"] + list(_errors_all)

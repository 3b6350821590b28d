"""secprov.config_check(): the configuration checked as secprov.open() would
read it, every installed provider's group included, opening no provider
(secprov_config_check in secprov.h; `secprov config check`)."""
from __future__ import annotations

import ctypes
from typing import Any, List, NamedTuple, Optional

from . import _ffi
from ._lib import lib, make_options
from .provider import PathLike


class ConfigPart(NamedTuple):
    """One part checked: "config" (the file and the core's keys) or a
    provider's name; status 0 when it is well, else a SECPROV_ERR_* value;
    message "ok ..." or what is wrong, naming file and line."""

    part: str
    status: int
    message: str


class ConfigCheck(NamedTuple):
    ok: bool                    # every part well (a module with no group that cannot load is not a failure)
    status: int                 # 0, or the first failure's status
    parts: List[ConfigPart]


def config_check(config: Optional[PathLike] = None,
                 provider_dir: Optional[PathLike] = None) -> ConfigCheck:
    """Check ``config`` (None: $SECPROV_CONFIG, then /etc/secprov/secprov.conf)
    against the modules in ``provider_dir`` (None: $SECPROV_PROVIDER_DIR, then
    the installed folder). Never raises for a bad configuration: read ``ok``
    and the parts."""
    parts: List[ConfigPart] = []

    def emit(part: bytes, status: int, message: bytes, user: Any) -> None:
        parts.append(ConfigPart(part.decode("utf-8", "replace"), status,
                                message.decode("utf-8", "replace")))

    opts = make_options(None, config, provider_dir, None)
    callback = _ffi.CHECK_FN(emit)
    rc = lib.secprov_config_check(ctypes.byref(opts), callback, None)
    return ConfigCheck(rc == 0, rc, parts)

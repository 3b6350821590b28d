"""The loader design's shape: SecurityProvider and its two implementations,
and get_security_provider() with secprov's selection rules."""
from __future__ import annotations

import abc

from ._lib import INFO, emit
from .errors import NotFoundError
from .provider import Provider, open as _open
from .secret import Secret

__all__ = ["SecurityProvider", "TpmSecurityProvider", "LegacySecurityProvider",
           "get_security_provider"]

TYPE_CHECKING = False   # typing and logging are not imported at run time (provider.py)
if TYPE_CHECKING:
    from typing import Any, List, Optional, TypeVar, Union, overload

    from .provider import BytesLike, ConfigLike, PathLike

    _S = TypeVar("_S", bound="SecurityProvider")
    _T = TypeVar("_T")
else:
    def overload(f):
        return f


class SecurityProvider(abc.ABC):
    """What a loader keeps its secrets with. Subclasses implement name,
    is_tpm, seal, unseal, delete and list; the rest has defaults here
    (get, exists, ``in``, close, ``with``, fell_back, fallback_reason)."""

    @property
    @abc.abstractmethod
    def name(self) -> str: ...

    @property
    @abc.abstractmethod
    def is_tpm(self) -> bool: ...

    @abc.abstractmethod
    def seal(self, name: str, data: BytesLike) -> None: ...

    @abc.abstractmethod
    def unseal(self, name: str) -> Secret: ...

    @abc.abstractmethod
    def delete(self, name: str) -> None: ...

    @abc.abstractmethod
    def list(self) -> List[str]: ...

    @property
    def fell_back(self) -> bool:
        """True when auto wanted the TPM and fell back to legacy."""
        return False

    @property
    def fallback_reason(self) -> Optional[str]:
        return None

    @overload
    def get(self, name: str) -> Optional[Secret]: ...

    @overload
    def get(self, name: str, default: _T) -> Union[Secret, _T]: ...

    def get(self, name: str, default: Any = None) -> Any:
        """unseal(name), or ``default`` when there is no secret of that name."""
        try:
            return self.unseal(name)
        except NotFoundError:
            return default

    def exists(self, name: str) -> bool:
        return name in self.list()

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.exists(name)

    def close(self) -> None:
        """Release what the provider holds (idempotent)."""

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class _SecprovBacked(SecurityProvider):
    _PROVIDER = ""

    def __init__(self, config: Optional[ConfigLike] = None,
                 provider_dir: Optional[PathLike] = None,
                 log_level: Union[None, str, int] = None, *,
                 _provider: Optional[Provider] = None) -> None:
        """Open this provider explicitly (a failure is an error, never a fallback)."""
        self.provider: Provider = _provider if _provider is not None else _open(
            self._PROVIDER, config, provider_dir, log_level)

    @property
    def name(self) -> str:
        return self.provider.name

    @property
    def is_tpm(self) -> bool:
        return self.provider.is_tpm

    @property
    def fell_back(self) -> bool:
        return self.provider.fell_back

    @property
    def fallback_reason(self) -> Optional[str]:
        return self.provider.fallback_reason

    def seal(self, name: str, data: BytesLike) -> None:
        self.provider.seal(name, data)

    def unseal(self, name: str) -> Secret:
        return self.provider.unseal(name)

    def delete(self, name: str) -> None:
        self.provider.delete(name)

    def list(self) -> List[str]:
        return self.provider.list()

    def exists(self, name: str) -> bool:
        return self.provider.exists(name)

    def __contains__(self, name: object) -> bool:
        return name in self.provider

    def close(self) -> None:
        self.provider.close()

    def __repr__(self) -> str:
        return "<%s %r>" % (type(self).__name__, self.provider)


class TpmSecurityProvider(_SecprovBacked):
    """Secrets sealed by the TPM (secprov provider "tpm")."""
    _PROVIDER = "tpm"


class LegacySecurityProvider(_SecprovBacked):
    """Secrets in the legacy store, bound to the device (secprov provider "legacy")."""
    _PROVIDER = "legacy"


def get_security_provider(provider: Optional[str] = None, config: Optional[ConfigLike] = None,
                          provider_dir: Optional[PathLike] = None,
                          log_level: Union[None, str, int] = None) -> SecurityProvider:
    """secprov.open() with secprov's selection rules (options, then
    $SECURITY_PROVIDER, then the config, then auto), wrapped as the
    implementation it chose; logs the choice on the "secprov" logger (info;
    a fallback was already logged as a warning by the library)."""
    p = _open(provider, config, provider_dir, log_level)
    cls = TpmSecurityProvider if p.is_tpm else LegacySecurityProvider
    if p.fell_back:
        emit(INFO, "security provider: %s (fell back from tpm: %s)", p.name, p.fallback_reason)
    else:
        emit(INFO, "security provider: %s", p.name)
    return cls(_provider=p)

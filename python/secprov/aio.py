"""secprov for asyncio: the same calls as coroutines, run in a small thread
pool of the provider's own so the event loop never waits for the TPM.

    from secprov import aio
    async with await aio.open() as sp:
        await sp.seal("api-key", b"...")
        with await sp.unseal("api-key") as key:     # the same Secret type
            use(key.view())

Each call runs the synchronous Provider's call in the pool (ctypes releases
the GIL while C waits for the TPM), with the same exceptions. The pool is
bounded (max_workers, 2 by default): the TPM takes one command at a time
anyway, so more threads would only queue inside secprov. A coroutine that is
cancelled stops waiting; the call itself runs to its end in its thread (a
secret it unsealed is zeroed and freed when collected). See docs/python.md.
"""
from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Optional, Tuple, TypeVar, Union, overload

from .provider import BytesLike, ConfigLike, PathLike, Provider, open as _open
from .secret import Secret

__all__ = ["open", "AsyncProvider", "DEFAULT_MAX_WORKERS"]

DEFAULT_MAX_WORKERS = 2

_R = TypeVar("_R")
_T = TypeVar("_T")


def _pool(max_workers: int) -> ThreadPoolExecutor:
    if not isinstance(max_workers, int) or isinstance(max_workers, bool) or max_workers < 1:
        raise ValueError("secprov.aio: max_workers must be an int >= 1, not %r" % (max_workers,))
    return ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="secprov-aio")


async def _in(pool: ThreadPoolExecutor, fn: Callable[..., _R], *args: Any) -> _R:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(pool, functools.partial(fn, *args))


class AsyncProvider:
    """A Provider whose calls are coroutines (``await aio.open()``). Use it
    with ``async with``, or ``await close()``. ``provider`` is the
    synchronous Provider underneath (same handle)."""

    def __init__(self, provider: Provider, pool: ThreadPoolExecutor) -> None:
        self.provider = provider
        self._pool = pool

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

    @property
    def closed(self) -> bool:
        return self.provider.closed

    async def seal(self, name: str, data: BytesLike) -> None:
        await _in(self._pool, self.provider.seal, name, data)

    async def unseal(self, name: str) -> Secret:
        return await _in(self._pool, self.provider.unseal, name)

    @overload
    async def get(self, name: str) -> Optional[Secret]: ...

    @overload
    async def get(self, name: str, default: _T) -> Union[Secret, _T]: ...

    async def get(self, name: str, default: Any = None) -> Any:
        return await _in(self._pool, self.provider.get, name, default)

    async def exists(self, name: str) -> bool:
        return await _in(self._pool, self.provider.exists, name)

    async def delete(self, name: str) -> None:
        await _in(self._pool, self.provider.delete, name)

    async def list(self) -> List[str]:
        return await _in(self._pool, self.provider.list)

    async def locate(self, name: str) -> str:
        return await _in(self._pool, self.provider.locate, name)

    async def info(self) -> Dict[str, str]:
        return await _in(self._pool, self.provider.info)

    async def gc(self, dry_run: bool = False) -> List[Tuple[str, str, str]]:
        return await _in(self._pool, self.provider.gc, dry_run)

    async def attest(self, nonce: BytesLike, require_tpm: bool = False) -> Dict[str, Any]:
        return await _in(self._pool, self.provider.attest, nonce, require_tpm)

    async def enroll(self, require_tpm: bool = False) -> Dict[str, Any]:
        return await _in(self._pool, self.provider.enroll, require_tpm)

    async def close(self) -> None:
        """Close the handle (after the calls in progress) and end the pool's
        threads (idempotent)."""
        if not self.provider.closed:
            await _in(self._pool, self.provider.close)
        self._pool.shutdown(wait=False)

    async def __aenter__(self) -> "AsyncProvider":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    def __repr__(self) -> str:
        return "<secprov.aio.AsyncProvider %r>" % (self.provider,)


async def open(provider: Optional[str] = None, config: Optional[ConfigLike] = None,
               provider_dir: Optional[PathLike] = None,
               log_level: Union[None, str, int] = None, *,
               max_workers: int = DEFAULT_MAX_WORKERS) -> AsyncProvider:
    """secprov.open() (same arguments, same selection and exceptions), run
    in the new provider's pool: the TPM's probe does not block the loop."""
    pool = _pool(max_workers)
    try:
        p = await _in(pool, _open, provider, config, provider_dir, log_level)
    except BaseException:
        pool.shutdown(wait=False)
        raise
    return AsyncProvider(p, pool)

"""secprov.aio: the calls as coroutines in the provider's own bounded pool,
the same exceptions and Secret type, and an event loop that keeps ticking
while a TPM call runs."""
from __future__ import annotations

import asyncio
import time

import pytest

import secprov
from secprov import aio


def test_aio_round_trip_same_types(legacy_conf):
    async def main():
        async with await aio.open(config=legacy_conf, max_workers=1) as sp:
            assert sp.name == "legacy" and not sp.fell_back
            await sp.seal("a", b"v")
            s = await sp.unseal("a")
            assert isinstance(s, secprov.Secret)
            with s:
                assert bytes(s) == b"v"
            assert await sp.list() == ["a"] and await sp.exists("a")
            assert (await sp.locate("a")).startswith("file:")
            assert await sp.get("b") is None
            with pytest.raises(secprov.NotFoundError):
                await sp.unseal("b")
            with pytest.raises(secprov.UnsupportedError):
                await sp.attest(b"n")
            await sp.delete("a")
        assert sp.closed
        with pytest.raises(secprov.UnavailableError):
            await aio.open(provider="tpm", config=legacy_conf)
        with pytest.raises(ValueError):
            await aio.open(config=legacy_conf, max_workers=0)
    asyncio.run(main())


def test_ticker_keeps_running_during_tpm_calls(module_tpm, tmp_path):
    """A 1 ms ticker while calls run against swtpm: one call held for 0.5 s
    (swtpm stopped), then 10 ordinary unseals; the ticker's worst gap stays
    far below the held call (bound 0.15 s: room for a loaded 2-core
    machine; a blocking call would make it >= 0.5 s)."""
    conf = module_tpm.config(tmp_path / "c.conf")

    async def main():
        async with await aio.open(config=conf) as sp:
            assert sp.is_tpm
            await sp.seal("t", b"x" * 32)
            gaps, stop = [], asyncio.Event()

            async def ticker():
                last = time.monotonic()
                while not stop.is_set():
                    await asyncio.sleep(0.001)
                    now = time.monotonic()
                    gaps.append(now - last)
                    last = now
            tick = asyncio.create_task(ticker())
            await asyncio.sleep(0.05)
            module_tpm.wedge()
            loop = asyncio.get_running_loop()
            loop.call_later(0.5, module_tpm.unwedge)
            t0 = time.monotonic()
            try:
                (await sp.unseal("t")).wipe()
            except secprov.SecprovTimeoutError:
                pass
            finally:
                module_tpm.unwedge()
            held = time.monotonic() - t0
            calls = []
            for _ in range(10):
                c0 = time.monotonic()
                (await sp.unseal("t")).wipe()
                calls.append(time.monotonic() - c0)
            stop.set()
            await tick
            return held, max(gaps), sorted(calls)[5], len(gaps)
    held, worst, median_call, ticks = asyncio.run(main())
    print("held call %.3f s, 10 calls median %.1f ms, ticker worst gap %.1f ms over %d ticks"
          % (held, median_call * 1e3, worst * 1e3, ticks))
    assert held >= 0.45
    assert worst < 0.15, "the loop stalled %.3f s during a %.3f s call" % (worst, held)
    assert ticks > 50

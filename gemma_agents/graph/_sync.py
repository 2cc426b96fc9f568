"""Run the graph's async parts from its sync API.

Tool execution is written once, as a coroutine (parallel calls are an ``asyncio.gather``
and timeouts an ``asyncio.wait_for``). The sync ``invoke`` path runs that coroutine on an
event loop kept per worker thread, which is much cheaper than ``asyncio.run`` creating and
tearing down a loop (and its thread pool) for every tool step. When the calling thread is
already running a loop (sync ``invoke`` called from async code), a helper thread runs it.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["run_sync"]

T = TypeVar("T")

_local = threading.local()


def _thread_loop() -> asyncio.AbstractEventLoop:
    loop: asyncio.AbstractEventLoop | None = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = asyncio.new_event_loop()
        _local.loop = loop
    return loop


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion from synchronous code, keeping context variables."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _thread_loop().run_until_complete(coro)
    ctx = contextvars.copy_context()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="gemma-agents-sync") as pool:
        return pool.submit(ctx.run, asyncio.run, coro).result()

"""Loops that run beside the app while it serves (the deadline sweep, the mail sender) and how
they end when it stops."""

from __future__ import annotations

import asyncio
import contextlib

STOP_GRACE_SECONDS = 5.0


async def stop_loop(stop: asyncio.Event, task: asyncio.Task[None]) -> None:
    """Ask the loop ``task`` to end (``stop``), give it a few seconds to finish what it is
    doing, then cancel it: a server that stops never waits on it for long."""
    stop.set()
    try:
        await asyncio.wait_for(asyncio.shield(task), STOP_GRACE_SECONDS)
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

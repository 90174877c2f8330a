"""A task that runs beside the app while it serves and stops with it: the mail worker and the
deadline sweep are both started and stopped this way."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from litestar import Litestar

Lifespan = Callable[[Litestar], contextlib.AbstractAsyncContextManager[None]]

# at shutdown, the work under way (a send, a ballot's count) may finish within this; past it
# the task is cancelled and its transaction rolled back: the next start does it again
STOP_GRACE_SECONDS = 5.0


def task_lifespan(
    name: str, run: Callable[[asyncio.Event], Coroutine[Any, Any, None]], grace: float
) -> Lifespan:
    """The app's lifespan part that runs ``run(stop)`` as a task while the app serves. At
    shutdown ``stop`` is set and the work under way has ``grace`` seconds to finish; past
    that the task is cancelled (its transaction rolled back)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(run(stop), name=name)
        try:
            yield
        finally:
            stop.set()
            try:
                await asyncio.wait_for(asyncio.shield(task), grace)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return lifespan


@contextlib.asynccontextmanager
async def no_task(app: Litestar) -> AsyncIterator[None]:
    """The lifespan part of a task that is not run (no SMTP server, say)."""
    yield

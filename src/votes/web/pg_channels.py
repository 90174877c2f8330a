"""PostgreSQL LISTEN/NOTIFY channels that survive a database restart.

Several ``votes serve`` processes on one PostgreSQL hand live events to each other through
LISTEN/NOTIFY: each process keeps one connection that LISTENs to the organisations' channels
its streams follow, and NOTIFYs through another when its services publish.

Litestar's own asyncpg backend opens its listening connection once and never again: after a
database restart, a failover or a dropped connection the process stops hearing the others
(the phones on it stay on a closed ballot) without a word in the logs. This one:

* notices a lost listener at once (asyncpg's termination callback: the server closed it) or
  within ``CHECK_SECONDS`` (a cheap ``SELECT 1`` that must answer in time: a silent network);
* reconnects with a bounded, jittered backoff (workers do not all knock at the same second)
  and LISTENs again to every channel still wanted;
* then hands every stream of those channels a ``RESYNC_SIGNAL``: whatever was published while
  nobody listened is lost, so each page re-fetches its own state (``votes.web.live``);
* NOTIFYs through one kept connection (not one per event), opened again when it broke; an
  event that cannot go out is logged and dropped. It never fails anything: the change is
  committed already, and a page catches up on its next fetch (its stream's resync, its poll);
* stops within a second or two whatever the database's state (every wait has a timeout), so
  a restart never hangs on it.

Each connection names itself (``application_name``: ``votes-live-listen-<pid>`` and
``votes-live-notify-<pid>``) so an operator can see, and tests can cut, one process's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
from collections.abc import AsyncGenerator, Iterable
from typing import Any

import asyncpg
from litestar.channels.backends.base import ChannelsBackend

logger = logging.getLogger("votes.live")

# what a stream receives from its channel after the listener came back: not JSON, so nothing
# mistakes it for an event; votes.web.live turns it into the pages' ``resync``
RESYNC_SIGNAL = b"\x00resync"

LISTENER_NAME = "votes-live-listen"
PUBLISHER_NAME = "votes-live-notify"
CHECK_SECONDS = 10.0  # how long a connection that went silent (no FIN) may go unnoticed
TIMEOUT_SECONDS = 3.0  # any one connect, LISTEN, check or NOTIFY
FIRST_BACKOFF_SECONDS = 0.25  # the first reconnection is immediate; later ones wait this, doubled
MAX_BACKOFF_SECONDS = 5.0
PUBLISH_PAUSE_SECONDS = 1.0  # after a failed connect, events are dropped at once for this long
CLOSE_SECONDS = 1.0


class PostgresChannelsBackend(ChannelsBackend):
    """Litestar channels on PostgreSQL LISTEN/NOTIFY that reconnect by themselves."""

    def __init__(
        self,
        dsn: str,
        *,
        check_seconds: float = CHECK_SECONDS,
        timeout_seconds: float = TIMEOUT_SECONDS,
    ) -> None:
        self._dsn = dsn
        self._check_seconds = check_seconds
        self._timeout = timeout_seconds
        self._channels: set[str] = set()  # wanted: LISTENed again on every connection
        self._queue: asyncio.Queue[tuple[str, bytes]] | None = None
        self._listener: Any = None  # the connection that LISTENs, None while it is down
        self._supervisor: asyncio.Task[None] | None = None
        self._publisher: Any = None
        self._publish_paused_until = 0.0
        self._fresh_primitives()

    def _fresh_primitives(self) -> None:
        # made again on the loop that starts the app (a test may start it on another loop)
        self._listener_lock = asyncio.Lock()  # one statement at a time on the listener
        self._lost = asyncio.Event()  # set when the listener died or stopped answering
        self._publisher_lock = asyncio.Lock()

    # -- lifecycle -------------------------------------------------------------------------

    async def on_startup(self) -> None:
        self._fresh_primitives()
        self._queue = asyncio.Queue()
        try:
            await self._listen()
        except Exception as error:  # the supervisor keeps trying; streams resync when it can
            logger.warning("live events: cannot listen on PostgreSQL yet (%s)", _say(error))
        self._supervisor = asyncio.get_running_loop().create_task(self._supervise())

    async def on_shutdown(self) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
            # bounded: a cancel landing as a wait ends may be swallowed (Python 3.11's wait_for)
            await asyncio.wait([self._supervisor], timeout=CLOSE_SECONDS)
            self._supervisor = None
        listener, self._listener = self._listener, None
        publisher, self._publisher = self._publisher, None
        await asyncio.gather(_close(listener), _close(publisher))
        self._channels.clear()
        self._queue = None

    # -- listening -------------------------------------------------------------------------

    async def subscribe(self, channels: Iterable[str]) -> None:
        """LISTEN to ``channels``. Never fails: with the listener down, the channels are
        LISTENed to (and their streams resynced) when it comes back."""
        wanted = set(channels)
        self._channels |= wanted
        async with self._listener_lock:
            connection = self._listener
            if connection is None:
                return
            try:
                for channel in sorted(wanted & self._channels):  # unless dropped meanwhile
                    await asyncio.wait_for(
                        connection.add_listener(channel, self._on_notification), self._timeout
                    )
            except Exception as error:
                logger.warning("live events: LISTEN failed (%s), reconnecting", _say(error))
                self._mark_lost(connection)

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        gone = set(channels)
        self._channels -= gone
        async with self._listener_lock:
            connection = self._listener
            if connection is None:
                return
            try:
                for channel in sorted(gone - self._channels):  # unless wanted again meanwhile
                    await asyncio.wait_for(
                        connection.remove_listener(channel, self._on_notification), self._timeout
                    )
            except Exception as error:
                logger.warning("live events: UNLISTEN failed (%s), reconnecting", _say(error))
                self._mark_lost(connection)

    async def stream_events(self) -> AsyncGenerator[tuple[str, bytes], None]:
        queue = self._queue
        if queue is None:
            raise RuntimeError("the channels backend has not started")
        while True:
            channel, payload = await queue.get()
            queue.task_done()
            if channel in self._channels:  # an UNLISTEN may have crossed the notification
                yield channel, payload

    async def get_history(self, channel: str, limit: int | None = None) -> list[bytes]:
        raise NotImplementedError("LISTEN/NOTIFY keeps no history")

    async def _listen(self) -> None:
        """A new listening connection, LISTENing to every wanted channel."""
        connection = await self._connect(LISTENER_NAME)
        async with self._listener_lock:
            try:
                # registered first: a loss during the LISTENs is then seen too
                connection.add_termination_listener(self._on_termination)
                for channel in sorted(self._channels):
                    await asyncio.wait_for(
                        connection.add_listener(channel, self._on_notification), self._timeout
                    )
            except BaseException:
                connection.terminate()
                raise
            self._lost.clear()
            self._listener = connection
        if connection.is_closed():  # closed before it was ours: its callback was ignored
            self._mark_lost(connection)

    async def _supervise(self) -> None:
        """Keep a listener: reconnect when it is lost, check it when it is quiet."""
        while True:
            if self._listener is None:
                await self._reconnect()
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost.wait(), self._check_seconds)
            connection = self._listener
            if not self._lost.is_set() and connection is not None:
                await self._check(connection)
            if self._lost.is_set() and connection is not None:
                logger.warning("live events: lost the PostgreSQL listener, reconnecting")
                self._listener = None
                connection.terminate()

    async def _reconnect(self) -> None:
        """Listen again, however long it takes, then have every stream catch up."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        backoff = FIRST_BACKOFF_SECONDS
        attempts = 0
        while True:
            attempts += 1
            try:
                await self._listen()
            except Exception as error:
                log = logger.warning if attempts == 1 else logger.info
                log("live events: PostgreSQL listener not back yet (%s)", _say(error))
                # jittered: every worker of every instance does not knock at the same moment
                await asyncio.sleep(backoff * random.uniform(0.5, 1.0))  # noqa: S311
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            break
        self._publish_paused_until = 0.0  # the database is back: events go out again at once
        channels = sorted(self._channels)
        logger.warning(
            "live events: listening again after %.1f s (attempt %d); %d channels resync",
            loop.time() - started,
            attempts,
            len(channels),
        )
        self._resync_here(channels)

    async def _check(self, connection: Any) -> None:
        async with self._listener_lock:
            if connection is not self._listener:
                return
            try:
                await connection.fetchval("SELECT 1", timeout=self._timeout)
            except Exception as error:
                logger.warning("live events: listener check failed (%s)", _say(error))
                self._mark_lost(connection)

    def _mark_lost(self, connection: Any) -> None:
        if connection is self._listener:
            self._lost.set()

    def _on_termination(self, connection: Any) -> None:
        self._mark_lost(connection)  # ignored for a connection already dropped or closed here

    def _on_notification(self, connection: Any, pid: int, channel: str, payload: object) -> None:
        queue = self._queue
        if queue is not None and isinstance(payload, str) and connection is self._listener:
            queue.put_nowait((channel, payload.encode()))

    # -- publishing ------------------------------------------------------------------------

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        """NOTIFY ``channels``. Never raises (Litestar's publishing task would die with the
        error, and every later event with it): an event that cannot go out is logged."""
        text = data.decode()
        targets = list(channels)
        async with self._publisher_lock:
            for attempt in (1, 2):  # a kept connection may have broken since the last event
                try:
                    connection = await self._publishing_connection()
                    for channel in targets:
                        await connection.execute(
                            "SELECT pg_notify($1, $2)", channel, text, timeout=self._timeout
                        )
                except Exception as error:
                    broken, self._publisher = self._publisher, None
                    if broken is not None:
                        broken.terminate()
                    if attempt == 1 and broken is not None:
                        continue
                    logger.warning(
                        "live event not sent (%s); this process's pages resync", _say(error)
                    )
                    # the other processes may miss it too: their pages catch up on their next
                    # poll; this one's streams at least re-fetch now
                    self._resync_here(targets)
                return

    def _resync_here(self, channels: Iterable[str]) -> None:
        queue = self._queue
        if queue is not None:
            for channel in channels:
                if channel in self._channels:
                    queue.put_nowait((channel, RESYNC_SIGNAL))

    async def _publishing_connection(self) -> Any:
        connection = self._publisher
        if connection is not None and not connection.is_closed():
            return connection
        self._publisher = None
        loop = asyncio.get_running_loop()
        if loop.time() < self._publish_paused_until:
            raise ConnectionError("PostgreSQL was unreachable a moment ago")
        try:
            self._publisher = await self._connect(PUBLISHER_NAME)
        except Exception:
            self._publish_paused_until = loop.time() + PUBLISH_PAUSE_SECONDS
            raise
        return self._publisher

    async def _connect(self, name: str) -> Any:
        return await asyncpg.connect(
            self._dsn,
            timeout=self._timeout,
            server_settings={"application_name": f"{name}-{os.getpid()}"},
        )


async def _close(connection: Any) -> None:
    if connection is None:
        return
    with contextlib.suppress(Exception):  # close() aborts the connection when it fails
        await connection.close(timeout=CLOSE_SECONDS)


def _say(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__

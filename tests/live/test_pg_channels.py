"""The PostgreSQL channels backend through a database that goes away and comes back (#8).

Between the backend and PostgreSQL sits a TCP relay the test closes and reopens: what a
database restart looks like from a worker (connections cut, then refused, then accepted
again). The shared test server itself is never restarted."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from tests.conftest import POSTGRES_ADMIN_URL

from votes.web.pg_channels import RESYNC_SIGNAL, PostgresChannelsBackend

WITHIN = 15.0  # generous: reconnection backs off up to 5 s between attempts


class Relay:
    """A TCP relay to PostgreSQL that can be taken down (connections cut, new ones refused)
    and brought back on the same port, or can silently swallow what its open connections
    carry (a network that drops packets: no error, no end, nothing)."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._generation = 0  # connections of an older generation are black holes

    async def up(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def down(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        if server is not None:
            await server.wait_closed()

    def swallow_open_connections(self) -> None:
        self._generation += 1

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, upstream_writer}
        generation = self._generation
        await asyncio.gather(
            self._pipe(reader, upstream_writer, generation),
            self._pipe(upstream_reader, writer, generation),
            return_exceptions=True,
        )

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, generation: int
    ) -> None:
        try:
            while chunk := await reader.read(65536):
                if generation == self._generation:
                    writer.write(chunk)
                    await writer.drain()
        finally:
            writer.transport.abort()


@pytest.fixture
async def relay() -> AsyncIterator[Relay]:
    address = urlsplit(POSTGRES_ADMIN_URL)
    try:
        probe = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {error}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {error}")
    await probe.close()
    found = Relay(address.hostname or "127.0.0.1", address.port or 5432)
    await found.up()  # to learn a free port, then down: the test decides
    await found.down()
    try:
        yield found
    finally:
        await found.down()


def _through(relay: Relay) -> str:
    address = urlsplit(POSTGRES_ADMIN_URL)
    user = f"{address.username}@" if address.username else ""
    return urlunsplit(address._replace(netloc=f"{user}127.0.0.1:{relay.port}"))


async def _notify(channel: str, payload: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)  # not through the relay
    try:
        await connection.execute("SELECT pg_notify($1, $2)", channel, payload)
    finally:
        await connection.close()


async def _next(events: AsyncIterator[tuple[str, bytes]]) -> tuple[str, bytes]:
    return await asyncio.wait_for(anext(events), WITHIN)


async def test_a_worker_started_while_the_database_was_away_listens_once_it_is_back(
    relay: Relay, caplog: pytest.LogCaptureFixture
) -> None:
    channel = f"votes_test_{uuid.uuid4().hex[:12]}"
    backend = PostgresChannelsBackend(_through(relay), timeout_seconds=2)
    caplog.set_level(logging.WARNING, logger="votes.live")
    await backend.on_startup()  # the database is away: the app starts all the same
    events = backend.stream_events()
    try:
        await backend.subscribe([channel])  # a phone's stream opens: no error either
        await backend.publish(b'{"kind":"ballot"}', [channel])  # dropped, logged, not raised
        assert "live event not sent" in caplog.text
        # this process's own phones re-fetch at once instead of missing it
        assert await _next(events) == (channel, RESYNC_SIGNAL)

        await relay.up()  # the database is back
        assert await _next(events) == (channel, RESYNC_SIGNAL)  # the phones catch up
        await _notify(channel, "after")
        assert await _next(events) == (channel, b"after")  # and hear the others again
    finally:
        await asyncio.wait_for(backend.on_shutdown(), 5)
        with contextlib.suppress(Exception):
            await events.aclose()


async def test_a_database_restart_cuts_the_listener_and_the_worker_listens_again(
    relay: Relay,
) -> None:
    channel = f"votes_test_{uuid.uuid4().hex[:12]}"
    backend = PostgresChannelsBackend(_through(relay), timeout_seconds=2)
    await relay.up()
    await backend.on_startup()
    events = backend.stream_events()
    try:
        await backend.subscribe([channel])
        await backend.publish(b"before", [channel])  # its publishing connection is kept
        assert await _next(events) == (channel, b"before")

        await relay.down()  # the restart: connections cut, new ones refused for a while
        await backend.publish(b"lost", [channel])  # other processes miss it, nothing raises
        assert await _next(events) == (channel, RESYNC_SIGNAL)  # this one's phones re-fetch
        await relay.up()
        assert await _next(events) == (channel, RESYNC_SIGNAL)  # listening again: all catch up
        await backend.publish(b"through a new connection", [channel])
        assert await _next(events) == (channel, b"through a new connection")
    finally:
        await asyncio.wait_for(backend.on_shutdown(), 5)  # no hung restart
        with contextlib.suppress(Exception):
            await events.aclose()


async def test_a_listener_that_went_silent_is_noticed_and_replaced(relay: Relay) -> None:
    """No error and no end of connection (a network dropping packets): the periodic check
    stops waiting for an answer, and the worker listens through a new connection."""
    channel = f"votes_test_{uuid.uuid4().hex[:12]}"
    backend = PostgresChannelsBackend(_through(relay), check_seconds=0.5, timeout_seconds=1)
    await relay.up()
    await backend.on_startup()
    events = backend.stream_events()
    try:
        await backend.subscribe([channel])
        relay.swallow_open_connections()
        await _notify(channel, "swallowed")  # never reaches the silent listener
        assert await _next(events) == (channel, RESYNC_SIGNAL)
        await _notify(channel, "heard")
        assert await _next(events) == (channel, b"heard")
    finally:
        await asyncio.wait_for(backend.on_shutdown(), 5)
        with contextlib.suppress(Exception):
            await events.aclose()

"""Turnout is announced at most once per second per ballot, and the last count always arrives:
by each process (the publisher's throttle) and by each stream (several workers publish)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator

import pytest
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend

from votes.db import live_queries
from votes.db.live_queries import TurnoutSignal
from votes.services import events
from votes.services.events import EventKind, LiveEvent
from votes.web.live import BALLOT_KINDS, LiveSubscriber, StreamScope, _follow

WITHIN = 10 * events.TURNOUT_INTERVAL_SECONDS  # a generous bound on a busy machine


class Published(list[LiveEvent]):
    """The events published, and a way to wait for the next one instead of sleeping."""

    def __init__(self) -> None:
        super().__init__()
        self.grown = asyncio.Event()

    async def wait_for(self, count: int) -> None:
        async with asyncio.timeout(WITHIN):
            while len(self) < count:
                self.grown.clear()
                await self.grown.wait()


@pytest.fixture
def published() -> Iterator[Published]:
    sent = Published()

    def publisher(data: bytes, channels: Iterable[str]) -> None:
        event = LiveEvent.decode(data)
        assert event is not None
        assert list(channels) == [events.channel_of(event.organisation_id)]
        sent.append(event)
        sent.grown.set()

    events.install(publisher)
    yield sent
    events.install(None)


async def test_a_burst_of_votes_gives_one_signal_now_and_one_with_the_final_count(
    published: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = [0]

    async def count(ballot_id: int) -> TurnoutSignal:
        return TurnoutSignal(organisation_id=3, assembly_id=4, total=stored[0], eligible=50)

    monkeypatch.setattr(live_queries, "turnout_signal", count)
    for _ in range(10):
        stored[0] += 1
        events.votes_counted(7)
        await asyncio.sleep(0)
    await published.wait_for(2)  # the second one waits for the throttle's second
    assert [(e.kind, e.ballot_id, e.total) for e in published] == [
        (EventKind.TURNOUT, 7, 1),
        (EventKind.TURNOUT, 7, 10),
    ]


def test_nothing_is_counted_when_no_app_listens(monkeypatch: pytest.MonkeyPatch) -> None:
    async def count(ballot_id: int) -> TurnoutSignal:
        raise AssertionError("no query without a publisher")

    monkeypatch.setattr(live_queries, "turnout_signal", count)
    events.votes_counted(7)  # the `votes` command, a service test: a no-op


async def test_a_stream_coalesces_turnout_from_several_workers() -> None:
    plugin = ChannelsPlugin(
        MemoryChannelsBackend(), arbitrary_channels_allowed=True, subscriber_class=LiveSubscriber
    )
    subscriber = LiveSubscriber(plugin)
    scope = StreamScope(BALLOT_KINDS, ballot_id=7)
    for total in (1, 2, 3):  # three workers announce within the same second
        subscriber.put_nowait(_turnout(7, total))
    subscriber.put_nowait(_turnout(8, 99))  # another ballot: not this page's
    subscriber.put_nowait(LiveEvent(EventKind.BALLOT, 3, 1, ballot_id=7, change="closed").encode())
    received: list[bytes] = []
    final_count = asyncio.Event()

    async def read() -> None:
        async for chunk in _follow(subscriber, scope, "en", heartbeat=30):
            received.append(chunk)
            if b"3 members" in chunk:
                final_count.set()

    reader = asyncio.create_task(read())
    async with asyncio.timeout(WITHIN):  # the final count waits for the stream's second
        await final_count.wait()
    subscriber.put_nowait(None)  # shutdown
    await reader
    texts = [chunk.decode() for chunk in received]
    assert [t for t in texts if "event: turnout" in t] == [
        "id: 11\r\nevent: turnout\r\ndata: 1 member has voted.\r\n\r\n",
        "id: 13\r\nevent: turnout\r\ndata: 3 members have voted.\r\n\r\n",
    ]
    assert sum("event: ballot" in t for t in texts) == 1
    assert "retry: 3000" in texts[-1]  # the shutdown tells the browser to come back


def _turnout(ballot_id: int, total: int) -> bytes:
    event = LiveEvent(EventKind.TURNOUT, 3, 10 + total, ballot_id=ballot_id, total=total)
    return event.encode()


def test_bytes_that_are_no_event_are_ignored() -> None:
    assert LiveEvent.decode(b"not json") is None
    assert LiveEvent.decode(b'{"kind": "unknown", "organisation_id": 1, "at": 1}') is None


def test_a_ballots_stream_keeps_its_ballot_and_its_assemblys_quorum() -> None:
    scope = StreamScope(BALLOT_KINDS, ballot_id=7, assembly_id=4)
    assert scope.wants(LiveEvent(EventKind.BALLOT, 3, 1, assembly_id=4, ballot_id=7))
    assert scope.wants(LiveEvent(EventKind.QUORUM, 3, 1, assembly_id=4))
    assert not scope.wants(LiveEvent(EventKind.BALLOT, 3, 1, assembly_id=4, ballot_id=8))
    assert not scope.wants(LiveEvent(EventKind.QUORUM, 3, 1, assembly_id=5))
    assert not scope.wants(LiveEvent(EventKind.THREAD, 3, 1, thread_id=2))

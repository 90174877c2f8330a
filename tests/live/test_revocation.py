"""A stream lives only as long as what let it open: the membership and the session (#14).

A phone connected before its member was recorded as gone, suspended or signed out must not
go on receiving the room's signals (the vote list travels in them): its stream ends at once,
and a ballot opened afterwards never reaches it. Against ``votes serve`` on SQLite, then two
processes on PostgreSQL (the signal that a stream must end crosses workers like any other)."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from tests.live.browser import (
    FACILITATOR,
    ORG,
    Browser,
    Stream,
    browser,
    console,
    new_ballot,
)
from tests.support.server import ServedApp

from votes.services import events
from votes.services.demo import DEMO_PASSWORD
from votes.services.events import AccessEnded, EventKind, LiveEvent
from votes.web.live import (
    ORGANISATION_KINDS,
    LiveHub,
    LiveSubscriber,
    StreamGrant,
    StreamScope,
    _stream,
)

ENDED_WITHIN = 5.0  # seconds: a bound on a wait, not a measure of speed


NAMES = {"hugo": "Hugo Lefèvre", "ines": "Inès Moreau", "manon": "Manon Fournier"}


def _email(name: str) -> str:
    return f"{name}@demo.votes.invalid"


async def _membership_id(admin: Browser, name: str) -> int:
    page = await admin.client.get(f"/o/{ORG}/members", params={"q": NAMES[name]})
    found = re.search(rf'/o/{ORG}/members/(\d+)">{NAMES[name]}<', page.text)
    assert found, page.text[:500]
    return int(found.group(1))


async def _set_status(admin: Browser, name: str, status: str) -> None:
    membership_id = await _membership_id(admin, name)
    path = f"/o/{ORG}/members/{membership_id}"
    answer = await admin.post(f"{path}/status", {"status": status}, token_from=path)
    assert answer.status_code == 303, answer.text[:500]


async def _ends_without(stream: Stream, ballot_id: int) -> None:
    """The stream ends, and nothing about ``ballot_id`` came before its end."""
    while True:
        event = await stream.next_event(ENDED_WITHIN)
        if event is None:
            return
        if event.name == "ballot":
            assert event.json().get("ballot_id") != ballot_id, f"delivered after the end: {event}"
        elif event.name == "vote-area":
            assert f'/ballots/{ballot_id}"' not in event.data, f"delivered after the end: {event}"


async def _opened_after(
    admin: Browser, phone: Browser, question: str, act: Callable[[], Awaitable[None]]
) -> None:
    """The phone listens; ``act`` happens, then a ballot opens: the phone's stream ends and
    never carried the ballot."""
    ballot_id = await new_ballot(admin, question)
    async with phone.stream(_live()) as stream:
        await act()
        await console(admin, ballot_id, "open")
        await _ends_without(stream, ballot_id)


async def _signing_out_everywhere_ends_the_phones_stream(
    urls: tuple[str, str, str], name: str, question: str
) -> None:
    """``name`` signs out everywhere on a laptop while their phone listens; ``urls``: where
    the facilitator, the phone and the laptop reach the app."""
    admin_url, phone_url, laptop_url = urls
    async with (
        browser(admin_url, FACILITATOR) as admin,
        browser(phone_url, _email(name)) as phone,
        browser(laptop_url, _email(name)) as laptop,
    ):

        async def sign_out_everywhere() -> None:
            answer = await laptop.post("/account/sign-out-everywhere", {}, token_from="/account")
            assert answer.status_code == 303

        await _opened_after(admin, phone, question, sign_out_everywhere)


def _live(path: str = "/live") -> str:
    return f"/o/{ORG}{path}?vote_area=1&since={int(time.time() * 1000) + 5000}"


@pytest.mark.parametrize("status", ["left", "suspended"])
async def test_a_member_recorded_as_gone_stops_receiving_the_room_at_once(
    server: ServedApp, status: str
) -> None:
    name = {"left": "hugo", "suspended": "ines"}[status]
    async with (
        browser(server.base_url, FACILITATOR) as admin,
        browser(server.base_url, _email(name)) as gone,
    ):
        await _opened_after(
            admin,
            gone,
            f"Opened after {name} was {status}",
            lambda: _set_status(admin, name, status),
        )
        again = await gone.client.get(_live())  # the phone reconnects by itself: refused
        assert again.status_code in (303, 401, 404)  # to the sign-in page, or nothing


async def test_signing_out_everywhere_ends_the_streams_of_every_session(server: ServedApp) -> None:
    url = server.base_url
    await _signing_out_everywhere_ends_the_phones_stream(
        (url, url, url), "noah", "Opened after Noah signed out everywhere"
    )


async def _only_the_phones_stream_ends(
    server: ServedApp, name: str, title: str, act: Callable[[Browser, Browser], Awaitable[None]]
) -> None:
    """``name`` signed in on a phone and a laptop, both listening; ``act(phone, laptop)``
    must end the phone's stream only: a ballot opened then reaches the laptop, not the
    phone."""
    async with (
        browser(server.base_url, FACILITATOR) as admin,
        browser(server.base_url, _email(name)) as phone,
        browser(server.base_url, _email(name)) as laptop,
    ):
        ballot_id = await new_ballot(admin, title)
        async with phone.stream(_live()) as ending, laptop.stream(_live()) as staying:
            await act(phone, laptop)
            await console(admin, ballot_id, "open")
            await _ends_without(ending, ballot_id)
            opened = await staying.wait_for("ballot", ENDED_WITHIN, ballot_id=ballot_id)
        assert opened.json()["change"] == "opened"


async def test_signing_out_ends_that_sessions_streams_only(server: ServedApp) -> None:
    async def phone_signs_out(phone: Browser, _laptop: Browser) -> None:
        answer = await phone.post("/logout", {}, token_from="/")
        assert answer.status_code == 303

    await _only_the_phones_stream_ends(
        server, "chloe", "Opened after Chloé signed out on her phone", phone_signs_out
    )


async def test_a_password_change_ends_the_other_sessions_streams_not_the_askers(
    server: ServedApp,
) -> None:
    async def laptop_changes_the_password(_phone: Browser, laptop: Browser) -> None:
        new = "another-long-enough-password"
        answer = await laptop.post(
            "/account/password",
            {"current": DEMO_PASSWORD, "password": new, "confirmation": new},
            token_from="/account",
        )
        assert answer.status_code == 303, answer.text[:500]

    await _only_the_phones_stream_ends(
        server, "jules", "Opened after Jules changed his password", laptop_changes_the_password
    )


async def test_a_member_gone_through_one_process_loses_the_stream_held_by_the_other(
    servers: tuple[ServedApp, ServedApp],
) -> None:
    first, second = servers
    async with (
        browser(first.base_url, FACILITATOR) as admin,
        browser(second.base_url, _email("manon")) as gone,
    ):
        await _opened_after(
            admin,
            gone,
            "Opened after Manon left, on another process",
            lambda: _set_status(admin, "manon", "left"),
        )


async def test_signing_out_everywhere_through_one_process_ends_streams_on_the_other(
    servers: tuple[ServedApp, ServedApp],
) -> None:
    first, second = servers
    await _signing_out_everywhere_ends_the_phones_stream(
        (first.base_url, second.base_url, first.base_url),
        "lucas",
        "Opened after Lucas signed out, on another process",
    )


# -- in one process, the order of things -----------------------------------------------------


@pytest.fixture
async def hub() -> AsyncIterator[LiveHub]:
    plugin = ChannelsPlugin(
        MemoryChannelsBackend(), arbitrary_channels_allowed=True, subscriber_class=LiveSubscriber
    )
    running = LiveHub(plugin, heartbeat_seconds=30, serving=True)
    async with plugin:
        events.install(plugin.publish)
        try:
            await running.watch_access()
            yield running
        finally:
            events.install(None)


def _grant(membership_id: int, session: str = "a-session") -> StreamGrant:
    return StreamGrant(membership_id, person_id=membership_id + 100, session=session, since=0.0)


async def _read(hub: LiveHub, grant: StreamGrant, chunks: list[str]) -> None:
    scope = StreamScope(ORGANISATION_KINDS)
    async for chunk in _stream(hub, 3, scope, None, "en", grant):
        chunks.append(chunk.decode())


async def _until(condition: object) -> None:
    for _ in range(1000):  # the memory channels hand items over within a few loop turns
        if callable(condition) and condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("never happened")


async def test_a_removal_published_just_before_a_ballot_keeps_the_ballot_from_its_streams(
    hub: LiveHub,
) -> None:
    gone, staying = _grant(5), _grant(6)
    gone_chunks: list[str] = []
    staying_chunks: list[str] = []
    readers = [
        asyncio.create_task(_read(hub, gone, gone_chunks)),
        asyncio.create_task(_read(hub, staying, staying_chunks)),
    ]
    await _until(lambda: len(hub.streams) == 2)
    events.membership_status_changed(5, "left")
    events.ballot_changed(3, 1, 42, "opened")  # at once: no time for the removal to settle
    await _until(lambda: any('"ballot_id":42' in chunk for chunk in staying_chunks))
    await readers[0]  # the removed member's stream ended by itself
    hub.end_streams()
    await readers[1]
    assert not any('"ballot_id":42' in chunk for chunk in gone_chunks)
    assert gone.ended
    assert not staying.ended


async def test_a_restored_membership_ends_nothing(hub: LiveHub) -> None:
    grant = _grant(7)
    chunks: list[str] = []
    reader = asyncio.create_task(_read(hub, grant, chunks))
    await _until(lambda: len(hub.streams) == 1)
    events.membership_status_changed(7, "active")
    events.ballot_changed(3, 1, 43, "opened")
    await _until(lambda: any('"ballot_id":43' in chunk for chunk in chunks))
    hub.end_streams()
    await reader
    assert not grant.ended


async def test_a_stream_whose_access_ended_while_its_request_was_on_its_way_never_starts(
    hub: LiveHub,
) -> None:
    before = time.perf_counter()  # the request began, its guards read the session…
    events.access_ended(AccessEnded(session="a-session"))  # …then it was signed out
    await _until(lambda: hub.ended_access)
    late: list[str] = []
    await _read(hub, StreamGrant(8, 108, "a-session", since=before), late)
    signed_in_again: list[str] = []  # a new session, after the sign-out: it goes on
    reader = asyncio.create_task(
        _read(hub, StreamGrant(8, 108, "new-session", since=time.perf_counter()), signed_in_again)
    )
    await _until(lambda: signed_in_again)
    hub.end_streams()
    await reader
    assert late == []


def test_signing_out_everywhere_but_here_spares_only_here() -> None:
    everywhere_but_here = AccessEnded(person_id=109, kept_session="here")
    assert _grant(9, session="phone").ended_by(everywhere_but_here)
    assert not _grant(9, session="here").ended_by(everywhere_but_here)
    assert not _grant(10, session="phone").ended_by(everywhere_but_here)  # someone else
    assert AccessEnded.decode(everywhere_but_here.encode()) == everywhere_but_here
    assert AccessEnded.decode(LiveEvent(EventKind.BALLOT, 3, 1).encode()) is None
    assert AccessEnded.decode(b"\x00resync") is None
    assert AccessEnded.decode(b"{}") is None

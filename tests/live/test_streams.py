"""Live updates end to end, against ``votes serve`` on a temporary SQLite file: what phones,
consoles and projectors connected to the event streams receive when the room moves on.

Bounds such as "within 1 s" are the issue's promises, counted from the moment the acting
request was answered (the signal leaves before that answer); they bound a wait, they do not
measure speed (``make bench-live`` does)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.live.browser import (
    DELIVERED_WITHIN,
    LIVE_SETTINGS,
    MEMBER,
    ORG,
    Stream,
    assert_listed,
    assert_one_voted,
    browser,
    console,
    facilitator_and_member,
    new_ballot,
    opened_ballot,
    vote,
)
from tests.support.server import ServedApp

HEARTBEAT_SECONDS = 1


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    data_dir = tmp_path_factory.mktemp("live-sqlite")
    environment = {**LIVE_SETTINGS, "VOTES_LIVE_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS)}
    with ServedApp(data_dir, environment).running("--demo") as running:
        yield running


async def test_a_ballot_opened_at_the_console_reaches_a_connected_phone(server: ServedApp) -> None:
    async with facilitator_and_member(server.base_url) as (facilitator, member):
        ballot_id = await new_ballot(facilitator, "Opened while phones listen")
        async with member.stream(f"/o/{ORG}/live?since={int(time.time() * 1000)}") as stream:
            await stream.next_event(DELIVERED_WITHIN * 5)  # the page was up to date: no resync
            await console(facilitator, ballot_id, "open")
            event = await stream.wait_for("ballot", DELIVERED_WITHIN, ballot_id=ballot_id)
        assert event.json()["change"] == "opened"
        # the signal says "fetch": the phone's vote list now links to the ballot
        await assert_listed(member, ballot_id)


async def test_the_vote_list_arrives_with_the_signal_so_phones_need_not_fetch_it(
    server: ServedApp,
) -> None:
    async with facilitator_and_member(server.base_url) as (facilitator, member):
        ballot_id = await new_ballot(facilitator, "Pushed to every phone")
        since = int(time.time() * 1000) + 5000
        async with member.stream(f"/o/{ORG}/live?vote_area=1&since={since}") as stream:
            await console(facilitator, ballot_id, "open")
            opened = await stream.wait_for("vote-area", DELIVERED_WITHIN)
            await console(facilitator, ballot_id, "cancel")
            cancelled = await stream.wait_for("vote-area", DELIVERED_WITHIN)
    assert f'href="/o/{ORG}/ballots/{ballot_id}"' in opened.data
    assert "Pushed to every phone" in opened.data
    assert 'id="vote-area"' in opened.data
    assert f"/ballots/{ballot_id}" not in cancelled.data


async def test_votes_move_the_turnout_on_the_ballot_page_in_the_viewers_words(
    server: ServedApp,
) -> None:
    async with facilitator_and_member(server.base_url) as (facilitator, member):
        ballot_id = await opened_ballot(facilitator, "Turnout moves")
        await facilitator.post("/language", {"language": "en", "next": "/"}, token_from="/")
        path = f"/o/{ORG}/ballots/{ballot_id}/live"
        async with facilitator.stream(path) as english, member.stream(path) as french:
            await vote(member, ballot_id)
            in_english = await english.wait_for("turnout", DELIVERED_WITHIN)
            in_french = await french.wait_for("turnout", DELIVERED_WITHIN)
        assert in_english.data == "1 member has voted."
        assert in_french.data == "1 membre a voté."  # the cooperative's language
        await assert_one_voted(facilitator, ballot_id)


async def test_a_stream_only_carries_its_own_ballot(server: ServedApp) -> None:
    async with facilitator_and_member(server.base_url) as (facilitator, member):
        watched = await new_ballot(facilitator, "Watched")
        other = await new_ballot(facilitator, "Other")
        async with member.stream(f"/o/{ORG}/ballots/{watched}/live") as stream:
            await console(facilitator, other, "open")
            await console(facilitator, watched, "open")
            event = await stream.wait_for("ballot", DELIVERED_WITHIN * 5)
        assert event.json()["ballot_id"] == watched


async def test_a_reconnecting_phone_catches_up_with_a_ballot_closed_meanwhile(
    server: ServedApp,
) -> None:
    async with facilitator_and_member(server.base_url) as (facilitator, member):
        ballot_id = await opened_ballot(facilitator, "Closed while a phone was away")
        path = f"/o/{ORG}/ballots/{ballot_id}/live"
        async with member.stream(path) as stream:
            seen = await stream.wait_for("resync", DELIVERED_WITHIN * 5)  # no since: catch up
            await console(facilitator, ballot_id, "cancel")  # any act gives the stream an id
            last = await stream.wait_for("ballot", DELIVERED_WITHIN)
        assert seen.data == ""
        assert last.id is not None
        # the page's stream is gone (a phone in a tunnel)…
        missed = await opened_ballot(facilitator, "Opened and closed while away")
        await console(facilitator, missed, "close")
        # …and EventSource reconnects with the id of the last event it got
        async with member.stream(path, headers={"Last-Event-ID": last.id}) as stream:
            first = await stream.next_event(DELIVERED_WITHIN * 5)
        assert first is not None
        assert first.name == "resync"
        # the page re-fetches on "resync": the vote list no longer offers the closed ballot
        listed = await member.client.get(f"/o/{ORG}/vote", headers={"HX-Request": "true"})
        assert f"/ballots/{missed}" not in listed.text


async def test_a_page_that_missed_nothing_is_not_asked_to_refetch(server: ServedApp) -> None:
    async with browser(server.base_url, MEMBER) as member:
        since = int(time.time() * 1000) + 5000  # later than any act so far
        async with member.stream(f"/o/{ORG}/live?since={since}") as stream:
            event = await asyncio.wait_for(_first_event_or_heartbeat(stream), 10)
        assert event == "heartbeat"


async def _first_event_or_heartbeat(stream: Stream) -> str:
    while True:
        try:
            event = await stream.next_event(HEARTBEAT_SECONDS * 0.5)
        except TimeoutError:
            if "heartbeat" in stream.comments:
                return "heartbeat"
            continue
        return event.name if event else "ended"


async def test_idle_streams_carry_heartbeats_and_a_retry_hint(server: ServedApp) -> None:
    async with browser(server.base_url, MEMBER) as member:
        since = int(time.time() * 1000) + 5000  # nothing to catch up with: an idle stream
        async with member.stream(f"/o/{ORG}/live?since={since}") as stream:
            assert stream.response.headers["x-accel-buffering"] == "no"
            assert stream.response.headers["cache-control"] == "no-store"
            # the browser accepts gzip, but a compressed stream would be held back in buffers
            assert "gzip" in stream.response.request.headers["accept-encoding"]
            assert "content-encoding" not in stream.response.headers
            with pytest.raises(TimeoutError):
                await stream.next_event(HEARTBEAT_SECONDS * 2.5)
        assert stream.comments.count("heartbeat") >= 2
        assert stream.retry == 3000


async def test_another_organisations_members_get_no_stream(server: ServedApp) -> None:
    async with browser(server.base_url, MEMBER) as member:
        answer = await member.client.get("/o/no-such-coop/live")
        foreign_ballot = await member.client.get(f"/o/{ORG}/ballots/999999/live")
    assert answer.status_code == 404
    assert foreign_ballot.status_code == 404


async def test_shutdown_ends_open_streams_at_once(tmp_path: Path) -> None:
    """A restart must not wait for the phones: each stream ends with a "come back" hint."""
    single = ServedApp(tmp_path, LIVE_SETTINGS)
    await asyncio.to_thread(single.start, "--demo")
    try:
        outcome = await _stream_across_shutdown(single)
    finally:
        await asyncio.to_thread(single.stop)
    assert outcome == "ended with a retry hint"
    assert single.process is not None
    assert single.process.returncode is not None  # it stopped (uvicorn re-raises SIGTERM)


async def _stream_across_shutdown(single: ServedApp) -> str:
    async with browser(single.base_url, MEMBER) as member:
        async with member.listening(f"/o/{ORG}/live") as stream:
            single.terminate()
            # well before uvicorn's own graceful-shutdown timeout would cut it
            ending = await stream.next_event(4)
            assert ending is None
            assert "come back soon" in stream.comments
        assert single.process is not None
        await asyncio.to_thread(single.process.wait, 15)
    return "ended with a retry hint"

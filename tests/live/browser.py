"""A browser-like client that reads a served app's event streams (in-process test clients wait
for a response's end, which an event stream never has), and the demo's people to sign in."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from votes.services.demo import DEMO_PASSWORD

FACILITATOR = "camille@demo.votes.invalid"
MEMBER = "lea@demo.votes.invalid"
ORG = "demo"
# what the live tests' servers differ in from tests.support.server's: English pages, a quiet log
DELIVERED_WITHIN = 1.0  # seconds after the acting request's answer: a bound on a wait
LIVE_SETTINGS = {"VOTES_DEFAULT_LANGUAGE": "en", "VOTES_LOG_LEVEL": "WARNING"}
_CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


@dataclass(frozen=True, slots=True)
class Event:
    name: str
    data: str
    id: str | None

    def json(self) -> dict[str, object]:
        found: dict[str, object] = json.loads(self.data)
        return found


class Stream:
    """An open event stream, read event by event (comments are kept apart: heartbeats). A
    task reads the lines, so a wait that times out leaves the stream intact."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.comments: list[str] = []
        self.retry: int | None = None
        self._events: asyncio.Queue[Event | None] = asyncio.Queue()
        self._reader = asyncio.create_task(self._read())

    def close(self) -> None:
        self._reader.cancel()

    async def next_event(self, within: float) -> Event | None:
        """The next event within ``within`` seconds (TimeoutError otherwise), or None when
        the stream ended."""
        return await asyncio.wait_for(self._events.get(), within)

    async def _read(self) -> None:
        name, data, event_id = "message", [], None
        try:
            async for line in self.response.aiter_lines():
                if not line:
                    if data:
                        self._events.put_nowait(Event(name, "\n".join(data), event_id))
                    name, data, event_id = "message", [], None
                    continue
                field_name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if field_name == "":
                    self.comments.append(value)
                elif field_name == "event":
                    name = value
                elif field_name == "data":
                    data.append(value)
                elif field_name == "id":
                    event_id = value
                elif field_name == "retry":
                    self.retry = int(value)
        except httpx.HTTPError:
            pass
        finally:
            self._events.put_nowait(None)

    async def wait_for(self, name: str, within: float, **fields: object) -> Event:
        """Skip events until one named ``name`` whose JSON has ``fields`` arrives."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            left = deadline - asyncio.get_running_loop().time()
            event = await self.next_event(max(left, 0.001))
            assert event is not None, f"the stream ended before a {name!r} event"
            if event.name != name:
                continue
            if not fields or all(event.json().get(k) == v for k, v in fields.items()):
                return event


class Browser:
    """A signed-in person's browser: cookies, CSRF tokens read from pages, event streams."""

    def __init__(self, base: str) -> None:
        self.client = httpx.AsyncClient(base_url=base, timeout=30, follow_redirects=False)

    async def close(self) -> None:
        await self.client.aclose()

    async def token(self, path: str) -> str:
        page = await self.client.get(path)
        assert page.status_code == 200, (path, page.status_code)
        match = _CSRF_INPUT.search(page.text)
        assert match, f"no form on {path}"
        return match.group(1)

    async def sign_in(self, email: str) -> None:
        token = await self.token("/login")
        answer = await self.client.post(
            "/login",
            data={"email": email, "password": DEMO_PASSWORD, "_csrf_token": token, "next": "/"},
        )
        assert answer.status_code == 303, answer.text[:500]

    async def post(self, path: str, form: dict[str, str], token_from: str) -> httpx.Response:
        token = await self.token(token_from)
        return await self.client.post(path, data={**form, "_csrf_token": token})

    @asynccontextmanager
    async def stream(
        self, path: str, headers: dict[str, str] | None = None
    ) -> AsyncIterator[Stream]:
        async with self.client.stream(
            "GET", path, headers=headers, timeout=httpx.Timeout(30, read=None)
        ) as response:
            assert response.status_code == 200, path
            assert response.headers["content-type"].startswith("text/event-stream")
            stream = Stream(response)
            try:
                yield stream
            finally:
                stream.close()

    @asynccontextmanager
    async def listening(self, path: str, within: float = 10) -> AsyncIterator[Stream]:
        """The event stream at ``path`` once the server listens for it: a stream's first
        ``resync`` says it is connected, so what is done next reaches it."""
        async with self.stream(path) as stream:
            await stream.wait_for("resync", within)
            yield stream


@asynccontextmanager
async def browser(base: str, email: str) -> AsyncIterator[Browser]:
    person = Browser(base)
    try:
        await person.sign_in(email)
        yield person
    finally:
        await person.close()


@asynccontextmanager
async def facilitator_and_member(
    facilitator_base: str, member_base: str | None = None
) -> AsyncIterator[tuple[Browser, Browser]]:
    """The demo's facilitator and a member signed in, each on their own device (the member
    on ``member_base``, another process, when given)."""
    async with (
        browser(facilitator_base, FACILITATOR) as facilitator,
        browser(member_base or facilitator_base, MEMBER) as member,
    ):
        yield facilitator, member


async def new_ballot(
    facilitator: Browser, question: str, assembly_id: int = 1, **fields: str
) -> int:
    """A draft majority ballot created through the facilitator's form (``fields`` adds to
    it, ``minutes`` for a countdown); its id."""
    answer = await facilitator.post(
        f"/o/{ORG}/assemblies/{assembly_id}/ballots",
        {
            "question": question,
            "method": "majority",
            "options": "For\nAgainst\nAbstention",
            "seats": "1",
            "threshold": "1/2",
            **fields,
        },
        token_from=f"/o/{ORG}/assemblies/{assembly_id}/ballots/new",
    )
    assert answer.status_code == 303, answer.text[:500]
    found = re.search(r"/ballots/(\d+)/console", answer.headers["location"])
    assert found, answer.headers["location"]
    return int(found.group(1))


async def console(facilitator: Browser, ballot_id: int, action: str) -> None:
    """One tap on the console (open, close, publish…), as the facilitator's browser does."""
    base = f"/o/{ORG}/ballots/{ballot_id}"
    answer = await facilitator.post(
        f"{base}/console/{action}", {"reason": "test"}, token_from=f"{base}/console"
    )
    assert answer.status_code == 303, answer.text[:500]


async def opened_ballot(facilitator: Browser, question: str) -> int:
    """A majority ballot made (:func:`new_ballot`) and opened from its console; its id."""
    ballot_id = await new_ballot(facilitator, question)
    await console(facilitator, ballot_id, "open")
    return ballot_id


async def vote(member: Browser, ballot_id: int, choice: str = "yes") -> None:
    path = f"/o/{ORG}/ballots/{ballot_id}"
    page = await member.client.get(path)
    token = _CSRF_INPUT.search(page.text)
    submission = re.search(r'name="submission" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    assert submission, page.text[:500]
    answer = await member.client.post(
        f"{path}/vote",
        data={"choice": choice, "submission": submission.group(1), "_csrf_token": token.group(1)},
    )
    assert answer.status_code == 303, answer.text[:500]


async def assert_listed(member: Browser, ballot_id: int) -> None:
    """The member's vote list (the fragment a signal makes the page fetch) links to it."""
    listed = await member.client.get(f"/o/{ORG}/vote", headers={"HX-Request": "true"})
    assert f"/o/{ORG}/ballots/{ballot_id}" in listed.text


async def assert_one_voted(facilitator: Browser, ballot_id: int) -> None:
    """The ballot's turnout fragment, fetched again, counts one vote."""
    turnout = await facilitator.client.get(
        f"/o/{ORG}/ballots/{ballot_id}/turnout", headers={"HX-Request": "true"}
    )
    assert "<strong>1</strong>" in turnout.text

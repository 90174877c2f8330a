"""``votes serve`` in a subprocess on 127.0.0.1, and a browser-like client that reads its event
streams (in-process test clients wait for a response's end, which an event stream never has)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from votes.services.demo import DEMO_PASSWORD

SECRET_KEY = "live-tests-secret-key-that-is-long-enough-0123456789"
FACILITATOR = "camille@demo.votes.invalid"
MEMBER = "lea@demo.votes.invalid"
ORG = "demo"
STARTUP_SECONDS = 60  # migrations and the demo on a busy machine
_CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_environment(data_dir: Path, **extra: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("VOTES_") and key != "PICCOLO_CONF"
    }
    environment.update(
        VOTES_ENV="development",
        VOTES_DATA_DIR=str(data_dir),
        VOTES_SECRET_KEY=SECRET_KEY,
        VOTES_LOG_LEVEL="WARNING",
        VOTES_DEFAULT_LANGUAGE="en",
        **extra,
    )
    return environment


@dataclass
class Server:
    """One ``votes serve`` process; its output goes to a file (an unread pipe would stall it)."""

    data_dir: Path
    environment: dict[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.data_dir / f"server-{self.port}.log"

    def start(self, *arguments: str) -> None:
        votes = Path(sys.executable).with_name("votes")
        command = [str(votes), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, *arguments],
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"votes serve exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"votes serve did not start: {self.log.read_text()[-2000:]}")

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        self.terminate()
        if self.process is not None:
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


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
async def browser(base: str, email: str) -> AsyncIterator[Browser]:
    person = Browser(base)
    try:
        await person.sign_in(email)
        yield person
    finally:
        await person.close()


async def new_ballot(facilitator: Browser, question: str, assembly_id: int = 1) -> int:
    """A draft majority ballot created through the facilitator's form; its id."""
    answer = await facilitator.post(
        f"/o/{ORG}/assemblies/{assembly_id}/ballots",
        {
            "question": question,
            "method": "majority",
            "options": "For\nAgainst\nAbstention",
            "seats": "1",
            "threshold": "1/2",
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

"""Pages and fragments gzipped for browsers that accept it (phones on a crowded Wi-Fi).

Smaller than Litestar's compression middleware and cheaper per response, which matters when
every phone loads the ballot page in the same second: a page rendered in one piece is
compressed in one call at a fast level, and anything sent in several parts (event streams,
which must go out unbuffered, and large downloads) goes out as it is. Static files are
compressed once at start instead (``votes.web.static_assets``).
"""

from __future__ import annotations

import gzip
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

# level 1 is within ~10 % of level 9 on a page, at a fraction of the CPU
LEVEL = 1
SMALLEST = 1024  # below this, a fragment gains too little for the work


def accepts_gzip(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"accept-encoding":
            return lists_gzip(value.decode("latin-1"))
    return False


def lists_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` header accepts gzip (named, or ``*``, without q=0)."""
    for part in accept_encoding.lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() in ("gzip", "*"):
            quality = params.replace(" ", "").removeprefix("q=")
            try:
                return not params or float(quality) > 0
            except ValueError:
                return False
    return False


def gzip_responses(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: gzip each single-part response of ``SMALLEST`` bytes or more that is
    not encoded already, for a request that accepts gzip."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or not accepts_gzip(scope):
            await app(scope, receive, send)
            return
        held: list[Any] = []  # the response's start, until its body says what to do

        async def send_compressed(message: Message) -> None:
            if message["type"] == "http.response.start":
                held.append(message)
                return
            if not held or message["type"] != "http.response.body":
                await send(message)
                return
            start = held.pop()
            body = message.get("body", b"")
            if message.get("more_body") or len(body) < SMALLEST or _encoded(start):
                await send(start)
                await send(message)
                return
            compressed = gzip.compress(body, compresslevel=LEVEL, mtime=0)
            await send(_with_gzip_headers(start, len(compressed)))
            await send({**message, "body": compressed})

        await app(scope, receive, send_compressed)

    return middleware


def _encoded(start: Any) -> bool:
    return any(name.lower() == b"content-encoding" for name, _ in start.get("headers", ()))


def _with_gzip_headers(start: Any, length: int) -> Any:
    headers = [
        (name, value)
        for name, value in start.get("headers", ())
        if name.lower() not in (b"content-length", b"vary")
    ]
    vary = [value for name, value in start.get("headers", ()) if name.lower() == b"vary"]
    headers += [
        (b"content-encoding", b"gzip"),
        (b"content-length", str(length).encode()),
        (b"vary", b", ".join([*vary, b"Accept-Encoding"])),
    ]
    return {**start, "headers": headers}

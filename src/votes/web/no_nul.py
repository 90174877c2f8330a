"""No NUL character reaches the app from a request.

PostgreSQL cannot store U+0000 in text: a form field, a search or an address carrying one
(``%00``, which nobody types but anyone can send) would fail deep in a query, as a 500, after
the handler had done its checks. SQLite would store it, invisible. The character never means
anything here, so it is dropped at the door: from the query string, the path's parameters,
and URL-encoded form bodies (a CSV upload is cleaned where it is decoded).
"""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPRequestEvent, Receive, ReceiveMessage, Scope, Send

FORM = b"application/x-www-form-urlencoded"
MAX_CLEANED_BODY = 10 * 1024 * 1024  # Litestar's own limit: beyond it the app refuses anyway


def _clean(data: bytes) -> bytes:
    return data.replace(b"%00", b"").replace(b"\x00", b"")


def _is_form(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return bytes(value).lower().startswith(FORM)
    return False


def no_nul(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: requests reach the app without NUL characters."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        # Litestar routes before its middleware runs: the path's parameters are parsed already
        query = scope.get("query_string", b"")
        params = scope.get("path_params") or {}
        if b"%00" in query or any("\x00" in str(value) for value in params.values()):
            scope = {
                **scope,
                "query_string": _clean(query),
                "path_params": {
                    name: value.replace("\x00", "") if isinstance(value, str) else value
                    for name, value in params.items()
                },
            }
        if scope["method"] != "POST" or not _is_form(scope):
            await app(scope, receive, send)
            return
        await app(scope, _cleaned_body(receive), send)

    return middleware


def _cleaned_body(receive: Receive) -> Receive:
    """The form body read whole (a ``%00`` may straddle two chunks), cleaned, and handed on
    as one message; a body past the app's limit is handed on as it comes."""
    done = False

    async def cleaned() -> ReceiveMessage:
        nonlocal done
        if done:
            return await receive()
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return message  # the client went away
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if not message.get("more_body", False) or size > MAX_CLEANED_BODY:
                done = True
                more = bool(message.get("more_body", False))
                body = _clean(b"".join(chunks))
                return HTTPRequestEvent(type="http.request", body=body, more_body=more)

    return cleaned

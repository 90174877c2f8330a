"""An htmx request never follows a redirect: it is told where to go (``HX-Redirect``).

The browser follows a 303 inside the XMLHttpRequest htmx sent, and htmx then swaps whatever
page the redirect leads to into the element the form targets: the whole page pasted inside
the page, the address still on ``/new``. Handlers answer a successful POST with a 303
whether htmx sent it or not (forms work without JavaScript); this middleware turns that 303,
for htmx only, into an empty 204 carrying ``HX-Redirect``, and the browser goes to the new
page as a plain navigation would (reloaded when only its ``#fragment`` differs from the page
shown, which a browser would merely scroll to). Handlers that want to refresh a fragment in
place render the fragment (200) themselves and never reach this.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _header(scope: Scope, wanted: bytes) -> bytes | None:
    for name, value in scope.get("headers", ()):
        if name == wanted:
            return bytes(value)
    return None


def from_htmx(scope: Scope) -> bool:
    """An htmx request, except a history restore (which wants the whole page, redirects too)."""
    return (
        _header(scope, b"hx-request") == b"true"
        and _header(scope, b"hx-history-restore-request") != b"true"
    )


def htmx_redirects(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: a redirect answering an htmx request becomes ``204`` +
    ``HX-Redirect`` (the ``Location``), with no body."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or not from_htmx(scope):
            await app(scope, receive, send)
            return
        redirecting: list[bool] = []
        current = (_header(scope, b"hx-current-url") or b"").decode("latin-1")

        async def send_redirect(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in REDIRECTS:
                redirecting.append(True)
                await send(_as_hx_redirect(message, current))
                return
            if redirecting and message["type"] == "http.response.body":
                if not message.get("more_body"):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await app(scope, receive, send_redirect)

    return middleware


def _as_hx_redirect(start: Any, current: str) -> Any:
    headers = []
    for name, value in start.get("headers", ()):
        lowered = name.lower()
        if lowered == b"location":
            headers.append((b"hx-redirect", value))
            if _same_page(value.decode("latin-1"), current):
                # only the #fragment changes: the browser would scroll, not load the page
                headers.append((b"hx-refresh", b"true"))
        elif lowered != b"content-length":
            headers.append((name, value))
    headers.append((b"content-length", b"0"))
    return {**start, "status": 204, "headers": headers}


def _same_page(location: str, current: str) -> bool:
    """Whether ``location`` is the page the browser shows (``HX-Current-URL``) but for its
    ``#fragment``.

    >>> _same_page("/o/a/assemblies/2#item-5", "http://h.test/o/a/assemblies/2")
    True
    >>> _same_page("/o/a/assemblies/3", "http://h.test/o/a/assemblies/new")
    False
    """
    if not current:
        return False
    target, here = urlsplit(location), urlsplit(current)
    return (target.path, target.query) == (here.path, here.query)

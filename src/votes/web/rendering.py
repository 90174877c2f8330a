"""Responses: full pages, htmx fragments and redirects, with the headers every page needs."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_303_SEE_OTHER

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# pages differ by htmx request (fragment or page), language and signed-in person
VARY = "HX-Request, Cookie, Accept-Language"


def is_htmx(request: Request[Any, Any, State]) -> bool:
    # a history restore asks for the whole page even though it comes from htmx
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


def page(
    request: Request[Any, Any, State],
    template: str,
    *,
    fragment: str | None = None,
    status_code: int = HTTP_200_OK,
    **context: Any,
) -> Template:
    """Render ``template``; for an htmx request, render the ``fragment`` partial instead."""
    name = fragment if fragment and is_htmx(request) else template
    return Template(
        template_name=name,
        context=context,
        status_code=status_code,
        headers={"Vary": VARY, "Cache-Control": "no-store"},
    )


def see_other(path: str) -> Redirect:
    """303 after a successful POST, so a reload never posts twice."""
    return Redirect(path=path, status_code=HTTP_303_SEE_OTHER)

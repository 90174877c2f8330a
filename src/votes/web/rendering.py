"""Responses: full pages, htmx fragments and redirects, with the headers every page needs."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_303_SEE_OTHER

from votes.settings import Settings

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

# the steward's door only: its QR reader falls back to a vendored WebAssembly decoder on
# phones without the browser's BarcodeDetector (iOS Safari, Firefox), and compiling WebAssembly
# needs this source keyword; no other page runs WebAssembly, so none other allows it
CONTENT_SECURITY_POLICY_WITH_WASM = CONTENT_SECURITY_POLICY.replace(
    "script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'"
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# a year, subdomains included: what browsers and the HSTS preload list expect
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def security_headers(settings: Settings) -> dict[str, str]:
    """The headers every response carries. In production over HTTPS (secure cookies) they
    also tell browsers to keep to HTTPS for a year; never in development, whose plain
    ``http://`` a browser told so once would refuse for that year."""
    if settings.is_production and settings.secure_cookies:
        return {**SECURITY_HEADERS, "Strict-Transport-Security": STRICT_TRANSPORT_SECURITY}
    return SECURITY_HEADERS


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

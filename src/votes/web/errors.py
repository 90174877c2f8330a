"""HTML error pages in the reader's language, as fragments for htmx requests."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.datastructures import State
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER, HTTP_500_INTERNAL_SERVER_ERROR

from votes import i18n
from votes.web.context import LANGUAGE_COOKIE, SESSION_COOKIE
from votes.web.rendering import VARY, is_htmx

logger = logging.getLogger("votes.web")

# statuses that have their own page; any other 4xx gets the 400 page's wording
KNOWN_STATUSES = (400, 403, 404, 405, 409, 422, 429, 500)


def _language_without_database(request: Request[Any, Any, State]) -> str:
    existing = request.state.get("votes")
    if existing is not None:
        language: str = existing.language
        return language
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in i18n.LANGUAGES:
        return cookie
    settings = request.app.state.settings
    default: str = settings.default_language
    return i18n.best_language(request.headers.get("accept-language")) or default


def html_error_page(request: Request[Any, Any, State], exc: Exception) -> Response[Any]:
    if isinstance(exc, NotAuthorizedException):
        return _to_sign_in(request)
    if isinstance(exc, HTTPException):
        status = exc.status_code
    else:
        status = HTTP_500_INTERNAL_SERVER_ERROR
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
    i18n.current_language.set(_language_without_database(request))
    shown = status if status in KNOWN_STATUSES else (500 if status >= 500 else 400)
    csrf_failure = isinstance(exc, PermissionDeniedException) and "CSRF" in str(exc.detail)
    template = "errors/_error.html.jinja" if is_htmx(request) else "errors/error.html.jinja"
    headers = {"Vary": VARY, "Cache-Control": "no-store"}
    if isinstance(exc, HTTPException) and exc.headers:
        headers.update(exc.headers)
    return Template(
        template_name=template,
        context={
            "status": shown,
            "csrf_failure": csrf_failure,
            "viewer": None,
            # the header of a signed-in person's error page: their name when the request got
            # that far, never "Sign in" when a session cookie came with it
            "context": request.state.get("votes"),
            "maybe_signed_in": SESSION_COOKIE in request.cookies,
        },
        status_code=status,
        headers=headers,
    )


def _to_sign_in(request: Request[Any, Any, State]) -> Response[Any]:
    """Not signed in: go to the sign-in page, and come back here afterwards."""
    target = "/login?" + urlencode({"next": request.url.path})
    if is_htmx(request):
        return Response(content=None, status_code=204, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=HTTP_303_SEE_OTHER)

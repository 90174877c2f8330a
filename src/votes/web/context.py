"""Per-request state: who is signed in and which language to speak.

Language order: the person's own choice (profile or the language switch's cookie), then the
browser's first language when we speak it, then the organisation's default (set when an
organisation page loads it), then any other language the browser accepts, then the instance
default. A member whose phone reads English is better served in English than in the
cooperative's French, a Flemish member's phone reads Dutch; a German phone (which often lists
English as a fallback) in a Belgian cooperative reads the cooperative's French or Dutch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection

from votes import i18n
from votes.services.accounts import Viewer, viewer_for_token
from votes.settings import Settings

SESSION_COOKIE = "votes_session"
LANGUAGE_COOKIE = "votes_lang"


@dataclass(slots=True)
class RequestContext:
    viewer: Viewer | None
    language: str
    language_chosen: bool  # by the person or their browser: the organisation's default waits


def settings_of(request: ASGIConnection[Any, Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def load_request_context(request: ASGIConnection[Any, Any, Any, Any]) -> RequestContext:
    """Resolve the viewer and the language once per request, and set the language for gettext."""
    existing: RequestContext | None = request.state.get("votes")
    if existing is not None:
        return existing
    settings = settings_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    viewer = await viewer_for_token(token, secret_key=settings.secret_key) if token else None
    browser = request.headers.get("accept-language")
    chosen = _chosen_language(request, viewer) or i18n.first_choice(browser)
    language = chosen or i18n.best_language(browser) or settings.default_language
    context = RequestContext(viewer=viewer, language=language, language_chosen=chosen is not None)
    request.state["votes"] = context
    i18n.current_language.set(language)
    return context


def _chosen_language(
    request: ASGIConnection[Any, Any, Any, Any], viewer: Viewer | None
) -> str | None:
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in i18n.LANGUAGES:
        return cookie
    if viewer and viewer.preferred_language in i18n.LANGUAGES:
        return viewer.preferred_language
    return None


def use_organisation_language(context: RequestContext, organisation_language: str) -> None:
    if not context.language_chosen and organisation_language in i18n.LANGUAGES:
        context.language = organisation_language
        i18n.current_language.set(organisation_language)

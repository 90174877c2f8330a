"""Helpers for web tests: act like a browser (read CSRF tokens from pages, sign in)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from votes.services.demo import DEMO_PASSWORD

_CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def csrf_token(client: httpx.AsyncClient, path: str = "/") -> str:
    """Load a page the way a browser does and read the form's CSRF token from it."""
    response = await client.get(path)
    match = _CSRF_INPUT.search(response.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


async def post_with_token(
    client: httpx.AsyncClient, path: str, data: dict[str, Any] | None = None, **options: Any
) -> httpx.Response:
    """Post a form as a browser does, with the CSRF token a page gave (``options`` go to
    httpx: headers, follow_redirects…)."""
    token = await csrf_token(client, "/")
    return await client.post(path, data={**(data or {}), "_csrf_token": token}, **options)


async def sign_in(client: httpx.AsyncClient, email: str, password: str = DEMO_PASSWORD) -> None:
    token = await csrf_token(client, "/")
    response = await client.post(
        "/login",
        data={"email": email, "password": password, "_csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def assert_shows(page: str, *texts: str) -> None:
    """Each of ``texts`` is on the page; the first one missing is named."""
    for text in texts:
        assert text in page, f"{text!r} is not on the page"


async def choose_language(client: httpx.AsyncClient, language: str) -> None:
    """Pick a language with the page's language switch, as a visitor does."""
    token = await csrf_token(client)
    chosen = await client.post(
        "/language",
        data={"language": language, "next": "/", "_csrf_token": token},
        follow_redirects=False,
    )
    assert chosen.status_code == 303


def described_errors(page: str) -> dict[str, str]:
    """The message each invalid field points at, by the field's name."""
    found: dict[str, str] = {}
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*aria-invalid=\"true\"[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        target = re.search(r'aria-describedby="([^"]+)"', tag)
        assert name, tag
        assert target, f"an invalid field without its message: {tag}"
        messages = re.findall(rf'<p [^>]*id="{re.escape(target[1])}"[^>]*>([^<]+)</p>', page)
        assert len(messages) == 1, f"{target[1]} should name exactly one message"
        found[name[1]] = messages[0]
    return found

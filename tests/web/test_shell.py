"""The web shell: languages, CSRF, error pages, security headers, health."""

from __future__ import annotations

import os
import re

import httpx
import pytest
from tests.web.helpers import assert_shows, choose_language


async def _french_and_english(
    client: httpx.AsyncClient, french: tuple[str, str], english: tuple[str, str], *, status: int
) -> tuple[str, str]:
    """Each page, a (path, Accept-Language) pair, read: both answer ``status``; their texts."""
    pages = [
        await client.get(path, headers={"Accept-Language": language})
        for path, language in (french, english)
    ]
    assert pages[0].status_code == pages[1].status_code == status
    return pages[0].text, pages[1].text


async def test_front_page_speaks_french_by_default_and_english_when_asked(
    client: httpx.AsyncClient, demo: None
) -> None:
    french, english = await _french_and_english(
        client, ("/", "fr-FR,fr;q=0.9"), ("/", "en-GB,en;q=0.9"), status=200
    )
    # the demo is real: its cooperative and accounts are listed for a newcomer
    assert_shows(
        french, '<html lang="fr">', "Décider ensemble, compter juste", "Coopérative Les Tisserands"
    )
    assert_shows(
        english, '<html lang="en">', "Decide together, count exactly", "camille@demo.votes.invalid"
    )


async def test_language_switch_is_remembered_over_the_browser_language(
    client: httpx.AsyncClient,
) -> None:
    await choose_language(client, "en")
    page = await client.get("/", headers={"Accept-Language": "fr"})
    assert "Decide together, count exactly" in page.text


async def test_organisation_pages_speak_the_browser_language_else_the_cooperative_one(
    client: httpx.AsyncClient,
) -> None:
    """A cooperative whose language is English (the instance's is French): a French phone
    reads its pages in French, a German one falls back on the cooperative's English, and the
    page's declared language always matches its text (screen readers read by it)."""
    from tests.support.factories import cooperative
    from tests.web.assembly_helpers import as_role

    from votes.db.tables import Organisation

    coop = await cooperative()
    await Organisation.update({Organisation.default_language: "en"}).where(
        Organisation.id == coop.organisation_id
    )
    await as_role(client, coop, "member")
    french = await client.get(f"{coop.base}/vote", headers={"Accept-Language": "fr-BE,fr"})
    assert '<html lang="fr">' in french.text
    assert "Se déconnecter" in french.text
    german = await client.get(f"{coop.base}/vote", headers={"Accept-Language": "de-DE,de"})
    assert '<html lang="en">' in german.text
    assert "Sign out" in german.text
    # English and French only as a German phone's fallbacks: the cooperative's language wins
    await Organisation.update({Organisation.default_language: "fr"}).where(
        Organisation.id == coop.organisation_id
    )
    fallback = await client.get(
        f"{coop.base}/vote", headers={"Accept-Language": "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7"}
    )
    assert '<html lang="fr">' in fallback.text
    assert "Se déconnecter" in fallback.text


async def test_post_without_csrf_token_is_refused_with_a_translated_page(
    client: httpx.AsyncClient,
) -> None:
    await client.get("/")
    response = await client.post(
        "/login", data={"email": "a@b.c", "password": "x"}, headers={"Accept-Language": "fr"}
    )
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "Ce formulaire a expiré" in response.text


async def test_unknown_address_gets_a_404_page_in_the_reader_language(
    client: httpx.AsyncClient,
) -> None:
    french, english = await _french_and_english(
        client, ("/nulle-part", "fr"), ("/nowhere", "en"), status=404
    )
    assert "Page introuvable" in french
    assert "Page not found" in english


async def test_error_page_for_htmx_is_a_fragment(client: httpx.AsyncClient) -> None:
    response = await client.get("/nowhere", headers={"HX-Request": "true", "Accept-Language": "en"})
    assert response.status_code == 404
    assert "<html" not in response.text
    assert "Page not found" in response.text


async def test_every_page_carries_the_security_headers(client: httpx.AsyncClient) -> None:
    for path in ("/", "/nowhere", "/login"):
        response = await client.get(path)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("environment", "hsts"),
    [
        ({"VOTES_ENV": "production"}, True),  # secure cookies: served over HTTPS
        ({"VOTES_ENV": "production", "VOTES_SECURE_COOKIES": "false"}, False),  # plain http
        ({"VOTES_ENV": "development"}, False),  # http://127.0.0.1:8000
        ({"VOTES_ENV": "development", "VOTES_SECURE_COOKIES": "true"}, False),
    ],
)
async def test_browsers_are_told_to_keep_to_https_in_production_only(
    database: None, environment: dict[str, str], hsts: bool
) -> None:
    """Once told, a browser refuses plain http to the host for a year: never say it to a
    development server (it would lock a developer's browser out of http://localhost)."""
    from votes.settings import Settings
    from votes.web.app import create_app

    settings = Settings.from_env({**os.environ, **environment})
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="https://votes.example") as client:
        for path in ("/", "/nowhere", "/static/vendor/htmx-2.0.11.min.js"):
            header = (await client.get(path)).headers.get("strict-transport-security")
            if hsts:
                assert header == "max-age=31536000; includeSubDomains", path
            else:
                assert header is None, path


async def test_pages_have_no_inline_script(client: httpx.AsyncClient, demo: None) -> None:
    page = (await client.get("/")).text
    for chunk in page.split("<script")[1:]:
        assert chunk.lstrip().startswith("src="), "inline scripts break the strict CSP"


async def test_vendored_htmx_is_served_locally(client: httpx.AsyncClient) -> None:
    page = (await client.get("/")).text
    assert "/static/vendor/htmx-2.0.11.min.js" in page
    script = await client.get("/static/vendor/htmx-2.0.11.min.js")
    assert script.status_code == 200
    assert "htmx" in script.text[:2000]
    sse = await client.get("/static/vendor/htmx-ext-sse-2.2.4.min.js")
    assert sse.status_code == 200


async def test_static_files_go_out_compressed_and_are_kept_until_they_change(
    client: httpx.AsyncClient,
) -> None:
    """What a phone on a crowded Wi-Fi downloads once: gzipped, cached for good under an
    address that changes with the file, revalidated otherwise, and never with a cookie."""
    page = (await client.get("/", headers={"Accept-Encoding": "gzip"})).text
    address = re.search(r'src="(/static/vendor/htmx-2\.0\.11\.min\.js\?v=\w+)"', page)
    assert address, "the page names htmx with its version"
    script = await client.get(address.group(1), headers={"Accept-Encoding": "gzip"})
    assert script.headers["content-encoding"] == "gzip"
    assert int(script.headers["content-length"]) < 20_000  # 52 KB as written
    assert "immutable" in script.headers["cache-control"]
    assert "set-cookie" not in script.headers
    assert "htmx" in script.text[:2000]
    plain = await client.get(address.group(1), headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == script.content
    unversioned = await client.get("/static/vendor/htmx-2.0.11.min.js")
    assert "immutable" not in unversioned.headers["cache-control"]
    again = await client.get(address.group(1), headers={"If-None-Match": script.headers["etag"]})
    assert again.status_code == 304
    assert (await client.get("/static/../settings.py")).status_code == 404
    assert (await client.get("/static/js/nothing.js")).status_code == 404


async def test_pages_go_out_compressed_to_browsers_that_accept_it(
    client: httpx.AsyncClient,
) -> None:
    zipped = await client.get("/", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) < len(zipped.content) / 2
    plain = await client.get("/", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert "Décider ensemble" in plain.text


async def test_health_check_reports_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_the_log_level_setting_is_obeyed() -> None:
    """VOTES_LOG_LEVEL=WARNING silences the request log (Litestar's default logging would set
    every logger to INFO whatever the setting); the default INFO keeps one line per request."""
    import dataclasses
    import logging

    from votes.settings import Settings
    from votes.web.app import create_app

    settings = Settings.from_env()
    try:
        create_app(dataclasses.replace(settings, log_level="WARNING"))
        assert not logging.getLogger("votes.requests").isEnabledFor(logging.INFO)
        assert logging.getLogger("votes.requests").isEnabledFor(logging.WARNING)
    finally:
        create_app(dataclasses.replace(settings, log_level="INFO"))
    assert logging.getLogger("votes.requests").isEnabledFor(logging.INFO)

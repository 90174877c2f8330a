"""Every page of the app, at phone size, in French, English and Dutch: no serious or critical
axe-core finding (#17). The pages are read from the app's routes, so a page added anywhere is
checked as soon as it lands; event streams and downloads are not pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser
from tests.e2e.conftest import (
    FACILITATOR,
    ORG,
    PHONE,
    AccessibilityLog,
    new_context,
    sign_in_with_password,
)
from tests.support.server import ServedApp

from votes.web.app import create_app

_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
NOT_PAGES = (
    ".csv",
    ".json",
    ".pdf",
    ".blt",
    "/live",
    "/status",
    "/healthz",
    "/static/",
    "/c/",
    "/logout",
)  # streams, polls and downloads


def _page_routes() -> list[str]:
    paths = set()
    for route in create_app().routes:
        methods = {
            m for handler in getattr(route, "route_handlers", []) for m in handler.http_methods
        }
        if "GET" in methods and not any(part in route.path for part in NOT_PAGES):
            paths.add(route.path)
    return sorted(paths)


@pytest.mark.parametrize("language", ["fr", "en", "nl"])
def test_every_page_has_no_serious_accessibility_problem(
    language: str, browser: Browser, served_demo: ServedApp, accessibility: AccessibilityLog
) -> None:
    routes = _page_routes()
    names = sorted({m.group(1) for r in routes for m in _PARAM.finditer(r)} - {"org"})
    samples = served_demo.task("samples", org=ORG, names=names)
    context = new_context(browser, served_demo.base_url, size=PHONE)
    context.add_cookies([{"name": "votes_lang", "value": language, "url": served_demo.base_url}])
    page = context.new_page()
    sign_in_with_password(page, FACILITATOR)
    values = {"org": ORG, **samples}
    checked = 0
    for route in routes:
        if any(values.get(m.group(1)) is None for m in _PARAM.finditer(route)):
            continue  # the demo has no such row
        path = _PARAM.sub(lambda m: str(values[m.group(1)]), route)
        response = page.goto(path)
        assert response is not None, path
        assert response.status < 500, f"{path}: {response.status}"
        lang = page.locator("html").get_attribute("lang")
        if lang is None:
            continue  # a fragment htmx swaps into a page (quorum, turnout): checked there
        if "/minutes/print" not in path:  # printed minutes speak the minutes' own language
            assert lang == language, path
        accessibility.check(page, f"{language} {path}")
        checked += 1
    context.close()
    assert checked > 40, f"only {checked} pages were checked"
    assert not accessibility.found, accessibility.report()

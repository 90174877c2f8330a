"""Crafted numbers in every place the app reads one (#14): query parameters, the
``Last-Event-ID`` header, form fields. Characters that ``str.isdigit`` accepts and ``int``
refuses or misreads ("²", "٣"), numbers longer than ``int`` reads (5,000 digits), negative
ones, ones beyond the databases' integers: each gets a clear answer (a 4xx page, or the value
ignored where that is right), never a 500.

The query parameters and routes are read from the app itself, so a new one is covered as
soon as it lands; the form fields are the numeric ones the app's forms read, all filled at
once with the crafted value.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
import pytest
from tests.fuzz.fuzz_helpers import PARAM, browser, demo_organisation, ids_of, person_id
from tests.support.keys import SECRET_KEY

from votes.services import accounts
from votes.web.app import create_app
from votes.web.context import SESSION_COOKIE
from votes.web.controllers.rules import CONVOCATIONS, KINDS

HOME = "crafted"

CRAFTED = (
    "²",  # "²".isdigit() is True, int("²") raises
    "٣",  # an Arabic-Indic three: isdigit, and int() reads it as 3
    "１２",  # fullwidth digits
    "9" * 5000,  # beyond int()'s 4,300 digits
    "-1",
    "-" + "9" * 30,
    str(2**31),  # beyond PostgreSQL's integer
    str(2**63),  # beyond SQLite's and PostgreSQL's bigint
    "99999999999999999999999",
    "1e309",
    "NaN",
    "0x1f",
    " 7 ",
    "9999-12-31",  # a day filter's end: the day after it overflows date
    "1/0",  # a majority over zero: Fraction raises ZeroDivisionError
    "0/0",
    "１/２",  # a fullwidth fraction, which Fraction reads as 1/2
    "1/1" + "0" * 30,  # no one's majority
)

# numeric fields the app's forms read (a field a form does not have is ignored)
NUMERIC_FIELDS = (
    "seats", "minutes", "max_selections", "scale_max", "planned_minutes", "item", "agenda_item",
    "parent", "college", "days", "member", "for", "holder", "giver", "coauthors", "weight",
    "proxy_fixed", "blank", "invalid", "cast", "count-yes", "count-no", "count-abstain",
    "count-oui", "count-bof", "score-a", "score-b", "score-c", "score-yes", "score-no",
    "position", "threshold", "submission_deadline",
    *(f"{k}-{c}-{part}" for k in KINDS for c in CONVOCATIONS for part in ("quorum", "threshold")),
)  # fmt: skip


@dataclass
class World:
    client: httpx.AsyncClient
    csrf: str
    csrf_cookie: str
    admin: int
    ids: dict[str, int]


def _routes(method: str) -> list[tuple[str, tuple[str, ...]]]:
    """(path, query parameter names) of every route answering ``method``."""
    found: dict[str, set[str]] = {}
    for route in create_app().routes:
        for handler in getattr(route, "route_handlers", []):
            if method not in handler.http_methods:
                continue
            in_path = {m.group(1) for m in PARAM.finditer(route.path)}
            names = found.setdefault(route.path, set())
            for name, parameter in handler.parsed_fn_signature.parameters.items():
                if name not in in_path and parameter.annotation in (int, str, bool):
                    names.add(name)
    return sorted((path, tuple(sorted(names))) for path, names in found.items())


GET_PARAMETERS = [
    (path, name) for path, names in _routes("GET") if path.startswith("/o/") for name in names
]
POST_ROUTES = [path for path, _ in _routes("POST")]
LIVE_ROUTES = [path for path, _ in _routes("GET") if path.endswith("/live")]


@pytest.fixture(scope="module")
async def world(database: None) -> AsyncIterator[World]:
    home = await demo_organisation(HOME)
    admin = await person_id(f"camille@{HOME}.demo.votes.invalid")
    paths = [path for path, _ in _routes("GET") + _routes("POST")]
    ids = await ids_of(home, paths, latest_member=True)
    async with browser() as (client, csrf, cookie):
        yield World(client, csrf, cookie, admin, ids)


def _fill(path: str, world: World) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "org":
            return HOME
        if name == "action":
            return "open"
        if name == "path":
            return "css/app.css"
        return str(world.ids.get(name, 1))

    return PARAM.sub(value, path)


async def _signed_in(world: World) -> None:
    world.client.cookies.clear()
    world.client.cookies.set("votes_csrf", world.csrf_cookie)
    session = await accounts.start_session(world.admin, secret_key=SECRET_KEY, hours=1)
    world.client.cookies.set(SESSION_COOKIE, session)


def _unclear(response: httpx.Response) -> str | None:
    """What is wrong with an answer, or None for a clear one."""
    status = response.status_code
    if status >= 500:
        return f"{status}: {response.text[:300]}"
    if status >= 400 and not response.headers.get("content-type", "").startswith("text/html"):
        return f"{status} without a page"
    return None


async def _assert_all_clear(
    world: World, values: Iterable[str], fault_of: Callable[[str], Awaitable[str | None]]
) -> None:
    """Signed in afresh before each crafted value: ``fault_of`` finds nothing wrong with the
    answer to any of them (every fault is listed at once)."""
    faults = []
    for crafted in values:
        await _signed_in(world)
        if (fault := await fault_of(crafted)) is not None:
            faults.append(fault)
    assert not faults, "\n".join(faults)


@pytest.mark.parametrize(("route", "name"), GET_PARAMETERS)
async def test_a_crafted_number_in_a_query_gets_a_clear_answer(
    route: str, name: str, world: World
) -> None:
    path = _fill(route, world)

    async def fault_of(crafted: str) -> str | None:
        response = await world.client.get(path, params={name: crafted})
        if (fault := _unclear(response)) is not None:
            return f"GET {path}?{name}={crafted[:20]} -> {fault}"
        return None

    await _assert_all_clear(world, CRAFTED, fault_of)


@pytest.mark.parametrize("route", LIVE_ROUTES)
async def test_a_crafted_last_event_id_is_ignored(route: str, world: World) -> None:
    path = _fill(route, world)

    async def fault_of(crafted: str) -> str | None:
        response = await world.client.get(path, headers={"Last-Event-ID": crafted.encode()})
        if response.status_code != 200:  # a browser sends it by itself: never refused
            return f"Last-Event-ID {crafted[:20]} -> {response.status_code}"
        return None

    await _assert_all_clear(
        world, (*CRAFTED, "99999999999999999999999", str(2**53), "-5"), fault_of
    )


@pytest.mark.parametrize("route", POST_ROUTES)
async def test_crafted_numbers_in_a_form_get_a_clear_answer(route: str, world: World) -> None:
    path = _fill(route, world)

    async def fault_of(crafted: str) -> str | None:
        fields = [(name, crafted) for name in NUMERIC_FIELDS]
        fields += [("member", "1"), ("coauthors", "1"), ("_csrf_token", world.csrf)]
        response = await world.client.post(
            path,
            content=urlencode(fields),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            follow_redirects=False,
        )
        if (fault := _unclear(response)) is not None:
            return f"POST {path} with {crafted[:20]} -> {fault}"
        return None

    await _assert_all_clear(world, CRAFTED, fault_of)

"""Hostile and malformed forms at every POST route of the app (read from ``app.routes``, so a
new route is fuzzed as soon as it lands): wrong types, huge fields, control characters, unknown
ids, other organisations' ids, missing or forged CSRF tokens, forms sent twice.

Whatever arrives, the app answers with a clear status and an HTML page (never a 5xx), and a
request it refuses changes no count: the votes stored and every stored result stay as they were.
Bounded: ``EXAMPLES`` forms per route, no shrinking deadline, in-process (no network).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.fuzz.fuzz_helpers import PARAM, browser, demo_organisation, ids_of, person_id
from tests.support.keys import SECRET_KEY

from votes.db import tables
from votes.services import accounts
from votes.web.app import create_app
from votes.web.context import SESSION_COOKIE

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("VOTES_FUZZ_EXAMPLES", "12"))
SEEN: Counter[int] = Counter()  # statuses answered, printed at the end (pytest -s)
HOME, ELSEWHERE = "fuzz", "fuzz-other"  # two copies of the demo cooperative

# field names the app's forms use, so hostile values reach the parsing code behind them
FIELDS = (
    "choice", "rank", "add", "up", "remove", "clear", "submission", "change", "receipt",
    "question", "method", "options", "seats", "threshold", "base", "max_selections",
    "scale_max", "minutes", "secret", "allow_change", "is_test", "reason", "body", "stance",
    "parent", "order", "next", "language", "code", "email", "password", "new_password",
    "name", "title", "description", "status", "mode", "q", "category", "college", "weight",
    "kind", "date", "starts_at", "place", "convocation", "item", "position", "reaction",
    "csv", "days", "members", "holder", "principal", "instructions", "decision", "text",
    "score-yes", "short_name", "time_zone", "default_language", "quorum", "majority",
)  # fmt: skip


def _post_routes() -> list[str]:
    found = set()
    for route in create_app().routes:
        for handler in getattr(route, "route_handlers", []):
            if "POST" in handler.http_methods:
                found.add(route.path)
    return sorted(found)


ROUTES = _post_routes()

hostile_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1e309",
            "NaN",
            "9" * 40,
            "null",
            "[]",
            '{"a": 1}',
            "yes",
            "no",
            "for",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "../../etc/passwd",
            "\x00",
            "\ud7ff\ufeff\u202e",
            "é" * 3000,
            "x" * 100_000,
            "1/0",
            "0/0",
            "１/２",
            "1/1" + "0" * 30,
            "A\nA\n a ",  # options of the same name
        ]
    ),
)
form_fields = st.lists(
    st.tuples(st.one_of(st.sampled_from(FIELDS), st.text(max_size=12)), hostile_text),
    max_size=8,
)


@dataclass
class World:
    client: httpx.AsyncClient
    csrf: str
    csrf_cookie: str
    people: dict[str, int]
    own_ids: dict[str, int]
    foreign_ids: dict[str, int]


@pytest.fixture(scope="module")
async def world(database: None) -> AsyncIterator[World]:
    home = await demo_organisation(HOME)
    elsewhere = await demo_organisation(ELSEWHERE)
    people = {
        "facilitator": await person_id(f"camille@{HOME}.demo.votes.invalid"),
        "member": await person_id(f"lea@{HOME}.demo.votes.invalid"),
    }
    own, foreign = await ids_of(home, ROUTES), await ids_of(elsewhere, ROUTES)
    async with browser() as (client, csrf, cookie):
        yield World(client, csrf, cookie, people, own, foreign)
    print(f"\nhostile forms: {sum(SEEN.values())} requests, statuses {dict(sorted(SEEN.items()))}")


async def stored_counts() -> tuple[int, int, int, tuple[Any, ...]]:
    """The votes in the register and the ballot boxes, the room counts, and every result."""
    results = await tables.Ballot.select(tables.Ballot.id, tables.Ballot.result).order_by(
        tables.Ballot.id
    )
    return (
        await tables.Participation.count(),
        await tables.BallotPaper.count(),
        await tables.PaperCount.count(),
        tuple((row["id"], row["result"]) for row in results),
    )


def path_value(data: st.DataObject, world: World, name: str, kind: str | None) -> str:
    """Own ids mostly (to reach deep code), sometimes another organisation's or none at all."""
    if name == "org":
        return data.draw(st.sampled_from([HOME, HOME, HOME, ELSEWHERE, "nowhere"]))
    if kind == "int":
        # beyond 32 and 64 bits too: such ids once overflowed SQLite's driver (500)
        candidates = [st.sampled_from([10**9, 2**31, 2**63, -1]), st.integers(0, 2**64)]
        if name in world.own_ids:
            candidates += [st.just(world.own_ids[name])] * 3
        if name in world.foreign_ids:
            candidates += [st.just(world.foreign_ids[name])]
        return str(data.draw(st.one_of(candidates)))
    return data.draw(st.sampled_from(["open", "close", "publish", "reopen", "x", "a" * 500]))


def fill(template: str, data: st.DataObject, world: World) -> str:
    return PARAM.sub(lambda m: path_value(data, world, m.group(1), m.group(2)), template)


@pytest.mark.parametrize("route", ROUTES)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same forms on every run: a failure is reproducible from CI's log
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_hostile_form_gets_a_clear_answer_and_changes_no_count(
    route: str, world: World, data: st.DataObject
) -> None:
    path = fill(route, data, world)
    fields = data.draw(form_fields)
    role = data.draw(st.sampled_from(["facilitator", "facilitator", "member", "anonymous"]))
    csrf = data.draw(st.sampled_from(["valid", "valid", "valid", "missing", "forged"]))
    if csrf == "valid":
        fields.append(("_csrf_token", world.csrf))
    elif csrf == "forged":
        fields.append(("_csrf_token", world.csrf[:-4] + "AAAA"))
    htmx = data.draw(st.booleans())
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if htmx:
        headers["HX-Request"] = "true"
    body = urlencode(fields)  # repeated keys kept, as a browser sends checkboxes
    world.client.cookies.clear()
    world.client.cookies.set("votes_csrf", world.csrf_cookie)  # as the browser holds it
    if role in world.people:  # a new session each time: a form may sign it out everywhere
        session = await accounts.start_session(world.people[role], secret_key=SECRET_KEY, hours=1)
        world.client.cookies.set(SESSION_COOKIE, session)

    for attempt in range(2 if data.draw(st.booleans()) else 1):  # a replayed form
        before = await stored_counts()
        response = await world.client.post(
            path, content=body, headers=headers, follow_redirects=False
        )
        status = response.status_code
        SEEN[status] += 1
        where = f"POST {path} ({role}, csrf {csrf}, attempt {attempt + 1}) -> {status}"
        assert status < 500, f"{where}: {response.text[:500]}"
        assert status in (200, 201, 204, 303, 400, 403, 404, 405, 409, 413, 422, 429), where
        if status == 303:
            assert response.headers.get("location"), where
        elif status == 204:  # htmx is told where to go in a header, a plain form never
            assert htmx, where
        elif "attachment" in response.headers.get("content-disposition", ""):
            assert status == 200, where  # a download (the access codes as CSV), not "created"
        else:
            assert response.headers["content-type"].startswith("text/html"), where
            assert response.text.strip(), where
        if status >= 400:
            assert await stored_counts() == before, f"{where} refused, yet a count changed"
        if csrf != "valid":
            assert status == 403, f"{where}: a form without a valid CSRF token was accepted"


INT_ROUTES = [route for route in ROUTES if ":int}" in route]


@pytest.mark.parametrize("huge", [2**31, 2**63, 2**70])
@pytest.mark.parametrize("route", INT_ROUTES)
async def test_ids_beyond_the_database_integers_name_nothing(
    route: str, huge: int, world: World
) -> None:
    """The ids a driver cannot even bind (SQLite's 64-bit, PostgreSQL's 32-bit serials) get the
    404 of an unknown id, from the facilitator with a valid form, never a 500."""
    path = PARAM.sub(lambda m: HOME if m.group(1) == "org" else str(huge), route)
    path = path.replace("{action:str}", "open")
    world.client.cookies.clear()
    world.client.cookies.set("votes_csrf", world.csrf_cookie)
    session = await accounts.start_session(
        world.people["facilitator"], secret_key=SECRET_KEY, hours=1
    )
    world.client.cookies.set(SESSION_COOKIE, session)
    response = await world.client.post(
        path, data={"_csrf_token": world.csrf, "choice": "yes"}, follow_redirects=False
    )
    assert response.status_code == 404, f"POST {path} -> {response.status_code}"

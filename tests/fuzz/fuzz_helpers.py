"""What the fuzz tests share: a copy of the demo cooperative, a row of it for each id a route
takes, and a client holding the CSRF token a form would carry."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import httpx
from piccolo.table import Table

from votes.db import tables
from votes.services.demo import seed_demo
from votes.web.app import create_app

PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")  # a path parameter: {name} or {name:type}
_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
_ALIASES = {"item": "AgendaItem"}


async def demo_organisation(short_name: str) -> int:
    """A copy of the demo cooperative under ``short_name``: its id."""
    await seed_demo(short_name)
    row = (
        await tables.Organisation.select(tables.Organisation.id)
        .where(tables.Organisation.short_name == short_name)
        .first()
    )
    return int(row["id"])


async def person_id(email: str) -> int:
    """The id of the person with this email."""
    person = (
        await tables.Person.select(tables.Person.id).where(tables.Person.email == email).first()
    )
    return int(person["id"])


def _table_for(name: str) -> type[Table] | None:
    base = name.removesuffix("_id")
    class_name = _ALIASES.get(base, "".join(part.title() for part in base.split("_")))
    found = getattr(tables, class_name, None)
    return found if isinstance(found, type) and issubclass(found, Table) else None


async def _first_id(table: type[Table], organisation_id: int) -> int | None:
    columns = {column._meta.name for column in table._meta.columns}
    if "organisation" in columns:
        condition = table.organisation == organisation_id  # type: ignore[attr-defined]
    elif "assembly" in columns:
        condition = table.assembly.organisation == organisation_id  # type: ignore[attr-defined]
    elif "proposal" in columns:
        condition = table.proposal.organisation == organisation_id  # type: ignore[attr-defined]
    elif "thread" in columns:
        condition = table.thread.organisation == organisation_id  # type: ignore[attr-defined]
    else:
        return None
    primary_key = table._meta.primary_key
    row = await table.select(primary_key).where(condition).order_by(primary_key).first()
    return None if row is None else int(row[primary_key._meta.name])


async def ids_of(
    organisation_id: int, paths: Iterable[str], *, latest_member: bool = False
) -> dict[str, int]:
    """A row of the organisation for each id the ``paths`` take (``membership_id``: its first
    member, or its latest with ``latest_member``)."""
    names = {m.group(1) for path in paths for m in PARAM.finditer(path)}
    found = {}
    for name in names:
        table = _table_for(name)
        if table is not None and (value := await _first_id(table, organisation_id)) is not None:
            found[name] = value
    membership = (
        await tables.Membership.select(tables.Membership.id)
        .where(tables.Membership.organisation == organisation_id)
        .order_by(tables.Membership.id, ascending=not latest_member)
        .first()
    )
    found["membership_id"] = int(membership["id"])
    return found


@asynccontextmanager
async def browser() -> AsyncIterator[tuple[httpx.AsyncClient, str, str]]:
    """A client on the app, with the CSRF token a form would carry and its cookie."""
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        page = await client.get("/code")
        csrf = _CSRF.search(page.text)
        assert csrf
        yield client, csrf.group(1), client.cookies["votes_csrf"]

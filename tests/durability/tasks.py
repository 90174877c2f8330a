"""Small jobs on a subprocess server's database, run as ``python -m tests.durability.tasks NAME
JSON`` with that server's settings (``ServedApp.task``): each prints one JSON line.

They use the services, like an administrator's script would, to prepare what the browser or
the crash tests need (access codes, voters, ballots) and to read the stored truth afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from tests.support import crowd
from tests.support.samples import NoSampleError, first_id
from tests.support.server import task_main

from votes.db.migrate import migrate
from votes.db.tables import (
    Assembly,
    Ballot,
    BallotPaper,
    Membership,
    Organisation,
    Participation,
    Person,
)
from votes.services import accounts, assemblies, organisations
from votes.services.access_codes import issue_codes
from votes.services.actors import actor_for
from votes.settings import Settings


async def _organisation_id(short_name: str) -> int:
    row = (
        await Organisation.select(Organisation.id)
        .where(Organisation.short_name == short_name)
        .first()
    )
    assert row is not None, short_name
    return int(row["id"])


async def codes(arguments: dict[str, Any]) -> dict[str, str]:
    """Access codes for the listed people (by e-mail) of an organisation: email -> code."""
    organisation_id = await _organisation_id(arguments["org"])
    rows = await Membership.select(Membership.id, Membership.person.email).where(
        (Membership.organisation == organisation_id)
        & Membership.person.email.is_in(arguments["emails"])
    )
    by_id = {row["id"]: row["person.email"] for row in rows}
    issued = await issue_codes(
        await actor_for(organisation_id), list(by_id), secret_key=Settings.from_env().secret_key
    )
    return {by_id[code.membership_id]: code.display_code for code in issued}


async def voters(arguments: dict[str, Any]) -> dict[str, Any]:
    """A cooperative of ``count`` members with signed-in sessions (the first one facilitates),
    an assembly in session and ``ballots`` open secret majority ballots."""
    await migrate(quiet=True)
    short_name = arguments.get("org", "crash")
    organisation_id = await organisations.create_organisation("Coopérative du crash", short_name)
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id), "AG", datetime.now(UTC)
    )
    names = (f"Associé·e {n:05d}" for n in range(arguments["count"]))
    person_ids = await crowd.members(organisation_id, names)
    secret_key = Settings.from_env().secret_key
    tokens = [
        await accounts.start_session(pid, secret_key=secret_key, hours=4) for pid in person_ids
    ]
    questions = crowd.resolutions(arguments.get("ballots", 1))
    ballot_ids = await crowd.open_majority_ballots(organisation_id, assembly_id, questions)
    return {"tokens": tokens, "ballots": ballot_ids, "org": short_name}


async def stored(arguments: dict[str, Any]) -> dict[str, Any]:
    """What the database holds for a ballot: its status, the participation register and the
    papers (their number, and how many times each receipt appears)."""
    ballot_id = arguments["ballot"]
    ballot = await Ballot.select(Ballot.status, Ballot.result).where(Ballot.id == ballot_id).first()
    assert ballot is not None
    participations = await Participation.count().where(Participation.ballot == ballot_id)
    papers = await BallotPaper.select(BallotPaper.receipt_hash).where(
        BallotPaper.ballot == ballot_id
    )
    result = json.loads(ballot["result"]) if ballot["result"] else None
    return {
        "status": ballot["status"],
        "participations": participations,
        "papers": len(papers),
        "distinct_papers": len({paper["receipt_hash"] for paper in papers}),
        "result": result,
    }


async def assembly_of(arguments: dict[str, Any]) -> dict[str, Any]:
    """The id of an organisation's assembly in session."""
    organisation_id = await _organisation_id(arguments["org"])
    row = (
        await Assembly.select(Assembly.id)
        .where((Assembly.organisation == organisation_id) & (Assembly.status == "in_session"))
        .first()
    )
    return {"assembly": row["id"] if row else None}


async def sessions(arguments: dict[str, Any]) -> dict[str, Any]:
    """Sign-in sessions for people (by e-mail), as a browser would get from the login page."""
    secret_key = Settings.from_env().secret_key
    found = {}
    for email in arguments["emails"]:
        person = await Person.select(Person.id).where(Person.email == email).first()
        assert person is not None, email
        found[email] = await accounts.start_session(person["id"], secret_key=secret_key, hours=4)
    return found


async def samples(arguments: dict[str, Any]) -> dict[str, Any]:
    """A sample id for each listed path parameter, in the organisation (None: it has none)."""
    organisation_id = await _organisation_id(arguments["org"])
    found: dict[str, Any] = {}
    for name in arguments["names"]:
        try:
            found[name] = await first_id(name, organisation_id)
        except NoSampleError:
            found[name] = None
    return found


TASKS: dict[str, Callable[[dict[str, Any]], Awaitable[Any]]] = {
    "samples": samples,
    "codes": codes,
    "voters": voters,
    "stored": stored,
    "assembly_of": assembly_of,
    "sessions": sessions,
}


if __name__ == "__main__":
    task_main(TASKS)

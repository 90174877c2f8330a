"""Ballots prepared on a browser test's server, as ``python -m tests.e2e.ballot_tasks NAME JSON``
with that server's settings (see :func:`run`): each prints one JSON line.

The phone and projector tests need ballots of every method, some with votes, some closed or
published; preparing each through the console would take a minute of clicks that other tests
already cover. They go through the services, as an administrator's script would.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.server import ServedApp, task_main

from votes.core.rules import PostalRule
from votes.db.tables import (
    Amendment,
    Assembly,
    AssemblyKind,
    AssemblyStatus,
    Ballot,
    Membership,
    Organisation,
)
from votes.services import assemblies, rules
from votes.services.actors import actor_for
from votes.services.ballots import drafts, lifecycle, voting
from votes.settings import Settings


async def _organisation(short_name: str) -> int:
    rows = await Organisation.select(Organisation.id).where(Organisation.short_name == short_name)
    return int(rows[0]["id"])


async def _assembly(short_name: str) -> tuple[int, int]:
    organisation_id = await _organisation(short_name)
    row = (
        await Assembly.select(Assembly.id)
        .where((Assembly.organisation == organisation_id) & (Assembly.status == "in_session"))
        .first()
    )
    assert row is not None
    return organisation_id, int(row["id"])


async def _membership(organisation_id: int, email: str) -> int:
    row = (
        await Membership.select(Membership.id)
        .where((Membership.organisation == organisation_id) & (Membership.person.email == email))
        .first()
    )
    assert row is not None, email
    return int(row["id"])


async def postal_assembly(
    short_name: str, title: str, question: str, *, days: int, status: AssemblyStatus
) -> dict[str, Any]:
    """An AGO ``days`` away whose rules allow votes by correspondence (no second scrutineer,
    so no cosigning phone is needed), with one resolution prepared: its assembly and ballot."""
    organisation_id = await _organisation(short_name)
    actor = await actor_for(organisation_id)
    profile = await rules.organisation_profile(organisation_id)
    await rules.save_profile(
        actor,
        replace(profile, postal=PostalRule(allowed=True), dual_control=False, adjusted=True),
    )
    assembly_id = await assemblies.create_assembly(
        actor, title, datetime.now(UTC) + timedelta(days=days), kind=AssemblyKind.AGO, status=status
    )
    ballot_id = await drafts.create_ballot(
        actor,
        assembly_id,
        question,
        "majority",
        [("yes", "Pour"), ("no", "Contre"), ("abstain", "Abstention")],
    )
    return {"assembly": assembly_id, "ballot": ballot_id}


async def clear(arguments: dict[str, Any]) -> dict[str, Any]:
    """Close and publish every open ballot of the assembly in session (the demo leaves one)."""
    _organisation, assembly_id = await _assembly(arguments["org"])
    rows = await Ballot.select(Ballot.id).where(
        (Ballot.assembly == assembly_id) & (Ballot.status == "open")
    )
    for row in rows:
        actor = await lifecycle.system_actor(row["id"])
        await lifecycle.close_ballot(actor, row["id"])
        await lifecycle.publish_ballot(actor, row["id"])
    return {"cleared": [row["id"] for row in rows]}


async def ballot(arguments: dict[str, Any]) -> dict[str, Any]:
    """A ballot of the assembly in session: ``options`` are labels (keys o1, o2…, or the
    majority's yes/no/abstain), opened unless ``draft``; ``votes`` (email → choice) are cast,
    then it is closed (``close``) and published (``publish``) as asked."""
    organisation_id, assembly_id = await _assembly(arguments["org"])
    method = arguments["method"]
    labels = arguments["options"]
    if method == "majority":
        options = list(zip(("yes", "no", "abstain"), labels, strict=True))
    else:
        options = [(f"o{n}", label) for n, label in enumerate(labels, start=1)]
    actor = await actor_for(organisation_id)
    proposal_id = None
    if arguments.get("motion"):  # a proposal of the assembly that has amendments
        row = (
            await Amendment.select(Amendment.proposal)
            .where(Amendment.proposal.assembly == assembly_id)
            .first()
        )
        assert row is not None
        proposal_id = int(row["proposal"])
    ballot_id = await drafts.create_ballot(
        actor,
        assembly_id,
        arguments["question"],
        method,
        options,
        secret=arguments.get("secret", False),
        seats=arguments.get("seats", 1),
        rules=arguments.get("rules"),
        proposal_id=proposal_id,
    )
    if not arguments.get("draft"):
        await lifecycle.open_ballot(actor, ballot_id)
    key = Settings.from_env().secret_key
    for email, choice in arguments.get("votes", {}).items():
        member = await _membership(organisation_id, email)
        await voting.cast_vote(ballot_id, member, choice, receipt_key=key)
    if arguments.get("close"):
        await lifecycle.close_ballot(actor, ballot_id)
    if arguments.get("publish"):
        await lifecycle.publish_ballot(actor, ballot_id)
    return {"ballot": ballot_id}


async def close(arguments: dict[str, Any]) -> dict[str, Any]:
    actor = await lifecycle.system_actor(arguments["ballot"])
    await lifecycle.close_ballot(actor, arguments["ballot"])
    if arguments.get("publish"):
        await lifecycle.publish_ballot(actor, arguments["ballot"])
    return {"closed": arguments["ballot"]}


async def open_(arguments: dict[str, Any]) -> dict[str, Any]:
    actor = await lifecycle.system_actor(arguments["ballot"])
    await lifecycle.open_ballot(actor, arguments["ballot"])
    return {"opened": arguments["ballot"]}


TASKS: dict[str, Callable[[dict[str, Any]], Awaitable[Any]]] = {
    "clear": clear,
    "ballot": ballot,
    "close": close,
    "open": open_,
}


def run(app: ServedApp, name: str, **arguments: Any) -> Any:
    """Run one task on ``app``'s database and return its JSON answer."""
    return app.task(name, tasks="tests.e2e.ballot_tasks", **arguments)


if __name__ == "__main__":
    task_main(TASKS)

"""What the benchmarks build first. The record benchmarks (``bench_loop``, ``bench_minutes``,
``bench_verify``): a temporary SQLite database, a cooperative of many members, and an assembly
whose ballots are all published (a closed assembly, as its record is read after it). The server
benchmarks (``bench_votes``, ``bench_live``, ``bench_now``): members already signed in
(:func:`signed_in_members`), whose session cookies the simulated phones send.

The benchmarks that also run on PostgreSQL (``bench_live``, ``bench_load``) create and drop
their database through :func:`postgres_admin`.

Imported by those scripts as ``seeding`` (Python puts a script's own folder on the path).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

YES_NO = [("yes", "Pour"), ("no", "Contre"), ("abstain", "Abstention")]
POSTGRES_ADMIN_URL = os.environ.get(
    "VOTES_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
T = TypeVar("T")


def temporary_environment(name: str) -> None:
    """A fresh data folder and test settings, set before anything of ``votes`` is imported
    (Piccolo tables bind to the engine at import)."""
    os.environ.update(
        VOTES_DATA_DIR=tempfile.mkdtemp(prefix=f"votes-bench-{name}-"), VOTES_ENV="test",
        PICCOLO_CONF="votes.piccolo_conf",
        VOTES_SECRET_KEY="bench-secret-key-that-is-long-enough-0123456789",
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Cooperative:
    organisation_id: int
    voters: list[int]  # membership ids
    assembly_id: int


async def start_database() -> None:
    """The pool on the settings' database, migrated."""
    from votes.db.database import use_database
    from votes.db.engine import start_pool
    from votes.db.migrate import migrate
    from votes.settings import Settings

    await start_pool(use_database(Settings.from_env()), 2)
    await migrate(quiet=True)


async def on_a_pool(work: Awaitable[T]) -> T:
    """``work`` awaited on a pool of the configured database, closed afterwards: a benchmark
    seeds in its own process before the server it measures starts."""
    from votes.db.engine import close_pool, start_pool
    from votes.piccolo_conf import DB

    await start_pool(DB, 2)
    try:
        return await work
    finally:
        await close_pool(DB)


async def postgres_admin(statement: str) -> None:
    """Run ``statement`` (CREATE or DROP DATABASE …) on the PostgreSQL server's own database."""
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def postgres_reachable() -> bool:
    try:
        asyncio.run(postgres_admin("SELECT 1"))
    except Exception:  # any failure means: skip that configuration
        return False
    return True


async def voting_members(organisation_id: int, count: int) -> list[int]:
    """``count`` voting members (« Associé·e 00000 » …) added through the services, without
    an address; their membership ids, in order."""
    from votes.db.tables import MembershipKind
    from votes.services import accounts, organisations

    voters = []
    for index in range(count):
        person = await accounts.create_person(f"Associé·e {index:05d}", None, None)
        voters.append(
            await organisations.add_membership(organisation_id, person, kind=MembershipKind.MEMBER)
        )
    return voters


async def cooperative(members: int) -> Cooperative:
    """A cooperative of ``members`` voting members and an assembly in session."""
    from votes.db.tables import AssemblyStatus
    from votes.services import assemblies, organisations
    from votes.services.actors import actor_for

    organisation_id = await organisations.create_organisation("Bench", "bench")
    voters = await voting_members(organisation_id, members)
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id), "AGO", datetime.now(UTC), status=AssemblyStatus.IN_SESSION
    )  # closed once its ballots are published: a closed assembly takes no ballot
    return Cooperative(organisation_id, voters, assembly_id)


async def closed_assembly(members: int, ballots: int) -> Cooperative:
    """The record benchmarks' subject on a started database: a cooperative of ``members``,
    each of whom voted in ``ballots`` published ballots, and its closed assembly."""
    await start_database()
    coop = await cooperative(members)
    await published_ballots(coop, ballots)
    return coop


def record_benchmark(
    name: str, doc: str, main: Callable[[int, int], Awaitable[None]], *, members: int, ballots: int
) -> None:
    """A record benchmark's command line (``--members``, ``--ballots``; ``doc``'s first
    paragraph for help): ``main(members, ballots)`` run in a fresh data folder."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=members)
    parser.add_argument("--ballots", type=int, default=ballots)
    arguments = parser.parse_args()
    temporary_environment(name)
    asyncio.run(main(arguments.members, arguments.ballots))


async def cast_every_voter(coop: Cooperative, ballot_id: int, number: int) -> None:
    """Each member votes through the service, at random (seeded)."""
    from votes.services.ballots import voting

    rng = random.Random(7 + number)
    for membership_id in coop.voters:
        await voting.cast_vote(ballot_id, membership_id, rng.choice(["yes", "no", "abstain"]))


async def published_ballots(
    coop: Cooperative,
    count: int,
    fill: Callable[[Cooperative, int, int], Awaitable[None]] = cast_every_voter,
    *,
    method_of: Callable[[int], tuple[str, list[tuple[str, str]]]] = lambda _: ("majority", YES_NO),
) -> None:
    """``count`` ballots (secret one in two), each opened, filled by ``fill(coop, ballot id,
    number)``, closed and published; then the assembly is closed."""
    from votes.db.tables import Assembly, AssemblyStatus
    from votes.services.actors import actor_for
    from votes.services.ballots import drafts, lifecycle

    for number in range(count):
        method, options = method_of(number)
        ballot_id = await drafts.create_ballot(
            await actor_for(coop.organisation_id), coop.assembly_id, f"Résolution {number + 1}",
            method, options, secret=number % 2 == 0,
        )  # fmt: skip
        await lifecycle.open_ballot(await lifecycle.system_actor(ballot_id), ballot_id)
        await fill(coop, ballot_id, number)
        await lifecycle.close_ballot(await lifecycle.system_actor(ballot_id), ballot_id)
        await lifecycle.publish_ballot(await lifecycle.system_actor(ballot_id), ballot_id)
    await Assembly.update({Assembly.status: AssemblyStatus.CLOSED.value}).where(
        Assembly.id == coop.assembly_id
    )


async def signed_in_members(
    organisation_id: int, count: int, secret_key: str
) -> tuple[list[int], list[str]]:
    """``count`` members (the first a facilitator), each with a session opened for four
    hours, written straight into the tables: their person ids and session tokens, in order."""
    from tests.support import crowd

    from votes.db.tables import LoginSession
    from votes.services import accounts

    person_ids = await crowd.members(organisation_id, (f"Member {n:05d}" for n in range(count)))
    tokens = [secrets.token_urlsafe(32) for _ in person_ids]
    expires = datetime.now(UTC) + timedelta(hours=4)
    await LoginSession.insert(
        *(
            LoginSession(
                token_hash=accounts.token_hash(t, secret_key), person=pid, expires_at=expires
            )
            for t, pid in zip(tokens, person_ids, strict=True)
        )
    )
    return person_ids, tokens

"""Raw SQL for sign-in: the signed-in person of a session token, read on every request, and the
PostgreSQL advisory locks that serialise the reservations of one sign-in budget."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from votes.db.engine import read_raw
from votes.db.tables import LoginSession, SignInFailure

# run on every request: plain SQL, because building Piccolo's joined select costs about
# 0.7 ms of CPU each time (measured by benchmarks/bench_votes.py)
_VIEWER_SQL = (
    'SELECT p.id AS "person.id", p.name AS "person.name", p.email AS "person.email", '
    'p.is_instance_admin AS "person.is_instance_admin", '
    'p.preferred_language AS "person.preferred_language", s.organisation AS "organisation" '
    "FROM login_session s JOIN person p ON p.id = s.person "
    "WHERE s.token_hash = {} AND s.revoked = {} AND s.expires_at > {}"
)


async def signed_in_row(token_hash: str, now: datetime) -> dict[str, Any] | None:
    """The person (``person.*`` keys) and organisation scope of a live, unrevoked session."""
    rows = await read_raw(LoginSession, _VIEWER_SQL, token_hash, False, now)
    return rows[0] if rows else None


async def lock_until_commit(keys: Iterable[str]) -> None:
    """PostgreSQL only: take a transaction-level advisory lock per key, in the order given."""
    for key in keys:
        await SignInFailure.raw("SELECT pg_advisory_xact_lock(hashtext({}))", key)

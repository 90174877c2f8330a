"""Where a vote is stored: the facts its decision reads, and the two rows it writes.

The decision (``votes.services.ballots``) is one function of :class:`VoteFacts`; storing is one
of two adapters with the same contract, read the facts, let the decision answer, write what it
answers, all in one write transaction:

* :class:`SQLiteVoteStorage`: the whole vote as one body run in the SQLite writer's thread in
  one hop (a Piccolo transaction awaits each statement, and under load each await holds the
  write lock while the event loop goes round every other request); inside an open Piccolo
  transaction it joins it.
* :class:`PiccoloVoteStorage`: the same through Piccolo, on any engine; on PostgreSQL the ballot
  row is share-locked, so a concurrent close waits for the vote or the vote sees the close.

The tests run both on SQLite (PostgreSQL takes the Piccolo one).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Protocol

from piccolo.engine.postgres import PostgresEngine

from votes.db.engine import VotesSQLiteEngine, write_transaction
from votes.db.queries import own_row
from votes.db.tables import (
    AdvanceParticipation,
    AdvanceStatus,
    Assembly,
    Attendance,
    Ballot,
    BallotPaper,
    Membership,
    Participation,
    Proxy,
    ProxyStatus,
    advance_key,
    participation_key,
)

PRESENT = ("present", "remote")  # attendance statuses that let a member vote in the room


@dataclass(frozen=True, slots=True)
class VoteFacts:
    """What a vote's decision reads, inside the vote's write transaction."""

    # status, phase, round, secret, organisation, is_test, assembly, weight_groups, closes_at,
    # allow_change, assembly_kind, assembly_status; None: no such ballot
    ballot: Mapping[str, Any] | None
    voter: Mapping[str, Any] | None  # kind, status, college, category, delegated_by (#20)
    checked_in: bool = False  # the voter is present (or remote) at the ballot's assembly
    # on behalf of another member: that member's row, and whether the voter holds their proxy
    principal: Mapping[str, Any] | None = None
    proxy_held: bool = False
    # the participation already stored for whom the vote is (its submission_hash, voted_at)
    existing: Mapping[str, Any] | None = None
    # whom the vote is for answered this ballot by correspondence, and it stands
    by_post: bool = False


@dataclass(frozen=True, slots=True)
class VoteRows:
    """What a vote writes: the participation (who) and the paper (what)."""

    participant: int
    round: int
    submission_hash: str
    voted_at: datetime
    paper_voter: int | None  # None on a secret ballot
    content: str
    receipt: str
    weight_group: str
    change_hash: str


# the decision: raise a refusal, answer the rows to write, or the time of the vote already
# stored (a repeated submission: nothing is written)
Decide = Callable[[VoteFacts], VoteRows | datetime]


class VoteStorage(Protocol):
    async def cast(
        self, ballot_id: int, voter_id: int, on_behalf: int | None, decide: Decide
    ) -> VoteRows | datetime:
        """Read the facts, decide, write; return what the decision answered."""


# ---------------------------------------------------------------------------------------------
# SQLite, in the writer's thread

_BALLOT_SQL = (
    "SELECT b.status, b.phase, b.round, b.secret, b.organisation, b.is_test, b.assembly,"
    " b.weight_groups, b.closes_at, b.allow_change, a.kind AS assembly_kind,"
    " a.status AS assembly_status"
    " FROM ballot b JOIN assembly a ON a.id = b.assembly WHERE b.id = ?"
)
_MEMBER_SQL = (
    "SELECT kind, status, college, category, delegated_by FROM membership"
    " WHERE id = ? AND organisation = ?"
)
_CHECKED_IN_SQL = (
    "SELECT 1 FROM attendance WHERE attendance_key = ? AND status IN ('present', 'remote')"
)
_PROXY_SQL = "SELECT 1 FROM proxy WHERE proxy_key = ? AND holder = ? AND status = ?"
_EXISTING_SQL = "SELECT submission_hash, voted_at FROM participation WHERE participation_key = ?"
_BY_POST_SQL = (
    "SELECT 1 FROM advance_participation WHERE advance_key = ? AND status = 'counted' AND stands"
)
_INSERT_PARTICIPATION_SQL = (
    "INSERT INTO participation (ballot, membership, participation_key, round, submission_hash,"
    " voted_at) VALUES (?, ?, ?, ?, ?, ?)"
)
_INSERT_PAPER_SQL = (
    "INSERT INTO ballot_paper (id, ballot, voter, round, content, receipt_hash, weight_group,"
    " change_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


class SQLiteVoteStorage:
    """The vote in one hop of the SQLite writer's thread."""

    def __init__(self, engine: VotesSQLiteEngine) -> None:
        self.engine = engine

    async def cast(
        self, ballot_id: int, voter_id: int, on_behalf: int | None, decide: Decide
    ) -> VoteRows | datetime:
        body = partial(_cast_in_sqlite, ballot_id, voter_id, on_behalf, decide)
        return await self.engine.run_write(body)


def _cast_in_sqlite(
    ballot_id: int, voter_id: int, on_behalf: int | None, decide: Decide, connection: Any
) -> VoteRows | datetime:
    ballot = connection.execute(_BALLOT_SQL, (ballot_id,)).fetchone()
    facts = VoteFacts(None, None)
    if ballot is not None:
        organisation, assembly = ballot["organisation"], ballot["assembly"]
        principal, held = None, False
        if on_behalf is not None:
            principal = connection.execute(_MEMBER_SQL, (on_behalf, organisation)).fetchone()
            found = connection.execute(
                _PROXY_SQL, (f"{assembly}:{on_behalf}", voter_id, ProxyStatus.ACTIVE.value)
            ).fetchone()
            held = found is not None
        key = participation_key(
            ballot_id, voter_id if on_behalf is None else on_behalf, ballot["round"]
        )
        facts = VoteFacts(
            ballot,
            connection.execute(_MEMBER_SQL, (voter_id, organisation)).fetchone(),
            checked_in=connection.execute(_CHECKED_IN_SQL, (f"{assembly}:{voter_id}",)).fetchone()
            is not None,
            principal=principal,
            proxy_held=held,
            existing=connection.execute(_EXISTING_SQL, (key,)).fetchone(),
            by_post=connection.execute(
                _BY_POST_SQL,
                (advance_key(ballot_id, voter_id if on_behalf is None else on_behalf),),
            ).fetchone()
            is not None,
        )
    outcome = decide(facts)
    if isinstance(outcome, VoteRows):
        key = participation_key(ballot_id, outcome.participant, outcome.round)
        connection.execute(
            _INSERT_PARTICIPATION_SQL,
            (
                ballot_id,
                outcome.participant,
                key,
                outcome.round,
                outcome.submission_hash,
                outcome.voted_at,
            ),
        )
        connection.execute(
            _INSERT_PAPER_SQL,
            (
                uuid.uuid4(),
                ballot_id,
                outcome.paper_voter,
                outcome.round,
                outcome.content,
                outcome.receipt,
                outcome.weight_group,
                outcome.change_hash,
            ),
        )
    return outcome


# ---------------------------------------------------------------------------------------------
# Piccolo, on any engine


class PiccoloVoteStorage:
    """The vote through Piccolo: PostgreSQL's path, and SQLite's when asked."""

    async def cast(
        self, ballot_id: int, voter_id: int, on_behalf: int | None, decide: Decide
    ) -> VoteRows | datetime:
        async with write_transaction(Ballot._meta.db):
            facts = await read_facts(ballot_id, voter_id, on_behalf)
            outcome = decide(facts)
            if isinstance(outcome, VoteRows):
                await _insert(ballot_id, outcome)
            return outcome


async def read_facts(ballot_id: int, voter_id: int, on_behalf: int | None = None) -> VoteFacts:
    """The facts of a vote through Piccolo; call it inside the write transaction (on PostgreSQL
    it share-locks the ballot row until the transaction ends)."""
    query = Ballot.select(
        Ballot.status,
        Ballot.phase,
        Ballot.round,
        Ballot.secret,
        Ballot.organisation,
        Ballot.is_test,
        Ballot.assembly,
        Ballot.weight_groups,
        Ballot.closes_at,
        Ballot.allow_change,
    ).where(Ballot.id == ballot_id)
    if isinstance(Ballot._meta.db, PostgresEngine):
        query = query.lock_rows("SHARE")
    ballot = await query.first()
    if ballot is None:
        return VoteFacts(None, None)
    organisation, assembly = ballot["organisation"], ballot["assembly"]
    kind = (
        await Assembly.select(Assembly.kind, Assembly.status).where(Assembly.id == assembly).first()
    )
    ballot["assembly_kind"] = str(kind["kind"]) if kind else ""
    ballot["assembly_status"] = str(kind["status"]) if kind else ""
    principal, held = None, False
    if on_behalf is not None:
        principal = await _member_row(on_behalf, organisation)
        held = await Proxy.exists().where(
            (Proxy.proxy_key == f"{assembly}:{on_behalf}")
            & (Proxy.holder == voter_id)
            & (Proxy.status == ProxyStatus.ACTIVE.value)
        )
    key = participation_key(
        ballot_id, voter_id if on_behalf is None else on_behalf, ballot["round"]
    )
    return VoteFacts(
        ballot,
        await _member_row(voter_id, organisation),
        checked_in=await Attendance.exists().where(
            (Attendance.attendance_key == f"{assembly}:{voter_id}")
            & Attendance.status.is_in(list(PRESENT))
        ),
        principal=principal,
        proxy_held=held,
        existing=await Participation.select(Participation.submission_hash, Participation.voted_at)
        .where(Participation.participation_key == key)
        .first(),
        by_post=await AdvanceParticipation.exists().where(
            (
                AdvanceParticipation.advance_key
                == advance_key(ballot_id, voter_id if on_behalf is None else on_behalf)
            )
            & (AdvanceParticipation.status == AdvanceStatus.COUNTED.value)
            & (AdvanceParticipation.stands == True)  # noqa: E712 - Piccolo builds SQL
        ),
    )


async def _member_row(membership_id: int, organisation_id: int) -> dict[str, Any] | None:
    row = await own_row(
        Membership,
        organisation_id,
        membership_id,
        Membership.kind,
        Membership.status,
        Membership.college,
        Membership.category,
        Membership.delegated_by,
    )
    return dict(row) if row else None


async def _insert(ballot_id: int, rows: VoteRows) -> None:
    await Participation.insert(
        Participation(
            ballot=ballot_id,
            membership=rows.participant,
            participation_key=participation_key(ballot_id, rows.participant, rows.round),
            round=rows.round,
            submission_hash=rows.submission_hash,
            voted_at=rows.voted_at,
        )
    )
    await BallotPaper.insert(
        BallotPaper(
            id=uuid.uuid4(),
            ballot=ballot_id,
            voter=rows.paper_voter,
            round=rows.round,
            content=rows.content,
            receipt_hash=rows.receipt,
            weight_group=rows.weight_group,
            change_hash=rows.change_hash,
        )
    )


def storage_for(engine: Any) -> VoteStorage:
    """The adapter a vote takes on ``engine``: one hop of the writer's thread on the app's
    SQLite engine, Piccolo elsewhere."""
    if isinstance(engine, VotesSQLiteEngine):
        return SQLiteVoteStorage(engine)
    return PiccoloVoteStorage()


# ---------------------------------------------------------------------------------------------
# changing a paper


async def paper_content(where: Any) -> str | None:
    """The stored content of the paper ``where`` selects (None: no such paper)."""
    row = await BallotPaper.select(BallotPaper.content).where(where).first()
    return None if row is None else str(row["content"])


async def replace_paper(
    ballot_id: int, round_: int, content: str, *, voter: int | None = None, change_hash: str = ""
) -> bool:
    """Replace the content of the paper of ``voter`` (a public ballot) or of ``change_hash`` (a
    secret one) in the ballot's round; whether a paper was found."""
    where = paper_of(ballot_id, round_, voter=voter, change_hash=change_hash)
    changed = (
        await BallotPaper.update({BallotPaper.content: content})
        .where(where)
        .returning(BallotPaper.id)
    )
    return bool(changed)


async def touch_participation(ballot_id: int, voter: int, round_: int, at: datetime) -> None:
    """Move the time of ``voter``'s participation in the ballot's round to ``at``: a changed vote
    counts from its last word."""
    await Participation.update({Participation.voted_at: at}).where(
        Participation.participation_key == participation_key(ballot_id, voter, round_)
    )


def paper_of(
    ballot_id: int, round_: int, *, voter: int | None = None, change_hash: str = ""
) -> Any:
    """The condition that finds one voter's paper: by voter on a public ballot, by change hash
    on a secret one."""
    where = (BallotPaper.ballot == ballot_id) & (BallotPaper.round == round_)
    if voter is not None:
        return where & (BallotPaper.voter == voter)
    return where & (BallotPaper.change_hash == change_hash)

"""Ballots: creation, opening, casting, closing (the count) and publication.

A vote writes two rows in one transaction: a ``Participation`` (who voted, unique per ballot and
member: the database itself refuses a second vote) and a ``BallotPaper`` (what was chosen). For a
secret ballot the paper carries nothing that leads back to the voter: a random id, no voter, no
time, only the hash of a receipt code that the voter alone receives.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

import anyio.to_thread

from votes.core import tally
from votes.core.results import TallyResult
from votes.db.engine import write_transaction
from votes.db.tables import (
    Ballot,
    BallotOption,
    BallotPaper,
    BallotStatus,
    Membership,
    MembershipKind,
    MembershipStatus,
    Participation,
)

RANKED_METHODS = frozenset({"irv", "stv", "meek_stv", "schulze", "ranked_pairs", "borda"})
RESPONSE_METHODS = frozenset({"majority", "consent", "consensus", "plurality"})
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
RECEIPT_LENGTH = 10


class BallotError(Exception):
    """A ballot action that cannot be done now; ``code`` names the reason for the message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def decode_choice(method: str, content: str) -> Any:
    """A stored paper's JSON, in the shape the tally core expects for ``method``."""
    data = json.loads(content)
    if method in RANKED_METHODS:
        return tuple(data)
    if method == "approval":
        return frozenset(data)
    if method == "score":
        return frozenset((key, int(value)) for key, value in data.items())
    if isinstance(data, list):  # a response with its reason, e.g. an objection
        return tuple(data)
    return data


def receipt_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def new_receipt_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


async def create_ballot(
    organisation_id: int,
    assembly_id: int,
    question: str,
    method: str,
    options: Sequence[tuple[str, str]],
    *,
    agenda_item_id: int | None = None,
    proposal_id: int | None = None,
    seats: int = 1,
    secret: bool = False,
    is_test: bool = False,
    rules: dict[str, Any] | None = None,
) -> int:
    """Create a draft ballot with its options, given as (key, label) pairs in display order."""
    async with write_transaction(Ballot._meta.db):
        rows = await Ballot.insert(
            Ballot(
                organisation=organisation_id,
                assembly=assembly_id,
                agenda_item=agenda_item_id,
                proposal=proposal_id,
                question=question,
                method=method,
                seats=seats,
                secret=secret,
                is_test=is_test,
                rules=json.dumps(rules or {}),
            )
        )
        ballot_id = int(rows[0]["id"])
        await BallotOption.insert(
            *(
                BallotOption(ballot=ballot_id, position=index, key=key, label=label)
                for index, (key, label) in enumerate(options, start=1)
            )
        )
    return ballot_id


async def _set_status(
    ballot_id: int, expected: BallotStatus, new: BallotStatus, **extra: Any
) -> None:
    async with write_transaction(Ballot._meta.db):
        row = await Ballot.select(Ballot.status).where(Ballot.id == ballot_id).first()
        if row is None:
            raise BallotError("not_found")
        if row["status"] != expected.value:
            raise BallotError(f"not_{expected.value}")
        values: dict[Any, Any] = {Ballot.status: new.value}
        values.update({getattr(Ballot, name): value for name, value in extra.items()})
        await Ballot.update(values).where(Ballot.id == ballot_id)


async def open_ballot(ballot_id: int) -> None:
    await _set_status(ballot_id, BallotStatus.DRAFT, BallotStatus.OPEN, opened_at=datetime.now(UTC))


async def cast_vote(ballot_id: int, membership_id: int, choice: Any) -> str:
    """Record one member's vote; return their receipt code.

    ``choice`` is JSON-serialisable in the method's shape (a response, a list of keys, a mapping
    of scores). Raises ``BallotError`` when the ballot is not open, the member may not vote here,
    or has voted already.
    """
    code = new_receipt_code()
    async with write_transaction(Ballot._meta.db):
        ballot = (
            await Ballot.select(Ballot.status, Ballot.secret, Ballot.organisation)
            .where(Ballot.id == ballot_id)
            .first()
        )
        if ballot is None:
            raise BallotError("not_found")
        if ballot["status"] != BallotStatus.OPEN.value:
            raise BallotError("not_open")
        member = (
            await Membership.select(Membership.kind, Membership.status)
            .where(
                (Membership.id == membership_id)
                & (Membership.organisation == ballot["organisation"])
            )
            .first()
        )
        if (
            member is None
            or member["kind"] != MembershipKind.MEMBER.value
            or member["status"] != MembershipStatus.ACTIVE.value
        ):
            raise BallotError("not_eligible")
        key = f"{ballot_id}:{membership_id}"
        if await Participation.exists().where(Participation.participation_key == key):
            raise BallotError("already_voted")
        await Participation.insert(
            Participation(ballot=ballot_id, membership=membership_id, participation_key=key)
        )
        await BallotPaper.insert(
            BallotPaper(
                ballot=ballot_id,
                voter=None if ballot["secret"] else membership_id,
                content=json.dumps(choice, sort_keys=True),
                receipt_hash=receipt_hash(code),
            )
        )
    return code


async def close_ballot(ballot_id: int) -> TallyResult:
    """Freeze the ballot, count its papers with the tally core (off the event loop), store the
    result with the rules it was computed under."""
    await _set_status(
        ballot_id, BallotStatus.OPEN, BallotStatus.CLOSED, closed_at=datetime.now(UTC)
    )
    result = await count_ballot(ballot_id)
    await Ballot.update({Ballot.result: result.to_json()}).where(Ballot.id == ballot_id)
    return result


async def count_ballot(ballot_id: int) -> TallyResult:
    """Recount a ballot from its stored papers (the same function closing and audits use)."""
    ballot = await Ballot.select().where(Ballot.id == ballot_id).first()
    if ballot is None:
        raise BallotError("not_found")
    options = (
        await BallotOption.select(BallotOption.key)
        .where(BallotOption.ballot == ballot_id)
        .order_by(BallotOption.position)
    )
    papers = await BallotPaper.select(BallotPaper.content).where(BallotPaper.ballot == ballot_id)
    grouped = Counter(decode_choice(ballot["method"], paper["content"]) for paper in papers)
    count = partial(
        tally,
        ballot["method"],
        [option["key"] for option in options],
        dict(grouped),
        seats=ballot["seats"],
        **json.loads(ballot["rules"]),
    )
    return await anyio.to_thread.run_sync(count)


async def publish_ballot(ballot_id: int) -> None:
    await _set_status(ballot_id, BallotStatus.CLOSED, BallotStatus.PUBLISHED)

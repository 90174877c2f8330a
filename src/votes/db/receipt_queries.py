"""A member's own votes: the ballots they took part in, and for roll-call ballots what they
chose. For a secret ballot the database knows only *that* they voted: nothing joins the
participation register to a paper, so their choice is found only with their receipt code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from votes.db.queries import view_of
from votes.db.tables import BallotOption, BallotPaper, BallotStatus, Participation

_BALLOT: Any = Participation.ballot
_PAPER_BALLOT: Any = BallotPaper.ballot


@dataclass(frozen=True, slots=True)
class MyVote:
    ballot_id: int
    question: str
    assembly_title: str
    method: str
    status: str
    secret: bool
    round: int
    voted_at: datetime
    choice: str | None  # the stored choice (JSON) of a roll-call ballot; None when secret
    labels: dict[str, str]


@dataclass(frozen=True, slots=True)
class CheckedPaper:
    ballot_id: int
    question: str
    content: str
    labels: dict[str, str]
    method: str = ""


async def _labels(ballot_ids: list[int]) -> dict[int, dict[str, str]]:
    rows = await BallotOption.select(
        BallotOption.ballot, BallotOption.key, BallotOption.label
    ).where(BallotOption.ballot.is_in(ballot_ids or [0]))
    found: dict[int, dict[str, str]] = {}
    for row in rows:
        found.setdefault(row["ballot"], {})[row["key"]] = row["label"]
    return found


async def my_votes(organisation_id: int, membership_id: int) -> list[MyVote]:
    """The member's participations in the organisation's ballots (not rehearsals), newest
    first, with their own choice where the ballot is a roll call."""
    rows = (
        await Participation.select(
            _BALLOT.id.as_alias("ballot_id"),
            _BALLOT.question.as_alias("question"),
            _BALLOT.assembly.title.as_alias("assembly_title"),
            _BALLOT.method.as_alias("method"),
            _BALLOT.status.as_alias("status"),
            _BALLOT.secret.as_alias("secret"),
            Participation.round,
            Participation.voted_at,
        )
        .where(
            (Participation.membership == membership_id)
            & (_BALLOT.organisation == organisation_id)
            & _BALLOT.is_test.eq(False)
        )
        .order_by(Participation.voted_at, ascending=False)
    )
    ballot_ids = [row["ballot_id"] for row in rows]
    papers = await BallotPaper.select(
        BallotPaper.ballot, BallotPaper.round, BallotPaper.content
    ).where(BallotPaper.ballot.is_in(ballot_ids or [0]) & (BallotPaper.voter == membership_id))
    choices = {(p["ballot"], p["round"]): p["content"] for p in papers}
    labels = await _labels(ballot_ids)
    return [
        view_of(
            MyVote,
            {
                **row,
                "choice": None if row["secret"] else choices.get((row["ballot_id"], row["round"])),
                "labels": labels.get(row["ballot_id"], {}),
            },
        )
        for row in rows
    ]


async def published_paper_by_receipt(
    organisation_id: int, receipt_hash: str
) -> CheckedPaper | None:
    """The paper whose receipt hash this is, among the organisation's published ballots."""
    row = (
        await BallotPaper.select(
            _PAPER_BALLOT.id, _PAPER_BALLOT.question, _PAPER_BALLOT.method, BallotPaper.content
        )
        .where(
            (BallotPaper.receipt_hash == receipt_hash)
            & (_PAPER_BALLOT.organisation == organisation_id)
            & (_PAPER_BALLOT.status == BallotStatus.PUBLISHED.value)
        )
        .first()
    )
    if row is None:
        return None
    labels = (await _labels([row["ballot.id"]])).get(row["ballot.id"], {})
    return CheckedPaper(
        row["ballot.id"], row["ballot.question"], row["content"], labels, row["ballot.method"]
    )

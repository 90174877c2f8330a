"""The few reads live updates need: a ballot's turnout for its signal, and whether anything an
open page shows changed since a moment (to catch a page up when its stream (re)connects)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from votes.db.tables import (
    AuditChain,
    AuditEntry,
    Ballot,
    Contribution,
    PaperCount,
    Participation,
)
from votes.db.voting_rules import eligible_count


@dataclass(frozen=True, slots=True)
class TurnoutSignal:
    organisation_id: int
    assembly_id: int
    total: int  # electronic votes of the current round plus the room's count
    eligible: int


async def turnout_signal(ballot_id: int) -> TurnoutSignal | None:
    """The counts every viewer of the ballot sees (never who voted, never what)."""
    ballot = (
        await Ballot.select(
            Ballot.organisation,
            Ballot.assembly,
            Ballot.round,
            Ballot.eligible_at_open,
            Ballot.eligible_at_close,
        )
        .where(Ballot.id == ballot_id)
        .first()
    )
    if ballot is None:
        return None
    voted = await Participation.count().where(
        (Participation.ballot == ballot_id) & (Participation.round == ballot["round"])
    )
    room = await PaperCount.select(PaperCount.cast).where(
        PaperCount.count_key == f"{ballot_id}:{ballot['round']}"
    )
    eligible = (
        ballot["eligible_at_close"]
        or ballot["eligible_at_open"]
        or await eligible_count(ballot["organisation"])  # the one count of who may vote now
    )
    return TurnoutSignal(
        organisation_id=ballot["organisation"],
        assembly_id=ballot["assembly"],
        total=int(voted) + (room[0]["cast"] if room else 0),
        eligible=int(eligible),
    )


async def changed_since(organisation_id: int, moment: datetime) -> bool:
    """Whether the organisation acted (every ballot, agenda and attendance act is in its audit
    trail) or a contribution was posted after ``moment``. Two indexed lookups and one
    ordered one, run once per stream connection."""
    head = (
        await AuditChain.select(AuditChain.last_sequence)
        .where(AuditChain.chain_key == str(organisation_id))
        .first()
    )
    if head is not None and head["last_sequence"]:
        last = (
            await AuditEntry.select(AuditEntry.occurred_at)
            .where(AuditEntry.entry_key == f"{organisation_id}:{head['last_sequence']}")
            .first()
        )
        if last is not None and last["occurred_at"] > moment:
            return True
    latest = (
        await Contribution.select(Contribution.created_at)
        .where(Contribution.organisation == organisation_id)
        .order_by(Contribution.id, ascending=False)
        .first()
    )
    return latest is not None and latest["created_at"] > moment

"""What the other ballot modules read alike: a ballot's row in its organisation, its options, its
definition (cached once open), the eligible count, the deadline, a sealed paper opened."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from votes.db.tables import (
    Ballot,
    BallotOption,
    BallotStatus,
)
from votes.services import sealing
from votes.services.refusals import Refused, owned_row

logger = logging.getLogger("votes.ballots")


async def ballot_row(ballot_id: int, organisation_id: int, *, lock: bool = False) -> dict[str, Any]:
    """The ballot's row (``not_found`` when it is not the organisation's); with ``lock``, locked
    until the transaction ends, so two acts on one ballot (two facilitators, two workers'
    deadline sweeps) take turns."""
    return await owned_row(Ballot, organisation_id, ballot_id, lock=lock)


async def options_of(ballot_id: int) -> list[str]:
    rows = (
        await BallotOption.select(BallotOption.key)
        .where(BallotOption.ballot == ballot_id)
        .order_by(BallotOption.position)
    )
    return [row["key"] for row in rows]


@dataclass(frozen=True, slots=True)
class BallotDefinition:
    """What never changes once a ballot is open: read once per process, not per vote."""

    organisation_id: int
    method: str
    keys: tuple[str, ...]
    rules: Mapping[str, Any]
    draft: bool = False  # still editable: read again each time, never cached


DEFINITIONS: dict[int, BallotDefinition] = {}


DEFINITIONS_KEPT = 4096


async def ballot_definition(ballot_id: int) -> BallotDefinition:
    """The ballot's organisation, method, option keys and rules: immutable once the ballot is
    open, hence cached per process from then on. A draft's may still be edited (in any
    worker), so a draft's definition is never cached."""
    found = DEFINITIONS.get(ballot_id)
    if found is not None:
        return found
    row = (
        await Ballot.select(Ballot.organisation, Ballot.method, Ballot.rules, Ballot.status)
        .where(Ballot.id == ballot_id)
        .first()
    )
    if row is None:
        raise Refused("not_found")
    found = BallotDefinition(
        row["organisation"],
        row["method"],
        tuple(await options_of(ballot_id)),
        json.loads(row["rules"]),
        draft=row["status"] == BallotStatus.DRAFT.value,
    )
    if found.draft:
        return found
    if len(DEFINITIONS) >= DEFINITIONS_KEPT:
        DEFINITIONS.clear()
    DEFINITIONS[ballot_id] = found
    return found


def deadline_passed(closes_at: datetime | None, now: datetime | None = None) -> bool:
    """Whether a ballot's countdown has run out: it takes no vote any more, closed or not."""
    return closes_at is not None and (now or datetime.now(UTC)) >= closes_at


def unsealed(ballot_id: int, round_: int, stored: str) -> sealing.Paper:
    try:
        return sealing.unseal(ballot_id, round_, stored)
    except sealing.SealError as error:
        logger.error("ballot %s: a sealed paper does not open: %s", ballot_id, error)
        raise Refused("sealed_key") from error

"""Paper and show-of-hands counts from the room, entered by a scrutineer."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from votes.core import room_counts
from votes.core.room_counts import (
    PAPER_COUNT_METHODS,
    RoomCount,
)
from votes.db.engine import write_transaction
from votes.db.tables import (
    AdvanceParticipation,
    AdvanceStatus,
    Ballot,
    BallotStatus,
    PaperCount,
    Participation,
)
from votes.db.voting_rules import eligible_count
from votes.services import audit, events, minutes
from votes.services.actors import (
    Actor,
    may_count,
    require,
)
from votes.services.ballots.counting import store_count
from votes.services.ballots.rows import ballot_row, options_of
from votes.services.refusals import Refused


async def record_room_count(actor: Actor, ballot_id: int, count: RoomCount) -> None:
    """Store (or correct) the room's count for the ballot's current round.

    Checks: no negative number, only the ballot's options, the papers add up (see
    ``check_room_count``), and room plus electronic votes no more than the members with voting
    rights. A closed ballot is counted again with the corrected figures.
    """
    require(may_count, actor)
    organisation_id = actor.organisation_id
    try:
        room_counts.check_not_negative(count)
    except room_counts.RoomCountError as error:
        raise Refused(error.code) from error
    async with write_transaction(Ballot._meta.db):
        row = await ballot_row(ballot_id, organisation_id)
        await minutes.refuse_if_final(row["assembly"])
        if row["method"] not in PAPER_COUNT_METHODS:
            raise Refused("no_room_count")
        check_room_count(row["method"], json.loads(row["rules"]), count)
        if row["weight_groups"] == "college":  # a show of hands tells no college apart
            raise Refused("no_room_count_colleges")
        if row["weight_groups"].startswith("cooperative"):  # nor a network's cooperatives (#20)
            raise Refused("no_room_count_cooperatives")
        if row["status"] not in (BallotStatus.OPEN.value, BallotStatus.CLOSED.value):
            raise Refused("not_open")
        if not set(count.counts) <= set(await options_of(ballot_id)):
            raise Refused("unknown_option")
        electronic = await Participation.count().where(
            (Participation.ballot == ballot_id) & (Participation.round == row["round"])
        )
        # the answers by correspondence this ballot counts too: never more votes than voters
        by_post = await AdvanceParticipation.count().where(
            (AdvanceParticipation.ballot == ballot_id)
            & (AdvanceParticipation.status == AdvanceStatus.COUNTED.value)
        )
        eligible = row["eligible_at_close"] or await eligible_count(organisation_id)
        if electronic + by_post + count.cast > eligible:
            raise Refused("too_many_votes")
        key = f"{ballot_id}:{row['round']}"
        await PaperCount.delete().where(PaperCount.count_key == key)
        await PaperCount.insert(
            PaperCount(
                ballot=ballot_id,
                count_key=key,
                counts=json.dumps(dict(count.counts), sort_keys=True),
                blank=count.blank,
                invalid=count.invalid,
                cast=count.cast,
                entered_by=actor.membership_id,
            )
        )
        await audit.record_act(
            actor,
            "ballot.room_count",
            f"ballot:{ballot_id}",
            {"cast": count.cast, "counts": dict(count.counts)},
        )
        if row["status"] == BallotStatus.CLOSED.value:
            await store_count(row)
    events.votes_counted(ballot_id)


def check_room_count(method: str, rules: Mapping[str, Any], count: RoomCount) -> None:
    """Refuse a room count whose papers do not add up (see
    :func:`votes.core.room_counts.check_room_count`)."""
    try:
        room_counts.check_room_count(method, rules, count)
    except room_counts.RoomCountError as error:
        raise Refused(error.code) from error

"""Mood checks (sondages indicatifs): a facilitator takes the room's temperature before a formal
vote — fist-to-five, colours, thumbs, or free options. Never a vote: no quorum, no verdict, no
ballot, never among the minutes' resolutions (an optional annex only); anonymous by default.
One answer per member (a unique key), changeable while the check is open.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

from votes.core import floor as core
from votes.db import mood_storage
from votes.db.engine import insert_row, write_transaction
from votes.db.tables import MoodCheck, MoodKind, MoodStatus
from votes.services import events, floor
from votes.services.actors import Actor, may_run_assemblies, may_take_part, require
from votes.services.refusals import Refused, owned_row

QUESTION_MAX = 300


async def launch(
    actor: Actor,
    assembly_id: int,
    kind: MoodKind,
    question: str = "",
    options: Sequence[str] = (),
    *,
    item_id: int | None = None,
) -> int:
    """A facilitator opens a mood check (one open at a time per assembly); its id."""
    require(may_run_assemblies, actor)
    question = question.strip()
    if len(question) > QUESTION_MAX:
        raise Refused("question_too_long", field="question")
    try:
        choices = core.mood_choices(kind, options)
    except core.MoodOptionsError:
        raise Refused("bad_mood_options", field="options") from None
    organisation_id = actor.organisation_id
    async with write_transaction(MoodCheck._meta.db):
        row = await floor.running_assembly(organisation_id, assembly_id)
        if await MoodCheck.exists().where(
            (MoodCheck.assembly == assembly_id) & (MoodCheck.status == MoodStatus.OPEN.value)
        ):
            raise Refused("mood_already_open")
        mood_id = await insert_row(
            MoodCheck(
                organisation=organisation_id,
                assembly=assembly_id,
                agenda_item=item_id if item_id is not None else row["current_item_id"],
                kind=kind.value,
                question=question,
                options="\n".join(choices) if kind is MoodKind.OPTIONS else "",
                opened_by=actor.membership_id,
            )
        )
    events.mood_changed(organisation_id, assembly_id, mood_id, "opened")
    return mood_id


async def _check(organisation_id: int, mood_id: int) -> dict[str, Any]:
    row = await owned_row(
        MoodCheck,
        organisation_id,
        mood_id,
        MoodCheck.id,
        MoodCheck.assembly,
        MoodCheck.status,
        MoodCheck.kind,
        MoodCheck.options,
    )
    return dict(row)


def _check_answer(row: Any, choice: str) -> None:
    """Refuse an answer to a check that is not there, closed, or that does not offer it."""
    if row is None:
        raise Refused("not_found")
    if row["status"] != MoodStatus.OPEN.value:
        raise Refused("mood_closed")
    choices = core.mood_choices(core.MoodKind(str(row["kind"])), str(row["options"]).splitlines())
    if choice not in choices:
        raise Refused("unknown_choice", field="choice")


async def answer(actor: Actor, mood_id: int, choice: str) -> None:
    """A member answers (or changes their answer) while the check is open."""
    require(may_take_part, actor)
    check = partial(_check_answer, choice=choice)
    await mood_storage.store_answer(actor.organisation_id, mood_id, actor.id, choice, check)
    events.mood_answered(mood_id)


async def close(actor: Actor, mood_id: int) -> None:
    """The facilitator closes the check: answers are frozen, the distribution stays shown."""
    require(may_run_assemblies, actor)
    organisation_id = actor.organisation_id
    async with write_transaction(MoodCheck._meta.db):
        row = await _check(organisation_id, mood_id)
        if row["status"] != MoodStatus.OPEN.value:
            raise Refused("mood_closed")
        await MoodCheck.update(
            {MoodCheck.status: MoodStatus.CLOSED.value, MoodCheck.closed_at: datetime.now(UTC)}
        ).where(MoodCheck.id == mood_id)
    events.mood_changed(organisation_id, int(str(row["assembly"])), mood_id, "closed")

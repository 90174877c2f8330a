"""Reads of the mood checks: one check with its distribution (or, on a phone, the
viewer's answer only), the assembly's latest, all of them for the minutes' annex, and the
counts the live stream pushes. A mood check is never a vote. Every read is scoped to its
organisation, but for the live signal, which follows an answer already checked."""

from __future__ import annotations

from dataclasses import dataclass

from votes.core import floor as core
from votes.db.queries import own_row
from votes.db.tables import MoodAnswer, MoodCheck, MoodStatus


@dataclass(frozen=True, slots=True)
class MoodView:
    id: int
    assembly_id: int
    kind: core.MoodKind
    question: str
    status: MoodStatus
    choices: tuple[str, ...]
    distribution: core.MoodDistribution
    mine: str | None  # the viewer's answer


def choices_of(kind: str, options: str) -> tuple[str, ...]:
    try:
        return core.mood_choices(core.MoodKind(kind), options.splitlines())
    except core.MoodOptionsError:  # stored options were checked when launched
        return ()


async def mood_view(
    organisation_id: int, mood_id: int, membership_id: int | None = None, *, counts: bool = True
) -> MoodView | None:
    """A mood check; ``counts`` False (a phone: no bars) reads the viewer's answer only."""
    row = await own_row(MoodCheck, organisation_id, mood_id)
    if row is None:
        return None
    choices = choices_of(row["kind"], row["options"])
    query = MoodAnswer.select(MoodAnswer.choice, MoodAnswer.membership)
    if counts:
        answers = await query.where(MoodAnswer.mood_check == mood_id)
    else:
        answers = await query.where(MoodAnswer.answer_key == f"{mood_id}:{membership_id}")
    mine = next((a["choice"] for a in answers if a["membership"] == membership_id), None)
    distribution = core.mood_distribution(
        choices,
        (a["choice"] for a in answers),
        numeric=row["kind"] == core.MoodKind.FIST_TO_FIVE.value,
    )
    return MoodView(
        row["id"],
        row["assembly"],
        core.MoodKind(row["kind"]),
        row["question"],
        MoodStatus(row["status"]),
        choices,
        distribution,
        mine,
    )


async def latest_mood(organisation_id: int, assembly_id: int) -> int | None:
    """The open mood check of the assembly, else the last one closed (None: none yet)."""
    row = (
        await MoodCheck.select(MoodCheck.id)
        .where((MoodCheck.assembly == assembly_id) & (MoodCheck.organisation == organisation_id))
        .order_by(MoodCheck.status, ascending=False)  # "open" after "closed": open first
        .order_by(MoodCheck.id, ascending=False)
        .first()
    )
    return None if row is None else int(row["id"])


async def moods_of(organisation_id: int, assembly_id: int) -> list[MoodView]:
    """Every mood check of an assembly, oldest first (the minutes' optional annex)."""
    rows = (
        await MoodCheck.select(MoodCheck.id)
        .where((MoodCheck.assembly == assembly_id) & (MoodCheck.organisation == organisation_id))
        .order_by(MoodCheck.id)
    )
    views = [await mood_view(organisation_id, r["id"]) for r in rows]
    return [v for v in views if v is not None]


async def mood_signal(mood_id: int) -> tuple[int, int, list[int]] | None:
    """(organisation, assembly, answers per choice) for the live event."""
    row = await MoodCheck.select().where(MoodCheck.id == mood_id).first()
    if row is None:
        return None
    choices = choices_of(row["kind"], row["options"])
    answers = await MoodAnswer.select(MoodAnswer.choice).where(MoodAnswer.mood_check == mood_id)
    distribution = core.mood_distribution(choices, (a["choice"] for a in answers))
    return row["organisation"], row["assembly"], [count for _, count, _ in distribution.rows]

"""Reads of the floor: a speakers' list in speaking order with names and the running timer, the
assembly's floor rules, a mood check's distribution, and speaking statistics per item. Every
read is scoped to its organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from votes.core import floor as core
from votes.db.tables import (
    AgendaItem,
    Assembly,
    FloorList,
    FloorSettings,
    ListStatus,
    MoodAnswer,
    MoodCheck,
    MoodStatus,
    Ordering,
    RequestKind,
    RequestStatus,
    SpeakerCategory,
    SpeakerRequest,
)


def list_key(item_id: int, proposal_id: int | None = None, amendment_id: int | None = None) -> str:
    if amendment_id is not None:
        return f"{item_id}:a{amendment_id}"
    if proposal_id is not None:
        return f"{item_id}:p{proposal_id}"
    return str(item_id)


@dataclass(frozen=True, slots=True)
class FloorRules:
    ordering: Ordering
    category_label: str
    speaker_seconds: int
    item_seconds: int


DEFAULT_RULES = FloorRules(Ordering.ARRIVAL, "", 180, 0)


async def floor_rules(organisation_id: int, assembly_id: int) -> FloorRules:
    row = (
        await FloorSettings.select()
        .where(
            (FloorSettings.settings_key == str(assembly_id))
            & (FloorSettings.organisation == organisation_id)
        )
        .first()
    )
    if row is None:
        return DEFAULT_RULES
    return FloorRules(
        Ordering(row["ordering"]),
        row["category_label"],
        row["speaker_seconds"],
        row["item_seconds"],
    )


@dataclass(frozen=True, slots=True)
class QueueEntry:
    request_id: int
    membership_id: int
    name: str
    kind: RequestKind
    category: str  # shown only when the member agreed ("" otherwise)
    added_by_steward: bool


@dataclass(frozen=True, slots=True)
class Speaker:
    request_id: int
    membership_id: int
    name: str
    kind: RequestKind
    budget: int  # seconds; 0: no limit
    elapsed: int
    started_at: datetime

    @property
    def remaining(self) -> int | None:
        return core.remaining_seconds(self.budget, self.elapsed)

    @property
    def warning(self) -> core.Warning:
        return core.warning(self.budget, self.elapsed)


@dataclass(frozen=True, slots=True)
class QueueView:
    """One speakers' list as the room sees it."""

    list_id: int | None  # None: nobody asked yet on this item
    assembly_id: int
    item_id: int
    item_title: str
    status: ListStatus
    rules: FloorRules
    speaker: Speaker | None
    waiting: tuple[QueueEntry, ...]
    item_used: int  # seconds spoken on this item so far (finished turns)

    def place_of(self, membership_id: int) -> int | None:
        for index, entry in enumerate(self.waiting, start=1):
            if entry.membership_id == membership_id:
                return index
        return None

    def request_of(self, membership_id: int) -> QueueEntry | None:
        return next((e for e in self.waiting if e.membership_id == membership_id), None)

    @property
    def next_three(self) -> tuple[QueueEntry, ...]:
        return self.waiting[:3]


async def current_item(organisation_id: int, assembly_id: int) -> tuple[int, str] | None:
    """The item under discussion (id, title), or None."""
    row = (
        await Assembly.select(Assembly.current_item_id)
        .where((Assembly.id == assembly_id) & (Assembly.organisation == organisation_id))
        .first()
    )
    if row is None or row["current_item_id"] is None:
        return None
    item = (
        await AgendaItem.select(AgendaItem.id, AgendaItem.title)
        .where((AgendaItem.id == row["current_item_id"]) & (AgendaItem.assembly == assembly_id))
        .first()
    )
    return None if item is None else (item["id"], item["title"])


async def _categories(assembly_id: int, membership_ids: list[int]) -> dict[int, tuple[str, bool]]:
    if not membership_ids:
        return {}
    rows = await SpeakerCategory.select(
        SpeakerCategory.membership, SpeakerCategory.category, SpeakerCategory.may_be_shown
    ).where(
        (SpeakerCategory.assembly == assembly_id) & SpeakerCategory.membership.is_in(membership_ids)
    )
    return {r["membership"]: (r["category"], r["may_be_shown"]) for r in rows}


async def queue_view(
    organisation_id: int, assembly_id: int, item_id: int, *, now: datetime | None = None
) -> QueueView | None:
    """The item's list in speaking order; None when the item is not this organisation's."""
    item = (
        await AgendaItem.select(AgendaItem.id, AgendaItem.title)
        .where(
            (AgendaItem.id == item_id)
            & (AgendaItem.assembly == assembly_id)
            & (AgendaItem.assembly.organisation == organisation_id)
        )
        .first()
    )
    if item is None:
        return None
    rules = await floor_rules(organisation_id, assembly_id)
    found = (
        await FloorList.select(FloorList.id, FloorList.status)
        .where(
            (FloorList.list_key == list_key(item_id)) & (FloorList.organisation == organisation_id)
        )
        .first()
    )
    if found is None:
        return QueueView(
            None, assembly_id, item_id, item["title"], ListStatus.OPEN, rules, None, (), 0
        )
    list_id = found["id"]
    rows = await SpeakerRequest.select(
        SpeakerRequest.id,
        SpeakerRequest.membership,
        SpeakerRequest.membership.person.name.as_alias("name"),  # type: ignore[union-attr]
        SpeakerRequest.kind,
        SpeakerRequest.status,
        SpeakerRequest.position,
        SpeakerRequest.started_at,
        SpeakerRequest.ended_at,
        SpeakerRequest.added_by,
    ).where(
        (SpeakerRequest.floor_list == list_id)
        & SpeakerRequest.status.is_in(
            [RequestStatus.WAITING.value, RequestStatus.SPEAKING.value, RequestStatus.DONE.value]
        )
    )
    categories = await _categories(assembly_id, [r["membership"] for r in rows])
    waiting, speaking, spoken, used = [], None, set(), 0
    last: tuple[datetime, str] | None = None
    for row in rows:
        status = row["status"]
        if status == RequestStatus.DONE.value:
            spoken.add(row["membership"])
            if row["started_at"] and row["ended_at"]:
                used += core.elapsed_seconds(row["started_at"], row["ended_at"])
                category = categories.get(row["membership"], ("", False))[0]
                if last is None or row["ended_at"] > last[0]:
                    last = (row["ended_at"], category)
        elif status == RequestStatus.SPEAKING.value:
            speaking = row
            spoken.add(row["membership"])
        else:
            waiting.append(row)
    by_id = {r["id"]: r for r in waiting}
    order = core.speaking_order(
        (
            core.Request(
                r["id"],
                r["membership"],
                core.Kind(r["kind"]),
                arrival=r["id"],
                category=categories.get(r["membership"], ("", False))[0],
                position=r["position"],
            )
            for r in waiting
        ),
        core.Rule(rules.ordering.value),
        spoken=spoken,
        last_category=(
            categories.get(speaking["membership"], ("", False))[0]
            if speaking
            else (last[1] if last else "")
        ),
    )

    def entry(row: dict[str, Any]) -> QueueEntry:
        category, shown = categories.get(row["membership"], ("", False))
        return QueueEntry(
            row["id"],
            row["membership"],
            row["name"],
            RequestKind(row["kind"]),
            category if shown else "",
            row["added_by"] is not None,
        )

    speaker = None
    if speaking is not None:
        started = speaking["started_at"]
        speaker = Speaker(
            speaking["id"],
            speaking["membership"],
            speaking["name"],
            RequestKind(speaking["kind"]),
            core.speaker_budget(rules.speaker_seconds, rules.item_seconds, used),
            core.elapsed_seconds(started, now or datetime.now(UTC)),
            started,
        )
    return QueueView(
        list_id,
        assembly_id,
        item_id,
        item["title"],
        ListStatus(found["status"]),
        rules,
        speaker,
        tuple(entry(by_id[r.id]) for r in order),
        used,
    )


async def spoken_on(list_id: int) -> set[int]:
    rows = await SpeakerRequest.select(SpeakerRequest.membership).where(
        (SpeakerRequest.floor_list == list_id)
        & SpeakerRequest.status.is_in([RequestStatus.DONE.value, RequestStatus.SPEAKING.value])
    )
    return {r["membership"] for r in rows}


# -- mood checks ---------------------------------------------------------------------------------


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
    row = (
        await MoodCheck.select()
        .where((MoodCheck.id == mood_id) & (MoodCheck.organisation == organisation_id))
        .first()
    )
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


# -- statistics -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemStats:
    item_id: int
    title: str
    stats: core.SpeakingStats
    names: dict[int, str]


async def speaking_statistics(organisation_id: int, assembly_id: int) -> list[ItemStats]:
    """Time per speaker and per declared category, item by item (finished turns only)."""
    rows = await SpeakerRequest.select(
        SpeakerRequest.membership,
        SpeakerRequest.membership.person.name.as_alias("name"),  # type: ignore[union-attr]
        SpeakerRequest.started_at,
        SpeakerRequest.ended_at,
        SpeakerRequest.floor_list.agenda_item.as_alias("item"),
        SpeakerRequest.floor_list.agenda_item.title.as_alias("title"),  # type: ignore[union-attr]
        SpeakerRequest.floor_list.agenda_item.position.as_alias("position"),  # type: ignore[union-attr]
    ).where(
        (SpeakerRequest.organisation == organisation_id)
        & (SpeakerRequest.floor_list.assembly == assembly_id)
        & (SpeakerRequest.status == RequestStatus.DONE.value)
    )
    categories = await _categories(assembly_id, list({r["membership"] for r in rows}))
    items: dict[int, tuple[int, str, list[core.Turn], dict[int, str]]] = {}
    for row in rows:
        if row["started_at"] is None or row["ended_at"] is None:
            continue
        _, _, turns, names = items.setdefault(row["item"], (row["position"], row["title"], [], {}))
        names[row["membership"]] = row["name"]
        turns.append(
            core.Turn(
                row["membership"],
                core.elapsed_seconds(row["started_at"], row["ended_at"]),
                categories.get(row["membership"], ("", False))[0],
            )
        )
    return [
        ItemStats(item_id, title, core.speaking_statistics(turns), names)
        for item_id, (_, title, turns, names) in sorted(items.items(), key=lambda i: i[1][0])
    ]


@dataclass(frozen=True, slots=True)
class FloorHeading:
    id: int
    title: str
    status: str
    current_item_id: int | None


async def floor_heading(organisation_id: int, assembly_id: int) -> FloorHeading | None:
    """The assembly the floor pages are about (None: not this organisation's)."""
    row = (
        await Assembly.select(
            Assembly.id, Assembly.title, Assembly.status, Assembly.current_item_id
        )
        .where((Assembly.id == assembly_id) & (Assembly.organisation == organisation_id))
        .first()
    )
    if row is None:
        return None
    return FloorHeading(row["id"], row["title"], row["status"], row["current_item_id"])


async def speaker_category(assembly_id: int, membership_id: int) -> tuple[str, bool]:
    row = (
        await SpeakerCategory.select(SpeakerCategory.category, SpeakerCategory.may_be_shown)
        .where(SpeakerCategory.category_key == f"{assembly_id}:{membership_id}")
        .first()
    )
    return ("", False) if row is None else (row["category"], row["may_be_shown"])

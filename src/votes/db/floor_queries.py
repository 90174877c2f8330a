"""Reads of the floor: a speakers' list in speaking order with names and the running timer, the
assembly's floor rules, and speaking statistics per item. Every read is scoped to its
organisation. The mood checks' reads are in ``votes.db.mood_queries``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from votes.core import floor as core

# ``votes.services.events`` reads a mood check's live counts under this name
from votes.db.queries import keyed_row, own_row
from votes.db.tables import (
    AgendaItem,
    Amendment,
    AmendmentStatus,
    Assembly,
    FloorList,
    FloorSettings,
    ListStatus,
    Ordering,
    Proposal,
    ProposalStatus,
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


# amendments still open to debate (not withdrawn nor decided) and proposals one may debate
OPEN_AMENDMENTS = (AmendmentStatus.SUBMITTED.value, AmendmentStatus.VOTING.value)
CLOSED_PROPOSALS = (ProposalStatus.DRAFT.value, ProposalStatus.WITHDRAWN.value)


@dataclass(frozen=True, slots=True)
class Subject:
    """What is under discussion on an agenda item: the item itself, one of its proposals or
    one of their amendments; each has its own speakers' list."""

    item_id: int
    proposal_id: int | None = None
    proposal_title: str = ""
    amendment_id: int | None = None
    amendment_number: int | None = None

    @property
    def key(self) -> str:
        return list_key(self.item_id, self.proposal_id, self.amendment_id)

    @property
    def choice(self) -> str:
        """The picker's value: "item", "p<proposal>" or "a<amendment>"."""
        if self.amendment_id is not None:
            return f"a{self.amendment_id}"
        if self.proposal_id is not None:
            return f"p{self.proposal_id}"
        return "item"


def parse_key(key: str) -> tuple[int, int | None, int | None] | None:
    """(item, proposal, amendment) of a list key; None when it is not one."""
    head, _, tail = key.partition(":")
    if not head.isdigit() or (tail and (tail[:1] not in "pa" or not tail[1:].isdigit())):
        return None
    if not tail:
        return int(head), None, None
    if tail[0] == "p":
        return int(head), int(tail[1:]), None
    return int(head), None, int(tail[1:])


async def subjects_of(organisation_id: int, item_id: int) -> list[Subject]:
    """What may be under discussion on an item: the item, its proposals, their open
    amendments (by number), in the agenda's order."""
    proposals = (
        await Proposal.select(Proposal.id, Proposal.title)
        .where(
            (Proposal.agenda_item == item_id)
            & (Proposal.organisation == organisation_id)
            & Proposal.status.not_in(list(CLOSED_PROPOSALS))
        )
        .order_by(Proposal.id)
    )
    amendments = (
        await Amendment.select(Amendment.id, Amendment.number, Amendment.proposal)
        .where(
            Amendment.proposal.is_in([p["id"] for p in proposals] or [0])
            & (Amendment.organisation == organisation_id)
            & Amendment.status.is_in(list(OPEN_AMENDMENTS))
        )
        .order_by(Amendment.number)
    )
    found = [Subject(item_id)]
    for proposal in proposals:
        found.append(Subject(item_id, proposal["id"], proposal["title"]))
        found.extend(
            Subject(item_id, proposal["id"], proposal["title"], a["id"], a["number"])
            for a in amendments
            if a["proposal"] == proposal["id"]
        )
    return found


async def subject_of(organisation_id: int, item_id: int, choice: str) -> Subject | None:
    """The subject a picker's value names on this item, None when it names nothing open
    there (another item's proposal, another proposal's amendment, a decided amendment…)."""
    return next(
        (s for s in await subjects_of(organisation_id, item_id) if s.choice == choice), None
    )


async def current_subject(organisation_id: int, assembly_id: int) -> Subject | None:
    """What is under discussion now: None without a current item; the item itself unless the
    facilitator chose one of its proposals or amendments, still open."""
    item = await current_item(organisation_id, assembly_id)
    if item is None:
        return None
    row = await keyed_row(
        FloorSettings.settings_key, assembly_id, organisation_id, FloorSettings.subject_key
    )
    parsed = parse_key(row["subject_key"]) if row else None
    if parsed is None or parsed[0] != item[0] or (parsed[1] is None and parsed[2] is None):
        return Subject(item[0])
    choice = f"a{parsed[2]}" if parsed[2] is not None else f"p{parsed[1]}"
    return await subject_of(organisation_id, item[0], choice) or Subject(item[0])


@dataclass(frozen=True, slots=True)
class FloorRules:
    ordering: Ordering
    category_label: str
    speaker_seconds: int
    item_seconds: int


DEFAULT_RULES = FloorRules(Ordering.ARRIVAL, "", 180, 0)


async def floor_rules(organisation_id: int, assembly_id: int) -> FloorRules:
    row = await keyed_row(FloorSettings.settings_key, assembly_id, organisation_id)
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
    item_used: int  # seconds spoken on this list so far (finished turns)
    subject: Subject | None = None  # None: the item itself

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
    row = await own_row(Assembly, organisation_id, assembly_id, Assembly.current_item_id)
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
    organisation_id: int,
    assembly_id: int,
    item_id: int,
    *,
    now: datetime | None = None,
    subject: Subject | None = None,
) -> QueueView | None:
    """The list of the item (or of ``subject`` on it) in speaking order; None when the item is
    not this organisation's."""
    subject = subject if subject is not None and subject.item_id == item_id else Subject(item_id)
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
        .where((FloorList.list_key == subject.key) & (FloorList.organisation == organisation_id))
        .first()
    )
    if found is None:
        return QueueView(
            None, assembly_id, item_id, item["title"], ListStatus.OPEN, rules, None, (), 0, subject
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
        rules.ordering,
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
        subject,
    )


@dataclass(frozen=True, slots=True)
class WaitingElsewhere:
    """A member's request still waiting on a subject that is not under discussion now: it
    comes back with its subject, and its member may withdraw it meanwhile."""

    request_id: int
    kind: RequestKind
    item_title: str
    subject: Subject


async def waiting_elsewhere(
    organisation_id: int, assembly_id: int, membership_id: int, current_key: str | None
) -> list[WaitingElsewhere]:
    """``membership_id``'s waiting requests in this assembly on any list but ``current_key``'s,
    oldest first."""
    floor_list = SpeakerRequest.floor_list
    rows = (
        await SpeakerRequest.select(
            SpeakerRequest.id,
            SpeakerRequest.kind,
            floor_list.agenda_item.as_alias("item"),
            floor_list.agenda_item.title.as_alias("item_title"),  # type: ignore[union-attr]
            floor_list.proposal.as_alias("proposal"),
            floor_list.proposal.title.as_alias("proposal_title"),  # type: ignore[union-attr]
            floor_list.amendment.as_alias("amendment"),
            floor_list.amendment.number.as_alias("amendment_number"),  # type: ignore[union-attr]
        )
        .where(
            (SpeakerRequest.organisation == organisation_id)
            & (SpeakerRequest.membership == membership_id)
            & (SpeakerRequest.status == RequestStatus.WAITING.value)
            & (floor_list.assembly == assembly_id)
            & (floor_list.list_key != (current_key or ""))
        )
        .order_by(SpeakerRequest.id)
    )
    return [
        WaitingElsewhere(
            row["id"],
            RequestKind(row["kind"]),
            row["item_title"],
            Subject(
                row["item"],
                row["proposal"],
                row["proposal_title"] or "",
                row["amendment"],
                row["amendment_number"],
            ),
        )
        for row in rows
    ]


# -- statistics -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemStats:
    """The speeches of one list: an item itself, or one proposal or amendment on it."""

    item_id: int
    title: str
    stats: core.SpeakingStats
    names: dict[int, str]
    subject: Subject | None = None  # None: the item itself


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
        SpeakerRequest.floor_list.proposal.as_alias("proposal"),
        SpeakerRequest.floor_list.proposal.title.as_alias("proposal_title"),  # type: ignore[union-attr]
        SpeakerRequest.floor_list.amendment.as_alias("amendment"),
        SpeakerRequest.floor_list.amendment.number.as_alias("amendment_number"),  # type: ignore[union-attr]
    ).where(
        (SpeakerRequest.organisation == organisation_id)
        & (SpeakerRequest.floor_list.assembly == assembly_id)
        & (SpeakerRequest.status == RequestStatus.DONE.value)
    )
    categories = await _categories(assembly_id, list({r["membership"] for r in rows}))
    items: dict[
        tuple[int, int, int], tuple[Any, str, list[core.Turn], dict[int, str], Subject]
    ] = {}
    for row in rows:
        if row["started_at"] is None or row["ended_at"] is None:
            continue
        subject = Subject(
            row["item"],
            row["proposal"],
            row["proposal_title"] or "",
            row["amendment"],
            row["amendment_number"],
        )
        # the item's own list first, then each proposal followed by its amendments
        order = (row["position"], row["proposal"] or 0, row["amendment_number"] or 0)
        _, _, turns, names, _ = items.setdefault(
            (row["item"], row["proposal"] or 0, row["amendment"] or 0),
            (order, row["title"], [], {}, subject),
        )
        names[row["membership"]] = row["name"]
        turns.append(
            core.Turn(
                row["membership"],
                core.elapsed_seconds(row["started_at"], row["ended_at"]),
                categories.get(row["membership"], ("", False))[0],
            )
        )
    return [
        ItemStats(
            key[0],
            title,
            core.speaking_statistics(turns),
            names,
            None if subject.choice == "item" else subject,
        )
        for key, (_, title, turns, names, subject) in sorted(items.items(), key=lambda i: i[1][0])
    ]


async def speaker_category(assembly_id: int, membership_id: int) -> tuple[str, bool]:
    row = (
        await SpeakerCategory.select(SpeakerCategory.category, SpeakerCategory.may_be_shown)
        .where(SpeakerCategory.category_key == f"{assembly_id}:{membership_id}")
        .first()
    )
    return ("", False) if row is None else (row["category"], row["may_be_shown"])

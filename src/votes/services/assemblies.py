"""Assemblies and their agendas: planning, convening, running (the current item), closing.

Every change is appended to the organisation's audit trail inside its own transaction, with who
made it, so that the minutes and the audit pages can tell the agenda's story later.
Facilitators and administrators run assemblies; members read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.columns import Column

from votes.db.engine import insert_row, write_transaction
from votes.db.minutes_queries import PENDING_STATUSES, frozen_register
from votes.db.tables import (
    AgendaItem,
    Assembly,
    AssemblyKind,
    AssemblyStatus,
    Ballot,
    BallotStatus,
    Contribution,
    Convocation,
    Proposal,
    SubmissionRule,
    Thread,
)
from votes.services import audit, events, minutes, rules
from votes.services.actors import Actor, may_run_assemblies, require
from votes.services.refusals import Refused, check_title, found_only, owned_row

TITLE_MAX = 200
ITEM_TITLE_MAX = 300
TEXT_MAX = 20_000
PLACE_MAX = 300
URL_MAX = 500
MINUTES_MAX = 24 * 60

# draft → convened → in session → closed; a facilitator may step back one step by mistake
STATUS_STEPS: dict[str, tuple[str, ...]] = {
    AssemblyStatus.DRAFT: (AssemblyStatus.CONVENED, AssemblyStatus.IN_SESSION),
    AssemblyStatus.CONVENED: (
        AssemblyStatus.IN_SESSION,
        AssemblyStatus.DRAFT,
        AssemblyStatus.CLOSED,
    ),
    AssemblyStatus.IN_SESSION: (AssemblyStatus.CLOSED, AssemblyStatus.CONVENED),
    AssemblyStatus.CLOSED: (AssemblyStatus.IN_SESSION,),
}


@dataclass(frozen=True, slots=True)
class AssemblyFields:
    """What a facilitator fills in to plan an assembly."""

    title: str
    starts_at: datetime
    kind: AssemblyKind = AssemblyKind.PLENARY
    convocation: Convocation = Convocation.FIRST
    place: str = ""
    remote_url: str = ""
    description: str = ""
    submission_rule: SubmissionRule = SubmissionRule.MEMBERS
    submission_deadline: datetime | None = None

    def columns(self) -> dict[Any, Any]:
        return {
            Assembly.title: self.title,
            Assembly.starts_at: self.starts_at,
            Assembly.kind: self.kind.value,
            Assembly.convocation: self.convocation.value,
            Assembly.place: self.place,
            Assembly.remote_url: self.remote_url,
            Assembly.description: self.description,
            Assembly.submission_rule: self.submission_rule.value,
            Assembly.submission_deadline: self.submission_deadline,
        }


def _check_fields(fields: AssemblyFields) -> None:
    check_title(fields.title, TITLE_MAX)
    if len(fields.place) > PLACE_MAX:
        raise Refused("place_too_long", "place")
    if len(fields.remote_url) > URL_MAX or (
        fields.remote_url and not fields.remote_url.startswith(("https://", "http://"))
    ):
        raise Refused("remote_url_invalid", "remote_url")
    if len(fields.description) > TEXT_MAX:
        raise Refused("text_too_long", "description")


async def create_assembly(
    actor: Actor,
    title: str,
    starts_at: datetime,
    *,
    kind: AssemblyKind = AssemblyKind.PLENARY,
    convocation: Convocation = Convocation.FIRST,
    place: str = "",
    status: AssemblyStatus = AssemblyStatus.DRAFT,
    **details: Any,
) -> int:
    """Plan an assembly; ``details`` are the other :class:`AssemblyFields` (remote link…)."""
    require(may_run_assemblies, actor)
    organisation_id = actor.organisation_id
    fields = AssemblyFields(
        title=title.strip(),
        starts_at=starts_at,
        kind=kind,
        convocation=convocation,
        place=place.strip(),
        **details,
    )
    _check_fields(fields)
    async with write_transaction(Assembly._meta.db):
        values = {column._meta.name: value for column, value in fields.columns().items()}
        # the organisation's general-assembly rule profile; its full copy is frozen when the
        # assembly's register or first ballot opens
        values["rule_profile"] = await rules.profile_key(organisation_id)
        assembly_id = await insert_row(
            Assembly(organisation=organisation_id, status=status.value, **values)
        )
        await audit.record_act(
            actor,
            "assembly.created",
            f"assembly:{assembly_id}",
            {"title": fields.title, "status": status.value},
        )
    return assembly_id


async def _assembly_row(organisation_id: int, assembly_id: int) -> dict[str, Any]:
    return await owned_row(Assembly, organisation_id, assembly_id)


@found_only
async def _any_assembly(assembly_id: int, *columns: Column) -> dict[str, Any] | None:
    """The assembly's ``columns`` whichever organisation holds it: for the paths that are not
    a member's request (seeding, the system), which have already chosen the assembly."""
    return await Assembly.select(*columns).where(Assembly.id == assembly_id).first()


async def update_assembly(actor: Actor, assembly_id: int, fields: AssemblyFields) -> None:
    """Change an assembly's details; the audit entry lists the fields that changed."""
    require(may_run_assemblies, actor)
    _check_fields(fields)
    organisation_id = actor.organisation.id
    async with write_transaction(Assembly._meta.db):
        row = await _assembly_row(organisation_id, assembly_id)
        await minutes.refuse_if_final(assembly_id)
        changes = {
            column._meta.name: value
            for column, value in fields.columns().items()
            if row[column._meta.name] != value
        }
        if not changes:
            return
        await Assembly.update(fields.columns()).where(Assembly.id == assembly_id)
        await audit.record_by(
            actor, "assembly.updated", f"assembly:{assembly_id}", {"changed": sorted(changes)}
        )


async def set_assembly_status(actor: Actor, assembly_id: int, status: AssemblyStatus) -> None:
    """Move the assembly one step. Final minutes keep it closed for good (``record_final``);
    it does not close while a ballot is open or counted without its result published
    (``ballots_still_open``, quoting their questions): the room would leave with a vote
    still running or a result never announced."""
    require(may_run_assemblies, actor)
    organisation_id = actor.organisation.id
    async with write_transaction(Assembly._meta.db):
        row = await _assembly_row(organisation_id, assembly_id)
        await minutes.refuse_if_final(assembly_id)
        if status.value not in STATUS_STEPS[row["status"]]:
            raise Refused("status_step_not_allowed")
        if status is AssemblyStatus.CLOSED:
            await _refuse_pending_ballots(organisation_id, assembly_id)
        values: dict[Any, Any] = {Assembly.status: status.value}
        if status is AssemblyStatus.CLOSED:
            values[Assembly.current_item_id] = None  # nothing is discussed after the close
            # the register as the assembly leaves it: the minutes' sheet and quorum
            values[Assembly.closing_register] = await frozen_register(organisation_id, assembly_id)
        else:
            values[Assembly.closing_register] = None  # reopened: the register is live again
        await Assembly.update(values).where(Assembly.id == assembly_id)
        await audit.record_by(
            actor,
            "assembly.status_changed",
            f"assembly:{assembly_id}",
            {"from": row["status"], "to": status.value},
        )
    events.agenda_changed(organisation_id, assembly_id)


async def _refuse_pending_ballots(organisation_id: int, assembly_id: int) -> None:
    pending = (
        await Ballot.select(Ballot.question)
        .where(
            (Ballot.assembly == assembly_id)
            & (Ballot.organisation == organisation_id)
            & (
                (Ballot.status == BallotStatus.OPEN.value)  # a rehearsal too takes votes
                | (Ballot.status.is_in(list(PENDING_STATUSES)) & Ballot.is_test.eq(False))
            )
        )
        .order_by(Ballot.id)
    )
    if pending:
        questions = " · ".join(str(row["question"]) for row in pending)
        raise Refused("ballots_still_open", value=questions, count=len(pending))


async def next_statuses(assembly_id: int, status: str) -> tuple[str, ...]:
    """The steps a facilitator may offer from ``status``: none once the minutes are final."""
    if await minutes.is_final(assembly_id):
        return ()
    return STATUS_STEPS[status]


@dataclass(frozen=True, slots=True)
class ItemText:
    """What a facilitator types for an agenda item: the same to add one as to edit it."""

    title: str
    description: str = ""
    planned_minutes: int = 0


def _check_item(item: ItemText) -> None:
    check_title(item.title, ITEM_TITLE_MAX)
    if len(item.description) > TEXT_MAX:
        raise Refused("text_too_long", "description")
    if not 0 <= item.planned_minutes <= MINUTES_MAX:
        raise Refused("minutes_invalid", "planned_minutes")


async def _check_agenda_open(assembly_id: int, status: str) -> None:
    """An agenda changes until its assembly closes (and never once its minutes are final)."""
    await minutes.refuse_if_final(assembly_id)
    if status == AssemblyStatus.CLOSED.value:
        raise Refused("assembly_closed")


async def add_agenda_item(assembly_id: int, item: ItemText, *, actor_id: int | None = None) -> int:
    """Append an item at the end of the agenda, with its (empty) thread."""
    _check_item(item)
    async with write_transaction(AgendaItem._meta.db):
        assembly = await _any_assembly(assembly_id, Assembly.organisation, Assembly.status)
        await _check_agenda_open(assembly_id, assembly["status"])
        last = (
            await AgendaItem.select(AgendaItem.position)
            .where(AgendaItem.assembly == assembly_id)
            .order_by(AgendaItem.position, ascending=False)
            .first()
        )
        item_id = await insert_row(
            AgendaItem(
                assembly=assembly_id,
                position=(last["position"] + 1) if last else 1,
                title=item.title.strip(),
                description=item.description,
                planned_minutes=item.planned_minutes,
            )
        )
        await Thread.insert(
            Thread(
                organisation=assembly["organisation"],
                thread_key=f"item:{item_id}",
                agenda_item=item_id,
            )
        )
        await audit.record(
            assembly["organisation"],
            "agenda.item_added",
            actor_id=actor_id,
            subject=f"assembly:{assembly_id}",
            details={"item": item_id, "title": item.title.strip()},
        )
    return item_id


async def add_item(actor: Actor, assembly_id: int, item: ItemText) -> int:
    """A facilitator appends an item to an assembly of their organisation."""
    require(may_run_assemblies, actor)
    await _assembly_row(actor.organisation.id, assembly_id)
    return await add_agenda_item(assembly_id, item, actor_id=actor.person_id)


async def _item_row(organisation_id: int, item_id: int) -> dict[str, Any]:
    row = await owned_row(
        AgendaItem,
        organisation_id,
        item_id,
        *AgendaItem.all_columns(),
        AgendaItem.assembly.status,
        AgendaItem.assembly.organisation,
        owner=AgendaItem.assembly.organisation,
    )
    await _check_agenda_open(int(row["assembly"]), row["assembly.status"])
    return row


async def update_item(actor: Actor, item_id: int, item: ItemText) -> int:
    """Change an item's words or duration; return its assembly's id."""
    require(may_run_assemblies, actor)
    _check_item(item)
    async with write_transaction(AgendaItem._meta.db):
        row = await _item_row(actor.organisation.id, item_id)
        await AgendaItem.update(
            {
                AgendaItem.title: item.title.strip(),
                AgendaItem.description: item.description,
                AgendaItem.planned_minutes: item.planned_minutes,
            }
        ).where(AgendaItem.id == item_id)
        await audit.record_by(
            actor,
            "agenda.item_updated",
            f"assembly:{row['assembly']}",
            {"item": item_id, "title": item.title.strip(), "previous_title": row["title"]},
        )
    events.agenda_changed(actor.organisation.id, int(row["assembly"]))
    return int(row["assembly"])


async def remove_item(actor: Actor, item_id: int) -> int:
    """Remove an item nothing hangs on yet (no proposal, ballot or contribution)."""
    require(may_run_assemblies, actor)
    async with write_transaction(AgendaItem._meta.db):
        row = await _item_row(actor.organisation.id, item_id)
        in_use = (
            await Proposal.exists().where(Proposal.agenda_item == item_id)
            or await Ballot.exists().where(Ballot.agenda_item == item_id)
            or await Contribution.exists().where(Contribution.thread.agenda_item == item_id)
        )
        if in_use:
            raise Refused("item_in_use")
        await Thread.delete().where(Thread.agenda_item == item_id)
        await AgendaItem.delete().where(AgendaItem.id == item_id)
        await Assembly.update({Assembly.current_item_id: None}).where(
            (Assembly.id == row["assembly"]) & (Assembly.current_item_id == item_id)
        )
        await _renumber(row["assembly"])
        await audit.record_by(
            actor,
            "agenda.item_removed",
            f"assembly:{row['assembly']}",
            {"item": item_id, "title": row["title"]},
        )
    return int(row["assembly"])


async def _agenda_ids(assembly_id: int) -> list[int]:
    rows = (
        await AgendaItem.select(AgendaItem.id)
        .where(AgendaItem.assembly == assembly_id)
        .order_by(AgendaItem.position)
        .order_by(AgendaItem.id)
    )
    return [row["id"] for row in rows]


async def _write_order(assembly_id: int, ordered: Sequence[int]) -> None:
    for position, item_id in enumerate(ordered, start=1):
        await AgendaItem.update({AgendaItem.position: position}).where(
            (AgendaItem.id == item_id) & (AgendaItem.assembly == assembly_id)
        )


async def _renumber(assembly_id: int) -> None:
    await _write_order(assembly_id, await _agenda_ids(assembly_id))


async def move_item(actor: Actor, item_id: int, offset: int) -> int:
    """Move an item up (-1) or down (+1); at either end nothing moves. Returns the assembly id."""
    require(may_run_assemblies, actor)
    async with write_transaction(AgendaItem._meta.db):
        row = await _item_row(actor.organisation.id, item_id)
        order = await _agenda_ids(row["assembly"])
        index = order.index(item_id)
        target = index + (1 if offset > 0 else -1)
        if 0 <= target < len(order):
            order[index], order[target] = order[target], order[index]
            await _write_order(row["assembly"], order)
            await audit.record_by(
                actor,
                "agenda.reordered",
                f"assembly:{row['assembly']}",
                {"order": order, "moved": item_id},
            )
    return int(row["assembly"])


async def reorder_agenda(actor: Actor, assembly_id: int, ordered: Sequence[int]) -> None:
    """Put the whole agenda in a new order (drag and drop). ``ordered`` must hold exactly the
    assembly's items: if someone else added or removed one meanwhile, nothing changes."""
    require(may_run_assemblies, actor)
    async with write_transaction(AgendaItem._meta.db):
        row = await _assembly_row(actor.organisation.id, assembly_id)
        await _check_agenda_open(assembly_id, row["status"])
        current = await _agenda_ids(assembly_id)
        if sorted(current) != sorted(ordered) or len(set(ordered)) != len(ordered):
            raise Refused("agenda_changed")
        if list(ordered) == current:
            return
        await _write_order(assembly_id, ordered)
        await audit.record_by(
            actor, "agenda.reordered", f"assembly:{assembly_id}", {"order": list(ordered)}
        )


async def set_current_item(
    assembly_id: int, item_id: int | None, *, actor_id: int | None = None
) -> None:
    """Mark the item under discussion (``None``: between items); everyone's "now" page follows."""
    async with write_transaction(Assembly._meta.db):
        assembly = await _any_assembly(assembly_id, Assembly.organisation, Assembly.current_item_id)
        await minutes.refuse_if_final(assembly_id)
        if item_id is not None and not await AgendaItem.exists().where(
            (AgendaItem.id == item_id) & (AgendaItem.assembly == assembly_id)
        ):
            raise Refused("not_found")
        if assembly["current_item_id"] == item_id:
            return
        await Assembly.update({Assembly.current_item_id: item_id}).where(Assembly.id == assembly_id)
        await audit.record(
            assembly["organisation"],
            "agenda.current_item_set",
            actor_id=actor_id,
            subject=f"assembly:{assembly_id}",
            details={"item": item_id},
        )
    events.agenda_changed(assembly["organisation"], assembly_id)


async def mark_current_item(actor: Actor, assembly_id: int, item_id: int | None) -> None:
    require(may_run_assemblies, actor)
    row = await _assembly_row(actor.organisation.id, assembly_id)
    if row["status"] == AssemblyStatus.CLOSED.value:
        raise Refused("assembly_closed")
    await set_current_item(assembly_id, item_id, actor_id=actor.person_id)

"""The floor: members ask to speak on the item under discussion (a plain request, a point of
order, a direct reply), withdraw; the facilitator gives the floor in the assembly's order, ends
a turn, reorders, closes and reopens the list; stewards add members without a phone. The
ordering rule and the budgets are the assembly's, set by a facilitator and shown to everyone;
each member declares their category for the balanced ordering, shown only if they agree.

Every write is one short transaction that checks the organisation, then a signal
(``events.floor_changed``) after the commit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from piccolo.columns import Column

from votes.core import floor as core
from votes.db import floor_queries as fq
from votes.db.engine import insert_row, write_transaction
from votes.db.tables import (
    AgendaItem,
    Assembly,
    FloorList,
    FloorSettings,
    ListStatus,
    Membership,
    MembershipStatus,
    Ordering,
    RequestKind,
    RequestStatus,
    SpeakerCategory,
    SpeakerRequest,
)
from votes.services import audit, events
from votes.services.actors import Actor, may_run_assemblies, may_steward, may_take_part, require
from votes.services.attendance import RUNNING
from votes.services.refusals import Refused, owned_row

CATEGORY_MAX = 60
BUDGET_MAX = 3600


async def _announce(organisation_id: int, assembly_id: int, change: str = "queue") -> None:
    """After the commit: the item under discussion's speaker and order, for every phone."""
    if not events.is_installed():
        return
    subject = await fq.current_subject(organisation_id, assembly_id)
    view = (
        await fq.queue_view(organisation_id, assembly_id, subject.item_id, subject=subject)
        if subject
        else None
    )
    if view is None:
        events.floor_changed(organisation_id, assembly_id, change, order="")
        return
    events.floor_changed(
        organisation_id,
        assembly_id,
        f"{change}:{view.status.value}",  # the list open or closed: phones show "ask" or not
        speaker_id=view.speaker.membership_id if view.speaker else None,
        speaker=view.speaker.name if view.speaker else None,
        order=",".join(str(entry.membership_id) for entry in view.waiting),
    )


def _pending_key(list_id: int, membership_id: int, kind: str) -> str:
    return f"{list_id}:{membership_id}:{kind}"


async def assembly_row(organisation_id: int, assembly_id: int) -> dict[str, Any]:
    """The assembly's status and current item; ``not_found`` unless it is the organisation's
    (another cooperative's assembly does not exist)."""
    return await owned_row(
        Assembly, organisation_id, assembly_id, Assembly.status, Assembly.current_item_id
    )


async def running_assembly(organisation_id: int, assembly_id: int) -> dict[str, Any]:
    """:func:`assembly_row`, refused unless the assembly is convened or in session."""
    row = await assembly_row(organisation_id, assembly_id)
    if row["status"] not in RUNNING:
        raise Refused("assembly_not_running")
    return row


async def _save(key_column: Column, key: str, values: dict[Any, Any], **fixed: Any) -> None:
    """Update the row whose ``key_column`` is ``key`` with ``values``, or insert it with
    ``values`` and ``fixed`` (what a row keeps for good). Inside the caller's transaction."""
    table = key_column._meta.table
    if await table.exists().where(key_column == key):
        await table.update(values).where(key_column == key)
        return
    named = {column._meta.name: value for column, value in values.items()}
    await table.insert(table(**{key_column._meta.name: key, **fixed, **named}))


async def set_rules(
    actor: Actor,
    assembly_id: int,
    ordering: Ordering,
    *,
    category_label: str = "",
    speaker_seconds: int = 180,
    item_seconds: int = 0,
) -> None:
    """A facilitator sets the assembly's ordering rule and speaking-time budgets."""
    require(may_run_assemblies, actor)
    category_label = category_label.strip()
    if len(category_label) > CATEGORY_MAX:
        raise Refused("category_too_long", field="category_label")
    for field, value in (("speaker_seconds", speaker_seconds), ("item_seconds", item_seconds)):
        if not 0 <= value <= BUDGET_MAX * 10:
            raise Refused("bad_budget", field=field)
    organisation_id = actor.organisation_id
    async with write_transaction(FloorSettings._meta.db):
        await assembly_row(organisation_id, assembly_id)
        values: dict[Any, Any] = {
            FloorSettings.ordering: ordering.value,
            FloorSettings.category_label: category_label,
            FloorSettings.speaker_seconds: speaker_seconds,
            FloorSettings.item_seconds: item_seconds,
        }
        await _save(
            FloorSettings.settings_key,
            str(assembly_id),
            values,
            organisation=organisation_id,
            assembly=assembly_id,
        )
    await _announce(organisation_id, assembly_id, "rules")


async def declare_category(
    actor: Actor, assembly_id: int, category: str, *, may_be_shown: bool = False
) -> None:
    """A member declares their own category for this assembly's balanced ordering."""
    membership_id = actor.id
    category = category.strip()
    if len(category) > CATEGORY_MAX:
        raise Refused("category_too_long", field="category")
    organisation_id = actor.organisation_id
    async with write_transaction(SpeakerCategory._meta.db):
        await assembly_row(organisation_id, assembly_id)
        key = f"{assembly_id}:{membership_id}"
        values: dict[Any, Any] = {
            SpeakerCategory.category: category,
            SpeakerCategory.may_be_shown: may_be_shown,
        }
        await _save(
            SpeakerCategory.category_key,
            key,
            values,
            organisation=organisation_id,
            assembly=assembly_id,
            membership=membership_id,
        )
    await _announce(organisation_id, assembly_id)


async def _list_for(
    organisation_id: int, assembly_id: int, item_id: int, subject: fq.Subject | None = None
) -> dict[str, Any]:
    """The list of the item (or of ``subject`` on it), created open on the first request
    (inside the caller's transaction)."""
    item = await AgendaItem.exists().where(
        (AgendaItem.id == item_id) & (AgendaItem.assembly == assembly_id)
    )
    if not item:
        raise Refused("not_found")
    if subject is None or subject.item_id != item_id:
        subject = fq.Subject(item_id)
    key = subject.key
    row = (
        await FloorList.select(FloorList.id, FloorList.status)
        .where(FloorList.list_key == key)
        .first()
    )
    if row is not None:
        return dict(row)
    rules = await fq.floor_rules(organisation_id, assembly_id)
    rows = await FloorList.insert(
        FloorList(
            organisation=organisation_id,
            assembly=assembly_id,
            agenda_item=item_id,
            proposal=subject.proposal_id,
            amendment=subject.amendment_id,
            list_key=key,
            speaker_seconds=rules.speaker_seconds,
            item_seconds=rules.item_seconds,
        )
    )
    return {"id": rows[0]["id"], "status": ListStatus.OPEN.value}


async def request_floor(
    actor: Actor,
    assembly_id: int,
    item_id: int,
    kind: RequestKind = RequestKind.SPEAK,
    *,
    for_member: int | None = None,
    subject: fq.Subject | None = None,
) -> int:
    """Ask for the floor on an item (a steward may add a member without a phone); its id.
    A point of order is taken even on a closed list; a direct reply needs a current speaker."""
    organisation_id = actor.organisation_id
    steward = for_member is not None and for_member != actor.membership_id
    if steward:
        require(may_steward, actor)
    else:
        require(may_take_part, actor)
    membership_id = for_member if for_member is not None and steward else actor.id
    async with write_transaction(SpeakerRequest._meta.db):
        await running_assembly(organisation_id, assembly_id)
        if steward and not await Membership.exists().where(
            (Membership.id == membership_id)
            & (Membership.organisation == organisation_id)
            & (Membership.status == MembershipStatus.ACTIVE.value)
        ):
            raise Refused("speaker_not_member", field="membership")
        floor_list = await _list_for(organisation_id, assembly_id, item_id, subject)
        list_id = floor_list["id"]
        if floor_list["status"] == ListStatus.CLOSED.value and kind is not (
            RequestKind.POINT_OF_ORDER
        ):
            raise Refused("list_closed")
        if kind is RequestKind.DIRECT_REPLY and not await SpeakerRequest.exists().where(
            (SpeakerRequest.floor_list == list_id)
            & (SpeakerRequest.status == RequestStatus.SPEAKING.value)
        ):
            raise Refused("nobody_speaking")
        pending = SpeakerRequest.select(SpeakerRequest.id).where(
            (SpeakerRequest.floor_list == list_id)
            & (SpeakerRequest.membership == membership_id)
            & (SpeakerRequest.kind == kind.value)
            & SpeakerRequest.status.is_in(
                [RequestStatus.WAITING.value, RequestStatus.SPEAKING.value]
            )
        )
        if await pending.first():
            raise Refused("already_asked")
        request_id = await insert_row(
            SpeakerRequest(
                organisation=organisation_id,
                floor_list=list_id,
                membership=membership_id,
                request_key=_pending_key(list_id, membership_id, kind.value),
                kind=kind.value,
                added_by=actor.membership_id if steward else None,
            )
        )
    await _announce(organisation_id, assembly_id)
    return request_id


async def _request(organisation_id: int, request_id: int) -> dict[str, Any]:
    row = await owned_row(
        SpeakerRequest,
        organisation_id,
        request_id,
        SpeakerRequest.id,
        SpeakerRequest.membership,
        SpeakerRequest.status,
        SpeakerRequest.kind,
        SpeakerRequest.floor_list,
        SpeakerRequest.floor_list.assembly.as_alias("assembly"),
        SpeakerRequest.floor_list.agenda_item.as_alias("item"),
        SpeakerRequest.floor_list.proposal.as_alias("proposal"),
        SpeakerRequest.floor_list.amendment.as_alias("amendment"),
    )
    return dict(row)


async def _finish(row: dict[str, Any], status: RequestStatus, now: datetime) -> None:
    values: dict[Any, Any] = {
        SpeakerRequest.status: status.value,
        SpeakerRequest.request_key: f"{row['floor_list']}:{row['membership']}:{row['kind']}"
        f":{row['id']}",
    }
    if status is RequestStatus.DONE:
        values[SpeakerRequest.ended_at] = now
    await SpeakerRequest.update(values).where(SpeakerRequest.id == row["id"])


async def withdraw(actor: Actor, request_id: int) -> None:
    """A member withdraws their own waiting request (a facilitator or steward, anyone's)."""
    organisation_id = actor.organisation_id
    async with write_transaction(SpeakerRequest._meta.db):
        row = await _request(organisation_id, request_id)
        if row["membership"] != actor.membership_id and not may_steward(actor):
            raise Refused("not_your_request")
        if row["status"] != RequestStatus.WAITING.value:
            raise Refused("request_not_waiting")
        await _finish(row, RequestStatus.WITHDRAWN, datetime.now(UTC))
    await _announce(organisation_id, row["assembly"])


async def _queue(
    organisation_id: int,
    assembly_id: int,
    item_id: int,
    now: datetime,
    subject: fq.Subject | None,
) -> fq.QueueView:
    """The item's list as it stands; ``not_found`` for another organisation's."""
    view = await fq.queue_view(organisation_id, assembly_id, item_id, now=now, subject=subject)
    if view is None:
        raise Refused("not_found")
    return view


async def _end_turn(organisation_id: int, speaker: fq.Speaker, now: datetime) -> None:
    """The speaker's turn is over (done), at ``now``."""
    await _finish(await _request(organisation_id, speaker.request_id), RequestStatus.DONE, now)


async def give_floor(
    actor: Actor,
    assembly_id: int,
    item_id: int,
    request_id: int | None = None,
    *,
    subject: fq.Subject | None = None,
) -> int | None:
    """End the current turn and give the floor to ``request_id`` (default: the first in the
    assembly's order); the new speaker's request id, None when nobody waits."""
    require(may_run_assemblies, actor)
    organisation_id = actor.organisation_id
    now = datetime.now(UTC)
    async with write_transaction(SpeakerRequest._meta.db):
        view = await _queue(organisation_id, assembly_id, item_id, now, subject)
        if request_id is None:
            chosen = view.waiting[0].request_id if view.waiting else None
        elif any(e.request_id == request_id for e in view.waiting):
            chosen = request_id
        else:
            raise Refused("request_not_waiting")
        if view.speaker is not None:
            await _end_turn(organisation_id, view.speaker, now)
        if chosen is not None:
            await SpeakerRequest.update(
                {
                    SpeakerRequest.status: RequestStatus.SPEAKING.value,
                    SpeakerRequest.started_at: now,
                }
            ).where(SpeakerRequest.id == chosen)
    await _announce(organisation_id, assembly_id, "speaker")
    return chosen


async def end_turn(
    actor: Actor, assembly_id: int, item_id: int, *, subject: fq.Subject | None = None
) -> None:
    """The current speaker's turn ends; nobody has the floor until it is given."""
    require(may_run_assemblies, actor)
    organisation_id = actor.organisation_id
    now = datetime.now(UTC)
    async with write_transaction(SpeakerRequest._meta.db):
        view = await _queue(organisation_id, assembly_id, item_id, now, subject)
        if view.speaker is None:
            raise Refused("nobody_speaking")
        await _end_turn(organisation_id, view.speaker, now)
    await _announce(organisation_id, assembly_id, "speaker")


async def reorder(actor: Actor, request_id: int, offset: int) -> None:
    """Move an ordinary waiting request ``offset`` places (negative: earlier); every waiting
    ordinary request keeps the place it has now."""
    require(may_run_assemblies, actor)
    organisation_id = actor.organisation_id
    async with write_transaction(SpeakerRequest._meta.db):
        row = await _request(organisation_id, request_id)
        if row["status"] != RequestStatus.WAITING.value:
            raise Refused("request_not_waiting")
        view = await fq.queue_view(
            organisation_id,
            row["assembly"],
            row["item"],
            subject=fq.Subject(row["item"], row["proposal"], "", row["amendment"]),
        )
        assert view is not None  # the request's own item
        order = tuple(core.Request(e.request_id, e.membership_id, e.kind) for e in view.waiting)
        for position, moved_id in enumerate(core.move(order, request_id, offset), start=1):
            await SpeakerRequest.update({SpeakerRequest.position: position}).where(
                SpeakerRequest.id == moved_id
            )
    await _announce(organisation_id, row["assembly"])


async def set_list_status(
    actor: Actor,
    assembly_id: int,
    item_id: int,
    status: ListStatus,
    *,
    subject: fq.Subject | None = None,
) -> None:
    """Close the list to new requests (those waiting still speak) or reopen it."""
    require(may_run_assemblies, actor)
    organisation_id = actor.organisation_id
    async with write_transaction(FloorList._meta.db):
        await running_assembly(organisation_id, assembly_id)
        floor_list = await _list_for(organisation_id, assembly_id, item_id, subject)
        await FloorList.update({FloorList.status: status.value}).where(
            FloorList.id == floor_list["id"]
        )
    await _announce(organisation_id, assembly_id)


async def choose_subject(actor: Actor, assembly_id: int, choice: str) -> fq.Subject:
    """A facilitator chooses what is under discussion on the current item: the item itself
    ("item"), one of its proposals ("p<id>") or one of their open amendments ("a<id>"). Each
    subject keeps its own list; switching back finds it as it was."""
    require(may_run_assemblies, actor)
    organisation_id = actor.organisation_id
    async with write_transaction(FloorSettings._meta.db):
        await running_assembly(organisation_id, assembly_id)
        item = await fq.current_item(organisation_id, assembly_id)
        if item is None:
            raise Refused("no_current_item")
        subject = await fq.subject_of(organisation_id, item[0], choice)
        if subject is None:
            raise Refused("bad_subject", field="subject")
        rules = fq.DEFAULT_RULES  # a first row starts with the default rules
        await _save(
            FloorSettings.settings_key,
            str(assembly_id),
            {FloorSettings.subject_key: subject.key},
            organisation=organisation_id,
            assembly=assembly_id,
            ordering=rules.ordering.value,
            category_label=rules.category_label,
            speaker_seconds=rules.speaker_seconds,
            item_seconds=rules.item_seconds,
        )
        await audit.record_act(
            actor,
            "floor.subject_chosen",
            f"assembly:{assembly_id}",
            {
                key: value
                for key, value in (
                    ("item", subject.item_id),
                    ("proposal", subject.proposal_id),
                    ("amendment", subject.amendment_id),
                )
                if value is not None
            },
        )
    await _announce(organisation_id, assembly_id, "subject")
    return subject

"""Gatherings (#20): an event of several days whose programme is made of sessions — plenaries
and parallel workshops — each an ordinary assembly (created by
:func:`votes.services.assemblies.create_assembly`) linked to its gathering, with its room and
its end. Inside a session, the agenda, the speakers' list, mood checks and ballots work as in
any assembly: each session has its own.

Facilitators and administrators build the programme; a member registers themself (an
administrator may register others) and chooses their sessions — two chosen sessions that
overlap are a warning on the programme, never a refusal; stewards check registered
participants in, once per day of the gathering. Every write is one transaction and is
appended to the organisation's audit trail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from votes.db import gathering_queries as gq
from votes.db.engine import insert_row, write_transaction
from votes.db.gathering_queries import GatheringView, SessionView
from votes.db.tables import (
    Assembly,
    AssemblyKind,
    AssemblyStatus,
    Gathering,
    GatheringCheckIn,
    GatheringRegistration,
    Membership,
    MembershipStatus,
    SessionChoice,
)
from votes.services import assemblies, audit
from votes.services.actors import (
    Actor,
    may_administer,
    may_read,
    may_run_assemblies,
    may_steward,
    require,
)
from votes.services.refusals import Refused, check_title

TITLE_MAX = 200
PLACE_MAX = 300
ROOM_MAX = 100
TEXT_MAX = 20_000
DAYS_MAX = 31  # a gathering lasts a few days, a month at most


class SessionType(StrEnum):
    """What a session of the programme is: the plenary of everyone, or one of the parallel
    workshops (« ateliers »)."""

    PLENARY = "plenary"
    WORKSHOP = "workshop"


# the assembly kind each type of session is
ASSEMBLY_KIND: dict[SessionType, AssemblyKind] = {
    SessionType.PLENARY: AssemblyKind.PLENARY,
    SessionType.WORKSHOP: AssemblyKind.OTHER,
}


def now() -> datetime:
    """The current moment (the tests set the programme's clock here)."""
    return datetime.now(UTC)


def local_day(moment: datetime, time_zone: str) -> date:
    """The day ``moment`` falls on in the organisation's time zone."""
    return moment.astimezone(ZoneInfo(time_zone)).date()


# -- the programme, as a phone shows it ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Programme:
    """The sessions running at a moment, the next ones that day, the member's own, every day's
    sessions, and the pairs of chosen sessions that overlap."""

    running: list[SessionView]
    next_up: list[SessionView]
    mine: list[SessionView]
    by_day: list[tuple[date, list[SessionView]]]
    overlaps: list[tuple[SessionView, SessionView]]


def overlapping(sessions: Sequence[SessionView]) -> list[tuple[SessionView, SessionView]]:
    """The pairs of sessions whose times overlap (one starts before the other ends), in
    programme order. A session without an end overlaps those running at its start.

    Two sessions that follow each other (one ends at 10:00, the next starts at 10:00) do not.
    """
    ordered = sorted(sessions, key=lambda s: (s.starts_at, s.assembly_id))
    pairs = []
    for index, first in enumerate(ordered):
        for second in ordered[index + 1 :]:
            # sessions that start together overlap, even one without an end
            if second.starts_at >= first.until and second.starts_at != first.starts_at:
                break
            pairs.append((first, second))
    return pairs


def programme(
    gathering: GatheringView,
    sessions: Sequence[SessionView],
    chosen: set[int],
    at: datetime,
    time_zone: str,
) -> Programme:
    """Split the programme for a phone at the moment ``at``: running now (started, not
    ended), next (later the same local day; when that day holds no more, the next day's
    sessions, so that « Ensuite » is not empty the evening before or before the gathering),
    the member's chosen sessions, and by day."""
    today = local_day(at, time_zone)
    running = [s for s in sessions if s.starts_at <= at < s.until]
    later = sorted((s for s in sessions if s.starts_at > at), key=lambda s: s.starts_at)
    next_day = local_day(later[0].starts_at, time_zone) if later else today
    next_up = [s for s in later if local_day(s.starts_at, time_zone) == next_day]
    mine = [s for s in sessions if s.assembly_id in chosen]
    by_day = [
        (day, [s for s in sessions if local_day(s.starts_at, time_zone) == day])
        for day in gathering.days
    ]
    return Programme(running, next_up, mine, by_day, overlapping(mine))


# -- building the programme ------------------------------------------------------------------------


def _check_gathering(title: str, place: str, description: str, first: date, last: date) -> None:
    check_title(title, TITLE_MAX)
    if len(place) > PLACE_MAX:
        raise Refused("place_too_long", "place")
    if len(description) > TEXT_MAX:
        raise Refused("text_too_long", "description")
    if last < first:
        raise Refused("last_day_before_first", "last_day")
    if (last - first).days >= DAYS_MAX:
        raise Refused("gathering_too_long", "last_day", num=DAYS_MAX)


async def create_gathering(
    actor: Actor,
    title: str,
    first_day: date,
    last_day: date,
    *,
    place: str = "",
    description: str = "",
) -> int:
    """A facilitator or an administrator announces a gathering; its id."""
    require(may_run_assemblies, actor)
    title, place = title.strip(), place.strip()
    _check_gathering(title, place, description, first_day, last_day)
    async with write_transaction(Gathering._meta.db):
        gathering_id = await insert_row(
            Gathering(
                organisation=actor.organisation_id,
                title=title,
                place=place,
                description=description,
                first_day=first_day,
                last_day=last_day,
            )
        )
        await audit.record_act(
            actor,
            "gathering.created",
            f"gathering:{gathering_id}",
            {
                "title": title,
                "first_day": first_day.isoformat(),
                "last_day": last_day.isoformat(),
            },
        )
    return gathering_id


async def _gathering(actor: Actor, gathering_id: int) -> GatheringView:
    gathering = await gq.gathering_view(actor.organisation_id, gathering_id)
    if gathering is None:
        raise Refused("not_found")
    return gathering


async def add_session(
    actor: Actor,
    gathering_id: int,
    title: str,
    session_type: SessionType,
    day: date,
    start: time,
    end: time,
    *,
    room: str = "",
    description: str = "",
) -> int:
    """Put a session on the programme: an assembly of the organisation, convened, on ``day``
    from ``start`` to ``end`` (the organisation's local time) in ``room``; its assembly id.

    Refused: a day outside the gathering (``session_day_outside``), an end before the start
    (``session_ends_before_start``), an empty title; nothing is written then."""
    require(may_run_assemblies, actor)
    title, room = title.strip(), room.strip()
    if not title:
        raise Refused("title_required", "title")
    if len(room) > ROOM_MAX:
        raise Refused("room_too_long", "room")
    if end <= start:
        raise Refused("session_ends_before_start", "end")
    zone = ZoneInfo(actor.organisation.time_zone)
    starts_at = datetime.combine(day, start, tzinfo=zone).astimezone(UTC)
    ends_at = datetime.combine(day, end, tzinfo=zone).astimezone(UTC)
    async with write_transaction(Assembly._meta.db):
        gathering = await _gathering(actor, gathering_id)
        if not gathering.holds(day):
            raise Refused("session_day_outside", "day")
        # the assemblies service plans it (its checks, its rules, its audit entry) inside
        # this transaction; the gathering, room and end are the programme's own columns
        assembly_id = await assemblies.create_assembly(
            actor,
            title,
            starts_at,
            kind=ASSEMBLY_KIND[session_type],
            place=gathering.place,
            status=AssemblyStatus.CONVENED,
            description=description,
        )
        await Assembly.update(
            {Assembly.gathering: gathering_id, Assembly.room: room, Assembly.ends_at: ends_at}
        ).where(Assembly.id == assembly_id)
        await audit.record_act(
            actor,
            "gathering.session_added",
            f"gathering:{gathering_id}",
            {"assembly": assembly_id, "title": title, "room": room},
        )
    return assembly_id


# -- taking part -------------------------------------------------------------------------------


async def _active_member(organisation_id: int, membership_id: int) -> None:
    if not await Membership.exists().where(
        (Membership.id == membership_id)
        & (Membership.organisation == organisation_id)
        & (Membership.status == MembershipStatus.ACTIVE.value)
    ):
        raise Refused("participant_not_member", "membership")


async def register(actor: Actor, gathering_id: int, membership_id: int | None = None) -> bool:
    """A member registers themself, or an administrator registers a member of the
    organisation; False when they already were (the same answer, nothing written)."""
    require(may_read, actor)
    own = membership_id is None or membership_id == actor.membership_id
    if own:
        membership_id = actor.id
    else:
        require(may_administer, actor)
    assert membership_id is not None
    async with write_transaction(GatheringRegistration._meta.db):
        await _gathering(actor, gathering_id)
        await _active_member(actor.organisation_id, membership_id)
        if await gq.is_registered(gathering_id, membership_id):
            return False
        await GatheringRegistration.insert(
            GatheringRegistration(
                gathering=gathering_id,
                membership=membership_id,
                registration_key=f"{gathering_id}:{membership_id}",
            )
        )
        await audit.record_act(
            actor,
            "gathering.registered",
            f"membership:{membership_id}",
            {"gathering": gathering_id},
        )
    return True


async def choose_session(actor: Actor, assembly_id: int, *, chosen: bool = True) -> None:
    """A registered participant adds a session to « mes sessions » (or takes it off). Two
    chosen sessions may overlap: the programme warns, it does not refuse."""
    require(may_read, actor)
    membership_id = actor.id
    key = f"{assembly_id}:{membership_id}"
    async with write_transaction(SessionChoice._meta.db):
        gathering_id = await gq.session_gathering(actor.organisation_id, assembly_id)
        if gathering_id is None:
            raise Refused("not_found")
        if not await gq.is_registered(gathering_id, membership_id):
            raise Refused("not_registered")
        exists = await SessionChoice.exists().where(SessionChoice.choice_key == key)
        if chosen and not exists:
            await SessionChoice.insert(
                SessionChoice(assembly=assembly_id, membership=membership_id, choice_key=key)
            )
        elif not chosen and exists:
            await SessionChoice.delete().where(SessionChoice.choice_key == key)


async def check_in(actor: Actor, gathering_id: int, membership_id: int, day: date) -> bool:
    """A steward checks a registered participant in for ``day`` (today at the desk); False
    when they already were. Refused on a day outside the gathering and for someone not
    registered."""
    require(may_steward, actor)
    key = f"{gathering_id}:{membership_id}:{day.isoformat()}"
    async with write_transaction(GatheringCheckIn._meta.db):
        gathering = await _gathering(actor, gathering_id)
        if not gathering.holds(day):
            raise Refused("gathering_not_today")
        if not await gq.is_registered(gathering_id, membership_id):
            raise Refused("participant_not_registered")
        if await GatheringCheckIn.exists().where(GatheringCheckIn.check_in_key == key):
            return False
        await GatheringCheckIn.insert(
            GatheringCheckIn(
                gathering=gathering_id,
                membership=membership_id,
                day=day,
                check_in_key=key,
                checked_in_at=now(),
                checked_in_by=actor.audited_as,
            )
        )
        await audit.record_act(
            actor,
            "gathering.checked_in",
            f"membership:{membership_id}",
            {"gathering": gathering_id, "day": day.isoformat()},
        )
    return True

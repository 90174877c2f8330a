"""Reads of the gatherings (#20): a gathering and its days, its programme of sessions (each an
ordinary assembly linked to it), who registered, which sessions each chose, and who arrived on
a given day. Every read is scoped to its organisation and returns plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from votes.db.attendance_queries import folded
from votes.db.queries import own_row, view_of
from votes.db.tables import (
    Assembly,
    Gathering,
    GatheringCheckIn,
    GatheringRegistration,
    Membership,
    MembershipStatus,
    SessionChoice,
)


@dataclass(frozen=True, slots=True)
class GatheringView:
    id: int
    title: str
    place: str
    description: str
    first_day: date
    last_day: date

    @property
    def days(self) -> list[date]:
        """Every day of the gathering, in order."""
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + timedelta(days=offset) for offset in range(max(count, 0))]

    def holds(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True, slots=True)
class SessionView:
    """A session of the programme: its assembly, and when and where it runs."""

    assembly_id: int
    title: str
    kind: str
    status: str
    starts_at: datetime
    ends_at: datetime | None
    room: str

    @property
    def until(self) -> datetime:
        """When the session ends (its start when no end was given)."""
        return self.ends_at if self.ends_at is not None else self.starts_at


@dataclass(frozen=True, slots=True)
class Participant:
    """A registered participant and their arrival on the day asked about (None: not yet)."""

    membership_id: int
    name: str
    checked_in_at: datetime | None
    cooperative: str = ""  # at a network's gathering: the cooperative that registered them


async def gathering_view(organisation_id: int, gathering_id: int) -> GatheringView | None:
    """The organisation's gathering, or None (another organisation's does not exist here)."""
    row = await own_row(Gathering, organisation_id, gathering_id)
    return view_of(GatheringView, row) if row else None


async def gatherings_of(organisation_id: int) -> list[GatheringView]:
    """The organisation's gatherings, the latest first."""
    rows = (
        await Gathering.select()
        .where(Gathering.organisation == organisation_id)
        .order_by(Gathering.first_day, ascending=False)
        .order_by(Gathering.id, ascending=False)
    )
    return [view_of(GatheringView, row) for row in rows]


# what the programme shows of a session (an assembly of the gathering)
_SESSION_COLUMNS = (
    Assembly.title,
    Assembly.kind,
    Assembly.status,
    Assembly.starts_at,
    Assembly.ends_at,
    Assembly.room,
)


async def sessions_of(organisation_id: int, gathering_id: int) -> list[SessionView]:
    """The gathering's programme in time order (then by room)."""
    rows = (
        await Assembly.select(Assembly.id, *_SESSION_COLUMNS)
        .where((Assembly.gathering == gathering_id) & (Assembly.organisation == organisation_id))
        .order_by(Assembly.starts_at)
        .order_by(Assembly.room)
        .order_by(Assembly.id)
    )
    return [view_of(SessionView, row, assembly_id="id") for row in rows]


async def session_gathering(organisation_id: int, assembly_id: int) -> int | None:
    """The gathering an assembly of the organisation is a session of (None: none, or not the
    organisation's)."""
    row = await own_row(Assembly, organisation_id, assembly_id, Assembly.gathering)
    return None if row is None or row["gathering"] is None else int(row["gathering"])


async def session_of(
    organisation_id: int, assembly_id: int
) -> tuple[GatheringView, SessionView] | None:
    """The gathering an assembly of the organisation is a session of, and the session (its
    kind, room and times) as the programme lists it; None when it is no session."""
    row = await own_row(
        Assembly, organisation_id, assembly_id, Assembly.gathering, Assembly.id, *_SESSION_COLUMNS
    )
    if row is None or row["gathering"] is None:
        return None
    gathering = await gathering_view(organisation_id, int(row["gathering"]))
    if gathering is None:
        return None
    return gathering, view_of(SessionView, row, assembly_id="id")


async def is_registered(gathering_id: int, membership_id: int) -> bool:
    return bool(
        await GatheringRegistration.exists().where(
            GatheringRegistration.registration_key == f"{gathering_id}:{membership_id}"
        )
    )


async def chosen_sessions(organisation_id: int, gathering_id: int, membership_id: int) -> set[int]:
    """The sessions of the gathering the member chose (« mes sessions »), by assembly id."""
    rows = await SessionChoice.select(SessionChoice.assembly).where(
        (SessionChoice.membership == membership_id)
        & (SessionChoice.assembly.gathering == gathering_id)
        & (SessionChoice.assembly.organisation == organisation_id)
    )
    return {int(row["assembly"]) for row in rows}


async def checked_in_at(gathering_id: int, membership_id: int, day: date) -> datetime | None:
    """When the member arrived on ``day`` (None: not checked in that day)."""
    row = (
        await GatheringCheckIn.select(GatheringCheckIn.checked_in_at)
        .where(GatheringCheckIn.check_in_key == f"{gathering_id}:{membership_id}:{day.isoformat()}")
        .first()
    )
    return None if row is None else row["checked_in_at"]


async def participants(
    organisation_id: int, gathering_id: int, day: date, search: str = ""
) -> list[Participant]:
    """The registered participants, by name, with their arrival on ``day``; ``search``
    keeps the names that contain it (case and accents aside)."""
    rows = (
        await GatheringRegistration.select(
            GatheringRegistration.membership,
            GatheringRegistration.membership.person.name,  # type: ignore[union-attr]
            GatheringRegistration.membership.delegated_by.name,  # type: ignore[union-attr]
        )
        .where(
            (GatheringRegistration.gathering == gathering_id)
            & (GatheringRegistration.gathering.organisation == organisation_id)
        )
        .order_by(GatheringRegistration.membership.person.name)  # type: ignore[union-attr]
    )
    arrivals = await GatheringCheckIn.select(
        GatheringCheckIn.membership, GatheringCheckIn.checked_in_at
    ).where((GatheringCheckIn.gathering == gathering_id) & (GatheringCheckIn.day == day))
    arrived = {int(row["membership"]): row["checked_in_at"] for row in arrivals}
    wanted = folded(search)
    return [
        Participant(
            membership_id=int(row["membership"]),
            name=row["membership.person.name"],
            checked_in_at=arrived.get(int(row["membership"])),
            cooperative=row["membership.delegated_by.name"] or "",
        )
        for row in rows
        if not wanted or wanted in folded(row["membership.person.name"])
    ]


async def unregistered_members(
    organisation_id: int, gathering_id: int, search: str
) -> list[tuple[int, str]]:
    """Active members whose name contains ``search`` and who have not registered yet: those an
    administrator may register (nobody for an empty search: never a list of everyone)."""
    wanted = folded(search)
    if not wanted:
        return []
    registered = await GatheringRegistration.select(GatheringRegistration.membership).where(
        GatheringRegistration.gathering == gathering_id
    )
    taken = {int(row["membership"]) for row in registered}
    rows = (
        await Membership.select(Membership.id, Membership.person.name)
        .where(
            (Membership.organisation == organisation_id)
            & (Membership.status == MembershipStatus.ACTIVE.value)
        )
        .order_by(Membership.person.name)
    )
    return [
        (int(row["id"]), row["person.name"])
        for row in rows
        if int(row["id"]) not in taken and wanted in folded(row["person.name"])
    ]


async def arrival_counts(organisation_id: int, gathering_id: int, day: date) -> tuple[int, int]:
    """(arrived on ``day``, registered) for the gathering."""
    registered = await GatheringRegistration.count().where(
        (GatheringRegistration.gathering == gathering_id)
        & (GatheringRegistration.gathering.organisation == organisation_id)
    )
    arrived = await GatheringCheckIn.count().where(
        (GatheringCheckIn.gathering == gathering_id)
        & (GatheringCheckIn.gathering.organisation == organisation_id)
        & (GatheringCheckIn.day == day)
    )
    return int(arrived), int(registered)

"""Read helpers for the attendance register (feuille de présence) and proxies of an assembly.

Every function takes the organisation id and filters by it. The register lists every member
with voting rights, with how they take part: present in the room, remote, represented (by whom,
or by a blank proxy), absent, or left (checked out).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from votes.core.rules import Attendance as Way
from votes.db.engine import read_raw
from votes.db.queries import own_row, view_of
from votes.db.tables import (
    AdvanceParticipation,
    AdvanceStatus,
    Attendance,
    AttendanceStatus,
    Ballot,
    College,
    Membership,
    Participation,
    Proxy,
    ProxyStatus,
)
from votes.db.voting_rules import voters_of

TAKING_PART = (AttendanceStatus.PRESENT.value, AttendanceStatus.REMOTE.value)


class RegisterStatus(StrEnum):
    """A register line's status: an attendance's own (present, remote, left), or what the
    register infers for a member with none (represented by a proxy, absent)."""

    PRESENT = AttendanceStatus.PRESENT.value
    REMOTE = AttendanceStatus.REMOTE.value
    LEFT = AttendanceStatus.LEFT.value
    REPRESENTED = "represented"
    POSTAL = "postal"  # absent, but answered by correspondence
    ABSENT = "absent"


@dataclass(frozen=True, slots=True)
class RegisterLine:
    """One member of the feuille de présence."""

    membership_id: int
    name: str
    category: str
    college_id: int | None
    college: str
    status: str  # present, remote, represented, absent, left
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None
    method: str = ""  # code, steward, self
    steward: str = ""
    proxy_holder: str = ""  # name of whoever represents them; "" for a blank proxy
    blank_proxy: bool = False
    instructions: str = ""


@dataclass(frozen=True, slots=True)
class ProxyView:
    id: int
    giver_id: int
    giver: str
    holder_id: int | None  # None: a blank proxy
    holder: str
    instructions: str
    status: str
    given_at: datetime
    recorded_by: str  # the admin who typed in a paper form, "" when given online
    revoked_at: datetime | None
    revoked_reason: str

    @property
    def blank(self) -> bool:
        return self.holder_id is None

    @property
    def directed(self) -> bool:
        return bool(self.instructions)


@dataclass(frozen=True, slots=True)
class AttendanceCounts:
    """Head counts of an assembly, right now."""

    members: int  # members with voting rights
    present: int  # in the room
    remote: int
    represented: int  # by a named holder
    blank: int  # blank proxies (counted as the statutes say)
    postal: int = 0  # absent members who answered by correspondence

    @property
    def checked_in(self) -> int:
        return self.present + self.remote

    def taking_part(self, ways: Collection[Way], *, blank_counted: bool) -> int:
        """Members the quorum counts: those who take part in one of ``ways`` (the rules'),
        blank proxies only when the statutes give them to the management."""
        by_way = {
            Way.PRESENT: self.present,
            Way.REMOTE: self.remote,
            Way.REPRESENTED: self.represented + (self.blank if blank_counted else 0),
            Way.POSTAL: self.postal,
        }
        return sum(count for way, count in by_way.items() if way in ways)


async def voting_members(organisation_id: int) -> list[dict[str, Any]]:
    """Members with voting rights now: id, name, category, college."""
    rows = (
        await Membership.select(
            Membership.id,
            Membership.person.name,
            Membership.category,
            Membership.college.id,
            Membership.college.name,
        )
        .where(voters_of(organisation_id))
        .order_by(Membership.person.name)
    )
    return [dict(row) for row in rows]


async def _attendance_rows(organisation_id: int, assembly_id: int) -> dict[int, dict[str, Any]]:
    rows = await Attendance.select(
        Attendance.membership,
        Attendance.status,
        Attendance.method,
        Attendance.checked_in_at,
        Attendance.checked_out_at,
        Attendance.checked_in_by.person.name,  # type: ignore[union-attr]
    ).where((Attendance.organisation == organisation_id) & (Attendance.assembly == assembly_id))
    return {row["membership"]: dict(row) for row in rows}


async def proxies_of(
    organisation_id: int, assembly_id: int, *, active_only: bool = True
) -> list[ProxyView]:
    """The assembly's proxies (active ones by default), by giver's name."""
    query = Proxy.select(
        Proxy.id,
        Proxy.giver,
        Proxy.giver.person.name,  # type: ignore[union-attr]
        Proxy.holder,
        Proxy.holder.person.name,  # type: ignore[union-attr]
        Proxy.instructions,
        Proxy.status,
        Proxy.given_at,
        Proxy.recorded_by.person.name,  # type: ignore[union-attr]
        Proxy.revoked_at,
        Proxy.revoked_reason,
    ).where((Proxy.organisation == organisation_id) & (Proxy.assembly == assembly_id))
    if active_only:
        query = query.where(Proxy.status == ProxyStatus.ACTIVE.value)
    rows = await query.order_by(Proxy.giver.person.name).order_by(Proxy.id)  # type: ignore[union-attr]
    return [
        view_of(
            ProxyView,
            # "holder" is the holder's id in the row: the blanked name goes under its own key
            {
                **row,
                "holder_name": row["holder.person.name"] or "",
                "recorded_by": row["recorded_by.person.name"] or "",
            },
            giver_id="giver",
            giver="giver.person.name",
            holder_id="holder",
            holder="holder_name",
        )
        for row in rows
    ]


async def proxy_assembly(organisation_id: int, proxy_id: int) -> int | None:
    """The assembly the proxy was given for; None when the proxy is not the organisation's."""
    row = await own_row(Proxy, organisation_id, proxy_id, Proxy.assembly)
    return None if row is None else int(row["assembly"])


async def attendance_register(organisation_id: int, assembly_id: int) -> list[RegisterLine]:
    """The feuille de présence of an assembly: every member with voting rights, by name, with
    how they take part and when they checked in and out (the register the minutes print)."""
    members = await voting_members(organisation_id)
    attendance = await _attendance_rows(organisation_id, assembly_id)
    proxies = {p.giver_id: p for p in await proxies_of(organisation_id, assembly_id)}
    by_post = await postal_voters(organisation_id, assembly_id)
    lines = []
    for member in members:
        seen = attendance.get(member["id"])
        proxy = proxies.get(member["id"])
        status = seen["status"] if seen else RegisterStatus.ABSENT.value
        if proxy is not None and status not in TAKING_PART:
            status = RegisterStatus.REPRESENTED.value
        elif status == RegisterStatus.ABSENT.value and member["id"] in by_post:
            status = RegisterStatus.POSTAL.value
        represented = proxy if proxy and status == RegisterStatus.REPRESENTED else None
        lines.append(
            view_of(
                RegisterLine,
                {
                    **member,
                    "college": member["college.name"] or "",
                    "status": status,
                    "checked_in_at": seen["checked_in_at"] if seen else None,
                    "checked_out_at": seen["checked_out_at"] if seen else None,
                    "method": seen["method"] if seen else "",
                    "steward": (seen["checked_in_by.person.name"] or "") if seen else "",
                    "proxy_holder": represented.holder if represented else "",
                    "blank_proxy": bool(represented and represented.blank),
                    "instructions": represented.instructions if represented else "",
                },
                membership_id="id",
                name="person.name",
                college_id="college.id",
            )
        )
    return lines


async def postal_voters(organisation_id: int, assembly_id: int) -> set[int]:
    """Members whose answers by correspondence count at the assembly: the register shows them
    as voting by post, and a motion raised in the room counts them (quorum: ``postal``)."""
    rows = await AdvanceParticipation.select(AdvanceParticipation.membership).where(
        (AdvanceParticipation.organisation == organisation_id)
        & (AdvanceParticipation.assembly == assembly_id)
        & (AdvanceParticipation.status == AdvanceStatus.COUNTED.value)
    )
    return {int(row["membership"]) for row in rows}


def count_register(lines: list[RegisterLine]) -> AttendanceCounts:
    represented = [line for line in lines if line.status == RegisterStatus.REPRESENTED]
    return AttendanceCounts(
        members=len(lines),
        present=sum(1 for line in lines if line.status == AttendanceStatus.PRESENT.value),
        remote=sum(1 for line in lines if line.status == AttendanceStatus.REMOTE.value),
        represented=sum(1 for line in represented if not line.blank_proxy),
        blank=sum(1 for line in represented if line.blank_proxy),
        postal=sum(1 for line in lines if line.status == RegisterStatus.POSTAL),
    )


async def has_register(organisation_id: int, assembly_id: int) -> bool:
    """Whether anyone checked in or gave a proxy: the assembly keeps its register here."""
    where_attendance = (Attendance.organisation == organisation_id) & (
        Attendance.assembly == assembly_id
    )
    if await Attendance.exists().where(where_attendance):
        return True
    return bool(
        await Proxy.exists().where(
            (Proxy.organisation == organisation_id) & (Proxy.assembly == assembly_id)
        )
    )


async def college_names(organisation_id: int) -> dict[int, str]:
    """The organisation's colleges: name by id."""
    rows = await College.select(College.id, College.name).where(
        College.organisation == organisation_id
    )
    return {row["id"]: row["name"] for row in rows}


def folded(text: str) -> str:
    """Case- and accent-blind form for searching names (same on both engines)."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


async def ballot_rule_snapshot(organisation_id: int, ballot_id: int) -> dict[str, Any] | None:
    """The rules a ballot was judged under and the figures of its count (None outside a
    general assembly)."""
    row = await own_row(Ballot, organisation_id, ballot_id, Ballot.rule_snapshot)
    if row is None or not row["rule_snapshot"]:
        return None
    found: dict[str, Any] = json.loads(row["rule_snapshot"])
    return found


@dataclass(frozen=True, slots=True)
class RoomTurnout:
    """A ballot's turnout measured against who is there: members present, remote or
    represented are expected to vote; absent members are counted apart, not as missing."""

    voted: int  # expected members (or their proxy holders) who have voted
    expected: int  # present + remote + represented
    absent: int  # members with voting rights neither there nor represented
    members: int
    waiting: list[tuple[str, str]]  # (name, proxy holder or "") of expected non-voters

    @property
    def share(self) -> float:
        return min(1.0, self.voted / self.expected) if self.expected else 0.0


async def room_turnout(
    organisation_id: int,
    assembly_id: int,
    ballot_id: int,
    round_: int,
    *,
    frozen: tuple[int, int] | None = None,
) -> RoomTurnout | None:
    """The console's turnout against the register; None while the assembly keeps none.

    ``frozen``: (present or represented, members) as a closed ballot's close froze them; the
    turnout is then measured against those, not against the register as it stands now."""
    if not await has_register(organisation_id, assembly_id):
        return None
    voted_ids = {
        row["membership"]
        for row in await Participation.select(Participation.membership).where(
            (Participation.ballot == ballot_id) & (Participation.round == round_)
        )
    }
    if frozen is not None:
        expected_at_close, members_at_close = frozen
        voted = min(len(voted_ids), expected_at_close)
        return RoomTurnout(
            voted=voted,
            expected=expected_at_close,
            absent=max(members_at_close - expected_at_close, 0),
            members=members_at_close,
            waiting=[],
        )
    lines = await attendance_register(organisation_id, assembly_id)
    expected = [
        line for line in lines if line.status in (*TAKING_PART, RegisterStatus.REPRESENTED.value)
    ]
    waiting = [
        (line.name, line.proxy_holder if line.status == RegisterStatus.REPRESENTED else "")
        for line in expected
        if line.membership_id not in voted_ids
    ]
    return RoomTurnout(
        voted=len(expected) - len(waiting),
        expected=len(expected),
        absent=len(lines) - len(expected),
        members=len(lines),
        waiting=sorted(waiting, key=lambda pair: folded(pair[0])),
    )


# read on every ballot page a voter loads (every phone, when a ballot opens): plain SQL, and
# only the holder's own proxies (most voters hold none: one indexed lookup finds nothing)
_HELD_SQL = (
    'SELECT x.giver AS "giver", p.name AS "name", x.instructions AS "instructions" '
    "FROM proxy x JOIN membership m ON m.id = x.giver JOIN person p ON p.id = m.person "
    "WHERE x.holder = {} AND x.organisation = {} AND x.assembly = {} AND x.status = {} "
    "ORDER BY p.name, x.id"
)


async def proxies_held(
    organisation_id: int, assembly_id: int, holder_id: int
) -> list[dict[str, Any]]:
    """The active proxies ``holder_id`` holds at the assembly: giver, giver's name, instructions."""
    rows: list[dict[str, Any]] = await read_raw(
        Proxy, _HELD_SQL, holder_id, organisation_id, assembly_id, ProxyStatus.ACTIVE.value
    )
    return rows

"""Read helpers for the member register, its lists (categories, colleges) and access codes.
Like every query about an organisation, each takes the organisation id and filters by it."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from votes.db.queries import OrganisationView, own_row, view_of
from votes.db.tables import AccessCode, Category, College, Membership, Organisation

ROLE_FILTERS = ("admin", "facilitator", "scrutineer", "member", "observer")


@dataclass(frozen=True, slots=True)
class MemberRow:
    membership_id: int
    person_id: int
    name: str
    email: str | None
    category: str
    college_id: int | None
    college_name: str | None
    kind: str
    is_admin: bool
    is_facilitator: bool
    is_scrutineer: bool
    status: str
    status_since: datetime


@dataclass(frozen=True, slots=True)
class ListEntry:
    id: int
    name: str
    weight_basis_points: int = 0

    @property
    def weight_percent(self) -> Fraction:
        return Fraction(self.weight_basis_points, 100)


@dataclass(frozen=True, slots=True)
class CodeState:
    """The latest access code of a member, as the admin's page shows it."""

    state: str  # active, used, expired, revoked
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


_COLUMNS = (
    Membership.id,
    Membership.person.id,
    Membership.person.name,
    Membership.person.email,
    Membership.category,
    Membership.college.id,
    Membership.college.name,
    Membership.kind,
    Membership.is_admin,
    Membership.is_facilitator,
    Membership.is_scrutineer,
    Membership.status,
    Membership.status_since,
)


def _row(row: dict[str, Any]) -> MemberRow:
    return view_of(
        MemberRow,
        row,
        membership_id="id",
        person_id="person.id",
        name="person.name",
        email="person.email",
        college_id="college.id",
        college_name="college.name",
    )


async def register_of(
    organisation_id: int,
    *,
    search: str = "",
    category: str = "",
    role: str = "",
    status: str = "",
) -> list[MemberRow]:
    """The register, filtered: ``search`` in the name or email, an exact category, a role
    (one of :data:`ROLE_FILTERS`) and a status; empty filters select everything."""
    query = Membership.select(*_COLUMNS).where(Membership.organisation == organisation_id)
    if category:
        query = query.where(Membership.category == category)
    if status:
        query = query.where(Membership.status == status)
    if role in ("admin", "facilitator", "scrutineer"):
        query = query.where(getattr(Membership, f"is_{role}").eq(True))
    elif role in ("member", "observer"):
        query = query.where(Membership.kind == role)
    rows = [_row(row) for row in await query.order_by(Membership.person.name)]
    # searched here rather than in SQL: the same case- and accent-blind match on both engines
    # (SQLite's LIKE folds ASCII only), over one organisation's register
    wanted = _folded(search)
    if wanted:
        rows = [row for row in rows if wanted in _folded(f"{row.name} {row.email or ''}")]
    return rows


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


async def member_of(organisation_id: int, membership_id: int) -> MemberRow | None:
    row = await own_row(Membership, organisation_id, membership_id, *_COLUMNS)
    return _row(row) if row else None


async def categories_of(organisation_id: int) -> list[ListEntry]:
    rows = (
        await Category.select(Category.id, Category.name)
        .where(Category.organisation == organisation_id)
        .order_by(Category.name)
    )
    return [ListEntry(row["id"], row["name"]) for row in rows]


async def colleges_of(organisation_id: int) -> list[ListEntry]:
    rows = (
        await College.select(College.id, College.name, College.weight_basis_points)
        .where(College.organisation == organisation_id)
        .order_by(College.name)
    )
    return [ListEntry(row["id"], row["name"], row["weight_basis_points"]) for row in rows]


async def code_states(organisation_id: int) -> dict[int, CodeState]:
    """Membership id -> the state of its latest access code."""
    rows = (
        await AccessCode.select(
            AccessCode.membership,
            AccessCode.created_at,
            AccessCode.expires_at,
            AccessCode.used_at,
            AccessCode.revoked,
        )
        .where(AccessCode.organisation == organisation_id)
        .order_by(AccessCode.id)
    )
    now = datetime.now(UTC)
    states: dict[int, CodeState] = {}
    for row in rows:  # ordered by id: the latest code of each member wins
        if row["used_at"] is not None:
            state = "used"
        elif row["revoked"]:
            state = "revoked"
        elif row["expires_at"] <= now:
            state = "expired"
        else:
            state = "active"
        states[row["membership"]] = CodeState(
            state, row["created_at"], row["expires_at"], row["used_at"]
        )
    return states


async def all_organisations() -> list[tuple[OrganisationView, int]]:
    """Every organisation with its number of memberships (the instance admin's page)."""
    rows = await Organisation.select().order_by(Organisation.name)
    counts: dict[int, int] = {}
    for row in await Membership.select(Membership.organisation):
        counts[row["organisation"]] = counts.get(row["organisation"], 0) + 1
    return [
        (
            view_of(OrganisationView, row),
            counts.get(row["id"], 0),
        )
        for row in rows
    ]

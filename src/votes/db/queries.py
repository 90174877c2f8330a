"""Read helpers returning plain view types. Every query about an organisation's data takes the
organisation id and filters by it, so a foreign id simply finds nothing (and the page says 404)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from piccolo.columns import Column
from piccolo.custom_types import Combinable
from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import Selectable
from piccolo.table import Table

from votes.db.engine import read_raw
from votes.db.tables import (
    AccessCode,
    Assembly,
    AssemblyStatus,
    Ballot,
    BallotStatus,
    Membership,
    MembershipStatus,
    Organisation,
)
from votes.db.voting_rules import has_voting_rights

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_View = TypeVar("_View", bound="DataclassInstance")


def view_of(view: type[_View], row: Mapping[str, Any], prefix: str = "", **columns: str) -> _View:
    """A view filled from the row's columns named as its fields (after ``prefix``, for a
    joined table's columns); ``columns`` names the column of a field named otherwise."""
    return view(**{name: row[columns.get(name, prefix + name)] for name in _field_names(view)})


async def own_row(
    table: type[Table],
    organisation_id: int,
    row_id: int,
    *columns: Selectable,
    owner: Column | None = None,
    lock: bool = False,
) -> dict[str, Any] | None:
    """The row ``row_id`` of ``table`` (its ``columns``, all of them if none are named) when it
    is the organisation's, else None: the one scoping of every read by id, so that another
    organisation's id finds nothing, like an id that does not exist. ``owner`` names the column
    that holds the organisation when it is not the table's own ``organisation`` (a joined one,
    or one side of a row two organisations share). With ``lock``, on PostgreSQL, the row stays
    locked until the transaction ends, so two acts on it take turns and the second sees what
    the first did (SQLite's ``BEGIN IMMEDIATE`` serialises them already)."""
    owner = owner or table._meta.get_column_by_name("organisation")
    query = table.select(*columns).where(
        (table._meta.primary_key == row_id) & (owner == organisation_id)
    )
    if lock and isinstance(table._meta.db, PostgresEngine):
        query = query.lock_rows("NO KEY UPDATE")
    return await query.first()


async def keyed_row(
    key: Column, value: int, organisation_id: int, *columns: Selectable
) -> dict[str, Any] | None:
    """The row of a "one per assembly (or per organisation)" table whose unique ``key`` column
    holds ``value`` (its ``columns``, all of them if none are named), when it is the
    organisation's, else None."""
    table = key._meta.table
    owner = table._meta.get_column_by_name("organisation")
    return await (
        table.select(*columns).where((key == str(value)) & (owner == organisation_id)).first()
    )


@cache
def _field_names(view: type[DataclassInstance]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(view))


@dataclass(frozen=True, slots=True)
class OrganisationView:
    id: int
    name: str
    short_name: str
    legal_form: str
    default_language: str
    time_zone: str


@dataclass(frozen=True, slots=True)
class MembershipView:
    id: int
    organisation: OrganisationView
    person_id: int
    person_name: str
    kind: str
    is_admin: bool
    is_facilitator: bool
    is_scrutineer: bool
    category: str
    status: str

    @property
    def can_vote(self) -> bool:
        return has_voting_rights(self.kind, self.status)


@dataclass(frozen=True, slots=True)
class AssemblySummary:
    id: int
    title: str
    kind: str
    convocation: str
    starts_at: datetime
    place: str
    status: str


@dataclass(frozen=True, slots=True)
class BallotSummary:
    id: int
    question: str
    method: str
    status: str
    secret: bool
    is_test: bool


def _organisation(row: dict[str, Any], prefix: str = "") -> OrganisationView:
    return view_of(OrganisationView, row, prefix)


_MEMBERSHIP_COLUMNS = (
    Membership.id,
    Membership.person.id,
    Membership.person.name,
    Membership.kind,
    Membership.is_admin,
    Membership.is_facilitator,
    Membership.is_scrutineer,
    Membership.category,
    Membership.status,
    Membership.organisation.id,
    Membership.organisation.name,
    Membership.organisation.short_name,
    Membership.organisation.legal_form,
    Membership.organisation.default_language,
    Membership.organisation.time_zone,
)


def _membership(row: dict[str, Any]) -> MembershipView:
    organisation = _organisation(row, "organisation.")
    return view_of(
        MembershipView,
        {**row, "organisation": organisation},
        person_id="person.id",
        person_name="person.name",
    )


async def _memberships(where: Combinable, order: Column) -> list[MembershipView]:
    rows = await Membership.select(*_MEMBERSHIP_COLUMNS).where(where).order_by(order)
    return [_membership(row) for row in rows]


async def memberships_of_person(person_id: int) -> list[MembershipView]:
    return await _memberships(Membership.person == person_id, Membership.organisation.name)


# Every organisation page runs this lookup: plain SQL, because building Piccolo's joined select
# costs about 0.8 ms of CPU per request (bench_votes: a third of a vote's cost). The person's
# few memberships are read first: "+m.organisation" keeps SQLite, which has no statistics
# about the tables, from reading every membership of the organisation instead (2,000 rows
# per request in a large cooperative); PostgreSQL reads it as the plain column.
_MEMBERSHIP_IN_SQL = (
    'SELECT m.id AS "id", m.kind AS "kind", m.is_admin AS "is_admin", '
    'm.is_facilitator AS "is_facilitator", m.is_scrutineer AS "is_scrutineer", '
    'm.category AS "category", m.status AS "status", '
    'p.id AS "person.id", p.name AS "person.name", '
    'o.id AS "organisation.id", o.name AS "organisation.name", '
    'o.short_name AS "organisation.short_name", o.legal_form AS "organisation.legal_form", '
    'o.default_language AS "organisation.default_language", '
    'o.time_zone AS "organisation.time_zone" '
    "FROM membership m JOIN person p ON p.id = m.person "
    "JOIN organisation o ON o.id = +m.organisation "
    "WHERE m.person = {} AND "
)


async def membership_in(organisation_id: int, person_id: int) -> MembershipView | None:
    rows = await read_raw(
        Membership, _MEMBERSHIP_IN_SQL + "m.organisation = {}", person_id, organisation_id
    )
    return _membership(rows[0]) if rows else None


async def membership_by_id(organisation_id: int, membership_id: int) -> MembershipView | None:
    rows = await own_row(Membership, organisation_id, membership_id, *_MEMBERSHIP_COLUMNS)
    return _membership(rows) if rows else None


async def organisation_view(organisation_id: int) -> OrganisationView | None:
    row = await Organisation.select().where(Organisation.id == organisation_id).first()
    return _organisation(row) if row else None


async def membership_by_slug(short_name: str, person_id: int) -> MembershipView | None:
    """The person's membership of the organisation with this short name (the one in the URL)."""
    rows = await read_raw(
        Membership, _MEMBERSHIP_IN_SQL + "o.short_name = {}", person_id, short_name
    )
    return _membership(rows[0]) if rows else None


async def members_of(organisation_id: int) -> list[MembershipView]:
    return await _memberships(Membership.organisation == organisation_id, Membership.person.name)


async def assemblies_of(organisation_id: int) -> list[AssemblySummary]:
    """The organisation's assemblies, latest first, as its home lists them: a gathering's
    sessions only while in session (the others are in the gathering's programme, which the
    home shows instead of some sixty session cards)."""
    rows = (
        await Assembly.select()
        .where(
            (Assembly.organisation == organisation_id)
            & (Assembly.gathering.is_null() | (Assembly.status == AssemblyStatus.IN_SESSION.value))
        )
        .order_by(Assembly.starts_at, ascending=False)
    )
    return [view_of(AssemblySummary, row) for row in rows]


def ballot_summary(row: dict[str, Any]) -> BallotSummary:
    return view_of(BallotSummary, row)


BALLOT_SUMMARY_COLUMNS = (
    Ballot.id,
    Ballot.question,
    Ballot.method,
    Ballot.status,
    Ballot.secret,
    Ballot.is_test,
)


async def ballot_summaries(where: Combinable) -> list[BallotSummary]:
    """The ballots ``where`` selects (scoped to their organisation), in the order they were
    made."""
    rows = await Ballot.select(*BALLOT_SUMMARY_COLUMNS).where(where).order_by(Ballot.id)
    return [ballot_summary(row) for row in rows]


async def open_ballots_of(organisation_id: int) -> list[BallotSummary]:
    return await ballot_summaries(
        (Ballot.organisation == organisation_id) & (Ballot.status == BallotStatus.OPEN.value)
    )


@dataclass(frozen=True, slots=True)
class FirstSteps:
    """How far a new cooperative has come on its way to its first ballot: the dashboard's
    checklist ticks itself from these."""

    members: int  # active memberships, the first admin included
    codes_issued: bool  # an access code was ever issued
    latest_assembly_id: int | None  # the assembly most recently planned, if any
    ballot_opened: bool  # a ballot has been opened at least once (a test one counts)

    @property
    def done(self) -> bool:
        return (
            self.members > 1
            and self.codes_issued
            and self.latest_assembly_id is not None
            and self.ballot_opened
        )


async def first_steps_of(organisation_id: int) -> FirstSteps:
    members = await Membership.count().where(
        (Membership.organisation == organisation_id)
        & (Membership.status == MembershipStatus.ACTIVE.value)
    )
    codes_issued = await AccessCode.exists().where(AccessCode.organisation == organisation_id)
    latest = (
        await Assembly.select(Assembly.id)
        .where(Assembly.organisation == organisation_id)
        .order_by(Assembly.id, ascending=False)
        .first()
    )
    ballot_opened = await Ballot.exists().where(
        (Ballot.organisation == organisation_id) & (Ballot.status != BallotStatus.DRAFT.value)
    )
    return FirstSteps(
        members=members,
        codes_issued=codes_issued,
        latest_assembly_id=latest["id"] if latest else None,
        ballot_opened=ballot_opened,
    )

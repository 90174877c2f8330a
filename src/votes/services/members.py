"""The member register: add, edit, suspend, and export (the CSV import: :mod:`member_import`).

A person may belong to several organisations, so an organisation's admins change a person's
name or email only while that person belongs to their organisation alone; everything else they
edit lives on the membership, which is theirs. Every change happens in one transaction, and an
import is all-or-nothing: one bad row and nothing is written (a large one is written in short
batches, undone if one fails: see :func:`apply_import`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from votes.db import attendance_queries, member_queries
from votes.db.engine import write_transaction
from votes.db.member_queries import MemberRow
from votes.db.tables import (
    Category,
    Membership,
    MembershipKind,
    MembershipStatus,
    Person,
)
from votes.services import access_codes, accounts, audit, events
from votes.services.actors import Actor, may_administer, require
from votes.services.refusals import Refused, owned_row

logger = logging.getLogger("votes.members")
MAX_NAME_LENGTH = 200
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(slots=True)
class MemberInput:
    name: str
    email: str | None
    category: str = ""
    college_id: int | None = None
    kind: MembershipKind = MembershipKind.MEMBER
    is_admin: bool = False
    is_facilitator: bool = False
    is_scrutineer: bool = False


@dataclass(frozen=True, slots=True)
class OrganisationLists:
    """The categories and colleges an organisation uses (names casefolded for matching)."""

    categories: dict[str, str]  # casefolded name -> name
    colleges: dict[str, int]  # casefolded name -> college id
    college_ids: frozenset[int]


async def organisation_lists(organisation_id: int) -> OrganisationLists:
    categories = await Category.select(Category.name).where(
        Category.organisation == organisation_id
    )
    colleges = await attendance_queries.college_names(organisation_id)
    return OrganisationLists(
        categories={row["name"].casefold(): row["name"] for row in categories},
        colleges={name.casefold(): college_id for college_id, name in colleges.items()},
        college_ids=frozenset(colleges),
    )


def validate(data: MemberInput, lists: OrganisationLists) -> dict[str, str]:
    """Problems by field name, as message codes; empty when the member can be saved."""
    problems: dict[str, str] = {}
    data.name = " ".join(data.name.split())
    if not data.name:
        problems["name"] = "name_required"
    elif len(data.name) > MAX_NAME_LENGTH:
        problems["name"] = "name_too_long"
    data.email = accounts.normalise_email(data.email) if data.email else None
    if data.email and (len(data.email) > 254 or not _EMAIL.match(data.email)):
        problems["email"] = "email_invalid"
    if data.category:
        known = lists.categories.get(data.category.strip().casefold())
        if known is None:
            problems["category"] = "category_unknown"
        else:
            data.category = known
    if data.college_id is not None and data.college_id not in lists.college_ids:
        problems["college"] = "college_unknown"
    return problems


async def _refuse_invalid(actor: Actor, data: MemberInput) -> None:
    """Only an administrator edits the register; the first problem is refused, by field."""
    require(may_administer, actor)
    problems = validate(data, await organisation_lists(actor.organisation_id))
    if problems:
        field_name, code = next(iter(problems.items()))
        raise Refused(code, field=field_name)


async def add_member(actor: Actor, data: MemberInput) -> int:
    """Add a person to the register (reusing the person if the email is known); return the
    membership id. ``Refused`` naming the field at fault, or ``already_member``."""
    await _refuse_invalid(actor, data)
    organisation_id = actor.organisation_id
    async with write_transaction(Membership._meta.db):
        membership_id = await _insert_member(organisation_id, data)
        await audit.record_act(
            actor,
            "member.added",
            f"membership:{membership_id}",
            {"name": data.name, "roles": _roles_of(data)},
        )
        return membership_id


async def _insert_member(organisation_id: int, data: MemberInput) -> int:
    person_id = None
    if data.email:
        row = await Person.select(Person.id).where(Person.email == data.email).first()
        person_id = row["id"] if row else None
    if person_id is None:
        rows = await Person.insert(Person(name=data.name, email=data.email))
        person_id = rows[0]["id"]
    return await insert_membership(organisation_id, int(person_id), data)


def membership_of(organisation_id: int, person_id: int, data: MemberInput) -> Membership:
    """The register entry ``data`` describes for a person; its key makes them a member once."""
    return Membership(
        organisation=organisation_id,
        person=person_id,
        membership_key=f"{organisation_id}:{person_id}",
        kind=data.kind.value,
        category=data.category,
        college=data.college_id,
        is_admin=data.is_admin,
        is_facilitator=data.is_facilitator,
        is_scrutineer=data.is_scrutineer,
    )


async def insert_membership(organisation_id: int, person_id: int, data: MemberInput) -> int:
    """Write the register entry in the caller's transaction; ``already_member`` if it exists."""
    membership = membership_of(organisation_id, person_id, data)
    if await Membership.exists().where(Membership.membership_key == membership.membership_key):
        raise Refused("already_member")
    rows = await Membership.insert(membership)
    return int(rows[0]["id"])


async def person_is_only_here(organisation_id: int, person_id: int) -> bool:
    """Whether this organisation's admins may change the person's name, email or password."""
    others = await Membership.exists().where(
        (Membership.person == person_id) & (Membership.organisation != organisation_id)
    )
    row = await Person.select(Person.is_instance_admin).where(Person.id == person_id).first()
    return not others and row is not None and not row["is_instance_admin"]


async def may_hand_password_link(organisation_id: int, person_id: int) -> bool:
    """Whether this organisation's admins may hand the person a link to choose a password.

    A password opens every organisation the person belongs to, so it is in the hands of the
    person and of the organisation that registered them first (while they still belong to
    it), never of one that added the same email later: adding an email that is already known
    joins the existing person without any power over how they sign in. Instance admins are
    reset by no organisation."""
    if await person_is_only_here(organisation_id, person_id):
        return True
    first = (
        await Membership.select(Membership.organisation, Membership.status)
        .where(Membership.person == person_id)
        .order_by(Membership.id)
        .first()
    )
    person = await Person.select(Person.is_instance_admin).where(Person.id == person_id).first()
    return (
        first is not None
        and first["organisation"] == organisation_id
        and first["status"] != MembershipStatus.LEFT.value
        and person is not None
        and not person["is_instance_admin"]
    )


async def _membership_row(organisation_id: int, membership_id: int) -> dict[str, Any]:
    return await owned_row(
        Membership,
        organisation_id,
        membership_id,
        Membership.id,
        Membership.person,
        Membership.person.name,
        Membership.person.email,
        Membership.is_admin,
        Membership.is_facilitator,
        Membership.is_scrutineer,
        Membership.kind,
        Membership.status,
    )


async def _other_active_admins(organisation_id: int, membership_id: int) -> int:
    count: int = await Membership.count().where(
        (Membership.organisation == organisation_id)
        & (Membership.id != membership_id)
        & Membership.is_admin.eq(True)
        & (Membership.status == MembershipStatus.ACTIVE.value)
    )
    return count


async def update_member(actor: Actor, membership_id: int, data: MemberInput) -> None:
    """Save an edited register entry. The name and email are the person's: they change only if
    the person belongs to this organisation alone (``person_shared`` otherwise)."""
    await _refuse_invalid(actor, data)
    organisation_id = actor.organisation_id
    async with write_transaction(Membership._meta.db):
        row = await _membership_row(organisation_id, membership_id)
        person_id = int(row["person"])
        if (row["person.name"], row["person.email"]) != (data.name, data.email):
            if not await person_is_only_here(organisation_id, person_id):
                raise Refused("person_shared")
            if data.email and await Person.exists().where(
                (Person.email == data.email) & (Person.id != person_id)
            ):
                raise Refused("email_taken")
            await Person.update({Person.name: data.name, Person.email: data.email}).where(
                Person.id == person_id
            )
        if row["is_admin"] and not data.is_admin:
            await _keep_an_admin(organisation_id, membership_id)
        await Membership.update(
            {
                Membership.kind: data.kind.value,
                Membership.category: data.category,
                Membership.college: data.college_id,
                Membership.is_admin: data.is_admin,
                Membership.is_facilitator: data.is_facilitator,
                Membership.is_scrutineer: data.is_scrutineer,
            }
        ).where(Membership.id == membership_id)
        before, after = _row_roles(row), _roles_of(data)
        await audit.record_act(
            actor,
            "member.roles_changed" if before != after else "member.updated",
            f"membership:{membership_id}",
            {"before": before, "after": after} if before != after else {},
        )


def _roles_of(data: MemberInput) -> list[str]:
    roles = [data.kind.value]
    roles += [
        name for name in ("admin", "facilitator", "scrutineer") if getattr(data, f"is_{name}")
    ]
    return roles


def _row_roles(row: dict[str, Any]) -> list[str]:
    roles = [str(row["kind"])]
    roles += [name for name in ("admin", "facilitator", "scrutineer") if row[f"is_{name}"]]
    return roles


async def _keep_an_admin(organisation_id: int, membership_id: int) -> None:
    if not await _other_active_admins(organisation_id, membership_id):
        raise Refused("last_admin")


async def set_status(actor: Actor, membership_id: int, status: MembershipStatus) -> None:
    """Activate, suspend or record a departure. Suspending or leaving ends the person's
    sessions at once and revokes their access codes."""
    require(may_administer, actor)
    organisation_id, acting_membership = actor.organisation_id, actor.membership_id
    if membership_id == acting_membership:
        raise Refused("own_status")
    async with write_transaction(Membership._meta.db):
        row = await _membership_row(organisation_id, membership_id)
        if row["status"] == status.value:
            return
        if row["is_admin"] and status is not MembershipStatus.ACTIVE:
            await _keep_an_admin(organisation_id, membership_id)
        await Membership.update(
            {Membership.status: status.value, Membership.status_since: datetime.now(UTC)}
        ).where(Membership.id == membership_id)
        if status is not MembershipStatus.ACTIVE:
            await accounts.end_all_sessions(int(row["person"]))
            await access_codes.revoke_all_for(membership_id)
        await audit.record_act(
            actor,
            "member.status_changed",
            f"membership:{membership_id}",
            {"from": row["status"], "to": status.value},
        )
    events.membership_status_changed(membership_id, status.value)  # its live streams end


# --- CSV export -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegisterLine:
    name: str
    email: str
    category: str
    college: str
    roles: tuple[str, ...]  # admin, facilitator, scrutineer, observer (member when empty)
    status: str
    status_since: datetime


async def register_lines(organisation_id: int) -> list[RegisterLine]:
    """The whole register, by name, as the CSV export writes it."""
    return [
        RegisterLine(
            name=member.name,
            email=member.email or "",
            category=member.category,
            college=member.college_name or "",
            roles=tuple(_role_names(member)),
            status=member.status,
            status_since=member.status_since,
        )
        for member in await member_queries.register_of(organisation_id)
    ]


def _role_names(member: MemberRow) -> Iterable[str]:
    if member.kind == MembershipKind.OBSERVER.value:
        yield "observer"
    if member.is_admin:
        yield "admin"
    if member.is_facilitator:
        yield "facilitator"
    if member.is_scrutineer:
        yield "scrutineer"

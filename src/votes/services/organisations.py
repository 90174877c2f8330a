"""Organisations (the tenants) and their memberships."""

from __future__ import annotations

import re
import zoneinfo
from decimal import Decimal
from functools import cache

from votes.db.engine import insert_row, write_transaction
from votes.db.tables import (
    Category,
    College,
    LegalForm,
    Membership,
    MembershipKind,
    Organisation,
    Person,
)
from votes.services import members
from votes.services.actors import Actor, may_administer, require
from votes.services.refusals import Refused, owned_row
from votes.settings import SUPPORTED_LANGUAGES

_SHORT_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")


async def create_organisation(
    name: str,
    short_name: str,
    *,
    legal_form: LegalForm = LegalForm.SCOP_SARL,
    default_language: str = "fr",
    time_zone: str = "Europe/Paris",
    is_network: bool = False,
) -> int:
    """Create an organisation; ``short_name`` is its URL slug (lowercase, digits, hyphens).
    A network's members are cooperatives (:mod:`votes.services.networks`)."""
    if not name.strip():
        raise Refused("name_required")
    if not _SHORT_NAME.match(short_name):
        raise Refused("short_name_invalid")
    async with write_transaction(Organisation._meta.db):
        return await _insert_organisation(
            name, short_name, legal_form.value, default_language, time_zone, is_network
        )


async def _insert_organisation(
    name: str,
    short_name: str,
    legal_form: str,
    default_language: str,
    time_zone: str,
    is_network: bool = False,
) -> int:
    """The new organisation's row (inside the caller's transaction); its id. Refused when the
    short name is taken."""
    if await Organisation.exists().where(Organisation.short_name == short_name):
        raise Refused("short_name_taken")
    return await insert_row(
        Organisation(
            name=name.strip(),
            short_name=short_name,
            legal_form=legal_form,
            default_language=default_language,
            time_zone=time_zone,
            is_network=is_network,
        )
    )


async def add_membership(
    organisation_id: int,
    person_id: int,
    *,
    kind: MembershipKind = MembershipKind.MEMBER,
    category: str = "",
    is_admin: bool = False,
    is_facilitator: bool = False,
    is_scrutineer: bool = False,
) -> int:
    """Make a person a member (or observer) of an organisation, once."""
    entry = members.MemberInput(
        "",  # the name and email are the person's, already known
        None,
        category=category,
        kind=kind,
        is_admin=is_admin,
        is_facilitator=is_facilitator,
        is_scrutineer=is_scrutineer,
    )
    async with write_transaction(Membership._meta.db):
        return await members.insert_membership(organisation_id, person_id, entry)


def validate_settings(
    name: str, short_name: str, legal_form: str, default_language: str, time_zone: str
) -> dict[str, str]:
    """Problems by field name, as message codes; empty when the settings can be saved."""
    problems: dict[str, str] = {}
    if not name.strip():
        problems["name"] = "name_required"
    elif len(name.strip()) > 200:
        problems["name"] = "name_too_long"
    if not _SHORT_NAME.match(short_name):
        problems["short_name"] = "short_name_invalid"
    if legal_form not in {form.value for form in LegalForm}:
        problems["legal_form"] = "legal_form_unknown"
    if default_language not in SUPPORTED_LANGUAGES:
        problems["default_language"] = "language_unknown"
    if time_zone not in available_time_zones():
        problems["time_zone"] = "time_zone_unknown"
    return problems


@cache
def available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


async def update_organisation(
    actor: Actor,
    *,
    name: str,
    short_name: str,
    legal_form: str,
    default_language: str,
    time_zone: str,
) -> None:
    """Save an organisation's settings; ``Refused`` names the first problem."""
    require(may_administer, actor)
    organisation_id = actor.organisation_id
    problems = validate_settings(name, short_name, legal_form, default_language, time_zone)
    if problems:
        raise Refused(next(iter(problems.values())))
    async with write_transaction(Organisation._meta.db):
        if await Organisation.exists().where(
            (Organisation.short_name == short_name) & (Organisation.id != organisation_id)
        ):
            raise Refused("short_name_taken")
        await Organisation.update(
            {
                Organisation.name: name.strip(),
                Organisation.short_name: short_name,
                Organisation.legal_form: legal_form,
                Organisation.default_language: default_language,
                Organisation.time_zone: time_zone,
            }
        ).where(Organisation.id == organisation_id)


async def create_organisation_with_admin(
    *,
    name: str,
    short_name: str,
    legal_form: str,
    default_language: str,
    time_zone: str,
    admin_name: str,
    admin_email: str,
    is_network: bool = False,
) -> tuple[int, int, bool]:
    """Create an organisation (``is_network``: a network of cooperatives) and its first admin
    (an existing person when the email is known). Return (organisation id, person id, whether
    the person is new and has no password yet)."""
    problems = validate_settings(name, short_name, legal_form, default_language, time_zone)
    if problems:
        raise Refused(next(iter(problems.values())))
    email = admin_email.strip().lower()
    if not admin_name.strip():
        raise Refused("admin_name_required")
    if "@" not in email:
        raise Refused("admin_email_invalid")
    async with write_transaction(Organisation._meta.db):
        organisation_id = await _insert_organisation(
            name, short_name, legal_form, default_language, time_zone, is_network
        )
        person = (
            await Person.select(Person.id, Person.password_hash)
            .where(Person.email == email)
            .first()
        )
        if person is None:
            created = await Person.insert(Person(name=" ".join(admin_name.split()), email=email))
            person_id, needs_password = int(created[0]["id"]), True
        else:
            person_id, needs_password = int(person["id"]), not person["password_hash"]
        first_admin = members.MemberInput("", None, is_admin=True, is_facilitator=True)
        await members.insert_membership(organisation_id, person_id, first_admin)
    return organisation_id, person_id, needs_password


def _list_key(organisation_id: int, name: str) -> str:
    return f"{organisation_id}:{name.casefold()}"


def _list_name(name: str, longest: int, codes: tuple[str, str]) -> str:
    """A category or college name with its spaces folded; refused (``codes``: when empty,
    when too long) otherwise."""
    name = " ".join(name.split())
    if not name:
        raise Refused(codes[0])
    if len(name) > longest:
        raise Refused(codes[1])
    return name


async def add_category(actor: Actor, name: str) -> int:
    require(may_administer, actor)
    organisation_id = actor.organisation_id
    name = _list_name(name, 80, ("category_required", "category_too_long"))
    key = _list_key(organisation_id, name)
    async with write_transaction(Category._meta.db):
        if await Category.exists().where(Category.category_key == key):
            raise Refused("category_exists")
        return await insert_row(Category(organisation=organisation_id, category_key=key, name=name))


async def remove_category(actor: Actor, category_id: int) -> None:
    """Remove a category nobody in the register has (``category_in_use`` otherwise)."""
    require(may_administer, actor)
    organisation_id = actor.organisation_id
    async with write_transaction(Category._meta.db):
        row = await owned_row(Category, organisation_id, category_id, Category.name)
        if await Membership.exists().where(
            (Membership.organisation == organisation_id) & (Membership.category == row["name"])
        ):
            raise Refused("category_in_use")
        await Category.delete().where(Category.id == category_id)


def parse_percentage(text: str) -> int:
    """A share typed as a percentage, in basis points, exactly (no float on the way).

    >>> parse_percentage("33,33"), parse_percentage("50"), parse_percentage("12.5 %")
    (3333, 5000, 1250)
    """
    cleaned = text.replace("%", "").replace(",", ".").replace("\u202f", "").strip()
    if not re.fullmatch(r"\d{1,3}(\.\d{1,2})?", cleaned):
        raise Refused("weight_invalid")
    basis_points = int(Decimal(cleaned) * 100)
    if not 0 < basis_points <= 10_000:
        raise Refused("weight_invalid")
    return basis_points


async def add_college(actor: Actor, name: str, weight: str) -> int:
    """Add a voting college with its share of the vote (a percentage, e.g. "33,33")."""
    require(may_administer, actor)
    organisation_id = actor.organisation_id
    name = _list_name(name, 100, ("college_required", "college_too_long"))
    basis_points = parse_percentage(weight)
    key = _list_key(organisation_id, name)
    async with write_transaction(College._meta.db):
        if await College.exists().where(College.college_key == key):
            raise Refused("college_exists")
        return await insert_row(
            College(
                organisation=organisation_id,
                college_key=key,
                name=name,
                weight_basis_points=basis_points,
            )
        )


async def remove_college(actor: Actor, college_id: int) -> None:
    """Remove a college no member belongs to (``college_in_use`` otherwise)."""
    require(may_administer, actor)
    organisation_id = actor.organisation_id
    async with write_transaction(College._meta.db):
        await owned_row(College, organisation_id, college_id, College.id)
        if await Membership.exists().where(Membership.college == college_id):
            raise Refused("college_in_use")
        await College.delete().where(College.id == college_id)

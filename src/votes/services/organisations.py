"""Organisations (the tenants) and their memberships."""

from __future__ import annotations

import re

from votes.db.engine import write_transaction
from votes.db.tables import LegalForm, Membership, MembershipKind, Organisation

_SHORT_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")


class OrganisationError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


async def create_organisation(
    name: str,
    short_name: str,
    *,
    legal_form: LegalForm = LegalForm.SCOP_SARL,
    default_language: str = "fr",
    time_zone: str = "Europe/Paris",
) -> int:
    """Create an organisation; ``short_name`` is its URL slug (lowercase, digits, hyphens)."""
    if not name.strip():
        raise OrganisationError("name_required")
    if not _SHORT_NAME.match(short_name):
        raise OrganisationError("short_name_invalid")
    async with write_transaction(Organisation._meta.db):
        if await Organisation.exists().where(Organisation.short_name == short_name):
            raise OrganisationError("short_name_taken")
        rows = await Organisation.insert(
            Organisation(
                name=name.strip(),
                short_name=short_name,
                legal_form=legal_form.value,
                default_language=default_language,
                time_zone=time_zone,
            )
        )
    return int(rows[0]["id"])


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
    key = f"{organisation_id}:{person_id}"
    async with write_transaction(Membership._meta.db):
        if await Membership.exists().where(Membership.membership_key == key):
            raise OrganisationError("already_member")
        rows = await Membership.insert(
            Membership(
                organisation=organisation_id,
                person=person_id,
                membership_key=key,
                kind=kind.value,
                category=category,
                is_admin=is_admin,
                is_facilitator=is_facilitator,
                is_scrutineer=is_scrutineer,
            )
        )
    return int(rows[0]["id"])

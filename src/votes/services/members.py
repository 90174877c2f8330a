"""The member register: add, edit, suspend, and import from a spreadsheet's CSV.

A person may belong to several organisations, so an organisation's admins change a person's
name or email only while that person belongs to their organisation alone; everything else they
edit lives on the membership, which is theirs. Every change happens in one transaction, and an
import is all-or-nothing: one bad row and nothing is written (a large one is written in short
batches, undone if one fails: see :func:`apply_import`).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import anyio.to_thread
import asyncpg

from votes.db.engine import write_transaction
from votes.db.tables import (
    Category,
    College,
    Membership,
    MembershipKind,
    MembershipStatus,
    Person,
)
from votes.services import access_codes, accounts, audit, events
from votes.services.actors import Actor, may_administer, require
from votes.services.refusals import Refused

logger = logging.getLogger("votes.members")
MAX_IMPORT_ROWS = 20_000
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
    colleges = await College.select(College.id, College.name).where(
        College.organisation == organisation_id
    )
    return OrganisationLists(
        categories={row["name"].casefold(): row["name"] for row in categories},
        colleges={row["name"].casefold(): row["id"] for row in colleges},
        college_ids=frozenset(row["id"] for row in colleges),
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


async def add_member(actor: Actor, data: MemberInput) -> int:
    """Add a person to the register (reusing the person if the email is known); return the
    membership id. ``Refused`` naming the field at fault, or ``already_member``."""
    require(may_administer, actor)
    organisation_id = actor.organisation_id
    actor_id = actor.audited_as
    problems = validate(data, await organisation_lists(organisation_id))
    if problems:
        field_name, code = next(iter(problems.items()))
        raise Refused(code, field=field_name)
    async with write_transaction(Membership._meta.db):
        membership_id = await _insert_member(organisation_id, data)
        await audit.record(
            organisation_id,
            "member.added",
            actor_id=actor_id,
            subject=f"membership:{membership_id}",
            details={"name": data.name, "roles": _roles_of(data)},
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
    key = f"{organisation_id}:{person_id}"
    if await Membership.exists().where(Membership.membership_key == key):
        raise Refused("already_member")
    rows = await Membership.insert(
        Membership(
            organisation=organisation_id,
            person=person_id,
            membership_key=key,
            kind=data.kind.value,
            category=data.category,
            college=data.college_id,
            is_admin=data.is_admin,
            is_facilitator=data.is_facilitator,
            is_scrutineer=data.is_scrutineer,
        )
    )
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
    row: dict[str, Any] | None = (
        await Membership.select(
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
        .where((Membership.id == membership_id) & (Membership.organisation == organisation_id))
        .first()
    )
    if row is None:
        raise Refused("not_found")
    return row


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
    require(may_administer, actor)
    organisation_id = actor.organisation_id
    actor_id = actor.audited_as
    problems = validate(data, await organisation_lists(organisation_id))
    if problems:
        field_name, code = next(iter(problems.items()))
        raise Refused(code, field=field_name)
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
        await audit.record(
            organisation_id,
            "member.roles_changed" if before != after else "member.updated",
            actor_id=actor_id,
            subject=f"membership:{membership_id}",
            details={"before": before, "after": after} if before != after else {},
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
        await audit.record(
            organisation_id,
            "member.status_changed",
            actor_id=actor.audited_as,
            subject=f"membership:{membership_id}",
            details={"from": row["status"], "to": status.value},
        )
    events.membership_status_changed(membership_id, status.value)  # its live streams end


# --- CSV import -------------------------------------------------------------------------------

# accepted column titles (casefolded, accents and "·e" endings removed) -> field
_COLUMNS = {
    "name": "name",
    "nom": "name",
    "nom complet": "name",
    "prenom nom": "name",
    "email": "email",
    "e-mail": "email",
    "courriel": "email",
    "adresse e-mail": "email",
    "adresse email": "email",
    "email address": "email",
    "mail": "email",
    "category": "category",
    "categorie": "category",
    "college": "college",
    "college de vote": "college",
    "role": "roles",
    "roles": "roles",
    # a person's name in two columns (French, English, Dutch spreadsheets): joined as
    # "first name last name"; next to a first name column, a plain "Nom"/"Name" is the last name
    "prenom": "first_name",
    "prenoms": "first_name",
    "first name": "first_name",
    "firstname": "first_name",
    "first_name": "first_name",
    "given name": "first_name",
    "forename": "first_name",
    "voornaam": "first_name",
    "nom de famille": "last_name",
    "last name": "last_name",
    "lastname": "last_name",
    "last_name": "last_name",
    "surname": "last_name",
    "family name": "last_name",
    "achternaam": "last_name",
    "familienaam": "last_name",
    "naam": "name",
    "full name": "name",
    "volledige naam": "name",
    # Dutch, for Flemish cooperatives (and what the register's export writes in Dutch)
    "voornaam naam": "name",
    "e-mailadres": "email",
    "emailadres": "email",
    "stemcollege": "college",
    "rol": "roles",
    "rollen": "roles",
}
# name column titles that mean the last name when a first name column stands beside them
_AMBIGUOUS_NAMES = {"nom", "name", "naam"}
_ROLE_WORDS = (
    ("admin", "admin"),
    ("gerant", "admin"),
    ("facilit", "facilitator"),
    ("anim", "facilitator"),
    ("president", "facilitator"),
    ("scrut", "scrutineer"),
    ("observ", "observer"),
    ("member", "member"),
    ("membre", "member"),
    ("associe", "member"),
    ("societaire", "member"),
    ("beheer", "admin"),
    ("gespreksleid", "facilitator"),
    ("voorzit", "facilitator"),
    ("stemopnem", "scrutineer"),
    ("waarnem", "observer"),
    ("vennoot", "member"),
    ("lid", "member"),
)


def _plain(text: str) -> str:
    """Casefolded, without accents or inclusive endings: "Catégorie" -> "categorie"."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    without_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[·.]\w*|\(e\)", "", without_accents).strip()


@dataclass(frozen=True, slots=True)
class RejectedRow:
    line: int  # as the spreadsheet numbers it: the header is line 1
    name: str
    reasons: tuple[str, ...]  # message codes, e.g. "category_unknown:Bénévole"


@dataclass(slots=True)
class ImportReport:
    to_add: list[MemberInput] = field(default_factory=list)
    already_members: list[str] = field(default_factory=list)  # names, left unchanged
    rejected: list[RejectedRow] = field(default_factory=list)
    file_problem: str | None = None  # the file as a whole cannot be read
    # how each column of the header was read, in the file's order: (title, field), the field
    # one of name, first_name, last_name, email, category, college, roles, or "" (ignored)
    columns: list[tuple[str, str]] = field(default_factory=list)

    @property
    def acceptable(self) -> bool:
        return self.file_problem is None and not self.rejected and bool(self.to_add)


def decode_csv(data: bytes) -> str:
    """A spreadsheet's CSV as text: UTF-8 (with or without BOM), else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") >= header_line.count(",") else ","


def _read_rows(
    text: str,
) -> tuple[dict[str, int], list[list[str]], list[tuple[str, str]]] | str:
    """The column positions, the data rows and how each column was read, or a file problem."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or not lines[0].strip():
        return "file_empty"
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=_delimiter(lines[0]))
    try:
        rows = list(reader)
    except csv.Error:
        return "file_malformed"
    positions: dict[str, int] = {}
    for index, title in enumerate(rows[0]):
        field_name = _COLUMNS.get(_plain(title))
        if field_name and field_name not in positions:
            positions[field_name] = index
    if (
        "first_name" in positions
        and "last_name" not in positions
        and "name" in positions
        and _plain(rows[0][positions["name"]]) in _AMBIGUOUS_NAMES
    ):
        positions["last_name"] = positions.pop("name")  # "Prénom;Nom": Nom is the last name
    if "name" in positions:  # a full name wins over split columns
        positions.pop("first_name", None)
        positions.pop("last_name", None)
    if not positions.keys() & {"name", "first_name", "last_name"}:
        return "no_name_column"
    data = rows[1:]
    if len(data) > MAX_IMPORT_ROWS:
        return "too_many_rows"
    read_as = {index: field_name for field_name, index in positions.items()}
    columns = [(title.strip(), read_as.get(index, "")) for index, title in enumerate(rows[0])]
    return positions, data, columns


def _roles(cell: str) -> tuple[set[str], list[str]]:
    roles: set[str] = set()
    unknown: list[str] = []
    for word in re.split(r"[,/+&|]| et | and | en ", cell):
        plain = _plain(word)
        if not plain:
            continue
        role = next((role for prefix, role in _ROLE_WORDS if plain.startswith(prefix)), None)
        if role is None:
            unknown.append(word.strip())
        else:
            roles.add(role)
    return roles, unknown


def _row_input(
    cells: list[str], positions: dict[str, int], lists: OrganisationLists
) -> tuple[MemberInput, list[str]]:
    def cell(name: str) -> str:
        index = positions.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    roles, unknown_roles = _roles(cell("roles"))
    split_name = (cell("first_name"), cell("last_name"))
    name = cell("name") or " ".join(part for part in split_name if part)
    college_name = cell("college")
    college_id = lists.colleges.get(college_name.casefold()) if college_name else None
    data = MemberInput(
        name=name,
        email=cell("email") or None,
        category=cell("category"),
        college_id=college_id,
        kind=MembershipKind.OBSERVER if "observer" in roles else MembershipKind.MEMBER,
        is_admin="admin" in roles,
        is_facilitator="facilitator" in roles,
        is_scrutineer="scrutineer" in roles,
    )
    reasons = [
        f"{code}:{name if field_name == 'name' else cell(field_name)}"
        for field_name, code in validate(data, lists).items()
        if field_name != "college"
    ]
    if college_name and college_id is None:
        reasons.append(f"college_unknown:{college_name}")
    reasons.extend(f"role_unknown:{word}" for word in unknown_roles)
    if "observer" in roles and "member" in roles:
        reasons.append("observer_and_member:")
    return data, reasons


async def check_import(organisation_id: int, text: str) -> ImportReport:
    """Read a register CSV and say what importing it would do, row by row.

    The file is read and checked in a thread: 20,000 rows take a tenth of a second of CPU,
    which the votes of every cooperative would otherwise wait for on the event loop."""
    parsed = await anyio.to_thread.run_sync(_read_rows, text)
    if isinstance(parsed, str):
        return ImportReport(file_problem=parsed)
    positions, rows, columns = parsed
    lists = await organisation_lists(organisation_id)
    members = await _existing_emails(organisation_id)
    report = await anyio.to_thread.run_sync(_check_rows, positions, rows, lists, members)
    report.columns = columns
    return report


def _check_rows(
    positions: dict[str, int], rows: list[list[str]], lists: OrganisationLists, members: set[str]
) -> ImportReport:
    report = ImportReport()
    seen: dict[str, int] = {}
    for line, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue  # spreadsheets leave blank lines at the end
        data, reasons = _row_input(cells, positions, lists)
        if data.email and data.email in seen:
            reasons.append(f"email_repeated:{seen[data.email]}")
        if reasons:
            report.rejected.append(RejectedRow(line, data.name, tuple(reasons)))
            continue
        if data.email:
            seen[data.email] = line
            if data.email in members:
                report.already_members.append(data.name)
                continue
        report.to_add.append(data)
    if not report.to_add and not report.rejected and not report.already_members:
        report.file_problem = "file_empty"
    return report


async def _existing_emails(organisation_id: int) -> set[str]:
    rows = await Membership.select(Membership.person.email).where(
        (Membership.organisation == organisation_id) & Membership.person.email.is_not_null()
    )
    return {row["person.email"] for row in rows}


async def apply_import(actor: Actor, text: str) -> ImportReport:
    """Import a register CSV: every row, or none (the report says why).

    The file is checked again here, so what was previewed cannot have been tampered with. The
    rows are then written ``IMPORT_BATCH_ROWS`` at a time, each batch in its own short
    transaction: SQLite has one writer for every cooperative of the instance, and a vote
    anywhere waits for one batch at most, not for the whole file (20,000 rows held the writer
    for tens of seconds). Other pages may see the register fill up meanwhile.

    For the admin it stays all or nothing: the ``members.imported`` audit entry is written with
    the last batch, and if a batch cannot be written because the register changed since the
    check (someone in the file was added meanwhile, by hand or by the same import sent twice,
    or a college was removed), the batches already written are deleted again and the report's
    ``file_problem`` is ``register_changed``: nothing was imported, check the file again. Only
    if that undo cannot finish either (an imported person was checked in meanwhile, say) is it
    ``import_partial:<n>``: <n> people of the file stay in the register, and the audit trail
    says so (``members.import_interrupted``). Any other failure is undone the same way, then
    raised.
    """
    require(may_administer, actor)
    organisation_id = actor.organisation_id
    actor_id = actor.audited_as
    report = await check_import(organisation_id, text)
    if not report.acceptable:
        return report
    memberships: list[int] = []  # written by the batches committed so far
    people: list[int] = []  # the persons those batches created
    batches = [
        report.to_add[start : start + IMPORT_BATCH_ROWS]
        for start in range(0, len(report.to_add), IMPORT_BATCH_ROWS)
    ]
    try:
        for number, batch in enumerate(batches, start=1):
            async with write_transaction(Membership._meta.db):
                added, created = await _insert_batch(organisation_id, batch)
                if number == len(batches):
                    await audit.record(
                        organisation_id,
                        "members.imported",
                        actor_id=actor_id,
                        details={"added": len(report.to_add)},
                    )
            memberships += added
            people += created
    except Exception as error:
        left = await _undo_import(organisation_id, memberships, people, actor_id)
        if not isinstance(error, (Refused, *_INTEGRITY_ERRORS)):
            raise
        report.file_problem = f"import_partial:{left}" if left else "register_changed"
    return report


# rows per short write transaction of an import: a vote elsewhere waits for one batch at most
IMPORT_BATCH_ROWS = 100
_INTEGRITY_ERRORS: tuple[type[Exception], ...] = (
    sqlite3.IntegrityError,
    asyncpg.exceptions.IntegrityConstraintViolationError,
)


async def _insert_batch(
    organisation_id: int, batch: list[MemberInput]
) -> tuple[list[int], list[int]]:
    """Write checked rows in a few statements, inside the caller's transaction: the persons
    not known by their email, then the memberships; return (membership ids, new person ids).
    ``Refused("already_member")`` if one of them joined the register since the check."""
    emails = [data.email for data in batch if data.email]
    known: dict[str, int] = {}
    if emails:
        rows = await Person.select(Person.id, Person.email).where(Person.email.is_in(emails))
        known = {row["email"]: row["id"] for row in rows}
    if known:
        keys = [f"{organisation_id}:{person_id}" for person_id in known.values()]
        if await Membership.exists().where(Membership.membership_key.is_in(keys)):
            raise Refused("already_member")
    new = [data for data in batch if not (data.email and data.email in known)]
    created: dict[tuple[str, str | None], list[int]] = {}
    if new:
        rows = await Person.insert(
            *(Person(name=data.name, email=data.email) for data in new)
        ).returning(Person.id, Person.name, Person.email)
        # matched by what they hold: the order of RETURNING rows is not guaranteed, and two
        # new persons with the same name and no email are the same to their memberships
        for row in rows:
            created.setdefault((row["name"], row["email"]), []).append(int(row["id"]))
    created_ids = [person_id for ids in created.values() for person_id in ids]
    people: list[int] = []
    for data in batch:
        if data.email and data.email in known:
            people.append(known[data.email])
        else:
            people.append(created[(data.name, data.email)].pop())
    rows = await Membership.insert(
        *(
            Membership(
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
            for data, person_id in zip(batch, people, strict=True)
        )
    ).returning(Membership.id)
    return [int(row["id"]) for row in rows], created_ids


async def _undo_import(
    organisation_id: int, memberships: list[int], people: list[int], actor_id: int | None
) -> int:
    """Delete what the committed batches of an interrupted import wrote, in batches too;
    return how many of its memberships something now refers to (those stay, audited)."""
    left: list[int] = []
    for start in range(0, len(memberships), IMPORT_BATCH_ROWS):
        chunk = memberships[start : start + IMPORT_BATCH_ROWS]
        try:
            await _delete_memberships(organisation_id, chunk)
        except _INTEGRITY_ERRORS:
            for membership_id in chunk:  # find the few that must stay
                try:
                    await _delete_memberships(organisation_id, [membership_id])
                except _INTEGRITY_ERRORS:
                    left.append(membership_id)
    for start in range(0, len(people), IMPORT_BATCH_ROWS):
        chunk = people[start : start + IMPORT_BATCH_ROWS]
        try:
            async with write_transaction(Person._meta.db):
                # still a member somewhere (kept above, or added by another organisation
                # meanwhile): that person stays
                used = await Membership.select(Membership.person).where(
                    Membership.person.is_in(chunk)
                )
                unused = set(chunk) - {row["person"] for row in used}
                if unused:
                    await Person.delete().where(Person.id.is_in(list(unused)))
        except _INTEGRITY_ERRORS:
            logger.warning("an undone import left people without membership: %s", chunk)
    if left:
        async with write_transaction(Membership._meta.db):
            await audit.record(
                organisation_id,
                "members.import_interrupted",
                actor_id=actor_id,
                details={"added": len(left)},
            )
    return len(left)


async def _delete_memberships(organisation_id: int, ids: list[int]) -> None:
    async with write_transaction(Membership._meta.db):
        await Membership.delete().where(
            Membership.id.is_in(ids) & (Membership.organisation == organisation_id)
        )


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
    rows = (
        await Membership.select(
            Membership.person.name,
            Membership.person.email,
            Membership.category,
            Membership.college.name,
            Membership.kind,
            Membership.is_admin,
            Membership.is_facilitator,
            Membership.is_scrutineer,
            Membership.status,
            Membership.status_since,
        )
        .where(Membership.organisation == organisation_id)
        .order_by(Membership.person.name)
    )
    return [
        RegisterLine(
            name=row["person.name"],
            email=row["person.email"] or "",
            category=row["category"],
            college=row["college.name"] or "",
            roles=tuple(_role_names(row)),
            status=row["status"],
            status_since=row["status_since"],
        )
        for row in rows
    ]


def _role_names(row: dict[str, Any]) -> Iterable[str]:
    if row["kind"] == MembershipKind.OBSERVER.value:
        yield "observer"
    for role in ("admin", "facilitator", "scrutineer"):
        if row[f"is_{role}"]:
            yield role

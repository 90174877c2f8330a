"""Importing members from a spreadsheet saved as CSV: reading its columns (French, English and
Dutch titles), checking every row, then writing them all or nothing.

A large import is written in short batches so that votes elsewhere never wait behind it; a
batch that fails undoes the ones before (see :func:`apply_import`).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import sqlite3
import unicodedata
from dataclasses import dataclass, field

import anyio.to_thread
import asyncpg

from votes.db.engine import write_transaction
from votes.db.tables import (
    Membership,
    MembershipKind,
    Person,
)
from votes.services import audit, csv_cells
from votes.services.actors import Actor, may_administer, require
from votes.services.members import (
    MemberInput,
    OrganisationLists,
    membership_of,
    organisation_lists,
    validate,
)
from votes.services.refusals import Refused

logger = logging.getLogger("votes.members")
MAX_IMPORT_ROWS = 20_000

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
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text.replace("\x00", "")  # never meaningful, and PostgreSQL cannot store it


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
        if index is None or index >= len(cells):
            return ""
        # a file exported by the app: the apostrophe that kept a formula from running goes
        return csv_cells.uncell(cells[index].strip()).strip()

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
    members = await _existing_members(organisation_id)
    report = await anyio.to_thread.run_sync(_check_rows, positions, rows, lists, members)
    report.columns = columns
    return report


def _check_rows(
    positions: dict[str, int],
    rows: list[list[str]],
    lists: OrganisationLists,
    members: _Register,
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
            if data.email in members.emails:
                report.already_members.append(data.name)
                continue
        elif name_key(data.name) in members.names_without_email:
            # without an email, a person is known by their name: the same file imported twice
            # (or the register's own export) must not add them again
            report.already_members.append(data.name)
            continue
        report.to_add.append(data)
    if not report.to_add and not report.rejected and not report.already_members:
        report.file_problem = "file_empty"
    return report


def name_key(name: str) -> str:
    """How a name without an email is matched against the register: casefolded, trimmed,
    spaces collapsed ("  JAN  Peeters" is "jan peeters")."""
    return " ".join(name.casefold().split())


@dataclass(frozen=True, slots=True)
class _Register:
    emails: set[str]  # the members' emails
    names_without_email: set[str]  # name_key of the members who have no email


async def _existing_members(organisation_id: int) -> _Register:
    rows = await Membership.select(Membership.person.email, Membership.person.name).where(
        Membership.organisation == organisation_id
    )
    return _Register(
        emails={row["person.email"] for row in rows if row["person.email"]},
        names_without_email={
            name_key(row["person.name"]) for row in rows if not row["person.email"]
        },
    )


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
                    await audit.record_act(
                        actor, "members.imported", details={"added": len(report.to_add)}
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
            membership_of(organisation_id, person_id, data)
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

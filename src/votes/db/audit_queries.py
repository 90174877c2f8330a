"""Reading an organisation's audit trail: filtered, newest first, a page at a time."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from votes.db.queries import view_of
from votes.db.tables import Assembly, AuditEntry, Ballot, BallotOption, Membership, Person, Proposal

PAGE_SIZE = 50
_ACTOR_NAME: Any = AuditEntry.actor.name


@dataclass(frozen=True, slots=True)
class Cosignature:
    """A scrutineer's confirmation that a closed ballot may be published or reopened."""

    action: str  # "publish" or "reopen"
    person_id: int | None
    name: str
    at: datetime


async def cosignature(organisation_id: int, ballot_id: int) -> Cosignature | None:
    """The newest confirmation of the ballot given since its last close, if any (one given
    before a reopening confirms nothing about the new count)."""
    subject = f"ballot:{ballot_id}"
    mine = (AuditEntry.organisation == organisation_id) & (AuditEntry.subject == subject)
    closed = (
        await AuditEntry.select(AuditEntry.sequence)
        .where(mine & (AuditEntry.action == "ballot.closed"))
        .order_by(AuditEntry.sequence, ascending=False)
        .first()
    )
    query = AuditEntry.select(
        AuditEntry.actor, _ACTOR_NAME, AuditEntry.details, AuditEntry.occurred_at
    ).where(mine & (AuditEntry.action == "ballot.cosigned"))
    if closed is not None:
        query = query.where(AuditEntry.sequence > closed["sequence"])
    row = await query.order_by(AuditEntry.sequence, ascending=False).first()
    if row is None:
        return None
    details = json.loads(row["details"] or "{}")
    return Cosignature(
        action=str(details.get("action", "")),
        person_id=row["actor"],
        name=row["actor.name"] or "",
        at=row["occurred_at"],
    )


@dataclass(frozen=True, slots=True)
class AuditFilter:
    action: str = ""
    actor_id: int | None = None
    subject: str = ""  # "ballot:42" (that one) or a prefix: "ballot:" (any ballot)
    since: datetime | None = None
    until: datetime | None = None  # exclusive


@dataclass(frozen=True, slots=True)
class AuditLine:
    sequence: int
    occurred_at: datetime
    actor: str | None  # None: the system
    action: str
    subject: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AuditPage:
    lines: list[AuditLine]
    total: int
    page: int
    pages: int


def _where(organisation_id: int, chosen: AuditFilter) -> Any:
    where: Any = AuditEntry.organisation == organisation_id
    if chosen.action:
        where &= AuditEntry.action == chosen.action
    if chosen.actor_id is not None:
        where &= AuditEntry.actor == chosen.actor_id
    # subjects are "kind:id": LIKE's wildcards are never part of one, so they are dropped
    plain = "".join(ch for ch in chosen.subject if ch.isalnum() or ch in ":.-")
    kind, _sep, ident = chosen.subject.partition(":")
    if kind and ident:  # "ballot:12" is that ballot, never "ballot:120"
        where &= AuditEntry.subject == chosen.subject
    elif ident:  # a number with no kind: whatever bears it (":12" finds ballot 12, not 120)
        where &= AuditEntry.subject.like(f"%{plain}")
    elif plain:
        where &= AuditEntry.subject.like(f"{plain}%")
    if chosen.since is not None:
        where &= AuditEntry.occurred_at >= chosen.since
    if chosen.until is not None:
        where &= AuditEntry.occurred_at < chosen.until
    return where


def _details(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {"": text}  # shown as it is: a tampered entry is not hidden
    return value if isinstance(value, dict) else {"": value}


async def audit_page(organisation_id: int, chosen: AuditFilter, page: int = 1) -> AuditPage:
    where = _where(organisation_id, chosen)
    total = int(await AuditEntry.count().where(where))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = (
        await AuditEntry.select(
            AuditEntry.sequence,
            AuditEntry.occurred_at,
            _ACTOR_NAME,
            AuditEntry.action,
            AuditEntry.subject,
            AuditEntry.details,
        )
        .where(where)
        .order_by(AuditEntry.sequence, ascending=False)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    lines = [
        view_of(AuditLine, {**row, "details": _details(row["details"])}, actor="actor.name")
        for row in rows
    ]
    return AuditPage(lines, total, page, pages)


async def audit_actions(organisation_id: int) -> list[str]:
    rows = (
        await AuditEntry.select(AuditEntry.action)
        .where(AuditEntry.organisation == organisation_id)
        .distinct()
        .order_by(AuditEntry.action)
    )
    return [row["action"] for row in rows]


async def audit_actors(organisation_id: int) -> list[tuple[int, str]]:
    """(person id, name) of everyone who appears in the trail."""
    acting = (
        AuditEntry.select(AuditEntry.actor)
        .where((AuditEntry.organisation == organisation_id) & AuditEntry.actor.is_not_null())
        .distinct()
    )
    rows = (
        await Person.select(Person.id, Person.name)
        .where(Person.id.is_in(acting))
        .order_by(Person.name)
    )
    return [(row["id"], row["name"]) for row in rows]


async def member_names(organisation_id: int, membership_ids: set[int]) -> dict[int, str]:
    """The names of the organisation's memberships among ``membership_ids`` (an audit line
    about a member says who, not ``membership:12``)."""
    return await _names_in(organisation_id, Membership.id, membership_ids)


async def person_names(organisation_id: int, person_ids: set[int]) -> dict[int, str]:
    """The names of the people among ``person_ids`` who are members of the organisation (who
    co-signed a result, whose contribution was hidden); someone who is not a member here is
    left out, so that the trail never shows another cooperative's register."""
    return await _names_in(organisation_id, Membership.person, person_ids)


async def _names_in(organisation_id: int, key: Any, ids: set[int]) -> dict[int, str]:
    """The names of the organisation's memberships whose ``key`` column is among ``ids``."""
    if not ids:
        return {}
    rows = await Membership.select(key.as_alias("key"), Membership.person.name).where(
        (Membership.organisation == organisation_id) & key.is_in(list(ids))
    )
    return {int(row["key"]): str(row["person.name"]) for row in rows}


# the words an audit line names its subject by, for the kinds that have a title
_TITLES = {"assembly": Assembly.title, "ballot": Ballot.question, "proposal": Proposal.title}


async def subject_titles(
    organisation_id: int, ids: Mapping[str, set[int]]
) -> dict[str, dict[int, str]]:
    """The titles of the organisation's assemblies, ballots and proposals among ``ids`` (by
    kind): a line about « Scrutin n° 9 » says which. Another organisation's ids find nothing."""
    titles: dict[str, dict[int, str]] = {}
    for kind, wanted in ids.items():
        titles[kind] = await _titles(_TITLES[kind], organisation_id, wanted) if wanted else {}
    return titles


async def _titles(column: Any, organisation_id: int, ids: set[int]) -> dict[int, str]:
    table = column._meta.table
    key, owner = table._meta.primary_key, table._meta.get_column_by_name("organisation")
    rows = await table.select(key.as_alias("id"), column.as_alias("title")).where(
        (owner == organisation_id) & key.is_in(sorted(ids))
    )
    return {int(row["id"]): str(row["title"]) for row in rows}


async def option_labels(organisation_id: int, ballot_ids: set[int]) -> dict[int, dict[str, str]]:
    """The options' labels of the organisation's ballots among ``ballot_ids``, by option key:
    a room count in the trail reads « Pour : 12 », never ``yes: 12``."""
    if not ballot_ids:
        return {}
    rows = await BallotOption.select(
        BallotOption.ballot, BallotOption.key, BallotOption.label
    ).where(
        (BallotOption.ballot.organisation == organisation_id)
        & BallotOption.ballot.is_in(list(ballot_ids))
    )
    labels: dict[int, dict[str, str]] = {}
    for row in rows:
        labels.setdefault(int(row["ballot"]), {})[str(row["key"])] = str(row["label"])
    return labels

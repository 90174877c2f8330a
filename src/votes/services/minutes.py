"""The procès-verbal of an assembly.

While it is a draft, the record (attendance, agenda, resolutions, counts, verdicts) is computed
from what happened each time it is shown; the secretary only writes the bureau's names, an
introduction and notes. Finalising stores the rendered document as it stands, with its SHA-256
digest, and records that digest in the audit trail in the same transaction: from then on the
minutes never change, and any later edit of the stored document shows against the trail.

The web layer renders the document (it knows templates and languages); this service decides
whether it may be stored and stores it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from votes.db.engine import write_transaction
from votes.db.minutes_queries import PENDING_STATUSES
from votes.db.minutes_queries import MinutesDraft as MinutesDraft  # the service's input
from votes.db.tables import Assembly, AssemblyStatus, Ballot, Minutes, MinutesStatus
from votes.i18n import LANGUAGES
from votes.services import audit
from votes.services.refusals import Refused, owned_row

NAME_MAX = 200
SCRUTINEERS_MAX = 400
TEXT_MAX = 20_000


def check_draft(draft: MinutesDraft) -> dict[str, str]:
    """Field name -> problem code, empty when the draft can be saved."""
    problems = {}
    if draft.language not in LANGUAGES:
        problems["language"] = "language_unknown"
    for name, limit in (("chair", NAME_MAX), ("secretary", NAME_MAX)):
        if len(getattr(draft, name)) > limit:
            problems[name] = "name_too_long"
    if len(draft.scrutineers) > SCRUTINEERS_MAX:
        problems["scrutineers"] = "name_too_long"
    for name in ("introduction", "notes"):
        if len(getattr(draft, name)) > TEXT_MAX:
            problems[name] = "text_too_long"
    return problems


async def is_final(assembly_id: int) -> bool:
    """Whether the assembly's minutes are final (pages hide what :func:`refuse_if_final`
    would refuse)."""
    return bool(
        await Minutes.exists().where(
            (Minutes.assembly == assembly_id) & (Minutes.status == MinutesStatus.FINAL.value)
        )
    )


async def refuse_if_final(assembly_id: int) -> None:
    """The one rule of a finished record: once an assembly's minutes are final, nothing about
    the assembly changes any more (its status and details, agenda, ballots, votes, attendance,
    proxies): every write path on an assembly or its children asks here first, inside its
    transaction (``record_final``)."""
    if await is_final(assembly_id):
        raise Refused("record_final")


async def _assembly_status(organisation_id: int, assembly_id: int) -> str:
    row = await owned_row(Assembly, organisation_id, assembly_id, Assembly.status)
    return str(row["status"])


async def _current(organisation_id: int, assembly_id: int) -> dict[str, str] | None:
    row = (
        await Minutes.select(Minutes.id, Minutes.status)
        .where((Minutes.assembly == assembly_id) & (Minutes.organisation == organisation_id))
        .first()
    )
    return dict(row) if row else None


async def save_draft(
    organisation_id: int, assembly_id: int, draft: MinutesDraft, *, person_id: int
) -> None:
    """Save the secretary's words; ``Refused`` (with the field) if invalid
    or if the minutes are final (``minutes_final``)."""
    problems = check_draft(draft)
    if problems:
        name, code = next(iter(problems.items()))
        raise Refused(code, field=name)
    values: dict[Any, Any] = {
        Minutes.language: draft.language,
        Minutes.chair: draft.chair.strip(),
        Minutes.secretary: draft.secretary.strip(),
        Minutes.scrutineers: draft.scrutineers.strip(),
        Minutes.introduction: draft.introduction.strip(),
        Minutes.notes: draft.notes.strip(),
        Minutes.updated_by: person_id,
        Minutes.updated_at: datetime.now(UTC),
    }
    async with write_transaction(Minutes._meta.db):
        await _assembly_status(organisation_id, assembly_id)
        current = await _current(organisation_id, assembly_id)
        if current is None:
            await _insert_minutes(organisation_id, assembly_id, values)
        elif current["status"] == MinutesStatus.FINAL.value:
            raise Refused("minutes_final")
        else:
            await Minutes.update(values).where(Minutes.id == current["id"])
        await audit.record(
            organisation_id,
            "minutes.edited",
            actor_id=person_id,
            subject=f"assembly:{assembly_id}",
            details={"language": draft.language},
        )


async def _insert_minutes(organisation_id: int, assembly_id: int, values: dict[Any, Any]) -> None:
    """The assembly's first minutes row (its key makes it the only one), with ``values``."""
    await Minutes.insert(
        Minutes(
            organisation=organisation_id,
            assembly=assembly_id,
            minutes_key=str(assembly_id),
            **{column._meta.name: value for column, value in values.items()},
        )
    )


async def finalise(organisation_id: int, assembly_id: int, content: str, *, person_id: int) -> str:
    """Freeze the minutes with their rendered ``content``; return its digest.

    Refused (``Refused``) while the assembly is not closed (``assembly_not_closed``),
    while a ballot is open or closed without a published result (``ballots_pending``), and
    when the minutes are final already (``minutes_final``).
    """
    digest = audit.content_digest(content)
    async with write_transaction(Minutes._meta.db):
        current = await _current(organisation_id, assembly_id)
        if current is not None and current["status"] == MinutesStatus.FINAL.value:
            raise Refused("minutes_final")
        if await _assembly_status(organisation_id, assembly_id) != AssemblyStatus.CLOSED.value:
            raise Refused("assembly_not_closed")
        if await Ballot.exists().where(
            (Ballot.assembly == assembly_id)
            & (Ballot.organisation == organisation_id)
            & Ballot.is_test.eq(False)
            & Ballot.status.is_in(list(PENDING_STATUSES))
        ):
            raise Refused("ballots_pending")
        values: dict[Any, Any] = {
            Minutes.status: MinutesStatus.FINAL.value,
            Minutes.content: content,
            Minutes.digest: digest,
            Minutes.finalised_by: person_id,
            Minutes.finalised_at: datetime.now(UTC),
        }
        if current is None:
            await _insert_minutes(organisation_id, assembly_id, values)
        else:
            # the status condition makes a second, concurrent finalisation change nothing
            changed = (
                await Minutes.update(values)
                .where(
                    (Minutes.id == current["id"]) & (Minutes.status == MinutesStatus.DRAFT.value)
                )
                .returning(Minutes.id)
            )
            if not changed:
                raise Refused("minutes_final")
        await audit.record(
            organisation_id,
            "minutes.finalised",
            actor_id=person_id,
            subject=f"assembly:{assembly_id}",
            details={"digest": digest, "characters": len(content)},
        )
    return digest


async def check_final_minutes(organisation_id: int, assembly_id: int) -> bool | None:
    """Whether final minutes still match the digest recorded when they were finalised (None
    for minutes that are not final)."""
    row = (
        await Minutes.select(Minutes.status, Minutes.content, Minutes.digest)
        .where((Minutes.assembly == assembly_id) & (Minutes.organisation == organisation_id))
        .first()
    )
    if row is None or row["status"] != MinutesStatus.FINAL.value:
        return None
    entry = await audit.latest_entry(
        organisation_id, "minutes.finalised", f"assembly:{assembly_id}"
    )
    digest = audit.content_digest(row["content"])
    return entry is not None and entry[1].get("digest") == digest == row["digest"]

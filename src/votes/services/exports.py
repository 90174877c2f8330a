"""Exports of an assembly: every ballot's results (CSV, JSON), the attendance register (CSV),
and the whole assembly as one JSON archive, built in the background with its progress kept
in the database (any worker can answer "how far along is it?").

Test ballots are left out of the results (a rehearsal decides nothing); secret ballots are
exported as their published papers under receipt fingerprints, never with a voter.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio.to_thread

from votes.core import postal, receipts
from votes.core.results import TallyResult
from votes.db import minutes_queries as mq
from votes.db.agenda_queries import AssemblyView
from votes.db.engine import insert_row, long_reads
from votes.db.tables import (
    AgendaItem,
    AuditEntry,
    Ballot,
    BallotOption,
    BallotPaper,
    BallotStatus,
    ExportJob,
    ExportStatus,
    Minutes,
    Proposal,
    ProposalStatus,
    ProposalVersion,
)
from votes.db.tables import PaperCount as PaperCountTable
from votes.services import csv_cells
from votes.services.actors import Actor, may_run_assemblies, require

ARCHIVE_FORMAT = "votes-assembly-archive/1"
STALE_AFTER = timedelta(minutes=10)  # a job still "running" then died with its worker
_RUNNING: set[asyncio.Task[None]] = set()  # keeps background tasks alive until they finish


def result_rows(result_json: str, labels: Mapping[str, str]) -> Iterator[list[Any]]:
    """A stored result as CSV rows: round, option, label, votes, elected, excluded (the one
    layout of a ballot's result, alone or in an assembly's results)."""
    result = TallyResult.from_json(result_json)
    for round_ in result.rounds:
        for key, total in round_.totals.items():
            yield [
                round_.number,
                key,
                labels.get(key, key),
                csv_cells.number_cell(total),  # a number: never neutralised
                "yes" if key in round_.elected else "",
                "yes" if key in round_.excluded else "",
            ]


RESULT_COLUMNS = ["round", "option", "label", "votes", "elected", "excluded"]


def ballot_result_csv(result_json: str, labels: Mapping[str, str]) -> str:
    """One ballot's result: one line per option and round."""
    out = io.StringIO()
    writer = csv_cells.writer(out)
    writer.writerow(RESULT_COLUMNS)
    writer.writerows(result_rows(result_json, labels))
    return out.getvalue()


def results_csv(record: mq.AssemblyRecord) -> str:
    """One line per option and round of every published ballot of the assembly."""
    out = io.StringIO()
    writer = csv_cells.writer(out)
    writer.writerow(["ballot", "question", "method", "secret", *RESULT_COLUMNS, "verdict"])
    for resolution in record.resolutions:
        if resolution.result_json is None:
            continue
        result = TallyResult.from_json(resolution.result_json)
        verdict = result.verdict.value if result.verdict else ""
        facts = [
            resolution.ballot_id,
            resolution.question,
            resolution.method,
            "yes" if resolution.secret else "no",
        ]
        for row in result_rows(resolution.result_json, resolution.labels):
            writer.writerow([*facts, *row, verdict])
    return out.getvalue()


def results_json(record: mq.AssemblyRecord) -> str:
    return json.dumps(
        {
            "assembly": _assembly_facts(record.assembly),
            "ballots": [_resolution_facts(r) for r in record.resolutions],
        },
        ensure_ascii=False,
        indent=2,
    )


def attendance_csv(record: mq.AssemblyRecord) -> str:
    out = io.StringIO()
    writer = csv_cells.writer(out)
    writer.writerow(["name", "category", "college", "attendance", "proxy_holder"])
    for line in record.attendance.lines:
        writer.writerow([line.name, line.category, line.college, line.status, line.proxy_holder])
    return out.getvalue()


def _assembly_facts(assembly: AssemblyView) -> dict[str, Any]:
    return {
        "id": assembly.id,
        "title": assembly.title,
        "kind": assembly.kind,
        "convocation": assembly.convocation,
        "starts_at": assembly.starts_at.isoformat(),
        "place": assembly.place,
        "status": assembly.status,
        "rule_profile": assembly.rule_profile,
    }


def _resolution_facts(resolution: mq.Resolution) -> dict[str, Any]:
    return {
        "id": resolution.ballot_id,
        "question": resolution.question,
        "method": resolution.method,
        "seats": resolution.seats,
        "secret": resolution.secret,
        "status": resolution.status,
        "cancel_reason": resolution.cancel_reason,
        "proposal": resolution.proposal_title,
        "options": [{"key": key, "label": label} for key, label in resolution.options],
        "rules": resolution.rules,
        "eligible_at_close": resolution.eligible,
        "present_at_close": resolution.present,
        "represented_at_close": resolution.represented,
        "electronic_papers": resolution.electronic_papers,
        "room_count": None
        if resolution.room is None
        else {
            "counts": resolution.room.counts,
            "blank": resolution.room.blank,
            "invalid": resolution.room.invalid,
            "cast": resolution.room.cast,
        },
        "result": json.loads(resolution.result_json) if resolution.result_json else None,
    }


# ---------------------------------------------------------------------------------------------
# the archive, in the background


async def start_archive(actor: Actor, assembly_id: int) -> int:
    """Create the job and start building it in this process; return the job's id."""
    require(may_run_assemblies, actor)
    organisation_id, person_id = actor.organisation_id, actor.person_id
    job_id = await insert_row(
        ExportJob(organisation=organisation_id, assembly=assembly_id, requested_by=person_id)
    )
    task = asyncio.create_task(build_archive(job_id, organisation_id, assembly_id))
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)
    return job_id


async def build_archive(job_id: int, organisation_id: int, assembly_id: int) -> None:
    """Gather the assembly step by step (saying how far along it is), then store the JSON."""
    try:
        with long_reads():  # the whole assembly: off the event loop
            archive = await _gather(job_id, organisation_id, assembly_id)
        text = await anyio.to_thread.run_sync(
            lambda: json.dumps(archive, ensure_ascii=False, indent=1, default=str)
        )
        await ExportJob.update(
            {
                ExportJob.status: ExportStatus.DONE.value,
                ExportJob.content: text,
                ExportJob.finished_at: datetime.now(UTC),
            }
        ).where(ExportJob.id == job_id)
    except Exception:
        await ExportJob.update(
            {ExportJob.status: ExportStatus.FAILED.value, ExportJob.finished_at: datetime.now(UTC)}
        ).where(ExportJob.id == job_id)
        raise


async def _progress(job_id: int, done: int, total: int) -> None:
    await ExportJob.update({ExportJob.done: done, ExportJob.total: total}).where(
        ExportJob.id == job_id
    )


async def _gather(job_id: int, organisation_id: int, assembly_id: int) -> dict[str, Any]:
    record = await mq.assembly_record(organisation_id, assembly_id)
    if record is None:
        raise LookupError(f"assembly {assembly_id} is not in organisation {organisation_id}")
    ballot_ids = [
        row["id"]
        for row in await Ballot.select(Ballot.id)
        .where((Ballot.assembly == assembly_id) & (Ballot.organisation == organisation_id))
        .order_by(Ballot.id)
    ]
    total = len(ballot_ids) + 3
    await _progress(job_id, 0, total)
    archive: dict[str, Any] = {
        "format": ARCHIVE_FORMAT,
        "exported_at": datetime.now(UTC).isoformat(),
        "organisation": {"name": record.organisation.name,
                         "legal_form": record.organisation.legal_form},
        "assembly": _assembly_facts(record.assembly) | {"description": record.assembly.description},
        "agenda": await _agenda(assembly_id),
        "attendance": [
            {"name": line.name, "category": line.category, "college": line.college,
             "attendance": line.status, "proxy_holder": line.proxy_holder}
            for line in record.attendance.lines
        ],
    }  # fmt: skip
    archive["proposals"] = await _proposals(organisation_id, assembly_id)
    await _progress(job_id, 1, total)
    archive["ballots"] = []
    for done, ballot_id in enumerate(ballot_ids, start=2):
        archive["ballots"].append(await _ballot(ballot_id))
        await _progress(job_id, done, total)
    archive["audit"] = await _audit(organisation_id, ballot_ids, record)
    sequence, digest = await mq.audit_head(organisation_id)
    archive["audit_head"] = {"sequence": sequence, "hash": digest}  # to check with verify
    await _progress(job_id, total - 1, total)
    archive["minutes"] = await _minutes(organisation_id, assembly_id)
    await _progress(job_id, total, total)
    return archive


async def _agenda(assembly_id: int) -> list[dict[str, Any]]:
    rows = (
        await AgendaItem.select(AgendaItem.id, AgendaItem.position, AgendaItem.title,
                                AgendaItem.description)
        .where(AgendaItem.assembly == assembly_id)
        .order_by(AgendaItem.position)
    )  # fmt: skip
    return [dict(row) for row in rows]


async def _proposals(organisation_id: int, assembly_id: int) -> list[dict[str, Any]]:
    """Proposals past the draft stage, with every version of their text."""
    rows = (
        await Proposal.select(
            Proposal.id, Proposal.title, Proposal.body, Proposal.status, Proposal.agenda_item,
            Proposal.version, Proposal.author.name,
        )
        .where(
            (Proposal.organisation == organisation_id)
            & (Proposal.assembly == assembly_id)
            & (Proposal.status != ProposalStatus.DRAFT.value)
        )
        .order_by(Proposal.id)
    )  # fmt: skip
    found = []
    for row in rows:
        versions = (
            await ProposalVersion.select(
                ProposalVersion.number, ProposalVersion.title, ProposalVersion.body,
                ProposalVersion.note, ProposalVersion.created_at,
            )
            .where(ProposalVersion.proposal == row["id"])
            .order_by(ProposalVersion.number)
        )  # fmt: skip
        found.append({**row, "versions": [dict(v) for v in versions]})
    return found


async def _ballot(ballot_id: int) -> dict[str, Any]:
    ballot = await Ballot.select().where(Ballot.id == ballot_id).first()
    assert ballot is not None
    options = (
        await BallotOption.select(BallotOption.key, BallotOption.label)
        .where(BallotOption.ballot == ballot_id)
        .order_by(BallotOption.position)
    )
    published = ballot["status"] == BallotStatus.PUBLISHED
    papers: list[dict[str, Any]] = []
    if published:
        rows = await BallotPaper.select(
            BallotPaper.round, BallotPaper.receipt_hash, BallotPaper.content, BallotPaper.voter
        ).where(BallotPaper.ballot == ballot_id)
        papers = sorted(
            (
                {
                    "round": row["round"],
                    "receipt": receipts.fingerprint(row["receipt_hash"]),
                    "choice": json.loads(row["content"]),
                    # roll-call ballots name the voter's membership; secret papers carry none
                    "voter": None if ballot["secret"] else row["voter"],
                }
                for row in rows
            ),
            key=lambda paper: (paper["round"], paper["receipt"]),
        )
    room = await PaperCountTable.select(
        PaperCountTable.count_key, PaperCountTable.counts, PaperCountTable.blank,
        PaperCountTable.invalid, PaperCountTable.cast,
    ).where(PaperCountTable.ballot == ballot_id)  # fmt: skip
    return {
        "id": ballot_id,
        "question": ballot["question"],
        "method": ballot["method"],
        "seats": ballot["seats"],
        "secret": ballot["secret"],
        "test": ballot["is_test"],
        "status": ballot["status"],
        "rules": json.loads(ballot["rules"]),
        "options": [dict(o) for o in options],
        "opened_at": ballot["opened_at"],
        "closed_at": ballot["closed_at"],
        "eligible_at_close": ballot["eligible_at_close"],
        "round": ballot["round"],
        "earlier_rounds": json.loads(ballot["earlier_rounds"]),
        "result": json.loads(ballot["result"]) if ballot["result"] and published else None,
        "room_counts": [{**dict(r), "counts": json.loads(r["counts"])} for r in room],
        "papers": papers,
        # the answers by correspondence the count added, by answer
        "postal": _postal_totals(ballot["rule_snapshot"]),
    }


def _postal_totals(snapshot: str | None) -> dict[str, int] | None:
    data = json.loads(snapshot).get(postal.POSTAL_KEY) if snapshot else None
    channel = postal.channel_from_data(data)
    return None if channel is None else channel.totals()


async def _audit(
    organisation_id: int, ballot_ids: list[int], record: mq.AssemblyRecord
) -> list[dict[str, Any]]:
    """The trail's entries about this assembly and its ballots, with their hashes, so the
    chain can be checked against the live trail."""
    subjects = [f"assembly:{record.assembly.id}", *(f"ballot:{b}" for b in ballot_ids)]
    rows = (
        await AuditEntry.select(
            AuditEntry.sequence, AuditEntry.occurred_at, AuditEntry.actor.name, AuditEntry.action,
            AuditEntry.subject, AuditEntry.details, AuditEntry.previous_hash,
            AuditEntry.entry_hash,
        )
        .where((AuditEntry.organisation == organisation_id) & AuditEntry.subject.is_in(subjects))
        .order_by(AuditEntry.sequence)
    )  # fmt: skip
    return [{**row, "details": json.loads(row["details"])} for row in rows]


async def _minutes(organisation_id: int, assembly_id: int) -> dict[str, Any] | None:
    row = (
        await Minutes.select(
            Minutes.status, Minutes.language, Minutes.digest, Minutes.finalised_at,
            Minutes.content,
        )
        .where((Minutes.assembly == assembly_id) & (Minutes.organisation == organisation_id))
        .first()
    )  # fmt: skip
    return dict(row) if row else None


async def latest_job(
    organisation_id: int, assembly_id: int, person_id: int
) -> dict[str, Any] | None:
    """The person's most recent archive of this assembly; a job left running past
    ``STALE_AFTER`` (its worker stopped) is reported as failed."""
    row = (
        await ExportJob.select(
            ExportJob.id, ExportJob.status, ExportJob.done, ExportJob.total,
            ExportJob.created_at, ExportJob.finished_at,
        )
        .where(
            (ExportJob.organisation == organisation_id)
            & (ExportJob.assembly == assembly_id)
            & (ExportJob.requested_by == person_id)
        )
        .order_by(ExportJob.id, ascending=False)
        .first()
    )  # fmt: skip
    if row is None:
        return None
    job = dict(row)
    stale = datetime.now(UTC) - job["created_at"] > STALE_AFTER
    if job["status"] == ExportStatus.RUNNING.value and stale:
        job["status"] = ExportStatus.FAILED.value
    return job


async def archive_content(organisation_id: int, assembly_id: int, person_id: int) -> str | None:
    job = await latest_job(organisation_id, assembly_id, person_id)
    if job is None or job["status"] != ExportStatus.DONE.value:
        return None
    row = await ExportJob.select(ExportJob.content).where(ExportJob.id == job["id"]).first()
    return str(row["content"]) if row else None

"""Everything ``votes audit verify`` checks: the hash chains, the sealed ballot boxes and the
counts.

For every closed or published ballot: the papers stored now must give the digest sealed in the
close's audit entry (a changed, added or removed paper shows), the room count must be the one
last audited, and counting the stored papers again with the core must give the stored result.
Nothing is repaired: differences are reported, for people to investigate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from votes.core import choices
from votes.core.results import TallyResult
from votes.db import integrity_queries
from votes.db.queries import own_row
from votes.db.tables import (
    AuditChain,
    AuditEntry,
    Ballot,
    BallotPaper,
    BallotStatus,
    Minutes,
    MinutesStatus,
    PaperCount,
    Participation,
)
from votes.services import audit, minutes
from votes.services.ballots import counting
from votes.services.refusals import Refused

# a ballot closed before sealing (or freezing its figures) existed: nothing to compare with,
# nothing wrong found
WARNINGS = frozenset({"not_sealed", "not_frozen"})


@dataclass(frozen=True, slots=True)
class BallotFinding:
    """A closed ballot whose stored papers, room count or result no longer match."""

    organisation_id: int
    ballot_id: int
    # papers_changed, room_count_changed, result_differs, options_changed, register_changed,
    # status_changed, papers_over_participations, too_many_votes, malformed_paper,
    # unreadable; not_sealed and not_frozen are notes
    reason: str
    detail: str = ""

    @property
    def is_warning(self) -> bool:
        return self.reason in WARNINGS


@dataclass(frozen=True, slots=True)
class VerificationReport:
    chain_breaks: list[audit.ChainBreak]
    ballot_findings: list[BallotFinding]
    ballots_checked: int
    altered_minutes: list[tuple[int, int]]  # (organisation, assembly) of changed final minutes
    heads: list[tuple[int, int, str]] = field(default_factory=list)  # (org, sequence, hash)

    @property
    def intact(self) -> bool:
        return (
            not self.chain_breaks
            and not self.altered_minutes
            and not any(not finding.is_warning for finding in self.ballot_findings)
        )


async def verify_ballot(organisation_id: int, ballot_id: int) -> list[BallotFinding]:
    """Check one ballot against its seals, its audited room count and its result. A row that
    cannot be read is a finding naming it, never an error."""
    try:
        return await _verify_ballot(organisation_id, ballot_id)
    except Exception as error:  # a malformed row: say which, and go on with the others
        return [BallotFinding(organisation_id, ballot_id, "unreadable", _describe(error))]


def _describe(error: Exception) -> str:
    text = str(error).splitlines()[0][:200] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


async def _verify_ballot(organisation_id: int, ballot_id: int) -> list[BallotFinding]:
    row = await own_row(
        Ballot,
        organisation_id,
        ballot_id,
        Ballot.round,
        Ballot.result,
        Ballot.status,
        Ballot.method,
    )
    if row is None:
        return []
    subject = f"ballot:{ballot_id}"
    findings = []
    seal = await audit.latest_entry(organisation_id, "ballot.closed", subject)
    if seal is None or "box_digest" not in seal[1]:
        findings.append(BallotFinding(organisation_id, ballot_id, "not_sealed"))
    else:
        sequence, details = seal
        now = await audit.seal_ballot_box(ballot_id, int(details.get("round") or row["round"]))
        if now["box_digest"] != details["box_digest"]:
            findings.append(
                BallotFinding(
                    organisation_id,
                    ballot_id,
                    "papers_changed",
                    f"sealed at entry {sequence} with {details.get('papers')} papers, "
                    f"{now['papers']} stored now",
                )
            )
        findings.extend(await _check_records(organisation_id, ballot_id, seal))
    findings.extend(await _check_room_count(organisation_id, ballot_id, row["round"]))
    try:
        findings.extend(await _check_result(organisation_id, ballot_id, row["result"]))
    except Exception:
        # the recount could not read something: name the paper if one is malformed (looked
        # for only now, so an intact ballot's papers are read once for the count)
        malformed = await _malformed_papers(ballot_id, row["method"], row["round"])
        if not malformed:
            raise
        findings.append(BallotFinding(organisation_id, ballot_id, "malformed_paper", malformed))
    return findings


async def _check_records(
    organisation_id: int, ballot_id: int, seal: tuple[int, dict[str, Any]]
) -> list[BallotFinding]:
    """The options and the register against the digests the close recorded."""
    sequence, details = seal
    if "options_digest" not in details:  # closed before options were sealed
        return []
    now = await audit.seal_records(ballot_id, int(details.get("round") or 1))
    findings = []
    if now["options_digest"] != details["options_digest"]:
        findings.append(
            BallotFinding(
                organisation_id,
                ballot_id,
                "options_changed",
                f"the labels or options differ from those sealed at entry {sequence}",
            )
        )
    if now["register_digest"] != details["register_digest"]:
        findings.append(
            BallotFinding(
                organisation_id,
                ballot_id,
                "register_changed",
                f"sealed at entry {sequence} with {details.get('participations')} "
                f"participations, {now['participations']} stored now",
            )
        )
    return findings


async def _malformed_papers(ballot_id: int, method: str, round_: int) -> str:
    """The first paper of the round the count cannot read, named, or ""."""
    papers = await BallotPaper.select(BallotPaper.id, BallotPaper.content).where(
        (BallotPaper.ballot == ballot_id) & (BallotPaper.round == round_)
    )
    for paper in papers:
        try:
            choices.decode_choice(method, paper["content"])
        except Exception as error:
            return f"ballot_paper {paper['id']} cannot be read ({_describe(error)})"
    return ""


async def _check_room_count(
    organisation_id: int, ballot_id: int, round_: int
) -> list[BallotFinding]:
    stored = await PaperCount.select(PaperCount.counts, PaperCount.cast).where(
        PaperCount.count_key == f"{ballot_id}:{round_}"
    )
    audited = await audit.latest_entry(organisation_id, "ballot.room_count", f"ballot:{ballot_id}")
    if not stored and audited is None:
        return []
    if stored and audited is not None:
        counts = json.loads(stored[0]["counts"])
        details = audited[1]
        if details.get("cast") == stored[0]["cast"] and details.get("counts") == counts:
            return []
    return [BallotFinding(organisation_id, ballot_id, "room_count_changed")]


async def _check_result(
    organisation_id: int, ballot_id: int, stored: str | None
) -> list[BallotFinding]:
    try:
        recount = await counting.count_ballot(ballot_id)
    except Refused as error:
        if error.code != "not_frozen":
            raise
        # closed before its figures were frozen: no recount from frozen inputs is possible,
        # and reading today's register would compare with another assembly
        return [BallotFinding(organisation_id, ballot_id, "not_frozen")]
    if stored is not None and TallyResult.from_json(stored) == recount:
        return []
    return [
        BallotFinding(
            organisation_id,
            ballot_id,
            "result_differs",
            "no stored result" if stored is None else "the recount gives another result",
        )
    ]


# the status each audited act leaves a ballot in
STATUS_AFTER = {
    "ballot.created": BallotStatus.DRAFT.value,
    "ballot.opened": BallotStatus.OPEN.value,
    "ballot.closed": BallotStatus.CLOSED.value,
    "ballot.published": BallotStatus.PUBLISHED.value,
    "ballot.cancelled": BallotStatus.CANCELLED.value,
    "ballot.reopened": BallotStatus.OPEN.value,
    "ballot.round_rerun": BallotStatus.OPEN.value,
}


async def verify_registers(organisation_id: int | None = None) -> list[BallotFinding]:
    """Every ballot, whatever its status: its status against its audited history, as many
    papers as participations in each round (papers stuffed into an open ballot show), and the
    room count plus the electronic votes no more than the members with voting rights."""
    query = Ballot.select(
        Ballot.id,
        Ballot.organisation,
        Ballot.status,
        Ballot.round,
        Ballot.eligible_at_open,
        Ballot.eligible_at_close,
    )
    if organisation_id is not None:
        query = query.where(Ballot.organisation == organisation_id)
    rows = await query.order_by(Ballot.id)
    history = await _audited_statuses(organisation_id)
    papers = await integrity_queries.rows_per_round(BallotPaper)
    voters = await integrity_queries.rows_per_round(Participation)
    room = {
        row["count_key"]: row["cast"]
        for row in await PaperCount.select(PaperCount.count_key, PaperCount.cast)
    }
    findings = []
    for row in rows:
        ballot, organisation = row["id"], row["organisation"]
        audited = history.get((organisation, ballot))
        if audited is not None and audited != row["status"]:
            findings.append(
                BallotFinding(
                    organisation,
                    ballot,
                    "status_changed",
                    f"stored {row['status']}, the audit trail says {audited}",
                )
            )
        if row["status"] == BallotStatus.OPEN.value:
            findings.extend(await _check_open_options(organisation, ballot))
        for round_ in sorted(
            {r for b, r in papers if b == ballot} | {r for b, r in voters if b == ballot}
        ):
            cast, voted = papers.get((ballot, round_), 0), voters.get((ballot, round_), 0)
            if cast != voted:
                findings.append(
                    BallotFinding(
                        organisation,
                        ballot,
                        "papers_over_participations",
                        f"{cast} papers for {voted} participations in round {round_}",
                    )
                )
        by_hand = room.get(f"{ballot}:{row['round']}")
        eligible = row["eligible_at_close"] or row["eligible_at_open"]
        electronic = voters.get((ballot, row["round"]), 0)
        if by_hand is not None and eligible is not None and by_hand + electronic > eligible:
            findings.append(
                BallotFinding(
                    organisation,
                    ballot,
                    "too_many_votes",
                    f"{by_hand} counted in the room and {electronic} electronic votes "
                    f"for {eligible} members with voting rights",
                )
            )
    return findings


async def _check_open_options(organisation_id: int, ballot_id: int) -> list[BallotFinding]:
    """An open ballot's options and labels against those sealed when it opened."""
    opened = await audit.latest_entry(organisation_id, "ballot.opened", f"ballot:{ballot_id}")
    if opened is None or "options_digest" not in opened[1]:
        return []
    now = await audit.seal_records(ballot_id, 1)
    if now["options_digest"] == opened[1]["options_digest"]:
        return []
    detail = f"the labels or options differ from those sealed at entry {opened[0]}"
    return [BallotFinding(organisation_id, ballot_id, "options_changed", detail)]


async def _audited_statuses(organisation_id: int | None) -> dict[tuple[int, int], str]:
    query = AuditEntry.select(AuditEntry.organisation, AuditEntry.subject, AuditEntry.action).where(
        AuditEntry.action.is_in(list(STATUS_AFTER))
    )
    if organisation_id is not None:
        query = query.where(AuditEntry.organisation == organisation_id)
    statuses = {}
    for entry in await query.order_by(AuditEntry.organisation).order_by(AuditEntry.sequence):
        _, _, number = str(entry["subject"]).partition(":")
        if number.isdigit():
            statuses[(int(entry["organisation"]), int(number))] = STATUS_AFTER[entry["action"]]
    return statuses


async def verify_ballots(organisation_id: int | None = None) -> tuple[list[BallotFinding], int]:
    """Check every closed or published ballot (of one organisation, or all); return the
    findings and how many ballots were checked."""
    query = Ballot.select(Ballot.id, Ballot.organisation).where(
        Ballot.status.is_in([BallotStatus.CLOSED.value, BallotStatus.PUBLISHED.value])
    )
    if organisation_id is not None:
        query = query.where(Ballot.organisation == organisation_id)
    rows = await query.order_by(Ballot.id)
    findings: list[BallotFinding] = []
    for row in rows:
        findings.extend(await verify_ballot(row["organisation"], row["id"]))
    return findings, len(rows)


async def verify_minutes() -> list[tuple[int, int]]:
    """(organisation, assembly) of every final procès-verbal that no longer matches the digest
    recorded when it was finalised."""
    rows = await Minutes.select(Minutes.organisation, Minutes.assembly).where(
        Minutes.status == MinutesStatus.FINAL.value
    )
    altered = []
    for row in rows:
        if not await minutes.check_final_minutes(row["organisation"], row["assembly"]):
            altered.append((row["organisation"], row["assembly"]))
    return altered


async def verify_everything() -> VerificationReport:
    """The chains of every organisation, every closed ballot, every final procès-verbal."""
    breaks = await audit.verify_all_chains()
    findings, checked = await verify_ballots()
    findings.extend(await verify_registers())
    findings.sort(key=lambda f: (f.organisation_id, f.ballot_id))
    heads = [
        (row["organisation"], int(row["last_sequence"]), str(row["last_hash"]))
        for row in await AuditChain.select(
            AuditChain.organisation, AuditChain.last_sequence, AuditChain.last_hash
        ).order_by(AuditChain.organisation)
    ]
    return VerificationReport(breaks, findings, checked, await verify_minutes(), heads)

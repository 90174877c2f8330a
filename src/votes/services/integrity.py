"""Everything ``votes audit verify`` checks: the hash chains, the sealed ballot boxes and the
counts.

For every closed or published ballot: the papers stored now must give the digest sealed in the
close's audit entry (a changed, added or removed paper shows), the room count must be the one
last audited, and counting the stored papers again with the core must give the stored result.
Nothing is repaired: differences are reported, for people to investigate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from votes.core.results import TallyResult
from votes.db.tables import Ballot, BallotStatus, Minutes, MinutesStatus, PaperCount
from votes.services import audit, ballots, minutes

# a ballot closed before sealing (or freezing its figures) existed: nothing to compare with,
# nothing wrong found
WARNINGS = frozenset({"not_sealed", "not_frozen"})


@dataclass(frozen=True, slots=True)
class BallotFinding:
    """A closed ballot whose stored papers, room count or result no longer match."""

    organisation_id: int
    ballot_id: int
    reason: str  # papers_changed, room_count_changed, result_differs, not_sealed
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

    @property
    def intact(self) -> bool:
        return (
            not self.chain_breaks
            and not self.altered_minutes
            and not any(not finding.is_warning for finding in self.ballot_findings)
        )


async def verify_ballot(organisation_id: int, ballot_id: int) -> list[BallotFinding]:
    """Check one closed ballot against its seal, its audited room count and its result."""
    row = (
        await Ballot.select(Ballot.round, Ballot.result)
        .where((Ballot.id == ballot_id) & (Ballot.organisation == organisation_id))
        .first()
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
    findings.extend(await _check_room_count(organisation_id, ballot_id, row["round"]))
    findings.extend(await _check_result(organisation_id, ballot_id, row["result"]))
    return findings


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
        recount = await ballots.count_ballot(ballot_id)
    except ballots.BallotError as error:
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
    return VerificationReport(breaks, findings, checked, await verify_minutes())

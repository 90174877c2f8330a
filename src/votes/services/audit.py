"""The tamper-evident audit trail.

Every act that matters is appended with :func:`record`, inside the transaction of the act itself
(so an act and its entry commit or roll back together). Each entry's hash covers its fields and
the previous entry's hash; :func:`verify_chain` recomputes the chain and names the first entry
that no longer matches, whether it was edited, deleted or moved.

Secret ballots: callers record *that* someone voted, never *what* they chose.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from votes.db.tables.audit import AuditChain, AuditEntry
from votes.db.tables.ballots import BallotPaper

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """Where an organisation's chain stops matching, and why."""

    organisation_id: int
    sequence: int  # the first entry that does not verify (or the missing place)
    reason: str  # "edited", "missing", "out_of_order"


def entry_hash(
    *,
    organisation_id: int,
    sequence: int,
    occurred_at: datetime,
    actor_id: int | None,
    action: str,
    subject: str,
    details: str,
    previous_hash: str,
) -> str:
    """SHA-256 over a canonical JSON of every field of the entry and the previous hash."""
    canonical = json.dumps(
        [
            organisation_id,
            sequence,
            occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            actor_id,
            action,
            subject,
            details,
            previous_hash,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


async def record(
    organisation_id: int,
    action: str,
    *,
    actor_id: int | None = None,
    subject: str = "",
    details: dict[str, Any] | None = None,
) -> int:
    """Append an entry to the organisation's chain; return its sequence number.

    Call it inside the service's write transaction, so the act and its entry are atomic.
    """
    head = await _lock_head(organisation_id)
    sequence = int(head["last_sequence"]) + 1
    previous = head["last_hash"] or GENESIS_HASH
    # microseconds are kept exactly by both engines, so the hash recomputes identically
    occurred_at = datetime.now(UTC)
    text = json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str)
    digest = entry_hash(
        organisation_id=organisation_id,
        sequence=sequence,
        occurred_at=occurred_at,
        actor_id=actor_id,
        action=action,
        subject=subject,
        details=text,
        previous_hash=previous,
    )
    await AuditEntry.insert(
        AuditEntry(
            organisation=organisation_id,
            sequence=sequence,
            entry_key=f"{organisation_id}:{sequence}",
            occurred_at=occurred_at,
            actor=actor_id,
            action=action,
            subject=subject,
            details=text,
            previous_hash=previous,
            entry_hash=digest,
        )
    )
    await AuditChain.update(
        {AuditChain.last_sequence: sequence, AuditChain.last_hash: digest}
    ).where(AuditChain.chain_key == str(organisation_id))
    return sequence


async def _lock_head(organisation_id: int) -> dict[str, Any]:
    """The chain's head row, created on first use; the no-op UPDATE takes its row lock."""
    key = str(organisation_id)
    updated = (
        await AuditChain.update({AuditChain.chain_key: key})
        .where(AuditChain.chain_key == key)
        .returning(AuditChain.last_sequence, AuditChain.last_hash)
    )
    if updated:
        return dict(updated[0])
    await AuditChain.insert(AuditChain(organisation=organisation_id, chain_key=key))
    return {"last_sequence": 0, "last_hash": ""}


async def verify_chain(organisation_id: int) -> ChainBreak | None:
    """Recompute an organisation's chain; return the first break, or None if it is intact."""
    entries = (
        await AuditEntry.select()
        .where(AuditEntry.organisation == organisation_id)
        .order_by(AuditEntry.id)
    )
    present = {entry["sequence"] for entry in entries}
    previous = GENESIS_HASH
    for expected, entry in enumerate(entries, start=1):
        if entry["sequence"] != expected:
            reason = "out_of_order" if expected in present else "missing"
            return ChainBreak(organisation_id, expected, reason)
        recomputed = entry_hash(
            organisation_id=organisation_id,
            sequence=entry["sequence"],
            occurred_at=entry["occurred_at"],
            actor_id=entry["actor"],
            action=entry["action"],
            subject=entry["subject"],
            details=entry["details"],
            previous_hash=previous,
        )
        if entry["previous_hash"] != previous or entry["entry_hash"] != recomputed:
            return ChainBreak(organisation_id, expected, "edited")
        previous = entry["entry_hash"]
    head = await AuditChain.select().where(AuditChain.chain_key == str(organisation_id)).first()
    if head is not None and head["last_sequence"] != len(entries):
        # the newest entries were deleted: the head still remembers how long the chain was
        return ChainBreak(organisation_id, len(entries) + 1, "missing")
    return None


async def verify_all_chains() -> list[ChainBreak]:
    """Verify every organisation's chain (``votes audit verify``)."""
    heads = await AuditChain.select(AuditChain.organisation).order_by(AuditChain.organisation)
    breaks = []
    for head in heads:
        found = await verify_chain(head["organisation"])
        if found is not None:
            breaks.append(found)
    return breaks


# ---------------------------------------------------------------------------------------------
# the ballot box: sealed at close, so a changed, added or removed paper is detectable later


async def seal_ballot_box(ballot_id: int, round_: int) -> dict[str, Any]:
    """The digest of a ballot round's stored papers, for the close's audit entry.

    Each paper contributes its content, its receipt hash (the published receipt list of a
    secret ballot is made of these) and, for a roll-call ballot, its voter. The lines are
    sorted, so the digest does not depend on the order of rows (a secret ballot's papers are
    shuffled at close). Nothing here says who chose what on a secret ballot: its papers carry
    no voter.
    """
    papers = await BallotPaper.select(
        BallotPaper.content, BallotPaper.receipt_hash, BallotPaper.voter
    ).where((BallotPaper.ballot == ballot_id) & (BallotPaper.round == round_))
    lines = sorted(
        json.dumps([paper["receipt_hash"], paper["voter"], paper["content"]], ensure_ascii=False)
        for paper in papers
    )
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return {"round": round_, "papers": len(lines), "box_digest": digest}


def content_digest(text: str) -> str:
    """SHA-256 of a document (the finalised procès-verbal), as recorded in the trail."""
    return hashlib.sha256(text.encode()).hexdigest()


async def latest_entry(
    organisation_id: int, action: str, subject: str
) -> tuple[int, dict[str, Any]] | None:
    """(sequence, details) of the newest entry of ``action`` about ``subject``, if any."""
    row = (
        await AuditEntry.select(AuditEntry.sequence, AuditEntry.details)
        .where(
            (AuditEntry.organisation == organisation_id)
            & (AuditEntry.action == action)
            & (AuditEntry.subject == subject)
        )
        .order_by(AuditEntry.sequence, ascending=False)
        .first()
    )
    if row is None:
        return None
    try:
        details = json.loads(row["details"])
    except ValueError:
        details = {}
    return int(row["sequence"]), details if isinstance(details, dict) else {}

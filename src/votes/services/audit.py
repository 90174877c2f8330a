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
    sequence = head["last_sequence"] + 1
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

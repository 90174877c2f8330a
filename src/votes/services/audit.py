"""The tamper-evident audit trail.

Every act that matters is appended with :func:`record`, inside the transaction of the act itself
(so an act and its entry commit or roll back together). Each entry's hash covers its fields and
the previous entry's hash; :func:`verify_chain` recomputes the chain and names the first entry
that no longer matches, whether it was edited, deleted or moved.

Secret ballots: callers record *that* someone voted, never *what* they chose.

Anchoring: someone who can write the database could rewrite the whole chain with plain
SHA-256. So each organisation's entries, from the first one written with anchoring on, are
hashed with HMAC-SHA256 under a key kept outside the database (``<data folder>/audit/key``,
created 0600 on first use); the number of that first anchored entry is kept beside it
(``<data folder>/audit/<organisation>.first``). A chain rewritten without the key no longer
verifies, and its head (printed on the projector, in exports and in the minutes) differs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from votes.db.engine import long_reads
from votes.db.tables.audit import AuditChain, AuditEntry
from votes.db.tables.ballots import BallotOption, BallotPaper, Participation
from votes.settings import write_once

if TYPE_CHECKING:
    from collections.abc import Mapping

    from votes.services.actors import Actor

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """Where an organisation's chain stops matching, and why."""

    organisation_id: int
    sequence: int  # the first entry that does not verify (or the missing place)
    reason: str  # "edited", "missing", "out_of_order", "key_missing" (the anchoring key)


ANCHOR_FOLDER = "audit"
ANCHOR_KEY_FILE = "key"


def anchor_folder() -> Path:
    """Where the anchoring key lives: the data folder's ``audit`` (outside the database)."""
    from votes.settings import VARIABLES

    data_dir = os.environ.get("VOTES_DATA_DIR", VARIABLES["VOTES_DATA_DIR"][0]).strip()
    return Path(data_dir).expanduser() / ANCHOR_FOLDER


@cache
def _key_at(folder: Path, create: bool) -> bytes | None:
    path = folder / ANCHOR_KEY_FILE
    if not path.exists():
        if not create:
            return None
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_once(path, secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def anchor_key(*, create: bool = False) -> bytes | None:
    """The key the chain is anchored with; created (0600) when ``create`` and missing. A
    check (``create`` false) never creates it."""
    key = _key_at(anchor_folder(), create)
    if key is None:
        _key_at.cache_clear()  # not there yet: look again next time
    return key


_ANCHORED: dict[tuple[Path, int], int] = {}  # (folder, organisation) -> first anchored entry


def first_anchored(organisation_id: int) -> int | None:
    """The sequence of the organisation's first anchored entry (None: none yet)."""
    path = anchor_folder() / f"{organisation_id}.first"
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _key_of(sequence: int, key: bytes | None, first: int | None) -> bytes | None:
    """The key entry ``sequence`` is hashed under: ``key`` from the first anchored entry on,
    none before it (plain SHA-256)."""
    return key if first is not None and sequence >= first else None


def _mark_anchored(organisation_id: int, sequence: int) -> int | None:
    """Keep ``sequence`` as the organisation's first anchored entry unless one is kept
    already; return the one kept. A rolled-back first entry gives its sequence to the next
    one, so the mark stays true."""
    folder = anchor_folder()
    known = _ANCHORED.get((folder, organisation_id))
    if known is not None:
        return known
    path = folder / f"{organisation_id}.first"
    write_once(path, str(sequence))
    first = first_anchored(organisation_id)
    if first is not None:
        _ANCHORED[(folder, organisation_id)] = first
    return first


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
    key: bytes | None = None,
) -> str:
    """SHA-256 over a canonical JSON of every field of the entry and the previous hash
    (HMAC-SHA256 under ``key`` for an anchored entry)."""
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
    if key is not None:
        return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()
    return hashlib.sha256(canonical.encode()).hexdigest()


def row_hash(
    organisation_id: int, entry: Mapping[str, Any], previous_hash: str, key: bytes | None = None
) -> str:
    """:func:`entry_hash` of an entry given as its row (its ``AuditEntry`` columns by name)."""
    return entry_hash(
        organisation_id=organisation_id,
        sequence=entry["sequence"],
        occurred_at=entry["occurred_at"],
        actor_id=entry["actor"],
        action=entry["action"],
        subject=entry["subject"],
        details=entry["details"],
        previous_hash=previous_hash,
        key=key,
    )


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
    key = anchor_key(create=True)
    first = _mark_anchored(organisation_id, sequence)
    entry: dict[str, Any] = {
        "sequence": sequence,
        "occurred_at": occurred_at,
        "actor": actor_id,
        "action": action,
        "subject": subject,
        "details": text,
    }
    digest = row_hash(organisation_id, entry, previous, _key_of(sequence, key, first))
    await AuditEntry.insert(
        AuditEntry(
            organisation=organisation_id,
            entry_key=f"{organisation_id}:{sequence}",
            previous_hash=previous,
            entry_hash=digest,
            **entry,
        )
    )
    await AuditChain.update(
        {AuditChain.last_sequence: sequence, AuditChain.last_hash: digest}
    ).where(AuditChain.chain_key == str(organisation_id))
    return sequence


async def record_by(
    actor: Actor, action: str, subject: str, details: dict[str, Any] | None = None
) -> int:
    """:func:`record` a member's own act in their organisation: the person is named (an actor
    with no membership is refused, as ``actor.person_id`` does)."""
    return await record(
        actor.organisation.id, action, actor_id=actor.person_id, subject=subject, details=details
    )


async def record_act(
    actor: Actor, action: str, subject: str = "", details: dict[str, Any] | None = None
) -> int:
    """:func:`record` an act in the acting organisation's chain, the person named as the
    trail names them: no one when the system acts (the countdown, the command line)."""
    return await record(
        actor.organisation_id, action, actor_id=actor.audited_as, subject=subject, details=details
    )


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
    with long_reads():  # the whole trail: off the event loop
        entries = (
            await AuditEntry.select()
            .where(AuditEntry.organisation == organisation_id)
            .order_by(AuditEntry.id)
        )
    present = {entry["sequence"] for entry in entries}
    first = first_anchored(organisation_id)
    key = anchor_key() if first is not None else None
    if first is not None and key is None and entries:
        return ChainBreak(organisation_id, first, "key_missing")
    previous = GENESIS_HASH
    for expected, entry in enumerate(entries, start=1):
        if entry["sequence"] != expected:
            reason = "out_of_order" if expected in present else "missing"
            return ChainBreak(organisation_id, expected, reason)
        recomputed = row_hash(organisation_id, entry, previous, _key_of(expected, key, first))
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


async def seal_records(ballot_id: int, round_: int) -> dict[str, Any]:
    """Digests of what the room saw and who voted, for the open's and close's audit entries:
    the options (key and label, in order) and the participation register of the round (who
    voted, never what). ``votes audit verify`` compares them with the stored rows, so swapped
    candidate labels or an edited register show."""
    options = (
        await BallotOption.select(BallotOption.key, BallotOption.label)
        .where(BallotOption.ballot == ballot_id)
        .order_by(BallotOption.position)
    )
    voters = await Participation.select(Participation.membership).where(
        (Participation.ballot == ballot_id) & (Participation.round == round_)
    )
    listed = json.dumps([[o["key"], o["label"]] for o in options], ensure_ascii=False)
    register = json.dumps(sorted(v["membership"] for v in voters))
    return {
        "options_digest": hashlib.sha256(listed.encode()).hexdigest(),
        "register_digest": hashlib.sha256(register.encode()).hexdigest(),
        "participations": len(voters),
    }


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

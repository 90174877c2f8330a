"""Ballots: creation, the lifecycle (open, close, publish, cancel, reopen), casting and changing
votes, paper counts from the room, facilitated consent rounds, and the count.

A vote writes two rows in one transaction: a ``Participation`` (who voted, unique per ballot,
member and round: the database itself refuses a second vote) and a ``BallotPaper`` (what was
chosen). For a secret ballot the paper carries nothing that leads back to the voter: a random
id, no voter, no time, only the hash of a receipt code that the voter alone receives; and the
close rewrites a secret ballot's papers in random order, so not even the physical order of
rows in the file follows the order of the register.

Repeated submissions: each vote form carries a one-time token. The participation keeps the
token's hash; the receipt code is derived from the token with the instance key, so a retry of
the same form is recognised and answered with the same receipt, and the database never holds
anything that turns a participation into a receipt (hence into a paper).

Closing and voting never race: both run in a write transaction that reads the ballot's status
first (SQLite: ``BEGIN IMMEDIATE`` serialises them; PostgreSQL: the vote takes a share lock on
the ballot row that the close's update waits for). A vote is acknowledged only after it commits,
and the count reads the papers after the close commits, so every acknowledged vote is counted
and a vote arriving after the close is refused.
"""

from __future__ import annotations

import json
import logging
import random
import secrets
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import anyio.to_thread
from piccolo.engine.postgres import PostgresEngine

from votes.core import METHODS, choices, room_counts, tally
from votes.core.choices import REASON_MAX, decode_choice
from votes.core.papers import CONSENT_METHODS, LOT_METHODS
from votes.core.receipts import (
    change_code_for,
    change_hash,
    normalise_receipt,
    receipt_code_for,
    receipt_hash,
)
from votes.core.results import TallyError, TallyResult
from votes.core.room_counts import (
    PAPER_COUNT_METHODS,
    RoomCount,
    merge_room_count,
)
from votes.db import audit_queries, vote_storage
from votes.db.engine import erase_wal, write_transaction
from votes.db.tables import (
    Amendment,
    AmendmentStatus,
    Assembly,
    Ballot,
    BallotOption,
    BallotPaper,
    BallotStatus,
    ConsentPhase,
    Membership,
    MembershipKind,
    MembershipStatus,
    PaperCount,
    Participation,
)
from votes.db.vote_storage import VoteFacts, VoteRows
from votes.services import attendance, audit, events, rules, sealing
from votes.services.actors import (
    Actor,
    actor_for,
    may_cosign,
    may_count,
    may_run_assemblies,
    may_run_ballots,
    require,
)
from votes.services.refusals import Refused

MULTI_SEAT_METHODS = frozenset({"plurality", "approval", "score", "borda", "stv", "meek_stv"})
CONDORCET_METHODS = frozenset({"schulze", "ranked_pairs"})
RESPONSE_METHODS = frozenset({"majority", *CONSENT_METHODS, "plurality"})
QUESTION_MAX = 300
LABEL_MAX = 300
KEY_MAX = 40
OPTIONS_MAX = 60
DURATION_MAX = 24 * 3600
PHASES = (ConsentPhase.QUESTIONS, ConsentPhase.REACTIONS, ConsentPhase.CONSENT)

logger = logging.getLogger("votes.ballots")


@dataclass(frozen=True, slots=True)
class VoteReceipt:
    """What a voter is told once their vote is stored."""

    code: str  # the receipt code ("" when a changed public vote is acknowledged without it)
    voted_at: datetime
    repeated: bool = False  # a retry of a vote already stored: nothing new was written
    changed: bool = False
    # the secret that lets this voter, and only them, change the paper while the ballot allows
    # it: the receipt code is for checking the published list, and others may see it
    change_code: str = ""


def check_choice(method: str, keys: Sequence[str], rules: Mapping[str, Any], choice: Any) -> Any:
    """Return ``choice`` in its stored JSON shape, or raise ``Refused`` naming the fault (see
    :func:`votes.core.choices.check_choice`)."""
    try:
        return choices.check_choice(method, keys, rules, choice)
    except choices.ChoiceError as error:
        raise Refused(error.code) from error


def new_submission_token() -> str:
    """The one-time token a vote form carries (128 random bits)."""
    return secrets.token_urlsafe(16)


# ---------------------------------------------------------------------------------------------
# creation


@dataclass(frozen=True, slots=True)
class BallotSettings:
    """Everything a facilitator chooses when preparing a ballot."""

    question: str
    method: str
    options: Sequence[tuple[str, str]]  # (key, label) in display order
    agenda_item_id: int | None = None
    proposal_id: int | None = None
    seats: int = 1
    secret: bool = False
    is_test: bool = False
    allow_change: bool = False
    duration_seconds: int | None = None
    facilitated: bool = False  # consent only: questions and reactions rounds first
    rules: Mapping[str, Any] | None = None


def check_settings(settings: BallotSettings) -> None:
    """Refuse settings the count could not honour, naming the first fault."""
    if not settings.question.strip() or len(settings.question) > QUESTION_MAX:
        raise Refused("question_required")
    if settings.method not in METHODS:
        raise Refused("unknown_method")
    keys = [key for key, _ in settings.options]
    if len(keys) < 2 or len(keys) > OPTIONS_MAX:
        raise Refused("too_few_options")
    if len(set(keys)) != len(keys) or any(not k or len(k) > KEY_MAX for k in keys):
        raise Refused("duplicate_option")
    if any(not label.strip() or len(label) > LABEL_MAX for _, label in settings.options):
        raise Refused("label_required")
    if settings.seats < 1 or (settings.seats > 1 and settings.method not in MULTI_SEAT_METHODS):
        raise Refused("bad_seats")
    if settings.seats >= len(keys) and settings.seats > 1:
        raise Refused("bad_seats")
    if settings.duration_seconds is not None and not 0 < settings.duration_seconds <= DURATION_MAX:
        raise Refused("bad_duration")
    own = {k: v for k, v in (settings.rules or {}).items() if k not in rules.BALLOT_ONLY_RULES}
    if set(settings.rules or {}) - set(own) and settings.method != "majority":
        raise Refused("bad_rules")  # the assembly's rules judge majority motions only
    try:  # the rules must be ones the core accepts: try them on an empty count
        tally(settings.method, keys, {}, seats=settings.seats, **own)
    except TallyError as error:
        if "needs" not in str(error):  # attendance figures come at the close, not now
            raise Refused("bad_rules") from error


async def create_ballot(
    actor: Actor,
    assembly_id: int,
    question: str,
    method: str,
    options: Sequence[tuple[str, str]],
    *,
    agenda_item_id: int | None = None,
    proposal_id: int | None = None,
    seats: int = 1,
    secret: bool = False,
    is_test: bool = False,
    rules: dict[str, Any] | None = None,
    allow_change: bool = False,
    duration_seconds: int | None = None,
    facilitated: bool = False,
) -> int:
    """Create a draft ballot with its options, given as (key, label) pairs in display order.
    Those who prepare assemblies prepare their ballots; only facilitators open them."""
    require(may_run_assemblies, actor)
    settings = _normalised(
        BallotSettings(
            question=question,
            method=method,
            options=options,
            agenda_item_id=agenda_item_id,
            proposal_id=proposal_id,
            seats=seats,
            secret=secret,
            is_test=is_test,
            allow_change=allow_change,
            duration_seconds=duration_seconds,
            facilitated=facilitated,
            rules=rules,
        )
    )
    check_settings(settings)
    return await _insert_ballot(actor.organisation_id, assembly_id, settings, actor.audited_as)


def _normalised(
    settings: BallotSettings, earlier_rules: Mapping[str, Any] | None = None
) -> BallotSettings:
    """The settings as stored: the question trimmed, a lot seeded where ties may need one (an
    edited draft keeps its seed), the facilitated rounds for consent methods only."""
    rules = dict(settings.rules or {})
    if settings.method in LOT_METHODS and not {"seed", "tie_break"} & set(rules):
        # a tie at every round needs a lot: seed it now, so it is recorded before any vote
        rules["seed"] = (earlier_rules or {}).get("seed") or secrets.token_hex(4)
    if settings.method in CONDORCET_METHODS and not {"seed", "tie_break"} & set(rules):
        # the same seeded lot for a tie that changes the result (#16); one that cannot is
        # declared without effect by the count and draws nothing
        rules["seed"] = (earlier_rules or {}).get("seed") or secrets.token_hex(4)
        rules["tie_break"] = "lot"
    question = settings.question.strip()
    if len(question) > QUESTION_MAX:  # e.g. a long proposal title quoted in the question
        question = question[: QUESTION_MAX - 1] + "…"
    return replace(
        settings,
        question=question,
        facilitated=settings.facilitated and settings.method in CONSENT_METHODS,
        rules=rules,
    )


# what an edit of a draft may change, as the ballot's columns
_EDITABLE = ("question", "method", "seats", "secret", "is_test", "allow_change", "duration_seconds")


async def edit_draft(actor: Actor, ballot_id: int, settings: BallotSettings) -> None:
    """Change a draft ballot: its question, method, options, seats, secrecy, countdown, rules…
    (a typo, a forgotten candidate). Once the ballot is open nothing changes any more: votes
    are checked against these options (``not_editable``). The ballot keeps its assembly, agenda
    item and proposal; the edit is audited with what changed."""
    require(may_run_assemblies, actor)
    async with write_transaction(Ballot._meta.db):
        row = await _ballot_row(ballot_id, actor.organisation_id, lock=True)
        if row["status"] != BallotStatus.DRAFT.value:
            raise Refused("not_editable")
        settings = _normalised(settings, json.loads(row["rules"]))
        check_settings(settings)
        before = (
            await BallotOption.select(BallotOption.key, BallotOption.label)
            .where(BallotOption.ballot == ballot_id)
            .order_by(BallotOption.position)
        )
        phase = ConsentPhase.QUESTIONS if settings.facilitated else ConsentPhase.NONE
        values: dict[str, Any] = {name: getattr(settings, name) for name in _EDITABLE}
        values |= {
            "phase": phase.value,
            "rules": json.dumps(dict(settings.rules or {}), sort_keys=True),
        }
        changed = sorted(name for name, value in values.items() if row[name] != value)
        options = [(key, label.strip()) for key, label in settings.options]
        if [(o["key"], o["label"]) for o in before] != options:
            changed.append("options")
        await Ballot.update({getattr(Ballot, name): v for name, v in values.items()}).where(
            Ballot.id == ballot_id
        )
        await BallotOption.delete().where(BallotOption.ballot == ballot_id)
        await BallotOption.insert(
            *(
                BallotOption(ballot=ballot_id, position=index, key=key, label=label)
                for index, (key, label) in enumerate(options, start=1)
            )
        )
        await audit.record(
            row["organisation"],
            "ballot.edited",
            actor_id=actor.audited_as,
            subject=f"ballot:{ballot_id}",
            details={"question": settings.question, "method": settings.method, "changed": changed},
        )
    _DEFINITIONS.pop(ballot_id, None)  # this process's copy (drafts are not cached anyway)


async def _insert_ballot(
    organisation_id: int, assembly_id: int, settings: BallotSettings, actor_id: int | None
) -> int:
    phase = ConsentPhase.QUESTIONS if settings.facilitated else ConsentPhase.NONE
    async with write_transaction(Ballot._meta.db):
        rows = await Ballot.insert(
            Ballot(
                organisation=organisation_id,
                assembly=assembly_id,
                agenda_item=settings.agenda_item_id,
                proposal=settings.proposal_id,
                question=settings.question,
                method=settings.method,
                seats=settings.seats,
                secret=settings.secret,
                is_test=settings.is_test,
                allow_change=settings.allow_change,
                duration_seconds=settings.duration_seconds,
                phase=phase.value,
                rules=json.dumps(dict(settings.rules or {}), sort_keys=True),
            )
        )
        ballot_id = int(rows[0]["id"])
        await BallotOption.insert(
            *(
                BallotOption(ballot=ballot_id, position=index, key=key, label=label.strip())
                for index, (key, label) in enumerate(settings.options, start=1)
            )
        )
        await audit.record(
            organisation_id,
            "ballot.created",
            actor_id=actor_id,
            subject=f"ballot:{ballot_id}",
            details={"question": settings.question, "method": settings.method},
        )
    return ballot_id


# ---------------------------------------------------------------------------------------------
# lifecycle


async def eligible_count(organisation_id: int) -> int:
    """Members with voting rights now (attendance and proxies refine this in #7)."""
    return int(
        await Membership.count().where(
            (Membership.organisation == organisation_id)
            & (Membership.kind == MembershipKind.MEMBER.value)
            & (Membership.status == MembershipStatus.ACTIVE.value)
        )
    )


async def _ballot_row(
    ballot_id: int, organisation_id: int, *, lock: bool = False
) -> dict[str, Any]:
    """The ballot's row; with ``lock``, on PostgreSQL, locked until the transaction ends, so two
    acts on one ballot (two facilitators, two workers' deadline sweeps) take turns and the
    second sees what the first did (SQLite's ``BEGIN IMMEDIATE`` serialises them already)."""
    query = Ballot.select().where(
        (Ballot.id == ballot_id) & (Ballot.organisation == organisation_id)
    )
    if lock and isinstance(Ballot._meta.db, PostgresEngine):
        query = query.lock_rows("NO KEY UPDATE")
    row = await query.first()
    if row is None:
        raise Refused("not_found")
    return dict(row)


async def _transition(
    actor: Actor,
    ballot_id: int,
    allowed: Sequence[BallotStatus],
    action: str,
    changes: Any,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Check the status, apply ``changes(row)`` and record the act, in one transaction."""
    async with write_transaction(Ballot._meta.db):
        row = await _ballot_row(ballot_id, actor.organisation_id, lock=True)
        if row["status"] not in {status.value for status in allowed}:
            raise Refused(f"not_{allowed[0].value}" if len(allowed) == 1 else "finished")
        values = await changes(row)
        await Ballot.update({getattr(Ballot, name): v for name, v in values.items()}).where(
            Ballot.id == ballot_id
        )
        await audit.record(
            row["organisation"],
            f"ballot.{action}",
            actor_id=actor.audited_as,
            subject=f"ballot:{ballot_id}",
            details=details,
        )
    if action != "closed":  # a close is announced once its count is stored (close_ballot)
        events.ballot_changed(row["organisation"], row["assembly"], ballot_id, action)
    return row


async def system_actor(ballot_id: int) -> Actor:
    """The app itself, acting on this ballot in its organisation (the demo, the command line)."""
    row = await Ballot.select(Ballot.organisation).where(Ballot.id == ballot_id).first()
    if row is None:
        raise Refused("not_found")
    return await actor_for(row["organisation"])


async def open_ballot(actor: Actor, ballot_id: int, *, reason: str = "") -> None:
    """Open a draft. A motion's ballot does not open while one of its amendments is put to
    the vote without a published result (``amendments_pending_vote``), unless ``reason`` says
    why (kept in the audit trail, #16)."""
    require(may_run_ballots, actor)
    sealed: dict[str, Any] = {}  # the options as the room sees them, for the audit (#16)
    reason = reason.strip()[:REASON_MAX]

    async def changes(row: dict[str, Any]) -> dict[str, Any]:
        if row["proposal"] is not None and await _amendments_pending_vote(row):
            if not reason:
                raise Refused("amendments_pending_vote")
            sealed["reason"] = reason
        sealed.update(await audit.seal_records(ballot_id, row["round"]))
        takes_votes = row["phase"] in (ConsentPhase.NONE.value, ConsentPhase.CONSENT.value)
        return {
            "status": BallotStatus.OPEN.value,
            "opened_at": datetime.now(UTC),
            # a facilitated consent ballot's countdown starts with its consent round
            "closes_at": _new_deadline(row) if takes_votes else None,
            "eligible_at_open": await eligible_count(row["organisation"]),
            **await _rules_at_open(row),
        }

    await _transition(actor, ballot_id, (BallotStatus.DRAFT,), "opened", changes, sealed)


async def _amendments_pending_vote(row: Mapping[str, Any]) -> bool:
    """Whether an amendment of the ballot's proposal (other than the one this ballot decides)
    is put to the vote and its ballot not yet published nor cancelled."""
    pending = await Amendment.select(Amendment.ballot_id).where(
        (Amendment.proposal == row["proposal"])
        & (Amendment.status == AmendmentStatus.VOTING.value)
        & Amendment.ballot_id.is_not_null()
    )
    others = [a["ballot_id"] for a in pending if a["ballot_id"] != row["id"]]
    if not others or any(a["ballot_id"] == row["id"] for a in pending):
        return False  # this ballot decides an amendment, not the motion
    return bool(
        await Ballot.exists().where(
            Ballot.id.is_in(others)
            & Ballot.status.not_in([BallotStatus.PUBLISHED.value, BallotStatus.CANCELLED.value])
        )
    )


async def _rules_at_open(row: dict[str, Any]) -> dict[str, Any]:
    """The general-assembly rules a ballot opens under (#7): the profile's rule frozen with
    its source, how papers are grouped for weighting, and who is present or represented."""
    snapshot, groups = await rules.ballot_snapshot(
        row["organisation"],
        row["assembly"],
        method=row["method"],
        rules=json.loads(row["rules"]),
        is_test=row["is_test"],
    )
    counts = await attendance.frozen_counts(row["organisation"], row["assembly"])
    return {
        "rule_snapshot": json.dumps(snapshot, sort_keys=True) if snapshot else None,
        "weight_groups": groups,
        "present_at_open": counts[0] if counts else None,
        "represented_at_open": counts[1] if counts else None,
    }


async def advance_phase(actor: Actor, ballot_id: int) -> str:
    """Move a facilitated consent ballot to its next phase; return the new phase."""
    require(may_run_ballots, actor)
    moved: list[str] = []

    async def changes(row: dict[str, Any]) -> dict[str, Any]:
        if row["phase"] not in (ConsentPhase.QUESTIONS.value, ConsentPhase.REACTIONS.value):
            raise Refused("no_next_phase")
        following = PHASES[[p.value for p in PHASES].index(row["phase"]) + 1]
        moved.append(following.value)
        if following is ConsentPhase.CONSENT:  # votes are taken from now: the countdown runs
            return {"phase": following.value, "closes_at": _new_deadline(row)}
        return {"phase": following.value}

    await _transition(actor, ballot_id, (BallotStatus.OPEN,), "phase", changes)
    return moved[0]


async def close_ballot(actor: Actor, ballot_id: int, *, reason: str | None = None) -> TallyResult:
    """Freeze the ballot and everything its count depends on (eligible, present, represented,
    the register's figures by college or category), count its papers with the tally core (off
    the event loop) and store the result with the rules it was computed under: all in one
    transaction, so no ballot is ever closed without its count (#16). The close's audit entry
    seals the ballot box: a digest of the stored papers that ``votes audit verify``
    recomputes; ``reason`` says why when the platform closes it by itself (``time_is_up``)."""
    require(may_run_ballots, actor)
    sealed: dict[str, Any] = {"reason": reason} if reason else {}
    counted: list[TallyResult] = []

    async def changes(row: dict[str, Any]) -> dict[str, Any]:
        if row["secret"]:
            await _shuffle_papers(ballot_id, row["round"])
        sealed.update(await audit.seal_ballot_box(ballot_id, row["round"]))
        sealed.update(await audit.seal_records(ballot_id, row["round"]))
        counts = await attendance.frozen_counts(row["organisation"], row["assembly"])
        values = {
            "status": BallotStatus.CLOSED.value,
            "closed_at": datetime.now(UTC),
            "eligible_at_close": await eligible_count(row["organisation"]),
            "present_at_close": counts[0] if counts else None,
            "represented_at_close": counts[1] if counts else None,
            **await _frozen_figures(row),
        }
        try:
            result, snapshot = await _count({**row, **values})
        except TallyError as error:  # e.g. a tie only a lot settles and no lot seeded
            raise Refused("not_countable") from error  # the ballot stays open
        counted.append(result)
        values["result"] = result.to_json()
        if snapshot is not None:
            values["rule_snapshot"] = snapshot
        return values

    row = await _transition(actor, ballot_id, (BallotStatus.OPEN,), "closed", changes, sealed)
    if row["secret"]:  # the sealed papers written during the vote: out of the WAL too
        await erase_wal(Ballot._meta.db)
    events.ballot_changed(row["organisation"], row["assembly"], ballot_id, "closed")
    return counted[0]


async def _frozen_figures(row: Mapping[str, Any]) -> dict[str, Any]:
    """The register's figures a ballot under the rules is judged with, frozen into its
    snapshot at the close: later check-outs and new members change nothing in its count."""
    if not row["rule_snapshot"]:
        return {}
    snapshot = json.loads(row["rule_snapshot"])
    figures = await rules.close_figures(
        row["organisation"], row["assembly"], snapshot, row["weight_groups"]
    )
    snapshot[rules.FROZEN_KEY] = rules.figures_to_data(figures)
    return {"rule_snapshot": json.dumps(snapshot, sort_keys=True)}


async def count_uncounted_ballots() -> list[int]:
    """Count every ballot left closed without a result (a close interrupted by a crash before
    closes counted in their own transaction) and store its result; return their ids.

    Run with the deadline sweep, hence at start-up and every second after: when nothing is
    left it costs one lookup. A ballot whose count fails is logged once per process."""
    rows = await Ballot.select(Ballot.id, Ballot.organisation).where(
        (Ballot.status == BallotStatus.CLOSED.value) & Ballot.result.is_null()
    )
    healed = []
    for row in rows:
        if row["id"] in _UNCOUNTABLE:
            continue
        try:
            async with write_transaction(Ballot._meta.db):
                ballot = await _ballot_row(row["id"], row["organisation"], lock=True)
                if ballot["status"] != BallotStatus.CLOSED.value or ballot["result"] is not None:
                    continue
                values = await _frozen_figures(ballot)
                await _store_count({**ballot, **values})
                await audit.record(
                    ballot["organisation"],
                    "ballot.counted",
                    subject=f"ballot:{row['id']}",
                    details={"reason": "closed_without_count"},
                )
        except Exception:
            _UNCOUNTABLE.add(row["id"])
            logger.exception("ballot %s is closed but could not be counted", row["id"])
            continue
        healed.append(row["id"])
        events.ballot_changed(ballot["organisation"], ballot["assembly"], row["id"], "closed")
    return healed


_UNCOUNTABLE: set[int] = set()  # closed ballots whose count failed in this process


TIME_IS_UP = "time_is_up"  # the reason the close's audit entry gives when the countdown ran out


async def close_due_ballots(now: datetime | None = None) -> list[int]:
    """Close every open ballot whose countdown has run out, as a facilitator's close would
    (counted, sealed, announced), with no actor and the reason ``time_is_up``; return the ids
    this call closed.

    Every worker of the app runs this every second: when nothing is due it costs one lookup
    on the (status, closes_at) index, and a ballot another worker closed first is skipped
    (the close of a ballot no longer open is refused, and the refusal is the expected
    outcome here). One ballot's failure is logged and does not hold the others back."""
    now = now or datetime.now(UTC)
    due = (
        await Ballot.select(Ballot.id, Ballot.organisation)
        .where((Ballot.status == BallotStatus.OPEN.value) & (Ballot.closes_at <= now))
        .order_by(Ballot.closes_at)
    )
    closed = await count_uncounted_ballots()
    for row in due:
        try:
            await close_ballot(await actor_for(row["organisation"]), row["id"], reason=TIME_IS_UP)
        except Refused as error:
            if error.code != "not_open":
                logger.warning("ballot %s is due but was not closed: %s", row["id"], error.code)
            continue
        except Exception:  # the next sweep tries again if it is still open
            logger.exception("could not close ballot %s at its deadline", row["id"])
            continue
        closed.append(row["id"])
    return closed


def deadline_passed(closes_at: datetime | None, now: datetime | None = None) -> bool:
    """Whether a ballot's countdown has run out: it takes no vote any more, closed or not."""
    return closes_at is not None and (now or datetime.now(UTC)) >= closes_at


async def _shuffle_papers(ballot_id: int, round_: int) -> None:
    """Unseal a secret ballot's papers (see ``votes.services.sealing``) and write them again in
    random order with new random ids and no change code (changes are over): row order in the
    file (SQLite's rowid, PostgreSQL's heap) would otherwise follow the order of votes, hence
    of the register, and the sealed rows written during the vote are erased (``secure_delete``
    on SQLite; the WAL is emptied once the close commits)."""
    papers = await BallotPaper.select().where(
        (BallotPaper.ballot == ballot_id) & (BallotPaper.round == round_)
    )
    if not papers:
        return
    for paper in papers:
        if sealing.is_sealed(paper["content"]):
            held = _unsealed(ballot_id, round_, paper["content"])
            paper.update(
                content=held.content,
                receipt_hash=held.receipt_hash,
                weight_group=held.weight_group,
            )
        paper.update(id=uuid.uuid4(), change_hash="")
    random.SystemRandom().shuffle(papers)
    await BallotPaper.delete().where(
        (BallotPaper.ballot == ballot_id) & (BallotPaper.round == round_)
    )
    await BallotPaper.insert(*(BallotPaper(**paper) for paper in papers))


async def _store_count(ballot: Mapping[str, Any]) -> TallyResult:
    """Count the ballot (its row as it now stands) and store the result and the count's
    figures; call inside the act's write transaction."""
    result, snapshot = await _count(ballot)
    values: dict[Any, Any] = {Ballot.result: result.to_json()}
    if snapshot is not None:
        values[Ballot.rule_snapshot] = snapshot
    await Ballot.update(values).where(Ballot.id == ballot["id"])
    return result


async def publish_ballot(actor: Actor, ballot_id: int) -> None:
    """Publish a counted ballot; under dual control a scrutineer must have confirmed it first
    (see :func:`cosign`)."""
    require(may_run_ballots, actor)
    details: dict[str, Any] = {}

    async def changes(row: dict[str, Any]) -> dict[str, Any]:
        if row["result"] is None:
            raise Refused("not_counted")
        details.update(await _cosigned(actor, row, "publish"))
        await _check_within_eligible(row)
        # the amendment or proposal the ballot decides follows its result (#16); proposals
        # imports this module, hence the import here
        from votes.services import proposals

        await proposals.follow_published_vote(row, actor.audited_as)
        return {"status": BallotStatus.PUBLISHED.value, "published_at": datetime.now(UTC)}

    await _transition(actor, ballot_id, (BallotStatus.CLOSED,), "published", changes, details)


COSIGNED_ACTS = ("publish", "reopen")


async def cosign(actor: Actor, ballot_id: int, act: str) -> None:
    """A scrutineer confirms that a closed ballot may be published (or reopened): the second
    pair of eyes a general assembly's binding ballot needs under dual control. The confirmation
    is an audited act, valid until the ballot is closed again; the facilitator who then
    publishes must be another person."""
    require(may_cosign, actor)
    if act not in COSIGNED_ACTS:
        raise Refused("invalid_choice")
    async with write_transaction(Ballot._meta.db):
        row = await _ballot_row(ballot_id, actor.organisation_id, lock=True)
        if row["status"] != BallotStatus.CLOSED.value:
            raise Refused("not_closed")
        await audit.record(
            actor.organisation_id,
            "ballot.cosigned",
            actor_id=actor.audited_as,
            subject=f"ballot:{ballot_id}",
            details={"action": act, "round": row["round"]},
        )
    events.ballot_changed(row["organisation"], row["assembly"], ballot_id, "cosigned")


async def _assembly_kind(assembly_id: int) -> str:
    row = await Assembly.select(Assembly.kind).where(Assembly.id == assembly_id).first()
    return str(row["kind"]) if row else ""


async def needs_cosignature(organisation_id: int, assembly_id: int, is_test: bool) -> bool:
    """Whether publishing or reopening a ballot needs a scrutineer's confirmation: a binding
    ballot (not a rehearsal) of a general assembly whose rules ask for dual control."""
    if is_test or not rules.governed(await _assembly_kind(assembly_id)):
        return False
    profile = await rules.assembly_profile(organisation_id, assembly_id)
    return profile.dual_control


async def _cosigned(actor: Actor, row: Mapping[str, Any], act: str) -> dict[str, Any]:
    """The audit details naming who confirmed ``act``; refused when a confirmation is needed
    and missing (``cosignature_required``) or given by the person acting
    (``cosignature_by_another``). The app itself (the demo, the command line) needs none."""
    needed = await needs_cosignature(row["organisation"], row["assembly"], row["is_test"])
    if actor.is_system or not needed:
        return {}
    found = await audit_queries.cosignature(row["organisation"], row["id"])
    if found is None or found.action != act:
        raise Refused("cosignature_required")
    if found.person_id == actor.audited_as:
        raise Refused("cosignature_by_another")
    return {"cosigned_by": found.person_id}


async def _check_within_eligible(row: Mapping[str, Any]) -> None:
    """Refuse (``too_many_votes``) a result whose room count and electronic votes together
    exceed the members with voting rights frozen at the close: phones may have voted after
    the room count was saved, when its own check passed (#16)."""
    room = await room_count_of(row["id"], row["round"])
    if room is None:
        return
    electronic = await Participation.count().where(
        (Participation.ballot == row["id"]) & (Participation.round == row["round"])
    )
    eligible = row["eligible_at_close"] or row["eligible_at_open"]
    if eligible is not None and electronic + room.cast > eligible:
        raise Refused("too_many_votes")


async def cancel_ballot(actor: Actor, ballot_id: int, reason: str) -> None:
    """Cancel a ballot that is not published yet; the reason is shown and audited."""
    require(may_run_ballots, actor)
    reason = reason.strip()[:REASON_MAX]
    if not reason:
        raise Refused("reason_required")

    async def changes(row: dict[str, Any]) -> dict[str, Any]:
        # a secret ballot's count is sealed until published: cancelled, it is never shown
        sealed = {"result": None} if row["secret"] else {}
        return {"status": BallotStatus.CANCELLED.value, "cancel_reason": reason, **sealed}

    allowed = (BallotStatus.DRAFT, BallotStatus.OPEN, BallotStatus.CLOSED)
    await _transition(actor, ballot_id, allowed, "cancelled", changes, {"reason": reason})


async def reopen_ballot(actor: Actor, ballot_id: int, reason: str) -> int:
    """Reopen a closed, unpublished ballot; the reason is audited. Return the id of the ballot
    that takes votes now.

    A public ballot reopens as it was (votes already cast stay). A secret ballot starts afresh
    (see ``_reopen_afresh``): reopening it with its papers kept would let whoever reopens it
    learn each late voter's choice by comparing counts. Under dual control a scrutineer
    must have confirmed the reopening first (see :func:`cosign`)."""
    require(may_run_ballots, actor)
    reason = reason.strip()[:REASON_MAX]
    if not reason:
        raise Refused("reason_required")
    details: dict[str, Any] = {"reason": reason}
    if (await _ballot_row(ballot_id, actor.organisation_id))["secret"]:
        return await _reopen_afresh(actor, ballot_id, details)

    async def changes(row: dict[str, Any]) -> dict[str, Any]:
        details.update(await _cosigned(actor, row, "reopen"))
        return {
            "status": BallotStatus.OPEN.value,
            "closed_at": None,
            "eligible_at_close": None,
            "result": None,
            "closes_at": _new_deadline(row),
        }

    await _transition(actor, ballot_id, (BallotStatus.CLOSED,), "reopened", changes, details)
    return ballot_id


async def _reopen_afresh(actor: Actor, ballot_id: int, details: dict[str, Any]) -> int:
    """Reopen a secret ballot as a fresh one: the closed ballot is cancelled with the reason
    (its sealed count wiped, its papers never counted again nor shown), and a new ballot with
    the same question, options and rules opens, where everyone votes again."""

    details["afresh"] = True

    async def changes(row: dict[str, Any]) -> dict[str, Any]:
        details.update(await _cosigned(actor, row, "reopen"))
        return {
            "status": BallotStatus.CANCELLED.value,
            "cancel_reason": details["reason"],
            "result": None,
        }

    row = await _transition(actor, ballot_id, (BallotStatus.CLOSED,), "reopened", changes, details)
    options = (
        await BallotOption.select(BallotOption.key, BallotOption.label)
        .where(BallotOption.ballot == ballot_id)
        .order_by(BallotOption.position)
    )
    settings = BallotSettings(
        question=row["question"],
        method=row["method"],
        options=[(option["key"], option["label"]) for option in options],
        agenda_item_id=row["agenda_item"],
        proposal_id=row["proposal"],
        seats=row["seats"],
        secret=True,
        is_test=row["is_test"],
        allow_change=row["allow_change"],
        duration_seconds=row["duration_seconds"],
        facilitated=row["phase"] != ConsentPhase.NONE.value,
        rules=json.loads(row["rules"]),
    )
    fresh = await _insert_ballot(row["organisation"], row["assembly"], settings, actor.audited_as)
    await open_ballot(actor, fresh)
    return fresh


def _new_deadline(row: dict[str, Any]) -> datetime | None:
    duration = row["duration_seconds"]
    return datetime.now(UTC) + timedelta(seconds=duration) if duration else None


async def rerun_consent_round(actor: Actor, ballot_id: int, amendment: str) -> int:
    """After objections, keep the round's result, note how the proposal was amended, and open
    a new round (every member answers again); return the new round's number."""
    require(may_run_ballots, actor)
    amendment = amendment.strip()[:REASON_MAX]
    if not amendment:
        raise Refused("amendment_required")
    numbers: list[int] = []

    async def changes(row: dict[str, Any]) -> dict[str, Any]:
        if row["method"] not in CONSENT_METHODS or row["result"] is None:
            raise Refused("not_consent")
        earlier = json.loads(row["earlier_rounds"])
        earlier.append({"round": row["round"], "result": row["result"], "amendment": amendment})
        numbers.append(row["round"] + 1)
        facilitated = row["phase"] != ConsentPhase.NONE.value
        return {
            "status": BallotStatus.OPEN.value,
            "round": row["round"] + 1,
            "earlier_rounds": json.dumps(earlier, ensure_ascii=False),
            "phase": (ConsentPhase.QUESTIONS if facilitated else ConsentPhase.NONE).value,
            "closed_at": None,
            "eligible_at_close": None,
            "result": None,
            "closes_at": None if facilitated else _new_deadline(row),
        }

    await _transition(
        actor, ballot_id, (BallotStatus.CLOSED,), "round_rerun", changes, {"amendment": amendment}
    )
    return numbers[0]


# ---------------------------------------------------------------------------------------------
# voting


async def _options_of(ballot_id: int) -> list[str]:
    rows = (
        await BallotOption.select(BallotOption.key)
        .where(BallotOption.ballot == ballot_id)
        .order_by(BallotOption.position)
    )
    return [row["key"] for row in rows]


@dataclass(frozen=True, slots=True)
class BallotDefinition:
    """What never changes once a ballot is open: read once per process, not per vote."""

    organisation_id: int
    method: str
    keys: tuple[str, ...]
    rules: Mapping[str, Any]
    draft: bool = False  # still editable: read again each time, never cached


_DEFINITIONS: dict[int, BallotDefinition] = {}
_DEFINITIONS_KEPT = 4096


async def ballot_definition(ballot_id: int) -> BallotDefinition:
    """The ballot's organisation, method, option keys and rules: immutable once the ballot is
    open, hence cached per process from then on. A draft's may still be edited (in any
    worker), so a draft's definition is never cached."""
    found = _DEFINITIONS.get(ballot_id)
    if found is not None:
        return found
    row = (
        await Ballot.select(Ballot.organisation, Ballot.method, Ballot.rules, Ballot.status)
        .where(Ballot.id == ballot_id)
        .first()
    )
    if row is None:
        raise Refused("not_found")
    found = BallotDefinition(
        row["organisation"],
        row["method"],
        tuple(await _options_of(ballot_id)),
        json.loads(row["rules"]),
        draft=row["status"] == BallotStatus.DRAFT.value,
    )
    if found.draft:
        return found
    if len(_DEFINITIONS) >= _DEFINITIONS_KEPT:
        _DEFINITIONS.clear()
    _DEFINITIONS[ballot_id] = found
    return found


async def _checked(ballot_id: int, choice: Any) -> str:
    """Check a choice against the ballot's options before taking the write lock; return the
    JSON to store."""
    definition = await ballot_definition(ballot_id)
    if definition.draft:  # its options may still change: a draft takes no vote
        raise Refused("not_open")
    checked = check_choice(definition.method, definition.keys, definition.rules, choice)
    return json.dumps(checked, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class _Vote:
    ballot_id: int
    membership_id: int
    content: str
    token_hash: str
    code_hash: str
    at: datetime
    on_behalf: int | None = None  # the represented member a proxy holder votes for
    change_hash: str = ""
    room: int = 0  # the length every sealed paper of the ballot is padded to

    def paper(self, ballot: Mapping[str, Any], group: str) -> tuple[str, str, str]:
        """The paper's (content, receipt column, weighting group) as stored: sealed while a
        secret ballot is open (see ``votes.services.sealing``), plain for a public one."""
        if not ballot["secret"]:
            return self.content, self.code_hash, group
        round_ = ballot["round"]
        sealed = sealing.seal(
            self.ballot_id, round_, sealing.Paper(self.content, self.code_hash, group), self.room
        )
        return sealed, sealing.receipt_tag(self.ballot_id, round_, self.code_hash), ""

    @property
    def participant(self) -> int:
        """Whose vote this is: the voter's own, or the member they represent."""
        return self.membership_id if self.on_behalf is None else self.on_behalf


def _decide_presence(ballot: Mapping[str, Any], member: Mapping[str, Any], checked_in: bool) -> str:
    """The checks of a general assembly's rules (#7); return the paper's weighting group.

    In an assembly the rules govern, only members checked in (in the room, or remote when the
    statutes allow it) vote, for themselves and for those they represent; when the ballot is
    weighted by college, a voter with no college is refused rather than left out silently."""
    if rules.governed(ballot["assembly_kind"]) and not ballot["is_test"] and not checked_in:
        raise Refused("not_checked_in")
    if ballot["weight_groups"] == "college" and member["college"] is None:
        raise Refused("no_college")
    return rules.paper_group(ballot["weight_groups"], member["college"], member["category"])


def may_vote(ballot: Mapping[str, Any] | None, member: Mapping[str, Any] | None) -> None:
    """The checks every vote passes (cast, changed, or cast for a represented member), whichever
    storage writes it. Run inside the vote's write transaction: a vote checked before the
    deadline commits before the deadline's close can count (the close waits for it), and one
    checked after is refused like a vote after the close, whether or not the close has run."""
    if ballot is None:
        raise Refused("not_found")
    if ballot["status"] != BallotStatus.OPEN.value or deadline_passed(ballot["closes_at"]):
        raise Refused("not_open")
    if ballot["phase"] not in (ConsentPhase.NONE.value, ConsentPhase.CONSENT.value):
        raise Refused("not_yet")
    if (
        member is None
        or member["kind"] != MembershipKind.MEMBER.value
        or member["status"] != MembershipStatus.ACTIVE.value
    ):
        raise Refused("not_eligible")


def decide_vote(vote: _Vote, facts: VoteFacts, *, skip_voted: bool = False) -> VoteRows | datetime:
    """The one decision of a vote: the rows to write, or the time of the vote already stored
    by this same form (``skip_voted``: by any form; nothing is written), or a refusal.

    Pure but for the sealing of a secret paper."""
    ballot, member = facts.ballot, facts.voter
    may_vote(ballot, member)
    assert ballot is not None
    assert member is not None
    if vote.on_behalf is not None:
        if not facts.proxy_held or facts.principal is None:
            raise Refused("not_your_proxy")
        may_vote(ballot, facts.principal)
        member = facts.principal
    group = _decide_presence(ballot, member, facts.checked_in)
    if facts.existing is not None:
        if skip_voted or facts.existing["submission_hash"] == vote.token_hash:
            voted_at: datetime = facts.existing["voted_at"]
            return voted_at
        raise Refused("already_voted")
    content, receipt, group = vote.paper(ballot, group)
    return VoteRows(
        participant=vote.participant,
        round=ballot["round"],
        submission_hash=vote.token_hash,
        voted_at=vote.at,
        paper_voter=None if ballot["secret"] else vote.participant,
        content=content,
        receipt=receipt,
        weight_group=group,
        change_hash=vote.change_hash,
    )


async def _store(vote: _Vote, *, skip_voted: bool = False) -> tuple[datetime, bool]:
    """Store a vote with the engine's storage: (time of the vote, whether it was stored
    already). A vote for a represented member is audited (who voted for whom, never what) in
    the same transaction, which the caller opens."""
    storage = vote_storage.storage_for(Ballot._meta.db)
    decide = partial(decide_vote, vote, skip_voted=skip_voted)
    outcome = await storage.cast(vote.ballot_id, vote.membership_id, vote.on_behalf, decide)
    if not isinstance(outcome, VoteRows):
        return outcome, True
    if vote.on_behalf is not None:
        definition = await ballot_definition(vote.ballot_id)
        await audit.record(
            definition.organisation_id,
            "vote.by_proxy",
            actor_id=None,
            subject=f"ballot:{vote.ballot_id}",
            details={"holder": vote.membership_id, "represented": vote.on_behalf},
        )
    return outcome.voted_at, False


async def _prepared(
    ballot_id: int,
    membership_id: int,
    choice: Any,
    *,
    submission: str | None,
    receipt_key: str,
    on_behalf_of: int | None,
) -> tuple[_Vote, str, str]:
    """The vote to store, its receipt code and its change code."""
    content = await _checked(ballot_id, choice)
    definition = await ballot_definition(ballot_id)  # cached by _checked
    room = sealing.paper_room(
        definition.method, definition.keys, with_reason=definition.method in CONSENT_METHODS
    )
    submission = submission or new_submission_token()
    if on_behalf_of is not None:
        submission = f"{submission}:for:{on_behalf_of}"
    key = receipt_key or secrets.token_hex(16)
    code = receipt_code_for(submission, key)
    secret = change_code_for(submission, key)
    vote = _Vote(
        ballot_id,
        membership_id,
        content,
        receipt_hash(submission),
        receipt_hash(code),
        datetime.now(UTC),
        on_behalf_of,
        change_hash(ballot_id, on_behalf_of or membership_id, secret),
        room,
    )
    return vote, code, secret


async def cast_vote(
    ballot_id: int,
    membership_id: int,
    choice: Any,
    *,
    submission: str | None = None,
    receipt_key: str = "",
    on_behalf_of: int | None = None,
) -> VoteReceipt:
    """Record one member's vote and return their receipt.

    ``choice`` is in the method's shape (a response, a list of keys, a mapping of scores).
    ``submission`` is the vote form's one-time token: the same token again returns the same
    receipt (``repeated``) and writes nothing. Raises ``Refused`` when the ballot is not
    open, the member may not vote here, the choice is not valid, or the member has voted
    already with another form.

    ``on_behalf_of``: a member the voter holds a proxy for; the vote is theirs (one per
    represented member, as the participation key says) and the audit trail records who cast
    it for whom. The same form may cast the voter's own vote and each represented one: each
    gets its own receipt, derived from the form's token and the member voted for.
    """
    vote, code, secret = await _prepared(
        ballot_id,
        membership_id,
        choice,
        submission=submission,
        receipt_key=receipt_key,
        on_behalf_of=on_behalf_of,
    )
    if on_behalf_of is None:
        voted_at, repeated = await _store(vote)  # the hot path: no transaction around it
    else:
        async with write_transaction(Ballot._meta.db):
            voted_at, repeated = await _store(vote)
    if not repeated:
        events.votes_counted(ballot_id)  # committed: the turnout moved (throttled)
    return VoteReceipt(code, voted_at, repeated=repeated, change_code=secret)


async def cast_held_votes(
    ballot_id: int,
    holder_id: int,
    choice: Any,
    *,
    represented: Sequence[int],
    own: bool = False,
    submission: str | None = None,
    receipt_key: str = "",
) -> int:
    """A proxy holder casts ``choice`` for each member of ``represented`` they hold a proxy
    for (and their own vote too with ``own``), in one transaction: all are stored or none.
    A member whose vote is stored already (by any form) is passed over; return how many
    votes were stored."""
    submission = submission or new_submission_token()
    targets: list[int | None] = [None] if own else []
    targets.extend(represented)
    stored = 0
    async with write_transaction(Ballot._meta.db):
        for target in targets:
            vote, _, _ = await _prepared(
                ballot_id,
                holder_id,
                choice,
                submission=submission,
                receipt_key=receipt_key,
                on_behalf_of=target,
            )
            stored += not (await _store(vote, skip_voted=True))[1]
    if stored:
        events.votes_counted(ballot_id)
    return stored


async def change_vote(
    ballot_id: int, membership_id: int, choice: Any, *, change_code: str = ""
) -> VoteReceipt:
    """Replace a member's vote while the ballot allows it.

    A public paper is found by its voter; a secret paper only by the voter's change code
    together with the voter: the database holds neither the code nor anything that turns a
    participation into a paper, and the receipt code (shown, compared, fingerprinted in the
    published list) changes nothing. Without their change code a voter cannot change a
    secret vote; with someone else's, nobody can.
    """
    stored = await _checked(ballot_id, choice)
    code = normalise_receipt(change_code)
    async with write_transaction(Ballot._meta.db):
        facts = await vote_storage.read_facts(ballot_id, membership_id)
        may_vote(facts.ballot, facts.voter)
        ballot = facts.ballot
        assert ballot is not None
        if not ballot["allow_change"]:
            raise Refused("change_not_allowed")
        if facts.existing is None:
            raise Refused("not_voted")
        round_ = ballot["round"]
        if not ballot["secret"]:
            found = await vote_storage.replace_paper(ballot_id, round_, stored, voter=membership_id)
        else:
            if not code:
                raise Refused("receipt_required")
            hashed = change_hash(ballot_id, membership_id, code)
            stored = await _resealed(ballot_id, round_, hashed, stored)
            found = await vote_storage.replace_paper(ballot_id, round_, stored, change_hash=hashed)
        if not found:
            raise Refused("wrong_receipt")
    return VoteReceipt("", datetime.now(UTC), changed=True, change_code=code)


async def _resealed(ballot_id: int, round_: int, hashed: str, content: str) -> str:
    """A sealed paper's new content, sealed again with what it already held (its receipt and
    weighting group); ``wrong_receipt`` when no paper has the change hash ``hashed``."""
    found = await vote_storage.paper_content(
        vote_storage.paper_of(ballot_id, round_, change_hash=hashed)
    )
    if found is None:
        raise Refused("wrong_receipt")
    if not sealing.is_sealed(found):  # a paper stored before papers were sealed
        return content
    held = _unsealed(ballot_id, round_, found)
    definition = await ballot_definition(ballot_id)
    room = sealing.paper_room(
        definition.method, definition.keys, with_reason=definition.method in CONSENT_METHODS
    )
    return sealing.seal(ballot_id, round_, replace(held, content=content), room)


def _unsealed(ballot_id: int, round_: int, stored: str) -> sealing.Paper:
    try:
        return sealing.unseal(ballot_id, round_, stored)
    except sealing.SealError as error:
        logger.error("ballot %s: a sealed paper does not open: %s", ballot_id, error)
        raise Refused("sealed_key") from error


# ---------------------------------------------------------------------------------------------
# paper and show-of-hands counts


async def record_room_count(actor: Actor, ballot_id: int, count: RoomCount) -> None:
    """Store (or correct) the room's count for the ballot's current round.

    Checks: no negative number, only the ballot's options, the papers add up (see
    ``check_room_count``), and room plus electronic votes no more than the members with voting
    rights. A closed ballot is counted again with the corrected figures.
    """
    require(may_count, actor)
    organisation_id, actor_id = actor.organisation_id, actor.audited_as
    try:
        room_counts.check_not_negative(count)
    except room_counts.RoomCountError as error:
        raise Refused(error.code) from error
    async with write_transaction(Ballot._meta.db):
        row = await _ballot_row(ballot_id, organisation_id)
        if row["method"] not in PAPER_COUNT_METHODS:
            raise Refused("no_room_count")
        check_room_count(row["method"], json.loads(row["rules"]), count)
        if row["weight_groups"] == "college":  # a show of hands tells no college apart
            raise Refused("no_room_count_colleges")
        if row["status"] not in (BallotStatus.OPEN.value, BallotStatus.CLOSED.value):
            raise Refused("not_open")
        if not set(count.counts) <= set(await _options_of(ballot_id)):
            raise Refused("unknown_option")
        electronic = await Participation.count().where(
            (Participation.ballot == ballot_id) & (Participation.round == row["round"])
        )
        eligible = row["eligible_at_close"] or await eligible_count(organisation_id)
        if electronic + count.cast > eligible:
            raise Refused("too_many_votes")
        key = f"{ballot_id}:{row['round']}"
        await PaperCount.delete().where(PaperCount.count_key == key)
        await PaperCount.insert(
            PaperCount(
                ballot=ballot_id,
                count_key=key,
                counts=json.dumps(dict(count.counts), sort_keys=True),
                blank=count.blank,
                invalid=count.invalid,
                cast=count.cast,
                entered_by=actor.membership_id,
            )
        )
        await audit.record(
            organisation_id,
            "ballot.room_count",
            actor_id=actor_id,
            subject=f"ballot:{ballot_id}",
            details={"cast": count.cast, "counts": dict(count.counts)},
        )
        if row["status"] == BallotStatus.CLOSED.value:
            await _store_count(row)
    events.votes_counted(ballot_id)


def check_room_count(method: str, rules: Mapping[str, Any], count: RoomCount) -> None:
    """Refuse a room count whose papers do not add up (see
    :func:`votes.core.room_counts.check_room_count`)."""
    try:
        room_counts.check_room_count(method, rules, count)
    except room_counts.RoomCountError as error:
        raise Refused(error.code) from error


async def room_count_of(ballot_id: int, round_: int) -> RoomCount | None:
    row = await PaperCount.select().where(PaperCount.count_key == f"{ballot_id}:{round_}").first()
    if row is None:
        return None
    return RoomCount(
        counts=json.loads(row["counts"]),
        blank=row["blank"],
        invalid=row["invalid"],
        cast=row["cast"],
    )


# ---------------------------------------------------------------------------------------------
# the count


async def count_ballot(ballot_id: int) -> TallyResult:
    """Recount a ballot's current round from its stored papers, its room count and the inputs
    its close froze (the same count the close stores; ``votes audit verify`` uses it).

    Read-only: it writes nothing, and reads no live register. A ballot under the rules closed
    before its figures were frozen is refused (``not_frozen``)."""
    ballot = await Ballot.select().where(Ballot.id == ballot_id).first()
    if ballot is None:
        raise Refused("not_found")
    return (await _count(ballot))[0]


async def _count(ballot: Mapping[str, Any]) -> tuple[TallyResult, str | None]:
    """(result, the rule snapshot with the count's figures, or None when the ballot is not
    under the rules), from the ballot's row, its papers and its room count; writes nothing."""
    ballot_id = ballot["id"]
    method, round_ = ballot["method"], ballot["round"]
    candidates = await _options_of(ballot_id)
    papers = await BallotPaper.select(BallotPaper.content, BallotPaper.weight_group).where(
        (BallotPaper.ballot == ballot_id) & (BallotPaper.round == round_)
    )
    room = await room_count_of(ballot_id, round_)
    if ballot["rule_snapshot"]:
        return await _count_under_rules(ballot, candidates, papers, room)
    grouped: Counter[Any] = Counter(decode_choice(method, p["content"]) for p in papers)
    own_rules = json.loads(ballot["rules"])
    if room is not None:
        candidates = merge_room_count(method, candidates, grouped, room, own_rules)
    options = {k: v for k, v in own_rules.items() if k not in rules.BALLOT_ONLY_RULES}
    if method == "majority" and (options.get("base") == "members" or "quorum_share" in options):
        options["members"] = ballot["eligible_at_close"] or ballot["eligible_at_open"]
    count = partial(tally, method, candidates, dict(grouped), seats=ballot["seats"], **options)
    return await anyio.to_thread.run_sync(count), None


async def _count_under_rules(
    ballot: Mapping[str, Any],
    candidates: list[str],
    papers: list[dict[str, Any]],
    room: RoomCount | None,
) -> tuple[TallyResult, str]:
    """Count a ballot of a general assembly under the rule snapshot frozen at its open (#7)
    and the figures frozen at its close (#16): papers by weighting group, the room's count,
    blank proxies, quorum and majority; return the result and the snapshot with the count's
    figures and each college's breakdown (stored by the caller, never here)."""
    method = ballot["method"]
    by_group: dict[str, Counter[Any]] = {}
    for paper in papers:
        found = by_group.setdefault(paper["weight_group"], Counter())
        found[decode_choice(method, paper["content"])] += 1
    if room is not None:
        candidates = merge_room_count(
            method,
            candidates,
            by_group.setdefault("", Counter()),
            room,
            json.loads(ballot["rules"]),
        )
    snapshot = json.loads(ballot["rule_snapshot"])
    figures = rules.frozen_figures(snapshot)
    if figures is None and ballot["status"] in (BallotStatus.OPEN.value, BallotStatus.DRAFT.value):
        # a ballot still open is counted as the register stands now (nothing is frozen yet)
        figures = await rules.close_figures(
            ballot["organisation"], ballot["assembly"], snapshot, ballot["weight_groups"]
        )
    if figures is None:
        raise Refused("not_frozen")
    options = {
        k: v for k, v in json.loads(ballot["rules"]).items() if k not in rules.BALLOT_ONLY_RULES
    }
    if method == "majority" and (options.get("base") == "members" or "quorum_share" in options):
        options["members"] = ballot["eligible_at_close"] or ballot["eligible_at_open"]
    judge = partial(
        rules.judge,
        method,
        candidates,
        by_group,
        seats=ballot["seats"],
        options=options,
        snapshot=snapshot,
        figures=figures,
        secret=ballot["secret"],
    )
    judgement = await anyio.to_thread.run_sync(judge)
    snapshot["count"] = json.loads(json.dumps(judgement.notes, default=str))
    return judgement.result, json.dumps(snapshot, sort_keys=True)

"""A ballot's lifecycle: open, consent phases, close (by hand or at the deadline), publish with
dual control, cancel, reopen and rerun a consent round."""

from __future__ import annotations

import json
import logging
import random
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from votes.core import judging
from votes.core.choices import REASON_MAX
from votes.core.papers import CONSENT_METHODS
from votes.core.results import TallyError, TallyResult
from votes.db import audit_queries
from votes.db.engine import erase_wal, write_transaction
from votes.db.tables import (
    Amendment,
    AmendmentStatus,
    Assembly,
    AssemblyStatus,
    Ballot,
    BallotOption,
    BallotPaper,
    BallotStatus,
    ConsentPhase,
    Participation,
)
from votes.db.voting_rules import eligible_count, phase_takes_votes
from votes.services import (
    attendance,
    audit,
    ballot_mails,
    events,
    minutes,
    postal_close,
    rules,
    sealing,
)
from votes.services.actors import (
    Actor,
    actor_for,
    may_cosign,
    may_run_ballots,
    require,
)
from votes.services.ballots import network_counts
from votes.services.ballots.counting import count_round, room_count_of, store_count
from votes.services.ballots.drafts import BallotSettings, insert_ballot
from votes.services.ballots.rows import ballot_row, unsealed
from votes.services.refusals import Refused, given_reason

logger = logging.getLogger("votes.ballots")


PHASES = (ConsentPhase.QUESTIONS, ConsentPhase.REACTIONS, ConsentPhase.CONSENT)


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
        row = await ballot_row(ballot_id, actor.organisation_id, lock=True)
        await minutes.refuse_if_final(row["assembly"])
        if row["status"] not in {status.value for status in allowed}:
            raise Refused(f"not_{allowed[0].value}" if len(allowed) == 1 else "finished")
        values = await changes(row)
        if values.get("status") == BallotStatus.OPEN.value:  # open, reopen, a new round
            await _refuse_if_assembly_closed(row["assembly"])
        await Ballot.update({getattr(Ballot, name): v for name, v in values.items()}).where(
            Ballot.id == ballot_id
        )
        await audit.record_act(actor, f"ballot.{action}", f"ballot:{ballot_id}", details)
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
    reason = given_reason(reason, REASON_MAX)

    async def changes(row: dict[str, Any]) -> dict[str, Any]:
        if row["proposal"] is not None and await _amendments_pending_vote(row):
            if not reason:
                raise Refused("amendments_pending_vote")
            sealed["reason"] = reason
        sealed.update(await audit.seal_records(ballot_id, row["round"]))
        takes_votes = phase_takes_votes(row["phase"])
        values = {
            "status": BallotStatus.OPEN.value,
            "opened_at": datetime.now(UTC),
            # a facilitated consent ballot's countdown starts with its consent round
            "closes_at": _new_deadline(row) if takes_votes else None,
            "eligible_at_open": await eligible_count(row["organisation"]),
            **await _rules_at_open(row),
        }
        # a ballot open for hours or days is mailed to its voters, with the opening (#18)
        await ballot_mails.queue_opened({**row, **values})
        return values

    await _transition(actor, ballot_id, (BallotStatus.DRAFT,), "opened", changes, sealed)


async def _refuse_if_assembly_closed(assembly_id: int) -> None:
    """A closed assembly takes no more votes: none of its ballots opens again."""
    if await Assembly.exists().where(
        (Assembly.id == assembly_id) & (Assembly.status == AssemblyStatus.CLOSED.value)
    ):
        raise Refused("assembly_closed")


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
    """The general-assembly rules a ballot opens under: the profile's rule frozen with
    its source, how papers are grouped for weighting, and who is present or represented.

    In a network the network's sharing rule is frozen instead of the profile's: its
    ballots are counted per head and per cooperative (``network_counts``)."""
    own_rules = json.loads(row["rules"])
    network = await network_counts.freeze_at_open(row["organisation"], row["method"], own_rules)
    if network is not None:
        snapshot: dict[str, Any] | None = {network_counts.NETWORK_KEY: network}
        groups = network_counts.weight_groups(network)
    else:
        snapshot, groups = await rules.ballot_snapshot(
            row["organisation"],
            row["assembly"],
            method=row["method"],
            rules=own_rules,
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


async def close_ballot(
    actor: Actor, ballot_id: int, *, reason: str | None = None, leave_pending: bool = False
) -> TallyResult:
    """Freeze the ballot and everything its count depends on (eligible, present, represented,
    the register's figures by college or category), count its papers with the tally core (off
    the event loop) and store the result with the rules it was computed under: all in one
    transaction, so no ballot is ever closed without its count (#16). The close's audit entry
    seals the ballot box: a digest of the stored papers that ``votes audit verify``
    recomputes; ``reason`` says why when the platform closes it by itself (``time_is_up``).
    Paper postal forms awaiting a second scrutineer refuse the close unless ``leave_pending``
    (the facilitator was told) or the platform closes it (nobody to ask)."""
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
        if row["weight_groups"] not in network_counts.NETWORK_GROUPS:  # a network has none (#20)
            values.update(  # the postal channel (#18)
                await postal_close.freeze_channel(
                    row, values, sealed, leave_pending=leave_pending or reason is not None
                )
            )
        try:
            result, snapshot = await count_round({**row, **values})
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
    if network_counts.NETWORK_KEY in snapshot:  # a network's ballot: its rule is frozen (#20)
        return {}
    figures = await rules.close_figures(
        row["organisation"], row["assembly"], snapshot, row["weight_groups"]
    )
    snapshot[judging.FROZEN_KEY] = judging.figures_to_data(figures)
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
                ballot = await ballot_row(row["id"], row["organisation"], lock=True)
                if ballot["status"] != BallotStatus.CLOSED.value or ballot["result"] is not None:
                    continue
                values = await _frozen_figures(ballot)
                await store_count({**ballot, **values})
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
            held = unsealed(ballot_id, round_, paper["content"])
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
        # the amendment or proposal the ballot decides follows its result (#16); amendments
        # imports this module, hence the import here
        from votes.services import amendments

        await amendments.follow_published_vote(row, actor.audited_as)
        await ballot_mails.queue_result(row)  # to those who want results (#18)
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
        row = await ballot_row(ballot_id, actor.organisation_id, lock=True)
        await minutes.refuse_if_final(row["assembly"])
        if row["status"] != BallotStatus.CLOSED.value:
            raise Refused("not_closed")
        await audit.record_act(
            actor, "ballot.cosigned", f"ballot:{ballot_id}", {"action": act, "round": row["round"]}
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
    reason = given_reason(reason, REASON_MAX, required="reason_required")

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
    reason = given_reason(reason, REASON_MAX, required="reason_required")
    details: dict[str, Any] = {"reason": reason}
    closed = await ballot_row(ballot_id, actor.organisation_id)
    if closed["secret"]:
        # checked before the closed ballot is cancelled for a fresh one that could not open
        await _refuse_if_assembly_closed(closed["assembly"])
        return await _reopen_afresh(actor, ballot_id, details)

    async def changes(row: dict[str, Any]) -> dict[str, Any]:
        details.update(await _cosigned(actor, row, "reopen"))
        values = {
            "status": BallotStatus.OPEN.value,
            "closed_at": None,
            "eligible_at_close": None,
            "result": None,
            "closes_at": _new_deadline(row),
        }
        # those who may vote learn that a ballot of an hour or more is open again (#18)
        await ballot_mails.queue_reopened({**row, **values}, row["closed_at"], reason)
        return values

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
    fresh = await insert_ballot(row["organisation"], row["assembly"], settings, actor.audited_as)
    await postal_close.carry_over(ballot_id, fresh)  # the same resolution: its postal forms
    await open_ballot(actor, fresh)
    return fresh


def _new_deadline(row: dict[str, Any]) -> datetime | None:
    duration = row["duration_seconds"]
    return datetime.now(UTC) + timedelta(seconds=duration) if duration else None


async def rerun_consent_round(actor: Actor, ballot_id: int, amendment: str) -> int:
    """After objections, keep the round's result, note how the proposal was amended, and open
    a new round (every member answers again); return the new round's number."""
    require(may_run_ballots, actor)
    amendment = given_reason(amendment, REASON_MAX, required="amendment_required")
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

"""Votes by correspondence before the assembly: a member's advance-vote form (the paper
forms a scrutineer enters are :mod:`votes.services.paper_forms`, the channel each resolution's
close adds to the room's count :mod:`votes.services.postal_close`).

Which ballots a postal form answers: the assembly's draft ballots under the general-assembly
rules that decide a resolution (majority method, not a test, not an amendment's ballot). The
form is taken from the convocation (the assembly is ``convened``) until the profile's deadline,
and changed until then: the latest answer counts, one per member and ballot (a unique key in
the database, so two tabs or a double tap never make two).

Secrecy: see :mod:`votes.db.tables.advance_votes` (who and what in two tables; the keyed tag
of the outer envelope is erased by the close, which also writes the papers again in random
order). A room vote on a ballot the member answered by correspondence is refused when the
profile says the advance vote stands; when the room replaces it, the close leaves the form out.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from votes.core import postal
from votes.core.rules import PostalRule, RuleProfile
from votes.db.engine import write_transaction
from votes.db.queries import own_row
from votes.db.tables import (
    AdvanceChannel,
    AdvancePaper,
    AdvanceParticipation,
    AdvanceStatus,
    Amendment,
    Assembly,
    AssemblyStatus,
    Ballot,
    BallotStatus,
    Membership,
    Organisation,
    advance_key,
)
from votes.db.voting_rules import has_voting_rights
from votes.services import audit, minutes, rules, sealing
from votes.services.actors import Actor, may_take_part, require
from votes.services.refusals import Refused, owned_row


@dataclass(frozen=True, slots=True)
class Window:
    """When an assembly's postal form is open, under its profile."""

    rule: PostalRule
    deadline: datetime
    convened: bool
    refusal: str  # "" while the form is taken

    @property
    def open(self) -> bool:
        return not self.refusal


@dataclass(frozen=True, slots=True)
class Resolution:
    """A ballot the postal form answers."""

    ballot_id: int
    question: str
    secret: bool
    answer: str  # the member's current answer ("" when none)
    channel: str  # online, paper ("" when none)
    pending: bool  # a paper form awaiting its second scrutineer


def tag_of(ballot_id: int, membership_id: int) -> str:
    """The outer envelope: a keyed tag of (ballot, voter) under the instance's secret key,
    which the database never holds."""
    message = f"advance:{ballot_id}:{membership_id}".encode()
    return hmac.new(sealing._key(), message, hashlib.sha256).hexdigest()


async def assembly_row(organisation_id: int, assembly_id: int) -> dict[str, Any]:
    return await owned_row(
        Assembly,
        organisation_id,
        assembly_id,
        Assembly.id,
        Assembly.kind,
        Assembly.status,
        Assembly.starts_at,
    )


async def _zone(organisation_id: int) -> ZoneInfo:
    row = (
        await Organisation.select(Organisation.time_zone)
        .where(Organisation.id == organisation_id)
        .first()
    )
    try:
        return ZoneInfo(str(row["time_zone"]) if row else "Europe/Paris")
    except (ValueError, KeyError):
        return ZoneInfo("Europe/Paris")


async def window(organisation_id: int, assembly_id: int, *, now: datetime | None = None) -> Window:
    """The postal form's window for this assembly, now."""
    assembly = await assembly_row(organisation_id, assembly_id)
    profile = await rules.assembly_profile(organisation_id, assembly_id)
    rule = profile.postal
    deadline = postal.postal_deadline(assembly["starts_at"], rule, await _zone(organisation_id))
    convened = assembly["status"] == AssemblyStatus.CONVENED.value
    refusal = postal.form_refusal(
        rule, convened=convened, now=now or datetime.now(UTC), deadline=deadline
    )
    if not rules.governed(assembly["kind"]) and not refusal:
        refusal = "postal_not_allowed"  # a plenary has no statutory postal vote
    return Window(rule, deadline, convened, refusal)


async def amendment_ballots(assembly_id: int) -> set[int]:
    rows = await Amendment.select(Amendment.ballot_id).where(
        Amendment.ballot_id.is_not_null() & (Amendment.proposal.assembly == assembly_id)
    )
    return {int(row["ballot_id"]) for row in rows}


async def resolution_rows(organisation_id: int, assembly_id: int) -> list[dict[str, Any]]:
    """The assembly's ballots a postal form answers (any status: the page shows them all)."""
    rows = (
        await Ballot.select(Ballot.id, Ballot.question, Ballot.secret, Ballot.status, Ballot.rules)
        .where(
            (Ballot.organisation == organisation_id)
            & (Ballot.assembly == assembly_id)
            & (Ballot.method == "majority")
            & (Ballot.is_test == False)  # noqa: E712 - Piccolo builds SQL from ==
            & (Ballot.status != BallotStatus.CANCELLED.value)
        )
        .order_by(Ballot.id)
    )
    amendments = await amendment_ballots(assembly_id)
    return [
        dict(row)
        for row in rows
        if row["id"] not in amendments
        and json.loads(row["rules"]).get("rule", "profile") == "profile"
    ]


async def resolutions(actor: Actor, assembly_id: int) -> list[Resolution]:
    """The resolutions of the assembly with this member's current answers."""
    organisation_id = actor.organisation_id
    await assembly_row(organisation_id, assembly_id)
    rows = await resolution_rows(organisation_id, assembly_id)
    member = actor.membership_id
    mine: dict[int, dict[str, Any]] = {}
    if member is not None and rows:
        found = await AdvanceParticipation.select(
            AdvanceParticipation.ballot, AdvanceParticipation.channel, AdvanceParticipation.status
        ).where(
            (AdvanceParticipation.assembly == assembly_id)
            & (AdvanceParticipation.membership == member)
        )
        mine = {int(r["ballot"]): dict(r) for r in found}
    out = []
    for row in rows:
        answer = ""
        seen = mine.get(row["id"])
        if seen is not None and member is not None:
            paper = (
                await AdvancePaper.select(AdvancePaper.answer)
                .where(
                    (AdvancePaper.ballot == row["id"])
                    & (AdvancePaper.tag == tag_of(row["id"], member))
                )
                .first()
            )
            answer = str(paper["answer"]) if paper else ""
        out.append(
            Resolution(
                ballot_id=row["id"],
                question=row["question"],
                secret=row["secret"],
                answer=answer,
                channel=str(seen["channel"]) if seen else "",
                pending=bool(seen and seen["status"] == AdvanceStatus.PENDING.value),
            )
        )
    return out


def checked_answers(answers: Mapping[int, str], allowed: set[int]) -> dict[int, str]:
    chosen = {b: a for b, a in answers.items() if a}
    if not chosen:
        raise Refused("postal_nothing_chosen")
    for ballot_id, answer in chosen.items():
        if ballot_id not in allowed:
            raise Refused("not_found")  # another assembly's ballot, or a forged id
        if answer not in postal.ANSWERS:
            raise Refused("postal_bad_answer")
    return chosen


async def voter_row(organisation_id: int, membership_id: int) -> dict[str, Any]:
    row = await own_row(
        Membership, organisation_id, membership_id, Membership.kind, Membership.status
    )
    if row is None or not has_voting_rights(row["kind"], row["status"]):
        raise Refused("postal_not_voter")
    return dict(row)


async def cast_advance_votes(
    actor: Actor, assembly_id: int, answers: Mapping[int, str]
) -> list[int]:
    """Store (or change) the member's own answers by correspondence: ballot id -> yes, no or
    abstain (an empty answer leaves that resolution as it was). All are stored or none.
    Return the ballots answered."""
    require(may_take_part, actor)
    member = actor.membership_id
    if member is None:
        raise Refused("read_only")
    organisation_id = actor.organisation_id
    for attempt in (1, 2):
        try:
            return await _cast(actor, organisation_id, assembly_id, member, answers)
        except Refused:
            raise
        except Exception as error:  # another tab inserted the same key first: once more
            if attempt == 2 or not _is_unique_violation(error):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _is_unique_violation(error: Exception) -> bool:
    text = str(error).lower()
    return "unique" in text or "duplicate" in text


async def _cast(
    actor: Actor,
    organisation_id: int,
    assembly_id: int,
    member: int,
    answers: Mapping[int, str],
) -> list[int]:
    async with write_transaction(Ballot._meta.db):
        await minutes.refuse_if_final(assembly_id)
        found = await window(organisation_id, assembly_id)
        if found.refusal:
            raise Refused(found.refusal)
        sheet = await answer_sheet(
            organisation_id, assembly_id, member, answers, AdvanceChannel.ONLINE, None
        )
        for ballot_id in sorted(sheet.chosen):
            if sheet.rows[ballot_id]["status"] != BallotStatus.DRAFT.value:
                raise Refused("postal_ballot_started")
            existing = (
                await AdvanceParticipation.select(AdvanceParticipation.channel)
                .where(AdvanceParticipation.advance_key == advance_key(ballot_id, member))
                .first()
            )
            if existing is not None and existing["channel"] == AdvanceChannel.PAPER.value:
                raise Refused("postal_paper_entered")
            await sheet.store(ballot_id, AdvanceStatus.COUNTED, replace=existing is not None)
        await audit.record_act(
            actor,
            "postal.voted",
            f"assembly:{assembly_id}",
            {"ballots": sorted(sheet.chosen), "channel": "online"},  # never the answers
        )
    return sorted(sheet.chosen)


@dataclass(frozen=True, slots=True)
class AnswerSheet:
    """A member's checked answers by correspondence (their own online, or a paper form a
    scrutineer enters), with the resolutions' rows and the frozen profile that storing them
    needs: :func:`answer_sheet` reads it inside the act's write transaction."""

    organisation_id: int
    assembly_id: int
    member: int
    rows: dict[int, dict[str, Any]]  # the assembly's resolutions by ballot id
    chosen: dict[int, str]  # ballot id -> answer
    profile: RuleProfile
    channel: AdvanceChannel
    entered_by: int | None  # the scrutineer's membership for a paper form

    async def store(self, ballot_id: int, status: AdvanceStatus, *, replace: bool) -> None:
        await store_form(
            self.organisation_id,
            self.assembly_id,
            ballot_id,
            self.member,
            self.chosen[ballot_id],
            secret=self.rows[ballot_id]["secret"],
            stands=self.profile.postal.stands,
            channel=self.channel,
            status=status,
            entered_by=self.entered_by,
            replace=replace,
        )


async def answer_sheet(
    organisation_id: int,
    assembly_id: int,
    member: int,
    answers: Mapping[int, str],
    channel: AdvanceChannel,
    entered_by: int | None,
) -> AnswerSheet:
    """``answers`` checked against the assembly's resolutions, from a member with voting
    rights; the assembly's profile is frozen."""
    rows = {r["id"]: r for r in await resolution_rows(organisation_id, assembly_id)}
    chosen = checked_answers(answers, set(rows))
    await voter_row(organisation_id, member)
    profile = await rules.freeze_assembly_profile(organisation_id, assembly_id)
    return AnswerSheet(
        organisation_id, assembly_id, member, rows, chosen, profile, channel, entered_by
    )


async def store_form(
    organisation_id: int,
    assembly_id: int,
    ballot_id: int,
    member: int,
    answer: str,
    *,
    secret: bool,
    stands: bool,
    channel: AdvanceChannel,
    status: AdvanceStatus,
    entered_by: int | None,
    replace: bool,
) -> None:
    tag = tag_of(ballot_id, member)
    now = datetime.now(UTC)
    if replace:
        await AdvanceParticipation.update(
            {AdvanceParticipation.answered_at: now, AdvanceParticipation.stands: stands}
        ).where(AdvanceParticipation.advance_key == advance_key(ballot_id, member))
        await AdvancePaper.delete().where(
            (AdvancePaper.ballot == ballot_id) & (AdvancePaper.tag == tag)
        )
    else:
        await AdvanceParticipation.insert(
            AdvanceParticipation(
                organisation=organisation_id,
                assembly=assembly_id,
                ballot=ballot_id,
                membership=member,
                advance_key=advance_key(ballot_id, member),
                channel=channel.value,
                status=status.value,
                stands=stands,
                entered_by=entered_by,
                answered_at=now,
            )
        )
    await AdvancePaper.insert(
        AdvancePaper(
            id=uuid.uuid4(),
            ballot=ballot_id,
            voter=None if secret else member,
            answer=answer,
            tag=tag,
        )
    )


async def room_vote_refused(ballot_id: int, membership_id: int) -> bool:
    """Whether the member's advance vote on this ballot stands, so the room takes none."""
    return bool(
        await AdvanceParticipation.exists().where(
            (AdvanceParticipation.advance_key == advance_key(ballot_id, membership_id))
            & (AdvanceParticipation.status == AdvanceStatus.COUNTED.value)
            & (AdvanceParticipation.stands == True)  # noqa: E712
        )
    )

"""Votes: cast (one's own, for a represented member, or all one holds at once), changed, decided
once whichever storage writes them (``votes.db.vote_storage``).

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
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

from votes.core import choices
from votes.core.papers import CONSENT_METHODS
from votes.core.receipts import (
    change_code_for,
    change_hash,
    normalise_receipt,
    receipt_code_for,
    receipt_hash,
)
from votes.db import vote_storage
from votes.db.engine import write_transaction
from votes.db.tables import (
    AssemblyStatus,
    Ballot,
    BallotStatus,
)
from votes.db.vote_storage import VoteFacts, VoteRows
from votes.db.voting_rules import has_voting_rights, phase_takes_votes
from votes.services import audit, events, rules, sealing
from votes.services.ballots.rows import ballot_definition, deadline_passed, unsealed
from votes.services.refusals import Refused


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
    """The checks of a general assembly's rules; return the paper's weighting group.

    In an assembly the rules govern, only members checked in (in the room, or remote when the
    statutes allow it) vote, for themselves and for those they represent; when the ballot is
    weighted by college, a voter with no college is refused rather than left out silently."""
    if rules.governed(ballot["assembly_kind"]) and not ballot["is_test"] and not checked_in:
        raise Refused("not_checked_in")
    if ballot["weight_groups"] == "college" and member["college"] is None:
        raise Refused("no_college")
    return rules.paper_group(
        ballot["weight_groups"], member["college"], member["category"], member["delegated_by"]
    )


def may_vote(ballot: Mapping[str, Any] | None, member: Mapping[str, Any] | None) -> None:
    """The checks every vote passes (cast, changed, or cast for a represented member), whichever
    storage writes it. Run inside the vote's write transaction: a vote checked before the
    deadline commits before the deadline's close can count (the close waits for it), and one
    checked after is refused like a vote after the close, whether or not the close has run."""
    if ballot is None:
        raise Refused("not_found")
    if ballot["status"] != BallotStatus.OPEN.value or deadline_passed(ballot["closes_at"]):
        raise Refused("not_open")
    if ballot["assembly_status"] == AssemblyStatus.CLOSED.value:
        raise Refused("assembly_closed")  # its assembly is over, whatever the ballot says
    if not phase_takes_votes(ballot["phase"]):
        raise Refused("not_yet")
    if member is None or not has_voting_rights(member["kind"], member["status"]):
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
    if facts.by_post and facts.existing is None:
        raise Refused("voted_by_post")  # their answer by correspondence stands (#18)
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
        # the member's last word is what counts: the register shows when they gave it
        at = datetime.now(UTC)
        await vote_storage.touch_participation(ballot_id, membership_id, round_, at)
    return VoteReceipt("", at, changed=True, change_code=code)


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
    held = unsealed(ballot_id, round_, found)
    definition = await ballot_definition(ballot_id)
    room = sealing.paper_room(
        definition.method, definition.keys, with_reason=definition.method in CONSENT_METHODS
    )
    return sealing.seal(ballot_id, round_, replace(held, content=content), room)

"""Preparing ballots: the settings a facilitator chooses, checked; creating and editing drafts."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from votes.core import METHODS, tally
from votes.core.ballots import exact_fraction
from votes.core.consent import CONSENSUS_RESPONSES, CONSENT_RESPONSES
from votes.core.papers import CONSENT_METHODS, LOT_METHODS
from votes.core.results import TallyError
from votes.db.engine import insert_row, write_transaction
from votes.db.tables import (
    Ballot,
    BallotOption,
    BallotStatus,
    ConsentPhase,
)
from votes.i18n import gettext as _
from votes.services import audit, minutes, rules
from votes.services.actors import (
    Actor,
    may_run_assemblies,
    require,
)
from votes.services.ballots.rows import DEFINITIONS, ballot_row
from votes.services.refusals import Refused

MULTI_SEAT_METHODS = frozenset({"plurality", "approval", "score", "borda", "stv", "meek_stv"})


CONDORCET_METHODS = frozenset({"schulze", "ranked_pairs"})


RESPONSE_METHODS = frozenset({"majority", *CONSENT_METHODS, "plurality"})


QUESTION_MAX = 300


LABEL_MAX = 300


KEY_MAX = 40


OPTIONS_MAX = 60


DURATION_DAYS_MAX = 28  # a decision between assemblies may stay open four weeks


DURATION_MAX = DURATION_DAYS_MAX * 24 * 3600


SEATS_MAX = OPTIONS_MAX - 1  # a ballot elects fewer than its options


THRESHOLD_DENOMINATOR_MAX = 1000  # 1/2, 2/3, 3/5… a majority nobody could read is refused


def threshold_share(value: object) -> Fraction | None:
    """The share a majority ballot requires, as typed ("2/3", "0.6"), if it is one: strictly
    between 0 and 1, in ASCII digits, with a denominator a person writes (at most 1,000)."""
    try:
        share = exact_fraction("threshold", value)
    except TallyError:
        return None
    if not 0 < share < 1 or share.denominator > THRESHOLD_DENOMINATOR_MAX:
        return None
    return share


def same_labels(labels: Iterable[str]) -> bool:
    """Whether two of ``labels`` name the same option, whatever their case and spaces."""
    seen: set[str] = set()
    for label in labels:
        name = " ".join(label.casefold().split())
        if name in seen:
            return True
        seen.add(name)
    return False


def default_options(method: str) -> list[tuple[str, str]]:
    """The options a ballot of ``method`` starts with, in the current language: a majority's
    answers, or the responses of a consent or consensus round (none for a choice between
    candidates). The one list the ballot form and a proposal put to the vote both use."""
    if method == "majority":
        return [("yes", _("For")), ("no", _("Against")), ("abstain", _("Abstention"))]
    responses = {"consent": CONSENT_RESPONSES, "consensus": CONSENSUS_RESPONSES}.get(method, ())
    labels = _response_labels()
    return [(response, labels[response]) for response in responses]


def _response_labels() -> dict[str, str]:
    """The words of a consent or consensus round's responses (the tally's own keys, in its
    order) in the current language; « Stand aside » serves both rounds."""
    return {
        "consent": _("Consent"),
        "concern": _("Consent with a concern"),
        "stand_aside": _("Stand aside"),
        "objection": _("Objection"),
        "agree": _("Agree"),
        "reservations": _("Agree with reservations"),
        "abstain": _("Abstain"),
        "block": _("Block"),
    }


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
        raise Refused("question_required", field="question")
    if settings.method not in METHODS:
        raise Refused("unknown_method")
    keys = [key for key, _ in settings.options]
    if len(keys) < 2 or len(keys) > OPTIONS_MAX:
        raise Refused("too_few_options")
    if len(set(keys)) != len(keys) or any(not k or len(k) > KEY_MAX for k in keys):
        raise Refused("duplicate_option")
    if any(not label.strip() or len(label) > LABEL_MAX for _, label in settings.options):
        raise Refused("label_required", field="options")
    if same_labels(label for _, label in settings.options):
        raise Refused("same_label", field="options")
    if settings.seats < 1 or (settings.seats > 1 and settings.method not in MULTI_SEAT_METHODS):
        raise Refused("bad_seats")
    if settings.seats >= len(keys) and settings.seats > 1:
        raise Refused("bad_seats")
    if settings.duration_seconds is not None and not 0 < settings.duration_seconds <= DURATION_MAX:
        raise Refused("bad_duration")
    given = settings.rules or {}
    if "threshold" in given and threshold_share(given["threshold"]) is None:
        raise Refused("bad_threshold", field="threshold")
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
    return await create_draft(
        actor,
        assembly_id,
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
        ),
    )


async def create_draft(actor: Actor, assembly_id: int, settings: BallotSettings) -> int:
    """:func:`create_ballot` with its settings already gathered (the ballot form's, a copy's)."""
    require(may_run_assemblies, actor)
    settings = _normalised(settings)
    check_settings(settings)
    return await insert_ballot(actor.organisation_id, assembly_id, settings, actor.audited_as)


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
        # the same seeded lot for a tie that changes the result; one that cannot is
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


def _columns(settings: BallotSettings) -> dict[str, Any]:
    """The ballot's columns its settings decide, as a new draft and an edit write them."""
    phase = ConsentPhase.QUESTIONS if settings.facilitated else ConsentPhase.NONE
    return {name: getattr(settings, name) for name in _EDITABLE} | {
        "phase": phase.value,
        "rules": json.dumps(dict(settings.rules or {}), sort_keys=True),
    }


async def _insert_options(ballot_id: int, options: Sequence[tuple[str, str]]) -> None:
    """The ballot's options in display order, their labels trimmed."""
    await BallotOption.insert(
        *(
            BallotOption(ballot=ballot_id, position=index, key=key, label=label.strip())
            for index, (key, label) in enumerate(options, start=1)
        )
    )


async def edit_draft(actor: Actor, ballot_id: int, settings: BallotSettings) -> None:
    """Change a draft ballot: its question, method, options, seats, secrecy, countdown, rules…
    (a typo, a forgotten candidate). Once the ballot is open nothing changes any more: votes
    are checked against these options (``not_editable``). The ballot keeps its assembly, agenda
    item and proposal; the edit is audited with what changed."""
    require(may_run_assemblies, actor)
    async with write_transaction(Ballot._meta.db):
        row = await ballot_row(ballot_id, actor.organisation_id, lock=True)
        await minutes.refuse_if_final(row["assembly"])
        if row["status"] != BallotStatus.DRAFT.value:
            raise Refused("not_editable")
        settings = _normalised(settings, json.loads(row["rules"]))
        check_settings(settings)
        before = (
            await BallotOption.select(BallotOption.key, BallotOption.label)
            .where(BallotOption.ballot == ballot_id)
            .order_by(BallotOption.position)
        )
        values = _columns(settings)
        changed = sorted(name for name, value in values.items() if row[name] != value)
        options = [(key, label.strip()) for key, label in settings.options]
        if [(o["key"], o["label"]) for o in before] != options:
            changed.append("options")
        await Ballot.update({getattr(Ballot, name): v for name, v in values.items()}).where(
            Ballot.id == ballot_id
        )
        await BallotOption.delete().where(BallotOption.ballot == ballot_id)
        await _insert_options(ballot_id, options)
        await audit.record_act(
            actor,
            "ballot.edited",
            f"ballot:{ballot_id}",
            {"question": settings.question, "method": settings.method, "changed": changed},
        )
    DEFINITIONS.pop(ballot_id, None)  # this process's copy (drafts are not cached anyway)


async def insert_ballot(
    organisation_id: int, assembly_id: int, settings: BallotSettings, actor_id: int | None
) -> int:
    async with write_transaction(Ballot._meta.db):
        await minutes.refuse_if_final(assembly_id)
        ballot_id = await insert_row(
            Ballot(
                organisation=organisation_id,
                assembly=assembly_id,
                agenda_item=settings.agenda_item_id,
                proposal=settings.proposal_id,
                **_columns(settings),
            )
        )
        await _insert_options(ballot_id, settings.options)
        await audit.record(
            organisation_id,
            "ballot.created",
            actor_id=actor_id,
            subject=f"ballot:{ballot_id}",
            details={"question": settings.question, "method": settings.method},
        )
    return ballot_id

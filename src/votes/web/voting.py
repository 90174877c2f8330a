"""What the ballot pages need besides the controller: reading a choice from a vote form, the
ranked-ballot taps, words for the service's refusal codes, and result views (labels instead of
option keys, the pairwise matrix, both counting channels)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from litestar.datastructures import FormMultiDict

from votes.core.explain import explain
from votes.core.results import Message, Round, TallyResult
from votes.db.ballot_queries import BallotView
from votes.i18n import gettext as _
from votes.services import ballots as service
from votes.web.labels import N_

MAX_FIELD = 1000

# the service's refusal codes, in words, with the HTTP status each deserves
REFUSALS: dict[str, tuple[str, int]] = {
    "not_open": (N_("This ballot is closed: your vote was not counted."), 409),
    "not_yet": (N_("Votes are not taken yet: the round is still being discussed."), 409),
    "already_voted": (N_("You have already voted in this ballot: your vote is counted once."), 409),
    "not_eligible": (N_("You cannot vote in this ballot (observers do not vote)."), 403),
    "not_found": (N_("This ballot does not exist."), 404),
    "unknown_option": (N_("That choice is not one of this ballot's options."), 422),
    "duplicate_option": (N_("Each option can appear only once."), 422),
    "empty_ranking": (N_("Choose at least one option, in your order of preference."), 422),
    "empty_scores": (N_("Give a score to at least one option."), 422),
    "too_many_approvals": (N_("You have approved more options than this ballot allows."), 422),
    "too_few_approvals": (N_("You have approved fewer options than this ballot requires."), 422),
    "score_out_of_range": (N_("A score is outside the ballot's scale."), 422),
    "reason_required": (N_("Please give the reason for your objection."), 422),
    "change_not_allowed": (N_("Votes cannot be changed in this ballot."), 409),
    "not_voted": (N_("You have not voted in this ballot yet."), 409),
    "receipt_required": (N_("Enter your receipt code to change a secret vote."), 422),
    "wrong_receipt": (N_("This receipt code does not match your vote."), 422),
    "not_draft": (N_("Only a ballot in preparation can be opened."), 409),
    "not_editable": (
        N_("Only a ballot in preparation can be edited: once open, its settings are fixed."),
        409,
    ),
    "not_closed": (N_("Only a closed ballot can be published, reopened or run again."), 409),
    "finished": (N_("This ballot is already published or cancelled."), 409),
    "not_counted": (N_("The count is not finished yet."), 409),
    "not_countable": (
        N_(
            "The papers cannot be counted under this ballot's settings (a tie only a lot "
            "could settle, and no lot was seeded): the ballot stays open; cancel it and "
            "prepare it again with a tie-break."
        ),
        409,
    ),
    "amendments_pending_vote": (
        N_(
            "An amendment to this motion is put to the vote and its result is not published: "
            "vote on the amendments first, or say why the motion opens now."
        ),
        409,
    ),
    "no_next_phase": (N_("The consent round is already running."), 409),
    "not_consent": (N_("Only a counted consent ballot can be run again."), 409),
    "amendment_required": (N_("Say how the proposal was amended."), 422),
    "negative_count": (N_("Counts cannot be negative."), 422),
    "count_mismatch": (
        N_("Valid votes, blank and invalid papers must add up to the papers cast."),
        422,
    ),
    "too_many_votes": (
        N_("Room and electronic votes together exceed the members with voting rights."),
        422,
    ),
    "no_room_count": (
        N_(
            "Room counts are taken for majority, single-choice and approval ballots only. The "
            "papers of ranked, score and consent ballots cannot be added up by option: each "
            "paper must be counted one by one."
        ),
        409,
    ),
    "papers_mismatch": (N_("Blank and invalid papers cannot outnumber the papers cast."), 422),
    "approvals_over_papers": (
        N_(
            "An option cannot be approved on more papers than the valid ones (papers cast, "
            "less blank and invalid papers)."
        ),
        422,
    ),
    "approvals_too_few": (
        N_(
            "Too few approvals: each valid paper approves at least one option (a paper "
            "approving none is blank)."
        ),
        422,
    ),
    "approvals_over_limit": (
        N_(
            "Too many approvals: the valid papers cannot hold them within this ballot's limit "
            "of approvals per paper."
        ),
        422,
    ),
    "question_required": (N_("Write the question (at most 300 characters)."), 422),
    "unknown_method": (N_("Choose a voting method."), 422),
    "too_few_options": (N_("Give at least two options, one per line."), 422),
    "label_required": (N_("Each option needs a label (at most 300 characters)."), 422),
    "bad_seats": (N_("This number of seats does not suit the method and options."), 422),
    "bad_duration": (N_("The countdown must be between 1 and 1,440 minutes."), 422),
    "bad_rules": (N_("These rules do not suit the method."), 422),
    # general-assembly rules (#7)
    "not_checked_in": (
        N_(
            "Sign the attendance register first: in a general assembly only members present "
            "(or remote, when the statutes allow it) vote."
        ),
        409,
    ),
    "no_college": (
        N_("You belong to no voting college: ask an administrator to place you in one."),
        403,
    ),
    "not_your_proxy": (N_("You do not hold this member's proxy for this assembly."), 403),
    "no_room_count_colleges": (
        N_("A ballot weighted by college is counted on phones or by college, not in one count."),
        409,
    ),
    "colleges_too_few": (
        N_("A SCIC needs at least three voting colleges: the ballot cannot open."),
        409,
    ),
    "colleges_missing": (
        N_("Colleges are required but none is defined: the ballot cannot open."),
        409,
    ),
    "college_weight_missing": (
        N_("A college has no share of the vote: the ballot cannot open."),
        409,
    ),
    "college_weight_out_of_range": (
        N_(
            "A college's weight is outside 10 to 50 percent, as the SCIC law requires: "
            "the ballot cannot open."
        ),
        409,
    ),
    "college_weights_sum": (
        N_("The colleges' weights do not add up to 100 percent: the ballot cannot open."),
        409,
    ),
}


def refusal(code: str) -> tuple[str, int]:
    message, status = REFUSALS.get(code, (N_("This action cannot be done now."), 409))
    return _(message), status


# ---------------------------------------------------------------------------------------------
# reading a choice from a form


def ranking_from(form: FormMultiDict) -> list[str]:
    return [str(value)[:MAX_FIELD] for value in form.getall("rank", []) if value is not None]


def apply_tap(ranking: list[str], form: FormMultiDict, keys: list[str]) -> list[str]:
    """One tap on a ranked ballot: add an option at the end, remove it, move it up, or clear.
    Unknown keys are ignored here (the vote itself refuses forged ids)."""
    order = [key for key in dict.fromkeys(ranking) if key in keys]
    added, removed, raised = (str(form.get(name, "")) for name in ("add", "remove", "up"))
    if form.get("clear"):
        return []
    if added in keys and added not in order:
        order.append(added)
    if removed in order:
        order.remove(removed)
    if raised in order and order.index(raised) > 0:
        at = order.index(raised)
        order[at - 1], order[at] = order[at], order[at - 1]
    return order


def choice_from(method: str, form: FormMultiDict, keys: list[str]) -> Any:
    """The choice a vote form carries, in the service's shape (checked by the service)."""
    if method in service.RANKED_METHODS:
        return ranking_from(form)
    if method == "approval":
        return [str(value)[:MAX_FIELD] for value in form.getall("choice", []) if value]
    if method == "score":
        scores: dict[str, Any] = {}
        for key in keys:
            raw = str(form.get(f"score-{key}", "")).strip()
            if raw:
                scores[key] = int(raw) if raw.lstrip("-").isdigit() else raw
        return scores
    choice = str(form.get("choice", ""))[:MAX_FIELD]
    if method in service.CONSENT_METHODS:
        return [choice, str(form.get("reason", ""))[:MAX_FIELD]]
    return choice


def choice_words(ballot: BallotView, content: Any) -> list[str]:
    """A choice (decoded JSON) as lines a voter reads back before confirming."""
    labels = ballot.labels
    if ballot.method in service.RANKED_METHODS:
        return [f"{n}. {labels.get(k, k)}" for n, k in enumerate(content, start=1)]
    if ballot.method == "approval":
        return [labels.get(k, k) for k in content] or [_("No option approved")]
    if ballot.method == "score":
        return [f"{labels.get(k, k)} : {v}" for k, v in content.items()]
    if isinstance(content, list):
        words = [str(labels.get(content[0], content[0]))]
        return words + ([str(content[1])] if len(content) > 1 and content[1] else [])
    return [labels.get(content, content)]


def hidden_fields(method: str, content: Any) -> list[tuple[str, str]]:
    """The (name, value) pairs that carry a checked choice through the confirmation step."""
    if method in service.RANKED_METHODS:
        return [("rank", key) for key in content]
    if method == "approval":
        return [("choice", key) for key in content]
    if method == "score":
        return [(f"score-{key}", str(value)) for key, value in content.items()]
    if isinstance(content, list):
        return [("choice", content[0]), ("reason", content[1] if len(content) > 1 else "")]
    return [("choice", content)]


# ---------------------------------------------------------------------------------------------
# results


def relabel(result: TallyResult, labels: Mapping[str, str]) -> TallyResult:
    """The result with option keys replaced by their labels in every explanation sentence, so
    the verdict reads « Léa Dubois est élue », not « lea »."""

    def swap(value: Any) -> Any:
        if isinstance(value, str):
            return labels.get(value, value)
        if isinstance(value, list | tuple):
            return type(value)(swap(v) for v in value)
        if isinstance(value, Mapping) and set(value) == {"key", "params"}:
            return {"key": value["key"], "params": swap_params(value["params"])}
        return value

    def swap_params(params: Mapping[str, Any]) -> dict[str, Any]:
        # a consent reason is the voter's own words, never a key to swap
        return {k: (v if k == "reason" else swap(v)) for k, v in params.items()}

    rounds = tuple(
        replace(r, messages=tuple(Message(m.key, swap_params(m.params)) for m in r.messages))
        for r in result.rounds
    )
    return replace(result, rounds=rounds)


def explanation(result: TallyResult, labels: Mapping[str, str], language: str) -> list[str]:
    return explain(relabel(result, labels), language)


@dataclass(frozen=True, slots=True)
class Bar:
    key: str
    label: str
    total: Any
    width: float  # 0..1 of the longest bar
    winner: bool


def bars(result: TallyResult, labels: Mapping[str, str]) -> list[Bar]:
    """The final round's totals, largest first, for the SVG chart."""
    final: Round | None = result.rounds[-1] if result.rounds else None
    if final is None or not final.totals:
        return []
    top = max(final.totals.values()) or 1
    ordered = sorted(
        final.totals.items(),
        key=lambda item: (
            -item[1],
            result.candidates.index(item[0]) if item[0] in result.candidates else 0,
        ),
    )
    return [
        Bar(key, labels.get(key, key), total, float(total / top), key in result.winners)
        for key, total in ordered
    ]


def pairwise(result: TallyResult) -> dict[str, dict[str, Any]] | None:
    matrix = result.details.get("pairwise")
    return dict(matrix) if isinstance(matrix, Mapping) else None


def decoded(content: str) -> Any:
    return json.loads(content)


def remaining_seconds(deadline: datetime | None) -> int | None:
    if deadline is None:
        return None
    return max(0, int((deadline - datetime.now(UTC)).total_seconds()))

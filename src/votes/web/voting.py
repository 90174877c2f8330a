"""What the ballot pages need besides the controller: reading a choice from a vote form, the
ranked-ballot taps, words for the service's refusal codes, and result views (labels instead of
option keys, the pairwise matrix, both counting channels)."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from litestar.datastructures import FormMultiDict
from litestar.exceptions import NotFoundException

from votes.core.explain import explain, format_number, relabel, render
from votes.core.papers import CONSENT_METHODS, RANKED_METHODS
from votes.core.results import Message, Round, TallyResult
from votes.db import audit_queries, ballot_queries
from votes.db.audit_queries import Cosignature
from votes.db.ballot_queries import BallotView
from votes.db.tables import BallotStatus
from votes.i18n import gettext as _
from votes.i18n import ngettext
from votes.services.actors import Actor
from votes.services.ballots import lifecycle
from votes.web.forms import MAX_ID, whole_number
from votes.web.refusals import area

MAX_FIELD = 1000

# the service's refusal codes, in words, with the HTTP status each deserves
REFUSALS = area("ballots")


def receipt_owner(secret_key: str, membership_id: int) -> str:
    """An opaque tag of the member a browser keeps receipt and change codes for: a phone passed
    to someone else shows them nothing of the first person's codes, and uses none of them."""
    tag = hmac.new(secret_key.encode(), f"receipt-owner:{membership_id}".encode(), hashlib.sha256)
    return tag.hexdigest()[:16]


def kept_codes(cookie: str, owner: str) -> tuple[str, str]:
    """The (receipt code, change code) a receipt cookie keeps, when it is this owner's."""
    tag, _, codes = cookie.partition(".")
    if not codes or not hmac.compare_digest(tag, owner):
        return "", ""
    receipt, _, change = codes.partition(".")
    return receipt, change


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
    if method in RANKED_METHODS:
        return ranking_from(form)
    if method == "approval":
        return [str(value)[:MAX_FIELD] for value in form.getall("choice", []) if value]
    if method == "score":
        scores: dict[str, Any] = {}
        for key in keys:
            raw = str(form.get(f"score-{key}", "")).strip()
            if raw:  # not a plain number: kept as typed, the service says it is off the scale
                number = whole_number(raw, low=-MAX_ID, high=MAX_ID)
                scores[key] = raw if number is None else number
        return scores
    choice = str(form.get("choice", ""))[:MAX_FIELD]
    if method in CONSENT_METHODS:
        return [choice, str(form.get("reason", ""))[: 4 * MAX_FIELD]]  # too long: refused
    return choice


def choice_words(ballot: BallotView, content: Any) -> list[str]:
    """A choice (decoded JSON) as lines a voter reads back before confirming."""
    labels = ballot.labels
    if ballot.method in RANKED_METHODS:
        return [f"{n}. {labels.get(k, k)}" for n, k in enumerate(content, start=1)]
    if ballot.method == "approval":
        return [labels.get(k, k) for k in content] or [_("No option approved")]
    if ballot.method == "score":
        return [f"{labels.get(k, k)} : {v}" for k, v in content.items()]
    if isinstance(content, list):
        words = [str(labels.get(content[0], content[0]))]
        return words + ([str(content[1])] if len(content) > 1 and content[1] else [])
    return [labels.get(content, content)]


def choice_text(method: str, labels: Mapping[str, str], content: str | None) -> str:
    """A stored choice (JSON) on one line, in the labels people read: an order for a ranking
    (« Aïcha > Chloé »), a plain list for approvals (no order exists), scores, or an answer
    with its reason. Used wherever a paper is shown: roll calls, published papers, "My votes",
    the minutes."""
    if content is None:
        return ""
    value = json.loads(content)
    if method in RANKED_METHODS and isinstance(value, list):
        return " > ".join(labels.get(str(v), str(v)) for v in value if v)
    if method == "approval" and isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value) or _("No option approved")
    if isinstance(value, Mapping):
        return ", ".join(f"{labels.get(k, k)} : {v}" for k, v in value.items())
    if isinstance(value, list):  # a consent answer and its reason
        words = labels.get(str(value[0]), str(value[0])) if value else ""
        reason = str(value[1]) if len(value) > 1 and value[1] else ""
        return f"{words} — {reason}" if reason else words
    return labels.get(str(value), str(value))


def hidden_fields(method: str, content: Any) -> list[tuple[str, str]]:
    """The (name, value) pairs that carry a checked choice through the confirmation step."""
    if method in RANKED_METHODS:
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


def majority_words(result: TallyResult, language: str) -> str:
    """A motion's count in the words of the room: « 2 voix pour ; il en fallait 16 (au moins
    les deux tiers des suffrages exprimés). » Empty for other methods and for a count that
    compared nothing (no quorum, no vote)."""
    if result.method != "majority" or not result.rounds or not result.rounds[0].messages:
        return ""
    yes, needed = result.details.get("yes"), result.details.get("needed")
    rule = result.rounds[0].messages[0].params.get("rule")
    if not isinstance(rule, Mapping) or not isinstance(yes, int | Fraction):
        return ""
    if not isinstance(needed, int | Fraction):
        return ""
    at_least = result.options.get("comparison") == "at_least"
    required = math.ceil(needed) if at_least else math.floor(needed) + 1
    return ngettext(
        "%(yes)s vote for; %(needed)s were needed (%(rule)s).",
        "%(yes)s votes for; %(needed)s were needed (%(rule)s).",
        int(yes),
    ) % {
        "yes": format_number(yes, language),
        "needed": format_number(required, language),
        "rule": render(Message(str(rule["key"]), dict(rule["params"])), language),
    }


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


async def ballot_or_404(actor: Actor, ballot_id: int) -> BallotView:
    """The ballot of the actor's organisation, or the 404 of a ballot that does not exist."""
    ballot = await ballot_queries.ballot_view(actor.organisation.id, ballot_id)
    if ballot is None:
        raise NotFoundException()
    return ballot


@dataclass(frozen=True, slots=True)
class CosignState:
    needed: bool  # this ballot is published or reopened only once a scrutineer confirms it
    given: Cosignature | None  # the confirmation given since the last close, if any


async def cosign_state(ballot: BallotView) -> CosignState:
    needed = await lifecycle.needs_cosignature(
        ballot.organisation_id, ballot.assembly_id, ballot.is_test
    )
    given = (
        await audit_queries.cosignature(ballot.organisation_id, ballot.id)
        if needed and ballot.status == BallotStatus.CLOSED
        else None
    )
    return CosignState(needed, given)

"""Sociocratic consent and formal consensus: decisions taken by the absence of objection.

Ballot shape: a response string (``"consent"``), a pair ``(response, reason)``, a triple
``(response, reason, resolved)`` or a :class:`ConsentResponse`. ``resolved`` marks an objection
(or block) the circle has integrated into the proposal; only unresolved ones stop it.

* consent mode (:func:`tally_consent`): ``consent``, ``concern`` (consent with reservations),
  ``stand_aside``, ``objection``.
* consensus mode (:func:`tally_consensus`): ``agree``, ``reservations``, ``stand_aside``,
  ``abstain``, ``block``.

The verdict is checked in this order: no quorum (fewer participants than ``quorum``, anyone
who responded counts; no response at all is never a decision), blocked (an unresolved objection
or block remains), rejected (more stand-asides than ``max_stand_asides``), else adopted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from votes.core.ballots import InvalidBallotError, check_amount, check_seats, group_ballots
from votes.core.results import JSONValue, Message, Round, TallyError, TallyResult, Verdict, Weight

CONSENT_RESPONSES = ("consent", "concern", "stand_aside", "objection")
CONSENSUS_RESPONSES = ("agree", "reservations", "stand_aside", "abstain", "block")
_STOPPING = frozenset({"objection", "block"})

MESSAGES = {  # each sentence in French, English and Dutch (votes.core.explain.LANGUAGES)
    "adopted": (
        "Adoptée — aucune objection non résolue ({counts})",
        "Adopted — no unresolved objection ({counts})",
        "Aangenomen — geen openstaand bezwaar ({counts})",
    ),
    "blocked_objection": (
        (
            "Bloquée — {count} objection non résolue ({counts})",
            "Bloquée — {count} objections non résolues ({counts})",
        ),
        (
            "Blocked — {count} unresolved objection ({counts})",
            "Blocked — {count} unresolved objections ({counts})",
        ),
        (
            "Geblokkeerd — {count} openstaand bezwaar ({counts})",
            "Geblokkeerd — {count} openstaande bezwaren ({counts})",
        ),
    ),
    "blocked_block": (
        (
            "Bloquée — {count} blocage ({counts})",
            "Bloquée — {count} blocages ({counts})",
        ),
        (
            "Blocked — {count} block ({counts})",
            "Blocked — {count} blocks ({counts})",
        ),
        (
            "Geblokkeerd — {count} veto ({counts})",
            "Geblokkeerd — {count} veto’s ({counts})",
        ),
    ),
    "rejected": (
        (
            "Non adoptée — {count} retrait, {maximum} au plus ({counts})",
            "Non adoptée — {count} retraits, {maximum} au plus ({counts})",
        ),
        (
            "Not adopted — {count} stand-aside, at most {maximum} allowed ({counts})",
            "Not adopted — {count} stand-asides, at most {maximum} allowed ({counts})",
        ),
        (
            "Niet aangenomen — {count} terugtrekking, hoogstens {maximum} toegestaan ({counts})",
            "Niet aangenomen — {count} terugtrekkingen, hoogstens {maximum} toegestaan ({counts})",
        ),
    ),
    "no_quorum": (
        "Quorum non atteint — {participants} réponses, {quorum} requises ({counts})",
        "No quorum — {participants} responses, {quorum} required ({counts})",
        "Geen quorum — {participants} antwoorden, {quorum} vereist ({counts})",
    ),
    "no_responses": (
        "Aucune réponse — pas de décision",
        "No response — no decision",
        "Geen antwoord — geen beslissing",
    ),
    "objection": (
        ("objection\u00a0: {reason}", "{count} objections\u00a0: {reason}"),
        ("objection: {reason}", "{count} objections: {reason}"),
        ("bezwaar: {reason}", "{count} bezwaren: {reason}"),
    ),
    "consent": (
        ("{count} consentement", "{count} consentements"),
        ("{count} consent", "{count} consents"),
        ("{count} instemming", "{count} instemmingen"),
    ),
    "concern": (
        ("{count} réserve", "{count} réserves"),
        ("{count} concern", "{count} concerns"),
        ("{count} bedenking", "{count} bedenkingen"),
    ),
    "stand_aside": (
        ("{count} retrait", "{count} retraits"),
        ("{count} stand-aside", "{count} stand-asides"),
        ("{count} terugtrekking", "{count} terugtrekkingen"),
    ),
    "objection_count": (
        ("{count} objection", "{count} objections"),
        ("{count} objection", "{count} objections"),
        ("{count} bezwaar", "{count} bezwaren"),
    ),
    "agree": (
        ("{count} accord", "{count} accords"),
        ("{count} agree", "{count} agree"),
        ("{count} akkoord", "{count} akkoord"),
    ),
    "reservations": (
        ("{count} réserve", "{count} réserves"),
        ("{count} reservation", "{count} reservations"),
        ("{count} voorbehoud", "{count} voorbehouden"),
    ),
    "abstain": (
        ("{count} abstention", "{count} abstentions"),
        ("{count} abstention", "{count} abstentions"),
        ("{count} onthouding", "{count} onthoudingen"),
    ),
    "block_count": (
        ("{count} blocage", "{count} blocages"),
        ("{count} block", "{count} blocks"),
        ("{count} veto", "{count} veto’s"),
    ),
}


@dataclass(frozen=True, slots=True)
class ConsentResponse:
    """One participant's response, with the reason given and, for an objection, its status."""

    response: str
    reason: str = ""
    resolved: bool = False


@dataclass(frozen=True, slots=True)
class ConsentTally:
    """A decision taken by the absence of objection: consent and consensus are one count that
    differs only by its vocabulary (and so by what stops a proposal: an objection or a block).

    Called as ``tally_consent`` or ``tally_consensus`` (see :meth:`__call__`):

    >>> tally_consent((), ["consent", ("objection", "too costly", True), "stand_aside"]).verdict
    <Verdict.ADOPTED: 'adopted'>
    >>> tally_consensus((), ["agree", ("block", "against our values")]).verdict
    <Verdict.BLOCKED: 'blocked'>
    """

    method: str
    vocabulary: tuple[str, ...]

    def __call__(
        self,
        candidates: Sequence[str],
        ballots: Mapping[object, Weight] | Iterable[object],
        *,
        seats: int = 1,
        quorum: Weight | None = None,
        max_stand_asides: Weight | None = None,
    ) -> TallyResult:
        """Decide a proposal: it passes when no objection (or block) remains unresolved.

        Args:
            candidates: the responses offered (default: all of the method's vocabulary).
            ballots: responses (see the module docstring), as a mapping → weight or an
                iterable.
            seats: must be 1.
            quorum: fewest participants (total weight of responses) for a decision.
            max_stand_asides: more stand-asides than this and the proposal is not adopted.
        """
        return _tally(
            self.method, self.vocabulary, candidates, ballots, seats, quorum, max_stand_asides
        )


#: Sociocratic consent: any unresolved objection stops the proposal.
tally_consent = ConsentTally("consent", CONSENT_RESPONSES)
#: Formal consensus: any unresolved block stops the proposal.
tally_consensus = ConsentTally("consensus", CONSENSUS_RESPONSES)


def _tally(
    method: str,
    vocabulary: tuple[str, ...],
    candidates: Sequence[str],
    ballots: Mapping[object, Weight] | Iterable[object],
    seats: int,
    quorum: object,
    max_stand_asides: object,
) -> TallyResult:
    offered = tuple(candidates) if candidates else vocabulary
    if not set(offered) <= set(vocabulary) or len(set(offered)) != len(offered):
        raise TallyError(
            f"{method} responses are distinct values among {vocabulary}, got {offered}"
        )
    if check_seats(seats) != 1:
        raise TallyError("a proposal fills no seats: seats must be 1")
    required = None if quorum is None else check_amount("quorum", quorum)
    limit = None if max_stand_asides is None else check_amount("max_stand_asides", max_stand_asides)
    grouped = group_ballots(ballots, lambda raw: _normalise(raw, offered))
    counts = {r: Fraction(0) for r in offered}
    for answer, weight in grouped.items():
        counts[answer.response] += weight
    stopping = sorted(
        ((a, w) for a, w in grouped.items() if a.response in _STOPPING and not a.resolved),
        key=lambda item: (item[0].reason, item[0].response),
    )
    objections = tuple({"reason": a.reason, "weight": Fraction(w)} for a, w in stopping)
    participants = sum(counts.values(), Fraction(0))
    stand_asides = counts.get("stand_aside", Fraction(0))
    counts_phrase = tuple(
        {"key": f"consent.{_count_key(r)}", "params": {"count": counts[r]}}
        for r in offered
        if counts[r]
    )
    unresolved = sum((Fraction(w) for _, w in stopping), Fraction(0))
    verdict, message = _verdict(
        participants, required, unresolved, stand_asides, limit, counts_phrase, method
    )
    messages = [message]
    if verdict is Verdict.BLOCKED:
        messages += [
            Message("consent.objection", {"reason": o["reason"] or "—", "count": o["weight"]})
            for o in objections
        ]
    details: dict[str, JSONValue] = {
        "counts": counts,
        "participants": participants,
        "objections": objections,
        "resolved_objections": sum(
            (Fraction(w) for a, w in grouped.items() if a.response in _STOPPING and a.resolved),
            Fraction(0),
        ),
    }
    return TallyResult(
        method=method,
        candidates=offered,
        seats=1,
        winners=(),
        rounds=(Round(number=1, totals=counts, messages=tuple(messages)),),
        verdict=verdict,
        details=details,
        options={"quorum": required, "max_stand_asides": limit},
    )


def _verdict(
    participants: Fraction,
    quorum: Weight | None,
    unresolved: Fraction,
    stand_asides: Fraction,
    limit: Weight | None,
    counts: tuple[dict[str, JSONValue], ...],
    method: str,
) -> tuple[Verdict, Message]:
    if participants == 0:
        return Verdict.NO_QUORUM, Message("consent.no_responses")
    if quorum is not None and participants < quorum:
        params = {"participants": participants, "quorum": quorum, "counts": counts}
        return Verdict.NO_QUORUM, Message("consent.no_quorum", params)
    if unresolved:
        kind = "objection" if method == "consent" else "block"
        params = {"count": unresolved, "counts": counts}
        return Verdict.BLOCKED, Message(f"consent.blocked_{kind}", params)
    if limit is not None and stand_asides > limit:
        params = {"count": stand_asides, "maximum": limit, "counts": counts}
        return Verdict.REJECTED, Message("consent.rejected", params)
    return Verdict.ADOPTED, Message("consent.adopted", {"counts": counts})


def _normalise(raw: object, offered: tuple[str, ...]) -> ConsentResponse:
    if isinstance(raw, ConsentResponse):
        answer = raw
    elif isinstance(raw, str):
        answer = ConsentResponse(raw)
    elif isinstance(raw, tuple) and 2 <= len(raw) <= 3:
        answer = ConsentResponse(*raw)
    else:
        raise InvalidBallotError(raw, "a response is a string or (response, reason[, resolved])")
    if answer.response not in offered:
        raise InvalidBallotError(raw, f"response {answer.response!r} not among {offered}")
    if not isinstance(answer.reason, str) or not isinstance(answer.resolved, bool):
        raise InvalidBallotError(raw, "the reason is a string and resolved a boolean")
    if answer.resolved and answer.response not in _STOPPING:
        raise InvalidBallotError(raw, "only an objection or a block can be resolved")
    return answer


def _count_key(response: str) -> str:
    return {"objection": "objection_count", "block": "block_count"}.get(response, response)

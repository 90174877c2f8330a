"""Majority motions: pour / contre / abstention (plus blank and invalid papers).

Ballot shape: a response string, one of ``"yes"``, ``"no"``, ``"abstain"``, ``"blank"``,
``"invalid"``; a paper count is naturally a mapping ``{"yes": 50, "no": 20, "abstain": 4}``
(weights may be Fractions, e.g. after college weighting). ``candidates`` lists the responses
the ballot offered (it must include ``"yes"`` and ``"no"``).

The rule (all exact, integers or Fractions): the motion passes when ``yes`` is more than (or at
least) ``threshold`` of the base, where the base is the votes cast (``yes + no``, the default;
blank and invalid papers are not votes cast), the votes cast and abstentions, the members
present and represented, or all members with voting rights. Quorum is checked first. A motion
with no vote in favour never passes. An exact tie under a "more than" rule fails unless a
casting vote is configured.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from votes.core import results
from votes.core.ballots import (
    InvalidBallotError,
    check_amount,
    check_seats,
    exact_fraction,
    group_ballots,
)
from votes.core.explain import phrase
from votes.core.results import JSONValue, Message, TallyError, TallyResult, Verdict, Weight

RESPONSES = ("yes", "no", "abstain", "blank", "invalid")
BASES = ("cast", "cast_and_abstentions", "present", "members")
COMPARISONS = ("more_than", "at_least")
_NAMED = {Fraction(1, 2): "half", Fraction(2, 3): "two_thirds", Fraction(3, 4): "three_quarters"}

MESSAGES = {  # each sentence in French, English and Dutch (votes.core.explain.LANGUAGES)
    "adopted": (
        "Adoptée — majorité requise\u00a0: {rule}\u00a0; {share:%} de voix pour ({counts})",
        "Adopted — required majority: {rule}; {share:%} in favour ({counts})",
        "Aangenomen — vereiste meerderheid: {rule}; {share:%} voor ({counts})",
    ),
    "rejected": (
        "Rejetée — majorité requise\u00a0: {rule}\u00a0; {share:%} de voix pour ({counts})",
        "Rejected — required majority: {rule}; {share:%} in favour ({counts})",
        "Verworpen — vereiste meerderheid: {rule}; {share:%} voor ({counts})",
    ),
    "rejected_empty": (
        "Rejetée — aucun suffrage à compter ({counts})",
        "Rejected — no vote to count ({counts})",
        "Verworpen — geen stemmen om te tellen ({counts})",
    ),
    "no_quorum": (
        "Quorum non atteint — {participants} participants, {quorum} requis ({counts})",
        "No quorum — {participants} took part, {quorum} required ({counts})",
        "Geen quorum — {participants} deelnemers, {quorum} vereist ({counts})",
    ),
    "no_quorum_present": (
        (
            "Non valable — quorum non atteint (présent·es ou représenté·es\u00a0: {participants},"
            " {quorum} requis\u00a0; {counts})"
        ),
        (
            "Not valid — quorum not reached (present or represented: {participants},"
            " {quorum} required; {counts})"
        ),
        (
            "Niet geldig — quorum niet bereikt (aanwezig of vertegenwoordigd: {participants},"
            " {quorum} vereist; {counts})"
        ),
    ),
    "casting_vote": (
        "égalité départagée par la voix prépondérante de la présidence\u00a0: {side}",
        "tie broken by the chair's casting vote: {side}",
        "staking van stemmen beslecht door de beslissende stem van de voorzitter: {side}",
    ),
    "side_yes": (
        "pour",
        "for",
        "voor",
    ),
    "side_no": (
        "contre",
        "against",
        "tegen",
    ),
    "more_than_half": (
        "plus de la moitié {base}",
        "more than half of {base}",
        "meer dan de helft van {base}",
    ),
    "more_than_two_thirds": (
        "plus des deux tiers {base}",
        "more than two thirds of {base}",
        "meer dan twee derde van {base}",
    ),
    "more_than_three_quarters": (
        "plus des trois quarts {base}",
        "more than three quarters of {base}",
        "meer dan drie vierde van {base}",
    ),
    "more_than_other": (
        "plus des {p}/{q} {base}",
        "more than {p}/{q} of {base}",
        "meer dan {p}/{q} van {base}",
    ),
    "at_least_half": (
        "au moins la moitié {base}",
        "at least half of {base}",
        "ten minste de helft van {base}",
    ),
    "at_least_two_thirds": (
        "au moins les deux tiers {base}",
        "at least two thirds of {base}",
        "ten minste twee derde van {base}",
    ),
    "at_least_three_quarters": (
        "au moins les trois quarts {base}",
        "at least three quarters of {base}",
        "ten minste drie vierde van {base}",
    ),
    "at_least_other": (
        "au moins les {p}/{q} {base}",
        "at least {p}/{q} of {base}",
        "ten minste {p}/{q} van {base}",
    ),
    "base_cast": (
        "des suffrages exprimés",
        "the votes cast",
        "de uitgebrachte stemmen",
    ),
    "base_cast_and_abstentions": (
        "des suffrages exprimés et des abstentions",
        "the votes cast and abstentions",
        "de uitgebrachte stemmen en de onthoudingen",
    ),
    "base_present": (
        "des membres présents et représentés",
        "the members present and represented",
        "de aanwezige en vertegenwoordigde vennoten",
    ),
    "base_members": (
        "de l'ensemble des membres ayant droit de vote",
        "all members with voting rights",
        "alle stemgerechtigde vennoten",
    ),
    "yes": (
        "{count} pour",
        "{count} for",
        "{count} voor",
    ),
    "no": (
        "{count} contre",
        "{count} against",
        "{count} tegen",
    ),
    "abstain_excluded": (
        ("{count} abstention non comptée", "{count} abstentions non comptées"),
        ("{count} abstention not counted", "{count} abstentions not counted"),
        (
            "{count} onthouding niet meegeteld",
            "{count} onthoudingen niet meegeteld",
        ),
    ),
    "abstain_counted": (
        ("{count} abstention", "{count} abstentions"),
        ("{count} abstention", "{count} abstentions"),
        ("{count} onthouding", "{count} onthoudingen"),
    ),
    "blank": (
        ("{count} blanc", "{count} blancs"),
        ("{count} blank", "{count} blank"),
        ("{count} blanco", "{count} blanco"),
    ),
    "invalid": (
        ("{count} nul", "{count} nuls"),
        ("{count} invalid", "{count} invalid"),
        ("{count} ongeldig", "{count} ongeldig"),
    ),
}


def tally_majority(
    candidates: Sequence[str],
    ballots: Mapping[str, Weight] | Iterable[str],
    *,
    seats: int = 1,
    threshold: Fraction | int | str = Fraction(1, 2),
    comparison: str = "more_than",
    base: str = "cast",
    present: Weight | None = None,
    members: Weight | None = None,
    quorum: Weight | None = None,
    quorum_share: Fraction | str | None = None,
    invalid_in_base: bool = False,
    casting_vote: str | None = None,
) -> TallyResult:
    """Decide a motion by majority; the verdict is adopted, rejected or no quorum.

    Args:
        candidates: the responses offered, e.g. ``("yes", "no", "abstain")``.
        ballots: mapping response → weight (a paper count), or an iterable of responses.
        seats: must be 1.
        threshold: the share required, exact (``Fraction(2, 3)`` or ``"2/3"``; never a float).
        comparison: ``"more_than"`` (default; "majority" means more than half) or
            ``"at_least"`` (the usual reading of "two thirds").
        base: ``"cast"``, ``"cast_and_abstentions"``, ``"present"`` (needs ``present``) or
            ``"members"`` (needs ``members``).
        present: members present and represented (with proxies), from the attendance sheet.
        members: all members with voting rights.
        quorum: fewest participants for a valid decision; participants are ``present`` when
            given, else every paper handed in (including abstentions, blank and invalid).
        quorum_share: the quorum as a share of ``members`` (at least), e.g. ``"1/4"``.
        invalid_in_base: count invalid papers in the votes cast (Robert's Rules) — not by default.
        casting_vote: ``"yes"`` or ``"no"``: the chair's casting vote on an exact tie.

    >>> tally_majority(("yes", "no", "abstain"), {"yes": 4, "no": 3, "abstain": 2}).verdict
    <Verdict.ADOPTED: 'adopted'>
    >>> tally_majority(("yes", "no", "abstain"), {"yes": 4, "no": 3, "abstain": 2},
    ...                base="cast_and_abstentions").verdict
    <Verdict.REJECTED: 'rejected'>
    """
    offered = _check_responses(candidates)
    check_seats(seats)
    if seats != 1:
        raise TallyError("a motion fills no seats: seats must be 1")
    rule = _Rule.build(threshold, comparison, base, casting_vote)
    counts = _count(offered, ballots)
    present_, members_ = _check_attendance(counts, present, members, base)
    participants = present_ if present_ is not None else sum(counts.values(), Fraction(0))
    required = _required_quorum(quorum, quorum_share, members_)
    counts_phrase = _counts_phrase(counts, base, invalid_in_base)
    details: dict[str, JSONValue] = {
        **counts,
        "participants": participants,
        "quorum": required,
        "present": present_,
        "members": members_,
    }
    options = {
        "threshold": rule.threshold,
        "comparison": comparison,
        "base": base,
        "quorum": quorum,
        "quorum_share": None
        if quorum_share is None
        else exact_fraction("quorum_share", quorum_share),
        "invalid_in_base": invalid_in_base,
        "casting_vote": casting_vote,
    }
    if required is not None and participants < required:
        message = Message(
            "majority.no_quorum" if present_ is None else "majority.no_quorum_present",
            {"participants": participants, "quorum": required, "counts": counts_phrase},
        )
        return _result(offered, Verdict.NO_QUORUM, (message,), (), details, options)
    base_value = _base_value(counts, base, present_, members_, invalid_in_base)
    verdict, tie = rule.decide(counts["yes"], base_value)
    share = counts["yes"] / base_value if base_value else None
    details.update(base=base_value, share=share, needed=base_value * rule.threshold)
    if share is None:
        message = Message(f"majority.{verdict.value}_empty", {"counts": counts_phrase})
        return _result(offered, verdict, (message,), (), details, options)
    params = {"rule": rule.phrase(base), "share": share, "counts": counts_phrase}
    messages = [Message(f"majority.{verdict.value}", params)]
    events: tuple[results.TieEvent, ...] = ()
    if tie:
        side = phrase(f"majority.side_{casting_vote}")
        messages.append(Message("majority.casting_vote", {"side": side}))
        chosen = (casting_vote,) if casting_vote else ()
        events = (
            results.TieEvent(
                1, "verdict", ("yes", "no"), chosen, results.TieResolution.CASTING_VOTE
            ),
        )
    return _result(offered, verdict, tuple(messages), events, details, options)


class _Rule:
    """The threshold, its comparison and the casting vote, checked once."""

    __slots__ = ("casting_vote", "comparison", "threshold")

    def __init__(self, threshold: Fraction, comparison: str, casting_vote: str | None) -> None:
        self.threshold = threshold
        self.comparison = comparison
        self.casting_vote = casting_vote

    @classmethod
    def build(cls, threshold: object, comparison: str, base: str, casting_vote: object) -> _Rule:
        value = exact_fraction("threshold", threshold)
        if not 0 < value < 1:
            raise TallyError(f"threshold must be strictly between 0 and 1, got {value}")
        if comparison not in COMPARISONS:
            raise TallyError(f"comparison must be one of {COMPARISONS}, got {comparison!r}")
        if base not in BASES:
            raise TallyError(f"base must be one of {BASES}, got {base!r}")
        if casting_vote not in (None, "yes", "no"):
            raise TallyError(f'casting_vote must be None, "yes" or "no", got {casting_vote!r}')
        return cls(value, comparison, casting_vote)

    def decide(self, yes: Fraction, base: Fraction) -> tuple[Verdict, bool]:
        """The verdict, and whether an exact tie was settled by the casting vote."""
        if yes == 0:
            return Verdict.REJECTED, False
        needed = base * self.threshold
        if yes > needed or (yes == needed and self.comparison == "at_least"):
            return Verdict.ADOPTED, False
        if yes == needed and self.casting_vote is not None:
            adopted = self.casting_vote == "yes"
            return (Verdict.ADOPTED if adopted else Verdict.REJECTED), True
        return Verdict.REJECTED, False

    def phrase(self, base: str) -> dict[str, JSONValue]:
        named = _NAMED.get(self.threshold, "other")
        return phrase(
            f"majority.{self.comparison}_{named}",
            p=self.threshold.numerator,
            q=self.threshold.denominator,
            base=phrase(f"majority.base_{base}"),
        )


def _check_responses(candidates: Sequence[str]) -> tuple[str, ...]:
    offered = tuple(candidates) if candidates else RESPONSES
    unknown = [r for r in offered if r not in RESPONSES]
    if unknown or len(set(offered)) != len(offered) or not {"yes", "no"} <= set(offered):
        raise TallyError(
            f"a motion's responses are distinct values among {RESPONSES}, including yes and no;"
            f" got {offered!r}"
        )
    return offered


def _count(
    offered: tuple[str, ...], ballots: Mapping[str, Weight] | Iterable[str]
) -> dict[str, Fraction]:
    def response(raw: object) -> str:
        if raw not in offered:
            raise InvalidBallotError(raw, f"not one of the responses offered {offered}")
        return str(raw)

    grouped = group_ballots(ballots, response)
    return {r: Fraction(grouped.get(r, 0)) for r in RESPONSES}


def _check_attendance(
    counts: Mapping[str, Fraction], present: object, members: object, base: str
) -> tuple[Fraction | None, Fraction | None]:
    present_ = None if present is None else check_amount("present", present)
    members_ = None if members is None else check_amount("members", members)
    papers = sum(counts.values(), Fraction(0))
    if present_ is not None and papers > present_:
        raise TallyError(f"{papers} papers counted but only {present_} present and represented")
    if members_ is not None and max(papers, present_ or 0) > members_:
        raise TallyError(f"more papers or members present than the {members_} members")
    if base == "present" and present_ is None:
        raise TallyError('base="present" needs the number of members present and represented')
    if base == "members" and members_ is None:
        raise TallyError('base="members" needs the number of members with voting rights')
    return present_, members_


def _required_quorum(
    quorum: object, quorum_share: object, members: Fraction | None
) -> Fraction | None:
    required = None if quorum is None else check_amount("quorum", quorum)
    if quorum_share is not None:
        if members is None:
            raise TallyError("quorum_share needs the number of members with voting rights")
        share_quorum = members * exact_fraction("quorum_share", quorum_share)
        required = share_quorum if required is None else max(required, share_quorum)
    return required


def _base_value(
    counts: Mapping[str, Fraction],
    base: str,
    present: Fraction | None,
    members: Fraction | None,
    invalid_in_base: bool,
) -> Fraction:
    if base == "present":
        assert present is not None
        return present
    if base == "members":
        assert members is not None
        return members
    cast = counts["yes"] + counts["no"] + (counts["invalid"] if invalid_in_base else 0)
    return cast + (counts["abstain"] if base == "cast_and_abstentions" else 0)


def _counts_phrase(
    counts: Mapping[str, Fraction], base: str, invalid_in_base: bool
) -> tuple[dict[str, JSONValue], ...]:
    parts = [phrase("majority.yes", count=counts["yes"]), phrase("majority.no", count=counts["no"])]
    if counts["abstain"]:
        kind = "excluded" if base == "cast" else "counted"
        parts.append(phrase(f"majority.abstain_{kind}", count=counts["abstain"]))
    for name in ("blank", "invalid"):
        if counts[name]:
            parts.append(phrase(f"majority.{name}", count=counts[name]))
    return tuple(parts)


def _result(
    offered: tuple[str, ...],
    verdict: Verdict,
    messages: tuple[Message, ...],
    events: tuple[results.TieEvent, ...],
    details: Mapping[str, JSONValue],
    options: Mapping[str, JSONValue],
) -> TallyResult:
    totals = {r: details[r] for r in offered}
    return TallyResult(
        method="majority",
        candidates=offered,
        seats=1,
        winners=(),
        rounds=(results.Round(number=1, totals=totals, messages=messages),),
        tie_events=events,
        verdict=verdict,
        details=details,
        options=options,
    )

"""College weighting and category caps: turn grouped ballots into one weighted ballot mapping.

Both functions take ballots already in a method's hashable shape (a ranked tuple, an approval
frozenset, a majority response string…) grouped by college or category, and return one mapping
ballot → exact ``Fraction`` weight that any method accepts. Nothing here is rounded.

* College weighting (SCIC, or any cooperative with voting colleges): each college's votes are
  scaled so that together they carry the college's statutory weight, whatever its turnout.
* Category caps: a category's total weight is capped at a share of the whole (e.g. members who
  are not cooperators ≤ 49 %), the others keeping their weight.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from fractions import Fraction
from typing import TypeVar, cast

from votes.core.ballots import exact_fraction, group_ballots
from votes.core.results import TallyError, Weight

B = TypeVar("B", bound=Hashable)

GroupedBallots = Mapping[B, Weight] | Iterable[B]

SCIC_MIN_COLLEGES = 3
SCIC_MIN_WEIGHT = Fraction(1, 10)
SCIC_MAX_WEIGHT = Fraction(1, 2)


def check_college_weights(weights: Mapping[str, object]) -> dict[str, Fraction]:
    """Return the weights as Fractions after checking each is > 0 and they sum to 1.

    >>> check_college_weights({"a": "1/2", "b": Fraction(1, 2)})
    {'a': Fraction(1, 2), 'b': Fraction(1, 2)}
    """
    exact = {
        college: exact_fraction(f"the weight of {college!r}", weight)
        for college, weight in weights.items()
    }
    if any(weight <= 0 for weight in exact.values()):
        raise TallyError(f"every college weight must be positive: {exact}")
    if sum(exact.values()) != 1:
        raise TallyError(
            f"college weights must add up to 100 %, they add up to {sum(exact.values())}"
        )
    return exact


def check_scic_colleges(weights: Mapping[str, object]) -> dict[str, Fraction]:
    """Check college weights against the SCIC law: ≥ 3 colleges, each 10 %–50 %, sum 100 %.

    (Loi n° 47-1775 art. 19 octies and its decree: no college below 10 % nor above 50 %.)

    >>> check_scic_colleges({"salariés": "2/5", "usagers": "1/4", "soutiens": "1/4",
    ...                      "collectivités": "1/10"})["salariés"]
    Fraction(2, 5)
    """
    exact = check_college_weights(weights)
    if len(exact) < SCIC_MIN_COLLEGES:
        raise TallyError(f"a SCIC needs at least {SCIC_MIN_COLLEGES} colleges, got {len(exact)}")
    for college, weight in exact.items():
        if not SCIC_MIN_WEIGHT <= weight <= SCIC_MAX_WEIGHT:
            raise TallyError(f"college {college!r} weighs {weight}; a SCIC allows 10 % to 50 %")
    return exact


def weight_by_college(
    college_ballots: Mapping[str, GroupedBallots[B]],
    weights: Mapping[str, object],
    *,
    scale_over: Callable[[B], bool] | None = None,
    totals: Mapping[str, object] | None = None,
) -> dict[B, Fraction]:
    """Scale each college's ballots so that together they weigh the college's share.

    A ballot of weight ``w`` in college ``c`` becomes ``w × weight[c] / total[c]``, where
    ``total[c]`` is the weight of ``c``'s ballots for which ``scale_over`` is true (all by
    default). For a majority motion pass ``scale_over=lambda r: r in ("yes", "no")`` so that each
    college's share is split by its votes cast, its abstentions being scaled alike. A college
    with nothing to scale over contributes nothing (the others are not inflated).

    >>> weight_by_college({"a": ["x", "x", "y"], "b": ["y"]}, {"a": "1/2", "b": "1/2"})
    {'x': Fraction(1, 3), 'y': Fraction(2, 3)}
    """
    exact = check_college_weights(weights)
    unknown = sorted(set(college_ballots) - set(exact))
    if unknown:
        raise TallyError(f"ballots from colleges without a weight: {unknown}")
    combined: dict[B, Fraction] = {}
    for college in sorted(college_ballots):
        grouped = _group(college_ballots[college])
        if totals is not None:
            total = exact_fraction(f"the total of {college!r}", totals.get(college, 0))
        else:
            total = sum(
                (Fraction(w) for b, w in grouped.items() if scale_over is None or scale_over(b)),
                Fraction(0),
            )
        if not total:
            continue
        factor = exact[college] / total
        for ballot, weight in grouped.items():
            combined[ballot] = combined.get(ballot, Fraction(0)) + weight * factor
    return combined


def weighted_participation(
    taking_part: Mapping[str, int], members: Mapping[str, int], weights: Mapping[str, object]
) -> Fraction:
    """The share of the vote present, each college counting for its weight: a quorum
    "weighted by college" compares this share with the statutes' fraction.

    >>> weighted_participation({"a": 5, "b": 1}, {"a": 10, "b": 4}, {"a": "1/2", "b": "1/2"})
    Fraction(3, 8)
    """
    exact = check_college_weights(weights)
    share = Fraction(0)
    for college, weight in exact.items():
        size = members.get(college, 0)
        if size:
            share += weight * Fraction(min(taking_part.get(college, 0), size), size)
    return share


def cap_categories(
    category_ballots: Mapping[str, GroupedBallots[B]],
    caps: Mapping[str, object],
) -> dict[B, Fraction]:
    """Scale down every category whose share of the total weight exceeds its cap.

    Capped categories are scaled so that each holds exactly its cap of the final total; the
    others keep their weight. Capping one category raises the others' shares, so the check is
    repeated until no category exceeds its cap.

    >>> cap_categories({"members": {"x": 40}, "others": {"y": 60}}, {"others": "49/100"})
    {'x': Fraction(40, 1), 'y': Fraction(1960, 51)}
    """
    exact_caps = {
        category: exact_fraction(f"the cap of {category!r}", cap) for category, cap in caps.items()
    }
    if any(not 0 < cap < 1 for cap in exact_caps.values()):
        raise TallyError(f"caps must be strictly between 0 and 100 %: {exact_caps}")
    grouped = {c: _group(ballots) for c, ballots in category_ballots.items()}
    totals = {c: Fraction(sum(g.values(), 0)) for c, g in grouped.items()}
    factors = _cap_factors(totals, exact_caps)
    combined: dict[B, Fraction] = {}
    for category in sorted(grouped):
        for ballot, weight in grouped[category].items():
            combined[ballot] = combined.get(ballot, Fraction(0)) + weight * factors[category]
    return combined


def _cap_factors(
    totals: Mapping[str, Fraction], caps: Mapping[str, Fraction]
) -> dict[str, Fraction]:
    """Scaling factor per category; capped ones hold exactly their cap of the final total."""
    capped: set[str] = set()
    while True:
        free_total = sum((t for c, t in totals.items() if c not in capped), Fraction(0))
        capped_share = sum((caps[c] for c in capped), Fraction(0))
        if capped and (capped_share >= 1 or free_total == 0):
            raise TallyError(f"the caps {dict(caps)} cannot all hold with these ballots")
        final_total = free_total / (1 - capped_share)
        over = {
            c
            for c, total in totals.items()
            if c in caps and c not in capped and total > caps[c] * final_total
        }
        if not over:
            break
        capped |= over
    return {c: caps[c] * final_total / totals[c] if c in capped else Fraction(1) for c in totals}


def _group(ballots: GroupedBallots[B]) -> dict[B, Weight]:
    """Group ballots already in their method's shape (validated later by the method)."""
    return group_ballots(ballots, cast("Callable[[object], B]", _same))


def _same(ballot: object) -> object:
    return ballot

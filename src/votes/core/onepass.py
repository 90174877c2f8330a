"""The result of a one-pass scoring method (plurality, approval, score, Borda): one round.

Each of these methods turns ballots into one exact score per candidate; this module ranks the
scores, fills the seats from the top, settles a tie on the last seat by the caller's
:class:`~votes.core.ties.TieBreak`, and writes the round's explanation.

Every one-pass count takes the same common parameters, documented here once:

* ``candidates``: candidate ids;
* ``ballots``: a mapping ballot → weight, or an iterable of ballots each of weight 1, in the
  method's ballot shape (see its module);
* ``seats``: how many win (top-k);
* ``tie_break``: ``"unresolved"`` (default: a tie on the last seat is reported and the seat left
  empty), ``"lot"`` (with ``seed``) or a candidate order, earlier first;
* ``seed``: the lot's seed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction

from votes.core.ballots import check_candidates, check_seats
from votes.core.results import Candidate, JSONValue, Message, Round, TallyResult
from votes.core.ties import TieBreak, rank_by_score, select_top

MESSAGES = {  # each sentence in French, English and Dutch (votes.core.explain.LANGUAGES)
    "winners": (
        ("{names:and} est élu·e", "{names:and} sont élu·es"),
        ("{names:and} is elected", "{names:and} are elected"),
        ("{names:and} is verkozen", "{names:and} zijn verkozen"),
    ),
    "no_winner": (
        "aucun siège attribué",
        "no seat filled",
        "geen zetel toegewezen",
    ),
}


def start_one_pass(
    candidates: Sequence[Candidate], seats: int, tie_break: object, seed: str | None
) -> tuple[tuple[Candidate, ...], int, TieBreak]:
    """The checked candidates and seats and the tie-break policy a top-k count starts from.

    >>> start_one_pass(["a", "b"], 1, "lot", "2026")[2].kind
    'lot'
    """
    names = check_candidates(candidates)
    return names, check_seats(seats), TieBreak.from_options(names, tie_break, seed)


def one_pass_result(
    method: str,
    candidates: Sequence[Candidate],
    seats: int,
    scores: Mapping[Candidate, Fraction],
    tie_break: TieBreak,
    *,
    describe: Callable[[Candidate], Message],
    notes: Sequence[Message] = (),
    details: Mapping[str, JSONValue],
    options: Mapping[str, JSONValue],
    eligible: frozenset[Candidate] | None = None,
) -> TallyResult:
    """Rank ``scores``, fill ``seats`` from the top and wrap everything in a one-round result.

    Only ``eligible`` candidates (all by default) may win; the others are ranked after them.
    ``describe`` writes one candidate's sentence; the round lists them best first, then
    ``notes`` (blank votes…), then the tie and the winners.
    """
    allowed = frozenset(candidates) if eligible is None else eligible
    ranking = rank_by_score({c: s for c, s in scores.items() if c in allowed})
    ranking += rank_by_score({c: s for c, s in scores.items() if c not in allowed})
    contenders = [group for group in ranking if group[0] in allowed]
    winners, events, tie_messages = select_top(contenders, seats, tie_break)
    if winners:
        closing = Message("onepass.winners", {"names": winners, "count": len(winners)})
    else:
        closing = Message("onepass.no_winner")
    round_ = Round(
        number=1,
        totals=dict(scores),
        elected=winners,
        messages=(
            *(describe(c) for group in ranking for c in group),
            *notes,
            *tie_messages,
            closing,
        ),
    )
    return TallyResult(
        method=method,
        candidates=tuple(candidates),
        seats=seats,
        winners=winners,
        rounds=(round_,),
        tie_events=events,
        ranking=ranking,
        details=details,
        options={"tie_break": tie_break.as_option(), "seed": tie_break.seed, **options},
    )

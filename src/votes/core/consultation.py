"""A network's consultation of its member cooperatives counted (#20).

Each cooperative decides under its own rules and returns its verdict and the figures of its
published ballot; the network adds them up. A cooperative that has not answered is shown as
such and never counted (neither as adopting nor as rejecting, and none of its figures), and a
consultation the network withdrew counts nowhere. Pure and exact: integers only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Answer(StrEnum):
    """Where a cooperative stands in the consultation."""

    ADOPTED = "adopted"
    REJECTED = "rejected"
    NO_DECISION = "no_decision"  # no quorum, blocked: answered, but decided nothing
    UNANSWERED = "unanswered"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class Figures:
    """The figures a cooperative returned from its published ballot."""

    votes_for: int = 0
    votes_against: int = 0
    abstentions: int = 0
    voters: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.votes_for + other.votes_for,
            self.votes_against + other.votes_against,
            self.abstentions + other.abstentions,
            self.voters + other.voters,
        )


@dataclass(frozen=True, slots=True)
class ConsultationTally:
    """The network's view: how many cooperatives stand where, and the returned figures."""

    adopted: int
    rejected: int
    no_decision: int
    unanswered: int
    figures: Figures  # the sum over the cooperatives that answered

    @property
    def answered(self) -> int:
        return self.adopted + self.rejected + self.no_decision

    @property
    def consulted(self) -> int:
        """Cooperatives still consulted (a withdrawn consultation is not one)."""
        return self.answered + self.unanswered


def aggregate_consultation(answers: Iterable[tuple[Answer, Figures]]) -> ConsultationTally:
    """Add up the cooperatives' answers; an unanswered or withdrawn one adds no figure.

    >>> tally = aggregate_consultation([
    ...     (Answer.ADOPTED, Figures(12, 3, 1, 16)),
    ...     (Answer.REJECTED, Figures(4, 9, 0, 13)),
    ...     (Answer.UNANSWERED, Figures()),
    ... ])
    >>> tally.adopted, tally.rejected, tally.unanswered, tally.figures.votes_for
    (1, 1, 1, 16)
    """
    counts = dict.fromkeys(Answer, 0)
    total = Figures()
    for answer, figures in answers:
        counts[answer] += 1
        if answer in (Answer.ADOPTED, Answer.REJECTED, Answer.NO_DECISION):
            total += figures
    return ConsultationTally(
        adopted=counts[Answer.ADOPTED],
        rejected=counts[Answer.REJECTED],
        no_decision=counts[Answer.NO_DECISION],
        unanswered=counts[Answer.UNANSWERED],
        figures=total,
    )

"""The network's count of a consultation: answers counted, the unanswered shown but never
counted, withdrawn ones nowhere."""

from __future__ import annotations

import doctest

from votes.core import consultation
from votes.core.consultation import Answer, Figures, aggregate_consultation


def test_doctests() -> None:
    assert doctest.testmod(consultation).failed == 0


def test_every_kind_of_answer_is_counted_once_and_only_answers_add_figures() -> None:
    tally = aggregate_consultation(
        [
            (Answer.ADOPTED, Figures(10, 2, 1, 13)),
            (Answer.ADOPTED, Figures(5, 0, 0, 5)),
            (Answer.REJECTED, Figures(1, 7, 2, 10)),
            (Answer.NO_DECISION, Figures(2, 2, 0, 4)),
            (Answer.UNANSWERED, Figures(99, 99, 99, 99)),
            (Answer.WITHDRAWN, Figures(50, 50, 50, 50)),
        ]
    )
    assert (tally.adopted, tally.rejected, tally.no_decision, tally.unanswered) == (2, 1, 1, 1)
    assert tally.answered == 4
    assert tally.consulted == 5
    assert tally.figures == Figures(18, 11, 3, 32)


def test_nobody_answered_yet() -> None:
    tally = aggregate_consultation([(Answer.UNANSWERED, Figures()), (Answer.UNANSWERED, Figures())])
    assert tally.answered == 0
    assert tally.unanswered == 2
    assert tally.figures == Figures(0, 0, 0, 0)


def test_no_cooperative_at_all() -> None:
    tally = aggregate_consultation([])
    assert tally.consulted == 0
    assert tally.figures == Figures()

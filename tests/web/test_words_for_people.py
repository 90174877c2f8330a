"""What people read of a count: labels, never internal keys; decimals, never raw fractions;
an order only where the method has one (issue #17, bug 10)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from votes.core import tally
from votes.services import csv_cells
from votes.web import voting

LABELS = {"o1": "Aïcha Diallo", "o2": "Bertrand Morel", "o3": "Chloé Vasseur"}


def test_a_condorcet_ranking_is_written_with_labels() -> None:
    result = tally(
        "schulze",
        list(LABELS),
        {("o1", "o2", "o3"): 2, ("o2", "o1", "o3"): 1},
    )
    lines = " ".join(voting.explanation(result, LABELS, "fr"))
    assert "Aïcha Diallo > Bertrand Morel > Chloé Vasseur" in lines
    assert "o1" not in lines


def test_each_method_reads_its_own_way() -> None:
    assert voting.choice_text("approval", LABELS, '["o1", "o3"]') == "Aïcha Diallo, Chloé Vasseur"
    assert voting.choice_text("irv", LABELS, '["o3", "o1"]') == "Chloé Vasseur > Aïcha Diallo"
    majority = {"yes": "Pour", "no": "Contre"}
    assert voting.choice_text("majority", majority, '"yes"') == "Pour"
    consent = {"objection": "Objection"}
    assert voting.choice_text("consent", consent, '["objection", "trop tôt"]') == (
        "Objection — trop tôt"
    )


def test_fractions_become_decimals_that_stay_numbers() -> None:
    assert csv_cells.number_cell(Fraction(666666667, 250000000)) == Decimal("2.666667")
    assert csv_cells.number_cell(Fraction(4)) == 4
    assert csv_cells.number_cell(-2) == -2


def test_a_motion_is_told_in_words() -> None:
    result = tally(
        "majority",
        ["yes", "no", "abstain"],
        {"yes": 2, "no": 22, "abstain": 1},
        threshold=Fraction(2, 3),
        comparison="at_least",
    )
    words = voting.majority_words(result, "fr")
    assert words.startswith("2 voix pour\u00a0; il en fallait 16 (")

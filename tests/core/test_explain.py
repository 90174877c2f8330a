"""Explanations read naturally in French and English; results survive JSON."""

from fractions import Fraction

import pytest

from votes.core import Message, TallyResult, explain, render, tally
from votes.core.explain import NBSP, format_number, format_percent, join_names, phrase
from votes.core.results import Round, TieEvent, TieResolution, Verdict
from votes.core.ties import TieBreak, draw_lot, rank_by_score, select_top


def test_french_numbers_use_a_decimal_comma_and_non_breaking_thousands():
    assert format_number(Fraction(1234567, 100), "fr") == f"12{NBSP}345,67"
    assert format_number(Fraction(-1, 4), "en") == "-0.25"
    assert format_number(7, "en") == "7"


def test_percentages_round_half_up_with_a_french_non_breaking_space():
    assert format_percent(Fraction(2, 3), "fr") == f"66,7{NBSP}%"
    assert format_percent(Fraction(5, 8), "en") == "62.5%"
    assert format_percent(1, "fr") == f"100{NBSP}%"


def test_names_join_with_a_final_and():
    assert join_names(["A"], "fr") == "A"
    assert join_names(["A", "B"], "en") == "A and B"


def test_plural_templates_follow_each_languages_rule():
    zero = Message("plurality.votes", {"candidate": "A", "count": 0})
    assert render(zero, "fr") == "A obtient 0 voix"
    assert render(zero, "en") == "A gets 0 votes"
    one = Message("approval.approvals", {"candidate": "A", "count": Fraction(1)})
    assert render(one, "en") == "A gets 1 approval"
    assert render(one, "fr") == "A obtient 1 approbation"


def test_a_count_that_is_not_a_number_takes_the_plural_form():
    message = Message("ties.unresolved", {"tied": ("a", "b"), "count": "?"})
    assert render(message, "en") == "tie between a and b for ? remaining places: not resolved"


def test_an_unknown_language_falls_back_to_french():
    assert render(Message("onepass.no_winner"), "de") == "aucun siège attribué"


def test_nested_phrases_render_in_the_messages_language():
    nested = Message("majority.casting_vote", {"side": phrase("majority.side_yes")})
    assert render(nested, "en") == "tie broken by the chair's casting vote: for"
    assert render(nested, "fr").endswith(f"présidence{NBSP}: pour")


def test_explain_prefixes_each_round_in_french_with_a_non_breaking_space():
    result = tally("plurality", ["A", "B"], ["A", "A", "B"])
    assert explain(result, "fr") == [
        f"Tour 1{NBSP}: A obtient 2 voix{NBSP}; B obtient 1 voix{NBSP}; A est élu·e"
    ]
    assert explain(result, "en") == ["Round 1: A gets 2 votes; B gets 1 vote; A is elected"]


def test_a_decision_is_explained_by_its_verdict_sentence_alone():
    result = tally("majority", ("yes", "no"), {"yes": 3, "no": 1})
    assert explain(result, "en")[0].startswith("Adopted — required majority")


def test_json_round_trip_keeps_every_field():
    result = TallyResult(
        method="x",
        candidates=("a", "b"),
        seats=1,
        winners=("a",),
        rounds=(
            Round(
                1,
                {"a": Fraction(1, 3)},
                ("a",),
                ("b",),
                Fraction(1),
                Fraction(1, 7),
                (Message("onepass.winners", {"names": ("a",), "count": 1}),),
            ),
        ),
        tie_events=(TieEvent(1, "winner", ("a", "b"), ("a",), TieResolution.LOT, "s"),),
        ranking=(("a",), ("b",)),
        verdict=Verdict.ADOPTED,
        details={"m": {"a": Fraction(2, 3)}, "l": [1, 2]},
        options={"seed": "s"},
    )
    again = TallyResult.from_json(result.to_json())
    assert again.details["l"] == (1, 2)
    assert TallyResult.from_json(again.to_json()) == again


def test_a_lot_is_reproducible_and_independent_of_the_order_given():
    first, event = draw_lot(["c", "a", "b"], 2, seed="2026", round_number=3, purpose="winner")
    again, _ = draw_lot(["b", "c", "a"], 2, seed="2026", round_number=3, purpose="winner")
    assert first == again
    assert event.tied == ("a", "b", "c")
    assert event.seed == "2026"


@pytest.mark.parametrize(
    ("tie_break", "seed", "fragment"),
    [
        ("lot", None, "needs a seed"),
        ("coin", None, "must be one of"),
        (["a"], None, "every"),
        ("unresolved", 3, "seed must be a string"),
    ],
)
def test_tie_break_options_are_checked(tie_break, seed, fragment):
    with pytest.raises(Exception, match=fragment):
        TieBreak.from_options(["a", "b"], tie_break, seed)


def test_select_top_leaves_a_contested_seat_empty_when_the_tie_is_unresolved():
    ranking = rank_by_score({"a": Fraction(3), "b": Fraction(2), "c": Fraction(2)})
    winners, events, messages = select_top(ranking, 2, TieBreak())
    assert winners == ("a",)
    assert events[0].resolution is TieResolution.UNRESOLVED
    assert events[0].tied == ("b", "c")
    assert render(messages[0], "fr").startswith("égalité entre b et c pour 1 place restante")


def test_select_top_settles_by_a_published_order():
    ranking = (("a", "b", "c"),)
    winners, events, _ = select_top(ranking, 2, TieBreak("order", order=("c", "a", "b")))
    assert winners == ("c", "a")
    assert events[0].resolution is TieResolution.FIXED_ORDER
    assert select_top(ranking, 5, TieBreak())[0] == ("a", "b", "c")


def test_a_candidate_named_like_the_fraction_marker_survives_json() -> None:
    from votes.core import tally
    from votes.core.results import TallyResult

    result = tally("plurality", ["__fraction__", "b"], {("__fraction__",): 2, ("b",): 1})
    assert TallyResult.from_json(result.to_json()) == result

"""Instant-runoff: hand-made cases, one per rule and edge case (voting-rules.md §3.5)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from votes.core import irv, tally
from votes.core.explain import explain
from votes.core.irv import break_tie, prepare_ranked, tally_instant_runoff, transfer_message
from votes.core.results import Message, TallyError, TallyResult, TieResolution
from votes.core.ties import TieBreak, draw_lot

# The rules file's tie example: round 2 ties A and C for last place.
SPREAD = [
    ("C", "B"),
    ("D", "C", "A"),
    ("C", "A", "D"),
    ("B",),
    ("B", "D", "A", "C"),
    ("A", "D", "C"),
    ("B", "C", "A", "D"),
    ("A", "C", "B", "D"),
    ("A", "B", "D", "C"),
    ("B", "C", "A"),
]


def _balanced(result: TallyResult) -> bool:
    valid = result.details["valid"]
    return all(sum(r.totals.values()) + r.exhausted == valid for r in result.rounds)


def test_a_first_round_majority_wins_at_once() -> None:
    result = tally("irv", ["a", "b", "c"], {("a",): 6, ("b", "a"): 3, ("c",): 2})

    assert result.winners == ("a",)
    assert len(result.rounds) == 1
    assert result.rounds[0].totals == {"a": 6, "b": 3, "c": 2}
    assert explain(result, "en") == [
        "Round 1: a is elected with 6 of 11 votes (54.5%), more than half of the continuing votes"
    ]


def test_the_rules_file_example_is_settled_by_earlier_rounds_and_elects_b() -> None:
    result = tally_instant_runoff(["A", "B", "C", "D"], SPREAD)

    assert result.winners == ("B",)
    assert [r.excluded for r in result.rounds] == [("D",), ("C",), ("A",), ()]
    tie = result.tie_events[0]
    assert (tie.round, tie.tied, tie.chosen) == (2, ("A", "C"), ("C",))
    assert tie.resolution is TieResolution.HISTORY_BACKWARD
    assert _balanced(result)


def test_explanations_read_naturally_in_french_and_english() -> None:
    result = tally_instant_runoff(["A", "B", "C", "D"], SPREAD)

    fr, en = explain(result, "fr"), explain(result, "en")
    assert fr[0] == "Tour 1\u00a0: D est éliminé·e (1 voix, le moins)\u00a0; 1 voix va à C"
    assert fr[2] == (
        "Tour 3\u00a0: égalité entre A et B, départagée par le tour 2, où A avait le moins de "
        "voix\u00a0; A est éliminé·e (5 voix, le moins)\u00a0; 2 voix vont à B, 3 sont épuisées"
    )
    assert en[1] == (
        "Round 2: tie between A and C, settled by round 1, where C had the fewest votes; "
        "C is excluded (3 votes, the fewest); 2 votes go to A, 1 to B"
    )


def test_majority_is_of_continuing_votes_once_ballots_exhaust() -> None:
    result = tally("irv", ["a", "b", "c"], {("a",): 4, ("b",): 3, ("c",): 2})

    assert result.winners == ("a",)
    final = result.rounds[-1]
    assert final.exhausted == 2
    assert final.totals == {"a": 4, "b": 3}
    assert "2 voix sont épuisées" in explain(result, "fr")[0]


def test_a_tie_equal_at_every_round_needs_a_seed() -> None:
    ballots = {("a",): 1, ("b",): 1}  # c is out first; who of a and b goes decides
    with pytest.raises(TallyError, match="seed"):
        tally_instant_runoff(["a", "b", "c"], ballots)


def test_a_tie_whose_exclusion_cannot_change_the_winner_needs_no_seed() -> None:
    ballots = {("a",): 1, ("b",): 1, ("c",): 2}  # a or b out: c wins either way
    result = tally_instant_runoff(["a", "b", "c"], ballots)
    assert result.winners == ("c",)
    (event,) = result.tie_events
    assert event.resolution is TieResolution.NO_EFFECT
    assert event.tied == ("a", "b")
    assert "quelle que soit la personne éliminée, c est élu·e" in explain(result, "fr")[0]
    assert "whoever is excluded, c is elected" in explain(result, "en")[0]
    # a seed changes nothing: no lot is drawn for a tie that does not matter
    assert tally_instant_runoff(["a", "b", "c"], ballots, seed="s").tie_events == (event,)


def test_ties_inside_ties_are_tried_too() -> None:
    # a, b, c, d tied at every round; whoever goes first, the others tie again: the winner
    # depends on every exclusion, so a lot is needed
    ballots = {("a",): 1, ("b",): 1, ("c",): 1, ("d",): 1}
    with pytest.raises(TallyError, match="seed"):
        tally_instant_runoff(["a", "b", "c", "d"], ballots)
    # d and e tied last, both transfer to a: the winner is a whoever goes first
    spread = {("a",): 3, ("b",): 2, ("d", "a"): 1, ("e", "a"): 1}
    result = tally_instant_runoff(["a", "b", "d", "e"], spread)
    assert result.winners == ("a",)


def test_a_seeded_lot_is_recorded_and_reproducible() -> None:
    ballots = {("a",): 1, ("b",): 1}
    first = tally_instant_runoff(["a", "b"], ballots, seed="AG-2026")
    again = tally_instant_runoff(["a", "b"], dict(reversed(ballots.items())), seed="AG-2026")

    event = first.tie_events[0]
    assert event.resolution is TieResolution.LOT
    assert event.seed == "AG-2026"
    expected, _ = draw_lot(["a", "b"], 1, seed="AG-2026", round_number=1, purpose="exclusion")
    assert event.chosen == expected
    assert first == again
    assert first.options["seed"] == "AG-2026"
    assert "AG-2026" in explain(first, "fr")[0]


def test_a_published_order_settles_ties_without_a_seed() -> None:
    ballots = {("a",): 1, ("b",): 1}
    result = tally_instant_runoff(["a", "b"], ballots, tie_break=["b", "a"])

    assert result.rounds[0].excluded == ("b",)
    assert result.tie_events[0].resolution is TieResolution.FIXED_ORDER
    assert result.options["tie_break"] == ("b", "a")


def test_history_narrows_a_three_way_tie_before_the_lot() -> None:
    outcome = break_tie(
        [0, 1, 2],
        fewest=True,
        history=[[1, 1, 9], [4, 4, 5]],
        policy=TieBreak("order", order=("b", "a", "c")),
        names=["a", "b", "c"],
        round_number=3,
        purpose="exclusion",
    )
    # round 2 leaves a and b tied; round 1 too; the published order then picks b
    assert outcome.chosen == 1
    assert outcome.event.tied == ("a", "b")


def test_the_surplus_direction_prefers_the_most_votes() -> None:
    outcome = break_tie(
        [0, 1],
        fewest=False,
        history=[[3, 5]],
        policy=TieBreak(),
        names=["a", "b"],
        round_number=2,
        purpose="surplus_order",
    )
    assert outcome.chosen == 1
    assert outcome.message.key == "irv.tie_history_most"


def test_weighted_ballots_count_exactly() -> None:
    ballots = {("a",): 2, ("b", "a"): Fraction(1, 2), ("c",): Fraction(3, 2)}
    result = tally_instant_runoff(["a", "b", "c"], ballots)

    assert result.winners == ("a",)
    assert result.rounds[1].totals == {"a": Fraction(5, 2), "c": Fraction(3, 2)}
    assert _balanced(result)


def test_the_last_candidate_standing_wins_even_without_votes() -> None:
    result = tally_instant_runoff(["solo"], [])

    assert result.winners == ("solo",)
    assert explain(result, "en") == ["Round 1: solo is elected as the last candidate standing"]


def test_an_excluded_candidate_without_votes_transfers_nothing() -> None:
    result = tally_instant_runoff(
        ["a", "b", "c"], {("a",): 2, ("b",): 2}, tie_break=["a", "b", "c"]
    )

    assert result.rounds[0].excluded == ("c",)
    assert (
        explain(result, "en")[0]
        == "Round 1: c is excluded (0 votes, the fewest); no votes to transfer"
    )


def test_withdrawn_candidates_are_skipped_on_every_ballot() -> None:
    ballots = {("w", "a"): 3, ("b",): 2}
    result = tally_instant_runoff(["a", "b", "w"], ballots, withdrawn=["w"])

    assert result.winners == ("a",)
    assert result.rounds[0].totals == {"a": 3, "b": 2}
    assert result.options["withdrawn"] == ("w",)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seats": 2}, "one seat"),
        ({"colour": "red"}, "unknown option"),
        ({"withdrawn": "a"}, "withdrawn must be"),
        ({"withdrawn": 3}, "withdrawn must be"),
        ({"withdrawn": ["z"]}, "not a candidate"),
        ({"withdrawn": ["a", "b"]}, "every candidate"),
        ({"seed": 7}, "seed must be a string"),
    ],
)
def test_bad_options_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(TallyError, match=message):
        tally_instant_runoff(["a", "b"], {("a",): 1}, **kwargs)  # type: ignore[arg-type]


def test_ballots_may_be_lists_and_empty_ballots_count_for_nothing() -> None:
    result = tally_instant_runoff(["a", "b"], [["a"], ["b", "a"], ["a"], [], ()])

    assert result.winners == ("a",)
    assert result.details["valid"] == 3


def test_an_invalid_ballot_is_named_in_the_error() -> None:
    with pytest.raises(TallyError, match=r"\('a', 'z'\).*unknown candidate 'z'"):
        tally_instant_runoff(["a", "b"], {("a", "z"): 1})


def test_prepare_ranked_merges_ballots_that_differ_only_by_withdrawn_names() -> None:
    profile = prepare_ranked(
        ["a", "b", "w"], {("a", "w", "b"): 1, ("a", "b"): 2, ("w",): 4}, withdrawn=("w",)
    )
    assert profile.rankings == (("a", "b"),)
    assert profile.indexed() == ((0, 1),)
    assert profile.weights == (3,)
    assert profile.valid == 3


def test_prepare_ranked_refuses_a_string_as_withdrawn_list() -> None:
    with pytest.raises(TallyError, match="withdrawn"):
        prepare_ranked(["a", "b"], [("a",)], withdrawn="a")


def test_transfer_message_is_plain_data() -> None:
    assert transfer_message({}, 0, ["a"]) == Message("irv.nothing_moves")
    only = transfer_message({0: 0}, 3, ["a"])
    assert only.params["moves"][0]["key"] == "irv.exhausted_only"


def test_results_survive_a_json_round_trip() -> None:
    result = tally_instant_runoff(["A", "B", "C", "D"], SPREAD, seed="x")
    assert TallyResult.from_json(result.to_json()) == result


def test_ties_nested_too_deep_are_left_to_the_tie_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(irv, "TIE_DEPTH_MAX", 0)
    with pytest.raises(TallyError, match="seed"):
        tally_instant_runoff(["a", "b", "c"], {("a",): 1, ("b",): 1, ("c",): 2})

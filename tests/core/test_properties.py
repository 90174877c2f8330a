"""Properties every count must have, checked on random profiles (Hypothesis)."""

import random
from collections import Counter
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from votes.core import METHODS, TallyResult, tally
from votes.core.ballots import group_ranked_ballots
from votes.core.condorcet import condorcet_winner, pairwise_matrix

POOL = ("a", "b", "c", "d", "e")


@st.composite
def ranked_profiles(draw, min_candidates=2, max_ballots=12):
    count = draw(st.integers(min_candidates, len(POOL)))
    candidates = POOL[:count]
    ballot = st.permutations(candidates).flatmap(
        lambda order: st.integers(0, len(order)).map(lambda k: tuple(order[:k]))
    )
    return candidates, draw(st.lists(ballot, max_size=max_ballots))


def one_pass_ballots(method, candidates, ranked):
    """The same voters expressed in each method's ballot shape."""
    if method == "approval":
        return [frozenset(b) for b in ranked]
    if method == "score":
        return [frozenset((c, 3 - i) for i, c in enumerate(b[:3])) for b in ranked]
    if method == "majority":
        return [("yes", "no", "abstain")[len(b) % 3] for b in ranked]
    if method in ("consent", "consensus"):
        vocabulary = ("consent", "concern", "stand_aside", "objection")
        if method == "consensus":
            vocabulary = ("agree", "reservations", "stand_aside", "block")
        return [vocabulary[len(b) % 4] for b in ranked]
    return ranked


MY_METHODS = ("plurality", "approval", "score", "borda", "schulze", "ranked_pairs")
DECISIONS = ("majority", "consent", "consensus")


def run(method, candidates, ballots, **options):
    if method in DECISIONS:
        return tally(method, (), ballots, **options)
    return tally(method, candidates, ballots, **options)


@given(
    ranked_profiles(), st.randoms(use_true_random=False), st.sampled_from(MY_METHODS + DECISIONS)
)
def test_permuting_or_grouping_ballots_never_changes_the_result(profile, rng, method):
    candidates, ranked = profile
    ballots = one_pass_ballots(method, candidates, ranked)
    expected = run(method, candidates, ballots)
    shuffled = list(ballots)
    rng.shuffle(shuffled)
    assert run(method, candidates, shuffled) == expected
    assert run(method, candidates, dict(Counter(ballots))) == expected


@given(ranked_profiles(), st.sampled_from(("schulze", "ranked_pairs")), st.booleans())
def test_a_condorcet_winner_wins_schulze_and_ranked_pairs(profile, method, winning_votes):
    candidates, ranked = profile
    matrix = pairwise_matrix(candidates, group_ranked_ballots(candidates, ranked))
    champion = condorcet_winner(candidates, matrix)
    strength = "winning_votes" if winning_votes else "margin"
    result = tally(method, candidates, ranked, strength=strength, tie_break="lot", seed="p")
    if champion is not None:
        assert result.winners == (champion,)
        assert result.ranking[0] == (champion,)


@given(ranked_profiles(), st.sampled_from(MY_METHODS), st.integers(1, 3), st.randoms())
def test_relabelling_candidates_relabels_the_result(profile, method, seats, rng):
    candidates, ranked = profile
    names = [f"n{i}" for i in range(len(candidates))]
    rng.shuffle(names)
    rename = dict(zip(candidates, names, strict=True))
    renamed_ballots = [tuple(rename[c] for c in b) for b in ranked]
    order = list(candidates)
    rng.shuffle(order)
    first = tally(
        method,
        candidates,
        one_pass_ballots(method, candidates, ranked),
        seats=seats,
        tie_break=order,
    )
    second = tally(
        method,
        [rename[c] for c in candidates],
        one_pass_ballots(method, names, renamed_ballots),
        seats=seats,
        tie_break=[rename[c] for c in order],
    )
    # winners tied in a group that fits entirely are elected together: compare as sets
    assert {rename[c] for c in first.winners} == set(second.winners)
    assert [{rename[c] for c in g} for g in first.ranking] == [set(g) for g in second.ranking]
    assert {rename[c]: v for c, v in first.rounds[0].totals.items()} == second.rounds[0].totals


@settings(max_examples=40)
@given(ranked_profiles(), st.sampled_from(sorted(METHODS)), st.integers(1, 3))
def test_every_result_survives_json(profile, method, seats):
    candidates, ranked = profile
    ballots = one_pass_ballots(method, candidates, ranked)
    options = {"tie_break": "lot", "seed": "json"} if method not in DECISIONS else {}
    if method in (*DECISIONS, "irv"):
        seats = 1
    result = run(method, candidates, ballots, seats=seats, **options)
    assert TallyResult.from_json(result.to_json()) == result


@given(st.lists(st.fractions(min_value=0, max_value=10, max_denominator=7), min_size=1))
def test_weights_add_up_exactly(weights):
    ballots = {tuple(POOL[: 1 + i % 4]): w for i, w in enumerate(weights)}
    grouped = group_ranked_ballots(POOL, ballots)
    result = tally("plurality", POOL, grouped)
    assert sum(result.rounds[0].totals.values()) == sum(grouped.values(), Fraction(0))


def test_the_lot_does_not_depend_on_the_process_hash_seed():
    # same seed, candidate ids given in another order: same draw
    ballots = ["a", "b", "c"]
    results = {
        tally("plurality", order, ballots, tie_break="lot", seed="h").winners
        for order in (["a", "b", "c"], ["c", "b", "a"], random.Random(1).sample("abc", 3))
    }
    assert len(results) == 1

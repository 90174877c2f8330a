"""Majority motions: the hard cases of the rules file, quorum, bases and the verdict sentence."""

from fractions import Fraction

import pytest

from votes.core import TallyError, TieResolution, Verdict, explain, tally

YNA = ("yes", "no", "abstain")


def motion(counts, **options):
    return tally("majority", (*YNA, "blank", "invalid"), counts, **options)


def test_a_tie_fails_without_a_casting_vote():
    result = motion({"yes": 5, "no": 5})
    assert result.verdict is Verdict.REJECTED
    assert result.tie_events == ()


@pytest.mark.parametrize(("side", "verdict"), [("yes", Verdict.ADOPTED), ("no", Verdict.REJECTED)])
def test_the_chairs_casting_vote_settles_an_exact_tie(side, verdict):
    result = motion({"yes": 5, "no": 5}, casting_vote=side)
    assert result.verdict is verdict
    assert result.tie_events[0].resolution is TieResolution.CASTING_VOTE
    assert result.tie_events[0].chosen == (side,)
    assert "voix prépondérante" in explain(result, "fr")[0]


def test_two_thirds_with_two_to_one_passes_at_exactly_two_thirds():
    result = motion({"yes": 2, "no": 1}, threshold="2/3", comparison="at_least")
    assert result.verdict is Verdict.ADOPTED


def test_two_thirds_with_five_to_three_fails():
    result = motion({"yes": 5, "no": 3}, threshold=Fraction(2, 3), comparison="at_least")
    assert result.verdict is Verdict.REJECTED
    assert result.details["share"] == Fraction(5, 8)


def test_counting_abstentions_flips_four_three_two():
    counts = {"yes": 4, "no": 3, "abstain": 2}
    assert motion(counts).verdict is Verdict.ADOPTED
    assert motion(counts, base="cast_and_abstentions").verdict is Verdict.REJECTED


def test_absolute_majority_of_nine_members_needs_five_even_if_only_five_attend():
    assert motion({"yes": 4, "no": 1}, base="members", members=9).verdict is Verdict.REJECTED
    assert motion({"yes": 5}, base="members", members=9, present=5).verdict is Verdict.ADOPTED


def test_majority_of_members_present_counts_those_who_did_not_vote():
    result = motion({"yes": 6, "no": 3}, base="present", present=13)
    assert result.verdict is Verdict.REJECTED
    assert result.details["base"] == 13


def test_zero_votes_never_passes():
    result = motion({})
    assert result.verdict is Verdict.REJECTED
    assert explain(result, "en") == ["Rejected — no vote to count (0 for, 0 against)"]
    assert motion({"abstain": 3}, threshold="1/3", comparison="at_least").verdict is (
        Verdict.REJECTED
    )


def test_quorum_is_checked_before_the_threshold():
    result = motion({"yes": 3}, quorum=4)
    assert result.verdict is Verdict.NO_QUORUM
    assert explain(result, "en") == ["No quorum — 3 took part, 4 required (3 for, 0 against)"]


def test_quorum_counts_members_present_when_given_and_may_be_a_share_of_members():
    assert motion({"yes": 3}, quorum=4, present=4).verdict is Verdict.ADOPTED
    assert motion({"yes": 2}, quorum_share="1/4", members=12).verdict is Verdict.NO_QUORUM
    result = motion({"yes": 3}, quorum=2, quorum_share="1/4", members=12)
    assert result.verdict is Verdict.ADOPTED
    assert result.details["quorum"] == 3


def test_blank_and_invalid_papers_are_not_votes_cast_unless_asked():
    counts = {"yes": 5, "no": 4, "blank": 3, "invalid": 2}
    assert motion(counts).verdict is Verdict.ADOPTED
    assert motion(counts, invalid_in_base=True).verdict is Verdict.REJECTED
    assert motion(counts).details["participants"] == 14


def test_the_verdict_sentence_quotes_the_rule_and_the_numbers():
    result = tally(
        "majority", YNA, {"yes": 50, "no": 20, "abstain": 4}, threshold="2/3", comparison="at_least"
    )
    assert explain(result, "fr") == [
        "Adoptée — majorité requise\u00a0: au moins les deux tiers des suffrages exprimés\u00a0;"
        " 71,4\u00a0% de voix pour (50 pour, 20 contre, 4 abstentions non comptées)"
    ]
    assert explain(result, "en") == [
        "Adopted — required majority: at least two thirds of the votes cast; 71.4% in favour"
        " (50 for, 20 against, 4 abstentions not counted)"
    ]
    assert result.details["needed"] == Fraction(140, 3)


@pytest.mark.parametrize(
    ("options", "rule"),
    [
        ({"threshold": "3/4", "comparison": "at_least"}, "at least three quarters of"),
        ({"threshold": "3/5"}, "more than 3/5 of"),
        ({"threshold": "2/3"}, "more than two thirds of"),
        ({"threshold": "3/4"}, "more than three quarters of"),
        ({"comparison": "at_least"}, "at least half of"),
        ({"threshold": "3/5", "comparison": "at_least"}, "at least 3/5 of"),
    ],
)
def test_every_threshold_has_its_words(options, rule):
    result = motion({"yes": 9, "no": 1, "abstain": 1, "blank": 1, "invalid": 1}, **options)
    line = explain(result, "en")[0]
    assert rule in line
    assert "1 abstention not counted, 1 blank, 1 invalid" in line
    assert explain(result, "fr")[0].startswith("Adoptée")


def test_abstentions_are_said_to_count_when_they_are_in_the_base():
    result = motion({"yes": 9, "abstain": 2}, base="cast_and_abstentions")
    assert "(9 pour, 0 contre, 2 abstentions)" in explain(result, "fr")[0]


def test_weighted_counts_stay_exact():
    result = motion({"yes": Fraction(2, 5), "no": Fraction(3, 10)})
    assert result.verdict is Verdict.ADOPTED
    assert result.details["share"] == Fraction(4, 7)


def test_an_iterable_of_responses_is_a_show_of_hands():
    assert motion(["yes", "yes", "no"]).details["yes"] == 2


@pytest.mark.parametrize(
    ("candidates", "ballots", "options", "fragment"),
    [
        (("yes", "no"), ["abstain"], {}, "not one of the responses"),
        (("yes", "maybe"), [], {}, "distinct values"),
        (("yes",), [], {}, "distinct values"),
        (YNA, [], {"threshold": 0.5}, "must be exact"),
        (YNA, [], {"threshold": "half"}, "not a fraction"),
        (YNA, [], {"threshold": 1}, "strictly between"),
        (YNA, [], {"comparison": "over"}, "comparison"),
        (YNA, [], {"base": "voters"}, "base"),
        (YNA, [], {"casting_vote": "abstain"}, "casting_vote"),
        (YNA, [], {"base": "present"}, "present"),
        (YNA, [], {"base": "members"}, "members"),
        (YNA, [], {"quorum_share": "1/2"}, "quorum_share"),
        (YNA, ["yes", "yes"], {"present": 1}, "only 1 present"),
        (YNA, ["yes"], {"present": 3, "members": 2}, "members"),
        (YNA, [], {"seats": 2}, "seats"),
        (YNA, [], {"present": -1}, "negative"),
    ],
)
def test_bad_motions_are_rejected(candidates, ballots, options, fragment):
    with pytest.raises(TallyError, match=fragment):
        tally("majority", candidates, ballots, **options)


def test_no_candidates_means_every_response_is_offered():
    assert tally("majority", (), ["blank"]).candidates == (*YNA, "blank", "invalid")

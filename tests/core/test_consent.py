"""Consent and consensus: objections stop a proposal until integrated; quorum comes first."""

import pytest

from votes.core import TallyError, Verdict, explain, tally
from votes.core.consent import ConsentResponse


def test_consent_passes_with_concerns_and_stand_asides_but_no_objection():
    result = tally(
        "consent", (), ["consent", "consent", ("concern", "watch the budget"), "stand_aside"]
    )
    assert result.verdict is Verdict.ADOPTED
    assert result.details["counts"] == {
        "consent": 2,
        "concern": 1,
        "stand_aside": 1,
        "objection": 0,
    }
    assert explain(result, "fr") == [
        "Adoptée — aucune objection non résolue (2 consentements, 1 réserve, 1 retrait)"
    ]


def test_an_unresolved_objection_blocks_and_is_listed_with_its_reason():
    ballots = {"consent": 4, ("objection", "no budget line"): 2, ("objection", "too early"): 1}
    result = tally("consent", (), ballots)
    assert result.verdict is Verdict.BLOCKED
    assert result.details["objections"] == (
        {"reason": "no budget line", "weight": 2},
        {"reason": "too early", "weight": 1},
    )
    assert explain(result, "en") == [
        "Blocked — 3 unresolved objections (4 consents, 3 objections); "
        "2 objections: no budget line; objection: too early"
    ]


def test_an_integrated_objection_no_longer_blocks():
    result = tally("consent", (), ["consent", ConsentResponse("objection", "integrated", True)])
    assert result.verdict is Verdict.ADOPTED
    assert result.details["resolved_objections"] == 1


def test_no_response_is_never_a_decision():
    result = tally("consent", (), [])
    assert result.verdict is Verdict.NO_QUORUM
    assert explain(result, "fr") == ["Aucune réponse — pas de décision"]


def test_quorum_is_checked_before_objections():
    result = tally("consent", (), ["consent", ("objection", "")], quorum=3)
    assert result.verdict is Verdict.NO_QUORUM
    assert "2 responses, 3 required" in explain(result, "en")[0]


def test_too_many_stand_asides_send_the_proposal_back():
    ballots = ["agree", "stand_aside", "stand_aside"]
    result = tally("consensus", (), ballots, max_stand_asides=1)
    assert result.verdict is Verdict.REJECTED
    assert explain(result, "fr") == ["Non adoptée — 2 retraits, 1 au plus (1 accord, 2 retraits)"]
    assert tally("consensus", (), ballots, max_stand_asides=2).verdict is Verdict.ADOPTED


def test_a_block_stops_consensus_and_an_objection_without_reason_is_shown_as_a_dash():
    result = tally("consensus", (), ["agree", "abstain", ("block", "")])
    assert result.verdict is Verdict.BLOCKED
    assert explain(result, "fr") == [
        "Bloquée — 1 blocage (1 accord, 1 abstention, 1 blocage)\u00a0; objection\u00a0: —"
    ]


@pytest.mark.parametrize(
    ("method", "candidates", "ballots", "options", "fragment"),
    [
        ("consent", (), ["agree"], {}, "not among"),
        ("consent", ("consent", "veto"), [], {}, "distinct values"),
        ("consent", (), [("consent", "fine", "yes")], {}, "boolean"),
        ("consent", (), [("consent", "fine", True)], {}, "only an objection"),
        ("consent", (), [42], {}, "a response is a string"),
        ("consent", (), [], {"seats": 2}, "seats"),
        ("consensus", (), [], {"quorum": -1}, "negative"),
    ],
)
def test_bad_responses_are_rejected(method, candidates, ballots, options, fragment):
    with pytest.raises(TallyError, match=fragment):
        tally(method, candidates, ballots, **options)

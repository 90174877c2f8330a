"""Worked examples of every preset through the real count: members check in, vote on phones,
the ballot closes and the service judges it under the assembly's rules (both engines)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from tests.support.factories import close, general_assembly, open_ballot
from tests.support.refusals import refusal_code

from votes.core import Verdict, explain
from votes.core.rules import preset
from votes.db import attendance_queries as aq
from votes.db.tables import AssemblyKind, Ballot, Convocation, LegalForm
from votes.services import proxies, rules
from votes.services.actors import actor_for
from votes.services.ballots import drafts, voting

AGE, SECOND = AssemblyKind.AGE, Convocation.SECOND


async def test_scop_sarl_ordinary_first_call_needs_more_than_half_of_all_members() -> None:
    ga = await general_assembly(10)
    await ga.check_in(*range(10))
    exactly_half = await ga.motion()
    await ga.vote(exactly_half, {"yes": 5, "no": 3, "abstain": 2})
    result = await close(exactly_half)
    assert result.verdict is Verdict.REJECTED
    assert "plus de la moitié de l'ensemble des membres ayant droit de vote" in explain(result)[0]
    one_more = await ga.motion()
    await ga.vote(one_more, {"yes": 6, "no": 4})
    assert (await close(one_more)).verdict is Verdict.ADOPTED


async def test_scop_sarl_ordinary_second_call_counts_those_present_and_represented() -> None:
    ga = await general_assembly(10, convocation=SECOND)
    await ga.check_in(*range(6))
    passes = await ga.motion()
    await ga.vote(passes, {"yes": 4, "no": 1, "abstain": 1})
    assert (await close(passes)).verdict is Verdict.ADOPTED  # 4 of 6 present
    half = await ga.motion()
    await ga.vote(half, {"yes": 3, "no": 2, "abstain": 1})
    assert (await close(half)).verdict is Verdict.REJECTED  # 3 of 6 is not more than half


async def test_scop_sarl_extraordinary_quorum_is_three_quarters_then_half() -> None:
    ga = await general_assembly(40, kind=AGE)
    await ga.check_in(*range(28))
    short = await ga.motion()
    await ga.vote(short, {"yes": 28})
    result = await close(short)
    assert result.verdict is Verdict.NO_QUORUM
    assert explain(result)[0].startswith(
        "Non valable — quorum non atteint (présent·es ou représenté·es\u00a0: 28, 30 requis"
    )
    assert explain(result, "en")[0].startswith(
        "Not valid — quorum not reached (present or represented: 28"
    )
    await ga.check_in(28, 29)
    enough = await ga.motion()
    await ga.vote(enough, {"yes": 23, "no": 7})
    assert (await close(enough)).verdict is Verdict.ADOPTED  # 23/30 ≥ 3/4


async def test_scop_sarl_extraordinary_second_call_three_quarters_exactly_passes() -> None:
    ga = await general_assembly(40, kind=AGE, convocation=SECOND)
    await ga.check_in(*range(20))  # 1/2 of 40: the quorum exactly
    exact = await ga.motion()
    await ga.vote(exact, {"yes": 15, "no": 5})
    assert (await close(exact)).verdict is Verdict.ADOPTED  # 15/20 = 3/4, "at least"
    below = await ga.motion()
    await ga.vote(below, {"yes": 14, "no": 5, "abstain": 1})
    assert (await close(below)).verdict is Verdict.REJECTED


async def test_the_issues_example_two_thirds_of_votes_cast_abstentions_not_counted() -> None:
    ga = await general_assembly(100, legal_form=LegalForm.SCOP_SA, kind=AGE, convocation=SECOND)
    await ga.check_in(*range(74))  # quorum 1/4 of 100 = 25
    ballot_id = await ga.motion()
    await ga.vote(ballot_id, {"yes": 50, "no": 20, "abstain": 4})
    result = await close(ballot_id)
    assert result.verdict is Verdict.ADOPTED
    sentence = explain(result)[0].replace("\u00a0", " ")
    assert sentence.startswith("Adoptée — majorité requise : au moins les deux tiers")
    assert "des suffrages exprimés ; 71,4 % de voix pour" in sentence
    assert "(50 pour, 20 contre, 4 abstentions non comptées)" in sentence


async def test_scop_sa_two_thirds_exactly_passes_and_abstentions_do_not_weigh() -> None:
    ga = await general_assembly(12, legal_form=LegalForm.SCOP_SA, kind=AGE)
    await ga.check_in(*range(8))  # quorum 1/2 of 12 = 6
    ballot_id = await ga.motion()
    await ga.vote(ballot_id, {"yes": 4, "no": 2, "abstain": 2})
    assert (await close(ballot_id)).verdict is Verdict.ADOPTED  # 4/6 = 2/3 exactly


async def test_a_profile_adjusted_to_count_abstentions_rejects_the_same_votes() -> None:
    ga = await general_assembly(12, legal_form=LegalForm.SCOP_SA, kind=AGE)
    base = preset("scop_sa")
    rule = base.rule_for("age", "first")
    adjusted_rule = type(rule)(
        rule.quorum,
        type(rule.majority)(Fraction(2, 3), "at_least", "cast_and_abstentions"),
        rule.source,
    )
    profile = base.customised(
        "scop_sa", rules={**base.rules, ("age", "first"): adjusted_rule}, adjusted=True
    )
    await rules.save_profile(await actor_for(ga.organisation_id), profile)
    await ga.check_in(*range(8))
    ballot_id = await ga.motion()
    await ga.vote(ballot_id, {"yes": 4, "no": 2, "abstain": 2})
    result = await close(ballot_id)
    assert result.verdict is Verdict.REJECTED  # 4 of 8 with abstentions
    assert "2 abstentions" in explain(result)[0]


@pytest.mark.parametrize(
    ("legal_form", "kind", "convocation", "present", "votes", "verdict"),
    [
        # association: no quorum, more than half of the votes cast
        (
            LegalForm.ASSOCIATION,
            AssemblyKind.AGO,
            Convocation.FIRST,
            3,
            {"yes": 2, "no": 1},
            "adopted",
        ),
        # Belgian SC statute change: half of the members must be there, then 3/4 of the cast
        (LegalForm.BELGIAN_SC, AGE, Convocation.FIRST, 4, {"yes": 4}, "no_quorum"),
        (
            LegalForm.BELGIAN_SC,
            AGE,
            Convocation.FIRST,
            5,
            {"yes": 3, "no": 1, "abstain": 1},
            "adopted",
        ),
        (LegalForm.BELGIAN_SC, AGE, SECOND, 2, {"yes": 1, "no": 1}, "rejected"),
        # SCIC (SA): 1/5 quorum on first call (2 of 10), none on second
        (LegalForm.SCIC, AssemblyKind.AGO, Convocation.FIRST, 1, {"yes": 1}, "no_quorum"),
        (LegalForm.SCIC, AssemblyKind.AGO, SECOND, 1, {"yes": 1}, "adopted"),
        # CAE: the SCOP SARL rules
        (LegalForm.CAE, AssemblyKind.AGO, Convocation.FIRST, 10, {"yes": 5, "no": 5}, "rejected"),
        # the ordinary assembly convened extraordinarily follows the ordinary rule
        (
            LegalForm.SCOP_SA,
            AssemblyKind.AGO_EXTRAORDINARY,
            Convocation.FIRST,
            2,
            {"yes": 2},
            "no_quorum",
        ),
        (
            LegalForm.SCOP_SA,
            AssemblyKind.AGO_EXTRAORDINARY,
            Convocation.FIRST,
            3,
            {"yes": 2, "no": 1},
            "adopted",
        ),
    ],
)
async def test_presets_judge_worked_examples(
    legal_form: LegalForm,
    kind: AssemblyKind,
    convocation: Convocation,
    present: int,
    votes: dict[str, int],
    verdict: str,
) -> None:
    ga = await general_assembly(10, legal_form=legal_form, kind=kind, convocation=convocation)
    await ga.check_in(*range(present))
    ballot_id = await ga.motion()
    await ga.vote(ballot_id, votes)
    result = await close(ballot_id)
    assert result.verdict is not None
    assert result.verdict.value == verdict


async def test_the_rule_and_its_source_are_stored_with_the_result_and_counts_frozen() -> None:
    ga = await general_assembly(10)
    await ga.check_in(*range(7))
    await ga.give_proxy(8, 0)
    ballot_id = await ga.motion()
    await open_ballot(ballot_id)
    await ga.check_in(7)
    await ga.vote(ballot_id, {"yes": 6, "no": 2})
    await close(ballot_id)
    row = await Ballot.select().where(Ballot.id == ballot_id).first()
    assert (row["present_at_open"], row["represented_at_open"]) == (7, 1)
    assert (row["present_at_close"], row["represented_at_close"]) == (8, 1)
    snapshot = await aq.ballot_rule_snapshot(ga.organisation_id, ballot_id)
    assert snapshot is not None
    assert snapshot["profile"] == "scop_sarl"
    assert snapshot["rule"]["base"] == "members"
    assert snapshot["rule"]["source"]["confidence"] == "model_statutes"
    assert snapshot["count"]["participants"] == 9


async def test_blank_proxies_count_with_the_managements_resolutions_only() -> None:
    ga = await general_assembly(10, convocation=SECOND)
    await proxies.give_proxy(
        await actor_for(ga.organisation_id, ga.members[9]), ga.assembly_id, None
    )
    await ga.check_in(*range(9))
    supported = await ga.motion(rules={"management_supports": True})
    await ga.vote(supported, {"yes": 5, "no": 4})
    result = await close(supported)
    assert result.verdict is Verdict.ADOPTED  # 5 + the blank proxy = 6 of 10 present
    assert result.rounds[0].totals["yes"] == 6
    other = await ga.motion()
    await ga.vote(other, {"yes": 5, "no": 4})
    result = await close(other)
    assert result.verdict is Verdict.REJECTED  # the blank proxy votes against: 5 of 10
    assert result.rounds[0].totals["no"] == 5


async def test_a_ballot_with_its_own_majority_and_a_plenary_ignore_the_profile() -> None:
    ga = await general_assembly(10)
    await ga.check_in(*range(3))
    own = await ga.motion(rules={"rule": "ballot", "threshold": "1/2"})
    await ga.vote(own, {"yes": 2, "no": 1})
    assert (await close(own)).verdict is Verdict.ADOPTED  # 2 of 3 cast, not of 10 members
    plenary = await general_assembly(10, kind=AssemblyKind.PLENARY)
    ballot_id = await plenary.motion()
    await plenary.vote(ballot_id, {"yes": 2, "no": 1})  # nobody checked in: no register here
    assert (await close(ballot_id)).verdict is Verdict.ADOPTED


async def test_only_members_checked_in_vote_in_a_general_assembly() -> None:
    ga = await general_assembly(5)
    ballot_id = await ga.motion()
    await open_ballot(ballot_id)
    assert await refusal_code(voting.cast_vote(ballot_id, ga.members[0], "yes")) == "not_checked_in"
    await ga.check_in(0)
    await voting.cast_vote(ballot_id, ga.members[0], "yes")


@pytest.mark.parametrize("method", ["stv", "approval"])
async def test_without_quorum_an_extraordinary_assembly_elects_nobody_whatever_the_method(
    method: str,
) -> None:
    """The quorum is about the assembly deciding at all: an STV or approval ballot of an AGE
    short of its quorum elects nobody, as the majority motion beside it is not valid."""
    ga = await general_assembly(40, kind=AGE)
    await ga.check_in(*range(10))
    ballot_id = await drafts.create_ballot(
        await actor_for(ga.organisation_id),
        ga.assembly_id,
        "Élire le conseil",
        method,
        [("a", "Aïcha"), ("b", "Bruno"), ("c", "Chloé")],
        seats=1,
    )
    await open_ballot(ballot_id)
    choice = ["a", "b"] if method == "stv" else ["a"]
    for index in range(10):
        await voting.cast_vote(ballot_id, ga.members[index], choice)
    result = await close(ballot_id)
    assert result.verdict is Verdict.NO_QUORUM
    assert result.winners == ()
    enough = await general_assembly(4, kind=AGE)
    await enough.check_in(0, 1, 2, 3)
    quorate = await drafts.create_ballot(
        await actor_for(enough.organisation_id),
        enough.assembly_id,
        "Élire le conseil",
        method,
        [("a", "Aïcha"), ("b", "Bruno")],
        seats=1,
    )
    await open_ballot(quorate)
    for index in range(4):
        await voting.cast_vote(quorate, enough.members[index], ["a"])
    assert (await close(quorate)).winners == ("a",)

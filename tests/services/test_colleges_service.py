"""Voting colleges and category caps through the real count: a SCIC with the published example
weights 40/25/25/10 checked against hand computations, a college too small to keep a secret
ballot secret, weights the law forbids, and a member in no college."""

from __future__ import annotations

from fractions import Fraction

import pytest
from tests.support.factories import close, general_assembly, open_ballot, place_in_college
from tests.support.refusals import refusal_code

from votes.core import Verdict
from votes.core.rules import preset
from votes.db import attendance_queries as aq
from votes.db.tables import AssemblyKind, Ballot, BallotPaper, LegalForm
from votes.services import organisations, rules
from votes.services.actors import actor_for
from votes.services.ballots import voting

SCANI = {"salariés": "40", "usagers": "25", "soutiens": "25", "collectivités": "10"}


async def _scic(sizes: dict[str, int]):  # type: ignore[no-untyped-def]
    ga = await general_assembly(sum(sizes.values()), legal_form=LegalForm.SCIC)
    start = 0
    colleges = {}
    for name, size in sizes.items():
        college_id = await organisations.add_college(
            await actor_for(ga.organisation_id), name, SCANI[name]
        )
        await place_in_college(ga.members[start : start + size], college_id)
        colleges[name] = list(range(start, start + size))
        start += size
    await ga.check_in(*range(start))
    return ga, colleges


async def _cast(ga, ballot_id: int, indexes: list[int], choices: list[str]) -> None:  # type: ignore[no-untyped-def]
    for index, choice in zip(indexes, choices, strict=True):
        await voting.cast_vote(ballot_id, ga.members[index], choice)


async def test_each_college_is_scaled_to_its_weight_as_computed_by_hand() -> None:
    ga, colleges = await _scic({"salariés": 5, "usagers": 6, "soutiens": 5, "collectivités": 5})
    ballot_id = await ga.motion(secret=True)
    await open_ballot(ballot_id)
    await _cast(ga, ballot_id, colleges["salariés"], ["yes"] * 3 + ["no"] * 2)
    await _cast(ga, ballot_id, colleges["usagers"], ["yes"] * 2 + ["no"] * 4)
    await _cast(ga, ballot_id, colleges["soutiens"], ["yes"] * 5)
    await _cast(ga, ballot_id, colleges["collectivités"], ["no"] * 5)
    result = await close(ballot_id)
    # by hand: 40 % × 3/5 + 25 % × 2/6 + 25 % × 5/5 + 10 % × 0/5 of the votes for
    yes = Fraction(40, 100) * Fraction(3, 5) + Fraction(25, 100) * Fraction(2, 6) + Fraction(1, 4)
    no = Fraction(40, 100) * Fraction(2, 5) + Fraction(25, 100) * Fraction(4, 6) + Fraction(1, 10)
    assert result.rounds[0].totals["yes"] == yes == Fraction(43, 75)
    assert result.rounds[0].totals["no"] == no
    # counted head by head it would fail (10 for, 11 against): the colleges decide it
    assert result.verdict is Verdict.ADOPTED
    snapshot = await aq.ballot_rule_snapshot(ga.organisation_id, ballot_id)
    assert snapshot is not None
    shown = {row["name"]: row for row in snapshot["count"]["colleges"]}
    assert shown["usagers"]["counts"] == {"no": 4, "yes": 2}
    assert snapshot["count"]["hidden_colleges"] == []
    # a secret paper carries its college, as the count needs, and nothing else about the voter
    papers = await BallotPaper.select(BallotPaper.weight_group).where(
        BallotPaper.ballot == ballot_id
    )
    assert {p["weight_group"] for p in papers} == {
        f"college:{c}" for c in (await aq.college_names(ga.organisation_id))
    }


async def test_a_small_college_keeps_its_secret_every_breakdown_is_hidden() -> None:
    ga, colleges = await _scic({"salariés": 5, "usagers": 5, "soutiens": 5, "collectivités": 2})
    ballot_id = await ga.motion(secret=True)
    await open_ballot(ballot_id)
    for indexes in colleges.values():
        await _cast(ga, ballot_id, indexes, ["yes"] * len(indexes))
    await close(ballot_id)
    snapshot = await aq.ballot_rule_snapshot(ga.organisation_id, ballot_id)
    assert snapshot is not None
    assert snapshot["count"]["hidden_colleges"] == ["collectivités"]
    assert all(row["counts"] is None for row in snapshot["count"]["colleges"])


async def test_a_public_ballot_shows_even_a_small_colleges_breakdown() -> None:
    ga, colleges = await _scic({"salariés": 5, "usagers": 5, "soutiens": 5, "collectivités": 2})
    ballot_id = await ga.motion()
    await open_ballot(ballot_id)
    await _cast(ga, ballot_id, colleges["collectivités"], ["no", "no"])
    await close(ballot_id)
    snapshot = await aq.ballot_rule_snapshot(ga.organisation_id, ballot_id)
    assert snapshot is not None
    assert snapshot["count"]["hidden_colleges"] == []


@pytest.mark.parametrize(
    ("weights", "code"),
    [
        ({"salariés": "50", "usagers": "50"}, "colleges_too_few"),
        ({"salariés": "60", "usagers": "20", "soutiens": "20"}, "college_weight_out_of_range"),
        ({"salariés": "5", "usagers": "50", "soutiens": "45"}, "college_weight_out_of_range"),
        ({"salariés": "40", "usagers": "30", "soutiens": "20"}, "college_weights_sum"),
    ],
)
async def test_college_weights_the_law_forbids_are_refused_and_nothing_opens(
    weights: dict[str, str], code: str
) -> None:
    ga = await general_assembly(3, legal_form=LegalForm.SCIC)
    for name, weight in weights.items():
        await organisations.add_college(await actor_for(ga.organisation_id), name, weight)
    attempt = rules.save_profile(await actor_for(ga.organisation_id), preset("scic_sa"))
    assert await refusal_code(attempt) == code
    ballot_id = await ga.motion()
    assert await refusal_code(open_ballot(ballot_id)) == code
    row = await Ballot.select(Ballot.status).where(Ballot.id == ballot_id).first()
    assert row["status"] == "draft"


async def test_a_member_in_no_college_is_refused_clearly() -> None:
    ga, _ = await _scic({"salariés": 2, "usagers": 1, "soutiens": 1, "collectivités": 1})
    outsider_index = 0  # taken out of their college
    await place_in_college([ga.members[outsider_index]], None)
    ballot_id = await ga.motion()
    await open_ballot(ballot_id)
    attempt = voting.cast_vote(ballot_id, ga.members[outsider_index], "yes")
    assert await refusal_code(attempt) == "no_college"
    setup = await rules.college_setup(ga.organisation_id, preset("scic_sa"))
    assert len(setup.without_college) == 1


async def test_colleges_required_but_none_defined_stop_a_ballot_from_opening() -> None:
    ga = await general_assembly(3)
    profile = preset("scop_sarl").customised("scop_sarl", colleges="required", adjusted=True)
    attempt = rules.save_profile(await actor_for(ga.organisation_id), profile)
    assert await refusal_code(attempt) == "colleges_missing"


async def test_a_category_is_held_to_its_cap_in_the_count() -> None:
    categories = ["coopérateur"] * 4 + ["investisseur"] * 6
    ga = await general_assembly(10, legal_form=LegalForm.OTHER, categories=categories)
    profile = preset("custom").customised(
        "custom", category_caps={"investisseur": Fraction(49, 100)}, adjusted=True
    )
    await rules.save_profile(await actor_for(ga.organisation_id), profile)
    await ga.check_in(*range(10))
    ballot_id = await ga.motion()
    await ga.vote(ballot_id, {"no": 4})  # the 4 cooperators against
    await ga.vote(ballot_id, {"yes": 6}, start=4)  # the 6 investors for
    result = await close(ballot_id)
    totals = result.rounds[0].totals
    # uncapped, 6 of 10 would adopt it; capped, the investors hold exactly 49 % of the votes
    assert totals["yes"] / (totals["yes"] + totals["no"]) == Fraction(49, 100)
    assert result.verdict is Verdict.REJECTED


async def test_a_quorum_weighted_by_college() -> None:
    ga = await general_assembly(20, legal_form=LegalForm.SCIC, kind=AssemblyKind.AGO)
    sizes = {"salariés": 5, "usagers": 5, "soutiens": 5, "collectivités": 5}
    start = 0
    for name, size in sizes.items():
        college_id = await organisations.add_college(
            await actor_for(ga.organisation_id), name, SCANI[name]
        )
        await place_in_college(ga.members[start : start + size], college_id)
        start += size
    profile = preset("scic_sa").customised("scic_sa", quorum_by_college=True, adjusted=True)
    await rules.save_profile(await actor_for(ga.organisation_id), profile)
    # only the collectivités (10 %) come: 5 of 20 heads is the 1/5 quorum, not 1/5 of the votes
    await ga.check_in(15, 16, 17, 18, 19)
    ballot_id = await ga.motion()
    await ga.vote(ballot_id, {"yes": 5}, start=15)
    result = await close(ballot_id)
    assert result.verdict is Verdict.NO_QUORUM  # 10 % of the votes present, 20 % required
    assert result.details["participants"] == 10
    assert result.details["quorum"] == 20


@pytest.mark.parametrize(
    ("name", "code"),
    [("  ", "college_required"), ("x" * 101, "college_too_long")],
)
async def test_a_college_without_a_usable_name_is_refused(name: str, code: str) -> None:
    ga = await general_assembly(1, legal_form=LegalForm.SCIC)
    attempt = organisations.add_college(await actor_for(ga.organisation_id), name, "40")
    assert await refusal_code(attempt) == code


@pytest.mark.parametrize(
    ("name", "code"),
    [("", "category_required"), ("y" * 81, "category_too_long")],
)
async def test_a_category_without_a_usable_name_is_refused(name: str, code: str) -> None:
    ga = await general_assembly(1)
    attempt = organisations.add_category(await actor_for(ga.organisation_id), name)
    assert await refusal_code(attempt) == code


async def test_names_are_kept_with_their_spaces_folded() -> None:
    ga = await general_assembly(1)
    actor = await actor_for(ga.organisation_id)
    await organisations.add_category(actor, "  associé·e   extérieur·e ")
    attempt = organisations.add_category(actor, "associé·e extérieur·e")
    assert await refusal_code(attempt) == "category_exists"

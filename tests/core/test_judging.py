"""A general assembly's ballot judged under its snapshot, from its papers and frozen figures."""

from collections import Counter
from fractions import Fraction
from typing import Any

from votes.core.judging import FROZEN_KEY, Figures, figures_to_data, frozen_figures, judge
from votes.core.results import Verdict

MAJORITY = ["yes", "no", "abstain"]
RULE = {
    "threshold": "1/2",
    "comparison": "more_than",
    "base": "cast",
    "invalid_in_base": False,
    "quorum": None,
}


def snapshot(**changes: Any) -> dict[str, Any]:
    rule = {**RULE, **changes.pop("rule", {})}
    return {"applies": True, "rule": rule, **changes}


COLLEGES = {"colleges": {"1": "1/2", "2": "1/2"}, "college_names": {"1": "A", "2": "B"}}


def _colleges(present: int, members: tuple[int, int], participants: dict[str, int]) -> Figures:
    """Frozen figures of two colleges: their members, and who took part in each."""
    return Figures(
        sum(members),
        present,
        members_by_group={"college:1": members[0], "college:2": members[1]},
        participants_by_group=participants,
    )


def _majority(
    papers: dict[str, Counter[Any]], figures: Figures, *, secret: bool = False, **changes: Any
) -> Any:
    """A majority ballot judged under a snapshot of the rules with these changes."""
    return judge(
        "majority",
        MAJORITY,
        papers,
        seats=1,
        options={},
        snapshot=snapshot(**changes),
        figures=figures,
        secret=secret,
    )


def test_figures_go_into_the_snapshot_and_come_back_alike() -> None:
    figures = Figures(10, 6, members_by_group={"": 10}, participants_by_group={"": 6})
    assert frozen_figures({FROZEN_KEY: figures_to_data(figures)}) == figures
    assert frozen_figures({}) is None


def test_a_weighted_preferential_ballot_weighs_each_college() -> None:
    papers = {"college:1": Counter({"a": 2}), "college:2": Counter({"b": 1})}
    judged = judge(
        "plurality",
        ["a", "b"],
        papers,
        seats=1,
        options={},
        snapshot={"applies": False, "rule": RULE, **COLLEGES},
        figures=Figures(3, 3),
        secret=False,
    )
    assert judged.result.rounds[0].totals == {"a": Fraction(1, 2), "b": Fraction(1, 2)}
    assert judged.notes["colleges"][0]["counts"] == {"a": 2}


def test_a_college_majority_over_votes_cast_or_members() -> None:
    papers = {"college:1": Counter({"yes": 3, "abstain": 1}), "college:2": Counter({"no": 1})}
    figures = _colleges(5, (4, 4), {"college:1": 4, "college:2": 1})
    totals = {}
    for base in ("cast_and_abstentions", "members"):
        judged = _majority(papers, figures, rule={"base": base}, **COLLEGES)
        totals[base] = judged.result.rounds[0].totals
    assert totals["cast_and_abstentions"]["yes"] == Fraction(3, 8)
    assert totals["members"]["yes"] == Fraction(3, 8)


def test_a_quorum_by_college_reached_lets_the_count_go_on() -> None:
    papers = {"college:1": Counter({"yes": 2}), "college:2": Counter({"no": 1})}
    figures = _colleges(4, (2, 2), {"college:1": 2, "college:2": 2})
    judged = _majority(papers, figures, rule={"quorum": "1/4"}, quorum_by_college=True, **COLLEGES)
    assert judged.notes["weighted_participation"] == "1"


def test_capped_categories_are_held_to_their_cap_unless_only_one_voted() -> None:
    capped = {"category_caps": {"founders": "1/2"}}
    both = {"category:founders": Counter({"yes": 3}), "category:others": Counter({"no": 1})}
    judged = _majority(both, Figures(4, 4), **capped)
    assert "cap_not_applied" not in judged.notes
    assert judged.result.rounds[0].totals["yes"] == judged.result.rounds[0].totals["no"]
    alone = {"category:founders": Counter({"yes": 3})}
    judged = _majority(alone, Figures(4, 3), **capped)
    assert judged.notes["cap_not_applied"] is True


def test_a_college_with_nobody_present_adds_nothing_to_the_present() -> None:
    papers = {"college:1": Counter({"yes": 2})}
    figures = _colleges(2, (2, 2), {"college:1": 2})
    judged = _majority(papers, figures, secret=True, **COLLEGES)
    assert judged.notes["hidden_colleges"] == ["A"]
    assert judged.result.rounds[0].totals["yes"] == Fraction(1, 2)


def test_blank_proxies_count_for_management_and_a_quorum_missed_says_so() -> None:
    figures = Figures(10, 3, blank_for=1, blank_by_group={"": 1})
    papers = {"": Counter({"no": 2})}
    judged = _majority(papers, figures, rule={"quorum": "1/2"}, management_supports=True)
    assert judged.notes["papers"] == 3
    assert judged.notes["quorum_required"] == 5
    assert judged.result.rounds[0].totals == {"yes": 1, "no": 2, "abstain": 0}


def test_a_quorum_by_college_missed_is_judged_in_percent_of_the_colleges() -> None:
    papers = {"college:1": Counter({"yes": 1})}
    figures = _colleges(1, (4, 4), {"college:1": 1})
    judged = _majority(papers, figures, rule={"quorum": "1/2"}, quorum_by_college=True, **COLLEGES)
    assert judged.notes["weighted_participation"] == "1/8"
    assert judged.result.rounds[0].totals["yes"] == 50


def test_a_college_majority_over_votes_cast_leaves_abstentions_out() -> None:
    papers = {"college:1": Counter({"yes": 3}), "college:2": Counter({"no": 1})}
    figures = _colleges(4, (4, 4), {"college:1": 3, "college:2": 1})
    judged = _majority(papers, figures, **COLLEGES)
    assert judged.result.rounds[0].totals["yes"] == Fraction(1, 2)


def test_a_ballot_outside_the_rules_is_counted_as_it_is() -> None:
    judged = judge(
        "majority",
        MAJORITY,
        {"": Counter({"yes": 2, "no": 1})},
        seats=1,
        options={},
        snapshot={"applies": False, "rule": RULE},
        figures=Figures(3, 3),
        secret=False,
    )
    assert judged.result.rounds[0].totals == {"yes": 2, "no": 1, "abstain": 0}


def _gated(papers: dict[str, Counter[Any]], figures: Figures, **changes: Any) -> Any:
    """An approval ballot of a general assembly: its own count, the assembly's quorum gate."""
    return judge(
        "approval",
        ["a", "b"],
        papers,
        seats=1,
        options={},
        snapshot=snapshot(applies=False, quorum_gate=True, **changes),
        figures=figures,
        secret=False,
    )


def test_short_of_its_quorum_a_general_assembly_chooses_nothing_whatever_the_method() -> None:
    papers = {"": Counter({("a",): 2, ("b",): 1})}
    short = _gated(papers, Figures(10, 3), rule={"quorum": "1/2"})
    assert short.result.verdict is Verdict.NO_QUORUM
    assert short.result.winners == ()
    assert short.notes["quorum_required"] == 5
    reached = _gated(papers, Figures(10, 6), rule={"quorum": "1/2"})
    assert reached.result.winners == ("a",)
    assert _gated(papers, Figures(10, 3)).result.winners == ("a",)  # no quorum in the rule


def test_the_quorum_gate_weighs_colleges_when_the_profile_says_so() -> None:
    papers = {"college:1": Counter({("a",): 2}), "college:2": Counter()}
    figures = _colleges(2, (2, 2), {"college:1": 2, "college:2": 0})
    half = {"rule": {"quorum": "1/2"}, "quorum_by_college": True, **COLLEGES}
    assert _gated(papers, figures, **half).result.winners == ("a",)  # weighted: exactly half
    most = {"rule": {"quorum": "2/3"}, "quorum_by_college": True, **COLLEGES}
    judged = _gated(papers, figures, **most)
    assert judged.result.verdict is Verdict.NO_QUORUM
    assert judged.notes["weighted_participation"] == "1/2"

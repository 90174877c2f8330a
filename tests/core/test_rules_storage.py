"""Rule profiles stored and read back, checked when adjusted; college quorums and bases."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from votes.core import TallyError, Verdict, explain, tally
from votes.core.rules import (
    PRESETS,
    Attendance,
    check_profile,
    preset,
    profile_from_data,
    profile_to_data,
)
from votes.core.weighting import weight_by_college, weighted_participation


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_every_preset_survives_storage(key: str) -> None:
    assert profile_from_data(profile_to_data(PRESETS[key])) == PRESETS[key]


def test_an_adjusted_profile_keeps_its_caps_and_remote_rule() -> None:
    profile = preset("scop_sarl").customised(
        "scop_sarl",
        category_caps={"investisseur": Fraction(49, 100)},
        remote_counts_as_present=True,
        adjusted=True,
    )
    again = profile_from_data(profile_to_data(profile))
    assert again.category_caps == {"investisseur": Fraction(49, 100)}
    assert Attendance.REMOTE in again.quorum_counts("ago", "first")
    assert Attendance.REMOTE not in preset("scop_sarl").quorum_counts("ago", "first")


def test_stored_data_that_is_no_profile_is_refused() -> None:
    with pytest.raises(TallyError, match="not a rule profile"):
        profile_from_data({"key": "x"})


def _with_rule(**majority: object) -> object:
    base = preset("custom")
    rule = base.rule_for("ago", "first")
    return base.customised(
        "custom",
        rules={("ago", "first"): replace(rule, majority=replace(rule.majority, **majority))},
    )


@pytest.mark.parametrize(
    ("profile", "fragment"),
    [
        (
            preset("custom").customised(
                "x", rules={("board", "first"): preset("custom").rules[("ago", "first")]}
            ),
            "unknown assembly kind",
        ),
        (
            preset("custom").customised(
                "x",
                rules={
                    ("ago", "first"): replace(
                        preset("custom").rules[("ago", "first")],
                        quorum=replace(
                            preset("custom").rules[("ago", "first")].quorum, share=Fraction(3, 2)
                        ),
                    )
                },
            ),
            "quorum is a share",
        ),
        (_with_rule(threshold=Fraction(1)), "strictly between 0 and 1"),
        (_with_rule(comparison="about"), "unknown comparison"),
        (_with_rule(base="friends"), "unknown majority base"),
        (
            preset("custom").customised(
                "x", rules={("age", "first"): preset("custom").rules[("ago", "first")]}
            ),
            "ordinary first convocation",
        ),
        (
            preset("custom").customised("x", proxies=replace(preset("custom").proxies, kind="any")),
            "unknown proxy rule",
        ),
        (
            preset("custom").customised(
                "x", proxies=replace(preset("scop_sarl").proxies, per_members=0)
            ),
            "whole numbers",
        ),
        (preset("custom").customised("x", category_caps={"a": Fraction(1)}), "category cap"),
    ],
)
def test_profiles_no_count_could_apply_are_refused(profile: object, fragment: str) -> None:
    with pytest.raises(TallyError, match=fragment):
        check_profile(profile)  # type: ignore[arg-type]


def test_colleges_scaled_to_their_base_of_present_members() -> None:
    # each college's base is its members present: 2 of 4 and 1 of 2, weights 1/2 each
    ballots = weight_by_college(
        {"a": {"yes": 2}, "b": {"no": 1}}, {"a": "1/2", "b": "1/2"}, totals={"a": 4, "b": 2}
    )
    assert ballots == {"yes": Fraction(1, 4), "no": Fraction(1, 4)}


def test_weighted_participation_ignores_empty_colleges() -> None:
    share = weighted_participation({"a": 3}, {"a": 4, "b": 0}, {"a": "1/2", "b": "1/2"})
    assert share == Fraction(3, 8)


def test_no_quorum_with_attendance_says_present_or_represented() -> None:
    result = tally("majority", ("yes", "no"), {"yes": 20}, present=28, quorum=30)
    assert result.verdict is Verdict.NO_QUORUM
    assert explain(result)[0].startswith(
        "Non valable — quorum non atteint (présent·es ou représenté·es\u00a0: 28, 30 requis"
    )


def test_a_profile_stored_before_notice_periods_gets_fifteen_days() -> None:
    customised = preset("custom").customised("custom", notice_days=30)
    data = {k: v for k, v in profile_to_data(customised).items() if k != "notice"}

    assert profile_from_data(data).notice_days == 15

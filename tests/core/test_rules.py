"""Rule profiles: worked examples for every preset, checked by the majority tally."""

from __future__ import annotations

from fractions import Fraction

import pytest

from votes.core import TallyError, Verdict, tally
from votes.core.rules import (
    ASSEMBLY_KINDS,
    CONVOCATIONS,
    MAX_NOTICE_DAYS,
    PRESET_FOR_LEGAL_FORM,
    PRESETS,
    Attendance,
    Confidence,
    ProxyRule,
    QuorumRule,
    check_profile,
    preset,
)

RESPONSES = ("yes", "no", "abstain")


def _verdict(
    key: str,
    kind: str,
    convocation: str,
    votes: dict[str, int],
    *,
    members: int,
    present: int,
) -> Verdict:
    options = preset(key).majority_options(kind, convocation, members=members, present=present)
    result = tally("majority", RESPONSES, votes, **options)
    assert result.verdict is not None
    return result.verdict


def test_every_preset_has_a_rule_for_every_kind_and_convocation_with_a_source() -> None:
    for profile in PRESETS.values():
        for kind in ASSEMBLY_KINDS:
            for convocation in CONVOCATIONS:
                rule = profile.rule_for(kind, convocation)
                assert rule.source.reference
                assert rule.source.confidence in Confidence


def test_every_legal_form_has_a_preset() -> None:
    for form, key in PRESET_FOR_LEGAL_FORM.items():
        assert preset(key).key == key, form


A, R, Q = Verdict.ADOPTED, Verdict.REJECTED, Verdict.NO_QUORUM


@pytest.mark.parametrize(
    ("key", "kind", "convocation", "votes", "room", "verdict"),
    [
        # SCOP SARL, ordinary, first call: more than half of all members. 40 members, 30 in
        # the room: 20 yes is exactly half of the membership, not enough
        ("scop_sarl", "ago", "first", {"yes": 20, "no": 5}, (40, 30), R),
        ("scop_sarl", "ago", "first", {"yes": 21, "no": 5}, (40, 30), A),
        # second call, a majority of those present: 12 present or represented, 7 yes passes,
        # 6 yes (exactly half) fails
        ("scop_sarl", "ago", "second", {"yes": 7, "no": 2, "abstain": 3}, (40, 12), A),
        ("scop_sarl", "ago", "second", {"yes": 6, "no": 1, "abstain": 5}, (40, 12), R),
        # extraordinary: at least 3/4 of those present. 20 present: 15 yes is exactly 3/4 and
        # passes ("at least"); 14 fails
        ("scop_sarl", "age", "second", {"yes": 15, "no": 5}, (40, 20), A),
        ("scop_sarl", "age", "second", {"yes": 14, "no": 5, "abstain": 1}, (40, 20), R),
        # SCOP SA, ordinary, counts votes cast so abstentions do not weigh: quorum 1/4 of 100 =
        # 25; 26 present; 10 yes 9 no 7 abstain: more than half of the 19 cast
        ("scop_sa", "ago", "first", {"yes": 10, "no": 9, "abstain": 7}, (100, 26), A),
        ("scop_sa", "ago", "first", {"yes": 10, "no": 9}, (100, 24), Q),
        ("scop_sa", "ago", "second", {"yes": 2, "no": 1}, (100, 3), A),  # no quorum at all
        # SCOP SA, extraordinary: two thirds exactly passes
        ("scop_sa", "age", "first", {"yes": 40, "no": 20}, (100, 60), A),
        ("scop_sa", "age", "first", {"yes": 39, "no": 20}, (100, 60), R),
    ],
)
def test_worked_examples_of_the_presets_majorities(
    key: str,
    kind: str,
    convocation: str,
    votes: dict[str, int],
    room: tuple[int, int],
    verdict: Verdict,
) -> None:
    """``room``: the members, then those present or represented."""
    members, present = room
    found = _verdict(key, kind, convocation, votes, members=members, present=present)
    assert found is verdict


@pytest.mark.parametrize(
    ("convocation", "present", "verdict"),
    [
        ("first", 29, Verdict.NO_QUORUM),  # 3/4 of 40 = 30 required
        ("first", 30, Verdict.ADOPTED),
        ("second", 19, Verdict.NO_QUORUM),  # 1/2 of 40 = 20 required
        ("second", 20, Verdict.ADOPTED),
    ],
)
def test_scop_sarl_extraordinary_quorum_by_convocation(
    convocation: str, present: int, verdict: Verdict
) -> None:
    votes = {"yes": present - 2, "no": 2}
    assert _verdict("scop_sarl", "age", convocation, votes, members=40, present=present) is verdict


def test_scic_sa_quorums_are_a_fifth_and_a_quarter() -> None:
    scic = preset("scic_sa")
    assert scic.rule_for("ago", "first").quorum.required(100) == 20
    assert scic.rule_for("ago", "second").quorum.required(100) == 0
    assert scic.rule_for("age", "first").quorum.required(100) == 25
    assert scic.rule_for("age", "second").quorum.required(100) == 20
    assert scic.colleges == "allowed"


def test_other_kinds_follow_the_ordinary_rule() -> None:
    profile = preset("scop_sarl")
    assert profile.rule_for("plenary", "first") == profile.rule_for("ago", "first")
    assert profile.rule_for("ago_extraordinary", "second") == profile.rule_for("ago", "second")
    simple = preset("association")
    assert simple.rule_for("age", "second") == simple.rule_for("ago", "first")


def test_belgian_statute_changes_need_half_then_no_quorum() -> None:
    belgian = preset("belgian_sc")
    assert belgian.rule_for("age", "first").quorum.required(50) == 25
    assert belgian.rule_for("age", "second").quorum.required(50) == 0
    assert belgian.rule_for("age", "second").majority.threshold == Fraction(3, 4)


@pytest.mark.parametrize(("members", "cap"), [(5, 1), (19, 1), (20, 1), (39, 1), (40, 2), (100, 5)])
def test_scop_proxy_cap_is_one_below_twenty_members_then_a_twentieth(
    members: int, cap: int
) -> None:
    assert preset("scop_sarl").proxies.cap(members) == cap


def test_profiles_without_a_legal_proxy_cap_say_so() -> None:
    assert preset("association").proxies.cap(500) is None
    assert ProxyRule(kind="fixed", fixed=3).cap(10) == 3


def test_quorum_counts_only_the_ways_of_taking_part_the_statutes_allow() -> None:
    attendance = {
        Attendance.PRESENT: 20,
        Attendance.REPRESENTED: 5,
        Attendance.REMOTE: 4,
        Attendance.POSTAL: 1,
    }
    in_room = QuorumRule(Fraction(1, 4))
    assert in_room.participants(attendance) == 26
    with_remote = QuorumRule(Fraction(1, 4), counts=frozenset(Attendance))
    assert with_remote.participants(attendance) == 30


def test_an_organisation_adjusts_a_preset_to_its_statutes() -> None:
    own = preset("scop_sarl").customised("tisserands", secret_ballot_for_elections=False)
    assert own.key == "tisserands"
    assert not own.secret_ballot_for_elections
    assert preset("scop_sarl").secret_ballot_for_elections  # the preset is unchanged


def test_unknown_names_are_refused_clearly() -> None:
    with pytest.raises(TallyError, match="unknown rule profile 'scop'"):
        preset("scop")
    with pytest.raises(TallyError, match="unknown assembly kind"):
        preset("scop_sarl").rule_for("annual", "first")
    with pytest.raises(TallyError, match="unknown convocation"):
        preset("scop_sarl").rule_for("ago", "third")
    empty = preset("custom").customised("empty", rules={})
    with pytest.raises(TallyError, match="no rule"):
        empty.rule_for("ago", "first")


@pytest.mark.parametrize("days", [0, MAX_NOTICE_DAYS])
def test_a_notice_period_within_a_year_is_kept(days: int) -> None:
    check_profile(preset("custom").customised("custom", notice_days=days))


@pytest.mark.parametrize("days", [-1, MAX_NOTICE_DAYS + 1])
def test_a_notice_period_no_convocation_could_meet_is_refused(days: int) -> None:
    with pytest.raises(TallyError, match="notice period"):
        check_profile(preset("custom").customised("custom", notice_days=days))

"""Votes by correspondence in the core (#18): the deadline, the form's window, which forms a
count keeps, the channel and its split, and the profile's postal fields."""

from __future__ import annotations

import doctest
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from votes.core import postal
from votes.core.judging import Figures, judge
from votes.core.results import TallyError
from votes.core.rules import (
    PostalRule,
    check_profile,
    preset,
    profile_from_data,
    profile_to_data,
)

PARIS = ZoneInfo("Europe/Paris")


def test_doctests() -> None:
    assert doctest.testmod(postal).failed == 0


def test_the_deadline_is_the_day_before_at_three_in_the_organisations_time_zone() -> None:
    # 23:30 UTC on the 19th is already the 20th in Paris: the day before is the 19th
    starts = datetime(2026, 6, 19, 23, 30, tzinfo=UTC)
    deadline = postal.postal_deadline(starts, PostalRule(allowed=True), PARIS)
    assert deadline == datetime(2026, 6, 19, 15, 0, tzinfo=PARIS)
    winter = postal.postal_deadline(
        datetime(2026, 12, 10, 9, 0, tzinfo=UTC), PostalRule(days_before=3, hour=12), PARIS
    )
    assert winter.astimezone(UTC) == datetime(2026, 12, 7, 11, 0, tzinfo=UTC)


def test_the_form_is_taken_from_the_convocation_until_the_deadline_included() -> None:
    rule = PostalRule(allowed=True)
    deadline = datetime(2026, 6, 19, 13, 0, tzinfo=UTC)
    assert postal.form_refusal(rule, convened=False, now=deadline, deadline=deadline) == (
        "postal_not_open"
    )
    assert postal.form_refusal(rule, convened=True, now=deadline, deadline=deadline) == ""
    late = deadline + timedelta(seconds=1)
    assert postal.form_refusal(rule, convened=True, now=late, deadline=deadline) == (
        "postal_closed"
    )


def test_room_motion_channel_and_split_are_exact() -> None:
    channel = postal.room_motion_channel(PostalRule(), {"college:1": 2, "college:2": 1})
    assert channel.room_motion
    assert channel.totals() == {"no": 3}
    assert postal.split({"yes": 10, "no": 5, "abstain": 1}, channel) == [
        ("yes", 10, 0, 10),
        ("no", 2, 3, 5),
        ("abstain", 1, 0, 1),
    ]
    assert postal.split({"yes": 1}, None) == [("yes", 1, 0, 1)]
    again = postal.channel_from_data(postal.channel_to_data(channel))
    assert again == channel


def test_judge_adds_the_channel_to_the_papers_and_notes_it() -> None:
    snapshot = {
        "applies": True,
        "rule": {
            "threshold": "1/2",
            "comparison": "more_than",
            "base": "cast",
            "invalid_in_base": False,
            "quorum": "1/4",
        },
        postal.POSTAL_KEY: postal.channel_to_data(postal.PostalChannel({"": {"no": 3}})),
    }
    judgement = judge(
        "majority",
        ["yes", "no", "abstain"],
        {"": Counter({"yes": 4})},
        seats=1,
        options={},
        snapshot=snapshot,
        figures=Figures(members=20, participants=7),
        secret=False,
    )
    assert judgement.notes["postal"] == {"no": 3}
    assert judgement.notes["postal_voters"] == 3
    assert judgement.notes["papers"] == 7
    assert judgement.result.rounds[0].totals["no"] == 3


def test_profiles_keep_their_postal_rule_and_older_profiles_have_none() -> None:
    profile = preset("scop_sa").customised(
        "scop_sa",
        postal=PostalRule(allowed=True, days_before=2, hour=18, minute=30, on_arrival="replaced"),
    )
    data = profile_to_data(profile)
    assert profile_from_data(data) == profile
    del data["postal"]
    assert profile_from_data(data).postal == PostalRule()


@pytest.mark.parametrize(
    "rule",
    [
        PostalRule(room_motions="ignored"),
        PostalRule(on_arrival="both"),
        PostalRule(days_before=-1),
        PostalRule(days_before=61),
        PostalRule(hour=24),
        PostalRule(minute=60),
    ],
)
def test_a_postal_rule_no_count_could_apply_is_refused(rule: PostalRule) -> None:
    with pytest.raises(TallyError):
        check_profile(preset("custom").customised("custom", postal=rule))

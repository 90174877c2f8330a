"""Votes by correspondence (vote par correspondance): when the form is open, which advance
votes a count keeps, and how they join a general assembly's count as a channel of their own.

A member who cannot come answers each resolution prepared for the assembly (pour, contre,
abstention) before the statutory deadline. At the close of each resolution's ballot in the room
the advance answers are added to the room's papers; the count keeps the channel apart so that
the results and the minutes show what came from the room, what came by correspondence, and the
total. A resolution or an amendment raised in the room was never put to the postal voters: each
of them counts there as the profile says (against, or abstention).

Pure: the service reads the forms and the register, a recount reads the frozen channel.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from votes.core.rules import PostalRule

ANSWERS = ("yes", "no", "abstain")  # what a postal form may say on a resolution
POSTAL_KEY = "postal"  # where the close freezes the channel in the ballot's rule snapshot


def postal_deadline(starts_at: datetime, rule: PostalRule, zone: tzinfo) -> datetime:
    """The last moment a postal form is taken: ``rule.days_before`` days before the
    assembly's day (in the organisation's time zone) at ``rule.hour``:``rule.minute``.

    >>> from datetime import UTC
    >>> from zoneinfo import ZoneInfo
    >>> paris = ZoneInfo("Europe/Paris")
    >>> starts = datetime(2026, 6, 20, 8, 0, tzinfo=UTC)  # 10:00 in Paris
    >>> postal_deadline(starts, PostalRule(allowed=True), paris).isoformat()
    '2026-06-19T15:00:00+02:00'
    """
    day = starts_at.astimezone(zone).date() - timedelta(days=rule.days_before)
    return datetime.combine(day, time(rule.hour, rule.minute), tzinfo=zone)


def form_refusal(rule: PostalRule, *, convened: bool, now: datetime, deadline: datetime) -> str:
    """Why a postal form is not taken now (a refusal code), or ``""`` when it is.

    >>> from datetime import UTC
    >>> at = datetime(2026, 6, 19, 13, 0, tzinfo=UTC)
    >>> form_refusal(PostalRule(allowed=True), convened=True, now=at, deadline=at)
    ''
    >>> form_refusal(PostalRule(), convened=True, now=at, deadline=at)
    'postal_not_allowed'
    """
    if not rule.allowed:
        return "postal_not_allowed"
    if not convened:
        return "postal_not_open"
    if now > deadline:
        return "postal_closed"
    return ""


def withdrawn(rule: PostalRule, voters: Iterable[int], came: Iterable[int]) -> frozenset[int]:
    """The postal voters whose advance votes the count leaves out: those who came to the
    assembly (checked in, or voted there), when the profile says the room replaces them.

    >>> sorted(withdrawn(PostalRule(on_arrival="replaced"), [1, 2, 3], [2, 5]))
    [2]
    >>> withdrawn(PostalRule(on_arrival="stand"), [1, 2], [2])
    frozenset()
    """
    if rule.stands:
        return frozenset()
    return frozenset(voters) & frozenset(came)


@dataclass(frozen=True, slots=True)
class PostalChannel:
    """The answers by correspondence one ballot counts, by weighting group ("" when not
    weighted), frozen at the ballot's close."""

    counts: Mapping[str, Mapping[str, int]]  # group -> answer -> forms
    room_motion: bool = False  # raised in the room: the postal voters' default answer

    @property
    def voters(self) -> int:
        """Forms counted.

        >>> PostalChannel({"": {"yes": 2, "no": 1}, "college:1": {"abstain": 1}}).voters
        4
        """
        return sum(sum(answers.values()) for answers in self.counts.values())

    def totals(self) -> dict[str, int]:
        """Answers over every group.

        >>> PostalChannel({"a": {"yes": 2}, "b": {"yes": 1, "no": 1}}).totals()
        {'no': 1, 'yes': 3}
        """
        merged: Counter[str] = Counter()
        for answers in self.counts.values():
            merged.update(answers)
        return {answer: merged[answer] for answer in sorted(merged) if merged[answer]}


def channel_of(papers: Iterable[tuple[str, str]]) -> PostalChannel:
    """The channel of a resolution put to the postal voters: (group, answer) per form.

    >>> channel_of([("", "yes"), ("", "no"), ("", "yes")]).counts
    {'': {'no': 1, 'yes': 2}}
    >>> channel_of([("", "maybe")])
    Traceback (most recent call last):
    ...
    ValueError: not a postal answer: 'maybe'
    """
    counts: dict[str, Counter[str]] = {}
    for group, answer in papers:
        if answer not in ANSWERS:
            raise ValueError(f"not a postal answer: {answer!r}")
        counts.setdefault(group, Counter())[answer] += 1
    return PostalChannel({g: dict(sorted(c.items())) for g, c in sorted(counts.items())})


def room_motion_channel(rule: PostalRule, voters_by_group: Mapping[str, int]) -> PostalChannel:
    """The channel of a motion raised in the room: each postal voter counts as the profile
    says (``against``: a vote against; ``abstain``: an abstention).

    >>> room_motion_channel(PostalRule(room_motions="abstain"), {"": 3}).counts
    {'': {'abstain': 3}}
    >>> room_motion_channel(PostalRule(), {"": 2, "college:1": 0}).counts
    {'': {'no': 2}}
    """
    answer = "no" if rule.room_motions == "against" else "abstain"
    counts = {group: {answer: n} for group, n in sorted(voters_by_group.items()) if n > 0}
    return PostalChannel(counts, room_motion=True)


def add_channel(papers: dict[str, Counter[Any]], channel: PostalChannel) -> None:
    """Add the channel's answers to the papers of each group (the room's), in place.

    >>> papers = {"": Counter({"yes": 5})}
    >>> add_channel(papers, PostalChannel({"": {"yes": 1, "no": 2}}))
    >>> papers
    {'': Counter({'yes': 6, 'no': 2})}
    """
    for group, answers in channel.counts.items():
        found = papers.setdefault(group, Counter())
        for answer, number in answers.items():
            found[answer] += number


def channel_to_data(channel: PostalChannel) -> dict[str, Any]:
    """The channel as JSON data, frozen into the ballot's snapshot by its close.

    >>> channel_from_data(channel_to_data(PostalChannel({"": {"yes": 1}})))
    PostalChannel(counts={'': {'yes': 1}}, room_motion=False)
    """
    return {
        "counts": {g: dict(answers) for g, answers in channel.counts.items()},
        "room_motion": channel.room_motion,
    }


def channel_from_data(data: object) -> PostalChannel | None:
    """The channel the close froze, or None when the ballot has none.

    >>> channel_from_data(None) is None
    True
    """
    if not isinstance(data, Mapping):
        return None
    return PostalChannel(
        {
            str(g): {str(a): int(n) for a, n in answers.items()}
            for g, answers in data["counts"].items()
        },
        room_motion=bool(data.get("room_motion", False)),
    )


def split(
    totals: Mapping[str, int], channel: PostalChannel | None
) -> list[tuple[str, int, int, int]]:
    """(answer, in the room, by correspondence, total) for each answer of a count.

    >>> split({"yes": 7, "no": 3}, PostalChannel({"": {"yes": 2}}))
    [('yes', 5, 2, 7), ('no', 3, 0, 3)]
    """
    postal = channel.totals() if channel is not None else {}
    rows = []
    for answer, total in totals.items():
        by_post = postal.get(answer, 0)
        rows.append((answer, total - by_post, by_post, total))
    return rows

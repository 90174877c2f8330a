"""The floor: who speaks next, how long, and what the room's mood check says.

Pure functions on plain values (standard library only). The speaking order puts points of order
first, then direct replies (answered right after the current speaker), then the requests the
facilitator placed by hand, then the others under the assembly's rule: plain arrival, first-time
speakers on this item before those who already spoke, or that and an alternation between the
self-declared categories. Mood checks are never votes: their distribution is a picture of the
room, in whole percentages that add up to 100.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from fractions import Fraction


class Kind(StrEnum):
    """What a request for the floor asks: to speak, a point of order (it jumps the queue) or a
    direct reply (right after the current speaker)."""

    SPEAK = "speak"
    POINT_OF_ORDER = "point_of_order"  # motion de procédure
    DIRECT_REPLY = "direct_reply"  # réponse directe


class Rule(StrEnum):
    """The assembly's rule for the ordinary requests: plain arrival, first-time speakers on the
    item first, or that and an alternation between the self-declared categories."""

    ARRIVAL = "arrival"
    FIRST_TIME = "first_time"
    ALTERNATE = "alternate"


class Warning(StrEnum):
    NONE = "none"  # plenty of time (or no limit)
    SOON = "soon"  # the last 30 seconds, or the last fifth of a short budget
    OVER = "over"  # the budget is spent


class MoodKind(StrEnum):
    FIST_TO_FIVE = "fist_to_five"  # 0 (fist: blocking) to 5 (full support)
    COLOURS = "colours"  # vert / orange / rouge
    THUMBS = "thumbs"  # up / sideways / down
    OPTIONS = "options"  # the facilitator's own options


@dataclass(frozen=True, slots=True)
class Request:
    """A waiting request for the floor. ``arrival`` orders requests (any increasing number,
    e.g. the row id); ``position`` > 0 is the facilitator's manual place."""

    id: int
    member: int
    kind: Kind = Kind.SPEAK
    arrival: int = 0
    category: str = ""
    position: int = 0


def speaking_order(
    waiting: Iterable[Request],
    rule: Rule = Rule.ARRIVAL,
    *,
    spoken: Collection[int] = (),
    last_category: str = "",
) -> tuple[Request, ...]:
    """The queue in speaking order.

    Args:
        waiting: the requests waiting on one list.
        rule: the assembly's ordering rule for ordinary requests.
        spoken: members who already spoke on this item (first-time speakers go first).
        last_category: the category of the last speaker, so that the alternation goes on.

    >>> a, b, c = Request(1, 10, arrival=1), Request(2, 11, arrival=2), Request(3, 12, arrival=3)
    >>> [r.id for r in speaking_order([c, b, a], Rule.FIRST_TIME, spoken={10})]
    [2, 3, 1]
    """
    requests = sorted(waiting, key=lambda r: (r.arrival, r.id))
    points = [r for r in requests if r.kind is Kind.POINT_OF_ORDER]
    replies = [r for r in requests if r.kind is Kind.DIRECT_REPLY]
    ordinary = [r for r in requests if r.kind is Kind.SPEAK]
    placed = sorted((r for r in ordinary if r.position > 0), key=lambda r: (r.position, r.arrival))
    rest = [r for r in ordinary if r.position <= 0]
    if rule is not Rule.ARRIVAL:
        first = [r for r in rest if r.member not in spoken]
        again = [r for r in rest if r.member in spoken]
        if rule is Rule.ALTERNATE:
            previous = placed[-1].category if placed else last_category
            first = _alternate(first, previous)
            previous = first[-1].category if first else previous
            again = _alternate(again, previous)
        rest = first + again
    return (*points, *replies, *placed, *rest)


def _alternate(requests: list[Request], previous: str) -> list[Request]:
    """Earliest request of another category than the previous speaker's, else the earliest."""
    pending, ordered = list(requests), []
    while pending:
        chosen = next((r for r in pending if r.category != previous), pending[0])
        pending.remove(chosen)
        ordered.append(chosen)
        previous = chosen.category
    return ordered


def move(order: Sequence[Request], request_id: int, offset: int) -> tuple[int, ...]:
    """The ordinary requests' ids after moving ``request_id`` by ``offset`` places (negative:
    earlier), clamped to the queue; points of order and direct replies keep their precedence.

    >>> move((Request(1, 10), Request(2, 11), Request(3, 12)), 3, -1)
    (1, 3, 2)
    """
    ids = [r.id for r in order if r.kind is Kind.SPEAK]
    if request_id not in ids:
        return tuple(ids)
    index = ids.index(request_id)
    target = min(max(index + offset, 0), len(ids) - 1)
    ids.insert(target, ids.pop(index))
    return tuple(ids)


# -- speaking time ------------------------------------------------------------------------------


def elapsed_seconds(started_at: datetime, now: datetime) -> int:
    """Whole seconds since ``started_at`` (never negative).

    >>> from datetime import timedelta
    >>> t = datetime(2026, 1, 1)
    >>> elapsed_seconds(t, t + timedelta(seconds=61.7))
    61
    """
    return max(int((now - started_at).total_seconds()), 0)


def remaining_seconds(budget: int, elapsed: int) -> int | None:
    """Seconds left of a budget (negative once overrun); None without a limit (budget 0).

    >>> remaining_seconds(180, 200), remaining_seconds(0, 200)
    (-20, None)
    """
    return None if budget <= 0 else budget - elapsed


def warning(budget: int, elapsed: int) -> Warning:
    """How urgent the countdown looks: the last 30 seconds (or the last fifth of a budget
    shorter than 150 seconds) are a warning, a spent budget is over.

    >>> warning(180, 10), warning(180, 155), warning(180, 180)
    (<Warning.NONE: 'none'>, <Warning.SOON: 'soon'>, <Warning.OVER: 'over'>)
    """
    left = remaining_seconds(budget, elapsed)
    if left is None:
        return Warning.NONE
    if left <= 0:
        return Warning.OVER
    if left <= min(30, budget // 5):
        return Warning.SOON
    return Warning.NONE


def speaker_budget(speaker_seconds: int, item_seconds: int, item_used: int) -> int:
    """A new speaker's budget: the per-speaker budget, capped by what is left of the item's
    (0: no limit; at least 1 second when the item's budget is spent, so the timer shows over).

    >>> speaker_budget(180, 600, 500), speaker_budget(180, 0, 500), speaker_budget(0, 600, 100)
    (100, 180, 500)
    """
    if item_seconds <= 0:
        return max(speaker_seconds, 0)
    item_left = max(item_seconds - item_used, 1)
    if speaker_seconds <= 0:
        return item_left
    return min(speaker_seconds, item_left)


def clock(seconds: int) -> str:
    """A countdown as the room reads it: ``m:ss``, with a minus sign once overrun.

    >>> clock(75), clock(-5)
    ('1:15', '-0:05')
    """
    sign = "-" if seconds < 0 else ""
    minutes, rest = divmod(abs(seconds), 60)
    return f"{sign}{minutes}:{rest:02d}"


@dataclass(frozen=True, slots=True)
class Turn:
    """One finished turn: who spoke, their declared category ("" if none), for how long."""

    member: int
    seconds: int
    category: str = ""


@dataclass(frozen=True, slots=True)
class SpeakingStats:
    """Per member and per category: (key, turns, seconds), most speaking time first."""

    by_member: tuple[tuple[int, int, int], ...]
    by_category: tuple[tuple[str, int, int], ...]
    turns: int
    seconds: int


def speaking_statistics(turns: Iterable[Turn]) -> SpeakingStats:
    """Time per speaker and per category, for the cooperative's own reflection.

    >>> s = speaking_statistics([Turn(1, 60, "f"), Turn(2, 30, "h"), Turn(1, 20, "f")])
    >>> s.by_member, s.by_category, s.seconds
    (((1, 2, 80), (2, 1, 30)), (('f', 2, 80), ('h', 1, 30)), 110)
    """
    members: dict[int, list[int]] = {}
    categories: dict[str, list[int]] = {}
    count = total = 0
    for turn in turns:
        for tally in (
            members.setdefault(turn.member, [0, 0]),
            categories.setdefault(turn.category, [0, 0]),
        ):
            tally[0] += 1
            tally[1] += turn.seconds
        count += 1
        total += turn.seconds
    by_member = sorted(((k, v[0], v[1]) for k, v in members.items()), key=lambda t: (-t[2], t[0]))
    by_category = sorted(
        ((k, v[0], v[1]) for k, v in categories.items()), key=lambda t: (-t[2], t[0])
    )
    return SpeakingStats(tuple(by_member), tuple(by_category), count, total)


# -- mood checks --------------------------------------------------------------------------------

FIST_TO_FIVE = ("0", "1", "2", "3", "4", "5")
COLOURS = ("green", "orange", "red")
THUMBS = ("up", "sideways", "down")
OPTIONS_MAX = 8
OPTION_LENGTH = 40


class MoodOptionsError(ValueError):
    """Free options must be 2 to 8 distinct non-empty lines of at most 40 characters."""


def mood_choices(kind: MoodKind, options: Iterable[str] = ()) -> tuple[str, ...]:
    """The answers a mood check offers.

    >>> mood_choices(MoodKind.THUMBS), mood_choices(MoodKind.OPTIONS, [" A ", "", "a", "B"])
    (('up', 'sideways', 'down'), ('A', 'B'))
    """
    if kind is MoodKind.FIST_TO_FIVE:
        return FIST_TO_FIVE
    if kind is MoodKind.COLOURS:
        return COLOURS
    if kind is MoodKind.THUMBS:
        return THUMBS
    # "A" and "a", or "oui ok" and "Oui  ok", would be two buttons a hall reads as one: the
    # first spelling is kept
    spelled: dict[str, str] = {}
    for option in options:
        words = " ".join(option.split())
        if words:
            spelled.setdefault(words.casefold(), words)
    cleaned = tuple(spelled.values())
    if not 2 <= len(cleaned) <= OPTIONS_MAX or any(len(o) > OPTION_LENGTH for o in cleaned):
        raise MoodOptionsError
    return cleaned


@dataclass(frozen=True, slots=True)
class MoodDistribution:
    """(choice, answers, whole percent) per choice in the check's order; percents sum to 100
    once anyone answered. ``mean`` is the fist-to-five average (None for other kinds)."""

    rows: tuple[tuple[str, int, int], ...]
    total: int
    mean: Fraction | None


def mood_distribution(
    choices: Sequence[str], answers: Iterable[str], *, numeric: bool = False
) -> MoodDistribution:
    """Count the answers per choice (unknown answers are ignored) and share 100 % among them
    by largest remainders.

    >>> d = mood_distribution(("up", "sideways", "down"), ["up", "up", "down"])
    >>> d.rows, d.total
    ((('up', 2, 67), ('sideways', 0, 0), ('down', 1, 33)), 3)
    """
    counts = dict.fromkeys(choices, 0)
    for answer in answers:
        if answer in counts:
            counts[answer] += 1
    total = sum(counts.values())
    percents = _largest_remainder([counts[c] for c in choices], total)
    rows = tuple((c, counts[c], p) for c, p in zip(choices, percents, strict=True))
    mean = None
    if numeric and total:
        mean = Fraction(sum(int(c) * counts[c] for c in choices), total)
    return MoodDistribution(rows, total, mean)


def _largest_remainder(counts: list[int], total: int) -> list[int]:
    if total == 0:
        return [0] * len(counts)
    shares = [divmod(count * 100, total) for count in counts]
    percents = [whole for whole, _ in shares]
    short = 100 - sum(percents)
    by_remainder = sorted(range(len(counts)), key=lambda i: (-shares[i][1], i))
    for index in by_remainder[:short]:
        percents[index] += 1
    return percents

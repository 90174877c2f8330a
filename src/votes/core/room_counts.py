"""Paper and show-of-hands counts from the room: whether their numbers add up, and how they
join the electronic papers in a count (a recount merges them the same way).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# methods whose papers the room may count by option: one choice per paper (majority,
# plurality), or approvals counted per option beside the number of papers (approval); a ranked
# or scored paper is a whole, and its count by option would lose what the tally needs
PAPER_COUNT_METHODS = frozenset({"majority", "plurality", "approval"})


class RoomCountError(ValueError):
    """Room figures that cannot be right; ``code`` names the fault (a refusal code)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class RoomCount:
    """Votes counted in the room by a scrutineer."""

    counts: Mapping[str, int]  # option key -> valid votes (approval: papers approving it)
    blank: int = 0
    invalid: int = 0
    cast: int = 0  # papers handed in (or hands raised): valid + blank + invalid

    @property
    def valid(self) -> int:
        """Valid papers: for approval, each may approve several options.

        >>> RoomCount({"yes": 3}, blank=1, invalid=1, cast=5).valid
        3
        """
        return self.cast - self.blank - self.invalid


def check_not_negative(count: RoomCount) -> None:
    """Refuse a count with a negative number in it.

    >>> check_not_negative(RoomCount({"yes": -1}, cast=1))
    Traceback (most recent call last):
    ...
    votes.core.room_counts.RoomCountError: negative_count
    """
    numbers = [*count.counts.values(), count.blank, count.invalid, count.cast]
    if any(n < 0 for n in numbers):
        raise RoomCountError("negative_count")


def check_room_count(method: str, rules: Mapping[str, Any], count: RoomCount) -> None:
    """Refuse a room count whose papers do not add up, naming the fault.

    One choice per paper (majority, plurality): valid votes + blank + invalid = papers cast.
    Approval: a paper may approve several options, so the approvals may add up to more than
    the papers; but no option is approved on more papers than the valid ones (papers cast
    less blank and invalid), each valid paper approves at least one option (at least the
    ballot's minimum; a paper approving none is blank), and at most the ballot's maximum.

    >>> check_room_count("majority", {}, RoomCount({"yes": 2, "no": 1}, blank=1, cast=4))
    >>> check_room_count("majority", {}, RoomCount({"yes": 2}, cast=3))
    Traceback (most recent call last):
    ...
    votes.core.room_counts.RoomCountError: count_mismatch
    """
    if method != "approval":
        if sum(count.counts.values()) + count.blank + count.invalid != count.cast:
            raise RoomCountError("count_mismatch")
        return
    valid = count.valid
    if valid < 0:
        raise RoomCountError("papers_mismatch")
    if any(number > valid for number in count.counts.values()):
        raise RoomCountError("approvals_over_papers")
    approvals = sum(count.counts.values())
    if approvals < valid * max(1, int(rules.get("min_selections", 0))):
        raise RoomCountError("approvals_too_few")
    most = rules.get("max_selections")
    if most is not None and approvals > valid * int(most):
        raise RoomCountError("approvals_over_limit")


def merge_room_count(
    method: str,
    candidates: list[str],
    grouped: Counter[Any],
    room: RoomCount,
    ballot_rules: Mapping[str, Any],
) -> list[str]:
    """Add the room's papers to ``grouped`` (the electronic papers, counted by choice) and
    return the candidates the tally takes (a majority's blank and invalid papers are counted
    as options of their own).

    >>> grouped = Counter({"yes": 1})
    >>> merge_room_count("majority", ["yes", "no"], grouped, RoomCount({"yes": 2}, blank=1,
    ...     cast=3), {})
    ['yes', 'no', 'blank']
    >>> grouped
    Counter({'yes': 3, 'blank': 1})
    """
    if method == "approval":
        grouped.update(room_approval_papers(candidates, room))
        if room.blank and not ballot_rules.get("min_selections"):
            grouped[frozenset()] += room.blank  # approving none: a voter, no approval
        return candidates
    for key, number in room.counts.items():
        grouped[key] += number
    if method == "plurality":
        grouped[()] += room.blank  # plurality's blank vote; invalid papers are no votes
        return candidates
    extra = []
    for name, number in (("blank", room.blank), ("invalid", room.invalid)):
        if number:
            grouped[name] += number
            if name not in candidates:
                extra.append(name)
    return candidates + extra


def room_approval_papers(candidates: Sequence[str], room: RoomCount) -> Counter[frozenset[str]]:
    """The room's valid approval papers, rebuilt from its counts: as many papers as the valid
    ones, holding exactly the approvals counted for each option.

    The room tells how many papers approve each option, not which options share a paper; the
    tally needs only those totals and the number of voters, so any papers with them count the
    same. The approvals are dealt in turn over the papers, in the options' order: an option is
    approved on no more papers than there are, so it never lands twice on one paper, and each
    paper gets between the floor and the ceiling of approvals / papers (within the ballot's
    minimum and maximum, as ``check_room_count`` made sure). The same counts always give the
    same papers, so a recount agrees.

    >>> sorted(map(sorted, room_approval_papers(["a", "b"], RoomCount({"a": 2, "b": 1}, cast=2))))
    [['a'], ['a', 'b']]
    """
    valid = room.valid
    papers: list[set[str]] = [set() for _ in range(max(valid, 0))]
    dealt = 0
    for key in candidates:
        for _ in range(room.counts.get(key, 0)):
            papers[dealt % valid].add(key)
            dealt += 1
    return Counter(frozenset(paper) for paper in papers)

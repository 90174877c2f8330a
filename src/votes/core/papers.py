"""What a paper holds, method by method: the families of methods, and a stored paper read back
in the shape the tally takes. The app stores papers this way and a recount reads them the same
way (:mod:`votes.core.recount`), so both count the same papers alike.
"""

from __future__ import annotations

from typing import Any

RANKED_METHODS = frozenset({"irv", "stv", "meek_stv", "schulze", "ranked_pairs", "borda"})
CONSENT_METHODS = frozenset({"consent", "consensus"})
# methods where a tie at any round may need a lot, seeded before the vote
LOT_METHODS = frozenset({"irv", "stv", "meek_stv"})


def decode_paper(method: str, data: Any) -> Any:
    """A paper as stored (its JSON, parsed) in the shape the tally core expects for ``method``:
    a ranking as a tuple, approvals as a frozenset, scores as a frozenset of (option, score), a
    response with its reason (an objection) or a blank as a tuple, a single choice as itself.

    >>> decode_paper("irv", ["b", "a"]), decode_paper("score", {"a": "2"})
    (('b', 'a'), frozenset({('a', 2)}))
    >>> decode_paper("approval", ["a"]), decode_paper("consent", ["objection", "Trop cher"])
    (frozenset({'a'}), ('objection', 'Trop cher'))
    >>> decode_paper("majority", "yes")
    'yes'
    """
    if method in RANKED_METHODS:
        return tuple(data)
    if method == "approval":
        return frozenset(data)
    if method == "score":
        return frozenset((key, int(value)) for key, value in data.items())
    if isinstance(data, list):
        return tuple(data)
    return data

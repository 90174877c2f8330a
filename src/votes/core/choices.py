"""A voter's choice checked against the ballot's options: the shape each method's paper takes
when it is stored, refused with a code naming the fault (forged option, duplicate, too many
approvals, score off the scale, objection without a reason) before anything is written.

Pure: the service turns a :class:`ChoiceError` into its refusal, a recount reads the same shapes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from votes.core.papers import CONSENT_METHODS, RANKED_METHODS, decode_paper

REASON_MAX = 1000  # the longest reason given with a consent answer (longer is refused)
STOPPING_RESPONSES = frozenset({"objection", "block"})  # consent answers that need a reason


class ChoiceError(ValueError):
    """A choice the ballot cannot take; ``code`` names the fault (a refusal code)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def decode_choice(method: str, content: str) -> Any:
    """A stored paper's JSON, in the shape the tally core expects for ``method``.

    >>> decode_choice("irv", '["b", "a"]')
    ('b', 'a')
    """
    return decode_paper(method, json.loads(content))


def score_scale(rules: Mapping[str, Any]) -> tuple[int, int]:
    """The lowest and highest score a score ballot allows (0 to 5 unless its rules say).

    >>> score_scale({}), score_scale({"scale": [1, 10]})
    ((0, 5), (1, 10))
    """
    low, high = rules.get("scale", (0, 5))
    return int(low), int(high)


def check_choice(method: str, keys: Sequence[str], rules: Mapping[str, Any], choice: Any) -> Any:
    """Return ``choice`` in its stored JSON shape, or raise :class:`ChoiceError` naming the fault.

    >>> check_choice("approval", ["a", "b"], {}, {"b", "a"})
    ['a', 'b']
    >>> check_choice("majority", ["yes", "no"], {}, "maybe")
    Traceback (most recent call last):
    ...
    votes.core.choices.ChoiceError: unknown_option
    """
    known = set(keys)
    if method in RANKED_METHODS:
        return _check_ranking(known, choice)
    if method == "approval":
        return _check_approval(known, rules, choice)
    if method == "score":
        return _check_scores(known, rules, choice)
    if method in CONSENT_METHODS:
        return _check_response(known, choice)
    if not isinstance(choice, str) or choice not in known:
        raise ChoiceError("unknown_option")
    return choice


def _check_ranking(known: set[str], choice: Any) -> list[str]:
    if not isinstance(choice, list | tuple) or not all(isinstance(k, str) for k in choice):
        raise ChoiceError("unknown_option")
    if not choice:
        raise ChoiceError("empty_ranking")
    if len(set(choice)) != len(choice):
        raise ChoiceError("duplicate_option")
    if not set(choice) <= known:
        raise ChoiceError("unknown_option")
    return list(choice)


def _check_approval(known: set[str], rules: Mapping[str, Any], choice: Any) -> list[str]:
    if not isinstance(choice, list | tuple | set | frozenset):
        raise ChoiceError("unknown_option")
    chosen = list(choice)
    if not all(isinstance(k, str) for k in chosen) or not set(chosen) <= known:
        raise ChoiceError("unknown_option")
    if len(set(chosen)) != len(chosen):
        raise ChoiceError("duplicate_option")
    most = rules.get("max_selections")
    if most is not None and len(chosen) > int(most):
        raise ChoiceError("too_many_approvals")
    if len(chosen) < int(rules.get("min_selections", 0)):
        raise ChoiceError("too_few_approvals")
    return sorted(chosen)


def _check_scores(known: set[str], rules: Mapping[str, Any], choice: Any) -> dict[str, int]:
    if not isinstance(choice, Mapping) or not set(choice) <= known:
        raise ChoiceError("unknown_option")
    low, high = score_scale(rules)
    scores = {}
    for key, value in choice.items():
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ChoiceError("score_out_of_range")
        scores[key] = value
    if not scores:
        raise ChoiceError("empty_scores")
    return scores


def _check_response(known: set[str], choice: Any) -> Any:
    if isinstance(choice, str):
        choice = (choice, "")
    if not isinstance(choice, list | tuple) or len(choice) != 2:
        raise ChoiceError("unknown_option")
    response, reason = choice
    if not isinstance(response, str) or response not in known or not isinstance(reason, str):
        raise ChoiceError("unknown_option")
    reason = reason.strip()
    if len(reason) > REASON_MAX:  # said, never cut: the end of a reason may be its point
        raise ChoiceError("reason_too_long")
    if response in STOPPING_RESPONSES:
        if not reason:
            raise ChoiceError("reason_required")
        return [response, reason]
    return [response, reason] if reason else response

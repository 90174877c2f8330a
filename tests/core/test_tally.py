"""The one entry point: dispatch by method name, unknown methods and options refused."""

import pytest

from votes.core import METHODS, TallyError, tally


def test_unknown_method_is_refused_with_the_known_ones_listed():
    with pytest.raises(TallyError, match=r"unknown method 'condorcet'.*schulze"):
        tally("condorcet", ["a"], [])


def test_unknown_option_is_refused_with_the_allowed_ones_listed():
    with pytest.raises(TallyError, match=r"unknown option\(s\) \['seeds'\].*'seed'"):
        tally("plurality", ["a"], [], seeds="x")


def test_every_listed_method_is_reachable():
    # IRV/STV/Meek are counted in their own tests; here only that the name resolves.
    for method in METHODS:
        assert tally.__module__ == "votes.core"
        assert METHODS[method][1].startswith("tally_")


def test_methods_taking_any_option_receive_them(monkeypatch):
    import votes.core.plurality as plurality

    seen = {}

    def fake(candidates, ballots, *, seats, **options):
        seen.update(options, seats=seats)
        return "result"

    monkeypatch.setattr(plurality, "tally_plurality", fake)
    assert tally("plurality", ["a"], [], seats=2, anything=1) == "result"
    assert seen == {"anything": 1, "seats": 2}

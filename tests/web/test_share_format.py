"""Shares on results, rules and quorum pages are written as each language writes them."""

from __future__ import annotations

from fractions import Fraction

import pytest

from votes import i18n
from votes.web.templating import format_share


@pytest.mark.parametrize(
    ("language", "written"),
    [("fr", "58,3\u00a0%"), ("en", "58.3%"), ("nl", "58,3%")],
)
def test_a_share_is_written_the_readers_way(language: str, written: str) -> None:
    token = i18n.current_language.set(language)
    try:
        assert format_share(Fraction(7, 12)) == written
    finally:
        i18n.current_language.reset(token)


def test_a_share_is_rounded_half_up_to_a_tenth_like_the_counts_explanation() -> None:
    token = i18n.current_language.set("en")
    try:
        assert format_share(Fraction(1, 8)) == "12.5%"  # exact, not 12.4 or 12.6
        assert format_share(Fraction(1001, 2000)) == "50.1%"  # 50.05 goes up, as in the count
        assert format_share(0.714) == "71.4%"
    finally:
        i18n.current_language.reset(token)

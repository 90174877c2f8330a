"""One date style on every page (QA walk): « 06/12/2026 03:05 » and « 6 déc. 2026, 03:04:55 »
side by side become the date in words and the time in minutes; seconds only where asked."""

from __future__ import annotations

from datetime import UTC, datetime

from votes import i18n
from votes.web.templating import format_when


def test_a_date_is_written_in_words_with_minutes_whichever_style_a_page_asks() -> None:
    token = i18n.current_language.set("fr")
    try:
        when = datetime(2026, 12, 6, 2, 4, 55, tzinfo=UTC)
        assert format_when(when, "Europe/Paris", "short") == "6 décembre 2026, 03:04"
        assert format_when(when, "Europe/Paris") == "6 décembre 2026, 03:04"
        assert format_when(when, "Europe/Paris", "time") == "03:04"
        assert format_when(when, "Europe/Paris", "exact").endswith("03:04:55")
    finally:
        i18n.current_language.reset(token)

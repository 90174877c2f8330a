"""A mood check's panel for the phones, pushed in the floor's stream.

When a check opens or closes, every phone in the room needs the same panel (the question, the
buttons, "ce n'est pas un vote"): rendered once per event and language in this process and sent
to every phone, instead of 2,000 authenticated fetches in the same second (as the vote list,
``votes.web.pushed.VoteAreaRenderer``; both are ``votes.web.pushed.PushedFragment``). The panel's
forms carry an empty CSRF field that the page's script fills from the page's own token
(static/js/floor.js); the server still refuses an answer from someone who may not give one.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from markupsafe import Markup

from votes.db import mood_queries as mq
from votes.services.events import LiveEvent
from votes.web.controllers.floor import choice_label
from votes.web.pushed import PushedFragment

PANEL_TEMPLATE = "partials/floor/_mood_panel.html.jinja"
KEPT = 64
_EMPTY_TOKEN = Markup('<input type="hidden" name="_csrf_token" value="">')


class MoodPanelRenderer(PushedFragment):
    template = PANEL_TEMPLATE
    event_name = "mood-panel"
    kept = KEPT
    one_line = True  # one SSE data line

    def key(self, event: LiveEvent) -> tuple[Any, ...]:
        return (event.organisation_id, event.at, event.mood_id, event.change)

    async def values(self, event: LiveEvent, short_name: str) -> dict[str, Any]:
        assert event.mood_id is not None
        mood = await mq.mood_view(event.organisation_id, event.mood_id, None, counts=False)
        return {
            "mood": mood,
            "membership": SimpleNamespace(can_vote=True),
            "organisation": SimpleNamespace(short_name=short_name),  # for ``org_path``
            "choice_label": choice_label,
            "csrf_input": _EMPTY_TOKEN,
            "answering": True,
            "show_bars": False,
        }


panels = MoodPanelRenderer()

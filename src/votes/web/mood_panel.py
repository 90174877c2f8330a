"""A mood check's panel for the phones, pushed in the floor's stream (#19).

When a check opens or closes, every phone in the room needs the same panel (the question, the
buttons, "ce n'est pas un vote"): rendered once per event and language in this process and sent
to every phone, instead of 2,000 authenticated fetches in the same second (as the vote list,
``votes.web.live.VoteAreaRenderer``). The panel's forms carry an empty CSRF field that the
page's script fills from the page's own token (static/js/floor.js); the server still refuses an
answer from someone who may not give one.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from litestar.response import ServerSentEventMessage
from markupsafe import Markup

from votes.db import floor_queries as fq
from votes.i18n import current_language
from votes.services.events import LiveEvent
from votes.web.controllers.floor import choice_label
from votes.web.templating import make_environment

PANEL_TEMPLATE = "partials/floor/_mood_panel.html.jinja"
KEPT = 64
_EMPTY_TOKEN = Markup('<input type="hidden" name="_csrf_token" value="">')


class MoodPanelRenderer:
    def __init__(self) -> None:
        self._environment: Any = None
        self._rendered: dict[tuple[Any, ...], asyncio.Future[bytes]] = {}

    async def message(self, event: LiveEvent, short_name: str, language: str) -> bytes:
        key = (event.organisation_id, event.at, event.mood_id, event.change, language)
        found = self._rendered.get(key)
        if found is None:  # the first stream renders; the others wait for the same result
            found = asyncio.get_running_loop().create_future()
            if len(self._rendered) >= KEPT:
                self._rendered.clear()
            self._rendered[key] = found
            try:
                body = await self._render(event, short_name, language)
            except Exception as error:
                self._rendered.pop(key, None)
                found.set_exception(error)
                found.exception()  # retrieved: the waiting streams each get it too
                raise
            found.set_result(ServerSentEventMessage(data=body, event="mood-panel").encode())
        return await asyncio.shield(found)

    async def _render(self, event: LiveEvent, short_name: str, language: str) -> str:
        assert event.mood_id is not None
        mood = await fq.mood_view(event.organisation_id, event.mood_id, None, counts=False)
        if self._environment is None:
            self._environment = make_environment()
        template = self._environment.get_template(PANEL_TEMPLATE)
        token = current_language.set(language)
        try:
            return str(
                template.render(
                    mood=mood,
                    membership=SimpleNamespace(can_vote=True),
                    mood_base=f"/o/{short_name}/assemblies/{event.assembly_id}/mood",
                    choice_label=choice_label,
                    csrf_input=_EMPTY_TOKEN,
                    answering=True,
                    show_bars=False,
                )
            ).replace("\n", " ")  # one SSE data line
        finally:
            current_language.reset(token)


panels = MoodPanelRenderer()

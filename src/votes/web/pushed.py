"""Fragments pushed in a live stream, rendered once per event and language in this process.

When a ballot opens or a mood check starts, every phone in the room needs the same fragment at
the same second. Instead of thousands of authenticated fetches, the first stream that needs
it renders it and every other stream of the process waits for that same rendering
(:class:`VoteAreaRenderer` below, ``votes.web.mood_panel.MoodPanelRenderer``).
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from jinja2 import Environment
from litestar.response import ServerSentEventMessage

from votes.db import ballot_queries as bq
from votes.i18n import current_language
from votes.services.events import LiveEvent
from votes.web.templating import make_environment


class PushedFragment:
    """One fragment kind: its template, its SSE event name and what it is rendered with.

    A subclass names ``template`` and ``event_name`` and writes :meth:`key` (what makes two
    events render the same) and :meth:`values` (the template's values for an event)."""

    template: str
    event_name: str
    kept = 64  # renderings kept: a handful of events at a time, in a few languages
    one_line = False  # whether the fragment is sent on one SSE ``data`` line

    def __init__(self) -> None:
        self._environment: Environment | None = None
        self._rendered: dict[tuple[Any, ...], asyncio.Future[bytes]] = {}

    def key(self, event: LiveEvent) -> tuple[Any, ...]:
        raise NotImplementedError

    async def values(self, event: LiveEvent, short_name: str) -> dict[str, Any]:
        raise NotImplementedError

    async def message(self, event: LiveEvent, short_name: str, language: str) -> bytes:
        """The event-stream message of ``event``'s fragment in ``language``."""
        key = (*self.key(event), language)
        found = self._rendered.get(key)
        if found is None:  # the first stream renders; the others wait for the same result
            found = asyncio.get_running_loop().create_future()
            if len(self._rendered) >= self.kept:
                self._rendered.clear()
            self._rendered[key] = found
            try:
                body = await self._render(event, short_name, language)
            except Exception as error:
                self._rendered.pop(key, None)
                found.set_exception(error)
                found.exception()  # retrieved: the waiting streams each get it too
                raise
            found.set_result(ServerSentEventMessage(data=body, event=self.event_name).encode())
        return await asyncio.shield(found)

    async def _render(self, event: LiveEvent, short_name: str, language: str) -> str:
        values = await self.values(event, short_name)
        if self._environment is None:
            self._environment = make_environment()
        template = self._environment.get_template(self.template)
        token = current_language.set(language)
        try:
            body = str(template.render(**values))
        finally:
            current_language.reset(token)
        return body.replace("\n", " ") if self.one_line else body


class VoteAreaRenderer(PushedFragment):
    """The members' vote list, rendered once per ballot event and language in this process.

    Why content here, where other events only signal: when a ballot opens, every phone in the
    room is on this list at once, and the list is the same for every member of the
    organisation (open ballots, question, link; the route lets every member see it). Sending
    it spares the server 2,000 authenticated page fetches in the same second; a phone then
    opens the ballot when its member taps, spread over human reaction times."""

    template = "partials/ballots/_vote_area.html.jinja"
    event_name = "vote-area"
    kept = 64  # vote lists kept per process (one per ballot event and language)

    def key(self, event: LiveEvent) -> tuple[Any, ...]:
        return (event.organisation_id, event.at, event.ballot_id, event.change)

    async def values(self, event: LiveEvent, short_name: str) -> dict[str, Any]:
        ids = await bq.open_ballot_ids(event.organisation_id)
        ballots = [await bq.ballot_view(event.organisation_id, ballot_id) for ballot_id in ids]
        return {
            "organisation": SimpleNamespace(short_name=short_name),
            "open_ballots": [ballot for ballot in ballots if ballot is not None],
        }

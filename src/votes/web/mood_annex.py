"""The minutes' "Sondages indicatifs" annex: the assembly's mood checks, apart from the
resolutions, each saying it was not a vote. Empty when the assembly held none."""

from __future__ import annotations

from votes.core import floor as core
from votes.db import mood_queries as mq
from votes.web.controllers.floor import choice_label
from votes.web.records import written_in
from votes.web.templating import make_environment

ANNEX_TEMPLATE = "partials/floor/_minutes_annex.html.jinja"


async def mood_annex(organisation_id: int, assembly_id: int, language: str) -> str:
    """The annex as an HTML fragment written in ``language`` ("" without mood checks)."""
    moods = await mq.moods_of(organisation_id, assembly_id)
    if not moods:
        return ""
    with written_in(language):
        template = make_environment().get_template(ANNEX_TEMPLATE)
        return template.render(moods=moods, choice_label=choice_label, clock=core.clock)

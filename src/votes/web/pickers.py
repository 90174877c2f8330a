"""Choosing members by searching their name: a proxy's holder, a paper proxy's giver, a
proposal's co-authors. A cooperative of 2,000 members gets a search box and twenty names at a
time, never a list of 2,000; the names already chosen stay on screen, checked.

Without JavaScript the search button reloads the page with the search in its address
(``<picker>_q``); with htmx the names follow the typing (``/members/pick``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from votes.db import attendance_queries as aq
from votes.db.attendance_queries import folded
from votes.db.queries import members_of
from votes.services.actors import Actor
from votes.web.forms import name_search

SHOWN = 20  # names offered at a time


@dataclass(frozen=True, slots=True)
class Picker:
    """What ``partials/members/_picker.html.jinja`` draws."""

    id: str  # unique on the page: the search field is ``<id>_q``
    name: str  # the form field the choice is posted as
    multiple: bool  # checkboxes (co-authors) or radio buttons (one member)
    search: str
    chosen: list[tuple[int, str]]
    results: list[tuple[int, str]]
    total: int  # candidates matching the search
    required: bool = False
    extra: list[tuple[str, str]] = field(default_factory=list)  # e.g. ("blank", "Blank proxy")
    extra_chosen: str = ""


def make_picker(
    picker_id: str,
    name: str,
    candidates: Iterable[tuple[int, str]],
    *,
    search: str = "",
    chosen: Iterable[str] = (),
    multiple: bool = False,
    required: bool = False,
    extra: Iterable[tuple[str, str]] = (),
) -> Picker:
    """The names matching ``search`` (accents and case do not matter), at most ``SHOWN``,
    after the ones already ``chosen`` (posted values: ids, or an ``extra`` value)."""
    everyone = list(candidates)
    wanted = {value for value in chosen if value}
    kept = [(i, n) for i, n in everyone if str(i) in wanted]
    if not multiple:
        kept = kept[:1]
    needle = folded(search.strip())
    matching = [(i, n) for i, n in everyone if needle in folded(n)] if needle else everyone
    kept_ids = {i for i, _ in kept}
    results = [(i, n) for i, n in matching if i not in kept_ids][:SHOWN]
    extras = list(extra)
    extra_chosen = next((value for value, _label in extras if value in wanted), "")
    return Picker(
        id=picker_id,
        name=name,
        multiple=multiple,
        search=name_search(search.strip()),
        chosen=kept,
        results=results,
        total=len(matching),
        required=required,
        extra=extras,
        extra_chosen=extra_chosen,
    )


def search_of(query: Mapping[str, str], picker_id: str) -> str:
    """The search typed in this picker, from the page's address (without JavaScript)."""
    return name_search(query.get(f"{picker_id}_q", ""))


async def candidates_for(actor: Actor, name: str, picker_id: str) -> list[tuple[int, str]]:
    """Who may be chosen in a picker posting ``name``: members with voting rights (by
    membership for a proxy, by person for co-authors), never the viewer where it makes no
    sense (one's own proxy, oneself as co-author)."""
    voters = await aq.voting_members(actor.organisation.id)
    if name == "coauthors":
        return [
            (m.person_id, m.person_name)
            for m in await members_of(actor.organisation.id)
            if m.can_vote and m.person_id != actor.person_id
        ]
    own = picker_id == "mine"
    return [(m["id"], m["person.name"]) for m in voters if not (own and m["id"] == actor.id)]


PICKED_FIELDS = ("holder", "giver", "coauthors")

"""What the convocation's pages share: their refusals, their path and guard, the assembly
convened, the stored letter, the site's address and the notice period in words."""

from __future__ import annotations

from typing import Any

from litestar import Controller
from litestar.types import Guard

from votes.db import agenda_queries
from votes.db import convocation_queries as queries
from votes.db.agenda_queries import AssemblyView
from votes.services import convocations as service
from votes.services.actors import may_administer
from votes.services.convocations import LetterDraft, Notice
from votes.services.refusals import Refused
from votes.web.guards import requires
from votes.web.pages import Page
from votes.web.refusals import area

REFUSALS = area("convocations")


class ConvocationPages(Controller):
    """What the convocation's controllers share: where they are, and that only
    administrators convene."""

    path = "/assemblies/{assembly_id:int}/convocation"
    guards: list[Guard] | None = [requires(may_administer)]  # noqa: RUF012 - Litestar's own attribute


def convocation_path(page: Page, assembly_id: int, rest: str = "") -> str:
    return page.path("assemblies", assembly_id, "convocation") + rest


def site_url(page: Page) -> str:
    """The instance's address, for the links a member follows from a mail or a letter."""
    return str(page.request.base_url).rstrip("/")


async def convened_assembly(page: Page, assembly_id: int) -> AssemblyView:
    assembly = await agenda_queries.assembly_view(page.organisation.id, assembly_id)
    if assembly is None:
        raise Refused("not_found")
    return assembly


async def stored_letter(page: Page, assembly_id: int) -> LetterDraft | None:
    """The convocation's text as saved, if it was."""
    stored = await queries.letter_of(page.organisation.id, assembly_id)
    return LetterDraft(stored.body, stored.instructions) if stored else None


async def notice_warning(page: Page, assembly_id: int) -> dict[str, Any]:
    """What the short-notice warning of the preparation and letters pages reads."""
    return {"notice": await service.notice_for(page.actor, assembly_id), "words": notice_words}


def notice_words(notice: Notice) -> dict[str, str]:
    """The notice's dates in words, for the warning."""
    return {
        "day": service.day_in_words(notice.assembly_day),
        "today": service.day_in_words(notice.today),
        "latest": service.day_in_words(notice.latest_day),
    }

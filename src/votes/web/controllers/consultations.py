"""Consultations of member cooperatives on the web (#20), administrators only on both sides.

A network's administrator sends a network proposal to the member cooperatives and follows
their answers on the consultation page (each cooperative's status and verdict, then the
aggregate). A cooperative's administrators find the consultations it received under
"Network consultations", choose the assembly that debates its copy, and return the answer
read from their published ballot after confirming it. Neither side reaches the other's
records through these pages: the network's page reads only the returned answers.
"""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from votes.core.consultation import Answer, aggregate_consultation
from votes.db import consultation_queries as cq
from votes.db import network_queries
from votes.i18n import gettext as _
from votes.services import consultations as service
from votes.services.actors import may_administer
from votes.services.consultations import ReturnedAnswer
from votes.services.refusals import Refused
from votes.web.forms import Redisplay, whole_number
from votes.web.guards import requires
from votes.web.labels import N_
from votes.web.pages import Page, found
from votes.web.refusals import area, explain, row_form_errors

REFUSALS = area("consultations")

ANSWERS = {
    Answer.ADOPTED: N_("adopted"),
    Answer.REJECTED: N_("rejected"),
    Answer.NO_DECISION: N_("no decision"),
    Answer.UNANSWERED: N_("not answered yet"),
    Answer.WITHDRAWN: N_("withdrawn"),
}


def answer_label(answer: Answer) -> str:
    return _(ANSWERS[answer])


class ConsultationsController(Controller):
    path = "/consultations"
    guards = [requires(may_administer)]  # noqa: RUF012 - Litestar's declared shape

    # -- both sides: what was sent, what was received ----------------------------------------

    @get("/")
    async def index(self, page: NamedDependency[Page]) -> Template:
        return await self._index(page)

    async def _index(self, page: Page, again: Redisplay | None = None) -> Template:
        organisation_id = page.organisation.id
        network = await network_queries.is_network(organisation_id)
        return page.render_form(
            "pages/consultations/index.html.jinja",
            again,
            is_network=network,
            sendable=await cq.sendable_proposals(organisation_id) if network else [],
            consulted=await cq.consulted_proposals(organisation_id) if network else [],
            received=await cq.received(organisation_id),
            answer_label=answer_label,
        )

    @post("/send")
    async def send(self, page: NamedDependency[Page]) -> Template | Redirect:
        form = await page.form()
        proposal_id = whole_number(form.get("proposal"))
        try:
            if proposal_id is None:
                raise Refused("choose_proposal")
            await service.send_consultation(page.actor, proposal_id)
        except Refused as error:
            return await self._index(page, row_form_errors(error, REFUSALS))
        return page.see_other("consultations", "proposals", proposal_id)

    # -- the network's side ----------------------------------------------------------------

    @get("/proposals/{proposal_id:int}")
    async def network_page(
        self, page: NamedDependency[Page], proposal_id: FromPath[int]
    ) -> Template:
        return await self._network_page(page, proposal_id)

    async def _network_page(
        self, page: Page, proposal_id: int, again: Redisplay | None = None
    ) -> Template:
        organisation_id = page.organisation.id
        title = found(await cq.proposal_title(organisation_id, proposal_id))
        lines = await cq.answers_of(organisation_id, proposal_id)
        return page.render_form(
            "pages/consultations/network.html.jinja",
            again,
            is_network=await network_queries.is_network(organisation_id),
            proposal_id=proposal_id,
            title=title,
            lines=lines,
            tally=aggregate_consultation((line.answer, line.figures) for line in lines),
            answer_label=answer_label,
        )

    @post("/proposals/{proposal_id:int}/withdraw")
    async def withdraw(
        self, page: NamedDependency[Page], proposal_id: FromPath[int]
    ) -> Template | Redirect:
        found(await cq.proposal_title(page.organisation.id, proposal_id))
        form = await page.form()
        consultation_id = whole_number(form.get("consultation"))
        try:
            if consultation_id is None:
                raise Refused("choose_consultation")
            if await cq.sent_proposal_of(page.organisation.id, consultation_id) != proposal_id:
                raise Refused("not_found")
            await service.withdraw_consultation(page.actor, consultation_id)
        except Refused as error:
            return await self._network_page(page, proposal_id, row_form_errors(error, REFUSALS))
        return page.see_other("consultations", "proposals", proposal_id)

    # -- the cooperative's side ------------------------------------------------------------

    @get("/{consultation_id:int}")
    async def cooperative_page(
        self, page: NamedDependency[Page], consultation_id: FromPath[int]
    ) -> Template:
        return await self._cooperative_page(page, consultation_id)

    async def _cooperative_page(
        self, page: Page, consultation_id: int, again: Redisplay | None = None
    ) -> Template:
        organisation_id = page.organisation.id
        consultation = found(await cq.received_one(organisation_id, consultation_id))
        answer: ReturnedAnswer | None = None
        waiting = ""
        if consultation.status == "sent" and consultation.copy_id is not None:
            try:
                answer = await service.answer_to_return(page.actor, consultation_id)
            except Refused as error:
                waiting = explain(error, REFUSALS).message
        return page.render_form(
            "pages/consultations/cooperative.html.jinja",
            again,
            consultation=consultation,
            assemblies=await cq.open_assemblies(organisation_id)
            if consultation.copy_id is None
            else [],
            answer=answer,
            waiting=waiting,
            answer_label=answer_label,
        )

    async def _refused(self, page: Page, consultation_id: int, error: Refused) -> Template:
        return await self._cooperative_page(page, consultation_id, row_form_errors(error, REFUSALS))

    @post("/{consultation_id:int}/assembly")
    async def choose_assembly(
        self, page: NamedDependency[Page], consultation_id: FromPath[int]
    ) -> Template | Redirect:
        found(await cq.received_one(page.organisation.id, consultation_id))
        form = await page.form()
        assembly_id = whole_number(form.get("assembly"))
        try:
            if assembly_id is None:
                raise Refused("choose_assembly", "assembly")
            await service.choose_assembly(page.actor, consultation_id, assembly_id)
        except Refused as error:
            if error.code == "not_found":  # another cooperative's assembly: as if unknown
                error = Refused("choose_assembly", "assembly")
            return await self._refused(page, consultation_id, error)
        return page.see_other("consultations", consultation_id)

    @post("/{consultation_id:int}/answer")
    async def return_answer(
        self, page: NamedDependency[Page], consultation_id: FromPath[int]
    ) -> Template | Redirect:
        found(await cq.received_one(page.organisation.id, consultation_id))
        form = await page.form()
        ballot_id = whole_number(form.get("ballot"))
        try:
            if ballot_id is None:
                raise Refused("confirm_answer")
            await service.return_answer(page.actor, consultation_id, ballot_id)
        except Refused as error:
            return await self._refused(page, consultation_id, error)
        return page.see_other("consultations", consultation_id)

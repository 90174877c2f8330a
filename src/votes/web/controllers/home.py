"""The front page, the language switch and the health check."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from votes import i18n
from votes.db import queries
from votes.db.database import current_engine
from votes.db.tables import MembershipStatus
from votes.services import accounts
from votes.services.demo import demo_sign_in_hint
from votes.web.context import LANGUAGE_COOKIE
from votes.web.controllers.gatherings import gathering_dates
from votes.web.forms import safe_next_path
from votes.web.pages import Visit
from votes.web.rendering import see_other


class HomeController(Controller):
    @get("/")
    async def home(self, visit: NamedDependency[Visit]) -> Template:
        if visit.viewer is None:
            settings = visit.settings
            demo = None if settings.is_production else await demo_sign_in_hint()
            return visit.render(
                "pages/home/welcome.html.jinja",
                demo=demo,
                # the demo's gathering, its days in words (#20)
                demo_dates=gathering_dates(demo.gathering) if demo and demo.gathering else "",
                next="/",
            )
        memberships = await queries.memberships_of_person(visit.viewer.person_id)
        overview = [
            (
                membership,
                (await queries.assemblies_of(membership.organisation.id))[:3],
                await queries.open_ballots_of(membership.organisation.id),
            )
            for membership in memberships
            if membership.status != MembershipStatus.LEFT
            and visit.viewer.may_enter(membership.organisation.id)
        ]
        viewer = visit.viewer
        # an instance admin is offered to create a cooperative (the first one, typically)
        may_create = viewer.is_instance_admin and viewer.organisation_scope is None
        return visit.render(
            "pages/home/dashboard.html.jinja",
            overview=overview,
            may_create=may_create,
        )

    @post("/language")
    async def choose_language(self, visit: NamedDependency[Visit]) -> Redirect:
        form = await visit.form()
        language = str(form.get("language", ""))
        back = safe_next_path(str(form.get("next", "/")))
        if language not in i18n.LANGUAGES:
            return see_other(back)
        # a session opened with an access code changes nothing that outlives it: the choice
        # stays in this browser's cookie
        if visit.viewer is not None and visit.viewer.organisation_scope is None:
            await accounts.set_preferred_language(visit.viewer.person_id, language)
        response = see_other(back)
        settings = visit.settings
        response.cookies.append(
            Cookie(
                key=LANGUAGE_COOKIE,
                value=language,
                max_age=365 * 24 * 3600,
                httponly=True,
                samesite="lax",
                secure=settings.secure_cookies,
            )
        )
        return response

    @get("/healthz")
    async def health(self) -> Response[dict[str, str]]:
        """For load balancers and the container's health check: is the database answering?"""
        try:
            await current_engine().run_ddl("SELECT 1")
        except Exception:  # any database failure means "not healthy"
            return Response({"status": "error", "database": "unreachable"}, status_code=503)
        return Response({"status": "ok", "database": "ok"})

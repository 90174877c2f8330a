"""An organisation's home (its dashboard) and settings, and the instance admin's list of
organisations where new ones are created.

Settings (name, short name, legal form, default language, time zone, categories, colleges) are
for the organisation's admins; creating organisations is for instance admins, whom everybody
else cannot tell apart from a missing page (404).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from votes.db import (
    consultation_queries,
    gathering_queries,
    member_queries,
    network_queries,
    queries,
)
from votes.db.queries import OrganisationView
from votes.db.tables import LegalForm, NetworkStatus
from votes.services import accounts, organisations
from votes.services.accounts import Viewer
from votes.services.actors import may_administer
from votes.services.refusals import Refused
from votes.web.controllers.gatherings import gathering_dates
from votes.web.forms import FormErrors
from votes.web.guards import requires
from votes.web.pages import Page, Visit
from votes.web.refusals import area, explain, raise_if_not_found
from votes.web.rendering import see_other

MAX_FIELD_LENGTH = 300
COMMON_TIME_ZONES = (
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Luxembourg",
    "Europe/Zurich",
    "America/Montreal",
    "Indian/Reunion",
    "America/Martinique",
    "America/Guadeloupe",
    "America/Cayenne",
    "Pacific/Noumea",
    "Pacific/Tahiti",
    "Africa/Abidjan",
    "Africa/Dakar",
    "UTC",
)
# field of the settings form that each problem code belongs to
_FIELDS = {
    "name_required": "name",
    "name_too_long": "name",
    "short_name_invalid": "short_name",
    "short_name_taken": "short_name",
    "legal_form_unknown": "legal_form",
    "language_unknown": "default_language",
    "time_zone_unknown": "time_zone",
    "admin_name_required": "admin_name",
    "admin_email_invalid": "admin_email",
    "category_required": "category",
    "category_too_long": "category",
    "category_exists": "category",
    "category_in_use": "category",
    "college_required": "college",
    "college_too_long": "college",
    "college_exists": "college",
    "college_in_use": "college",
    "weight_invalid": "weight",
}


REFUSALS = area("organisation")


def _said(error: Refused | None) -> dict[str, Any]:
    """The form's errors and the page's status: none and 200, or why ``error`` and its status."""
    errors = FormErrors()
    if error is None:
        return {"errors": errors, "status_code": 200}
    status, message = explain(error, REFUSALS)
    errors.add(_FIELDS.get(error.code, ""), message)
    return {"errors": errors, "status_code": status}


def _text(form: Any, name: str) -> str:
    return str(form.get(name, ""))[:MAX_FIELD_LENGTH].strip()


def short_name_from(name: str) -> str:
    """An address-friendly short name made from an organisation's name.

    >>> short_name_from("Les Tisserands d'Évreux")
    'les-tisserands-d-evreux'
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:50].strip("-")


_SETTINGS = ("name", "short_name", "legal_form", "default_language", "time_zone")


def _settings_values(form: Any) -> dict[str, str]:
    values = {name: _text(form, name) for name in _SETTINGS}
    values["short_name"] = values["short_name"].lower()  # the address is written in lower case
    return values


def _saved_values(organisation: OrganisationView) -> dict[str, str]:
    """The settings form filled with what is saved."""
    return {name: str(getattr(organisation, name)) for name in _SETTINGS}


class OrganisationHomeController(Controller):
    path = "/"

    @get("/")
    async def dashboard(self, page: NamedDependency[Page]) -> Template:
        organisation_id = page.organisation.id
        return page.render(
            "pages/organisations/dashboard.html.jinja",
            assemblies=await queries.assemblies_of(organisation_id),
            open_ballots=await queries.open_ballots_of(organisation_id),
            # the way to a first ballot, for whoever sets the cooperative up, until it is walked
            # (not a network's: its people are registered by its cooperatives, not imported)
            first_steps=await queries.first_steps_of(organisation_id)
            if page.actor.is_admin and not page.network_place.is_network
            else None,
            # network consultations awaiting the cooperative's answer (#20): its admins' to do
            consultations=await consultation_queries.awaiting_answer(organisation_id)
            if page.actor.is_admin
            else [],
            # the organisation's gatherings, and a network's member cooperatives (#20)
            gatherings=[
                (g, gathering_dates(g))
                for g in await gathering_queries.gatherings_of(organisation_id)
            ],
            cooperatives=[
                place.cooperative_name
                for place in await network_queries.cooperatives_of(organisation_id)
                if place.status == NetworkStatus.MEMBER.value
            ],
        )

    async def _settings_page(
        self, page: Page, values: dict[str, str], error: Refused | None = None
    ) -> Template:
        organisation_id = page.organisation.id
        return page.render(
            "pages/organisations/settings.html.jinja",
            **_said(error),
            values=values,
            legal_forms=[form.value for form in LegalForm],
            time_zones=COMMON_TIME_ZONES,
            categories=await member_queries.categories_of(organisation_id),
            colleges=await member_queries.colleges_of(organisation_id),
        )

    @get("/settings", guards=[requires(may_administer)])
    async def settings_form(self, page: NamedDependency[Page]) -> Template:
        return await self._settings_page(page, _saved_values(page.organisation))

    @post("/settings", guards=[requires(may_administer)])
    async def save_settings(self, page: NamedDependency[Page]) -> Template | Redirect:
        values = _settings_values(await page.form())
        try:
            await organisations.update_organisation(page.actor, **values)
        except Refused as error:
            return await self._settings_page(page, values, error)
        return see_other(f"/o/{values['short_name']}/settings")

    async def _list_change(
        self, page: Page, change: Callable[..., Awaitable[object]], *args: object
    ) -> Template | Redirect:
        """``change(page.actor, *args)`` on a list of the settings, then the settings again."""
        try:
            await change(page.actor, *args)
        except Refused as error:
            raise_if_not_found(error)
            values = _saved_values(page.organisation)
            return await self._settings_page(page, values, error)
        return see_other(page.path("settings#lists"))

    @post("/settings/categories", guards=[requires(may_administer)])
    async def add_category(self, page: NamedDependency[Page]) -> Template | Redirect:
        name = _text(await page.form(), "category")
        return await self._list_change(page, organisations.add_category, name)

    @post("/settings/categories/{category_id:int}/delete", guards=[requires(may_administer)])
    async def remove_category(
        self, page: NamedDependency[Page], category_id: FromPath[int]
    ) -> Template | Redirect:
        return await self._list_change(page, organisations.remove_category, category_id)

    @post("/settings/colleges", guards=[requires(may_administer)])
    async def add_college(self, page: NamedDependency[Page]) -> Template | Redirect:
        form = await page.form()
        name, weight = _text(form, "college"), _text(form, "weight")
        return await self._list_change(page, organisations.add_college, name, weight)

    @post("/settings/colleges/{college_id:int}/delete", guards=[requires(may_administer)])
    async def remove_college(
        self, page: NamedDependency[Page], college_id: FromPath[int]
    ) -> Template | Redirect:
        return await self._list_change(page, organisations.remove_college, college_id)


def _ensure_instance_admin(visit: Visit) -> Viewer:
    """The instance administrator signed in with their password; anyone else: 401 or 404."""
    if visit.viewer is None:
        raise NotAuthorizedException()
    if not visit.viewer.is_instance_admin or visit.viewer.organisation_scope is not None:
        raise NotFoundException()
    return visit.viewer


class InstanceAdminController(Controller):
    path = "/admin/organisations"

    async def _page(
        self,
        visit: Visit,
        values: dict[str, str],
        error: Refused | None = None,
        created: dict[str, str] | None = None,
    ) -> Template:
        return visit.render(
            "pages/organisations/instance.html.jinja",
            **_said(error),
            organisations=await member_queries.all_organisations(),
            values=values,
            legal_forms=[form.value for form in LegalForm],
            time_zones=COMMON_TIME_ZONES,
            created=created,
        )

    @get("/")
    async def list_organisations(self, visit: NamedDependency[Visit]) -> Template:
        _ensure_instance_admin(visit)
        values = {
            "name": "",
            "short_name": "",
            "legal_form": LegalForm.SCOP_SARL.value,
            "default_language": visit.context.language,
            "time_zone": "Europe/Paris",
            "admin_name": "",
            "admin_email": "",
        }
        return await self._page(visit, values)

    @post("/")
    async def create(self, visit: NamedDependency[Visit]) -> Template | Redirect:
        """Create an organisation and its first administrator.

        The home page's short form sends only a name and ``for_me``: the signed-in instance
        admin becomes the first administrator, the short name comes from the name (numbered if
        taken), the other settings take their defaults (changeable in the settings), and the
        admin lands on the new cooperative's dashboard, where its first steps are listed."""
        viewer = _ensure_instance_admin(visit)
        form = await visit.form()
        values = _settings_values(form)
        for_me = form.get("for_me") == "1" and bool(viewer.email)
        if for_me:
            values["admin_name"] = viewer.name
            values["admin_email"] = viewer.email or ""
            values["legal_form"] = values["legal_form"] or LegalForm.SCOP_SARL.value
            values["default_language"] = values["default_language"] or visit.context.language
            values["time_zone"] = values["time_zone"] or "Europe/Paris"
        else:
            values["admin_name"] = _text(form, "admin_name")
            values["admin_email"] = _text(form, "admin_email")
        is_network = form.get("is_network") == "1"  # a network of cooperatives (#20)
        derived = not values["short_name"]
        base = short_name_from(values["name"]) if derived else values["short_name"]
        for attempt in range(1, 10 if derived else 2):
            values["short_name"] = base if attempt == 1 else f"{base}-{attempt}"
            try:
                (
                    _organisation_id,
                    person_id,
                    needs_password,
                ) = await organisations.create_organisation_with_admin(
                    **values, is_network=is_network
                )
            except Refused as error:
                if derived and error.code == "short_name_taken":
                    continue
                return await self._page(visit, values, error)
            break
        else:
            taken = Refused("short_name_taken")
            return await self._page(visit, values, taken)
        if person_id == viewer.person_id:
            return see_other(f"/o/{values['short_name']}/")
        created = {"name": values["name"], "short_name": values["short_name"], "link": ""}
        if needs_password:
            settings = visit.settings
            token = await accounts.create_reset_link(person_id, secret_key=settings.secret_key)
            created["link"] = f"{str(visit.request.base_url).rstrip('/')}/c/reset/{token}"
        blank = dict.fromkeys(values, "")
        blank.update(legal_form=LegalForm.SCOP_SARL.value, time_zone="Europe/Paris")
        blank["default_language"] = visit.context.language
        return await self._page(visit, blank, created=created)

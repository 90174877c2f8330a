"""The member register (admins only): list and filter, add, edit, suspend, CSV import and export,
password links (access codes: :mod:`votes.web.controllers.access_codes`).

Every handler checks that the viewer administers the organisation in the URL, and every id in a
path is looked up within that organisation, so a foreign id answers 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY

from votes.db import member_queries
from votes.db.member_queries import MemberRow
from votes.db.tables import MembershipKind, MembershipStatus
from votes.i18n import gettext as _
from votes.services import mailings, member_import, members
from votes.services.actors import Actor, may_administer
from votes.services.member_import import ImportReport
from votes.services.members import MemberInput
from votes.services.refusals import Refused
from votes.web import pickers
from votes.web.downloads import spreadsheet_csv
from votes.web.forms import FormErrors, whole_number
from votes.web.guards import requires
from votes.web.labels import N_, label
from votes.web.pages import Page, found
from votes.web.refusals import area, explain
from votes.web.rendering import see_other

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# the export's "roles" column, in the words the import reads back (member_import._ROLE_WORDS)
_EXPORTED_ROLES = {
    "observer": N_("observer"),
    "admin": N_("administrator"),
    "facilitator": N_("facilitator"),
    "scrutineer": N_("scrutineer"),
}
MAX_FIELD_LENGTH = 300


REFUSALS = area("members")


def member_message(code: str, value: str = "") -> str:
    """The sentence for a register problem code, in the request's language; ``value`` is
    what the sentence quotes (the typed value, a line number)."""
    if code == "too_many_rows":
        value = str(member_import.MAX_IMPORT_ROWS)
    return explain(Refused(code, value=value), REFUSALS).message


def _input_from_form(form: Any) -> MemberInput:
    def text(name: str) -> str:
        return str(form.get(name, ""))[:MAX_FIELD_LENGTH].strip()

    college = text("college")
    return MemberInput(
        name=text("name"),
        email=text("email") or None,
        category=text("category"),
        college_id=whole_number(college),
        kind=MembershipKind.OBSERVER if text("kind") == "observer" else MembershipKind.MEMBER,
        is_admin=bool(form.get("is_admin")),
        is_facilitator=bool(form.get("is_facilitator")),
        is_scrutineer=bool(form.get("is_scrutineer")),
    )


def _errors_from(error: Refused) -> FormErrors:
    errors = FormErrors()
    field = error.field or ("email" if error.code == "email_taken" else "")
    errors.add(field, member_message(error.code))
    return errors


def _status_of(error: Refused) -> int:
    return explain(error, REFUSALS).status


def role_words(member: MemberRow) -> list[str]:
    words = [label("membership_kind", member.kind)]
    if member.is_admin:
        words.append(_("administrator"))
    if member.is_facilitator:
        words.append(_("facilitator"))
    if member.is_scrutineer:
        words.append(_("scrutineer"))
    return words


async def member_or_404(actor: Actor, membership_id: int) -> MemberRow:
    """The organisation's member by id; another organisation's id answers 404."""
    return found(await member_queries.member_of(actor.organisation.id, membership_id))


def _input_of(member: MemberRow) -> MemberInput:
    """A member's register entry as the form shows it."""
    return MemberInput(
        name=member.name,
        email=member.email,
        category=member.category,
        college_id=member.college_id,
        kind=MembershipKind(member.kind),
        is_admin=member.is_admin,
        is_facilitator=member.is_facilitator,
        is_scrutineer=member.is_scrutineer,
    )


def _register_filters(query: Mapping[str, str]) -> dict[str, str]:
    """The register's filters as the address gives them (``?q=…&category=…&role=…&status=…``);
    an unknown role or status filters nothing."""
    role, status = query.get("role", ""), query.get("status", "")
    return {
        "q": query.get("q", "")[:MAX_FIELD_LENGTH],
        "category": query.get("category", "")[:MAX_FIELD_LENGTH],
        "role": role if role in member_queries.ROLE_FILTERS else "",
        "status": status if status in {s.value for s in MembershipStatus} else "",
    }


class MembersController(Controller):
    path = "/members"

    async def _render_form(
        self,
        page: Page,
        *,
        member: MemberRow | None,
        data: MemberInput,
        errors: FormErrors,
        status_code: int = 200,
        password_link: str | None = None,
        password_mailed: bool = False,
    ) -> Template:
        organisation_id = page.organisation.id
        may_edit_person = member is None or await members.person_is_only_here(
            organisation_id, member.person_id
        )
        may_link_password = member is not None and await members.may_hand_password_link(
            organisation_id, member.person_id
        )
        return page.render(
            "pages/members/form.html.jinja",
            fragment="partials/members/_member_form.html.jinja",
            status_code=status_code,
            member=member,
            data=data,
            errors=errors,
            categories=await member_queries.categories_of(organisation_id),
            colleges=await member_queries.colleges_of(organisation_id),
            may_edit_person=may_edit_person,
            may_link_password=may_link_password,
            password_link=password_link,
            password_mailed=password_mailed,
        )

    async def _refused_form(
        self, page: Page, member: MemberRow | None, data: MemberInput, error: Refused
    ) -> Template:
        """The form again, saying why the register refused it."""
        return await self._render_form(
            page,
            member=member,
            data=data,
            errors=_errors_from(error),
            status_code=_status_of(error),
        )

    @get("/", guards=[requires(may_administer)])
    async def register(self, page: NamedDependency[Page]) -> Template:
        organisation_id = page.organisation.id
        filters = _register_filters(page.request.query_params)
        rows = await member_queries.register_of(
            organisation_id,
            search=filters["q"],
            category=filters["category"],
            role=filters["role"],
            status=filters["status"],
        )
        return page.render(
            "pages/members/register.html.jinja",
            fragment="partials/members/_register_table.html.jinja",
            members=rows,
            filters=filters,
            categories=await member_queries.categories_of(organisation_id),
            role_words=role_words,
            statuses=[s.value for s in MembershipStatus],
        )

    @get("/new", guards=[requires(may_administer)])
    async def new_form(self, page: NamedDependency[Page]) -> Template:
        return await self._render_form(
            page, member=None, data=MemberInput(name="", email=None), errors=FormErrors()
        )

    @post("/new", guards=[requires(may_administer)])
    async def create(self, page: NamedDependency[Page]) -> Template | Redirect:
        data = _input_from_form(await page.form())
        try:
            await members.add_member(page.actor, data)
        except Refused as error:
            return await self._refused_form(page, None, data, error)
        return see_other(f"{page.path('members')}/?added=1")

    @get("/{membership_id:int}", guards=[requires(may_administer)])
    async def edit_form(
        self, page: NamedDependency[Page], membership_id: FromPath[int]
    ) -> Template:
        member = await member_or_404(page.actor, membership_id)
        return await self._render_form(
            page, member=member, data=_input_of(member), errors=FormErrors()
        )

    @post("/{membership_id:int}", guards=[requires(may_administer)])
    async def update(
        self, page: NamedDependency[Page], membership_id: FromPath[int]
    ) -> Template | Redirect:
        member = await member_or_404(page.actor, membership_id)
        data = _input_from_form(await page.form())
        try:
            await members.update_member(page.actor, membership_id, data)
        except Refused as error:
            return await self._refused_form(page, member, data, error)
        return page.see_other("members", membership_id)

    @post("/{membership_id:int}/status", guards=[requires(may_administer)])
    async def change_status(
        self, page: NamedDependency[Page], membership_id: FromPath[int]
    ) -> Template | Redirect:
        member = await member_or_404(page.actor, membership_id)
        wanted = str((await page.form()).get("status", ""))
        if wanted not in {s.value for s in MembershipStatus}:
            errors = FormErrors()
            errors.add("", _("Choose a status."))
            return await self._render_form(
                page,
                member=member,
                data=_input_of(member),
                errors=errors,
                status_code=HTTP_422_UNPROCESSABLE_ENTITY,
            )
        try:
            await members.set_status(page.actor, membership_id, MembershipStatus(wanted))
        except Refused as error:
            return await self._refused_form(page, member, _input_of(member), error)
        return page.see_other("members", membership_id)

    @post("/{membership_id:int}/password-link", guards=[requires(may_administer)])
    async def password_link(
        self, page: NamedDependency[Page], membership_id: FromPath[int]
    ) -> Template:
        """A one-time link to hand over; only for people this organisation registered first
        (:func:`members.may_hand_password_link`), so that no admin can take over an account
        another organisation relies on."""
        member = await member_or_404(page.actor, membership_id)
        data = _input_of(member)
        if not await members.may_hand_password_link(page.organisation.id, member.person_id):
            errors = FormErrors()
            errors.add("", member_message("password_elsewhere"))
            return await self._render_form(
                page, member=member, data=data, errors=errors, status_code=HTTP_409_CONFLICT
            )
        # also mailed to the member when they have an address
        link, mailed = await mailings.send_password_link(
            page.actor,
            member.person_id,
            base_url=str(page.request.base_url),
            secret_key=page.settings.secret_key,
        )
        return await self._render_form(
            page,
            member=member,
            data=data,
            errors=FormErrors(),
            password_link=link,
            password_mailed=mailed,
        )

    # --- CSV ------------------------------------------------------------------------------

    @get("/export.csv", guards=[requires(may_administer)])
    async def export(self, actor: NamedDependency[Actor]) -> Response[bytes]:
        lines = await members.register_lines(actor.organisation.id)
        rows = [
            [
                line.name,
                line.email,
                line.category,
                line.college,
                ", ".join(_(_EXPORTED_ROLES[role]) for role in line.roles),
                label("membership_status", line.status),
            ]
            for line in lines
        ]
        header = [_("name"), _("email"), _("category"), _("college"), _("roles"), _("status")]
        return spreadsheet_csv(f"{actor.organisation.short_name}-members.csv", header, rows)

    @get("/import", guards=[requires(may_administer)])
    async def import_form(self, page: NamedDependency[Page]) -> Template:
        return await self._import_page(page, None, "", FormErrors())

    async def _import_page(
        self,
        page: Page,
        report: ImportReport | None,
        text: str,
        errors: FormErrors,
        status_code: int = 200,
    ) -> Template:
        organisation_id = page.organisation.id
        return page.render(
            "pages/members/import.html.jinja",
            status_code=status_code,
            report=report,
            text=text,
            errors=errors,
            member_message=member_message,
            categories=await member_queries.categories_of(organisation_id),
            colleges=await member_queries.colleges_of(organisation_id),
        )

    @post("/import", guards=[requires(may_administer)])
    async def import_preview(self, page: NamedDependency[Page]) -> Template:
        upload = (await page.form()).get("file")
        errors = FormErrors()
        if not isinstance(upload, UploadFile) or not upload.filename:
            errors.add("file", member_message("not_csv"))
            return await self._import_page(page, None, "", errors, HTTP_422_UNPROCESSABLE_ENTITY)
        content = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            errors.add("file", member_message("too_big"))
            return await self._import_page(page, None, "", errors, HTTP_422_UNPROCESSABLE_ENTITY)
        text = member_import.decode_csv(content)
        report = await member_import.check_import(page.organisation.id, text)
        status_code = 200 if report.acceptable else HTTP_422_UNPROCESSABLE_ENTITY
        return await self._import_page(page, report, text, errors, status_code)

    @post("/import/confirm", guards=[requires(may_administer)])
    async def import_confirm(self, page: NamedDependency[Page]) -> Template | Redirect:
        text = str((await page.form()).get("csv", ""))
        report = await member_import.apply_import(page.actor, text)
        if not report.acceptable:
            return await self._import_page(
                page, report, text, FormErrors(), HTTP_422_UNPROCESSABLE_ENTITY
            )
        return see_other(f"{page.path('members')}/?imported={len(report.to_add)}")

    # --- choosing members by name ----------------------------------------------------------

    @get("/pick")
    async def pick(
        self,
        page: NamedDependency[Page],
        picker: FromQuery[str] = "pick",
        name: FromQuery[str] = "holder",
    ) -> Template:
        """The names a picker offers for what is typed in it (htmx): twenty at most, after
        the ones already chosen (the proxies' and proposals' forms)."""
        if name not in pickers.PICKED_FIELDS or not picker.isidentifier() or len(picker) > 30:
            raise NotFoundException()
        query = page.request.query_params
        chosen = [str(value) for value in query.getall(name, [])][:50]
        offered = pickers.make_picker(
            picker,
            name,
            await pickers.candidates_for(page.actor, name, picker),
            search=pickers.search_of(query, picker),
            chosen=chosen,
            multiple=name == "coauthors",
            required=name != "coauthors",
        )
        return page.render("partials/members/_picker_names.html.jinja", picker=offered)

"""Signing in (password, access code, one-time link), signing out, and passwords.

Secrets that travel in a URL (sign-in links, reset links) live under ``/c/``: the request log
strips everything after that prefix. Opening a link shows a page whose form signs in, submitted
at once by a small script: a mail scanner that only fetches the link uses nothing.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie, State
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
)

from votes.i18n import gettext as _
from votes.services import access_codes, accounts, mailings
from votes.services.refusals import Refused
from votes.settings import Settings
from votes.web.context import SESSION_COOKIE
from votes.web.forms import FormErrors, safe_next_path
from votes.web.pages import Visit
from votes.web.refusals import area, explain
from votes.web.rendering import see_other

MAX_FIELD_LENGTH = 1000


REFUSALS = area("accounts")


def account_message(error: Refused | str) -> str:
    """The sentence for an ``Refused`` code, in the request's language."""
    return explain(error, REFUSALS).message


def _status_for(error: Refused) -> int:
    return explain(error, REFUSALS).status


def _refused(errors: FormErrors, error: Refused, field: str) -> int:
    """Say why on ``field`` of the form (``""``: the whole form); the status to answer with."""
    status, message = explain(error, REFUSALS)
    errors.add(field, message)
    return status


def client_address(request: Request[Any, Any, State]) -> str | None:
    return request.client.host if request.client else None


def signed_in_response(path: str, token: str, settings: Settings) -> Redirect:
    response = see_other(path)
    response.cookies.append(
        Cookie(
            key=SESSION_COOKIE,
            value=token,
            max_age=settings.session_hours * 3600,
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
        )
    )
    return response


async def _text(visit: Visit, name: str) -> str:
    form = await visit.form()
    return str(form.get(name, ""))[:MAX_FIELD_LENGTH]


def _link_failed(visit: Visit, error: Refused, status: int) -> Template:
    """The page that says why a sign-in or reset link did not work."""
    return visit.render(
        "pages/auth/link_failed.html.jinja",
        status_code=status,
        message=account_message(error),
    )


def _link_status(error: Refused) -> int:
    """An unknown code answers 404, as a page that does not exist."""
    return _status_for(error) if error.code != "code_unknown" else 404


def _into_organisation(signed_in: access_codes.CodeSignIn, settings: Settings) -> Redirect:
    """A code or a link signs in to one organisation: its home page, with the session cookie."""
    return signed_in_response(
        f"/o/{signed_in.organisation_short_name}/", signed_in.session_token, settings
    )


async def _reset_page(visit: Visit, token: str, errors: FormErrors | None = None) -> Template:
    """The form that chooses a new password (422 with ``errors``), or why the link is dead."""
    try:
        name = await accounts.reset_link_owner(
            token[:MAX_FIELD_LENGTH], secret_key=visit.settings.secret_key
        )
    except Refused as error:
        return _link_failed(visit, error, HTTP_409_CONFLICT)
    return visit.render(
        "pages/auth/reset.html.jinja",
        status_code=HTTP_422_UNPROCESSABLE_ENTITY if errors else HTTP_200_OK,
        token=token,
        person_name=name,
        errors=errors or FormErrors(),
    )


async def _account_page(visit: Visit, person_id: int, errors: FormErrors, **shown: Any) -> Template:
    """The account page, with ``errors`` and what ``shown`` adds (status, fragment, done)."""
    has_password = await accounts.has_password(person_id)
    shown.setdefault("done", "")
    return visit.render(
        "pages/auth/account.html.jinja", errors=errors, has_password=has_password, **shown
    )


class AuthController(Controller):
    @get("/login")
    async def login_form(
        self,
        visit: NamedDependency[Visit],
        next: FromQuery[str] = "/",
    ) -> Template | Redirect:
        if visit.viewer is not None:
            return see_other(safe_next_path(next))
        return visit.render(
            "pages/auth/login.html.jinja",
            errors=FormErrors(),
            email="",
            next=safe_next_path(next),
        )

    @post("/login")
    async def login(self, visit: NamedDependency[Visit]) -> Template | Redirect:
        form = await visit.form()
        email = str(form.get("email", ""))[:MAX_FIELD_LENGTH].strip()
        password = str(form.get("password", ""))[:MAX_FIELD_LENGTH]
        next_path = safe_next_path(str(form.get("next", "/")))
        errors = FormErrors()
        status = HTTP_422_UNPROCESSABLE_ENTITY
        if not email:
            errors.add("email", _("Enter your email address."))
        if not password:
            errors.add("password", _("Enter your password."))
        if not errors:
            try:
                person_id = await accounts.authenticate(
                    email, password, address=client_address(visit.request)
                )
            except Refused as error:
                status = _refused(errors, error, "")
        if errors:
            return visit.render(
                "pages/auth/login.html.jinja",
                fragment="partials/auth/_login_form.html.jinja",
                status_code=status,
                errors=errors,
                email=email,
                next=next_path,
            )
        settings = visit.settings
        token = await accounts.start_session(
            person_id, secret_key=settings.secret_key, hours=settings.session_hours
        )
        return signed_in_response(next_path, token, settings)

    @post("/logout")
    async def logout(self, visit: NamedDependency[Visit]) -> Template | Redirect:
        viewer = visit.viewer
        form = await visit.form()
        code_session = viewer is not None and viewer.organisation_scope is not None
        if code_session and form.get("confirm") != "1":
            # a single-use code: once signed out, it cannot sign this person in again
            return visit.render("pages/auth/logout_confirm.html.jinja")
        settings = visit.settings
        token = visit.request.cookies.get(SESSION_COOKIE)
        if token:
            await accounts.end_session(token, secret_key=settings.secret_key)
        response = see_other("/")
        response.delete_cookie(SESSION_COOKIE)
        # the receipts a phone keeps belong to the person signing out (static/js/receipts.js)
        response.headers["Clear-Site-Data"] = '"storage"'
        return response

    # --- access codes ---------------------------------------------------------------------

    @get("/code")
    async def code_form(self, visit: NamedDependency[Visit]) -> Template:
        return visit.render("pages/auth/code.html.jinja", errors=FormErrors())

    @post("/code")
    async def code_sign_in(self, visit: NamedDependency[Visit]) -> Template | Redirect:
        typed = (await _text(visit, "code")).strip()
        errors = FormErrors()
        if not typed:
            errors.add("code", _("Enter the code printed on your sheet."))
            status = HTTP_422_UNPROCESSABLE_ENTITY
        else:
            settings = visit.settings
            try:
                signed_in = await access_codes.sign_in_with_code(
                    typed,
                    secret_key=settings.secret_key,
                    hours=settings.session_hours,
                    address=client_address(visit.request),
                )
            except Refused as error:
                status = _refused(errors, error, "code")
            else:
                return _into_organisation(signed_in, settings)
        return visit.render(
            "pages/auth/code.html.jinja",
            fragment="partials/auth/_code_form.html.jinja",
            status_code=status,
            errors=errors,
            typed=typed[:40],  # a mistyped code is corrected, not typed again from scratch
        )

    @get("/c/{token:str}")
    async def link_page(
        self,
        visit: NamedDependency[Visit],
        token: FromPath[str],
    ) -> Template:
        settings = visit.settings
        try:
            person_name, organisation_name = await access_codes.link_owner(
                token[:MAX_FIELD_LENGTH], secret_key=settings.secret_key
            )
        except Refused as error:
            return _link_failed(visit, error, _link_status(error))
        return visit.render(
            "pages/auth/link.html.jinja",
            token=token,
            person_name=person_name,
            organisation_name=organisation_name,
        )

    @post("/c/{token:str}")
    async def link_sign_in(
        self,
        visit: NamedDependency[Visit],
        token: FromPath[str],
    ) -> Template | Redirect:
        settings = visit.settings
        try:
            signed_in = await access_codes.sign_in_with_link(
                token[:MAX_FIELD_LENGTH],
                secret_key=settings.secret_key,
                hours=settings.session_hours,
                address=client_address(visit.request),
            )
        except Refused as error:
            return _link_failed(visit, error, _link_status(error))
        return _into_organisation(signed_in, settings)

    # --- passwords ------------------------------------------------------------------------

    @get("/c/reset/{token:str}")
    async def reset_form(
        self,
        visit: NamedDependency[Visit],
        token: FromPath[str],
    ) -> Template:
        return await _reset_page(visit, token)

    @post("/c/reset/{token:str}")
    async def reset(
        self,
        visit: NamedDependency[Visit],
        token: FromPath[str],
    ) -> Template | Redirect:
        settings = visit.settings
        password = await _text(visit, "password")
        errors = FormErrors()
        if password != await _text(visit, "confirmation"):
            errors.add("confirmation", _("The two passwords are not the same."))
        else:
            try:
                person_id = await accounts.reset_password(
                    token[:MAX_FIELD_LENGTH], password, secret_key=settings.secret_key
                )
            except Refused as error:
                if error.code == "link_invalid":
                    return _link_failed(visit, error, HTTP_409_CONFLICT)
                errors.add("password", account_message(error))
            else:
                session = await accounts.start_session(
                    person_id, secret_key=settings.secret_key, hours=settings.session_hours
                )
                return signed_in_response("/", session, settings)
        return await _reset_page(visit, token, errors)  # a dead link says so first

    @get("/password/forgotten")
    async def forgotten(
        self,
        visit: NamedDependency[Visit],
        sent: FromQuery[str] = "",
    ) -> Template:
        return visit.render(
            "pages/auth/forgotten.html.jinja",
            errors=FormErrors(),
            email="",
            sent=sent == "1",
        )

    @post("/password/forgotten")
    async def ask_reset(self, visit: NamedDependency[Visit]) -> Template | Redirect:
        """A reset link by e-mail: the same answer whether the address has an account
        or not, throttled by the sign-in budgets."""
        email = (await _text(visit, "email")).strip()
        errors = FormErrors()
        status = HTTP_422_UNPROCESSABLE_ENTITY
        if "@" not in email:
            errors.add("email", _("Enter your email address."))
        else:
            settings = visit.settings
            try:
                await mailings.request_password_reset(
                    email,
                    address=client_address(visit.request),
                    base_url=str(visit.request.base_url),
                    secret_key=settings.secret_key,
                )
            except Refused as error:
                status = _refused(errors, error, "")
        if errors:
            return visit.render(
                "pages/auth/forgotten.html.jinja",
                status_code=status,
                errors=errors,
                email=email,
                sent=False,
            )
        return see_other("/password/forgotten?sent=1")

    @get("/account")
    async def account(
        self,
        visit: NamedDependency[Visit],
        done: FromQuery[str] = "",
    ) -> Template:
        if visit.viewer is None:
            raise NotAuthorizedException()
        return await _account_page(visit, visit.viewer.person_id, FormErrors(), done=done)

    @post("/account/password")
    async def change_password(self, visit: NamedDependency[Visit]) -> Template | Redirect:
        viewer = visit.viewer
        if viewer is None:
            raise NotAuthorizedException()
        settings = visit.settings
        new = await _text(visit, "password")
        errors = FormErrors()
        status = HTTP_422_UNPROCESSABLE_ENTITY
        if new != await _text(visit, "confirmation"):
            errors.add("confirmation", _("The two passwords are not the same."))
        else:
            try:
                await accounts.change_password(
                    viewer.person_id,
                    await _text(visit, "current"),
                    new,
                    keep_token=visit.request.cookies.get(SESSION_COOKIE, ""),
                    secret_key=settings.secret_key,
                )
            except Refused as error:
                field = {"bad_current_password": "current", "password_too_short": "password"}
                status = _refused(errors, error, field.get(error.code, ""))
            else:
                return see_other("/account?done=password")
        fragment = "partials/auth/_password_form.html.jinja"
        return await _account_page(
            visit, viewer.person_id, errors, status_code=status, fragment=fragment
        )

    @post("/account/sign-out-everywhere")
    async def sign_out_everywhere(self, visit: NamedDependency[Visit]) -> Template | Redirect:
        viewer = visit.viewer
        if viewer is None:
            raise NotAuthorizedException()
        try:
            await accounts.sign_out_everywhere(
                viewer.person_id,
                token=visit.request.cookies.get(SESSION_COOKIE, ""),
                secret_key=visit.settings.secret_key,
            )
        except Refused as error:
            errors = FormErrors()
            status = _refused(errors, error, "")
            return await _account_page(visit, viewer.person_id, errors, status_code=status)
        response = see_other("/")
        response.delete_cookie(SESSION_COOKIE)
        return response

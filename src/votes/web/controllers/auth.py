"""Signing in with an email and a password, and signing out."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie, State
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from votes.i18n import gettext as _
from votes.services import accounts
from votes.web.context import SESSION_COOKIE, RequestContext, settings_of
from votes.web.forms import FormErrors, safe_next_path
from votes.web.rendering import page, see_other

MAX_FIELD_LENGTH = 1000


class AuthController(Controller):
    @get("/login")
    async def login_form(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        next: FromQuery[str] = "/",
    ) -> Template | Redirect:
        if context.viewer is not None:
            return see_other(safe_next_path(next))
        return page(
            request,
            "pages/auth/login.html.jinja",
            context=context,
            errors=FormErrors(),
            email="",
            next=safe_next_path(next),
        )

    @post("/login")
    async def login(
        self, request: Request[Any, Any, State], context: NamedDependency[RequestContext]
    ) -> Template | Redirect:
        form = await request.form()
        email = str(form.get("email", ""))[:MAX_FIELD_LENGTH].strip()
        password = str(form.get("password", ""))[:MAX_FIELD_LENGTH]
        next_path = safe_next_path(str(form.get("next", "/")))
        errors = FormErrors()
        if not email:
            errors.add("email", _("Enter your email address."))
        if not password:
            errors.add("password", _("Enter your password."))
        if not errors:
            try:
                person_id = await accounts.authenticate(email, password)
            except accounts.AccountError:
                errors.add("", _("This email and password do not match an account."))
        if errors:
            return page(
                request,
                "pages/auth/login.html.jinja",
                fragment="partials/auth/_login_form.html.jinja",
                status_code=HTTP_422_UNPROCESSABLE_ENTITY,
                context=context,
                errors=errors,
                email=email,
                next=next_path,
            )
        settings = settings_of(request)
        token = await accounts.start_session(
            person_id, secret_key=settings.secret_key, hours=settings.session_hours
        )
        response = see_other(next_path)
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

    @post("/logout")
    async def logout(self, request: Request[Any, Any, State]) -> Redirect:
        settings = settings_of(request)
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await accounts.end_session(token, secret_key=settings.secret_key)
        response = see_other("/")
        response.delete_cookie(SESSION_COOKIE)
        return response

"""The application factory: ``create_app()`` builds the Litestar app from the settings."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Router
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.logging.config import LoggingConfig
from litestar.middleware import ASGIMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from votes.db.database import use_database
from votes.db.engine import close_pool, start_pool
from votes.services import mail, sealing
from votes.services.refusals import Refused
from votes.settings import Settings
from votes.web.compression import gzip_responses
from votes.web.context import load_request_context
from votes.web.controllers.access_codes import AccessCodesController
from votes.web.controllers.advance_votes import AdvanceVotesController
from votes.web.controllers.assemblies import AssemblyController
from votes.web.controllers.attendance import AttendanceController
from votes.web.controllers.audit import AuditController
from votes.web.controllers.auth import AuthController
from votes.web.controllers.ballots.console import BallotConsoleController
from votes.web.controllers.ballots.drafts import BallotDraftsController
from votes.web.controllers.ballots.results import BallotResultsController
from votes.web.controllers.ballots.vote import BallotVotingController
from votes.web.controllers.consultations import ConsultationsController
from votes.web.controllers.convocations.letters import ConvocationLettersController
from votes.web.controllers.convocations.preparation import ConvocationController
from votes.web.controllers.cosign import CosignController
from votes.web.controllers.current_ballot import CurrentBallotController
from votes.web.controllers.deliberation import DeliberationController
from votes.web.controllers.exports import ExportsController
from votes.web.controllers.floor import FloorController
from votes.web.controllers.gatherings import GatheringsController
from votes.web.controllers.home import HomeController
from votes.web.controllers.mail import MailController
from votes.web.controllers.members import MembersController
from votes.web.controllers.minutes import MinutesController
from votes.web.controllers.networks import NetworksController
from votes.web.controllers.notifications import NotificationsController
from votes.web.controllers.organisation_admin import (
    InstanceAdminController,
    OrganisationHomeController,
)
from votes.web.controllers.proposals import ProposalController
from votes.web.controllers.proxies import ProxiesController
from votes.web.controllers.receipts import ReceiptsController
from votes.web.controllers.rules import RulesController
from votes.web.deadlines import deadline_lifespan
from votes.web.errors import html_error_page
from votes.web.forms import MAX_ID
from votes.web.guards import provide_actor, provide_context, requires_sign_in
from votes.web.htmx_redirects import htmx_redirects
from votes.web.live import LiveController, LiveHub, live_lifespan, make_channels_plugin
from votes.web.no_nul import no_nul
from votes.web.pages import provide_page, provide_visit
from votes.web.refusals import refused_page
from votes.web.rendering import SECURITY_HEADERS, security_headers
from votes.web.static_assets import static_file
from votes.web.templating import make_environment
from votes.web.threads import provide_thread_slice

CSRF_COOKIE = "votes_csrf"
CSRF_HEADER = "x-csrftoken"

request_logger = logging.getLogger("votes.requests")

# paths whose tail is a secret (one-time sign-in links): logged without it
_SECRET_PATH_PREFIXES = ("/c/",)


def loggable_path(path: str) -> str:
    for prefix in _SECRET_PATH_PREFIXES:
        if path.startswith(prefix):
            return prefix + "…"
    return path


class RequestTimer(ASGIMiddleware):
    """Notes when a routed request started, so the log line can tell how long it took."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        scope.setdefault("state", {})["votes_started"] = time.perf_counter()
        await next_app(scope, receive, send)


async def secure_and_log(message: Message, scope: Scope) -> None:
    """Runs on every message the app sends, error pages of unrouted URLs included: adds the
    security headers and logs one line per response (method, path without secrets and never
    the query string, status, duration)."""
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers", []))
    present = {name.lower() for name, _ in headers}
    app = scope.get("litestar_app")
    wanted = app.state.get("security_headers", SECURITY_HEADERS) if app else SECURITY_HEADERS
    headers.extend(
        (name.lower().encode(), value.encode())
        for name, value in wanted.items()
        if name.lower().encode() not in present
    )
    message["headers"] = headers
    started = scope.get("state", {}).get("votes_started")
    duration = f" {(time.perf_counter() - started) * 1000:.1f}ms" if started else ""
    request_logger.info(
        "%s %s %s%s", scope.get("method"), loggable_path(scope["path"]), message["status"], duration
    )


async def reject_impossible_ids(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """The app's first guard: an id no row can have is the 404 of an unknown one, for everyone,
    before any role is asked about (a role's 403 would tell that the route exists there)."""
    for value in connection.path_params.values():
        if isinstance(value, int) and not 0 <= value <= MAX_ID:
            raise NotFoundException()


def logging_config(level: str) -> LoggingConfig:
    """Litestar's logging through its queue listener (a slow stderr never stalls the event
    loop), at the level VOTES_LOG_LEVEL asks for: its default would set the root logger to
    INFO whatever the setting. Unhandled errors are logged once, by the error page handler."""
    return LoggingConfig(
        root={"handlers": ["queue_listener"], "level": level},
        formatters={"standard": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        loggers={"litestar": {"level": level, "handlers": ["queue_listener"], "propagate": False}},
        log_exceptions="never",
    )


# the young generation's size: Python's default (700 allocations) collects many times during
# one request, so a request's objects reach the old generation and make full collections
# frequent; a plenary's process holds thousands of event streams, and a full collection
# stops everything for a few hundred milliseconds
YOUNG_GENERATION_ALLOCATIONS = 50_000


def steady_collector() -> None:
    """Tune the garbage collector for a long-running server (``votes serve`` only): what
    exists once the app is up (modules, templates, catalogs) is frozen out of collections,
    and the young generation is larger (see YOUNG_GENERATION_ALLOCATIONS)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_ALLOCATIONS, *gc.get_threshold()[1:])


def create_served_app() -> Litestar:
    """The app as ``votes serve`` runs it (uvicorn's factory, called in each worker)."""
    app = create_app()
    app.on_startup.append(steady_collector)
    return app


def organisation_router() -> Router:
    """Every page of an organisation, behind one door: signed in, then a member of the
    organisation in the URL (404 otherwise), acting as ``actor``; each route adds the rule it
    needs (``votes.web.guards.requires``)."""
    return Router(
        path="/o/{org:str}",
        guards=[requires_sign_in],
        dependencies={
            "actor": Provide(provide_actor),
            "page": Provide(provide_page),
            "thread_slice": Provide(provide_thread_slice, sync_to_thread=False),
        },
        route_handlers=[
            OrganisationHomeController,
            AssemblyController,
            ProposalController,
            DeliberationController,
            BallotVotingController,
            BallotConsoleController,
            BallotDraftsController,
            BallotResultsController,
            CurrentBallotController,
            CosignController,
            MembersController,
            AccessCodesController,
            MinutesController,
            NotificationsController,
            ExportsController,
            AuditController,
            ReceiptsController,
            LiveController,
            AttendanceController,
            ProxiesController,
            AdvanceVotesController,
            RulesController,
            MailController,
            FloorController,
            ConvocationController,
            ConvocationLettersController,
            ConsultationsController,
            NetworksController,
            GatheringsController,
        ],
    )


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the app. ``settings`` default to the environment (``Settings.from_env()``); its
    database is theirs (bound now, and again when the app starts)."""
    settings = settings or Settings.from_env()
    use_database(settings)
    sealing.configure(settings.secret_key)  # seals secret ballots' papers while they are open
    mail.configure(settings.smtp, settings.sender)  # without SMTP, mail is held in the outbox

    @asynccontextmanager
    async def database_pool(app: Litestar) -> AsyncIterator[None]:
        engine = use_database(settings)
        opened = await start_pool(engine, settings.database_pool_size)
        try:
            yield
        finally:
            if opened:
                await close_pool(engine)

    async def before_request(request: Request[Any, Any, State]) -> None:
        await load_request_context(request)

    # live updates: the channels plugin, and the streams it feeds
    live_hub = LiveHub(make_channels_plugin(settings), settings.live_heartbeat_seconds)

    return Litestar(
        route_handlers=[
            HomeController,
            AuthController,
            InstanceAdminController,
            organisation_router(),
            static_file,
        ],
        dependencies={"context": Provide(provide_context), "visit": Provide(provide_visit)},
        before_request=before_request,
        guards=[reject_impossible_ids],
        template_config=TemplateConfig(
            engine=JinjaTemplateEngine.from_environment(make_environment())
        ),
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            exclude=["^/static/", "^/healthz$"],  # no cookie on files phones cache for good
            cookie_name=CSRF_COOKIE,
            header_name=CSRF_HEADER,
            cookie_secure=settings.secure_cookies,
            cookie_httponly=False,  # htmx reads nothing from it: the token is in the page
            cookie_samesite="lax",
        ),
        exception_handlers={Exception: html_error_page, Refused: refused_page},
        logging_config=logging_config(settings.log_level),
        # pages gzipped for phones on a crowded Wi-Fi (static files: once, at start)
        # an htmx form told where to go, never handed the next page to paste into itself
        middleware=[no_nul, gzip_responses, htmx_redirects, RequestTimer()],
        before_send=[secure_and_log],
        # ended in reverse order: the deadline sweep stops before live events and the pool
        lifespan=[
            database_pool,
            live_lifespan(live_hub),
            deadline_lifespan(),
            mail.mail_lifespan(settings.smtp),
        ],
        plugins=[live_hub.plugin],
        state=State(
            {
                "settings": settings,
                "live_hub": live_hub,
                "security_headers": security_headers(settings),
            }
        ),
        openapi_config=None,
        debug=False,
    )

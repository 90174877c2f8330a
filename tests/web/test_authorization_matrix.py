"""Every route × every role × every standing (active, suspended, left) × own or foreign
organisation × password or access-code session: who gets in, and who learns nothing.

The routes are read from the app itself, so a route added anywhere is tested as soon as it lands;
``ACCESS`` says who may use each one, and a route missing from it fails with a message saying to
add it. The rules, also in DESIGN.md's spirit:

* anonymous visitors of an organisation's pages are sent to the sign-in page (303);
* members of another organisation get 404 on every page of this one, as if it did not exist;
* within the organisation, a role that may not use a route gets 403 (the organisation is no
  secret to its own members; the page says they lack the right, in their language);
* instance pages for instance admins answer 404 to everybody else.

Requests carry a valid CSRF token and an empty form: a role that may use a route may still get a
422 (nothing to do) or a 409 (not in this state), never 403, 404 or a sign-in redirect, and
nobody ever gets a 5xx. Run with ``VOTES_MATRIX_REPORT=1`` to print what each role got.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from tests.support.keys import SECRET_KEY
from tests.support.samples import NoSampleError, first_id
from tests.web.helpers import csrf_token

from votes.db import tables
from votes.services import accounts, gatherings, networks, organisations
from votes.services.actors import actor_for
from votes.services.demo import seed_demo
from votes.web.app import create_app
from votes.web.context import SESSION_COOKIE

MATRIX_ORGANISATION = "matrice"  # a copy of the demo, changed by the requests
DOMAIN = f"{MATRIX_ORGANISATION}.demo.votes.invalid"
ORG_ROLES = ("observer", "member", "scrutineer", "facilitator", "admin")
# every power in the register, but a standing or a session that must not use it:
# suspended (reads like an observer), left (an outsider), signed in by another
# organisation's access code (an outsider here, whatever they are elsewhere)
STANDINGS = ("suspended_admin", "left_admin", "other_code")
# what each of those must get: the answers of this role
ANSWERS_AS = {"suspended_admin": "observer", "left_admin": "foreign", "other_code": "foreign"}
# a session opened by this organisation's access code has the role's powers, here only
CODE_ROLES = ("code_member", "code_admin")
ANSWERS_AS |= {"code_member": "member", "code_admin": "admin"}
ROLES = ("anonymous", *ORG_ROLES, "foreign", *STANDINGS, *CODE_ROLES)
CODE_SESSIONS = frozenset({*CODE_ROLES, "other_code"})

# who may use what, by level
ALLOWED: dict[str, frozenset[str]] = {
    "public": frozenset(ROLES),
    "signed_in": frozenset(ROLES) - {"anonymous"},
    # the person's credentials: sessions opened with a password only (codes get 403)
    "password_session": frozenset(ROLES) - {"anonymous"},
    "org": frozenset(ORG_ROLES),
    "voter": frozenset(ORG_ROLES) - {"observer"},  # an observer never votes
    "scrutineer": frozenset({"scrutineer", "facilitator"}),  # facilitators may count too
    "cosigner": frozenset({"scrutineer"}),
    "facilitator": frozenset({"facilitator"}),
    "manager": frozenset({"facilitator", "admin"}),  # runs assemblies: facilitators and admins
    # the handler checks the form before the role, and the service refuses a role that may
    # not (its own tests cover that): with an empty form every role of the organisation gets
    # 422 or 409 here, and the matrix checks the sign-in redirect, the 404 and "never 5xx"
    "service": frozenset(ORG_ROLES),
    "admin": frozenset({"admin"}),
    # keeps the attendance register (#7): facilitators, scrutineers and administrators
    "steward": frozenset({"scrutineer", "facilitator", "admin"}),
    "instance_admin": frozenset(),  # none of these roles is an instance admin
}

ORG = "/o/{org:str}"
ACCESS: dict[tuple[str, str], str] = {
    # home, language, health, static
    ("GET", "/"): "public",
    ("POST", "/language"): "public",
    ("GET", "/healthz"): "public",
    # signing in (issue #4)
    ("GET", "/login"): "public",
    ("POST", "/login"): "public",
    ("POST", "/logout"): "public",
    ("GET", "/code"): "public",
    ("POST", "/code"): "public",
    ("GET", "/c/{token:str}"): "public",
    ("POST", "/c/{token:str}"): "public",
    ("GET", "/c/reset/{token:str}"): "public",
    ("POST", "/c/reset/{token:str}"): "public",
    ("GET", "/password/forgotten"): "public",
    ("POST", "/password/forgotten"): "public",
    ("GET", "/account"): "signed_in",
    ("POST", "/account/password"): "password_session",
    ("POST", "/account/sign-out-everywhere"): "password_session",
    ("GET", "/admin/organisations"): "instance_admin",
    ("POST", "/admin/organisations"): "instance_admin",
    # an organisation's home and settings (issue #4)
    ("GET", ORG): "org",
    ("GET", f"{ORG}/settings"): "admin",
    ("POST", f"{ORG}/settings"): "admin",
    ("POST", f"{ORG}/settings/categories"): "admin",
    ("POST", f"{ORG}/settings/categories/{{category_id:int}}/delete"): "admin",
    ("POST", f"{ORG}/settings/colleges"): "admin",
    ("POST", f"{ORG}/settings/colleges/{{college_id:int}}/delete"): "admin",
    # member register and access codes (issue #4)
    ("GET", f"{ORG}/members"): "admin",
    ("GET", f"{ORG}/members/new"): "admin",
    ("POST", f"{ORG}/members/new"): "admin",
    ("GET", f"{ORG}/members/{{membership_id:int}}"): "admin",
    ("POST", f"{ORG}/members/{{membership_id:int}}"): "admin",
    ("POST", f"{ORG}/members/{{membership_id:int}}/status"): "admin",
    ("POST", f"{ORG}/members/{{membership_id:int}}/password-link"): "admin",
    ("GET", f"{ORG}/members/export.csv"): "admin",
    ("GET", f"{ORG}/members/import"): "admin",
    ("POST", f"{ORG}/members/import"): "admin",
    ("POST", f"{ORG}/members/import/confirm"): "admin",
    ("GET", f"{ORG}/members/codes"): "admin",
    ("POST", f"{ORG}/members/codes"): "admin",
    ("GET", f"{ORG}/members/codes/sheet"): "admin",
    ("GET", f"{ORG}/members/pick"): "org",
    ("POST", f"{ORG}/members/codes/csv"): "admin",
    ("POST", f"{ORG}/members/codes/unblock"): "admin",
    ("POST", f"{ORG}/members/codes/{{membership_id:int}}/revoke"): "admin",
    ("POST", f"{ORG}/members/codes/mail"): "admin",
    # the outbox (issue #18)
    ("GET", f"{ORG}/mail"): "admin",
    ("GET", f"{ORG}/mail/{{mail_id:int}}"): "admin",
    ("POST", f"{ORG}/mail/{{mail_id:int}}/retry"): "admin",
    # the convocation of an assembly (issue #18)
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/convocation"): "admin",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/convocation"): "admin",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/convocation/preview"): "admin",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/convocation/send"): "admin",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/convocation/letters"): "admin",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/convocation/letters.pdf"): "admin",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/convocation/letters/codes"): "admin",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/convocation/letters/mark"): "admin",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/convocation/proof"): "admin",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/convocation/proof.csv"): "admin",
    # ballots
    ("GET", f"{ORG}/vote"): "org",
    ("GET", f"{ORG}/vote/now"): "org",  # the header's "Vote": to the ballot of the moment
    ("GET", f"{ORG}/ballots"): "facilitator",
    ("GET", f"{ORG}/ballots/{{ballot_id:int}}"): "org",
    ("GET", f"{ORG}/ballots/{{ballot_id:int}}/status"): "org",
    ("POST", f"{ORG}/ballots/{{ballot_id:int}}/rank"): "service",
    ("POST", f"{ORG}/ballots/{{ballot_id:int}}/review"): "service",
    ("POST", f"{ORG}/ballots/{{ballot_id:int}}/vote"): "service",
    ("POST", f"{ORG}/ballots/{{ballot_id:int}}/verify"): "org",
    ("POST", f"{ORG}/ballots/{{ballot_id:int}}/edit"): "service",
    ("GET", f"{ORG}/ballots/{{ballot_id:int}}/result.json"): "org",
    ("GET", f"{ORG}/ballots/{{ballot_id:int}}/result.csv"): "org",
    ("GET", f"{ORG}/ballots/{{ballot_id:int}}/result.blt"): "org",
    ("GET", f"{ORG}/ballots/{{ballot_id:int}}/console"): "facilitator",
    ("GET", f"{ORG}/ballots/{{ballot_id:int}}/turnout"): "facilitator",
    ("POST", f"{ORG}/ballots/{{ballot_id:int}}/console/{{action:str}}"): "facilitator",
    # preparing and correcting a draft: whoever prepares the assembly (the sample ballot is
    # open: they get 409); opening, closing and publishing stay the facilitators'
    ("GET", f"{ORG}/ballots/{{ballot_id:int}}/settings"): "manager",
    ("POST", f"{ORG}/ballots/{{ballot_id:int}}/settings"): "manager",
    ("GET", f"{ORG}/ballots/{{ballot_id:int}}/room-count"): "scrutineer",
    # dual control: a scrutineer's confirmation (#16); facilitators who are not scrutineers
    # may not confirm their own publication
    ("GET", f"{ORG}/ballots/{{ballot_id:int}}/cosign"): "cosigner",
    ("POST", f"{ORG}/ballots/{{ballot_id:int}}/cosign"): "cosigner",
    ("POST", f"{ORG}/ballots/{{ballot_id:int}}/room-count"): "scrutineer",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/ballots/new"): "manager",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/ballots"): "manager",
    ("POST", f"{ORG}/ballots/{{ballot_id:int}}/duplicate"): "manager",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/ballots"): "manager",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/projector"): "org",
    # live update streams (issue #8): in-process clients get the short "come back" answer
    ("GET", f"{ORG}/live"): "org",
    ("GET", f"{ORG}/ballots/{{ballot_id:int}}/live"): "org",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/live"): "org",
    # the floor (#19): the phone, the console, the projector, mood checks
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/floor"): "org",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/floor/live"): "org",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/floor/projector"): "org",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/floor/console"): "manager",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/floor/stats"): "manager",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/floor/request"): "voter",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/floor/withdraw"): "org",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/floor/category"): "voter",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/floor/give"): "manager",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/floor/end"): "manager",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/floor/move"): "manager",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/floor/list"): "manager",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/floor/add"): "steward",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/floor/rules"): "manager",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/floor/subject"): "manager",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/mood"): "manager",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/mood/answer"): "voter",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/mood/close"): "manager",
    # assemblies, agenda items, proposals, amendments, deliberation
    ("POST", f"{ORG}/amendments/{{amendment_id:int}}/decide"): "service",
    ("POST", f"{ORG}/amendments/{{amendment_id:int}}/vote"): "manager",
    ("POST", f"{ORG}/assemblies"): "manager",
    ("GET", f"{ORG}/assemblies/new"): "manager",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}"): "org",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/current"): "manager",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/edit"): "manager",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/edit"): "service",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/history"): "org",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/items"): "manager",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/order"): "manager",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/proposals"): "service",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/proposals/new"): "org",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/status"): "service",
    ("GET", f"{ORG}/contributions/{{contribution_id:int}}"): "org",
    ("GET", f"{ORG}/contributions/{{contribution_id:int}}/edit"): "service",
    ("GET", f"{ORG}/contributions/{{contribution_id:int}}/reply"): "voter",
    ("POST", f"{ORG}/contributions/{{contribution_id:int}}/edit"): "service",
    ("POST", f"{ORG}/contributions/{{contribution_id:int}}/hide"): "manager",
    ("POST", f"{ORG}/contributions/{{contribution_id:int}}/react"): "service",
    ("GET", f"{ORG}/items/{{item_id:int}}"): "org",
    ("GET", f"{ORG}/items/{{item_id:int}}/edit"): "manager",
    ("POST", f"{ORG}/items/{{item_id:int}}/edit"): "manager",
    ("POST", f"{ORG}/items/{{item_id:int}}/move"): "manager",
    ("POST", f"{ORG}/items/{{item_id:int}}/remove"): "manager",
    ("GET", f"{ORG}/now"): "org",
    ("GET", f"{ORG}/proposals"): "org",
    ("GET", f"{ORG}/proposals/{{proposal_id:int}}"): "org",
    ("POST", f"{ORG}/proposals/{{proposal_id:int}}/amendments"): "service",
    ("GET", f"{ORG}/proposals/{{proposal_id:int}}/amendments/new"): "org",
    ("GET", f"{ORG}/proposals/{{proposal_id:int}}/edit"): "service",
    ("POST", f"{ORG}/proposals/{{proposal_id:int}}/edit"): "service",
    ("POST", f"{ORG}/proposals/{{proposal_id:int}}/status"): "service",
    ("POST", f"{ORG}/proposals/{{proposal_id:int}}/support"): "voter",
    ("GET", f"{ORG}/proposals/{{proposal_id:int}}/versions"): "org",
    ("POST", f"{ORG}/proposals/{{proposal_id:int}}/vote"): "manager",
    ("POST", f"{ORG}/threads/{{thread_id:int}}/closed"): "manager",
    ("GET", f"{ORG}/threads/{{thread_id:int}}/contributions"): "org",
    ("POST", f"{ORG}/threads/{{thread_id:int}}/contributions"): "voter",
    # minutes, exports, audit trail, member receipts (issue #9)
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/minutes"): "org",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/minutes"): "manager",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/minutes/finalise"): "manager",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/minutes/print"): "org",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/minutes.pdf"): "org",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/results.csv"): "org",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/results.json"): "org",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/attendance.csv"): "manager",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/attendance.pdf"): "manager",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/archive"): "manager",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/archive"): "manager",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/archive.json"): "manager",
    ("GET", f"{ORG}/audit"): "admin",
    ("GET", f"{ORG}/my-votes"): "org",
    # attendance, proxies and general-assembly rules (issue #7)
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/attendance"): "org",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/attendance/{{membership_id:int}}/check-in"): (
        "steward"
    ),
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/attendance/{{membership_id:int}}/check-out"): (
        "steward"
    ),
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/attendance/join-remotely"): "service",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/attendance/door"): "steward",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/attendance/register.csv"): "steward",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/quorum"): "org",
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/proxies"): "org",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/proxies"): "service",
    ("POST", f"{ORG}/proxies/{{proxy_id:int}}/revoke"): "admin",
    # votes by correspondence (#18)
    ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/advance-vote"): "org",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/advance-vote"): "voter",
    ("POST", f"{ORG}/assemblies/{{assembly_id:int}}/advance-vote/paper"): "service",
    (
        "POST",
        f"{ORG}/assemblies/{{assembly_id:int}}/advance-vote/paper/{{membership_id:int}}/confirm",
    ): "scrutineer",
    ("GET", f"{ORG}/rules"): "org",
    ("POST", f"{ORG}/rules"): "admin",
    ("POST", f"{ORG}/rules/preset"): "admin",
    ("POST", f"{ORG}/my-votes/check"): "org",
    # each member's own choice of mails (#18)
    ("GET", f"{ORG}/notifications"): "org",
    ("POST", f"{ORG}/notifications"): "org",
    # consultations of member cooperatives (#20): administrators on both sides
    ("GET", f"{ORG}/consultations"): "admin",
    ("POST", f"{ORG}/consultations/send"): "admin",
    ("GET", f"{ORG}/consultations/proposals/{{proposal_id:int}}"): "admin",
    ("POST", f"{ORG}/consultations/proposals/{{proposal_id:int}}/withdraw"): "admin",
    ("GET", f"{ORG}/consultations/{{consultation_id:int}}"): "admin",
    ("POST", f"{ORG}/consultations/{{consultation_id:int}}/assembly"): "admin",
    ("POST", f"{ORG}/consultations/{{consultation_id:int}}/answer"): "admin",
    # networks of cooperatives (#20): the matrix's cooperative is a member of a network
    ("GET", f"{ORG}/cooperatives"): "admin",
    ("POST", f"{ORG}/cooperatives"): "admin",
    ("POST", f"{ORG}/cooperatives/sharing"): "admin",
    ("POST", f"{ORG}/cooperatives/{{cooperative_id:int}}/end"): "admin",
    ("GET", f"{ORG}/networks"): "admin",
    ("GET", f"{ORG}/networks/{{network_id:int}}"): "admin",
    ("POST", f"{ORG}/networks/{{network_id:int}}/answer"): "admin",
    ("POST", f"{ORG}/networks/{{network_id:int}}/representation"): "admin",
    ("POST", f"{ORG}/networks/{{network_id:int}}/delegates"): "admin",
    ("POST", f"{ORG}/networks/{{network_id:int}}/delegates/all"): "admin",
    (
        "POST",
        f"{ORG}/networks/{{network_id:int}}/delegates/{{registration_id:int}}/remove",
    ): "admin",
    # gatherings over several days (#20)
    ("GET", f"{ORG}/gatherings"): "org",
    ("POST", f"{ORG}/gatherings"): "manager",
    ("GET", f"{ORG}/gatherings/{{gathering_id:int}}"): "org",
    ("POST", f"{ORG}/gatherings/{{gathering_id:int}}/register"): "org",
    ("GET", f"{ORG}/gatherings/{{gathering_id:int}}/sessions/new"): "manager",
    ("POST", f"{ORG}/gatherings/{{gathering_id:int}}/sessions"): "manager",
    ("POST", f"{ORG}/gatherings/{{gathering_id:int}}/sessions/{{assembly_id:int}}/choose"): "org",
    ("GET", f"{ORG}/gatherings/{{gathering_id:int}}/check-in"): "steward",
    ("POST", f"{ORG}/gatherings/{{gathering_id:int}}/check-in/{{membership_id:int}}"): "steward",
    ("POST", f"{ORG}/gatherings/{{gathering_id:int}}/participants"): "admin",
}

# routes whose sample object may be in a state where even an allowed role gets 404 or 409
# (e.g. the results of a ballot that is still open are not published yet)
STATE_DEPENDENT: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", f"{ORG}/ballots/{{ballot_id:int}}/result.json"),
        ("GET", f"{ORG}/ballots/{{ballot_id:int}}/result.csv"),
        ("GET", f"{ORG}/ballots/{{ballot_id:int}}/result.blt"),
        ("POST", f"{ORG}/ballots/{{ballot_id:int}}/verify"),
        # draft minutes are for the bureau: members get 404 until they are final
        ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/minutes/print"),
        ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/minutes.pdf"),
        # no archive was built yet for the person asking
        ("GET", f"{ORG}/assemblies/{{assembly_id:int}}/archive.json"),
        # the first administrator's empty form deletes the sample college: the next one finds
        # nothing to delete
        ("POST", f"{ORG}/settings/colleges/{{college_id:int}}/delete"),
        # the matrix's cooperative is no network: its admin finds no member cooperatives (#20)
        ("GET", f"{ORG}/cooperatives"),
        ("POST", f"{ORG}/cooperatives"),
        ("POST", f"{ORG}/cooperatives/sharing"),
        ("POST", f"{ORG}/cooperatives/{{cooperative_id:int}}/end"),
        # an empty answer to no invitation; the sample registration is gone once removed
        ("POST", f"{ORG}/networks/{{network_id:int}}/answer"),
        ("POST", f"{ORG}/networks/{{network_id:int}}/delegates/{{registration_id:int}}/remove"),
        # the sample token is no real one: the page says so with a 404
        ("GET", "/c/{token:str}"),
        ("POST", "/c/{token:str}"),
        # the sample assembly is not a session of the sample gathering
        ("POST", f"{ORG}/gatherings/{{gathering_id:int}}/sessions/{{assembly_id:int}}/choose"),
    }
)

SKIPPED_PREFIXES = ("/static/",)
REPORT = os.environ.get("VOTES_MATRIX_REPORT") == "1"


def _routes() -> list[tuple[str, str]]:
    app = create_app()
    found = set()
    for route in app.routes:
        if route.path.startswith(SKIPPED_PREFIXES):
            continue
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods:
                if method not in ("OPTIONS", "HEAD"):
                    found.add((method, route.path))
    return sorted(found, key=lambda r: (r[1], r[0]))


ROUTES = _routes()


def test_every_route_says_who_may_use_it() -> None:
    missing = [f"{method} {path}" for method, path in ROUTES if (method, path) not in ACCESS]
    assert missing == [], (
        "routes without an entry in ACCESS (tests/web/test_authorization_matrix.py): add each "
        f"with the level of the roles that may use it: {missing}"
    )


# --- the organisation, its people, and sample ids ---------------------------------------------


async def _person_in(organisation_id: int, name: str, **roles: Any) -> int:
    person_id = await accounts.create_person(name, f"{uuid.uuid4().hex[:10]}@matrix.invalid", None)
    await organisations.add_membership(organisation_id, person_id, **roles)
    return person_id


def _demo_person(email: str) -> Any:
    return tables.Person.select(tables.Person.id).where(tables.Person.email == email).first()


@pytest.fixture(scope="module")
async def world(demo: None) -> dict[str, Any]:
    """A copy of the demo cooperative (requests with an empty form still change things, so
    not the demo itself, which is seeded first so that tests looking it up by title find it)
    with one person per role, a foreign cooperative, and sample ids."""
    await seed_demo(MATRIX_ORGANISATION)
    demo_row = (
        await tables.Organisation.select(tables.Organisation.id)
        .where(tables.Organisation.short_name == MATRIX_ORGANISATION)
        .first()
    )
    demo_id = demo_row["id"]
    people = {
        "observer": (await _demo_person(f"sarah@{DOMAIN}"))["id"],
        "member": (await _demo_person(f"lea@{DOMAIN}"))["id"],
        "scrutineer": (await _demo_person(f"yanis@{DOMAIN}"))["id"],
        "facilitator": await _person_in(demo_id, "Matrice Animation", is_facilitator=True),
        "admin": await _person_in(demo_id, "Matrice Admin", is_admin=True),
    }
    suffix = uuid.uuid4().hex[:8]
    foreign_id = await organisations.create_organisation(f"Ailleurs {suffix}", f"ailleurs-{suffix}")
    people["foreign"] = await _person_in(
        foreign_id, "Admin d'ailleurs", is_admin=True, is_facilitator=True, is_scrutineer=True
    )
    powers = {"is_admin": True, "is_facilitator": True, "is_scrutineer": True}
    for standing, status in (("suspended_admin", "suspended"), ("left_admin", "left")):
        people[standing] = await _person_in(demo_id, f"Matrice {standing}", **powers)
        await tables.Membership.update({tables.Membership.status: status}).where(
            tables.Membership.person == people[standing]
        )
    # an administrator of both cooperatives, signed in with the foreign one's access code
    people["other_code"] = await _person_in(demo_id, "Matrice deux maisons", **powers)
    await organisations.add_membership(foreign_id, people["other_code"], **powers)
    people["code_member"] = people["member"]
    people["code_admin"] = people["admin"]
    scopes = {"other_code": foreign_id, "code_member": demo_id, "code_admin": demo_id}
    college_id = await organisations.add_college(
        await actor_for(demo_id), f"Matrice {suffix}", "10"
    )
    category = (
        await tables.Category.select(tables.Category.id)
        .where(
            (tables.Category.organisation == demo_id)
            & (tables.Category.name == "salarié·e associé·e")
        )
        .first()
    )
    lea = (
        await tables.Membership.select(tables.Membership.id)
        .where(
            (tables.Membership.organisation == demo_id)
            & (tables.Membership.person == people["member"])
        )
        .first()
    )
    samples: dict[str, Any] = {
        "org": MATRIX_ORGANISATION,
        "token": "not-a-real-token",
        "action": "open",
        "membership_id": lea["id"],
        "category_id": category["id"],  # in use: deleting it is refused, the copy keeps it
        "college_id": college_id,
    }
    open_ballot = (
        await tables.Ballot.select(tables.Ballot.id)
        .where((tables.Ballot.organisation == demo_id) & (tables.Ballot.status == "open"))
        .order_by(tables.Ballot.id)
        .first()
    )
    samples["ballot_id"] = open_ballot["id"]
    network_id = await organisations.create_organisation(
        f"Réseau {suffix}", f"reseau-{suffix}", is_network=True
    )
    await networks.invite(await actor_for(network_id), MATRIX_ORGANISATION)
    await networks.answer(await actor_for(demo_id), network_id, accept=True)
    samples["network_id"] = network_id
    samples["cooperative_id"] = demo_id
    samples["registration_id"] = await networks.register_delegate(
        await actor_for(demo_id), network_id, lea["id"]
    )
    await tables.Mail.insert(
        tables.Mail(
            organisation=demo_id,
            kind="password_link",
            recipient=f"lea@{DOMAIN}",
            subject="Choisissez votre mot de passe",
            body_text="Bonjour",
            status="failed",
            idempotency_key=f"matrix:{suffix}",
        )
    )
    samples["consultation_id"] = await _consultation_received(demo_id, foreign_id, people)
    samples["gathering_id"] = await gatherings.create_gathering(
        await actor_for(demo_id), f"Rencontre {suffix}", date(2026, 6, 9), date(2026, 6, 11)
    )
    return {"demo_id": demo_id, "people": people, "samples": samples, "scopes": scopes}


async def _consultation_received(demo_id: int, network_id: int, people: dict[str, Any]) -> int:
    """A consultation the copy of the demo received from a network (#20): the foreign
    organisation, whose proposal it is."""
    from votes.services import assemblies, proposals

    assembly_id = await assemblies.create_assembly(
        await actor_for(network_id), "Rencontre", datetime(2027, 3, 14, 14, 0, tzinfo=UTC)
    )
    proposal_id = await proposals.create_proposal(
        network_id, assembly_id, people["foreign"], "Charte", "Le texte du réseau."
    )
    consultation = tables.Consultation(
        network=network_id,
        network_proposal=proposal_id,
        cooperative=demo_id,
        consultation_key=f"{proposal_id}:{demo_id}",
        sent_by=people["foreign"],
    )
    await consultation.save()
    return int(consultation.id)


async def _sample(name: str, world: dict[str, Any]) -> Any:
    """A value for a path parameter: fixed ones, else the first row of the table the name
    points at (``thread_id`` -> Thread) that belongs to the copy of the demo."""
    samples = world["samples"]
    if name not in samples:
        try:
            samples[name] = await first_id(name, world["demo_id"])
        except NoSampleError as missing:
            pytest.fail(f"add a sample for {name!r} (or a row to the demo): {missing}")
    return samples[name]


async def _fill(path: str, world: dict[str, Any]) -> str:
    async def value(match: re.Match[str]) -> str:
        return str(await _sample(match.group(1), world))

    parts = []
    last = 0
    for match in re.finditer(r"\{(\w+)(?::\w+)?\}", path):
        parts.append(path[last : match.start()])
        parts.append(await value(match))
        last = match.end()
    parts.append(path[last:])
    return "".join(parts)


def _expectation(route: tuple[str, str], role: str) -> str:
    if ACCESS[route] == "password_session" and role in CODE_SESSIONS:
        return "forbidden"  # a code opens its cooperative for a visit, never the credentials
    if role in ANSWERS_AS:
        return _expectation(route, ANSWERS_AS[role])
    level = ACCESS[route]
    if role in ALLOWED[level]:
        return "allowed"
    in_organisation = route[1].startswith("/o/")
    if role == "anonymous":
        return "sign_in"
    if in_organisation and role == "foreign":
        return "not_found"
    if level == "instance_admin":
        return "not_found"
    return "forbidden"


def _verdict(response: httpx.Response, route: tuple[str, str]) -> str:
    status = response.status_code
    location = response.headers.get("location", "")
    if status >= 500:
        return f"error {status}"
    if status in (302, 303) and location.startswith("/login"):
        return "sign_in"
    if status == 404:
        return "not_found" if route not in STATE_DEPENDENT else "allowed_or_not_found"
    if status == 403:
        return "forbidden"
    return "allowed"


@pytest.mark.parametrize("route", ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
async def test_route_answers_each_role_as_the_table_says(
    route: tuple[str, str], world: dict[str, Any], client: httpx.AsyncClient
) -> None:
    if route not in ACCESS:
        pytest.skip("not in ACCESS: see test_every_route_says_who_may_use_it")
    method, template = route
    path = await _fill(template, world)
    browser = client
    token = await csrf_token(browser, "/code")
    seen = {}
    for role in ROLES:
        browser.cookies.delete(SESSION_COOKIE)
        if role != "anonymous":
            session = await accounts.start_session(
                world["people"][role],
                secret_key=SECRET_KEY,
                hours=1,
                organisation_id=world["scopes"].get(role),
            )
            browser.cookies.set(SESSION_COOKIE, session)
        if method == "GET":
            response = await browser.get(path, follow_redirects=False)
        else:
            response = await browser.request(
                method, path, data={"_csrf_token": token}, follow_redirects=False
            )
        seen[role] = _verdict(response, route)
    browser.cookies.delete(SESSION_COOKIE)
    if REPORT:
        print(f"\n{method} {template}: {seen}")
    expected = {role: _expectation(route, role) for role in ROLES}
    for role in ROLES:
        if seen[role] == "allowed_or_not_found" and expected[role] in ("allowed", "not_found"):
            seen[role] = expected[role]
    assert seen == expected, f"{method} {path}"

"""Ballots over days and the mails people control (#18), over HTTP: a countdown typed in days,
"closes on" in words, the page « Mes notifications » in French and English, and nobody
changes another member's choices."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime

import httpx
from tests.support.factories import PASSWORD, role_holders
from tests.web.helpers import csrf_token, post_with_token, sign_in

from votes.db.tables import AssemblyKind, AssemblyStatus, Ballot, Mail
from votes.services import assemblies, notifications, organisations
from votes.services.actors import actor_for

FRENCH = {"Accept-Language": "fr"}
ENGLISH = {"Accept-Language": "en"}
_counter = itertools.count()


class Coop:
    """A fresh cooperative with a facilitator, two members and an observer, and an assembly of
    kind "other" in session for decisions taken online between general assemblies."""

    def __init__(self) -> None:
        self.n = f"{next(_counter)}-{datetime.now(UTC).timestamp():.0f}"
        self.slug = f"days-{self.n}"
        self.emails: dict[str, str] = {}
        self.memberships: dict[str, int] = {}
        self.organisation_id = 0
        self.assembly_id = 0

    async def create(self) -> Coop:
        self.organisation_id = await organisations.create_organisation(
            f"Coop jours {self.n}", self.slug
        )
        self.assembly_id = await assemblies.create_assembly(
            await actor_for(self.organisation_id),
            "Décisions en ligne",
            datetime.now(UTC),
            kind=AssemblyKind.OTHER,
            status=AssemblyStatus.IN_SESSION,
        )
        holders = await role_holders(
            self.organisation_id,
            str(self.n),
            ("facilitator", "ana", "ben", "observer"),
            "days.example",
        )
        self.emails = {role: holder.email for role, holder in holders.items()}
        self.memberships = {role: holder.membership for role, holder in holders.items()}
        return self

    def path(self, tail: str) -> str:
        return f"/o/{self.slug}{tail}"


async def _as(client: httpx.AsyncClient, coop: Coop, role: str) -> None:
    client.cookies.clear()
    await sign_in(client, coop.emails[role], PASSWORD)


async def _prepare(
    client: httpx.AsyncClient, coop: Coop, headers: dict[str, str], **duration: str
) -> httpx.Response:
    new = coop.path(f"/assemblies/{coop.assembly_id}/ballots/new")
    token = await csrf_token(client, new)
    fields = {
        "_csrf_token": token,
        "question": "Adoptez-vous la charte télétravail ?",
        "method": "majority",
        "options": "Pour\nContre\nAbstention",
        "seats": "1",
        "threshold": "1/2",
        **duration,
    }
    return await client.post(
        coop.path(f"/assemblies/{coop.assembly_id}/ballots"),
        data=fields,
        headers=headers,
        follow_redirects=False,
    )


async def _latest_ballot(coop: Coop) -> dict[str, object] | None:
    return (
        await Ballot.select()
        .where(Ballot.organisation == coop.organisation_id)
        .order_by(Ballot.id, ascending=False)
        .first()
    )


async def test_a_facilitator_opens_a_ballot_for_a_week_and_members_read_when_it_closes(
    client: httpx.AsyncClient,
) -> None:
    coop = await Coop().create()
    await _as(client, coop, "facilitator")
    form = await client.get(
        coop.path(f"/assemblies/{coop.assembly_id}/ballots/new"), headers=FRENCH
    )
    assert "Nombre de jours" in form.text
    assert "28\u00a0jours au plus" in form.text
    created = await _prepare(client, coop, FRENCH, days="7", hours="6")
    assert created.status_code == 303, created.text
    row = await _latest_ballot(coop)
    assert row is not None
    assert row["duration_seconds"] == 7 * 86400 + 6 * 3600
    ballot_id = row["id"]
    # the draft's settings show the countdown as it was typed
    settings = await client.get(coop.path(f"/ballots/{ballot_id}/settings"), headers=FRENCH)
    assert re.search(r'id="days" name="days"[^>]*value="7"', settings.text)
    assert re.search(r'id="hours" name="hours"[^>]*value="6"', settings.text)
    token = await csrf_token(client, coop.path(f"/ballots/{ballot_id}/console"))
    opened = await client.post(
        coop.path(f"/ballots/{ballot_id}/console/open"),
        data={"_csrf_token": token},
        follow_redirects=False,
    )
    assert opened.status_code == 303, opened.text
    # the opening was mailed to the two members who vote, with a link to where it was opened
    opened_mails = await Mail.select(Mail.recipient, Mail.body_text).where(
        Mail.idempotency_key.like(f"ballot_opened:{ballot_id}:%")
    )
    assert {m["recipient"] for m in opened_mails} == {
        coop.emails[role] for role in ("facilitator", "ana", "ben")
    }
    link = f"{str(client.base_url).rstrip('/')}/o/{coop.slug}/ballots/{ballot_id}"
    assert all(link in m["body_text"] for m in opened_mails)
    console = await client.get(coop.path(f"/ballots/{ballot_id}/console"), headers=FRENCH)
    assert "Clôture le " in console.text
    projector = await client.get(coop.path(f"/assemblies/{coop.assembly_id}/projector"))
    assert "Closes on " in projector.text or "Clôture le " in projector.text
    assert not re.search(r">\d{4,}:\d\d<", projector.text)  # not ten thousand minutes

    await _as(client, coop, "ana")
    french = await client.get(coop.path(f"/ballots/{ballot_id}"), headers=FRENCH)
    assert "Clôture le " in french.text
    assert " à " in french.text.split("Clôture le ", 1)[1].split("</p>", 1)[0]
    assert "Temps restant" not in french.text  # no countdown in minutes for a week
    english = await client.get(coop.path(f"/ballots/{ballot_id}"), headers=ENGLISH)
    assert "Closes on " in english.text


async def test_a_countdown_over_28_days_or_not_a_number_is_refused_and_nothing_is_created(
    client: httpx.AsyncClient,
) -> None:
    coop = await Coop().create()
    await _as(client, coop, "facilitator")
    too_long = await _prepare(client, coop, FRENCH, days="28", hours="1")
    assert too_long.status_code == 422
    assert "Un scrutin reste ouvert 28\u00a0jours au plus." in too_long.text
    assert "Adoptez-vous la charte télétravail ?" in too_long.text  # what was typed stays
    english = await _prepare(client, coop, ENGLISH, days="trois")
    assert english.status_code == 422
    assert "Write a whole number from 0 to 28." in english.text
    assert await _latest_ballot(coop) is None


async def test_a_member_chooses_their_mails_in_french_and_english(
    client: httpx.AsyncClient,
) -> None:
    coop = await Coop().create()
    await _as(client, coop, "ana")
    page = await client.get(coop.path("/notifications/"), headers=FRENCH)
    assert page.status_code == 200
    assert "<h1>Mes notifications</h1>" in page.text
    assert "Toujours envoyés, quoi que vous choisissiez\u00a0: les convocations" in page.text
    assert 'name="reminders" value="1" checked' in page.text  # the defaults
    assert 'name="other_ballots" value="1" checked' not in page.text
    assert coop.emails["ana"] in page.text
    nav = f'href="/o/{coop.slug}/notifications/">Mes notifications</a>'
    assert nav in page.text

    token = await csrf_token(client, coop.path("/notifications/"))
    saved = await client.post(
        coop.path("/notifications/"),
        data={"_csrf_token": token, "results": "1", "other_ballots": "1"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == coop.path("/notifications?saved=1")
    chosen = await notifications.preferences_of(coop.memberships["ana"])
    assert chosen == notifications.Preferences(reminders=False, results=True, other_ballots=True)
    again = await client.get(coop.path("/notifications/?saved=1"), headers=ENGLISH)
    assert "<h1>My notifications</h1>" in again.text
    assert "Your choices are saved." in again.text
    assert 'name="reminders" value="1" checked' not in again.text
    assert "Always sent, whatever you choose" in again.text
    # the others keep their own
    assert await notifications.preferences_of(coop.memberships["ben"]) == (
        notifications.Preferences()
    )


async def test_nobody_changes_another_cooperatives_or_another_members_choices(
    client: httpx.AsyncClient,
) -> None:
    target, other = await Coop().create(), await Coop().create()

    async def naming_ana() -> httpx.Response:
        """The choices form, every mail left unticked, its ``membership`` forged to name ana."""
        return await post_with_token(
            client,
            target.path("/notifications/"),
            {"membership": str(target.memberships["ana"])},
            follow_redirects=False,
        )

    await _as(client, other, "facilitator")
    foreign = await naming_ana()
    assert foreign.status_code in (403, 404)
    assert await notifications.preferences_of(target.memberships["ana"]) == (
        notifications.Preferences()
    )
    # a member of the cooperative naming another member changes only their own choices
    await _as(client, target, "ben")
    own = await naming_ana()
    assert own.status_code == 303
    assert await notifications.preferences_of(target.memberships["ana"]) == (
        notifications.Preferences()
    )
    assert await notifications.preferences_of(target.memberships["ben"]) == (
        notifications.Preferences(reminders=False, results=False, other_ballots=False)
    )
    # without the form's token, nothing is saved
    client.cookies.clear()
    await sign_in(client, target.emails["ana"], PASSWORD)
    forged = await client.post(target.path("/notifications/"), data={}, follow_redirects=False)
    assert forged.status_code == 403
    assert await notifications.preferences_of(target.memberships["ana"]) == (
        notifications.Preferences()
    )

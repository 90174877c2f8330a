"""Issue #18's acceptance, end to end in a real browser, in French, at phone size: an
administrator sends the convocation of a general assembly whose rules allow votes by
correspondence; the member's mail reaches the test suite's real SMTP server (aiosmtpd); she
follows the personal link it carries, signs in and votes in advance on the resolution; the
same link still signs her in on the day; the assembly opens, two members sign the register and
vote in the room; the resolution is closed and published; her form is in the quorum, in the
count, and in the minutes as its own channel.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.e2e.conftest import (
    ARTIFACTS,
    FACILITATOR,
    ORG,
    PHONE,
    Camera,
    new_context,
    register_row,
    sign_in_with_password,
)
from tests.support.server import ServedApp
from tests.support.smtp import SENDER, Inbox, smtp_server

pytestmark = pytest.mark.slow

TASKS = "tests.e2e.journey_tasks"
MEMBER = "lea@demo.votes.invalid"
TITLE = "AG annuelle des comptes"
QUESTION = "Approuvez-vous les comptes de l’exercice 2026 ?"
MAIL_SECONDS = 60.0  # the outbox worker on a busy two-core machine: generous, never asserted


@pytest.fixture(scope="module")
def mailed_demo(browser: Browser) -> Iterator[tuple[ServedApp, Inbox]]:
    """``votes serve`` on the demo cooperative, sending its mail to a real SMTP server."""
    folder = Path(tempfile.mkdtemp(prefix="votes-e2e-journey-"))
    with smtp_server() as (inbox, port):
        app = ServedApp(
            folder,
            {
                "VOTES_SMTP_HOST": "127.0.0.1",
                "VOTES_SMTP_PORT": str(port),
                "VOTES_SMTP_SECURITY": "none",
                "VOTES_SMTP_SENDER": SENDER,
            },
        )
        app.votes_command("migrate")
        app.votes_command("demo")
        app.start()
        try:
            yield app, inbox
        finally:
            app.stop()
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(app.log, ARTIFACTS / "journey-server.log")
            shutil.rmtree(folder, ignore_errors=True)


def _mail_to(inbox: Inbox, address: str) -> EmailMessage:
    """The first mail the SMTP server accepted for ``address``, once it has arrived."""

    def addressed() -> list[EmailMessage]:
        return [
            message
            for message in inbox.messages
            if address in (found for _, found in getaddresses([str(message["To"])]))
        ]

    with inbox.changed:
        assert inbox.changed.wait_for(addressed, MAIL_SECONDS), f"no mail to {address}"
    return addressed()[0]


def _path_of(text: str, pattern: str) -> str:
    """The path of the first link in ``text`` matching ``pattern`` (the mail names the
    server's public address; the browser test talks to the served app)."""
    found = re.search(rf"https?://[^/\s]+({pattern})", text)
    assert found, f"no link like {pattern} in:\n{text}"
    return found.group(1)


def _convene(admin: Page, assembly_id: int, camera: Camera) -> None:
    admin.goto(f"/o/{ORG}/assemblies/{assembly_id}")
    admin.get_by_role("link", name="Convocation", exact=True).click()
    admin.wait_for_url(re.compile(r"/convocation/?$"))
    admin.get_by_role("button", name="Enregistrer le texte").click()
    expect(admin.get_by_text("Le texte de la convocation est enregistré")).to_be_visible()
    admin.get_by_role("link", name="Préparer et envoyer").click()
    admin.get_by_role("button", name="Envoyer la convocation").click()
    admin.wait_for_url(re.compile(r"/convocation/proof"))
    expect(admin.get_by_text("par e-mail").first).to_be_visible()
    camera.shoot(admin, "admin-proof")


def _vote_in_advance(phone: Page, mail: EmailMessage, camera: Camera) -> None:
    body = mail.get_content()
    assert "Vous ne pouvez pas venir" in body or "correspondance" in body, body
    phone.goto(_path_of(body, r"/c/[\w-]+"))  # the page signs in by itself (autosubmit)
    phone.wait_for_url(re.compile(rf"/o/{ORG}/$"))
    phone.goto(_path_of(body, r"/o/\w+/assemblies/\d+/advance-vote"))
    expect(phone.get_by_role("group", name=QUESTION)).to_be_visible()
    phone.get_by_label("Contre").check()
    phone.get_by_role("button", name="Enregistrer mes réponses").click()
    expect(phone.get_by_text("Vos réponses sont enregistrées")).to_be_visible()
    expect(phone.get_by_text("Votre réponse\u00a0: Contre")).to_be_visible()
    camera.shoot(phone, "member-advance-vote")


def _sign_in_again_on_the_day(browser: Browser, base_url: str, mail: EmailMessage) -> None:
    """On the day, from another phone, the same link from the convocation still signs her in:
    voting in advance did not spend it."""
    context = new_context(browser, base_url, size=PHONE)
    try:
        page = context.new_page()
        page.goto(_path_of(mail.get_content(), r"/c/[\w-]+"))
        page.wait_for_url(re.compile(rf"/o/{ORG}/$"))
        expect(page.locator(".viewer-name").first).to_have_text("Léa Dubois")
    finally:
        context.close()


def _open_the_assembly(admin: Page, assembly_id: int, camera: Camera) -> None:
    admin.goto(f"/o/{ORG}/assemblies/{assembly_id}")
    admin.get_by_role("button", name="Passer à\u00a0: En séance").click()
    expect(admin.get_by_text("En séance").first).to_be_visible()
    admin.goto(f"/o/{ORG}/assemblies/{assembly_id}/attendance")
    for name in ("Hugo Lefèvre", "Inès Moreau"):
        register_row(admin, name).locator("button[value=present]").click()
        expect(register_row(admin, name).locator("form[action$='/check-out']")).to_be_visible()
    admin.reload()
    # Léa is not in the room, yet her form counts towards the quorum
    expect(admin.locator("#register")).to_contain_text("par correspondance\u00a0: 1")
    camera.shoot(admin, "register-quorum")


def _console(admin: Page, ballot_id: int, action: str) -> None:
    admin.goto(f"/o/{ORG}/ballots/{ballot_id}/console")
    admin.locator(f"form[action$='/console/{action}'] button[type=submit]").click()
    admin.wait_for_load_state()


def test_convocation_mail_advance_vote_assembly_count_and_minutes(
    browser: Browser, mailed_demo: tuple[ServedApp, Inbox], camera: Camera
) -> None:
    served, inbox = mailed_demo
    prepared = served.task("prepared", tasks=TASKS, org=ORG, title=TITLE, question=QUESTION)
    assembly_id, ballot_id = prepared["assembly"], prepared["ballot"]
    admin_context = new_context(browser, served.base_url, size=PHONE)
    member_context = new_context(browser, served.base_url, size=PHONE)
    admin, phone = admin_context.new_page(), member_context.new_page()
    try:
        sign_in_with_password(admin, FACILITATOR)
        _convene(admin, assembly_id, camera)

        mail = _mail_to(inbox, MEMBER)
        assert TITLE in str(mail["Subject"])
        _vote_in_advance(phone, mail, camera)

        _sign_in_again_on_the_day(browser, served.base_url, mail)
        _open_the_assembly(admin, assembly_id, camera)
        _console(admin, ballot_id, "open")
        served.task(
            "room_votes",
            tasks=TASKS,
            org=ORG,
            ballot=ballot_id,
            votes={"hugo@demo.votes.invalid": "yes", "ines@demo.votes.invalid": "yes"},
        )
        _console(admin, ballot_id, "close")
        _console(admin, ballot_id, "publish")

        # the result: two "pour" in the room, Léa's "contre" by correspondence
        phone.goto(f"/o/{ORG}/ballots/{ballot_id}")
        table = phone.get_by_role("table", name="Votes en séance et par correspondance")
        expect(table.get_by_role("row", name="Pour 2 0 2")).to_be_visible()
        expect(table.get_by_role("row", name="Contre 0 1 1")).to_be_visible()
        camera.shoot(phone, "member-result")

        admin.goto(f"/o/{ORG}/assemblies/{assembly_id}/minutes")
        minutes = admin.locator("main")
        expect(minutes).to_contain_text("1 a voté par correspondance")
        expect(minutes).to_contain_text("1 formulaire par correspondance")
        camera.shoot(admin, "minutes")
    finally:
        if camera.failed():
            camera.shoot(admin, "at-failure-admin")
            camera.shoot(phone, "at-failure-member")
        admin_context.close()
        member_context.close()

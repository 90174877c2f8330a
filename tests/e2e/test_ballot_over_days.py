"""A decision over several days on phones (#18): the facilitator prepares it in days from a
phone, a member reads when it closes in words and chooses their mails, in French, with no
serious accessibility finding and nothing wider than the screen."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.e2e.conftest import (
    FACILITATOR,
    MEMBERS,
    ORG,
    PHONE,
    AccessibilityLog,
    Camera,
    console_action,
    new_context,
    sign_in_with_password,
)
from tests.support.server import ServedApp

pytestmark = pytest.mark.slow


def _fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_ballot_over_days_from_phones(
    browser: Browser,
    served_demo: ServedApp,
    accessibility: AccessibilityLog,
    camera: Camera,
) -> None:
    facilitator_phone = new_context(browser, served_demo.base_url, size=PHONE, locale="fr-FR")
    member_phone = new_context(browser, served_demo.base_url, size=PHONE, locale="fr-FR")
    try:
        facilitator, member = facilitator_phone.new_page(), member_phone.new_page()
        sign_in_with_password(facilitator, FACILITATOR)
        assembly = served_demo.task("assembly_of", org=ORG)["assembly"]
        facilitator.goto(f"/o/{ORG}/assemblies/{assembly}/ballots/new")
        question = "Adoptons-nous la charte du télétravail ?"
        facilitator.locator("#question").fill(question)
        facilitator.locator("#method").select_option("majority")
        facilitator.get_by_label("Nombre de jours").fill("5")
        facilitator.get_by_label("Nombre d'heures").fill("2")
        assert _fits_the_screen(facilitator)
        accessibility.check(facilitator, "new ballot in days (fr)")
        camera.shoot(facilitator, "ballot form in days")
        facilitator.locator("form.form button[type=submit]").last.click()
        facilitator.wait_for_url(re.compile(r"/console$"))
        console_action(facilitator, "open")
        expect(facilitator.locator(".closes-on").first).to_contain_text("Clôture le")
        ballot_path = urlsplit(facilitator.url).path.removesuffix("/console")

        sign_in_with_password(member, MEMBERS[0])
        member.goto(ballot_path)
        closes = member.locator(".closes-on")
        expect(closes).to_contain_text(re.compile(r"Clôture le \S+ \d+ \S+ 20\d\d à \d+ h"))
        assert _fits_the_screen(member)
        accessibility.check(member, "ballot over days (fr)")
        camera.shoot(member, "closes on")

        member.goto(f"/o/{ORG}/")
        member.get_by_role("link", name="Mes notifications").click()
        expect(member.get_by_role("heading", level=1)).to_have_text("Mes notifications")
        expect(member.get_by_text("Toujours envoyés")).to_be_visible()
        member.get_by_label("Un rappel avant la clôture d'un scrutin").uncheck()
        accessibility.check(member, "my notifications (fr)")
        member.get_by_role("button", name="Enregistrer mes choix").click()
        expect(member.get_by_role("status")).to_contain_text("Vos choix sont enregistrés.")
        expect(member.get_by_label("Un rappel avant la clôture d'un scrutin")).not_to_be_checked()
        expect(member.get_by_label("Le résultat d'un scrutin")).to_be_checked()
        assert _fits_the_screen(member)
        camera.shoot(member, "my notifications")
        assert accessibility.found == {}, accessibility.report()
    finally:
        facilitator_phone.close()
        member_phone.close()

"""A Flemish member's phone (nl-BE) in the demo's French cooperative: it reads Dutch from the
welcome page to the result, and axe-core checks each of those pages in Dutch."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.e2e.conftest import (
    ORG,
    PHONE,
    PROJECTOR,
    AccessibilityLog,
    Camera,
    close_and_publish,
    console_action,
    new_context,
    prepare_majority,
    sign_in_with_password,
)
from tests.support.server import ServedApp

pytestmark = pytest.mark.slow


@pytest.fixture
def flemish_phone(browser: Browser, served_demo: ServedApp) -> Any:
    context = new_context(browser, served_demo.base_url, size=PHONE, locale="nl-BE")
    page = context.new_page()
    yield page
    context.close()


def test_a_flemish_member_votes_in_dutch(
    flemish_phone: Page,
    facilitator: Page,
    served_demo: ServedApp,
    accessibility: AccessibilityLog,
    camera: Camera,
) -> None:
    phone = flemish_phone
    phone.goto("/")
    expect(phone.locator("html")).to_have_attribute("lang", "nl")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Samen beslissen")
    accessibility.check(phone, "welcome (nl)")
    camera.shoot(phone, "welcome")

    code = served_demo.task("codes", org=ORG, emails=["noah@demo.votes.invalid"])
    phone.goto("/code")
    phone.get_by_label("Je toegangscode").fill(code["noah@demo.votes.invalid"])
    accessibility.check(phone, "access code (nl)")
    phone.get_by_role("button", name="Aanmelden").click()
    phone.wait_for_url(re.compile(rf"/o/{ORG}/$"))
    expect(phone.locator("html")).to_have_attribute("lang", "nl")
    camera.shoot(phone, "cooperative")

    question = "Publiceren we de notulen van de repetitie online?"
    prepare_majority(facilitator, served_demo, question)
    console_action(facilitator, "open")

    phone.goto(f"/o/{ORG}/vote")
    phone.get_by_role("link", name=question).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(question)
    expect(phone.get_by_text("Tik je antwoord aan")).to_be_visible()
    accessibility.check(phone, "ballot form (nl)")
    camera.shoot(phone, "ballot")

    # the answers were worded when the (French) facilitator prepared the ballot
    phone.get_by_role("button", name=re.compile(r"^(Voor|Pour)$")).click()
    expect(phone.get_by_role("heading", name="Controleer je stem")).to_be_visible()
    accessibility.check(phone, "review (nl)")
    phone.get_by_role("button", name="Mijn stem bevestigen").click()
    expect(phone.get_by_role("status").filter(has_text="Stem geregistreerd")).to_be_visible()
    accessibility.check(phone, "vote recorded (nl)")
    camera.shoot(phone, "recorded")

    close_and_publish(facilitator)
    expect(phone.locator(".verdict")).to_be_visible()
    expect(phone.locator("main")).to_contain_text("vereiste meerderheid")
    accessibility.check(phone, "result (nl)")
    camera.shoot(phone, "result")
    assert accessibility.found == {}, accessibility.report()


def test_a_flemish_facilitator_runs_a_ballot_in_dutch_on_the_console_and_projector(
    browser: Browser,
    served_demo: ServedApp,
    accessibility: AccessibilityLog,
    camera: Camera,
) -> None:
    laptop = new_context(
        browser, served_demo.base_url, size={"width": 1280, "height": 900}, locale="nl-BE"
    )
    room = new_context(browser, served_demo.base_url, size=PROJECTOR, locale="nl-BE")
    try:
        facilitator, projector = laptop.new_page(), room.new_page()
        sign_in_with_password(facilitator, "camille@demo.votes.invalid")
        sign_in_with_password(projector, "camille@demo.votes.invalid")
        question = "Keuren we het huishoudelijk reglement goed?"
        assembly = served_demo.task("assembly_of", org=ORG)["assembly"]
        facilitator.goto(f"/o/{ORG}/assemblies/{assembly}/ballots/new")
        expect(facilitator.locator("html")).to_have_attribute("lang", "nl")
        accessibility.check(facilitator, "new ballot (nl)")
        facilitator.locator("#question").fill(question)
        facilitator.locator("#method").select_option("majority")
        facilitator.locator("form.form button[type=submit]").last.click()
        facilitator.wait_for_url(re.compile(r"/console$"))
        console_action(facilitator, "open")
        expect(facilitator.get_by_text("Opkomst").first).to_be_visible()
        accessibility.check(facilitator, "console (nl)")
        camera.shoot(facilitator, "console")
        projector.goto(f"/o/{ORG}/assemblies/{assembly}/projector")
        expect(projector.locator(".projector__question")).to_have_text(question)
        expect(projector.locator("main")).to_contain_text("Stem met je telefoon")
        accessibility.check(projector, "projector (nl)")
        camera.shoot(projector, "projector")
        close_and_publish(facilitator)
        camera.shoot(facilitator, "published")
        assert accessibility.found == {}, accessibility.report()
    finally:
        laptop.close()
        room.close()

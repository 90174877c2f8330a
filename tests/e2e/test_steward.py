"""The facilitator's and the steward's part of a plenary (#17), in a real browser at phone size
(390×844), in French, on the demo cooperative.

Creating an assembly and its agenda leaves one page, at the new address (no page pasted inside
the page); a member who signs in with her code is not checked in by it; the steward checks her
in at the door by typing (or scanning) her code; her phone says "émargez d'abord" before the
form and shows the form once she is checked in; the console counts votes against who is there.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.e2e.conftest import (
    FACILITATOR,
    ORG,
    PHONE,
    AccessibilityLog,
    Camera,
    new_context,
    signed_in_phone,
)
from tests.support.server import ServedApp

pytestmark = pytest.mark.slow

LEA = ("lea@demo.votes.invalid", "Léa Dubois")


def _phone(browser: Browser, served_demo: ServedApp) -> Page:
    context = new_context(browser, served_demo.base_url, size=PHONE, is_mobile=True, has_touch=True)
    return context.new_page()


def _one_page(page: Page) -> None:
    """One site header and one main: nothing was pasted inside the page."""
    expect(page.locator("header.site-header")).to_have_count(1)
    expect(page.locator("main")).to_have_count(1)


def test_creating_an_assembly_and_its_agenda_leaves_one_page_at_its_address(
    browser: Browser, served_demo: ServedApp, camera: Camera, accessibility: AccessibilityLog
) -> None:
    with signed_in_phone(browser, served_demo, FACILITATOR) as page:
        page.goto(f"/o/{ORG}/assemblies/new")
        page.locator("#assembly-title").fill("AGE du printemps")
        page.locator("#assembly-kind").select_option("age")
        page.locator("#assembly-starts-at").fill("2030-04-02T18:00")
        page.get_by_role("button", name="Créer l'assemblée").click()
        page.wait_for_url(re.compile(rf"/o/{ORG}/assemblies/\d+$"))
        _one_page(page)
        expect(page.locator("h1")).to_contain_text("AGE du printemps")
        for title in ("Comptes", "Affectation du résultat", "Divers"):
            page.locator("#item-title").fill(title)
            page.locator("#item-form button[type=submit]").click()
            expect(page.locator("main")).to_contain_text(title)
            _one_page(page)
        assert "/new" not in page.url
        expect(page.locator("#item-title")).to_have_value("")
        camera.shoot(page, "agenda-of-three-items")
        accessibility.check(page, "assembly with its agenda (phone)")
    assert not accessibility.found, accessibility.report()


def test_the_door_checks_in_a_member_her_code_alone_does_not_and_her_phone_waits(
    browser: Browser, served_demo: ServedApp, camera: Camera, accessibility: AccessibilityLog
) -> None:
    email, name = LEA
    assembly_id = served_demo.task("assembly_of", org=ORG)["assembly"]
    code = served_demo.task("codes", org=ORG, emails=[email])[email]
    register = f"/o/{ORG}/assemblies/{assembly_id}/attendance"
    with signed_in_phone(browser, served_demo, FACILITATOR) as steward:
        steward.goto(register)
        # the door is above the names on a phone
        door = steward.locator("#door-code")
        assert door.bounding_box()["y"] < PHONE["height"]  # type: ignore[index]
        row = steward.locator("li.register-row").filter(has_text=name)
        if row.locator("form[action$='/check-out']").count():
            row.locator("form[action$='/check-out'] button").click()
            expect(row.locator("form[action$='/check-in']")).to_be_visible()

        # Léa signs in with her code from home: she is not checked in by it
        phone = _phone(browser, served_demo)
        phone.goto("/code")
        phone.get_by_label("Votre code d'accès").fill(code)
        phone.get_by_role("button", name="Se connecter").click()
        phone.wait_for_url(re.compile(rf"/o/{ORG}/$"))
        phone.goto(register)
        expect(phone.locator("#register section.card")).not_to_contain_text("Présent·e")

        # a ballot opens: her phone explains before any form
        steward.goto(f"/o/{ORG}/assemblies/{assembly_id}/ballots/new")
        steward.locator("#question").fill("Approuver les comptes ?")
        steward.get_by_role("button", name="Préparer le scrutin").click()
        steward.wait_for_url(re.compile(r"/console$"))
        steward.locator("form[action$='/console/open'] button[type=submit]").first.click()
        steward.wait_for_load_state()
        ballot_path = steward.url.removesuffix("/console")
        phone.goto(ballot_path)
        expect(phone.locator(".member-gate")).to_contain_text("Émargez d’abord")
        expect(phone.locator("#voting-area button.option-button")).to_have_count(0)
        camera.shoot(phone, "phone-sign-the-register-first")
        accessibility.check(phone, "ballot, not checked in (phone)")

        # at the door the steward types her code (the camera reads the same field)
        steward.goto(register)
        steward.locator("#door-code").fill(code.lower())
        steward.get_by_role("button", name="Émarger", exact=True).click()
        expect(steward.locator(".door__welcomed")).to_contain_text(f"{name} est émargé·e")
        expect(steward.locator("#door-code")).to_have_value("")
        expect(steward.locator("header.site-header")).to_have_count(1)
        camera.shoot(steward, "steward-door-checked-in")
        accessibility.check(steward, "attendance register with the door (phone)")

        # her phone shows the form by itself, and the console counts who is there
        expect(phone.locator("#voting-area button.option-button").first).to_be_visible()
        camera.shoot(phone, "phone-form-after-check-in")
        steward.goto(f"{ballot_path}/console")
        expect(steward.locator("#turnout")).to_contain_text("présent·es ou représenté·es ont voté")
        camera.shoot(steward, "console-turnout")
    phone.context.close()
    assert not accessibility.found, accessibility.report()


def test_the_ballot_form_shows_only_what_the_method_uses(
    browser: Browser, served_demo: ServedApp, camera: Camera, accessibility: AccessibilityLog
) -> None:
    assembly_id = served_demo.task("assembly_of", org=ORG)["assembly"]
    with signed_in_phone(browser, served_demo, FACILITATOR) as page:
        page.goto(f"/o/{ORG}/assemblies/{assembly_id}/ballots/new")
        expect(page.locator("#options")).to_have_value(re.compile(r"^Pour\s+Contre\s+Abstention$"))
        expect(page.locator("#threshold")).to_be_visible()
        expect(page.locator("#seats")).to_be_hidden()
        page.locator("#method").select_option("stv")
        expect(page.locator("#options")).to_have_value("")  # no "Pour / Contre" as candidates
        expect(page.locator("#threshold")).to_be_hidden()
        expect(page.locator("#seats")).to_be_visible()
        camera.shoot(page, "ballot-form-stv")
        page.locator("#method").select_option("consent")
        expect(page.locator("#options")).to_have_value(re.compile(r"^Consentement"))
        expect(page.locator("input[name=facilitated]")).to_be_visible()
        expect(page.locator("#seats")).to_be_hidden()
        accessibility.check(page, "ballot form, consent (phone)")
        camera.shoot(page, "ballot-form-consent")
    assert not accessibility.found, accessibility.report()


def test_the_facilitators_and_stewards_new_pages_pass_axe_at_phone_size(
    browser: Browser, served_demo: ServedApp, camera: Camera, accessibility: AccessibilityLog
) -> None:
    assembly_id = served_demo.task("assembly_of", org=ORG)["assembly"]
    with signed_in_phone(browser, served_demo, FACILITATOR) as page:
        pages = {
            "every ballot": f"/o/{ORG}/assemblies/{assembly_id}/ballots",
            "proxies with pickers": f"/o/{ORG}/assemblies/{assembly_id}/proxies",
            "access codes": f"/o/{ORG}/members/codes",
            "code sheet reprint": f"/o/{ORG}/members/codes/sheet",
        }
        for name, path in pages.items():
            page.goto(path)
            _one_page(page)
            accessibility.check(page, f"{name} (phone)")
            camera.shoot(page, name.replace(" ", "-"))
        # the holder is found by typing, the list follows
        page.goto(pages["proxies with pickers"])
        search = page.locator("#picker-paper-q")
        if search.count():
            search.fill("Inès")
            expect(page.locator("#picker-paper-names")).to_contain_text("Inès Moreau")
            expect(page.locator("#picker-paper-names")).not_to_contain_text("Hugo Lefèvre")
    assert not accessibility.found, accessibility.report()

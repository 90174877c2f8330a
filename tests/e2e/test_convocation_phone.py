"""An administrator convenes the assembly from a phone, in French: the convocation page opens
from the assembly, its text is prefilled with the place and the agenda, the short notice is
said in words and must be confirmed, and the proof lists the members convened. No page
scrolls sideways on a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.e2e.conftest import ORG, PHONE, Camera, new_context, sign_in_with_password
from tests.support.server import ServedApp

pytestmark = pytest.mark.slow

ADMIN = "camille@demo.votes.invalid"


@pytest.fixture
def admin_phone(browser: Browser, served_demo: ServedApp) -> Iterator[Page]:
    context = new_context(browser, served_demo.base_url, size=PHONE)
    page = context.new_page()
    sign_in_with_password(page, ADMIN)
    yield page
    context.close()


def _no_sideways_scroll(page: Page, where: str) -> None:
    screen = page.viewport_size
    assert screen is not None
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= min(inner, screen["width"]), f"{where}: {width} px wide on a {screen} screen"


def test_an_admin_convenes_the_assembly_from_a_phone(admin_phone: Page, camera: Camera) -> None:
    page = admin_phone
    page.goto(f"/o/{ORG}/")
    page.get_by_role("link", name="Assemblée générale ordinaire 2026").first.click()
    page.get_by_role("link", name="Convocation", exact=True).click()
    page.wait_for_url(re.compile(r"/convocation/?$"))
    expect(page.locator("#body")).to_have_value(re.compile("Maison des coopératives"))
    expect(page.locator("#notice-warning")).to_contain_text("jours avant")
    _no_sideways_scroll(page, "prepare")
    camera.shoot(page, "prepare")

    page.get_by_role("button", name="Enregistrer le texte").click()
    expect(page.get_by_text("Le texte de la convocation est enregistré")).to_be_visible()
    page.get_by_role("link", name="Aperçu").click()
    expect(page.locator("#mail-text")).to_contain_text("Maison des coopératives")
    _no_sideways_scroll(page, "preview")
    camera.shoot(page, "preview")

    page.get_by_role("link", name="Préparer et envoyer").click()
    page.get_by_label(re.compile("Convoquer quand même")).check()
    page.get_by_role("button", name="Envoyer la convocation").click()
    page.wait_for_url(re.compile(r"/convocation/proof"))
    expect(
        page.get_by_text(re.compile(r"convocations? mises? dans la boîte d'envoi"))
    ).to_be_visible()
    expect(page.get_by_text("par e-mail").first).to_be_visible()
    _no_sideways_scroll(page, "proof")
    camera.shoot(page, "proof")

    # the outbox reads as one card a mail on a phone (its five columns were one word wide)
    page.goto(f"/o/{ORG}/mail/")
    screen = page.viewport_size
    assert screen is not None
    recipient = page.locator("td[data-label]").nth(1)
    expect(recipient).to_contain_text("@demo.votes.invalid")
    box = recipient.bounding_box()
    assert box is not None
    assert box["width"] > 0.7 * screen["width"], box
    _no_sideways_scroll(page, "outbox")
    camera.shoot(page, "outbox")

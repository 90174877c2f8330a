"""A gathering's programme on phones (390 px), in French: the facilitator announces a two-day
gathering and adds two parallel workshops from her phone; a member registers, picks both
workshops, is warned that they overlap, reads the programme by day in words and opens a
session's own assembly page. No page scrolls sideways; axe finds nothing serious.

The gathering is in June 2030: what « Maintenant » shows never depends on today."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.e2e.conftest import (
    FACILITATOR,
    MEMBERS,
    ORG,
    PHONE,
    Camera,
    axe_violations,
    no_sideways_scroll,
    signed_in_page,
)
from tests.support.server import ServedApp

pytestmark = pytest.mark.slow

TITLE = "Rencontre du réseau 2030"


def _add_workshop(page: Page, title: str, start: str, end: str, room: str) -> None:
    page.get_by_role("link", name="Ajouter une session").click()
    assert axe_violations(page) == []
    no_sideways_scroll(page, "the session form")
    page.get_by_label("Titre").fill(title)
    page.get_by_label("Atelier").check()
    page.get_by_label("Jour").select_option("2030-06-11")
    page.get_by_label(re.compile(r"^Début")).fill(start)
    page.get_by_label("Fin", exact=True).fill(end)
    page.get_by_label("Salle").fill(room)
    page.get_by_role("button", name="Ajouter la session").click()
    page.wait_for_url(re.compile(r"/gatherings/\d+$"))


def test_the_programme_on_phones(browser: Browser, served_demo: ServedApp, camera: Camera) -> None:
    url = served_demo.base_url
    with (
        signed_in_page(browser, url, FACILITATOR, size=PHONE) as page,
        signed_in_page(browser, url, MEMBERS[0], size=PHONE) as phone,
    ):
        page.goto(f"/o/{ORG}/")
        page.locator("nav.org-nav").get_by_role("link", name="Rencontres").click()
        assert axe_violations(page) == []
        page.get_by_label("Titre").fill(TITLE)
        page.get_by_label("Lieu").fill("Namur")
        page.get_by_label("Premier jour").fill("2030-06-11")
        page.get_by_label("Dernier jour").fill("2030-06-12")
        page.get_by_role("button", name="Annoncer la rencontre").click()
        page.wait_for_url(re.compile(r"/gatherings/\d+$"))
        expect(page.locator(".lead")).to_contain_text(
            "du mardi 11 juin 2030 au mercredi 12 juin 2030"
        )
        _add_workshop(page, "Atelier statuts", "14:00", "15:30", "Salle A")
        _add_workshop(page, "Atelier finances", "15:00", "16:00", "Salle B")
        expect(page.locator("#programme")).to_contain_text("mardi 11 juin")
        no_sideways_scroll(page, "facilitator's programme")
        camera.shoot(page, "facilitator-programme")
        programme = page.url
        page.get_by_role("link", name="Accueil des participant·es").click()
        expect(page.locator("#desk")).to_contain_text("0 arrivé·e")
        expect(page.locator("#desk")).to_contain_text("n'a pas lieu aujourd'hui")
        assert axe_violations(page) == []
        no_sideways_scroll(page, "the welcome desk")

        phone.goto(programme)
        expect(phone.locator("#now")).to_contain_text("La rencontre n'a pas lieu aujourd'hui.")
        phone.get_by_role("button", name="M'inscrire à la rencontre").click()
        expect(phone.get_by_text("Vous êtes inscrit·e.")).to_be_visible()
        for title in ("Atelier statuts", "Atelier finances"):
            row = phone.locator("#programme li.session").filter(has_text=title)
            row.get_by_role("button", name="Ajouter à mes sessions").click()
            phone.wait_for_load_state()
        phone.locator("nav[aria-label=Programme]").get_by_role("link", name="Mes sessions").click()
        mine = phone.locator("#mine")
        expect(mine).to_contain_text("Chevauchement")
        expect(mine).to_contain_text("Atelier statuts")
        expect(mine).to_contain_text("Atelier finances")
        expect(mine).to_contain_text("Salle\u00a0: Salle B")
        no_sideways_scroll(phone, "member's programme")
        assert axe_violations(phone) == []
        camera.shoot(phone, "member-programme")

        mine.get_by_role("link", name="Atelier finances").click()
        phone.wait_for_url(re.compile(r"/assemblies/\d+$"))
        expect(phone.get_by_role("heading", level=1)).to_contain_text("Atelier finances")
        no_sideways_scroll(phone, "the session's assembly")
        camera.shoot(phone, "session-assembly")

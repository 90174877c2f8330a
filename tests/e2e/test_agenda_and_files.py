"""An agenda item edited from a phone, and an assembly's files as each role gets them, in a real
browser at phone size (390×844), in French, on the demo cooperative.

The facilitator renames an item: a blank title is refused in words with the item unchanged, the
new title shows on the agenda and on the item's page, read newest first. A member downloads the
results of every ballot from the assembly page; the attendance register and the outbox are the
facilitator's and the administrator's, so her phone is refused them (403), never shown them.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect
from tests.e2e.conftest import FACILITATOR, ORG, Camera, no_sideways_scroll, signed_in_phone
from tests.support.server import ServedApp

pytestmark = pytest.mark.slow

LEA = "lea@demo.votes.invalid"
UPCOMING = 2  # the demo's convened assembly, three weeks ahead: its agenda is still open
IN_SESSION = 1  # the demo's assembly in session, whose ballots are published


def test_a_facilitator_renames_an_agenda_item_and_a_blank_title_changes_nothing(
    browser: Browser, served_demo: ServedApp, camera: Camera
) -> None:
    with signed_in_phone(browser, served_demo, FACILITATOR) as page:
        page.goto(f"/o/{ORG}/assemblies/{UPCOMING}")
        page.locator("#item-title").fill("Point à renommer")
        page.locator("#item-form button[type=submit]").click()
        item = page.locator("main li", has_text="Point à renommer").first
        item.get_by_role("link", name="Modifier").click()
        page.wait_for_url(re.compile(rf"/o/{ORG}/items/\d+/edit$"))
        edit_address = page.url

        page.locator("#item-title").fill("   ")
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.locator("main")).to_contain_text("Donnez un titre.")
        camera.shoot(page, "blank-title-refused")
        page.goto(f"/o/{ORG}/assemblies/{UPCOMING}")
        expect(page.locator("main")).to_contain_text("Point à renommer")

        page.goto(edit_address)
        page.locator("#item-title").fill("Point renommé depuis un téléphone")
        page.get_by_role("button", name="Enregistrer").click()
        page.wait_for_url(re.compile(rf"/o/{ORG}/assemblies/{UPCOMING}"))
        expect(page.locator("main")).to_contain_text("Point renommé depuis un téléphone")
        expect(page.locator("main")).not_to_contain_text("Point à renommer")

        page.goto(edit_address.removesuffix("/edit") + "?order=newest")
        expect(page.locator("h1")).to_contain_text("Point renommé depuis un téléphone")
        no_sideways_scroll(page, "the renamed item, newest first")
        camera.shoot(page, "renamed-item")


def test_a_member_downloads_the_results_but_not_the_register_nor_the_outbox(
    browser: Browser, served_demo: ServedApp, camera: Camera
) -> None:
    with signed_in_phone(browser, served_demo, LEA) as page:
        page.goto(f"/o/{ORG}/assemblies/{IN_SESSION}")
        files = page.get_by_role("region", name="Procès-verbal et exports")
        results = files.locator("li", has_text="Résultats de tous les scrutins")
        with page.expect_download() as download:
            results.get_by_role("link", name="CSV").click()
        assert download.value.suggested_filename == f"assembly-{IN_SESSION}-results.csv"
        with open(download.value.path(), encoding="utf-8") as csv_file:
            assert csv_file.readline().startswith("ballot,question,method")
        expect(files).not_to_contain_text("Feuille de présence")
        camera.shoot(page, "member-records")

        for refused in (f"assemblies/{IN_SESSION}/attendance.csv", "mail/"):
            response = page.goto(f"/o/{ORG}/{refused}")
            assert response is not None
            assert response.status == 403, refused

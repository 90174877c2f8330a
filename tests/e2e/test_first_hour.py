"""A cooperative's first hour, in a browser at phone size: from a blank instance (migrated, one
instance administrator made with ``votes create-admin``) to the cooperative's first opened
ballot, following the home page and the dashboard's first steps. The test counts the pages,
clicks and fields it took and prints them (``-s``); screenshots go to artifacts/e2e/."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from tests.e2e.conftest import PHONE, AccessibilityLog, Camera, new_context
from tests.support.server import ServedApp

pytestmark = pytest.mark.slow

ADMIN_EMAIL = "dominique@example.org"
ADMIN_PASSWORD = "une phrase de passe assez longue"
STDIN = ("--password-stdin",)
REGISTER = (
    "Prénom;Nom;Courriel\n"
    "Aïcha;Benani;aicha@example.org\n"
    "Jan;Peeters;jan@example.org\n"
    "Léa;Martin;lea@example.org\n"
    "Hugo;Durand;hugo@example.org\n"
)


@pytest.fixture(scope="module")
def blank_instance(browser: Browser) -> Iterator[ServedApp]:
    """``votes serve`` on a fresh database: no demo, one instance administrator."""
    folder = Path(tempfile.mkdtemp(prefix="votes-e2e-blank-"))
    app = ServedApp(folder)
    app.votes_command("migrate")
    app.votes_command(
        "create-admin", "--name", "Dominique Martin", "--email", ADMIN_EMAIL, *STDIN,
        stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    app.start()
    try:
        yield app
    finally:
        app.stop()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Journey:
    """What a person does, counted: pages loaded, clicks, fields filled."""

    page: Page
    pages: list[str] = field(default_factory=list)
    clicks: int = 0
    fields: int = 0

    def __post_init__(self) -> None:
        self.page.on("load", lambda loaded: self.pages.append(loaded.url))

    def click(self, target: Locator) -> None:
        self.clicks += 1
        target.click()
        self.page.wait_for_load_state()

    def fill(self, target: Locator, value: str) -> None:
        self.fields += 1
        target.fill(value)

    def check(self, target: Locator) -> None:
        self.fields += 1
        target.check()


def test_blank_instance_to_a_first_opened_ballot_on_a_phone(
    browser: Browser,
    blank_instance: ServedApp,
    camera: Camera,
    accessibility: AccessibilityLog,
) -> None:
    context = new_context(browser, blank_instance.base_url, size=PHONE)
    page = context.new_page()
    journey = Journey(page)
    try:
        page.goto("/")
        journey.fill(page.get_by_label("Adresse e-mail"), ADMIN_EMAIL)
        journey.fill(page.get_by_label("Mot de passe"), ADMIN_PASSWORD)
        journey.click(page.locator("form[action='/login'] button[type=submit]"))

        # the home page offers to create the cooperative: a name is enough
        expect(page.get_by_role("heading", name="Créez votre coopérative")).to_be_visible()
        camera.shoot(page, "home-create-your-cooperative")
        accessibility.check(page, "home")
        journey.fill(page.get_by_label("Nom de la coopérative"), "Les Tisserands")
        journey.click(page.get_by_role("button", name="Créer la coopérative"))
        page.wait_for_url(re.compile(r"/o/les-tisserands/$"))

        checklist = page.locator(".first-steps")
        expect(checklist.locator(".badge", has_text="à faire")).to_have_count(4)
        camera.shoot(page, "dashboard-first-steps")
        accessibility.check(page, "dashboard")

        # 1. members, from a spreadsheet with first and last names in two columns
        journey.click(checklist.get_by_role("link", name="Importer des associé·es"))
        journey.fields += 1
        page.locator("#import-file").set_input_files(
            files=[{"name": "registre.csv", "mimeType": "text/csv", "buffer": REGISTER.encode()}]
        )
        journey.click(page.get_by_role("button", name="Vérifier le fichier"))
        expect(page.get_by_role("cell", name="Aïcha Benani")).to_be_visible()
        expect(page.get_by_text("«\u00a0Prénom\u00a0»\u00a0: le prénom")).to_be_visible()
        camera.shoot(page, "import-preview")
        accessibility.check(page, "import preview")
        journey.click(page.get_by_role("button", name=re.compile(r"Importer 4 personnes")))

        # 2. access codes
        journey.click(page.locator(".org-nav").get_by_role("link", name="Codes d'accès"))
        journey.click(
            page.get_by_role("button", name=re.compile(r"Émettre des codes pour les \d+ personnes"))
        )
        camera.shoot(page, "codes-issued")

        # 3. an assembly
        journey.click(page.locator(".org-nav").get_by_role("link", name="Préparer une assemblée"))
        journey.fill(page.locator("#assembly-title"), "Assemblée générale 2027")
        journey.fill(page.locator("#assembly-starts-at"), "2027-06-12T14:00")
        journey.click(page.get_by_role("button", name="Créer l'assemblée"))

        # 4. back on the dashboard, three steps are ticked; the fourth leads to a test ballot
        journey.click(page.locator(".org-nav").get_by_role("link", name="Les Tisserands").first)
        expect(checklist.locator(".badge", has_text="fait")).to_have_count(3)
        camera.shoot(page, "dashboard-three-steps-done")
        journey.click(checklist.get_by_role("link", name="Préparer un vote d'essai"))
        journey.fill(page.locator("#question"), "Répétition : adoptons-nous l'ordre du jour ?")
        journey.check(page.locator("input[name=is_test]"))
        journey.click(page.get_by_role("button", name="Préparer le scrutin"))
        page.wait_for_url(re.compile(r"/console$"))
        journey.click(page.get_by_role("button", name="Ouvrir le scrutin"))
        camera.shoot(page, "console-first-ballot-opened")

        page.goto("/o/les-tisserands/")
        expect(page.get_by_role("heading", name="1 scrutin est ouvert")).to_be_visible()
        expect(page.locator(".first-steps")).to_have_count(0)  # every step is done
        camera.shoot(page, "dashboard-ballot-open")
        accessibility.check(page, "dashboard with an open ballot")
        pages = len(journey.pages) - 1  # the last look at the dashboard is the test's own
        print(
            f"\nfirst hour: {pages} pages, {journey.clicks} clicks, {journey.fields} fields "
            "from a blank instance to the first opened ballot"
        )
        # before: about 14 pages, 25 clicks and 35 fields
        assert pages <= 14  # 13 before htmx forms followed their redirect as a page of its own
        assert journey.clicks <= 13
        assert journey.fields <= 8
        assert not accessibility.found, accessibility.report()
    finally:
        if camera.failed():
            camera.shoot(page, "at-failure")
        context.close()

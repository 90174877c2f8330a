"""The plenary rehearsal in a real browser, in French (the demo cooperative's language).

A facilitator runs the assembly from a laptop, the room's projector shows it at 1920×1080, and
three members take part from phones (390×844) signed in with their printed access codes and
checked in at the door by the steward. Two
ballots go through their whole life: a majority motion (two "pour", one "contre") and an
instant-runoff choice ranked by tapping. Phones never reload to see a ballot open or a result
published: the live stream tells them. Every page met on the way is checked with axe-core.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.e2e.conftest import (
    FACILITATOR,
    LAPTOP,
    MEMBERS,
    ORG,
    PHONE,
    PROJECTOR,
    AccessibilityLog,
    Camera,
    close_and_publish,
    console_action,
    new_context,
    register_row,
    sign_in_with_password,
    wait_until_listening,
)
from tests.support.server import ServedApp

pytestmark = pytest.mark.slow

RANKED_OPTIONS = ("Lyon", "Grenoble", "Marseille")


@dataclass
class Room:
    """Everyone's browser tab in the rehearsal."""

    facilitator: Page
    projector: Page
    phones: list[Page]
    assembly_id: int


def sign_in_with_code(page: Page, code: str) -> None:
    page.goto("/code")
    page.get_by_label("Votre code d'accès").fill(code)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(rf"/o/{ORG}/$"))


def remember_page(page: Page) -> None:
    """Mark the document: the mark survives htmx swaps, not a reload."""
    page.evaluate("window.__rehearsal_mark = 'same document'")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__rehearsal_mark") == "same document", "the page reloaded"


MEMBER_NAMES = ("Léa Dubois", "Hugo Lefèvre", "Inès Moreau")


def check_in_at_the_door(room: Room, accessibility: AccessibilityLog, camera: Camera) -> None:
    """The steward signs the three members into the register as they come in; each phone then
    shows its owner as present. (The demo already checked everyone in before the session: the
    steward first records them as having left, so the rehearsal starts at the door.)"""
    steward = room.facilitator
    register = f"/o/{ORG}/assemblies/{room.assembly_id}/attendance"
    steward.goto(register)
    for name in MEMBER_NAMES:
        row = register_row(steward, name)
        if row.locator("form[action$='/check-out']").count():
            row.locator("form[action$='/check-out'] button").click()
            expect(register_row(steward, name).locator("form[action$='/check-in']")).to_be_visible()
    for n, (phone, name) in enumerate(zip(room.phones, MEMBER_NAMES, strict=True)):
        phone.goto(register)
        expect(phone.locator("#register")).not_to_contain_text("Présent·e —")
        register_row(steward, name).locator("button[value=present]").click()
        expect(register_row(steward, name).locator("form[action$='/check-out']")).to_be_visible()
        phone.reload()
        expect(phone.locator("#register section.card")).to_contain_text("Présent·e")
        if n == 0:
            accessibility.check(phone, "attendance, member's own line")
            camera.shoot(phone, "phone-checked-in")
    accessibility.check(steward, "attendance register, steward")
    camera.shoot(steward, "steward-register")


@pytest.fixture
def room(browser: Browser, served_demo: ServedApp, camera: Camera) -> Any:
    base = served_demo.base_url
    codes = served_demo.task("codes", org=ORG, emails=list(MEMBERS))
    assembly_id = served_demo.task("assembly_of", org=ORG)["assembly"]
    contexts = [
        new_context(browser, base, size=LAPTOP),
        new_context(browser, base, size=PROJECTOR),
        *(new_context(browser, base, size=PHONE, is_mobile=True, has_touch=True) for _ in MEMBERS),
    ]
    pages = [context.new_page() for context in contexts]
    facilitator, projector, *phones = pages
    sign_in_with_password(facilitator, FACILITATOR)
    sign_in_with_password(projector, FACILITATOR)
    for phone, email in zip(phones, MEMBERS, strict=True):
        sign_in_with_code(phone, codes[email])
    try:
        yield Room(facilitator, projector, phones, assembly_id)
    finally:
        if camera.failed():
            names = ("facilitator", "projector", "phone1", "phone2", "phone3")
            for name, page in zip(names, pages, strict=True):
                camera.shoot(page, f"at-failure-{name}")
        for context in contexts:
            context.close()


def clear_open_ballots(room: Room) -> None:
    """The demo leaves a ballot open: the facilitator closes and publishes it first, so the
    room's screen follows the rehearsal's ballots."""
    page = room.facilitator
    page.goto(f"/o/{ORG}/vote")
    while (link := page.locator("#vote-area a.option-button")).count():
        link.first.click()
        page.get_by_role("link", name="Console").click()
        close_and_publish(page)
        page.goto(f"/o/{ORG}/vote")


def prepare_ballot(room: Room, question: str, method: str, options: tuple[str, ...]) -> None:
    page = room.facilitator
    page.goto(f"/o/{ORG}/assemblies/{room.assembly_id}/ballots/new")
    page.locator("#question").fill(question)
    page.locator("#method").select_option(method)
    if options:
        page.locator("#options").fill("\n".join(options))
    page.get_by_role("button", name="Préparer le scrutin").click()
    page.wait_for_url(re.compile(r"/console$"))


def wait_for_ballot_on_phones(room: Room, question: str, camera: Camera, step: str) -> None:
    """Phones wait on the vote list; the ballot appears there, in the live region, with no
    reload."""
    for n, phone in enumerate(room.phones):
        link = phone.locator("#vote-area").get_by_role("link", name=question)
        expect(link).to_be_visible()
        assert_not_reloaded(phone)
        announced = phone.evaluate(
            """(question) => {
                const area = document.getElementById('vote-area');
                const region = area && area.closest('[aria-live]');
                return Boolean(region && region.isConnected && window.__rehearsal_region === region
                    && region.textContent.includes(question));
            }""",
            question,
        )
        assert announced, "the opened ballot did not appear inside the page's live region"
        camera.shoot(phone, f"{step}-phone{n + 1}-ballot-appears")


def wait_on_vote_list(room: Room, accessibility: AccessibilityLog, camera: Camera) -> None:
    for n, phone in enumerate(room.phones):
        phone.goto(f"/o/{ORG}/vote")
        expect(phone.locator("#vote-area")).to_be_visible()
        remember_page(phone)
        # the live region the screen reader watches must be the same element after the swap
        phone.evaluate(
            "window.__rehearsal_region = document.getElementById('vote-area')"
            ".closest('[aria-live]')"
        )
        wait_until_listening(phone)
        if n == 0:
            accessibility.check(phone, "vote list, waiting")
            camera.shoot(phone, "phone-waits")


def confirm_vote(phone: Page, check: AccessibilityLog | None, review: str) -> None:
    """Confirm the choice on the review screen (checked as ``review``) until it is recorded."""
    confirm = phone.get_by_role("button", name="Confirmer mon vote")
    expect(confirm).to_be_visible()
    if check:
        check.check(phone, review)
    confirm.click()
    expect(phone.get_by_role("status").filter(has_text="Vote enregistré")).to_be_visible()


def vote_majority(phone: Page, question: str, answer: str, check: AccessibilityLog | None) -> None:
    phone.locator("#vote-area").get_by_role("link", name=question).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(question)
    if check:
        check.check(phone, "majority ballot form")
    phone.locator(f"button.option-button--{answer}").click()
    confirm_vote(phone, check, "majority review")
    if check:
        check.check(phone, "vote recorded")


def vote_ranked(
    phone: Page, question: str, order: list[str], check: AccessibilityLog | None
) -> None:
    phone.locator("#vote-area").get_by_role("link", name=question).click()
    if check:
        check.check(phone, "ranked ballot form")
    for position, option in enumerate(order, start=1):
        phone.locator("button.option-button", has_text=option).tap()
        expect(phone.locator("ol.ranking li")).to_have_count(position)
    assert phone.locator("ol.ranking .ranking__label").all_inner_texts() == order
    phone.get_by_role("button", name="Continuer").click()
    confirm_vote(phone, check, "ranked review")


def close_and_publish_photographed(room: Room, camera: Camera, step: str) -> None:
    page = room.facilitator
    console_action(page, "close")
    camera.shoot(page, f"{step}-console-closed")
    console_action(page, "publish")
    camera.shoot(page, f"{step}-console-published")


def run_majority_ballot(room: Room, accessibility: AccessibilityLog, camera: Camera) -> None:
    question = "Adoptez-vous la charte de la répétition générale ?"
    prepare_ballot(room, question, "majority", ())
    camera.shoot(room.facilitator, "majority-console-draft")
    accessibility.check(room.facilitator, "console, draft")
    wait_on_vote_list(room, accessibility, camera)
    console_action(room.facilitator, "open")
    camera.shoot(room.facilitator, "majority-console-open")
    accessibility.check(room.facilitator, "console, open")
    wait_for_ballot_on_phones(room, question, camera, "majority")
    expect(room.projector.locator(".projector__question")).to_have_text(question)
    for n, (phone, answer) in enumerate(zip(room.phones, ("yes", "yes", "no"), strict=True)):
        vote_majority(phone, question, answer, accessibility if n == 0 else None)
        camera.shoot(phone, f"majority-phone{n + 1}-voted")
    expect(room.projector.locator(".projector__turnout strong")).to_have_text("3")
    camera.shoot(room.projector, "majority-projector-turnout")
    accessibility.check(room.projector, "projector, ballot open")
    for phone in room.phones:
        remember_page(phone)
    close_and_publish_photographed(room, camera, "majority")
    # the verdict follows the assembly's rules (its base may be every member, not the votes
    # cast): the test checks that everyone sees the same verdict of the same count
    verdict = room.facilitator.locator(".verdict").inner_text().strip()
    assert verdict in ("Adoptée", "Rejetée")
    for n, page in enumerate([*room.phones, room.projector]):
        expect(page.locator(".verdict")).to_have_text(verdict)
        expect(page.locator("figure.chart figcaption")).to_contain_text("Pour : 2")
        expect(page.locator("figure.chart figcaption")).to_contain_text("Contre : 1")
        camera.shoot(page, f"majority-{'projector' if n == 3 else f'phone{n + 1}'}-verdict")
    accessibility.check(room.phones[0], "ballot result")
    camera.shoot(room.projector, "majority-projector-verdict")
    accessibility.check(room.projector, "projector, verdict")


def run_ranked_ballot(room: Room, accessibility: AccessibilityLog, camera: Camera) -> None:
    question = "Où tiendrons-nous le séminaire d'automne ?"
    prepare_ballot(room, question, "irv", RANKED_OPTIONS)
    wait_on_vote_list(room, accessibility, camera)
    console_action(room.facilitator, "open")
    wait_for_ballot_on_phones(room, question, camera, "ranked")
    orders = [
        ["Grenoble", "Lyon", "Marseille"],
        ["Grenoble", "Marseille"],
        ["Lyon", "Grenoble"],
    ]
    for n, (phone, order) in enumerate(zip(room.phones, orders, strict=True)):
        vote_ranked(phone, question, order, accessibility if n == 0 else None)
        camera.shoot(phone, f"ranked-phone{n + 1}-voted")
    expect(room.projector.locator(".projector__turnout strong")).to_have_text("3")
    close_and_publish_photographed(room, camera, "ranked")
    for n, phone in enumerate(room.phones):
        expect(phone.locator(".verdict")).to_contain_text("Grenoble")
        camera.shoot(phone, f"ranked-phone{n + 1}-verdict")
    accessibility.check(room.phones[0], "ranked result")
    expect(room.projector.locator(".verdict")).to_contain_text("Grenoble")
    camera.shoot(room.projector, "ranked-projector-verdict")


def deliberate(room: Room, accessibility: AccessibilityLog, camera: Camera) -> None:
    """Each member reads the proposal under discussion and comments on it."""
    for n, phone in enumerate(room.phones):
        phone.goto(f"/o/{ORG}/now")
        if n == 0:
            accessibility.check(phone, "now page")
            camera.shoot(phone, "phone-now")
        phone.locator("#now article.proposal h3 a").first.click()
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        if n == 0:
            accessibility.check(phone, "proposal")
        form = phone.locator("form.contribution-form").first
        form.locator("input[name=stance][value=for]").check()
        words = f"Contribution de répétition n° {n + 1} : d'accord avec la proposition."
        form.locator("textarea[name=body]").fill(words)
        form.get_by_role("button", name="Envoyer").click()
        expect(phone.get_by_text(words)).to_be_visible()
        camera.shoot(phone, f"phone{n + 1}-commented")


def test_plenary_rehearsal_on_phones_and_projector(
    room: Room, accessibility: AccessibilityLog, camera: Camera
) -> None:
    facilitator = room.facilitator
    facilitator.goto(f"/o/{ORG}/assemblies/{room.assembly_id}")
    camera.shoot(facilitator, "facilitator-assembly")
    accessibility.check(facilitator, "assembly page")
    clear_open_ballots(room)
    room.projector.goto(f"/o/{ORG}/assemblies/{room.assembly_id}/projector")
    camera.shoot(room.projector, "projector-start")
    accessibility.check(room.projector, "projector")
    accessibility.check(room.phones[0], "organisation home on a phone")
    check_in_at_the_door(room, accessibility, camera)
    deliberate(room, accessibility, camera)
    run_majority_ballot(room, accessibility, camera)
    run_ranked_ballot(room, accessibility, camera)
    assert accessibility.found == {}, accessibility.report()

"""A network's event in real browsers (#20), in French: the demo's « Réseau Coopératif des
Communs » and its « Rencontre d'été ».

Camille, who runs the network, opens the session and the network motion's ballot from its
console; Léa, a delegate of Les Tisserands, and Bastien, a member of L'Établi, vote from their
phones (390×844); Camille closes and publishes; the projector (1920×1080) shows the deciding
verdict and the counts per head and per cooperative, and the results page on a phone shows
each cooperative's line. Then two parallel ateliers of the same afternoon each run their own
speakers' list, and a mood check opened in one is answered there and absent from the other.
Every page met is checked with axe-core; no phone page scrolls sideways.

The gathering starts a few days after the demo is seeded: nothing here depends on today.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from tests.e2e.conftest import (
    FACILITATOR,
    LAPTOP,
    PHONE,
    PROJECTOR,
    AccessibilityLog,
    Camera,
    new_context,
    no_sideways_scroll,
    sign_in_with_password,
    wait_until_listening,
)
from tests.support.server import ServedApp

from votes.services.demo_network_story import MOTION_QUESTION

pytestmark = pytest.mark.slow

NETWORK = "demo-reseau"
LEA = "lea@demo.votes.invalid"  # registered with the network by Les Tisserands
BASTIEN = "bastien@demo.votes.invalid"  # registered by L'Établi
HUGO = "hugo@demo.votes.invalid"  # Les Tisserands
FARID = "farid@demo.votes.invalid"  # Les Jardins Partagés
NOT_A_VOTE = "Sondage indicatif — ce n'est pas un vote"
QUESTION = MOTION_QUESTION.replace("\u00a0", " ")
# by name, as the results list them
COOPERATIVES = ["Coopérative L'Établi", "Coopérative Les Tisserands", "Les Jardins Partagés"]


@dataclass
class Room:
    """Everyone's browser tab at the gathering."""

    console: Page  # Camille, on a laptop
    projector: Page
    phones: dict[str, Page]  # by email


@pytest.fixture
def room(browser: Browser, served_demo: ServedApp, camera: Camera) -> Iterator[Room]:
    base = served_demo.base_url
    people = (LEA, BASTIEN, HUGO, FARID)
    contexts = [
        new_context(browser, base, size=LAPTOP),
        new_context(browser, base, size=PROJECTOR),
        *(new_context(browser, base, size=PHONE, is_mobile=True, has_touch=True) for _ in people),
    ]
    pages = [context.new_page() for context in contexts]
    names = ("console", "projector", *(email.split("@")[0] for email in people))
    try:
        for page, email in zip(pages, (FACILITATOR, FACILITATOR, *people), strict=True):
            sign_in_with_password(page, email)
        yield Room(pages[0], pages[1], dict(zip(people, pages[2:], strict=True)))
    finally:
        if camera.failed():
            for name, page in zip(names, pages, strict=True):
                camera.shoot(page, f"at-failure-{name}")
        for context in contexts:
            context.close()


def _session_url(page: Page, title: str, accessibility: AccessibilityLog | None = None) -> str:
    """The session's assembly page, found in the gathering's full programme; the pages on
    the way are checked when ``accessibility`` is given."""
    page.goto(f"/o/{NETWORK}/gatherings")
    if accessibility:
        _phone_check(page, accessibility, "the network's gatherings")
    page.get_by_role("link", name="Rencontre d'été").click()
    if accessibility:
        expect(page.locator("#programme")).to_contain_text(title)
        _phone_check(page, accessibility, "the gathering's programme")
    page.locator("#programme").get_by_role("link", name=title, exact=True).first.click()
    page.wait_for_url(re.compile(r"/assemblies/\d+$"))
    return page.url


def _phone_check(page: Page, accessibility: AccessibilityLog, name: str) -> None:
    """axe-core and the width, once the page is still: the turn's flash (two seconds of
    yellow) would be judged for its contrast halfway through."""
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
    accessibility.check(page, name)
    no_sideways_scroll(page, name)


def _vote(
    phone: Page, ballot: str, answer: str, accessibility: AccessibilityLog, camera: Camera
) -> None:
    phone.goto(ballot)
    expect(phone.get_by_role("heading", level=1)).to_have_text(QUESTION)
    _phone_check(phone, accessibility, "network ballot, form")
    camera.shoot(phone, f"ballot-form-{answer}")
    phone.get_by_role("button", name=answer, exact=True).click()
    confirm = phone.get_by_role("button", name="Confirmer mon vote")
    expect(confirm).to_be_visible()
    _phone_check(phone, accessibility, "network ballot, review")
    confirm.click()
    expect(phone.get_by_role("status").filter(has_text="Vote enregistré")).to_be_visible()
    _phone_check(phone, accessibility, "network ballot, vote recorded")


def _rows(table: Locator) -> list[list[str]]:
    """The table's body as a person reads it, a list of cells per row (spaces, fine or not,
    read as one)."""
    rows = table.locator("tbody tr")
    return [
        [" ".join(cell.split()) for cell in rows.nth(n).locator("th, td").all_inner_texts()]
        for n in range(rows.count())
    ]


def _projector_reads_both_counts(projector: Page) -> None:
    """Pour 1 / Contre 1 per head, a third of the network each per cooperative: rejected,
    decided per cooperative; each cooperative's line by name."""
    expect(projector.locator(".verdict")).to_have_text(re.compile("Rejetée"))
    expect(projector.locator(".network-count__rule")).to_have_text(
        "Décidé par le décompte par coopérative\u00a0: chaque coopérative pèse autant."
    )
    counts = _rows(projector.locator(".network-table").first)
    assert counts == [
        ["Pour", "1", "33,3 %"],
        ["Contre", "1", "33,3 %"],
        ["Abstention", "0", "0 %"],
        ["Résultat", "Rejetée", "Rejetée (décide)"],
    ], counts
    lines = _rows(projector.locator(".network-table").nth(1))
    assert [line[0] for line in lines] == COOPERATIVES, lines
    assert lines[0][2:] == ["1", "Pour 0, Contre 1, Abstention 0"], lines  # Bastien
    assert lines[1][2:] == ["1", "Pour 1, Contre 0, Abstention 0"], lines  # Léa
    assert lines[2][2:] == ["0", "—"], lines
    fits = projector.evaluate(
        "() => document.documentElement.scrollHeight <= innerHeight"
        " && document.documentElement.scrollWidth <= innerWidth"
    )
    assert fits, "the projector overflows 1920×1080"


def test_a_network_ballot_counted_per_head_and_per_cooperative(
    room: Room, accessibility: AccessibilityLog, camera: Camera
) -> None:
    console = room.console
    assembly = _session_url(console, "Plénière d'ouverture")
    accessibility.check(console, "opening plenary")
    console.get_by_role("button", name="Passer à : En séance").click()
    expect(console.locator("main")).to_contain_text("En séance")
    camera.shoot(console, "plenary-in-session")
    console.get_by_role("link", name=QUESTION).first.click()
    console.get_by_role("link", name="Console").click()
    console.wait_for_url(re.compile(r"/console$"))
    ballot = console.url.removesuffix("/console")
    accessibility.check(console, "ballot console, draft")
    room.projector.goto(f"{assembly}/projector")
    wait_until_listening(room.projector)
    console.locator("form[action$='/console/open'] button[type=submit]").click()
    expect(room.projector.locator(".projector__question")).to_have_text(QUESTION)
    camera.shoot(console, "console-open")

    lea, bastien = room.phones[LEA], room.phones[BASTIEN]
    _session_url(lea, "Plénière d'ouverture", accessibility)
    _phone_check(lea, accessibility, "opening plenary on a phone")
    _vote(lea, ballot, "Pour", accessibility, camera)
    camera.shoot(lea, "lea-voted")
    _vote(bastien, ballot, "Contre", accessibility, camera)
    camera.shoot(bastien, "bastien-voted")
    expect(room.projector.locator(".projector__turnout strong")).to_have_text("2")
    accessibility.check(room.projector, "projector, ballot open")

    console.reload()
    console.locator("form[action$='/console/close'] button[type=submit]").click()
    console.wait_for_load_state()
    camera.shoot(console, "console-closed")
    console.locator("form[action$='/console/publish'] button[type=submit]").click()
    console.wait_for_load_state()
    camera.shoot(console, "console-published")
    _projector_reads_both_counts(room.projector)
    camera.shoot(room.projector, "projector-verdict")
    accessibility.check(room.projector, "projector, verdict")
    for phone in (lea, bastien):
        phone.goto(ballot)
        expect(phone.locator(".verdict")).to_have_text(re.compile("Rejetée"))
        lines = _rows(phone.locator(".network-count table").nth(1))
        assert [line[0] for line in lines] == COOPERATIVES, lines
        assert lines[0][1:] == ["33,3 %", "1", "Pour 0, Contre 1, Abstention 0"], lines  # L'Établi
        _phone_check(phone, accessibility, "network ballot, result")
    expect(lea.get_by_role("heading", name="Par coopérative", exact=True)).to_be_visible()
    camera.shoot(lea, "lea-result")
    assert accessibility.found == {}, accessibility.report()


@dataclass
class Atelier:
    """One atelier of the afternoon: its facilitator's console and a member's phone on its
    floor page."""

    title: str
    console: Page
    phone: Page
    speaker: str  # the member's first name, as the list shows it


def _open_floor(atelier: Atelier, accessibility: AccessibilityLog, camera: Camera) -> None:
    """Both reach the atelier's floor from its page in the programme, as they would; the
    facilitator first opens the session and puts its first item, the round of the table, under
    discussion (a speakers' list belongs to an item)."""
    console = atelier.console
    _session_url(console, atelier.title)
    console.get_by_role("button", name="Passer à : En séance").click()
    expect(console.locator("main")).to_contain_text("En séance")
    console.get_by_role("button", name="Aborder maintenant").first.click()
    expect(console.locator(".agenda-item--current")).to_contain_text("Tour de table")
    console.get_by_role("link", name="Console de la parole").click()
    atelier.console.wait_for_url(re.compile(r"/floor/console$"))
    expect(atelier.console.get_by_role("heading", level=1)).to_be_visible()
    wait_until_listening(atelier.console)
    _session_url(atelier.phone, atelier.title, accessibility)
    _phone_check(atelier.phone, accessibility, f"atelier page ({atelier.title})")
    camera.shoot(atelier.phone, f"atelier-page-{atelier.speaker}")
    atelier.phone.get_by_role("link", name="La parole", exact=True).click()
    atelier.phone.wait_for_url(re.compile(r"/floor$"))
    wait_until_listening(atelier.phone)
    _phone_check(atelier.phone, accessibility, f"atelier floor ({atelier.title})")


def _queue(page: Page) -> list[str]:
    return [
        " ".join(n.split())
        for n in page.locator(".floor-queue__entry > span:first-child").all_inner_texts()
    ]


def test_parallel_ateliers_each_run_their_own_floor(
    room: Room, accessibility: AccessibilityLog, camera: Camera
) -> None:
    second_console = room.console.context.new_page()
    ateliers = (
        Atelier("Gouvernance partagée", room.console, room.phones[HUGO], "Hugo"),
        Atelier("Lire les comptes d'une coopérative", second_console, room.phones[FARID], "Farid"),
    )
    for atelier in ateliers:
        _open_floor(atelier, accessibility, camera)
    # both are in session: « Suivre la séance » follows one assembly only, so at most one
    # atelier's page offers it; each offers its own floor
    follow = 0
    for atelier in ateliers:
        floor = atelier.phone.url
        atelier.phone.goto(floor.removesuffix("/floor"))
        follow += atelier.phone.get_by_role("link", name="Suivre la séance").count()
        expect(atelier.phone.get_by_role("link", name="La parole", exact=True)).to_be_visible()
        atelier.phone.goto(floor)
        wait_until_listening(atelier.phone)
    assert follow <= 1, "both ateliers lead to the same « now » page"
    camera.shoot(ateliers[0].phone, "atelier1-phone-floor")
    for atelier in ateliers:
        atelier.phone.get_by_role("button", name="Demander la parole").click()
        expect(atelier.phone.locator(".floor-phone__place")).to_be_visible()
        expect(atelier.console.locator(".floor-queue__entry")).to_have_count(1)
    for atelier, other in (ateliers, ateliers[::-1]):
        queue = _queue(atelier.console)
        assert atelier.speaker in queue[0], queue
        assert other.speaker not in " ".join(queue), queue
    accessibility.check(ateliers[0].console, "floor console")
    for n, atelier in enumerate(ateliers):
        atelier.console.get_by_role(
            "button", name=re.compile(f"^Donner la parole à {atelier.speaker}")
        ).click()
        expect(atelier.phone.locator(".floor-turn")).to_be_visible()
        _phone_check(atelier.phone, accessibility, f"my turn ({atelier.title})")
        camera.shoot(atelier.phone, f"atelier{n + 1}-phone-my-turn")
        camera.shoot(atelier.console, f"atelier{n + 1}-console-speaking")

    # a mood check in the first atelier: answered there, never seen in the second
    first, second = ateliers
    first.console.locator("#mood-question").fill("Prêt·es à rédiger la synthèse ?")
    first.console.locator("#mood-kind").select_option("colours")
    first.console.get_by_role("button", name="Lancer le sondage indicatif").click()
    expect(first.phone.locator(".mood__banner")).to_contain_text(NOT_A_VOTE)
    first.phone.get_by_role("button", name="Vert", exact=True).click()
    expect(first.phone.locator(".mood__choice--mine")).to_have_text("Vert")
    _phone_check(first.phone, accessibility, "mood check answered")
    camera.shoot(first.phone, "atelier1-phone-mood")
    expect(first.console.locator("#floor-console .mood__banner")).to_contain_text(NOT_A_VOTE)
    # (the console's launch form always carries the banner: the running check is elsewhere)
    for page, running in (
        (second.phone, ".mood__banner"),
        (second.console, "#floor-console .mood"),
    ):
        expect(page.locator(running)).to_have_count(0)
        page.reload()
        expect(page.locator("main")).not_to_contain_text("Prêt·es à rédiger la synthèse")
        expect(page.locator(running)).to_have_count(0)
    # each atelier's speaker is still its own, on its console
    for atelier in ateliers:
        expect(atelier.console.locator(".floor-now__name")).to_contain_text(atelier.speaker)
    _phone_check(second.phone, accessibility, "other atelier's floor, no mood check")
    camera.shoot(second.phone, "atelier2-phone-no-mood")
    camera.shoot(second.console, "atelier2-console-no-mood")
    assert accessibility.found == {}, accessibility.report()

"""The floor in real browsers (#19): three phones (390×844) ask for the floor, the facilitator
gives it in the balanced order (alternating by declared gender), the projector (1920×1080) shows
the speaker and the timer live; the discussion moves to an amendment with its own list and back;
a mood check runs, says on every surface that it is not a vote, and is absent from the
resolutions of the minutes."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.e2e.conftest import (
    FACILITATOR,
    MEMBERS,
    ORG,
    PHONE,
    PROJECTOR,
    Camera,
    new_context,
    sign_in_with_password,
    wait_until_listening,
)
from tests.e2e.floor_tasks import run
from tests.support.server import ServedApp

pytestmark = pytest.mark.slow

NOT_A_VOTE = "Sondage indicatif — ce n'est pas un vote"
# Léa and Inès declared "f", Hugo "h"; they ask in this order: Léa, Inès, Hugo
CATEGORIES = {MEMBERS[0]: "f", MEMBERS[1]: "h", MEMBERS[2]: "f"}
ASKING = (0, 2, 1)
SUBJECT = re.compile(r"Amendement n°\s2 à «\sCantine bio\s»")


@pytest.fixture
def room(browser: Browser, served_demo: ServedApp) -> Iterator[tuple[list[Page], Page, Page, int]]:
    assembly_id = run(served_demo, "balance", org=ORG, categories=CATEGORIES)["assembly_id"]
    url = served_demo.base_url
    contexts = [
        new_context(browser, url, size=PHONE, is_mobile=True, has_touch=True) for _ in MEMBERS
    ]
    contexts.append(new_context(browser, url, size={"width": 1280, "height": 900}))
    contexts.append(new_context(browser, url, size=PROJECTOR))
    pages = [context.new_page() for context in contexts]
    try:
        for page, email in zip(pages, [*MEMBERS, FACILITATOR, FACILITATOR], strict=True):
            sign_in_with_password(page, email)
        yield pages[:3], pages[3], pages[4], assembly_id
    finally:
        for context in contexts:
            context.close()


def _names(page: Page) -> list[str]:
    return [
        n.strip() for n in page.locator(".floor-queue__entry > span:first-child").all_inner_texts()
    ]


def test_three_phones_the_console_and_the_projector(
    room: tuple[list[Page], Page, Page, int], camera: Camera, served_demo: ServedApp
) -> None:
    phones, console, projector, assembly_id = room
    floor = f"/o/{ORG}/assemblies/{assembly_id}/floor"
    console.goto(f"{floor}/console")
    projector.goto(f"{floor}/projector")
    wait_until_listening(projector)
    wait_until_listening(console)
    for index in ASKING:
        phone = phones[index]
        phone.goto(floor)
        wait_until_listening(phone)
        phone.get_by_role("button", name="Demander la parole").click()
        expect(phone.locator(".floor-phone__place")).to_be_visible()
    camera.shoot(phones[2], "phone-waiting")
    # the console follows live: the balanced order alternates f, h, f
    expect(console.locator(".floor-queue__entry")).to_have_count(3)
    names = _names(console)
    assert "Léa" in names[0], names
    assert "Hugo" in names[1], names
    assert "Inès" in names[2], names
    camera.shoot(console, "console-queue")

    console.get_by_role("button", name=re.compile("^Donner la parole à Léa")).click()
    expect(phones[0].locator(".floor-turn")).to_be_visible()
    expect(phones[0].locator("[data-floor-timer]")).to_have_text(re.compile(r"^[0-9]:[0-9]{2}$"))
    expect(projector.locator(".floor-projector__speaker")).to_contain_text("Léa")
    expect(projector.locator("[data-floor-timer]")).to_be_visible()
    expect(projector.locator(".floor-projector__next li").first).to_contain_text("Hugo")
    expect(phones[1].locator(".floor-phone__place")).to_contain_text("prochain")
    camera.shoot(phones[0], "phone-my-turn")
    camera.shoot(projector, "projector-speaker")

    console.get_by_role("button", name=re.compile("^Donner la parole à Hugo")).click()
    expect(projector.locator(".floor-projector__speaker")).to_contain_text("Hugo")
    expect(phones[1].locator(".floor-turn")).to_be_visible()

    # the discussion moves to an amendment: its own list, said in words on the three surfaces,
    # phones follow without a reload; the item's list waits as it was
    amendment_id = run(served_demo, "amendments", org=ORG, author=MEMBERS[1], title="Cantine bio")[
        "amendment_ids"
    ][1]
    console.reload()
    wait_until_listening(console)
    console.locator("#floor-subject-choice").select_option(f"a{amendment_id}")
    console.get_by_role("button", name="Mettre en discussion").click()
    for page in (*phones, console, projector):
        expect(page.locator("[data-floor-subject]")).to_contain_text(SUBJECT)
    expect(projector.locator(".floor-projector__speaker")).to_contain_text("Personne")
    expect(phones[1].locator(".floor-turn")).to_have_count(0)
    phones[2].get_by_role("button", name="Demander la parole").click()
    expect(phones[2].locator(".floor-phone__place")).to_contain_text("prochain")
    expect(console.locator(".floor-queue__entry")).to_have_count(1)
    assert "Inès" in _names(console)[0]
    camera.shoot(phones[2], "phone-amendment")
    camera.shoot(console, "console-amendment")
    camera.shoot(projector, "projector-amendment")
    console.locator("#floor-subject-choice").select_option("item")
    console.get_by_role("button", name="Mettre en discussion").click()
    expect(projector.locator(".floor-projector__speaker")).to_contain_text("Hugo")
    expect(projector.locator("[data-floor-subject]")).to_have_count(0)
    expect(phones[1].locator(".floor-turn")).to_be_visible()

    # a mood check: non-binding, said so on the three surfaces
    console.locator("#mood-question").fill("Prêt·es à passer au vote ?")
    console.locator("#mood-kind").select_option("colours")
    console.get_by_role("button", name="Lancer le sondage indicatif").click()
    for phone in phones:
        expect(phone.locator(".mood__banner")).to_contain_text(NOT_A_VOTE)
    expect(projector.locator(".mood__banner")).to_contain_text(NOT_A_VOTE)
    expect(console.locator("#floor-console .mood__banner")).to_contain_text(NOT_A_VOTE)
    for phone, colour in zip(phones, ("Vert", "Vert", "Orange"), strict=True):
        phone.get_by_role("button", name=colour, exact=True).click()
        expect(phone.locator(".mood__choice--mine")).to_have_text(colour)
    # the bars follow the counts carried by the stream, without a re-fetch
    expect(projector.locator('[data-mood-count="0"]')).to_have_text("2")
    expect(projector.locator('[data-mood-count="1"]')).to_have_text("1")
    camera.shoot(phones[0], "phone-mood")
    camera.shoot(console, "console-mood")
    camera.shoot(projector, "projector-mood")
    fits = projector.evaluate(
        "() => document.documentElement.scrollHeight <= innerHeight"
        " && document.documentElement.scrollWidth <= innerWidth"
    )
    assert fits, "the projector overflows 1920×1080"
    console.get_by_role("button", name="Clôturer le sondage indicatif").click()
    expect(phones[0].locator(".mood")).to_contain_text("Clôturé.")

    # the minutes: an annex, never a resolution
    console.goto(f"/o/{ORG}/assemblies/{assembly_id}/minutes")
    annex = console.locator(".mood-annex")
    expect(annex).to_contain_text(NOT_A_VOTE)
    expect(annex).to_contain_text("Prêt·es à passer au vote")
    resolutions = console.locator(".resolution").all_inner_texts()
    assert not any("Prêt·es à passer au vote" in text for text in resolutions)
    camera.shoot(console, "minutes-annex")

"""The ballot page on a phone (390×844, French) and the room's projector (1920×1080), as a member
and a hall would meet them (issue #17): every method's form works, a ranking shows its numbers,
people read labels and sentences (never internal keys, raw fractions or arrows where no order
exists), and the projector fits its screen at every state of a ballot.

Ballots are prepared through the services (``ballot_tasks``); what is checked is what a person
sees in the browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.e2e import ballot_tasks
from tests.e2e.ballot_helpers import PEOPLE, ballot_url, fits_the_screen, make
from tests.e2e.conftest import (
    ORG,
    PHONE,
    PROJECTOR,
    AccessibilityLog,
    Camera,
    new_context,
    signed_in_phone,
)
from tests.support.server import ServedApp

pytestmark = pytest.mark.slow

VOTERS = (
    "lea@demo.votes.invalid",
    "hugo@demo.votes.invalid",
    "ines@demo.votes.invalid",
    "noah@demo.votes.invalid",
    "jules@demo.votes.invalid",
)


@pytest.fixture
def phone(browser: Browser, served_demo: ServedApp) -> Iterator[Page]:
    with signed_in_phone(browser, served_demo, "manon@demo.votes.invalid") as page:
        yield page


# -- bug 1: an approval ballot without a maximum -------------------------------------------------


def test_approval_ballot_without_maximum_shows_its_form(
    phone: Page, served_demo: ServedApp, accessibility: AccessibilityLog, camera: Camera
) -> None:
    ballot_id = make(served_demo, "Qui rejoint le comité de suivi ?", "approval")
    response = phone.goto(ballot_url(ballot_id))
    assert response is not None
    assert response.status == 200
    for name in PEOPLE:
        expect(phone.get_by_label(name)).to_be_visible()
    phone.get_by_label(PEOPLE[0]).check()
    phone.get_by_label(PEOPLE[2]).check()
    phone.get_by_role("button", name="Continuer").click()
    expect(phone.locator(".review__choice")).to_contain_text(PEOPLE[2])
    camera.shoot(phone, "approval-review")
    phone.get_by_role("button", name="Confirmer mon vote").click()
    expect(phone.get_by_role("heading", name="Vote enregistré")).to_be_visible()
    accessibility.check(phone, "approval ballot, voted")
    assert not accessibility.found, accessibility.report()


# -- bug 5: ranks are numbered while ranking and on review --------------------------------------


def test_ranking_shows_rank_numbers_and_review_reads_cleanly(
    phone: Page, served_demo: ServedApp, accessibility: AccessibilityLog, camera: Camera
) -> None:
    ballot_id = make(served_demo, "Qui représente la coopérative ?", "irv")
    phone.goto(ballot_url(ballot_id))
    phone.get_by_role("button", name=PEOPLE[2]).click()
    phone.get_by_role("button", name=PEOPLE[0]).click()
    ranking = phone.locator("ol.ranking > li")
    expect(ranking).to_have_count(2)
    # the number is on screen, not only in a marker the layout hides
    assert re.match(r"^\s*1\b", ranking.nth(0).inner_text()), ranking.nth(0).inner_text()
    assert re.match(r"^\s*2\b", ranking.nth(1).inner_text()), ranking.nth(1).inner_text()
    assert ranking.nth(0).locator(".ranking__rank").is_visible()
    camera.shoot(phone, "ranking")
    accessibility.check(phone, "ranking in progress")
    phone.get_by_role("button", name="Continuer").click()
    lines = phone.locator(".review__choice li")
    expect(lines).to_have_count(2)
    expect(lines.nth(0)).to_have_text(f"1. {PEOPLE[2]}")
    # no bullet before an already numbered line (« • 1. Aïcha »)
    styles = lines.evaluate_all(
        "items => items.map(i => getComputedStyle(i).display === 'list-item'"
        " && getComputedStyle(i).listStyleType !== 'none')"
    )
    assert styles == [False, False], "a bullet is drawn before each numbered line"
    camera.shoot(phone, "ranking-review")
    assert not accessibility.found, accessibility.report()


# -- the ballot page carries the motion, and tells its result in words ----------------------------


def test_ballot_page_carries_the_motion_and_its_result_in_words(
    phone: Page, served_demo: ServedApp, accessibility: AccessibilityLog, camera: Camera
) -> None:
    ballot_id = make(served_demo, "Adopter la résolution amendée ?", "majority", motion=True)
    phone.goto(ballot_url(ballot_id))
    motion = phone.locator("details.motion")
    expect(motion.locator("summary")).to_contain_text("Lire le texte soumis au vote")
    expect(phone.get_by_role("button", name="Pour")).to_be_in_viewport()  # answers stay in view
    motion.locator("summary").click()
    expect(motion.locator(".motion__text")).to_be_visible()
    expect(motion.locator(".motion__amendments li").first).to_contain_text("Amendement n°")
    expect(motion.locator(".motion__amendments .badge").first).to_be_visible()
    accessibility.check(phone, "ballot with its motion")
    camera.shoot(phone, "motion-open")
    ballot_tasks.run(served_demo, "close", ballot=ballot_id, publish=True)
    phone.goto(ballot_url(ballot_id))
    expect(phone.locator(".in-words")).to_contain_text("voix pour")
    expect(phone.locator(".in-words")).to_contain_text("il en fallait")
    camera.shoot(phone, "motion-result")
    assert not accessibility.found, accessibility.report()


# -- bug 10: keys, fractions, arrows, stale badges, lost codes, the 404 header ---------------------


def test_results_speak_in_labels_never_keys(
    phone: Page, served_demo: ServedApp, accessibility: AccessibilityLog, camera: Camera
) -> None:
    rankings = (["o1", "o2", "o3"], ["o1", "o3", "o2"], ["o2", "o1", "o3"])
    votes = dict(zip(VOTERS, rankings, strict=False))
    ballot_id = make(
        served_demo, "Ordre de passage", "schulze", votes=votes, close=True, publish=True
    )
    phone.goto(ballot_url(ballot_id))
    result = phone.locator("section.result")
    expect(result).to_contain_text(f"{PEOPLE[0]} > {PEOPLE[1]} > {PEOPLE[2]}")
    assert not re.search(r"\bo\d\b", result.inner_text()), result.inner_text()
    accessibility.check(phone, "Condorcet result")
    camera.shoot(phone, "condorcet-result")
    blt = phone.request.get(f"{ballot_url(ballot_id)}/result.blt").text()
    assert f'"{PEOPLE[0]}"' in blt, blt
    assert '"o1"' not in blt, blt

    public = make(
        served_demo,
        "Adopter le budget",
        "majority",
        votes={VOTERS[0]: "yes", VOTERS[1]: "no", VOTERS[2]: "abstain"},
        close=True,
        publish=True,
    )
    phone.goto(ballot_url(public))
    phone.locator("details", has_text="Liste des votes").locator("summary").click()
    roll = phone.locator("details", has_text="Liste des votes")
    expect(roll).to_contain_text("Léa Dubois : Pour")
    assert not re.search(r"\b(yes|no|abstain|blank)\b", roll.inner_text()), roll.inner_text()
    camera.shoot(phone, "roll-call")

    stv = make(
        served_demo,
        "Élire deux délégué·es",
        "stv",
        options=(*PEOPLE, "Denis Roy"),
        seats=2,
        votes={
            VOTERS[0]: ["o1", "o2"],
            VOTERS[1]: ["o1", "o3"],
            VOTERS[2]: ["o1", "o4"],
            VOTERS[3]: ["o2"],
            VOTERS[4]: ["o3"],
        },
        close=True,
        publish=True,
    )
    phone.goto(ballot_url(stv))
    accessibility.check(phone, "STV result")
    camera.shoot(phone, "stv-result")
    csv = phone.request.get(f"{ballot_url(stv)}/result.csv").text()
    assert not re.search(r"\d+/\d+", csv), csv
    assert not accessibility.found, accessibility.report()


def test_approval_vote_is_read_back_without_arrows(
    phone: Page, served_demo: ServedApp, camera: Camera
) -> None:
    ballot_id = make(served_demo, "Quelles dates retenir ?", "approval", secret=True)
    phone.goto(ballot_url(ballot_id))
    phone.get_by_label(PEOPLE[0]).check()
    phone.get_by_label(PEOPLE[1]).check()
    phone.get_by_role("button", name="Continuer").click()
    phone.get_by_role("button", name="Confirmer mon vote").click()
    receipt = phone.locator(".receipt").inner_text()
    ballot_tasks.run(served_demo, "close", ballot=ballot_id, publish=True)
    phone.goto(f"/o/{ORG}/my-votes")
    phone.locator("#receipt-check input[name=receipt]").fill(receipt)
    phone.locator("#receipt-check button[type=submit]").click()
    check = phone.locator("#receipt-check")
    expect(check).to_contain_text(PEOPLE[1])
    assert ">" not in check.inner_text(), check.inner_text()
    camera.shoot(phone, "my-votes-approval")


def test_vote_refused_after_the_close_no_longer_says_open(
    phone: Page, served_demo: ServedApp, camera: Camera
) -> None:
    ballot_id = make(served_demo, "Reporter la séance ?", "majority")
    phone.goto(ballot_url(ballot_id))
    expect(phone.locator(".ballot-facts .badge")).to_have_text("Ouvert")
    phone.get_by_role("button", name="Pour").click()
    expect(phone.get_by_role("button", name="Confirmer mon vote")).to_be_visible()
    ballot_tasks.run(served_demo, "close", ballot=ballot_id)
    phone.get_by_role("button", name="Confirmer mon vote").click()
    expect(phone.get_by_text("ce scrutin est clos", exact=False).first).to_be_visible()
    expect(phone.locator(".ballot-facts .badge").first).not_to_have_text("Ouvert")
    expect(phone.locator(".ballot-facts .badge").first).to_have_text("Clos")
    camera.shoot(phone, "refused-after-close")


def test_wrong_access_code_keeps_what_was_typed(browser: Browser, served_demo: ServedApp) -> None:
    context = new_context(browser, served_demo.base_url, size=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto("/code")
    page.get_by_label("Votre code d'accès").fill("ABCDE-FGH24")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator(".field-error")).to_be_visible()
    expect(page.get_by_label("Votre code d'accès")).to_have_value("ABCDE-FGH24")
    context.close()


def test_not_found_page_does_not_offer_sign_in_to_a_signed_in_person(phone: Page) -> None:
    for address in ("/nulle-part", f"{ballot_url(999999)}"):
        response = phone.goto(address)
        assert response is not None
        assert response.status == 404
        expect(phone.get_by_role("heading", name="Page introuvable")).to_be_visible()
        expect(phone.get_by_role("link", name="Se connecter")).to_have_count(0)


# -- a ballot page announces its opening ----------------------------------------------------------


def test_ballot_page_announces_its_opening(
    phone: Page, projector: Page, served_demo: ServedApp, camera: Camera
) -> None:
    """A member waits on the ballot's own page (a link shared before the vote): when the
    facilitator opens it, the form arrives without a reload and the live region says so."""
    ballot_id = make(served_demo, "Ouvrir un second local ?", "majority", draft=True)
    phone.goto(ballot_url(ballot_id))
    expect(phone.get_by_text("pas encore ouvert", exact=False)).to_be_visible()
    phone.wait_for_function("window.__votesLive === true")
    phone.evaluate("window.__mark = 'same'")
    facilitator = projector  # the facilitator's own browser opens it from the console
    facilitator.goto(f"{ballot_url(ballot_id)}/console")
    facilitator.locator("form[action$='/console/open'] button[type=submit]").click()
    expect(phone.get_by_role("button", name="Pour")).to_be_visible()
    assert phone.evaluate("window.__mark") == "same", "the page reloaded"
    region = phone.locator("[aria-live]").filter(has_text="ouvert")
    expect(region).to_have_count(1)
    expect(region).to_contain_text("Le scrutin est ouvert")
    camera.shoot(phone, "opened-in-place")


# -- bug 6 and the projector theme: every state fits 1920×1080 ------------------------------------


# measured in one turn of the page's script: the live part is re-fetched every few seconds, and
# an element read between two Playwright calls may be gone by the second (CI saw a None box)
JOIN_GEOMETRY = """() => {
  const join = document.querySelector('.projector__join');
  const code = join && join.querySelector('svg path');  // the code itself, not only its box
  const address = join && join.querySelector('.projector__address');
  if (!join || !code || !address) return null;
  const box = join.getBoundingClientRect(), qr = code.getBoundingClientRect();
  const inside = address.getBoundingClientRect();
  return {
    centre: box.x + box.width / 2,
    qrCentre: qr.x + qr.width / 2,
    cut: address.scrollWidth > address.clientWidth + 1,
    right: inside.x + inside.width,
  };
}"""


def join_block_is_whole(page: Page) -> None:
    expect(page.locator(".projector__join")).to_be_visible()
    geometry = page.evaluate(JOIN_GEOMETRY)
    assert geometry is not None, "the join block has no QR code or no address"
    off = geometry["qrCentre"] - geometry["centre"]
    assert abs(off) <= 4, f"QR code off-centre by {off:.0f} px"
    assert not geometry["cut"], "the voting address is cut"
    assert geometry["right"] <= PROJECTOR["width"], "the voting address is cut"


def test_projector_fits_1080_at_every_state(
    projector: Page, served_demo: ServedApp, accessibility: AccessibilityLog, camera: Camera
) -> None:
    ballot_tasks.run(served_demo, "clear", org=ORG)
    assembly = served_demo.task("assembly_of", org=ORG)["assembly"]
    screen = f"/o/{ORG}/assemblies/{assembly}/projector"

    ballot_id = make(served_demo, "Approuver les comptes de l'exercice 2025 ?", "majority")
    projector.goto(screen)
    expect(projector.locator(".projector__question")).to_contain_text("Approuver les comptes")
    # read on the element on screen now: the live part may be re-fetched meanwhile
    size = projector.evaluate(
        "() => { const b = document.querySelector('.quorum-banner');"
        " return b ? parseFloat(getComputedStyle(b).fontSize) : null; }"
    )
    assert size is None or size >= 24, f"the quorum banner is {size} px on a 1920 px screen"
    fits_the_screen(projector, "open")
    join_block_is_whole(projector)
    accessibility.check(projector, "projector, open")
    camera.shoot(projector, "open")

    ballot_tasks.run(served_demo, "close", ballot=ballot_id)
    projector.goto(screen)
    expect(projector.locator(".projector__question")).to_contain_text("Approuver les comptes")
    expect(projector.locator("body")).not_to_contain_text("Pas encore de scrutin")
    expect(projector.locator(".projector__status")).to_contain_text("clos")
    fits_the_screen(projector, "counting")
    accessibility.check(projector, "projector, closed")
    camera.shoot(projector, "counting")

    published = make(
        served_demo,
        "Affecter le résultat aux réserves impartageables ?",
        "majority",
        votes={VOTERS[0]: "yes", VOTERS[1]: "yes", VOTERS[2]: "no", VOTERS[3]: "abstain"},
        close=True,
        publish=True,
    )
    assert published
    projector.goto(screen)
    expect(projector.locator(".verdict")).to_be_visible()
    fills = projector.locator(".chart__bar").evaluate_all(
        "bars => bars.map(b => getComputedStyle(b).fill)"
    )
    assert len(set(fills)) == len(fills), f"bars share a colour: {fills}"
    fits_the_screen(projector, "majority result")
    accessibility.check(projector, "projector, majority result")
    camera.shoot(projector, "result-majority")

    make(
        served_demo,
        "Élire le conseil coopératif",
        "stv",
        options=(*PEOPLE, "Denis Roy", "Élise Fabre", "Farid Haddad"),
        seats=3,
        votes={
            VOTERS[0]: ["o1", "o2", "o3"],
            VOTERS[1]: ["o1", "o3"],
            VOTERS[2]: ["o4", "o5", "o6"],
            VOTERS[3]: ["o2", "o6"],
            VOTERS[4]: ["o5", "o1"],
        },
        close=True,
        publish=True,
    )
    projector.goto(screen)
    expect(projector.locator(".verdict")).to_be_visible()
    fits_the_screen(projector, "STV result")
    camera.shoot(projector, "result-stv")
    assert not accessibility.found, accessibility.report()

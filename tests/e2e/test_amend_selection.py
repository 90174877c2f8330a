"""Amending what one reads, on a phone: a member selects words on the rendered proposal, the
"Amend this passage" button opens the amendment form with that passage as written in the
Markdown source (bold marks included), and the amendment then reads as rendered text."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect
from tests.e2e.conftest import (
    ORG,
    PHONE,
    AccessibilityLog,
    Camera,
    new_context,
    sign_in_with_password,
)
from tests.support.server import ServedApp

pytestmark = pytest.mark.slow

SELECT_WORDS = """() => {
    const strong = [...document.querySelectorAll('.proposal .prose strong')]
        .find((element) => element.textContent === 'deux jours');
    const range = document.createRange();
    range.setStart(strong.firstChild, 0);
    range.setEnd(strong.nextSibling, ' par semaine'.length);
    const selection = document.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return selection.toString();
}"""


def test_a_member_amends_a_passage_selected_on_the_rendered_text(
    browser: Browser, served_demo: ServedApp, camera: Camera, accessibility: AccessibilityLog
) -> None:
    context = new_context(browser, served_demo.base_url, size=PHONE)
    page = context.new_page()
    try:
        sign_in_with_password(page, "ines@demo.votes.invalid")
        page.goto(f"/o/{ORG}/proposals?q=t%C3%A9l%C3%A9travail")
        page.get_by_role("link", name="Charte du télétravail").first.click()
        expect(page.get_by_text("sélectionnez les mots à changer")).to_be_visible()
        proposal_url = page.url
        button = page.get_by_role("link", name="Amender ce passage")
        expect(button).to_be_hidden()
        assert page.evaluate(SELECT_WORDS) == "deux jours par semaine"
        expect(button).to_be_visible()
        camera.shoot(page, "selection-offers-to-amend")
        accessibility.check(page, "proposal with a selection")
        button.click()

        page.wait_for_url(re.compile(r"/amendments/new\?selected="))
        # the passage as written, bold marks included: what the service finds in the source
        expect(page.locator("#amendment-passage")).to_have_value("**deux jours** par semaine")
        expect(page.locator("#amendment-text")).to_have_value("**deux jours** par semaine")
        camera.shoot(page, "form-filled-from-the-selection")
        page.locator("#amendment-text").fill("**quatre jours** par semaine")
        with page.expect_response(re.compile(r"/amendments$")) as sent:
            page.get_by_role("button", name="Proposer l'amendement").click()
        assert sent.value.status < 400
        # htmx follows the answer's HX-Redirect to the new amendment on the proposal's page;
        # waiting for that navigation (not starting another) keeps the two from racing
        page.wait_for_url(re.compile(re.escape(proposal_url) + r"#amendment-\d+$"))
        amendment = page.locator("article.amendment").last
        expect(amendment.locator(".diff strong del")).to_have_text("deux")
        expect(amendment.locator(".diff strong ins")).to_have_text("quatre")
        assert "**" not in amendment.locator(".diff").inner_text()
        amendment.scroll_into_view_if_needed()
        camera.shoot(page, "amendment-reads-as-rendered-text")
        accessibility.check(page, "proposal with the new amendment")
        assert not accessibility.found, accessibility.report()
    finally:
        if camera.failed():
            camera.shoot(page, "at-failure")
        context.close()

"""Voting without a mouse or a touch screen, in English: a member who uses the keyboard (or a
switch device, or a screen reader's virtual cursor) hears the ballot open, reaches it with Tab
and votes with Enter. axe-core checks each page in English too (the plenary test covers French).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.e2e.conftest import (
    ORG,
    PHONE,
    AccessibilityLog,
    Camera,
    close_and_publish,
    console_action,
    new_context,
    prepare_majority,
    wait_until_listening,
)
from tests.support.server import ServedApp

pytestmark = pytest.mark.slow

MAX_TABS = 60  # more Tab presses than this to reach the control is a failure in itself


def focused(page: Page) -> dict[str, str]:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || '').trim(),
                    label: el.getAttribute('aria-label') || ''};
        }"""
    )


def tab_to(page: Page, name: re.Pattern[str]) -> int:
    """Press Tab until the focused control's text matches; return how many presses it took."""
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        now = focused(page)
        if name.search(now["text"]) or name.search(now["label"]):
            return presses
    raise AssertionError(f"{name.pattern!r} cannot be reached with the Tab key")


@pytest.fixture
def member(browser: Browser, served_demo: ServedApp) -> Any:
    code = served_demo.task("codes", org=ORG, emails=["noah@demo.votes.invalid"])
    context = new_context(browser, served_demo.base_url, size=PHONE, locale="en-GB")
    page = context.new_page()
    page.goto("/code")  # in English: the browser asks for it
    page.get_by_label("Your access code").fill(code["noah@demo.votes.invalid"])
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/o/{ORG}/$"))
    # the member's choice wins over the cooperative's French (the switch is offered only when
    # the page is in another language)
    switch = page.get_by_role("button", name="English")
    if switch.count():
        switch.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    yield page
    context.close()


def test_a_member_votes_with_the_keyboard_alone_in_english(
    member: Page,
    facilitator: Page,
    served_demo: ServedApp,
    accessibility: AccessibilityLog,
    camera: Camera,
) -> None:
    question = "Do we publish the rehearsal's minutes online?"
    prepare_majority(facilitator, served_demo, question)

    member.goto(f"/o/{ORG}/vote")
    region = member.locator("[aria-live]").filter(has=member.locator("#vote-area"))
    expect(region).to_have_count(1)
    member.evaluate("window.__region = document.querySelector('[aria-live]')")
    accessibility.check(member, "vote list (en)")
    wait_until_listening(member)
    console_action(facilitator, "open")

    # announced: the new ballot is inserted into the live region that was already there
    expect(region.get_by_role("link", name=question)).to_be_visible()
    assert member.evaluate("document.querySelector('[aria-live]') === window.__region")
    camera.shoot(member, "announced")

    # the first Tab stop skips the navigation; then the ballot is reachable and opens with Enter
    member.locator("body").focus()
    member.keyboard.press("Tab")
    assert focused(member)["text"] == "Skip to content"
    tab_to(member, re.compile(re.escape(question)))
    member.keyboard.press("Enter")
    expect(member.get_by_role("heading", level=1)).to_have_text(question)
    accessibility.check(member, "ballot form (en)")

    # a majority ballot's answers are worded when it is prepared, in the facilitator's language
    tab_to(member, re.compile(r"^(For|Pour)$"))
    member.keyboard.press("Enter")
    expect(member.get_by_role("heading", name="Please check your vote")).to_be_visible()
    accessibility.check(member, "review (en)")
    camera.shoot(member, "review")

    tab_to(member, re.compile(r"^Confirm my vote$"))
    member.keyboard.press("Enter")
    expect(member.get_by_role("status").filter(has_text="Vote recorded")).to_be_visible()
    accessibility.check(member, "vote recorded (en)")
    camera.shoot(member, "recorded")

    close_and_publish(facilitator)
    expect(member.locator(".verdict")).to_be_visible()
    accessibility.check(member, "result (en)")
    assert accessibility.found == {}, accessibility.report()

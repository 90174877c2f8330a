"""The members' "now" page in a real browser: a contribution posted on one phone reaches the
others without a reload, each phone re-fetching a moment later than the signal (the room's
phones do not all ask at the same second), while the stream itself stays open."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.e2e.conftest import (
    FACILITATOR,
    MEMBERS,
    ORG,
    PHONE,
    new_context,
    sign_in_with_password,
    wait_until_listening,
)
from tests.support.server import ServedApp

pytestmark = pytest.mark.slow

# every phone draws the longest wait there is (live.js waits Math.random() × 2.5 s), so the
# re-fetch provably waited: a timer never fires early, however busy the machine
LATEST_DRAW = "Math.random = () => 0.999;"
WAITED_AT_LEAST_MS = 2000
# what the page did, in order and in its own clock: each signal once handled, each re-fetch
# of #now as it leaves (with the signal that asked for it)
RECORDER = """
window.__nowLog = [];
document.addEventListener('htmx:sseMessage', (event) => {
  window.__nowLog.push({what: 'signal:' + event.detail.type, at: performance.now()});
});
document.addEventListener('htmx:beforeRequest', (event) => {
  if (event.detail.elt && event.detail.elt.id === 'now') {
    const trigger = event.detail.requestConfig.triggeringEvent;
    window.__nowLog.push({what: trigger ? trigger.type : 'poll', at: performance.now()});
  }
});
"""


@pytest.fixture
def phones(browser: Browser, served_demo: ServedApp) -> Iterator[tuple[Page, Page]]:
    contexts = [
        new_context(browser, served_demo.base_url, size=PHONE, is_mobile=True, has_touch=True)
        for _ in range(2)
    ]
    contexts[1].add_init_script(script=LATEST_DRAW + RECORDER)
    pages = [context.new_page() for context in contexts]
    try:
        for page, email in zip(pages, MEMBERS, strict=False):
            sign_in_with_password(page, email)
        yield pages[0], pages[1]
    finally:
        for context in contexts:
            context.close()


def test_a_contribution_reaches_the_other_phones_now_page_a_moment_later(
    phones: tuple[Page, Page],
) -> None:
    writer, reader = phones
    reader.goto(f"/o/{ORG}/now")
    expect(reader.locator("#now .thread-section")).to_be_visible()
    reader.evaluate("window.__sameDocument = true")
    wait_until_listening(reader)

    writer.goto(f"/o/{ORG}/now")
    form = writer.locator("#now form.contribution-form").first
    form.locator("input[name=stance][value=question]").check()
    words = "Contribution vue depuis un autre téléphone : quand vote-t-on ?"
    form.locator("textarea[name=body]").fill(words)
    form.get_by_role("button", name="Envoyer").click()
    expect(writer.get_by_text(words)).to_be_visible()

    expect(reader.locator("#now").get_by_text(words)).to_be_visible()
    assert reader.evaluate("window.__sameDocument") is True, "the page reloaded"
    log: list[dict[str, Any]] = reader.evaluate("window.__nowLog")
    signal = next(entry["at"] for entry in log if entry["what"] == "signal:thread")
    fetches = [entry["at"] for entry in log if entry["what"] == "sse:thread"]
    assert fetches, log
    assert all(at - signal >= WAITED_AT_LEAST_MS for at in fetches), log


def test_a_ballot_opening_still_reaches_the_now_page_at_once(
    browser: Browser, served_demo: ServedApp, phones: tuple[Page, Page]
) -> None:
    """Spreading is for what can wait: the ballot's signal re-fetches the page while it is
    being handled (before the extension reports it handled), not after a random wait."""
    _, reader = phones
    assembly_id = served_demo.task("assembly_of", org=ORG)["assembly"]
    context = new_context(browser, served_demo.base_url, size=PHONE)
    try:
        facilitator = context.new_page()
        sign_in_with_password(facilitator, FACILITATOR)
        facilitator.goto(f"/o/{ORG}/assemblies/{assembly_id}/ballots/new")
        question = "Ouvre-t-on la buvette pendant la pause ?"
        facilitator.locator("#question").fill(question)
        facilitator.locator("#method").select_option("majority")
        facilitator.get_by_role("button", name="Préparer le scrutin").click()
        facilitator.wait_for_url(re.compile(r"/console$"))

        reader.goto(f"/o/{ORG}/now")
        wait_until_listening(reader)
        facilitator.locator("form[action$='/console/open'] button[type=submit]").click()
        expect(reader.locator("#now").get_by_text(question)).to_be_visible()
    finally:
        context.close()
    log: list[dict[str, Any]] = reader.evaluate("window.__nowLog")
    order = [entry["what"] for entry in log if entry["what"] in ("sse:ballot", "signal:ballot")]
    assert order[:2] == ["sse:ballot", "signal:ballot"], log

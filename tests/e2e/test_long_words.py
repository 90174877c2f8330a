"""Long unbroken text wraps (QA walk): a 200-character title made the cooperative's home page
2,281 px wide on a 390 px phone and pushed the projector's QR code below the fold."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.e2e import ballot_tasks
from tests.e2e.ballot_helpers import ballot_url, fits_the_screen, make
from tests.e2e.conftest import ORG, PHONE, Camera, no_sideways_scroll, signed_in_phone
from tests.support.server import ServedApp

pytestmark = pytest.mark.slow

LONG = "Approuver" + "x" * 191  # 200 characters, no place to break


def test_a_long_unbroken_title_wraps_on_a_phone_and_on_the_projector(
    browser: Browser, projector: Page, served_demo: ServedApp, camera: Camera
) -> None:
    ballot_tasks.run(served_demo, "clear", org=ORG)
    ballot_id = make(served_demo, LONG, "majority")
    with signed_in_phone(browser, served_demo, "lea@demo.votes.invalid") as member_phone:
        for path, where in ((f"/o/{ORG}/", "home"), (ballot_url(ballot_id), "ballot")):
            member_phone.goto(path)
            expect(member_phone.get_by_text(LONG[:20]).first).to_be_visible()
            no_sideways_scroll(member_phone, where)
        camera.shoot(member_phone, "long-title-ballot")
    assembly = served_demo.task("assembly_of", org=ORG)["assembly"]
    projector.goto(f"/o/{ORG}/assemblies/{assembly}/projector")
    expect(projector.locator(".projector__question")).to_contain_text(LONG[:20])
    no_sideways_scroll(projector, "projector")
    fits_the_screen(projector, "open, long title")
    # the QR code stays whole on the screen (a locator check: the live part may be re-fetched)
    expect(projector.locator(".projector__join svg")).to_be_in_viewport(ratio=1)
    camera.shoot(projector, "long-title-projector")
    ballot_tasks.run(served_demo, "close", ballot=ballot_id, publish=True)
    # the minutes, on screen and as printed, carry the title on a phone too
    projector.set_viewport_size(PHONE)
    for tail in ("minutes", "minutes/print"):
        projector.goto(f"/o/{ORG}/assemblies/{assembly}/{tail}")
        expect(projector.get_by_text(LONG[:20]).first).to_be_visible()
        no_sideways_scroll(projector, tail)

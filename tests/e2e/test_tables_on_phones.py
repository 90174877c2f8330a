"""The administrator's tables on a phone read as one card a row, each value named by its
column: the register, the access codes and the outbox were squeezed to one word a line."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from tests.e2e.conftest import ORG, PHONE, Camera, no_sideways_scroll, signed_in_page
from tests.support.server import ServedApp

pytestmark = pytest.mark.slow

ADMIN = "camille@demo.votes.invalid"


@pytest.mark.parametrize(
    ("path", "labelled", "shows"),
    [
        ("members/", "E-mail", "camille@demo.votes.invalid"),
        ("members/codes", "Code actuel", "valable jusqu"),
        ("mail/", "À", "@demo.votes.invalid"),
    ],
)
def test_each_row_is_a_card_as_wide_as_the_screen(
    browser: Browser, served_demo: ServedApp, camera: Camera, path: str, labelled: str, shows: str
) -> None:
    with signed_in_page(browser, served_demo.base_url, ADMIN, size=PHONE) as page:
        page.goto(f"/o/{ORG}/{path}")
        cell = page.locator(f"td[data-label='{labelled}']").first
        expect(cell).to_contain_text(shows)
        label = cell.evaluate("e => getComputedStyle(e, '::before').content")
        assert labelled in label  # the column's name stands before the value
        box = cell.bounding_box()
        assert box is not None
        assert box["width"] > 0.7 * PHONE["width"], box
        no_sideways_scroll(page, path)
        camera.shoot(page, path.strip("/").replace("/", "-"))

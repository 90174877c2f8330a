"""Ballots of the demo for the phone and projector tests: made through ``ballot_tasks``, found
at their page, and a projector page that must fit its screen."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page
from tests.e2e import ballot_tasks
from tests.e2e.conftest import ORG, PROJECTOR
from tests.support.server import ServedApp

PEOPLE = ("Aïcha Diallo", "Bertrand Morel", "Chloé Vasseur")


def make(app: ServedApp, question: str, method: str, **extra: Any) -> int:
    """A ballot of the demo on `app`, prepared through the services: its id."""
    options = extra.pop(
        "options", ("Pour", "Contre", "Abstention") if method == "majority" else PEOPLE
    )
    answer = ballot_tasks.run(
        app, "ballot", org=ORG, question=question, method=method, options=list(options), **extra
    )
    return int(answer["ballot"])


def ballot_url(ballot_id: int) -> str:
    return f"/o/{ORG}/ballots/{ballot_id}"


def fits_the_screen(page: Page, state: str) -> None:
    height = page.evaluate("document.documentElement.scrollHeight")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert height <= PROJECTOR["height"], f"{state}: {height} px tall on a 1080 px screen"
    assert width <= PROJECTOR["width"], f"{state}: {width} px wide on a 1920 px screen"

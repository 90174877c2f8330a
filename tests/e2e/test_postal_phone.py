"""A member who cannot come votes by correspondence from their phone (#18): the assembly page
links to the form, the answer is saved and changed, and once the assembly has voted the result
shows the room and the correspondence apart."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from tests.e2e.conftest import MEMBERS, ORG, PHONE, Camera, new_context, sign_in_with_password
from tests.support.server import ServedApp

pytestmark = pytest.mark.slow

TASKS = "tests.e2e.postal_tasks"


def test_a_member_votes_by_correspondence_from_a_phone_and_the_result_shows_the_channel(
    browser: Browser, served_demo: ServedApp, camera: Camera
) -> None:
    question = "Approuvez-vous les comptes de l’exercice ?"
    prepared = served_demo.task("convened", tasks=TASKS, org=ORG, question=question)
    context = new_context(browser, served_demo.base_url, size=PHONE)
    phone = context.new_page()
    sign_in_with_password(phone, MEMBERS[0])
    phone.goto(f"/o/{ORG}/assemblies/{prepared['assembly']}")
    phone.get_by_role("link", name="Voter par correspondance").click()
    expect(phone.get_by_role("group", name=question)).to_be_visible()
    phone.get_by_label("Contre").check()
    phone.get_by_role("button", name="Enregistrer mes réponses").click()
    expect(phone.get_by_text("Vos réponses sont enregistrées")).to_be_visible()
    expect(phone.get_by_text("Votre réponse\u00a0: Contre")).to_be_visible()
    phone.get_by_label("Pour").check()  # changed before the deadline: the latest counts
    phone.get_by_role("button", name="Enregistrer mes réponses").click()
    expect(phone.get_by_text("Votre réponse\u00a0: Pour")).to_be_visible()
    camera.shoot(phone, "postal-form")
    served_demo.task(
        "held",
        tasks=TASKS,
        org=ORG,
        assembly=prepared["assembly"],
        ballot=prepared["ballot"],
        present=[MEMBERS[1], MEMBERS[2]],
    )
    phone.goto(f"/o/{ORG}/ballots/{prepared['ballot']}")
    table = phone.get_by_role("table", name="Votes en séance et par correspondance")
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name="Pour 2 1 3")).to_be_visible()
    context.close()

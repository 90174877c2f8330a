"""A phone passed from hand to hand (#15): receipts kept in the browser belong to the person
who voted, not to the device. Léa votes in a secret ballot and sees her receipt among her
votes; she signs out and hands the phone to Hugo, who sees none of her receipts, on any page,
and whose browser storage holds none of them either."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.e2e.conftest import (
    FACILITATOR,
    LAPTOP,
    MEMBERS,
    ORG,
    PHONE,
    Camera,
    console_action,
    new_context,
    sign_in_with_password,
)
from tests.support.server import ServedApp

pytestmark = pytest.mark.slow


def _secret_ballot(facilitator: Page, served_demo: ServedApp, question: str) -> int:
    assembly = served_demo.task("assembly_of", org=ORG)["assembly"]
    facilitator.goto(f"/o/{ORG}/assemblies/{assembly}/ballots/new")
    facilitator.locator("#question").fill(question)
    facilitator.locator("#method").select_option("majority")
    facilitator.locator("input[name=secret]").check()
    facilitator.locator("input[name=allow_change]").check()
    facilitator.locator("form.form button[type=submit]").last.click()
    facilitator.wait_for_url(re.compile(r"/console$"))
    found = re.search(r"/ballots/(\d+)/console$", facilitator.url)
    assert found is not None
    console_action(facilitator, "open")
    return int(found.group(1))


def _vote(phone: Page, ballot_id: int) -> str:
    phone.goto(f"/o/{ORG}/ballots/{ballot_id}")
    phone.get_by_role("button", name="Pour", exact=True).click()
    phone.get_by_role("button", name="Confirmer mon vote").click()
    receipt = phone.locator("[data-receipt-code]")
    expect(receipt).to_be_visible()
    return str(receipt.inner_text()).strip()


def _sign_out(phone: Page) -> None:
    phone.get_by_role("button", name="Se déconnecter").click()
    phone.wait_for_load_state()


def test_the_next_person_on_a_shared_phone_sees_none_of_the_first_ones_receipts(
    browser: Browser, served_demo: ServedApp, camera: Camera
) -> None:
    laptop = new_context(browser, served_demo.base_url, size=LAPTOP)
    facilitator = laptop.new_page()
    sign_in_with_password(facilitator, FACILITATOR)
    ballot_id = _secret_ballot(facilitator, served_demo, "Vote secret sur un téléphone partagé ?")

    shared = new_context(browser, served_demo.base_url, size=PHONE)
    phone = shared.new_page()
    sign_in_with_password(phone, MEMBERS[0])
    lea_receipt = _vote(phone, ballot_id)
    phone.goto(f"/o/{ORG}/my-votes")
    expect(phone.locator("#local-receipts")).to_contain_text(lea_receipt)  # kept for Léa
    camera.shoot(phone, "lea-my-votes")
    _sign_out(phone)

    sign_in_with_password(phone, MEMBERS[1])
    for path in (f"/o/{ORG}/my-votes", f"/o/{ORG}/ballots/{ballot_id}"):
        phone.goto(path)
        phone.wait_for_load_state("networkidle")
        expect(phone.locator("body")).not_to_contain_text(lea_receipt)
    camera.shoot(phone, "hugo-my-votes")
    hugo_receipt = _vote(phone, ballot_id)
    assert hugo_receipt != lea_receipt
    phone.goto(f"/o/{ORG}/my-votes")
    expect(phone.locator("#local-receipts")).to_contain_text(hugo_receipt)
    expect(phone.locator("body")).not_to_contain_text(lea_receipt)
    stored = phone.evaluate("JSON.stringify(Object.assign({}, window.localStorage))")
    assert lea_receipt not in stored
    camera.shoot(phone, "hugo-voted")

    # Hugo forgets to sign out: Léa, back on the phone, sees nothing of his either
    phone.context.clear_cookies()
    sign_in_with_password(phone, MEMBERS[0])
    phone.goto(f"/o/{ORG}/my-votes")
    phone.wait_for_load_state("networkidle")
    expect(phone.locator("body")).not_to_contain_text(hugo_receipt)
    assert hugo_receipt not in phone.evaluate(
        "JSON.stringify(Object.assign({}, window.localStorage))"
    )
    shared.close()
    laptop.close()

"""Signing in at the door with a personal access code, and the rest of signing in: throttling,
changing a password, signing out everywhere."""

from __future__ import annotations

import html
import re
import uuid

import httpx
from tests.support.factories import PASSWORD, administered_with_member, new_ballot
from tests.support.keys import SECRET_KEY
from tests.support.refusals import refusal_code
from tests.web.access_code_helpers import issue_a_sheet
from tests.web.helpers import csrf_token, sign_in

from votes.db.tables import AccessCode, LoginSession, Person
from votes.services import access_codes, accounts, organisations
from votes.services.access_codes import IssuedCode
from votes.services.actors import actor_for


async def _nadia_with_a_code() -> tuple[str, int, str, int, IssuedCode]:
    """A cooperative, its administrator, and Nadia with a fresh access code: (short name,
    organisation id, administrator's email, Nadia's membership id, her code)."""
    short_name, organisation_id, admin_email, _, membership_id = await administered_with_member(
        "Porte", "Nadia"
    )
    [issued] = await access_codes.issue_codes(
        await actor_for(organisation_id), [membership_id], secret_key=SECRET_KEY
    )
    return short_name, organisation_id, admin_email, membership_id, issued


async def test_admin_prints_a_sheet_and_a_member_signs_in_by_typing_the_code(
    client: httpx.AsyncClient,
) -> None:
    short_name, _, _, _membership_id, token, issued = await issue_a_sheet(client)
    assert issued.status_code == 303  # a reload of the sheet prints it again, never reissues
    sheet = await client.get(issued.headers["location"], headers={"Accept-Language": "fr"})
    assert sheet.status_code == 200
    assert 'src="data:image/svg+xml' in sheet.text  # a QR code drawn on the server
    code = re.search(r'class="code-card__code">([A-Z0-9]{5}-[A-Z0-9]{5})<', sheet.text).group(1)  # type: ignore[union-attr]
    csv_response = await client.post(
        f"/o/{short_name}/members/codes/csv",
        data={
            "_csrf_token": token,
            "row": re.search(r'name="row" value="([^"]+)"', sheet.text).group(1),  # type: ignore[union-attr]
        },
    )
    assert csv_response.status_code == 200  # a download, not a "201 Created"
    assert code in csv_response.content.decode("utf-8-sig")

    async with httpx.AsyncClient(transport=client._transport, base_url=client.base_url) as phone:
        form_token = await csrf_token(phone, "/code")
        response = await phone.post(
            "/code", data={"_csrf_token": form_token, "code": code.lower().replace("-", " ")}
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"/o/{short_name}/"
        dashboard = await phone.get(f"/o/{short_name}/")
        assert dashboard.status_code == 200
        again = await phone.post(
            "/code",
            data={"_csrf_token": form_token, "code": code},
            headers={"Accept-Language": "fr"},
        )
        assert again.status_code == 409
        assert "déjà été utilisé" in again.text
    codes = await client.get(f"/o/{short_name}/members/codes", headers={"Accept-Language": "en"})
    assert "used on" in codes.text


async def test_the_qr_link_asks_once_then_signs_in_and_cannot_be_used_twice(
    client: httpx.AsyncClient,
) -> None:
    short_name, _organisation_id, _, membership_id, issued = await _nadia_with_a_code()
    path = f"/c/{issued.link_token}"
    page = await client.get(path, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert issued.name in page.text
    assert "data-autosubmit" in page.text  # one step with scripts; one tap without
    assert not await AccessCode.exists().where(
        (AccessCode.membership == membership_id) & AccessCode.used_at.is_not_null()
    )  # a link preview that only fetches uses nothing
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    response = await client.post(path, data={"_csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == f"/o/{short_name}/"
    again = await client.post(path, data={"_csrf_token": token})
    assert again.status_code == 409


async def test_a_code_session_opens_only_the_organisation_that_issued_it(
    client: httpx.AsyncClient,
) -> None:
    short_name, organisation_id, _, person_id, membership_id = await administered_with_member(
        "Porte", "Nadia"
    )
    other_name, other_id, _, _, _ = await administered_with_member("Porte", "Nadia")
    await organisations.add_membership(other_id, person_id)  # Nadia belongs to both
    [issued] = await access_codes.issue_codes(
        await actor_for(organisation_id), [membership_id], secret_key=SECRET_KEY
    )
    token = await csrf_token(client, "/code")
    await client.post("/code", data={"_csrf_token": token, "code": issued.code})
    assert (await client.get(f"/o/{short_name}/")).status_code == 200
    assert (await client.get(f"/o/{other_name}/")).status_code == 404
    home = await client.get("/")
    assert other_name not in home.text


async def test_expired_revoked_and_unknown_codes_are_refused_with_a_clear_message(
    client: httpx.AsyncClient,
) -> None:
    _short_name, organisation_id, _admin_email, _, membership_id = await administered_with_member(
        "Porte", "Nadia"
    )
    [old] = await access_codes.issue_codes(
        await actor_for(organisation_id), [membership_id], secret_key=SECRET_KEY
    )
    [new] = await access_codes.issue_codes(
        await actor_for(organisation_id), [membership_id], secret_key=SECRET_KEY
    )
    token = await csrf_token(client, "/code")
    revoked = await client.post(
        "/code", data={"_csrf_token": token, "code": old.code}, headers={"Accept-Language": "en"}
    )
    assert revoked.status_code == 422
    assert "This code is not valid" in revoked.text
    await AccessCode.update({AccessCode.expires_at: AccessCode.created_at}).where(
        AccessCode.membership == membership_id
    )
    expired = await client.post(
        "/code", data={"_csrf_token": token, "code": new.code}, headers={"Accept-Language": "fr"}
    )
    assert expired.status_code == 409
    assert "a expiré" in expired.text
    empty = await client.post("/code", data={"_csrf_token": token, "code": " "})
    assert empty.status_code == 422
    assert "votes_session" not in client.cookies


async def test_admin_revokes_a_code_and_suspension_revokes_it_too(
    client: httpx.AsyncClient,
) -> None:
    short_name, organisation_id, admin_email, membership_id, issued = await _nadia_with_a_code()
    await sign_in(client, admin_email, PASSWORD)
    token = await csrf_token(client, f"/o/{short_name}/members/codes")
    response = await client.post(
        f"/o/{short_name}/members/codes/{membership_id}/revoke", data={"_csrf_token": token}
    )
    assert response.status_code == 303
    [second] = await access_codes.issue_codes(
        await actor_for(organisation_id), [membership_id], secret_key=SECRET_KEY
    )
    await client.post(
        f"/o/{short_name}/members/{membership_id}/status",
        data={"_csrf_token": token, "status": "suspended"},
    )
    for code in (issued.code, second.code):
        attempt = access_codes.sign_in_with_code(code, secret_key=SECRET_KEY, hours=1)
        assert await refusal_code(attempt) == "code_unknown"


async def test_wrong_passwords_are_throttled_per_account_with_a_429(
    client: httpx.AsyncClient,
) -> None:
    email = f"throttle-{uuid.uuid4().hex[:8]}@example.org"
    await accounts.create_person("Throttled", email, PASSWORD)
    token = await csrf_token(client, "/login")
    for _ in range(accounts.ACCOUNT_FAILURE_LIMIT):
        wrong = await client.post(
            "/login", data={"_csrf_token": token, "email": email, "password": "wrong-password"}
        )
        assert wrong.status_code == 422
    blocked = await client.post(
        "/login",
        data={"_csrf_token": token, "email": email, "password": PASSWORD},
        headers={"Accept-Language": "fr"},
    )
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.text
    assert "votes_session" not in client.cookies


async def test_changing_the_password_signs_out_the_other_devices(
    client: httpx.AsyncClient,
) -> None:
    email = f"change-{uuid.uuid4().hex[:8]}@example.org"
    person_id = await accounts.create_person("Changer", email, PASSWORD)
    other = await accounts.start_session(person_id, secret_key=SECRET_KEY, hours=1)
    await sign_in(client, email, PASSWORD)
    token = await csrf_token(client, "/account")
    wrong = await client.post(
        "/account/password",
        data={
            "_csrf_token": token,
            "current": "nope",
            "password": "new-secret-42",
            "confirmation": "new-secret-42",
        },
        headers={"Accept-Language": "en"},
    )
    assert wrong.status_code == 422
    assert "not your current password" in wrong.text or "is not this one" in wrong.text
    done = await client.post(
        "/account/password",
        data={
            "_csrf_token": token,
            "current": PASSWORD,
            "password": "new-secret-42",
            "confirmation": "new-secret-42",
        },
    )
    assert done.status_code == 303
    assert (await client.get("/account")).status_code == 200  # this device stays signed in
    assert await accounts.viewer_for_token(other, secret_key=SECRET_KEY) is None
    assert await accounts.authenticate(email, "new-secret-42") == person_id


async def test_sign_out_everywhere_ends_every_session(client: httpx.AsyncClient) -> None:
    email = f"everywhere-{uuid.uuid4().hex[:8]}@example.org"
    person_id = await accounts.create_person("Partout", email, PASSWORD)
    await accounts.start_session(person_id, secret_key=SECRET_KEY, hours=1)
    await sign_in(client, email, PASSWORD)
    token = await csrf_token(client, "/account")
    response = await client.post("/account/sign-out-everywhere", data={"_csrf_token": token})
    assert response.status_code == 303
    assert not await LoginSession.exists().where(
        (LoginSession.person == person_id) & LoginSession.revoked.eq(False)
    )
    assert (await client.get("/account", follow_redirects=False)).status_code == 303


# --- one door: another cooperative's admin never reaches a person's credentials (#14) ------


async def _post_as(client: httpx.AsyncClient, path: str, data: dict[str, str]) -> httpx.Response:
    token = await csrf_token(client, "/")
    return await client.post(
        path,
        data={**data, "_csrf_token": token},
        headers={"Accept-Language": "fr"},
        follow_redirects=False,
    )


async def _victim_in_a_cooperative_with_a_secret_ballot(
    password: str | None,
) -> tuple[str, str, int, int, int, str]:
    """Cooperative A, its admin, a member (the victim) and A's open secret ballot:
    (A's short name, A's admin email, victim's person id, victim's membership id in A,
    ballot id, victim's email)."""
    from datetime import UTC, datetime

    from votes.services import assemblies

    suffix = uuid.uuid4().hex[:8]
    short_name = f"coop-a-{suffix}"
    organisation_id = await organisations.create_organisation(f"Coop A {suffix}", short_name)
    admin_email = f"admin-a-{suffix}@example.org"
    admin = await accounts.create_person("Admin A", admin_email, PASSWORD)
    await organisations.add_membership(organisation_id, admin, is_admin=True)
    victim_email = f"victime-{suffix}@example.org"
    victim = await accounts.create_person(f"Véronique Secrète {suffix}", victim_email, password)
    membership_id = await organisations.add_membership(organisation_id, victim)
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id), "AG", datetime.now(UTC)
    )
    ballot_id = await new_ballot(
        organisation_id, assembly_id, "Question secrète ?", secret=True, opened=True
    )
    return short_name, admin_email, victim, membership_id, ballot_id, victim_email


async def _b_admin_adds_the_victim_and_signs_in_with_a_code(
    client: httpx.AsyncClient, victim_email: str, victim_id: int
) -> tuple[str, int, httpx.AsyncClient]:
    """Cooperative B's admin adds the victim's email to B's register, issues a code and signs
    in with it on a second browser; returns (B's short name, membership id in B, browser)."""
    from votes.db.tables import Membership

    b_name, b_id, b_admin, _, _ = await administered_with_member("Porte", "Nadia")
    await sign_in(client, b_admin, PASSWORD)
    added = await _post_as(
        client,
        f"/o/{b_name}/members/new",
        {"name": "Quelqu'un", "email": victim_email, "kind": "member"},
    )
    assert added.status_code == 303
    row = (
        await Membership.select(Membership.id)
        .where((Membership.organisation == b_id) & (Membership.person == victim_id))
        .first()
    )
    assert row is not None
    issued = await _post_as(
        client,
        f"/o/{b_name}/members/codes",
        {"member": str(row["id"]), "scope": "selected", "days": "2"},
    )
    sheet = await client.get(issued.headers["location"])
    code = re.search(r'class="code-card__code">([A-Z0-9]{5}-[A-Z0-9]{5})<', sheet.text).group(1)  # type: ignore[union-attr]
    attacker = httpx.AsyncClient(transport=client._transport, base_url=client.base_url)
    signed_in = await _post_as(attacker, "/code", {"code": code})
    assert signed_in.status_code == 303
    return b_name, int(row["id"]), attacker


async def test_another_cooperatives_admin_cannot_set_a_password_and_enter_the_first_one(
    client: httpx.AsyncClient,
) -> None:
    (
        a_name,
        a_admin,
        victim_id,
        victim_membership,
        ballot_id,
        victim_email,
    ) = await _victim_in_a_cooperative_with_a_secret_ballot(password=None)
    b_name, b_membership, attacker = await _b_admin_adds_the_victim_and_signs_in_with_a_code(
        client, victim_email, victim_id
    )
    account = await attacker.get("/account", headers={"Accept-Language": "fr"})
    assert account.status_code == 200
    assert 'name="password"' not in account.text  # no password form in a code session
    assert "code d'accès" in html.unescape(account.text)
    for current in ("", "nope"):
        refused = await _post_as(
            attacker,
            "/account/password",
            {
                "current": current,
                "password": "pris-en-otage-42",
                "confirmation": "pris-en-otage-42",
            },
        )
        assert refused.status_code == 403
        assert "code d'accès" in html.unescape(refused.text)
    assert (await attacker.get(f"/o/{a_name}/ballots/{ballot_id}")).status_code == 404
    assert (await attacker.get(f"/o/{b_name}/")).status_code == 200
    await attacker.aclose()
    assert not await accounts.has_password(victim_id)
    # the password the attacker tried opens nothing
    async with httpx.AsyncClient(transport=client._transport, base_url=client.base_url) as other:
        login = await _post_as(
            other, "/login", {"email": victim_email, "password": "pris-en-otage-42", "next": "/"}
        )
        assert login.status_code == 422
        assert (await other.get(f"/o/{a_name}/ballots/{ballot_id}")).status_code in (303, 401)
    # B's admin has no power over the person's credentials: no password link...
    link = await _post_as(client, f"/o/{b_name}/members/{b_membership}/password-link", {})
    assert link.status_code == 409
    assert "/c/reset/" not in link.text
    # ...while A's admin, who registered the person, can still hand one
    client.cookies.clear()
    await sign_in(client, a_admin, PASSWORD)
    a_link = await _post_as(client, f"/o/{a_name}/members/{victim_membership}/password-link", {})
    assert a_link.status_code == 200
    assert "/c/reset/" in a_link.text


async def test_a_code_session_cannot_sign_out_the_persons_other_devices(
    client: httpx.AsyncClient,
) -> None:
    _a_name, _, victim_id, _, _, victim_email = await _victim_in_a_cooperative_with_a_secret_ballot(
        password=PASSWORD
    )
    elsewhere = await accounts.start_session(victim_id, secret_key=SECRET_KEY, hours=1)
    _b_name, _, attacker = await _b_admin_adds_the_victim_and_signs_in_with_a_code(
        client, victim_email, victim_id
    )
    refused = await _post_as(attacker, "/account/sign-out-everywhere", {})
    assert refused.status_code == 403
    changed = await _post_as(
        attacker,
        "/account/password",
        {"current": PASSWORD, "password": "pris-en-otage-42", "confirmation": "pris-en-otage-42"},
    )
    assert changed.status_code == 403
    # the language chosen in a code session stays in that browser
    chosen = await _post_as(attacker, "/language", {"language": "en", "next": "/"})
    assert chosen.status_code == 303
    await attacker.aclose()
    assert await accounts.viewer_for_token(elsewhere, secret_key=SECRET_KEY) is not None
    person = await Person.select(Person.preferred_language).where(Person.id == victim_id).first()
    assert person is not None
    assert person["preferred_language"] is None
    assert await accounts.authenticate(victim_email, PASSWORD) == victim_id


# --- the venue's shared address (#14) ---------------------------------------------------------


def _browser_at(client: httpx.AsyncClient, address: str) -> httpx.AsyncClient:
    """A phone in the hall: every phone of a venue reaches the server from one address."""
    transport = httpx.ASGITransport(app=client._transport.app, client=(address, 40_000))  # type: ignore[attr-defined]
    return httpx.AsyncClient(transport=transport, base_url=client.base_url)


def _venue() -> str:
    return f"198.51.100.{uuid.uuid4().int % 250 + 1}"


def _wrong_code(n: int) -> str:
    alphabet = access_codes.CODE_ALPHABET
    return "".join(alphabet[(n * 7 + i * 13) % len(alphabet)] for i in range(10))


async def test_one_attendee_typing_a_hundred_wrong_codes_locks_nobody_out(
    client: httpx.AsyncClient,
) -> None:
    _short_name, organisation_id, _, _membership_id, issued = await _nadia_with_a_code()
    email = f"venue-{uuid.uuid4().hex[:8]}@example.org"
    person_id = await accounts.create_person("Présente", email, PASSWORD)
    await organisations.add_membership(organisation_id, person_id)
    venue = _venue()
    async with _browser_at(client, venue) as clumsy:
        token = await csrf_token(clumsy, "/code")
        statuses = {
            (
                await clumsy.post(
                    "/code",
                    data={"_csrf_token": token, "code": _wrong_code(n) if n % 10 else "ABC"},
                )
            ).status_code
            for n in range(100)
        }
        assert statuses == {422}
    async with _browser_at(client, venue) as neighbour:
        token = await csrf_token(neighbour, "/code")
        signed_in = await neighbour.post("/code", data={"_csrf_token": token, "code": issued.code})
        assert signed_in.status_code == 303
    async with _browser_at(client, venue) as other:
        await sign_in(other, email, PASSWORD)


async def test_wrong_codes_with_the_same_first_half_block_that_code_until_a_new_one(
    client: httpx.AsyncClient,
) -> None:
    short_name, organisation_id, _, membership_id, issued = await _nadia_with_a_code()
    half = issued.code[:5]
    guesses = [half + _wrong_code(n)[5:] for n in range(40)]
    guesses = [guess for guess in guesses if guess != issued.code][
        : accounts.CODE_PREFIX_FAILURE_LIMIT
    ]
    token = await csrf_token(client, "/code")
    for n, guess in enumerate(guesses):
        # from as many addresses as the guesser likes
        async with _browser_at(client, f"203.0.113.{n + 1}") as guesser:
            wrong = await guesser.post(
                "/code", data={"_csrf_token": await csrf_token(guesser, "/code"), "code": guess}
            )
            assert wrong.status_code == 422
    blocked = await client.post(
        "/code",
        data={"_csrf_token": token, "code": issued.code},
        headers={"Accept-Language": "fr"},
    )
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.text
    # the welcome desk issues a new code: another first half, and it works
    [new] = await access_codes.issue_codes(
        await actor_for(organisation_id), [membership_id], secret_key=SECRET_KEY
    )
    assert new.code[:5] != half
    signed_in = await client.post("/code", data={"_csrf_token": token, "code": new.code})
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == f"/o/{short_name}/"


async def test_an_admin_at_the_venue_lifts_the_block_a_guessing_machine_left(
    client: httpx.AsyncClient,
) -> None:
    short_name, _organisation_id, admin_email, _membership_id, issued = await _nadia_with_a_code()
    venue = _venue()
    await accounts.record_failure(
        [accounts.code_address_key(venue)] * accounts.CODE_ADDRESS_FAILURE_LIMIT
    )
    async with _browser_at(client, venue) as phone:
        token = await csrf_token(phone, "/code")
        blocked = await phone.post("/code", data={"_csrf_token": token, "code": issued.code})
        assert blocked.status_code == 429
        async with _browser_at(client, venue) as desk:
            await sign_in(desk, admin_email, PASSWORD)  # passwords have their own budget
            codes = await desk.get(
                f"/o/{short_name}/members/codes", headers={"Accept-Language": "fr"}
            )
            assert venue in codes.text
            assert "refusées pour l" in html.unescape(codes.text)
            lifted = await desk.post(
                f"/o/{short_name}/members/codes/unblock",
                data={"_csrf_token": await csrf_token(desk, f"/o/{short_name}/members/codes")},
            )
            assert lifted.status_code == 303
        signed_in = await phone.post("/code", data={"_csrf_token": token, "code": issued.code})
        assert signed_in.status_code == 303


async def test_reloading_the_sheet_prints_the_same_codes_and_reissuing_asks_first(
    client: httpx.AsyncClient,
) -> None:
    """Printed sheets keep working (#17): the sheet is a page that a reload prints again, and
    issuing codes that cancel valid ones waits for the admin's confirmation."""
    short_name, _, admin_email, _, membership_id = await administered_with_member("Porte", "Nadia")
    await sign_in(client, admin_email, PASSWORD)
    base = f"/o/{short_name}/members/codes"
    chosen = {"member": str(membership_id), "scope": "selected", "days": "2"}
    issued = await _post_as(client, base, chosen)
    assert issued.status_code == 303
    pattern = r'class="code-card__code">([A-Z0-9]{5}-[A-Z0-9]{5})<'
    first = await client.get(issued.headers["location"])
    again = await client.get(issued.headers["location"])
    whole = await client.get(f"{base}/sheet")
    codes = [re.findall(pattern, page.text) for page in (first, again, whole)]
    assert codes[0]
    assert codes[0] == codes[1] == codes[2]
    asked = await _post_as(client, base, chosen)
    assert asked.status_code == 409
    assert "1 membre a déjà un code valide" in asked.text
    assert codes[0] == re.findall(pattern, (await client.get(f"{base}/sheet")).text)
    confirmed = await _post_as(client, base, {**chosen, "confirm": "1"})
    assert confirmed.status_code == 303
    fresh = re.findall(pattern, (await client.get(confirmed.headers["location"])).text)
    assert fresh
    assert fresh != codes[0]
    attempt = access_codes.sign_in_with_code(codes[0][0], secret_key=SECRET_KEY, hours=1)
    assert await refusal_code(attempt) == "code_unknown"


async def test_signing_out_of_a_code_session_asks_first(client: httpx.AsyncClient) -> None:
    """A single-use code cannot sign its owner in again: signing out asks first (#17)."""
    short_name, _organisation_id, _, _membership_id, issued = await _nadia_with_a_code()
    signed_in = await _post_as(client, "/code", {"code": issued.code})
    assert signed_in.status_code == 303
    asked = await _post_as(client, "/logout", {})
    assert asked.status_code == 200
    assert "ce code ne vous reconnectera plus" in asked.text
    assert (await client.get(f"/o/{short_name}/")).status_code == 200  # still signed in
    confirmed = await _post_as(client, "/logout", {"confirm": "1"})
    assert confirmed.status_code == 303
    assert (await client.get(f"/o/{short_name}/")).status_code in (303, 401, 404)

"""The member register as an organisation's admin uses it: list, filter, add, edit, suspend,
import a spreadsheet's CSV, export it, and the settings' categories and colleges."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from tests.support.factories import CATEGORIES, PASSWORD, administered
from tests.web.assembly_helpers import admin_signed_in, post_form
from tests.web.helpers import assert_shows, csrf_token, post_with_token, sign_in

from votes.db.tables import LoginSession, Membership, Organisation, Person
from votes.services import accounts, member_import, organisations


async def test_admin_adds_a_member_and_finds_them_by_search_and_filters(
    client: httpx.AsyncClient,
) -> None:
    short_name, _ = await admin_signed_in(client, categories=CATEGORIES)
    response = await post_with_token(
        client,
        f"/o/{short_name}/members/new",
        {
            "name": "  Aïcha   Benani ",
            "email": "Aicha@Example.org",
            "category": "bénéficiaire",
            "kind": "member",
            "is_scrutineer": "1",
        },
    )
    assert response.status_code == 303
    register = await client.get(f"/o/{short_name}/members/", params={"q": "aïcha"})
    assert "Aïcha Benani" in register.text
    assert "aicha@example.org" in register.text
    assert "scrutineer" in register.text or "scrutateur" in register.text
    filtered = await client.get(
        f"/o/{short_name}/members/", params={"role": "observer"}, headers={"HX-Request": "true"}
    )
    assert "Aïcha Benani" not in filtered.text
    assert "<html" not in filtered.text  # htmx gets the table only
    by_category = await client.get(f"/o/{short_name}/members/", params={"category": "bénéficiaire"})
    assert "Aïcha Benani" in by_category.text


async def test_adding_without_a_name_or_with_an_unknown_category_is_refused_in_french(
    client: httpx.AsyncClient,
) -> None:
    short_name, organisation_id = await admin_signed_in(client, categories=CATEGORIES)
    before = await Membership.count().where(Membership.organisation == organisation_id)
    response = await post_form(
        client, f"/o/{short_name}/members/new", {"name": " ", "kind": "member"}, language="fr"
    )
    assert response.status_code == 422
    assert "Indiquez le nom de la personne." in response.text
    response = await post_form(
        client,
        f"/o/{short_name}/members/new",
        {"name": "Bob", "category": "pirate", "kind": "member"},
        language="fr",
    )
    assert response.status_code == 422
    assert "catégories de cette organisation" in response.text
    assert await Membership.count().where(Membership.organisation == organisation_id) == before


async def test_the_same_email_cannot_join_twice(client: httpx.AsyncClient) -> None:
    short_name, _ = await admin_signed_in(client, categories=CATEGORIES)
    data = {"name": "Zoé", "email": "zoe-twice@example.org", "kind": "member"}
    assert (await post_with_token(client, f"/o/{short_name}/members/new", data)).status_code == 303
    again = await post_form(client, f"/o/{short_name}/members/new", data, language="en")
    assert again.status_code == 409
    assert "already in the register" in again.text


async def test_suspending_a_member_signs_them_out_at_once(client: httpx.AsyncClient) -> None:
    short_name, organisation_id, email = await administered("Coop", categories=CATEGORIES)
    person_id = await accounts.create_person(
        "Théo Suspendu", f"theo-{short_name}@example.org", PASSWORD
    )
    membership_id = await organisations.add_membership(organisation_id, person_id)
    token = await accounts.start_session(person_id, secret_key="x" * 40, hours=1)
    await sign_in(client, email, PASSWORD)
    response = await post_with_token(
        client, f"/o/{short_name}/members/{membership_id}/status", {"status": "suspended"}
    )
    assert response.status_code == 303
    row = await Membership.select(Membership.status).where(Membership.id == membership_id).first()
    assert row["status"] == "suspended"
    assert not await LoginSession.exists().where(
        (LoginSession.person == person_id) & LoginSession.revoked.eq(False)
    )
    assert token  # the session existed before


async def test_an_admin_cannot_suspend_themselves_nor_leave_no_admin(
    client: httpx.AsyncClient,
) -> None:
    short_name, organisation_id, email = await administered("Coop", categories=CATEGORIES)
    await sign_in(client, email, PASSWORD)
    own = (
        await Membership.select(Membership.id)
        .where((Membership.organisation == organisation_id) & Membership.is_admin.eq(True))
        .first()
    )
    response = await post_form(
        client,
        f"/o/{short_name}/members/{own['id']}/status",
        {"status": "suspended"},
        language="en",
    )
    assert response.status_code == 409
    assert "your own status" in response.text
    response = await post_form(
        client,
        f"/o/{short_name}/members/{own['id']}",
        {"name": (await _admin_name(organisation_id)), "email": email, "kind": "member"},
        language="en",
    )
    assert response.status_code == 409
    assert "at least one active administrator" in response.text


async def _admin_name(organisation_id: int) -> str:
    row = (
        await Membership.select(Membership.person.name)
        .where((Membership.organisation == organisation_id) & Membership.is_admin.eq(True))
        .first()
    )
    return str(row["person.name"])


async def test_a_member_page_of_another_organisation_is_not_found(
    client: httpx.AsyncClient, demo: None
) -> None:
    short_name, _, email = await administered("Coop", categories=CATEGORIES)
    lea = (
        await Membership.select(Membership.id)
        .where(Membership.person.email == "lea@demo.votes.invalid")
        .first()
    )
    await sign_in(client, email, PASSWORD)
    response = await client.get(f"/o/{short_name}/members/{lea['id']}")
    assert response.status_code == 404
    response = await post_with_token(
        client, f"/o/{short_name}/members/{lea['id']}/status", {"status": "suspended"}
    )
    assert response.status_code == 404
    status = await Membership.select(Membership.status).where(Membership.id == lea["id"]).first()
    assert status["status"] == "active"


async def test_a_member_who_is_not_admin_cannot_open_the_register(
    client: httpx.AsyncClient, demo: None
) -> None:
    await sign_in(client, "lea@demo.votes.invalid")
    assert (await client.get("/o/demo/members/")).status_code == 403
    assert (await client.get("/o/demo/settings")).status_code == 403


async def test_admin_makes_a_password_link_that_lets_the_member_choose_a_password(
    client: httpx.AsyncClient,
) -> None:
    short_name, organisation_id, email = await administered("Coop", categories=CATEGORIES)
    member_email = f"nopass-{short_name}@example.org"
    person_id = await accounts.create_person("Sans Motdepasse", member_email, None)
    membership_id = await organisations.add_membership(organisation_id, person_id)
    await sign_in(client, email, PASSWORD)
    response = await post_with_token(
        client, f"/o/{short_name}/members/{membership_id}/password-link", {}
    )
    assert response.status_code == 200
    link = re.search(r"http://testserver\.local(/c/reset/[\w-]+)", response.text)
    assert link
    await client.post("/logout", data={"_csrf_token": await csrf_token(client, "/")})
    form = await client.get(link.group(1), headers={"Accept-Language": "en"})
    assert "Sans Motdepasse" in form.text
    short = await post_form(
        client, link.group(1), {"password": "short", "confirmation": "short"}, language="en"
    )
    assert short.status_code == 422
    assert "at least 10 characters" in short.text
    done = await post_with_token(
        client, link.group(1), {"password": "new-password-1", "confirmation": "new-password-1"}
    )
    assert done.status_code == 303
    assert await accounts.authenticate(member_email, "new-password-1") == person_id
    again = await client.get(link.group(1))
    assert again.status_code == 409  # used once


async def test_settings_change_the_name_language_and_short_name(
    client: httpx.AsyncClient,
) -> None:
    short_name, organisation_id = await admin_signed_in(client, categories=CATEGORIES)
    new_short = f"{short_name}-bis"
    response = await post_with_token(
        client,
        f"/o/{short_name}/settings",
        {
            "name": "Les Nouveaux",
            "short_name": new_short,
            "legal_form": "scic",
            "default_language": "en",
            "time_zone": "Europe/Brussels",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/o/{new_short}/settings"
    row = await Organisation.select().where(Organisation.id == organisation_id).first()
    assert (row["name"], row["legal_form"], row["default_language"], row["time_zone"]) == (
        "Les Nouveaux",
        "scic",
        "en",
        "Europe/Brussels",
    )
    bad = await post_form(
        client,
        f"/o/{new_short}/settings",
        {
            "name": "X",
            "short_name": new_short,
            "legal_form": "scic",
            "default_language": "en",
            "time_zone": "Mars/Olympus",
        },
        language="fr",
    )
    assert bad.status_code == 422
    assert "fuseau horaire" in bad.text
    row = (
        await Organisation.select(Organisation.name)
        .where(Organisation.id == organisation_id)
        .first()
    )
    assert row["name"] == "Les Nouveaux"


async def test_categories_and_colleges_are_managed_in_the_settings(
    client: httpx.AsyncClient,
) -> None:
    short_name, _organisation_id = await admin_signed_in(client)
    assert (
        await post_with_token(
            client, f"/o/{short_name}/settings/categories", {"category": "Usager·ère"}
        )
    ).status_code == 303
    assert (
        await post_with_token(
            client, f"/o/{short_name}/settings/colleges", {"college": "Salariés", "weight": "33,34"}
        )
    ).status_code == 303
    page = await client.get(f"/o/{short_name}/settings", headers={"Accept-Language": "fr"})
    assert "Usager·ère" in page.text
    assert "33,34" in page.text
    duplicate = await post_with_token(
        client, f"/o/{short_name}/settings/categories", {"category": "usager·ère"}
    )
    assert duplicate.status_code == 409
    bad_weight = await post_with_token(
        client, f"/o/{short_name}/settings/colleges", {"college": "Usagers", "weight": "12.345"}
    )
    assert bad_weight.status_code == 422


async def test_register_exports_as_a_spreadsheet_csv(client: httpx.AsyncClient) -> None:
    short_name, _ = await admin_signed_in(client, categories=CATEGORIES)
    await post_with_token(
        client,
        f"/o/{short_name}/members/new",
        {
            "name": "Éloïse Exportée",
            "email": "eloise@example.org",
            "category": "bénéficiaire",
            "kind": "observer",
        },
    )
    response = await client.get(
        f"/o/{short_name}/members/export.csv", headers={"Accept-Language": "fr"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("nom;")
    assert "Éloïse Exportée;eloise@example.org;bénéficiaire;;observateur·rice;Actif·ve" in text


async def test_an_import_the_register_overtook_says_what_stayed_in_french(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    short_name, _ = await admin_signed_in(client, categories=CATEGORIES)

    async def interrupted(*args: object, **kwargs: object) -> member_import.ImportReport:
        return member_import.ImportReport(file_problem="import_partial:3")

    monkeypatch.setattr(member_import, "apply_import", interrupted)
    response = await post_form(
        client, f"/o/{short_name}/members/import/confirm", {"csv": "nom\nA\n"}, language="fr"
    )
    assert response.status_code == 422
    assert "Personnes du fichier restées dans le registre\u00a0: 3." in response.text


async def test_instance_admin_creates_an_organisation_with_its_first_admin(
    client: httpx.AsyncClient,
) -> None:
    suffix = uuid.uuid4().hex[:8]
    await accounts.create_person(
        "Instance", f"instance-{suffix}@example.org", PASSWORD, instance_admin=True
    )
    await sign_in(client, f"instance-{suffix}@example.org", PASSWORD)
    response = await post_form(
        client,
        "/admin/organisations/",
        {
            "name": "SCIC du Plateau",
            "short_name": f"plateau-{suffix}",
            "legal_form": "scic",
            "default_language": "fr",
            "time_zone": "Europe/Paris",
            "admin_name": "Gaëlle",
            "admin_email": f"gaelle-{suffix}@example.org",
        },
        language="en",
    )
    assert response.status_code == 200
    assert "SCIC du Plateau" in response.text
    assert "/c/reset/" in response.text  # the new admin has no password yet
    person = (
        await Person.select(Person.id).where(Person.email == f"gaelle-{suffix}@example.org").first()
    )
    assert await Membership.exists().where(
        (Membership.person == person["id"]) & Membership.is_admin.eq(True)
    )
    taken = await post_with_token(
        client,
        "/admin/organisations/",
        {
            "name": "Autre",
            "short_name": f"plateau-{suffix}",
            "legal_form": "scic",
            "default_language": "fr",
            "time_zone": "Europe/Paris",
            "admin_name": "X",
            "admin_email": "x@example.org",
        },
    )
    assert taken.status_code == 409


async def test_organisations_page_is_not_found_for_people_who_are_not_instance_admins(
    client: httpx.AsyncClient, demo: None
) -> None:
    await sign_in(client, "camille@demo.votes.invalid")
    assert (await client.get("/admin/organisations/")).status_code == 404


async def test_a_first_name_last_name_file_previews_full_names_and_how_columns_were_read(
    client: httpx.AsyncClient,
) -> None:
    short_name, _ = await admin_signed_in(client, categories=CATEGORIES)
    token = await csrf_token(client, "/")
    csv_file = "Prénom;Nom;Courriel\nAïcha;Benani;aicha@example.org\nJan;Peeters;jan@example.org\n"
    response = await client.post(
        f"/o/{short_name}/members/import",
        data={"_csrf_token": token},
        files={"file": ("registre.csv", csv_file.encode(), "text/csv")},
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 200
    assert_shows(
        response.text,
        "<td>Aïcha Benani</td>",
        "<td>Jan Peeters</td>",
        "Comment les colonnes ont été lues",
        "«\u00a0Prénom\u00a0»\u00a0: le prénom, placé avant le nom",
        "«\u00a0Nom\u00a0»\u00a0: le nom de famille, placé après le prénom",
    )


async def test_the_register_exported_then_imported_again_adds_nobody(
    client: httpx.AsyncClient,
) -> None:
    short_name, organisation_id = await admin_signed_in(client, categories=CATEGORIES)
    for name, roles in (("=cmd|calc Formule", ("is_admin", "is_facilitator")), ("Jo Sans", ())):
        response = await post_with_token(
            client,
            f"/o/{short_name}/members/new",
            {"name": name, "category": "bénéficiaire", "kind": "member"}
            | dict.fromkeys(roles, "1"),
        )
        assert response.status_code == 303
    before = await Membership.count().where(Membership.organisation == organisation_id)
    export = await client.get(
        f"/o/{short_name}/members/export.csv", headers={"Accept-Language": "fr"}
    )
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    text = export.content.decode("utf-8-sig")
    assert "'=cmd|calc Formule;;bénéficiaire;;administrateur·rice, animateur·rice;" in text
    token = await csrf_token(client, "/")
    preview = await client.post(
        f"/o/{short_name}/members/import",
        data={"_csrf_token": token},
        files={"file": ("registre.csv", export.content, "text/csv")},
        headers={"Accept-Language": "fr"},
    )
    assert preview.status_code == 422  # nothing to import
    assert_shows(
        preview.text,
        "0 personne à ajouter",
        "=cmd|calc Formule\u00a0: déjà inscrit·e",
        "Jo Sans\u00a0: déjà inscrit·e",
    )
    assert "&#39;=cmd" not in preview.text
    assert "'=cmd" not in preview.text
    assert await Membership.count().where(Membership.organisation == organisation_id) == before


def test_no_download_names_its_charset_itself() -> None:
    """Litestar adds "; charset=utf-8" to every text/ media type: a media type that names it
    too was sent as "text/csv; charset=utf-8; charset=utf-8"."""
    from pathlib import Path

    import votes.web

    sources = Path(votes.web.__file__).parent.rglob("*.py")
    offenders = [
        str(path) for path in sources if re.search(r'"text/\w+; ?charset', path.read_text())
    ]
    assert offenders == []

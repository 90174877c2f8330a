"""The attendance register, proxies and the rules on the web, as stewards, members and
administrators use them from a phone (French and English)."""

from __future__ import annotations

import re

import httpx
from tests.support.factories import Coop, cooperative, new_ballot
from tests.web.assembly_helpers import as_role, coop_signed_in, post_form

from votes.db.tables import AssemblyKind, Attendance, Membership, Proxy
from votes.services import attendance, proxies
from votes.services.actors import actor_for
from votes.services.ballots import counting


async def _signed_in(client: httpx.AsyncClient, role: str, kind: AssemblyKind) -> tuple[Coop, str]:
    """A fresh coop whose assembly is of ``kind``, with ``role`` signed in: the coop and the
    assembly's path."""
    coop = await cooperative(kind=kind)
    await as_role(client, coop, role)
    return coop, coop.assembly_path


async def test_a_steward_checks_members_in_and_the_quorum_banner_follows(
    client: httpx.AsyncClient,
) -> None:
    coop, base = await _signed_in(client, "facilitator", AssemblyKind.AGE)
    page = await client.get(f"{base}/attendance?q=member", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert "Member " in page.text
    # French agrees 0 and 1 in the singular (QA walk: « 1 présent·es »)
    assert "Quorum AGE non atteint\u00a0: 0 présent·e ou représenté·e sur 3" in page.text
    member = await coop.membership("member")
    done = await post_form(client, f"{base}/attendance/{member}/check-in", {"mode": "present"})
    assert done.status_code == 303
    banner = await client.get(f"{base}/quorum", headers={"Accept-Language": "en"})
    assert (
        "Quorum AGE not reached: 1 present or represented out of 3 (minimum 3/4 = 3)" in banner.text
    )
    french = await client.get(f"{base}/quorum", headers={"Accept-Language": "fr"})
    assert "1 présent·e ou représenté·e sur 3" in french.text
    # remote check-in is refused while the statutes do not provide for it, nothing changes
    other = await coop.membership("other")
    refused = await post_form(client, f"{base}/attendance/{other}/check-in", {"mode": "remote"})
    assert refused.status_code == 409
    assert "ne prévoient pas la participation à distance" in refused.text
    assert not await Attendance.exists().where(Attendance.membership == other)
    csv = await client.get(f"{base}/attendance/register.csv")
    assert csv.status_code == 200
    # read in a spreadsheet: words, the cooperative's clock to the minute, no internal keys
    assert csv.text.startswith("Nom,Catégorie,Collège,Statut,Arrivée,Départ")
    assert re.search(r"Member [0-9a-f]+,,,Présent·e,\d{4}-\d\d-\d\d \d\d:\d\d,", csv.text)
    assert ",present," not in csv.text
    assert "+00:00" not in csv.text


async def test_members_see_their_line_but_not_the_register_and_cannot_steward(
    client: httpx.AsyncClient,
) -> None:
    coop, base = await _signed_in(client, "member", AssemblyKind.AGO)
    page = await client.get(f"{base}/attendance", headers={"Accept-Language": "fr"})
    assert "émargez à l’entrée" in page.text
    assert "Other " not in page.text
    other = await coop.membership("other")
    forbidden = await post_form(client, f"{base}/attendance/{other}/check-in", {"mode": "present"})
    assert forbidden.status_code == 403


async def test_a_member_gives_a_proxy_and_bad_proxies_are_refused_in_french(
    client: httpx.AsyncClient,
) -> None:
    coop = await coop_signed_in(client, "member", kind=AssemblyKind.AGO)
    path = f"{coop.assembly_path}/proxies"
    me = await coop.membership("member")
    selfish = await post_form(client, path, {"holder": str(me)})
    assert selfish.status_code == 422
    assert "On ne peut pas se donner pouvoir à soi-même." in selfish.text
    observer = await coop.membership("observer")
    not_voter = await post_form(client, path, {"holder": str(observer)})
    assert not_voter.status_code == 422
    assert not await Proxy.exists().where(Proxy.organisation == coop.organisation_id)
    other = await coop.membership("other")
    given = await post_form(client, path, {"holder": str(other), "instructions": "Pour tout"})
    assert given.status_code == 303
    page = await client.get(path, headers={"Accept-Language": "en"})
    assert "votes for you" in page.text


async def test_a_holder_casts_all_the_votes_they_hold_in_one_action(
    client: httpx.AsyncClient,
) -> None:
    coop = await cooperative(kind=AssemblyKind.AGO)
    member, other = await coop.membership("member"), await coop.membership("other")
    await proxies.give_proxy(await actor_for(coop.organisation_id, other), coop.assembly_id, member)
    await attendance.check_in(await actor_for(coop.organisation_id), coop.assembly_id, member)
    ballot_id = await new_ballot(
        coop.organisation_id, coop.assembly_id, "Adoptez-vous ?", opened=True
    )
    await as_role(client, coop, "member")
    page = await client.get(f"{coop.base}/ballots/{ballot_id}", headers={"Accept-Language": "fr"})
    assert "(par procuration)" in page.text
    voted = await post_form(
        client, f"{coop.base}/ballots/{ballot_id}/vote", {"choice": "yes", "for": "all"}
    )
    assert voted.status_code == 303
    result = await counting.count_ballot(ballot_id)
    assert result.rounds[0].totals["yes"] == 2
    # every vote held is cast: the page no longer offers one for the represented member
    page = await client.get(f"{coop.base}/ballots/{ballot_id}", headers={"Accept-Language": "fr"})
    assert "Vote enregistré" in page.text
    assert "(par procuration)" not in page.text


async def test_an_admin_adjusts_the_rules_and_bad_figures_change_nothing(
    client: httpx.AsyncClient,
) -> None:
    coop = await cooperative()
    await Membership.update({Membership.is_admin: True}).where(
        (Membership.organisation == coop.organisation_id)
        & (Membership.person == coop.people["facilitator"])
    )
    await as_role(client, coop, "facilitator")
    page = await client.get(f"{coop.base}/rules/", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert "d’après des statuts types" in page.text
    form = {
        name: value
        for name, value in re.findall(r'name="([\w-]+)" value="([^"]*)"', page.text)
        if name != "_csrf_token"
    }
    for select in re.findall(r'<select[^>]*name="([\w-]+)"', page.text):
        chosen = re.search(
            rf'name="{select}">(?:(?!</select>).)*?<option value="([^"]+)" selected',
            page.text,
            re.S,
        )
        first = re.search(rf'name="{select}">\s*<option value="([^"]*)"', page.text)
        form[select] = chosen.group(1) if chosen else (first.group(1) if first else "")
    form.pop("preset", None)
    bad = await post_form(client, f"{coop.base}/rules/", {**form, "ago-first-threshold": "3/2"})
    assert bad.status_code == 422
    assert "Écrivez la majorité" in bad.text
    good = await post_form(client, f"{coop.base}/rules/", {**form, "ago-first-quorum": "1/3"})
    assert good.status_code == 303
    shown = await client.get(f"{coop.base}/rules/", headers={"Accept-Language": "fr"})
    assert "adapté à vos statuts" in shown.text
    assert "d’après vos statuts" in shown.text


async def test_the_door_checks_in_the_member_whose_code_the_steward_scans(
    client: httpx.AsyncClient,
) -> None:
    """At the door the steward reads the member's QR code (its link) or types the code; signing
    in with that code from home checks nobody in (#17)."""
    from votes.services import access_codes
    from votes.settings import Settings

    coop = await cooperative(kind=AssemblyKind.AGE)
    member = await coop.membership("member")
    secret = Settings.from_env().secret_key
    admin = await actor_for(coop.organisation_id)
    issued = await access_codes.issue_codes(admin, [member], secret_key=secret)
    base = f"{coop.assembly_path}/attendance"
    await access_codes.sign_in_with_code(issued[0].code, secret_key=secret, hours=1)
    assert not await Attendance.exists().where(Attendance.membership == member)
    await as_role(client, coop, "facilitator")
    page = await client.get(base, headers={"Accept-Language": "fr"})
    assert 'id="door-code"' in page.text
    assert "camera=(self)" in page.headers["permissions-policy"]
    scanned = await post_form(
        client, f"{base}/door", {"code": f"http://x.test/c/{issued[0].link_token}"}, htmx=True
    )
    assert scanned.status_code == 200
    assert "<html" not in scanned.text
    assert f"Member {coop.slug.removeprefix('coop-')} est émargé·e" in scanned.text
    row = await Attendance.select(Attendance.status).where(Attendance.membership == member).first()
    assert row == {"status": "present"}
    wrong = await post_form(client, f"{base}/door", {"code": "AAAAA-AAAAA"}, htmx=True)
    assert wrong.status_code == 422
    assert "Ce code ne correspond à aucun membre" in wrong.text


async def test_proxy_holders_and_co_authors_are_chosen_by_searching_not_from_a_long_list(
    client: httpx.AsyncClient,
) -> None:
    """A cooperative of many members: the forms offer twenty names and a search (#17)."""
    from votes.services import accounts, organisations

    coop = await cooperative(kind=AssemblyKind.AGO)
    for n in range(45):
        person = await accounts.create_person(f"Associée {n:02d}", None, None)
        await organisations.add_membership(coop.organisation_id, person)
    zoe = await accounts.create_person("Zoé Ümlaut", None, None)
    zoe_membership = await organisations.add_membership(coop.organisation_id, zoe)
    await as_role(client, coop, "member")
    page = await client.get(f"{coop.assembly_path}/proxies", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    holders = re.findall(r'name="holder" value="(\d+)"', page.text)
    assert 0 < len(holders) <= 20
    assert "tapez un nom pour les trouver" in page.text
    found = await client.get(
        f"{coop.base}/members/pick",
        params={"picker": "mine", "name": "holder", "mine_q": "zoe umlaut"},
        headers={"HX-Request": "true"},
    )
    assert found.status_code == 200
    assert re.findall(r'name="holder" value="(\d+)"', found.text) == [str(zoe_membership)]
    assert "<html" not in found.text
    # the one already chosen stays checked while another search shows other names
    kept = await client.get(
        f"{coop.base}/members/pick",
        params={"picker": "coauthors", "name": "coauthors", "coauthors_q": "associée 4",
                "coauthors": str(zoe)},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert f'value="{zoe}" checked' in kept.text
    assert "Associée 41" in kept.text
    assert "Associée 10" not in kept.text
    # without JavaScript, the page itself searches
    plain = await client.get(f"{coop.assembly_path}/proxies", params={"mine_q": "Zoé"})
    assert re.findall(r'name="holder" value="(\d+)"', plain.text)[:1] == [str(zoe_membership)]
    proposal = await client.get(
        f"{coop.assembly_path}/proposals/new",
        params={"coauthors_q": "Zoé", "title": "Brouillon gardé"},
    )
    assert re.findall(r'name="coauthors" value="(\d+)"', proposal.text) == [str(zoe)]
    assert "Brouillon gardé" in proposal.text
    given = await post_form(
        client,
        f"{coop.assembly_path}/proxies",
        {"holder": str(zoe_membership)},
    )
    assert given.status_code == 303

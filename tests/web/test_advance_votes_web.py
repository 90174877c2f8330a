"""The vote by correspondence on the web (#18): a member answers from their phone before the
assembly, changes their answers, is refused after the deadline; a scrutineer enters a paper
form; attacks change nothing (French and English)."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import httpx
from tests.web.assembly_helpers import as_role, post_form
from tests.web.postal_helpers import (
    facilitators_minutes,
    in_session,
    postal_coop,
    sitting_after_a_postal_answer,
)

from votes.db.tables import (
    AdvancePaper,
    AdvanceParticipation,
    Membership,
)
from votes.db.tables import Assembly as AssemblyTable
from votes.services import attendance, rules
from votes.services.ballots import lifecycle, voting
from votes.web.controllers.rules import form_values


async def test_a_member_votes_by_correspondence_and_changes_their_answer(
    client: httpx.AsyncClient,
) -> None:
    coop, ballot_id = await postal_coop()
    await as_role(client, coop, "member")
    detail = await client.get(coop.assembly_path, headers={"Accept-Language": "fr"})
    assert "Voter par correspondance" in detail.text
    url = f"{coop.assembly_path}/advance-vote"
    page = await client.get(url, headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert "Approuvez-vous les comptes" in page.text
    assert "avant le" in page.text
    assert "à 15:00" in page.text or "15\u00a0h" in page.text or "15:00" in page.text
    done = await post_form(client, url, {f"answer-{ballot_id}": "no"})
    assert done.status_code == 303
    again = await post_form(client, url, {f"answer-{ballot_id}": "yes"})
    assert again.status_code == 303
    shown = await client.get(url + "?saved=1", headers={"Accept-Language": "en"})
    assert "Your answers are saved" in shown.text
    assert "Your answer: For" in shown.text
    assert await AdvanceParticipation.count().where(AdvanceParticipation.ballot == ballot_id) == 1
    papers = await AdvancePaper.select(AdvancePaper.answer).where(AdvancePaper.ballot == ballot_id)
    assert [p["answer"] for p in papers] == ["yes"]


async def test_after_the_deadline_the_form_is_refused_in_french_and_english(
    client: httpx.AsyncClient,
) -> None:
    coop, ballot_id = await postal_coop(days=0)
    await AssemblyTable.update(
        {AssemblyTable.starts_at: datetime.now(UTC) + timedelta(minutes=30)}
    ).where(AssemblyTable.id == coop.assembly_id)
    await as_role(client, coop, "member")
    url = f"{coop.assembly_path}/advance-vote"
    refused = await post_form(client, url, {f"answer-{ballot_id}": "no"})
    assert refused.status_code == 409
    assert "La date limite des votes par correspondance est passée" in refused.text
    english = await post_form(client, url, {f"answer-{ballot_id}": "no"}, language="en")
    assert "The deadline for votes by correspondence has passed" in english.text
    assert not await AdvanceParticipation.exists().where(AdvanceParticipation.ballot == ballot_id)
    detail = await client.get(coop.assembly_path)
    assert "advance-vote" not in detail.text  # no link once the form is closed


async def test_forged_ids_observers_and_other_cooperatives_change_nothing(
    client: httpx.AsyncClient,
) -> None:
    coop, ballot_id = await postal_coop()
    other, foreign = await postal_coop()
    url = f"{coop.assembly_path}/advance-vote"
    await as_role(client, coop, "member")
    for forged in (foreign, 99_999_999):
        answer = await post_form(client, url, {f"answer-{forged}": "yes"})
        assert answer.status_code == 404
    junk = await post_form(client, url, {"answer-abc": "yes"})
    assert junk.status_code == 404
    # another cooperative's assembly through this cooperative's address
    elsewhere = f"{coop.base}/assemblies/{other.assembly_id}/advance-vote"
    assert (await client.get(elsewhere)).status_code == 404
    assert (await post_form(client, elsewhere, {f"answer-{foreign}": "yes"})).status_code == 404
    # an observer reads but does not vote
    await as_role(client, coop, "observer")
    observer = await post_form(client, url, {f"answer-{ballot_id}": "yes"})
    assert observer.status_code == 403
    # another cooperative's facilitator
    await as_role(client, other, "facilitator")
    outsider = await post_form(client, url, {f"answer-{ballot_id}": "yes"})
    assert outsider.status_code in (403, 404)
    # a plain member cannot enter a paper form
    await as_role(client, coop, "member")
    paper = await post_form(
        client,
        url + "/paper",
        {"giver": str(await coop.membership("other")), f"paper-{ballot_id}": "no"},
    )
    assert paper.status_code == 403
    assert not await AdvanceParticipation.exists().where(
        AdvanceParticipation.ballot.is_in([ballot_id, foreign])
    )


async def test_a_facilitator_enters_a_paper_form_and_a_second_entry_is_refused(
    client: httpx.AsyncClient,
) -> None:
    coop, ballot_id = await postal_coop()
    await as_role(client, coop, "facilitator")
    url = f"{coop.assembly_path}/advance-vote"
    page = await client.get(url, headers={"Accept-Language": "fr"})
    assert "Saisir un formulaire papier signé" in page.text
    member = str(await coop.membership("other"))
    entered = await post_form(client, url + "/paper", {"giver": member, f"paper-{ballot_id}": "no"})
    assert entered.status_code == 303
    twice = await post_form(client, url + "/paper", {"giver": member, f"paper-{ballot_id}": "yes"})
    assert twice.status_code == 409
    assert "a déjà répondu à cette résolution par correspondance" in twice.text
    listed = await client.get(url, headers={"Accept-Language": "en"})
    assert "awaits a second scrutineer" in listed.text  # dual control is on by default
    assert await AdvanceParticipation.count().where(AdvanceParticipation.ballot == ballot_id) == 1


async def test_when_the_statutes_do_not_provide_for_it_the_page_says_so(
    client: httpx.AsyncClient,
) -> None:
    coop, ballot_id = await postal_coop(allowed=False)
    await as_role(client, coop, "member")
    url = f"{coop.assembly_path}/advance-vote"
    page = await client.get(url, headers={"Accept-Language": "fr"})
    assert "ne prévoient pas le vote par correspondance" in page.text
    refused = await post_form(client, url, {f"answer-{ballot_id}": "no"}, language="en")
    assert refused.status_code == 409
    assert "do not provide for votes by correspondence" in refused.text
    assert not await AdvanceParticipation.exists().where(AdvanceParticipation.ballot == ballot_id)


async def test_the_result_the_register_and_the_minutes_show_the_postal_channel(
    client: httpx.AsyncClient,
) -> None:
    coop, ballot_id, system = await sitting_after_a_postal_answer(client, "no")
    for role in ("facilitator", "member"):
        await attendance.check_in(system, coop.assembly_id, await coop.membership(role))
    await lifecycle.open_ballot(system, ballot_id)
    for role in ("facilitator", "member"):
        await voting.cast_vote(ballot_id, await coop.membership(role), "yes")
    await as_role(client, coop, "facilitator")
    register = await client.get(
        f"{coop.assembly_path}/attendance", headers={"Accept-Language": "fr"}
    )
    assert "A voté par correspondance" in register.text
    assert "par correspondance\u00a0: 1" in register.text
    await as_role(client, coop, "other")
    # the postal voter comes after all: their answer stands, the room takes no second vote
    await attendance.check_in(system, coop.assembly_id, await coop.membership("other"))
    told = await client.get(f"{coop.base}/ballots/{ballot_id}", headers={"Accept-Language": "fr"})
    assert "Vous avez répondu à cette résolution par correspondance" in told.text
    assert 'name="choice"' not in told.text  # no form that could only be refused
    twice = await post_form(client, f"{coop.base}/ballots/{ballot_id}/vote", {"choice": "yes"})
    assert twice.status_code == 409
    assert "Vous avez répondu à cette résolution par correspondance" in twice.text
    await lifecycle.close_ballot(system, ballot_id)
    await lifecycle.publish_ballot(system, ballot_id)
    await as_role(client, coop, "member")
    shown = await client.get(f"{coop.base}/ballots/{ballot_id}", headers={"Accept-Language": "fr"})
    assert "Votes en séance et par correspondance" in shown.text
    assert "Par correspondance" in shown.text
    english = await client.get(
        f"{coop.base}/ballots/{ballot_id}", headers={"Accept-Language": "en"}
    )
    assert "Votes in the room and by correspondence" in english.text
    exported = await client.get(f"{coop.base}/ballots/{ballot_id}/result.json")
    assert exported.json()["postal"] == {"no": 1}  # the recount takes the channel too
    minutes = await facilitators_minutes(client, coop)
    assert "1 formulaire par correspondance" in minutes.text
    assert "Par correspondance" in minutes.text


async def test_an_administrator_sets_the_postal_rule_on_the_rules_page(
    client: httpx.AsyncClient,
) -> None:
    coop, _ballot = await postal_coop(allowed=False)
    await Membership.update({Membership.is_admin: True}).where(
        Membership.id == await coop.membership("facilitator")
    )
    await as_role(client, coop, "facilitator")
    values = form_values(await rules.organisation_profile(coop.organisation_id))
    values.update(
        postal_allowed="1",
        postal_days="2",
        postal_time="18:30",
        postal_room_motions="abstain",
        postal_on_arrival="replaced",
    )
    saved = await post_form(client, f"{coop.base}/rules/", values)
    assert saved.status_code == 303
    postal = (await rules.organisation_profile(coop.organisation_id)).postal
    assert (postal.allowed, postal.days_before, postal.hour, postal.minute) == (True, 2, 18, 30)
    assert (postal.room_motions, postal.on_arrival) == ("abstain", "replaced")
    assert postal.source.confidence.value == "statutes"
    page = await client.get(f"{coop.base}/rules/", headers={"Accept-Language": "fr"})
    assert "jusqu’à 2 jours avant l’assemblée, à 18:30" in page.text
    bad = await post_form(client, f"{coop.base}/rules/", {**values, "postal_time": "25:99"})
    assert bad.status_code == 422
    assert "Écrivez une heure" in bad.text
    assert (await rules.organisation_profile(coop.organisation_id)).postal == postal


async def test_the_console_asks_before_leaving_out_a_paper_form_and_the_minutes_say_so(
    client: httpx.AsyncClient,
) -> None:
    coop, ballot_id = await postal_coop()  # dual control: the form awaits a second scrutineer
    await as_role(client, coop, "facilitator")
    url = f"{coop.assembly_path}/advance-vote"
    member = str(await coop.membership("other"))
    entered = await post_form(client, url + "/paper", {"giver": member, f"paper-{ballot_id}": "no"})
    assert entered.status_code == 303
    system = await in_session(coop)
    await attendance.check_in(system, coop.assembly_id, await coop.membership("member"))
    await lifecycle.open_ballot(system, ballot_id)
    await voting.cast_vote(ballot_id, await coop.membership("member"), "yes")
    console = f"{coop.base}/ballots/{ballot_id}/console"
    told = await post_form(client, console + "/close", {})
    assert told.status_code == 409
    assert "1 formulaire papier par correspondance attend son second scrutateur" in told.text
    assert 'name="despite"' in told.text  # the facilitator may close anyway, knowingly
    assert (await client.get(f"{coop.base}/ballots/{ballot_id}")).status_code == 200
    closed = await post_form(client, console + "/close", {"despite": "1"}, language="en")
    assert closed.status_code == 303
    await lifecycle.publish_ballot(system, ballot_id)
    minutes = await facilitators_minutes(client, coop)
    assert "1 formulaire papier signé attendait son second scrutateur" in minutes.text


async def test_the_form_reads_as_sentences(client: httpx.AsyncClient) -> None:
    """The rules are told in sentences separated by a space ("résolutions.Sur un amendement"
    ran two together)."""
    coop, _ = await postal_coop()
    await as_role(client, coop, "member")
    page = await client.get(
        f"{coop.assembly_path}/advance-vote",
        headers={"Accept-Language": "fr"},
    )
    text = " ".join(html.unescape(page.text).split())
    assert "sur ces résolutions. Sur un amendement" in text
    assert not re.search(r"[a-zé]\.[A-Z]", re.sub(r"<[^>]+>", " ", text))

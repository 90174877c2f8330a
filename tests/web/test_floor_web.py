"""The floor on the web (#19): a member asks for the floor from their phone, the facilitator
gives it from the console, the projector shows who speaks; a mood check says everywhere that it
is not a vote; bad input gets a translated sentence and changes nothing."""

from __future__ import annotations

import html

import httpx
from tests.support.factories import Coop, cooperative
from tests.support.floor import subject_key
from tests.web.assembly_helpers import as_role, post_form
from tests.web.helpers import assert_shows

from votes.db.tables import (
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    FloorSettings,
    MoodAnswer,
    MoodCheck,
    MoodKind,
    SpeakerRequest,
)
from votes.services import assemblies, mood, proposals
from votes.services.actors import actor_for

NOT_A_VOTE = "Sondage indicatif — ce n'est pas un vote"


async def _coop() -> Coop:
    coop = await cooperative()
    await assemblies.set_current_item(coop.assembly_id, coop.item_id)
    return coop


async def _requests(coop: Coop) -> int:
    return await SpeakerRequest.count().where(SpeakerRequest.organisation == coop.organisation_id)


async def _first_request(coop: Coop) -> int:
    """The id of the coop's first request for the floor."""
    row = (
        await SpeakerRequest.select(SpeakerRequest.id)
        .where(SpeakerRequest.organisation == coop.organisation_id)
        .first()
    )
    assert row is not None
    return int(row["id"])


async def test_ask_give_and_see_it_on_the_projector(client: httpx.AsyncClient) -> None:
    coop = await _coop()
    floor = f"{coop.assembly_path}/floor"
    await as_role(client, coop, "member")
    phone = await client.get(floor, headers={"Accept-Language": "fr"})
    assert phone.status_code == 200
    assert "Demander la parole" in phone.text
    asked = await post_form(client, f"{floor}/request", {"kind": "speak"})
    assert asked.status_code == 303
    twice = await post_form(client, f"{floor}/request", {"kind": "speak"})
    assert twice.status_code == 409
    assert "Vous avez déjà demandé la parole\u00a0: attendez votre tour." in twice.text
    assert await _requests(coop) == 1
    phone = await client.get(floor, headers={"Accept-Language": "fr"})
    assert "Vous êtes le ou la prochain·e." in phone.text
    forbidden = await post_form(client, f"{floor}/give", {})
    assert forbidden.status_code == 403

    await as_role(client, coop, "other")
    mine_only = await post_form(
        client, f"{floor}/withdraw", {"request": await _first_request(coop)}
    )
    assert mine_only.status_code == 409
    assert await _requests(coop) == 1

    await as_role(client, coop, "facilitator")
    console = await client.get(f"{floor}/console", headers={"Accept-Language": "fr"})
    assert "Donner la parole à Member" in console.text
    given = await post_form(client, f"{floor}/give", {})
    assert given.status_code == 303
    projector = await client.get(f"{floor}/projector", headers={"Accept-Language": "fr"})
    assert_shows(projector.text, "À la parole", "Member ", "data-floor-timer")

    await as_role(client, coop, "member")
    phone = await client.get(floor, headers={"Accept-Language": "fr"})
    assert 'data-my-turn="1"' in phone.text
    assert "C'est à vous de parler\u00a0!" in phone.text


async def test_a_mood_check_is_never_a_vote_on_any_surface(client: httpx.AsyncClient) -> None:
    coop = await _coop()
    base = coop.assembly_path
    await as_role(client, coop, "facilitator")
    console = await client.get(f"{base}/floor/console", headers={"Accept-Language": "fr"})
    assert NOT_A_VOTE in console.text
    bad = await post_form(client, f"{base}/mood", {"kind": "options", "options": "seule"})
    assert bad.status_code == 422
    assert not await MoodCheck.exists().where(MoodCheck.organisation == coop.organisation_id)
    launched = await post_form(
        client, f"{base}/mood", {"kind": "colours", "question": "Prêt·es à voter ?"}
    )
    assert launched.status_code == 303
    check = (
        await MoodCheck.select(MoodCheck.id)
        .where(MoodCheck.organisation == coop.organisation_id)
        .first()
    )
    assert check is not None

    await as_role(client, coop, "member")
    phone = await client.get(f"{base}/floor", headers={"Accept-Language": "fr"})
    assert NOT_A_VOTE in phone.text
    assert "Vert" in phone.text
    answered = await post_form(
        client, f"{base}/mood/answer", {"mood": check["id"], "choice": "red"}
    )
    assert answered.status_code == 303
    unknown = await post_form(
        client, f"{base}/mood/answer", {"mood": check["id"], "choice": "violet"}
    )
    assert unknown.status_code == 422
    assert await MoodAnswer.count().where(MoodAnswer.mood_check == check["id"]) == 1

    projector = await client.get(f"{base}/floor/projector", headers={"Accept-Language": "fr"})
    assert NOT_A_VOTE in projector.text
    assert 'data-mood-bars="' in projector.text

    await as_role(client, coop, "facilitator")
    closed = await post_form(client, f"{base}/mood/close", {"mood": check["id"]})
    assert closed.status_code == 303
    await as_role(client, coop, "other")
    late = await post_form(client, f"{base}/mood/answer", {"mood": check["id"], "choice": "green"})
    assert late.status_code == 409
    assert "Ce sondage indicatif est clôturé." in late.text
    assert await MoodAnswer.count().where(MoodAnswer.mood_check == check["id"]) == 1


async def test_a_member_of_another_cooperative_learns_nothing(client: httpx.AsyncClient) -> None:
    coop, other = await _coop(), await _coop()
    await as_role(client, other, "member")
    floor = f"{coop.assembly_path}/floor"
    assert (await client.get(floor)).status_code == 404
    assert (await post_form(client, f"{floor}/request", {"kind": "speak"})).status_code == 404
    # their own cooperative's address with this assembly: not found either
    foreign = f"{other.base}/assemblies/{coop.assembly_id}/floor"
    assert (await post_form(client, f"{foreign}/request", {"kind": "speak"})).status_code == 404
    assert await _requests(coop) == 0


async def test_mood_checks_are_an_annex_of_the_minutes_never_a_resolution(
    client: httpx.AsyncClient,
) -> None:
    coop = await _coop()
    actor = await actor_for(coop.organisation_id)
    mood_id = await mood.launch(actor, coop.assembly_id, MoodKind.THUMBS, "Prêt·es à voter ?")
    await mood.close(actor, mood_id)
    await as_role(client, coop, "facilitator")
    minutes = await client.get(f"{coop.assembly_path}/minutes", headers={"Accept-Language": "fr"})
    assert minutes.status_code == 200
    document, _, annex = minutes.text.partition("Annexe\u00a0: sondages indicatifs")
    assert annex, "the annex is there"
    assert NOT_A_VOTE in annex
    assert "Prêt·es à voter" in annex
    assert "Prêt·es à voter" not in document
    assert 'class="resolution"' not in minutes.text


async def _proposal(coop: Coop, title: str, item_id: int) -> tuple[int, int, int]:
    """A proposal on the item and two amendments to it (ids)."""
    proposal_id = await proposals.create_proposal(
        coop.organisation_id,
        coop.assembly_id,
        coop.people["member"],
        title,
        "La cantine sert des repas bio deux fois par semaine.",
        agenda_item_id=item_id,
    )
    rows = []
    for number in (1, 2):
        rows.append(
            await Amendment.insert(
                Amendment(
                    organisation=coop.organisation_id,
                    proposal=proposal_id,
                    number=number,
                    amendment_key=f"{proposal_id}:{number}",
                    author=coop.people["member"],
                    kind=AmendmentKind.FULL.value,
                    text=f"Version {number}",
                    base_version=1,
                )
            )
        )
    return proposal_id, rows[0][0]["id"], rows[1][0]["id"]


async def test_the_floor_on_an_amendment_has_its_own_list(client: httpx.AsyncClient) -> None:
    coop = await _coop()
    floor = f"{coop.assembly_path}/floor"
    fr = {"Accept-Language": "fr"}
    _, _, amendment_id = await _proposal(coop, "Cantine bio", coop.item_id)
    await as_role(client, coop, "other")
    assert (await post_form(client, f"{floor}/request", {"kind": "speak"})).status_code == 303
    await as_role(client, coop, "facilitator")
    console = await client.get(f"{floor}/console", headers=fr)
    assert "Sujet en discussion" in console.text
    assert "Amendement n°\u00a02 à «\u00a0Cantine bio\u00a0»" in console.text
    chosen = await post_form(client, f"{floor}/subject", {"subject": f"a{amendment_id}"})
    assert chosen.status_code == 303
    console = await client.get(f"{floor}/console", headers=fr)
    assert "Personne n'attend." in html.unescape(console.text)  # the amendment's list is empty
    # the order rule speaks of the subject under discussion, an amendment here, not of "ce point"
    await FloorSettings.update({FloorSettings.ordering: "first_time"}).where(
        FloorSettings.settings_key == str(coop.assembly_id)
    )
    console = await client.get(f"{floor}/console", headers=fr)
    assert "exprimé·es sur ce sujet" in console.text
    assert "sur ce point" not in console.text

    await as_role(client, coop, "member")
    phone = await client.get(floor, headers=fr)
    assert "En discussion\u00a0:" in phone.text
    assert "Amendement n°\u00a02 à «\u00a0Cantine bio\u00a0»" in phone.text
    assert (await post_form(client, f"{floor}/request", {"kind": "speak"})).status_code == 303
    projector = await client.get(f"{floor}/projector", headers=fr)
    assert "Amendement n°\u00a02 à «\u00a0Cantine bio\u00a0»" in projector.text
    lists = await SpeakerRequest.select(
        SpeakerRequest.floor_list.list_key.as_alias("key")  # type: ignore[union-attr]
    ).where(SpeakerRequest.organisation == coop.organisation_id)
    assert sorted(r["key"] for r in lists) == sorted(
        [str(coop.item_id), f"{coop.item_id}:a{amendment_id}"]
    )

    await as_role(client, coop, "facilitator")
    assert (await post_form(client, f"{floor}/give", {})).status_code == 303
    assert (await post_form(client, f"{floor}/end", {})).status_code == 303
    stats = await client.get(f"{floor}/stats", headers=fr)
    assert "Amendement n°\u00a02 à «\u00a0Cantine bio\u00a0»" in stats.text


async def test_a_subject_from_elsewhere_gets_a_sentence_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    coop, other = await _coop(), await _coop()
    floor = f"{coop.assembly_path}/floor"
    proposal_id, first, second = await _proposal(coop, "Cantine bio", coop.item_id)
    other_item = await assemblies.add_agenda_item(coop.assembly_id, "Divers")
    elsewhere, _, _ = await _proposal(coop, "Autre", other_item)
    foreign, foreign_amendment, _ = await _proposal(other, "Ailleurs", other.item_id)
    await Amendment.update({Amendment.status: AmendmentStatus.WITHDRAWN.value}).where(
        Amendment.id == second
    )
    await as_role(client, coop, "facilitator")
    assert (
        await post_form(client, f"{floor}/subject", {"subject": f"a{first}"})
    ).status_code == 303
    before = await subject_key(coop.assembly_id)
    assert before == f"{coop.item_id}:a{first}"
    for choice in (f"p{elsewhere}", f"a{second}", f"p{foreign}", f"a{foreign_amendment}", "zz"):
        refused = await post_form(client, f"{floor}/subject", {"subject": choice})
        assert refused.status_code == 422, choice
        assert "Choisissez le point de l'ordre du jour" in html.unescape(refused.text)
        assert await subject_key(coop.assembly_id) == before
    # a member cannot choose; another cooperative's facilitator does not find the assembly
    await as_role(client, coop, "member")
    member = await post_form(client, f"{floor}/subject", {"subject": f"p{proposal_id}"})
    assert member.status_code == 403
    await as_role(client, other, "facilitator")
    foreign_floor = f"{other.base}/assemblies/{coop.assembly_id}/floor"
    assert (
        await post_form(client, f"{foreign_floor}/subject", {"subject": f"p{proposal_id}"})
    ).status_code == 404
    assert await subject_key(coop.assembly_id) == before


async def test_a_choice_no_form_offers_is_refused_not_replaced(client: httpx.AsyncClient) -> None:
    """A crafted kind of request, ordering or mood check used to become the default one (a
    plain request to speak, arrival order, fist-to-five) without a word: it is refused."""
    coop = await _coop()
    base = coop.assembly_path
    await as_role(client, coop, "member")
    asked = await post_form(client, f"{base}/floor/request", {"kind": "filibuster"})
    assert asked.status_code == 422
    assert "Choisissez l’une des options proposées." in html.unescape(asked.text)
    assert await _requests(coop) == 0

    await as_role(client, coop, "facilitator")
    mood_check = {"kind": "secret_ballot", "question": "Prêt·es ?"}
    launched = await post_form(client, f"{base}/mood", mood_check)
    assert launched.status_code == 422
    assert not await MoodCheck.exists().where(MoodCheck.organisation == coop.organisation_id)
    rules = {"ordering": "loudest", "speaker_minutes": "3", "item_minutes": "30"}
    refused = await post_form(client, f"{base}/floor/rules", rules)
    assert refused.status_code == 422
    assert "Choisissez l’une des options proposées." in html.unescape(refused.text)
    assert not await FloorSettings.exists().where(
        (FloorSettings.settings_key == str(coop.assembly_id))
        & (FloorSettings.ordering != "arrival")
    )
    member = await coop.membership("member")
    added = await post_form(client, f"{base}/floor/add", {"member": member, "kind": "x"})
    assert added.status_code == 422
    assert await _requests(coop) == 0


async def test_mood_options_are_never_cut_to_fit(client: httpx.AsyncClient) -> None:
    """Answers posted past what the form allows are refused whole, not cut to 1,000
    characters (which could turn a refused list into an accepted, shortened one)."""
    coop = await _coop()
    base = coop.assembly_path
    await as_role(client, coop, "facilitator")
    options = "\n".join(["Oui", "Non", " " * 990, "Une réponse bien trop longue" * 3])
    launched = await post_form(client, f"{base}/mood", {"kind": "options", "options": options})
    assert launched.status_code == 422
    assert not await MoodCheck.exists().where(MoodCheck.organisation == coop.organisation_id)


async def test_a_request_on_another_subject_stays_in_sight(client: httpx.AsyncClient) -> None:
    """A member who asked for the floor on an amendment still sees their request, and may
    withdraw it, while the facilitator has moved the discussion to another subject."""
    coop = await _coop()
    floor = f"{coop.assembly_path}/floor"
    _, amendment_id, _ = await _proposal(coop, "Cantine bio", coop.item_id)
    await as_role(client, coop, "facilitator")
    chosen = await post_form(client, f"{floor}/subject", {"subject": f"a{amendment_id}"})
    assert chosen.status_code == 303
    await as_role(client, coop, "member")
    assert (await post_form(client, f"{floor}/request", {"kind": "speak"})).status_code == 303
    phone = await client.get(floor)
    assert "data-floor-elsewhere" not in phone.text  # it is the list under discussion

    await as_role(client, coop, "facilitator")
    assert (await post_form(client, f"{floor}/subject", {"subject": "item"})).status_code == 303
    await as_role(client, coop, "member")
    phone = html.unescape((await client.get(floor)).text)
    assert "Votre demande attend le retour de son sujet\u00a0: Amendement n°\u00a01" in phone
    withdrawn = await post_form(
        client, f"{floor}/withdraw", {"request": await _first_request(coop)}
    )
    assert withdrawn.status_code == 303
    assert "data-floor-elsewhere" not in (await client.get(floor)).text
    assert await _requests(coop) == 1  # withdrawn, not deleted
    withdrawn = (SpeakerRequest.organisation == coop.organisation_id) & (
        SpeakerRequest.status == "withdrawn"
    )
    assert await SpeakerRequest.count().where(withdrawn) == 1

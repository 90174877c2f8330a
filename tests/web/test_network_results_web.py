"""A network's ballot on screen (#20): the deciding verdict, both counts side by side and each
cooperative's line on the results page, both counts and (a few cooperatives) their lines on
the projector; a small cooperative's line hidden in a secret ballot, with the reason said."""

from __future__ import annotations

import json
import uuid

import httpx
from tests.support.factories import PASSWORD, close, open_ballot, role_holders
from tests.support.network_ballots import Network, network
from tests.web.assembly_helpers import post_form
from tests.web.helpers import assert_shows, sign_in

from votes.db.tables import Ballot, Organisation
from votes.services.ballots import lifecycle
from votes.services.ballots.network_counts import DECIDES_KEY


async def _signed_in(client: httpx.AsyncClient, net: Network) -> str:
    """The network's facilitator signed in; the network's base path."""
    tag = uuid.uuid4().hex[:8]
    holders = await role_holders(net.organisation_id, tag, ("facilitator",))
    await sign_in(client, holders["facilitator"].email, PASSWORD)
    row = (
        await Organisation.select(Organisation.short_name)
        .where(Organisation.id == net.organisation_id)
        .first()
    )
    assert row is not None
    return f"/o/{row['short_name']}"


async def _published(net: Network, *, secret: bool = False, petite: int = 2) -> int:
    ballot_id = await net.motion(question="Adhérer à la charte commune ?", secret=secret)
    await open_ballot(ballot_id)
    await net.vote(ballot_id, "grande", {"yes": 1, "no": 5})
    await net.vote(ballot_id, "petite", {"yes": petite})
    await close(ballot_id)
    await lifecycle.publish_ballot(await lifecycle.system_actor(ballot_id), ballot_id)
    return ballot_id


def _words(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return " ".join(response.text.split())


async def test_the_results_page_shows_the_deciding_verdict_then_both_counts(
    client: httpx.AsyncClient,
) -> None:
    net = await network({"grande": 6, "petite": 2})
    base = await _signed_in(client, net)
    ballot_id = await _published(net)
    page = _words(
        await client.get(f"{base}/ballots/{ballot_id}", headers={"Accept-Language": "fr"})
    )
    verdict = page.index("verdict--adopted")
    assert verdict < page.index("Par tête et par coopérative")
    assert_shows(
        page,
        "Décidé par le décompte par coopérative : chaque coopérative pèse autant.",
        "Les deux décomptes diffèrent : par tête, le résultat serait : Rejetée.",
        "Par tête (voix)",
    )
    assert "58,3" in page  # 7/12 of the network for: a share, not 0,58333 votes
    assert net.names["grande"] in page
    assert net.names["petite"] in page
    assert "Pour 1, Contre 5, Abstention 0" in page  # Grande's own line, options in order
    assert f"cooperative:{net.cooperatives['grande']}" not in page  # no internal key
    english = _words(
        await client.get(f"{base}/ballots/{ballot_id}", headers={"Accept-Language": "en"})
    )
    assert "Decided by the count per cooperative" in english
    dutch = _words(
        await client.get(f"{base}/ballots/{ballot_id}", headers={"Accept-Language": "nl"})
    )
    assert "Per hoofd" in dutch


async def test_the_projector_shows_per_head_and_per_cooperative(
    client: httpx.AsyncClient,
) -> None:
    net = await network({"grande": 6, "petite": 2})
    base = await _signed_in(client, net)
    await _published(net)
    projector = _words(
        await client.get(
            f"{base}/assemblies/{net.assembly_id}/projector",
            headers={"HX-Request": "true", "Accept-Language": "fr"},
        )
    )
    assert_shows(projector, "Par tête (voix)", "Par coopérative (part du réseau)", "(décide)")
    # a few cooperatives: each one's line beside the counts, by name, in the room's words
    assert_shows(
        projector, "Par coopérative", net.names["grande"], "Pour 1, Contre 5, Abstention 0"
    )


async def test_a_secret_ballot_hides_a_small_cooperative_and_says_why(
    client: httpx.AsyncClient,
) -> None:
    net = await network({"grande": 6, "petite": 3})
    base = await _signed_in(client, net)
    ballot_id = await _published(net, secret=True, petite=3)
    page = _words(
        await client.get(f"{base}/ballots/{ballot_id}", headers={"Accept-Language": "fr"})
    )
    assert (
        f"{net.names['petite']} avait moins de 5 votant·es" in page
        or f"{net.names['petite']} ont eu moins de 5 votant·es" in page
    )
    assert "non affiché" in page
    assert "Pour 1, Contre 5" not in page  # Grande's own line would reveal Petite's


async def test_the_draft_form_of_a_network_asks_which_count_decides(
    client: httpx.AsyncClient,
) -> None:
    net = await network({"grande": 2})
    base = await _signed_in(client, net)
    form = _words(
        await client.get(
            f"{base}/assemblies/{net.assembly_id}/ballots/new", headers={"Accept-Language": "fr"}
        )
    )
    assert "Le décompte qui décide" in form
    created = await post_form(
        client,
        f"{base}/assemblies/{net.assembly_id}/ballots",
        {
            "question": "Adopter le budget commun ?",
            "method": "majority",
            "options": "Pour\nContre\nAbstention",
            "seats": "1",
            "threshold": "1/2",
            "base": "cast",
            "decides": "head",
        },
    )
    assert created.status_code == 303
    console = _words(
        await client.get(created.headers["location"], headers={"Accept-Language": "fr"})
    )
    assert "scrutin d’un réseau : le décompte par tête décide" in console
    row = (
        await Ballot.select(Ballot.rules)
        .where(
            (Ballot.organisation == net.organisation_id)
            & (Ballot.question == "Adopter le budget commun ?")
        )
        .first()
    )
    assert row is not None
    assert f'"{DECIDES_KEY}": "head"' in row["rules"]
    refused = await post_form(
        client,
        f"{base}/assemblies/{net.assembly_id}/ballots",
        {
            "question": "Sur tous les membres ?",
            "method": "majority",
            "options": "Pour\nContre\nAbstention",
            "seats": "1",
            "threshold": "1/2",
            "base": "members",
        },
    )
    assert refused.status_code == 422
    assert "Dans un réseau" in refused.text
    assert not await Ballot.exists().where(
        (Ballot.organisation == net.organisation_id) & (Ballot.question == "Sur tous les membres ?")
    )


async def test_the_result_file_carries_both_counts(client: httpx.AsyncClient) -> None:
    net = await network({"grande": 6, "petite": 2})
    base = await _signed_in(client, net)
    ballot_id = await _published(net)
    exported = await client.get(f"{base}/ballots/{ballot_id}/result.json")
    assert exported.status_code == 200
    body = json.loads(exported.content)
    assert body["result"]["verdict"] == "adopted"
    assert body["network"]["decides"] == "cooperative"
    assert body["network"]["per_head"]["verdict"] == "rejected"
    assert [line["name"] for line in body["network"]["cooperatives"]] == [
        net.names["grande"],
        net.names["petite"],
    ]


async def _published_with_colleges(net: Network) -> int:
    """Grande (6) and Petite (4), one individual member in no college; « Salariés » (30 %)
    holds three of Grande's and two of Petite's, « Usagers » (70 %) the others. Per
    cooperative the motion is adopted; by college 23/50 for: rejected."""
    grande, petite = net.members["grande"], net.members["petite"]
    await net.colleges(
        {"Salariés": "30", "Usagers": "70"},
        {"Salariés": grande[:3] + petite[:2], "Usagers": grande[3:] + petite[2:]},
    )
    ballot_id = await net.motion(question="Adhérer à la charte commune ?")
    await open_ballot(ballot_id)
    await net.vote(ballot_id, "grande", {"yes": 1, "no": 5})
    await net.vote(ballot_id, "petite", {"yes": 4})
    await net.vote(ballot_id, "", {"yes": 1})
    await close(ballot_id)
    await lifecycle.publish_ballot(await lifecycle.system_actor(ballot_id), ballot_id)
    return ballot_id


async def test_a_network_with_colleges_shows_the_count_by_college_too(
    client: httpx.AsyncClient,
) -> None:
    net = await network({"grande": 6, "petite": 4}, individuals=1)
    base = await _signed_in(client, net)
    ballot_id = await _published_with_colleges(net)
    page = _words(
        await client.get(f"{base}/ballots/{ballot_id}", headers={"Accept-Language": "fr"})
    )
    assert page.index("verdict--adopted") < page.index("Par tête, par coopérative et par collège")
    assert "Par collège (part des voix)" in page
    assert "Par collège, le résultat serait : Rejetée." in page
    assert "46" in page  # 23/50 of the vote for, weighted by college
    assert "Salariés" in page
    assert "Usagers" in page
    assert "Pour 3, Contre 2, Abstention 0" in page  # the Salariés' own line
    assert "1 participant·e sans collège n’entre pas dans le décompte par collège." in page
    assert "college:" not in page  # no internal key
    dutch = _words(
        await client.get(f"{base}/ballots/{ballot_id}", headers={"Accept-Language": "nl"})
    )
    assert "Per college (aandeel van de stemmen)" in dutch
    projector = _words(
        await client.get(
            f"{base}/assemblies/{net.assembly_id}/projector",
            headers={"HX-Request": "true", "Accept-Language": "fr"},
        )
    )
    assert "Par collège (part des voix)" in projector
    assert "Pour 3, Contre 2" not in projector  # the colleges' lines stay on the results page
    exported = json.loads((await client.get(f"{base}/ballots/{ballot_id}/result.json")).content)
    by_college = exported["network"]["by_college"]
    assert by_college["result"]["verdict"] == "rejected"
    assert [line["name"] for line in by_college["colleges"]] == ["Salariés", "Usagers"]


async def test_a_secret_ballot_hides_the_colleges_lines_when_one_is_small(
    client: httpx.AsyncClient,
) -> None:
    net = await network({"grande": 6, "petite": 4}, individuals=1)
    grande, petite = net.members["grande"], net.members["petite"]
    base = await _signed_in(client, net)
    await net.colleges(
        {"Salariés": "30", "Usagers": "70"},
        {"Salariés": grande + petite[:2], "Usagers": petite[2:]},
    )
    ballot_id = await net.motion(question="Adhérer à la charte commune ?", secret=True)
    await open_ballot(ballot_id)
    await net.vote(ballot_id, "grande", {"yes": 5, "no": 1})
    await net.vote(ballot_id, "petite", {"yes": 4})
    await close(ballot_id)
    await lifecycle.publish_ballot(await lifecycle.system_actor(ballot_id), ballot_id)
    page = _words(
        await client.get(f"{base}/ballots/{ballot_id}", headers={"Accept-Language": "fr"})
    )
    assert "Le décompte propre à chaque collège n’est pas affiché : Usagers avait moins" in page
    assert "Par collège (part des voix)" in page  # the total by college is kept
    assert "Pour 7, Contre 1" not in page  # the Salariés' line would reveal the Usagers'


async def test_the_cooperatives_lines_are_listed_by_name(client: httpx.AsyncClient) -> None:
    """People look a cooperative up by its name: not by the order it joined (nor by its id
    written as text, where 10 comes before 9)."""
    net = await network({"zebre": 2, "abeille": 2})
    base = await _signed_in(client, net)
    ballot_id = await net.motion(question="Adhérer à la charte commune ?")
    await open_ballot(ballot_id)
    await net.vote(ballot_id, "zebre", {"yes": 2})
    await net.vote(ballot_id, "abeille", {"no": 2})
    await close(ballot_id)
    await lifecycle.publish_ballot(await lifecycle.system_actor(ballot_id), ballot_id)
    page = _words(
        await client.get(f"{base}/ballots/{ballot_id}", headers={"Accept-Language": "fr"})
    )
    assert page.index(net.names["abeille"]) < page.index(net.names["zebre"])

"""The audit trail names the people its details point to (who co-signed a result, whose
contribution was hidden, who gave a proxy) by their name in this cooperative, never a bare
number; and never the name of someone who is not a member here. Its subject filter speaks
words: a kind of subject and its number, not the stored ``ballot:12``."""

from __future__ import annotations

import httpx
from tests.support.factories import (
    PASSWORD,
    administered_with_member,
    close,
    general_assembly,
    new_ballot,
    planned_assembly,
    unique,
)
from tests.web.helpers import assert_shows, sign_in
from tests.web.minutes_helpers import visible_text

from votes.db import proposal_queries
from votes.db.audit_queries import PAGE_SIZE
from votes.db.tables import Membership, Organisation, Person
from votes.services import accounts, audit, deliberation, organisations, proposals
from votes.services.actors import actor_for
from votes.services.ballots import lifecycle
from votes.web.audit_labels import KINDS, SUBJECTS

FRENCH = {"Accept-Language": "fr"}


async def _name(person_id: int) -> str:
    row = await Person.select(Person.name).where(Person.id == person_id).first()
    assert row is not None
    return str(row["name"])


async def _name_of_member(membership_id: int) -> str:
    row = await (
        Membership.select(Membership.person.name).where(Membership.id == membership_id).first()
    )
    assert row is not None
    return str(row["person.name"])


async def test_who_cosigned_and_whose_contribution_was_hidden_read_as_names(
    client: httpx.AsyncClient,
) -> None:
    ga = await general_assembly(4)
    chair, scrutineer, author = ga.members[0], ga.members[1], ga.members[2]
    await Membership.update({Membership.is_facilitator: True}).where(Membership.id == chair)
    await Membership.update({Membership.is_scrutineer: True}).where(Membership.id == scrutineer)
    email = f"{unique('admin')}@example.org"
    admin = await accounts.create_person("Admin Journal", email, PASSWORD)
    await organisations.add_membership(ga.organisation_id, admin, is_admin=True)
    # a co-signed publication
    await ga.check_in(0, 1, 2, 3)
    ballot_id = await ga.motion()
    await ga.vote(ballot_id, {"yes": 3, "no": 1})
    await close(ballot_id)
    await lifecycle.cosign(await actor_for(ga.organisation_id, scrutineer), ballot_id, "publish")
    facilitator = await actor_for(ga.organisation_id, chair)
    await lifecycle.publish_ballot(facilitator, ballot_id)
    # a hidden contribution
    writer = await actor_for(ga.organisation_id, author)
    proposal_id = await proposals.submit_proposal(writer, ga.assembly_id, "P", "Texte")
    shown = await proposal_queries.proposal_page(ga.organisation_id, proposal_id)
    assert shown is not None
    said = await deliberation.post_contribution(writer, shown.thread_id, "Hors sujet")
    await deliberation.hide_contribution(facilitator, said, "Hors sujet")
    slug = await Organisation.select(Organisation.short_name).where(
        Organisation.id == ga.organisation_id
    )
    await sign_in(client, email, PASSWORD)
    page = await client.get(f"/o/{slug[0]['short_name']}/audit", headers=FRENCH)
    assert page.status_code == 200
    text = visible_text(page.text)
    scrutineer_name = await _name_of_member(scrutineer)
    author_name = await _name_of_member(author)
    assert_shows(text, f"cosigné par : {scrutineer_name}", f"auteur·rice : {author_name}")
    assert "personne n°" not in text
    # what an entry is about reads by its title, its number kept (two may share a title)
    assert_shows(
        text,
        f"Scrutin n° {ballot_id} : La résolution ?",
        f"Proposition n° {proposal_id} : P",
        f"Assemblée n° {ga.assembly_id} : ",
    )


async def test_a_person_of_another_cooperative_stays_a_number(client: httpx.AsyncClient) -> None:
    slug, organisation_id, email, member, membership_id = await administered_with_member(
        "Journal", "Membre"
    )
    _, _, _, stranger, stranger_membership = await administered_with_member("Voisine", "Autre")
    # an entry naming the other cooperative's ballot (a forged or mistaken subject)
    their_organisation, their_assembly, _, _ = await planned_assembly(1)
    their_ballot = await new_ballot(their_organisation, their_assembly, "Leur secret ?")
    await audit.record(
        organisation_id,
        "ballot.published",
        subject=f"ballot:{their_ballot}",
        details={"cosigned_by": stranger},
    )
    await audit.record(
        organisation_id,
        "contribution.hidden",
        subject="contribution:1",
        details={"reason": "Hors sujet", "author": member},
    )
    await audit.record(
        organisation_id,
        "proxy.given",
        subject="proxy:1",
        details={"giver": stranger_membership, "holder": membership_id},
    )
    await sign_in(client, email, PASSWORD)
    page = await client.get(f"/o/{slug}/audit", headers=FRENCH)
    text = visible_text(page.text)
    member_name, stranger_name = await _name(member), await _name(stranger)
    assert_shows(
        text,
        f"cosigné par : Personne n° {stranger}",  # not a member here: a number
        f"auteur·rice : {member_name}",
        f"mandataire : {member_name}",
        f"mandant·e : Associé·e n° {stranger_membership}",
    )
    assert stranger_name not in text
    assert_shows(text, f"Scrutin n° {their_ballot}")  # another cooperative's: no title
    assert "Leur secret" not in text


async def test_the_subject_filter_speaks_words(client: httpx.AsyncClient) -> None:
    slug, organisation_id, email, _, _ = await administered_with_member("Journal", "Membre")
    for subject in ("ballot:12", "ballot:120", "proposal:12"):
        await audit.record(organisation_id, "ballot.opened", subject=subject)
    await sign_in(client, email, PASSWORD)
    url = f"/o/{slug}/audit"
    page = await client.get(url, headers=FRENCH)
    text = visible_text(page.text)
    assert "ballot:12" not in page.text
    assert "par ex." not in text
    assert_shows(page.text, ">Un scrutin<", ">Une proposition<", 'name="number"')
    assert KINDS.keys() == SUBJECTS.keys()  # every kind of subject may be chosen, in words
    chosen = await client.get(url, params={"about": "ballot", "number": "12"}, headers=FRENCH)
    assert "1 entrée" in visible_text(chosen.text)
    assert 'value="ballot" selected' in chosen.text
    every = await client.get(url, params={"about": "ballot"}, headers=FRENCH)
    assert "2 entrées" in visible_text(every.text)
    # the links of other pages keep working, and show as the choice they are
    linked = await client.get(url, params={"subject": "proposal:12"}, headers=FRENCH)
    assert "1 entrée" in visible_text(linked.text)
    assert 'value="proposal" selected' in linked.text
    for bad in ({"about": "nonsense", "number": "1"}, {"about": "ballot", "number": "douze"}):
        refused = await client.get(url, params=bad, headers=FRENCH)
        assert refused.status_code == 200
        assert "0 entrée" in visible_text(refused.text)


async def test_the_filter_keeps_what_the_page_links_to(client: httpx.AsyncClient) -> None:
    """A number with no kind finds whatever bears it; a subject named by words (a category)
    stays whole on the next page and in the form; a blank proxy's holder reads as nobody."""
    slug, organisation_id, email, _, _ = await administered_with_member("Journal", "Membre")
    await audit.record(organisation_id, "ballot.opened", subject="ballot:12")
    await audit.record(organisation_id, "ballot.opened", subject="ballot:120")
    category = "category:salarié·es associé·es de l'atelier"
    for _ in range(PAGE_SIZE + 1):
        await audit.record(organisation_id, "category.renamed", subject=category)
    await audit.record(
        organisation_id, "proxy.given", subject="proxy:1", details={"giver": 1, "holder": None}
    )
    await sign_in(client, email, PASSWORD)
    url = f"/o/{slug}/audit"
    numbered = await client.get(url, params={"number": "12"}, headers=FRENCH)
    assert "1 entrée" in visible_text(numbered.text)
    second = await client.get(url, params={"subject": category, "page_number": 2}, headers=FRENCH)
    assert f"{PAGE_SIZE + 1} entrées" in visible_text(second.text)
    onward = await client.get(
        url,
        params={"about": "category", "number": category.partition(":")[2], "page_number": 2},
        headers=FRENCH,
    )
    assert f"{PAGE_SIZE + 1} entrées" in visible_text(onward.text)
    assert 'value="category" selected' in second.text  # the form sends the kind back
    everything = visible_text((await client.get(url, headers=FRENCH)).text)
    assert_shows(everything, "mandataire : personne (pouvoir en blanc)")
    assert "None" not in everything

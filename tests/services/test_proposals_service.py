"""Proposals, amendments and threads: the rules members meet, and the traces they leave."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.support.factories import member_actor, organisation
from tests.support.refusals import refusal_code

from votes.db import agenda_queries, proposal_queries, thread_queries
from votes.db.tables import (
    AmendmentKind,
    Contribution,
    Proposal,
    ProposalStatus,
    ReactionKind,
    Stance,
    SubmissionRule,
)
from votes.services import amendments, assemblies, deliberation, proposals
from votes.services.actors import Actor, actor_for
from votes.services.amendments import apply_amendment
from votes.services.assemblies import ItemText
from votes.services.refusals import Refused


async def _assembly(organisation_id: int, **details: object) -> int:
    return await assemblies.create_assembly(
        await actor_for(organisation_id), "AG", datetime.now(UTC) + timedelta(days=10), **details
    )


async def _bonus_on_the_agenda() -> tuple[int, Actor, Actor, int, int]:
    """A member's proposal of a 300 € bonus on the agenda of a coming assembly: (organisation id,
    its facilitator, the member, assembly id, proposal id)."""
    organisation_id = await organisation()
    chair = await member_actor(organisation_id, facilitator=True)
    member = await member_actor(organisation_id)
    assembly_id = await _assembly(organisation_id)
    item = await assemblies.add_item(chair, assembly_id, ItemText("Primes"))
    proposal_id = await proposals.submit_proposal(
        member, assembly_id, "Prime", "Une prime de 300 €.", agenda_item_id=item
    )
    return organisation_id, chair, member, assembly_id, proposal_id


async def test_submission_respects_the_deadline_and_the_rule_but_not_for_facilitators() -> None:
    organisation_id = await organisation()
    chair = await member_actor(organisation_id, facilitator=True)
    member = await member_actor(organisation_id)
    late = await _assembly(organisation_id, submission_deadline=datetime.now(UTC) - timedelta(1))
    attempt = proposals.submit_proposal(member, late, "Trop tard", "Texte")
    assert await refusal_code(attempt) == "deadline_passed"
    assert await proposals.submit_proposal(chair, late, "Ordre du jour", "Texte")
    reserved = await _assembly(organisation_id, submission_rule=SubmissionRule.FACILITATORS)
    attempt = proposals.submit_proposal(member, reserved, "Idée", "Texte")
    assert await refusal_code(attempt) == "facilitators_only"
    assert await Proposal.count().where(Proposal.author == member.person_id) == 0


async def test_every_edit_is_a_new_version_and_only_authors_edit() -> None:
    organisation_id = await organisation()
    author = await member_actor(organisation_id)
    coauthor = await member_actor(organisation_id)
    other = await member_actor(organisation_id)
    assembly_id = await _assembly(organisation_id)
    proposal_id = await proposals.submit_proposal(
        author, assembly_id, "Télétravail", "Deux jours.", coauthor_ids=[coauthor.person_id]
    )
    assert await proposals.edit_proposal(coauthor, proposal_id, "Télétravail", "Trois jours.") == 2
    attempt = proposals.edit_proposal(other, proposal_id, "Télétravail", "Cinq jours.")
    assert await refusal_code(attempt) == "not_author"
    attempt = proposals.edit_proposal(author, proposal_id, "Télétravail", "Trois jours.")
    assert await refusal_code(attempt) == "unchanged"
    versions = await proposal_queries.versions_of(organisation_id, proposal_id)
    assert [v.body for v in versions] == ["Deux jours.", "Trois jours."]


async def test_amendments_apply_as_new_versions_and_not_to_withdrawn_proposals() -> None:
    organisation_id = await organisation()
    author = await member_actor(organisation_id)
    member = await member_actor(organisation_id)
    assembly_id = await _assembly(organisation_id)
    proposal_id = await proposals.submit_proposal(
        author, assembly_id, "Prime", "Une prime de 300 € pour tous."
    )
    attempt = amendments.propose_amendment(
        member, proposal_id, AmendmentKind.REPLACE, passage="500 €", text="400 €"
    )
    assert await refusal_code(attempt) == "passage_not_found"
    amendment_id = await amendments.propose_amendment(
        member, proposal_id, AmendmentKind.REPLACE, passage="300 €", text="400 €"
    )
    attempt = amendments.decide_amendment(member, amendment_id, "accept")
    assert await refusal_code(attempt) == "not_allowed"  # not the author's
    assert await amendments.decide_amendment(author, amendment_id, "accept") == 2
    page = await proposal_queries.proposal_page(organisation_id, proposal_id)
    assert page is not None
    assert page.body == "Une prime de 400 € pour tous."
    await proposals.change_status(author, proposal_id, ProposalStatus.WITHDRAWN)
    attempt = amendments.propose_amendment(member, proposal_id, AmendmentKind.FULL, text="Rien")
    assert await refusal_code(attempt) == "proposal_withdrawn"


async def test_pending_amendments_are_voted_before_their_proposal() -> None:
    organisation_id, chair, member, assembly_id, proposal_id = await _bonus_on_the_agenda()
    insert = await amendments.propose_amendment(
        member, proposal_id, AmendmentKind.INSERT, passage="300 €.", text="Versée en juin."
    )
    await amendments.propose_amendment(
        member, proposal_id, AmendmentKind.FULL, text="Pas de prime."
    )
    assert await refusal_code(proposals.put_to_vote(chair, proposal_id)) == "amendments_pending"
    page = await agenda_queries.assembly_page(organisation_id, assembly_id)
    assert page is not None
    order = [(s.amendment_number, s.title) for s in page.agenda[0].voting_order]
    assert order == [(2, "Prime"), (1, "Prime"), (None, "Prime")]  # the full text first
    ballot_id = await amendments.put_amendment_to_vote(chair, insert)
    assert ballot_id
    # recorded before its ballot's result is published: an override, with its reason (#16)
    await amendments.decide_amendment(chair, insert, "adopt", reason="Adopté à main levée")
    proposal = await proposal_queries.proposal_page(organisation_id, proposal_id)
    assert proposal is not None
    assert proposal.body == "Une prime de 300 €.\n\nVersée en juin."


def test_amendment_kinds_change_the_text_as_a_reader_expects() -> None:
    text = "Premier alinéa.\n\nDeuxième alinéa, assez long."
    assert apply_amendment(text, AmendmentKind.DELETE, " assez long", "") == (
        "Premier alinéa.\n\nDeuxième alinéa,."
    )
    assert apply_amendment(text, AmendmentKind.INSERT, "Premier", "et seul") == (
        "Premier et seul alinéa.\n\nDeuxième alinéa, assez long."
    )
    assert apply_amendment(text, AmendmentKind.FULL, "", "Tout autre.") == "Tout autre."
    with pytest.raises(Refused, match="passage_ambiguous"):
        apply_amendment(text, AmendmentKind.REPLACE, "alinéa", "paragraphe")


async def test_threads_replies_edits_reactions_hiding_and_closing() -> None:
    organisation_id = await organisation()
    chair = await member_actor(organisation_id, facilitator=True)
    member = await member_actor(organisation_id)
    other = await member_actor(organisation_id)
    assembly_id = await _assembly(organisation_id)
    proposal_id = await proposals.submit_proposal(member, assembly_id, "P", "Texte")
    page = await proposal_queries.proposal_page(organisation_id, proposal_id)
    assert page is not None
    thread = page.thread_id
    first = await deliberation.post_contribution(
        member, thread, "Pourquoi ?", stance=Stance.QUESTION
    )
    reply = await deliberation.post_contribution(other, thread, "Parce que.", parent_id=first)
    deep = await deliberation.post_contribution(member, thread, "Ah.", parent_id=reply)
    attempt = deliberation.edit_contribution(other, first, "Piraté", stance=Stance.FOR)
    assert await refusal_code(attempt) == "not_author"
    await deliberation.edit_contribution(member, first, "Pourquoi donc ?", stance=Stance.QUESTION)
    assert await deliberation.toggle_reaction(other, first, ReactionKind.AGREE)
    await deliberation.hide_contribution(chair, reply, "Hors sujet")
    shown = await thread_queries.thread_page(organisation_id, thread, other.person_id)
    assert shown is not None
    assert shown.total == 1
    top = shown.contributions[0]
    assert top.edited_at is not None
    assert top.body == "Pourquoi donc ?"
    assert top.reactions == {"agree": 1}
    assert top.mine == {"agree"}
    assert [r.id for r in top.replies] == [reply, deep]  # a reply to a reply stays one level deep
    assert top.replies[0].hidden_reason == "Hors sujet"
    assert top.replies[0].body == ""
    await deliberation.set_thread_closed(chair, thread, True)
    attempt = deliberation.post_contribution(member, thread, "Encore")
    assert await refusal_code(attempt) == "thread_closed"
    assert await Contribution.count().where(Contribution.thread == thread) == 3


async def test_observers_read_but_do_not_post() -> None:
    from votes.db import queries
    from votes.db.tables import MembershipKind
    from votes.services import accounts, organisations

    organisation_id = await organisation()
    member = await member_actor(organisation_id)
    person_id = await accounts.create_person(
        "Obs", f"obs-{organisation_id}@x.invalid", "pw-12345678"
    )
    await organisations.add_membership(organisation_id, person_id, kind=MembershipKind.OBSERVER)
    found = await queries.membership_in(organisation_id, person_id)
    assert found is not None
    observer = Actor.of(found)
    assembly_id = await _assembly(organisation_id)
    proposal_id = await proposals.submit_proposal(member, assembly_id, "P", "Texte")
    page = await proposal_queries.proposal_page(organisation_id, proposal_id)
    assert page is not None
    attempt = deliberation.post_contribution(observer, page.thread_id, "Je peux ?")
    assert await refusal_code(attempt) == "read_only"
    attempt = proposals.submit_proposal(observer, assembly_id, "P2", "Texte")
    assert await refusal_code(attempt) == "read_only"


async def test_a_draft_is_not_found_by_the_services_for_others_than_its_authors() -> None:
    organisation_id = await organisation()
    author = await member_actor(organisation_id)
    coauthor = await member_actor(organisation_id)
    other = await member_actor(organisation_id)
    chair = await member_actor(organisation_id, facilitator=True)
    assembly_id = await _assembly(organisation_id)
    draft = await proposals.submit_proposal(
        author, assembly_id, "Brouillon", "Texte.", draft=True, coauthor_ids=[coauthor.person_id]
    )
    for reader in (author, coauthor, chair):
        viewer = proposals.viewer_of(reader)
        assert await proposal_queries.proposal_page(organisation_id, draft, viewer) is not None
    assert await proposal_queries.proposal_page(organisation_id, draft) is None  # nobody's
    viewer = proposals.viewer_of(other)
    assert await proposal_queries.proposal_page(organisation_id, draft, viewer) is None
    page = await agenda_queries.assembly_page(organisation_id, assembly_id, viewer)
    assert page is not None
    assert page.unplaced == []
    attempt = proposals.edit_proposal(other, draft, "", "")
    assert await refusal_code(attempt) == "not_found"  # not even a form error
    assert await refusal_code(proposals.toggle_support(other, draft)) == "not_found"
    attempt = proposals.change_status(other, draft, ProposalStatus.WITHDRAWN)
    assert await refusal_code(attempt) == "not_found"
    assert await proposals.edit_proposal(coauthor, draft, "Brouillon", "Texte revu.") == 2


async def test_the_agenda_counts_visible_contributions_and_pending_amendments() -> None:
    organisation_id, chair, member, assembly_id, proposal_id = await _bonus_on_the_agenda()
    proposal = await proposal_queries.proposal_page(organisation_id, proposal_id)
    assert proposal is not None
    await deliberation.post_contribution(member, proposal.thread_id, "Pour.")
    hidden = await deliberation.post_contribution(member, proposal.thread_id, "Hors sujet.")
    await deliberation.hide_contribution(chair, hidden, "Hors sujet")
    await amendments.propose_amendment(member, proposal_id, AmendmentKind.FULL, text="Rien.")
    page = await agenda_queries.assembly_page(organisation_id, assembly_id)
    assert page is not None
    assert page.agenda[0].contribution_count == 0
    [row] = page.agenda[0].proposals
    assert (row.contribution_count, row.pending_amendments) == (1, 1)

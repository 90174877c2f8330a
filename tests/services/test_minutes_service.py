"""Minutes: drafts are saved until finalised; finalising freezes the document with its digest
in the audit trail; the refusals say why and change nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from tests.support.factories import close, new_ballot, publish
from tests.support.refusals import refusal, refusal_code

from votes.db.tables import Assembly, AssemblyStatus, MembershipKind, Minutes
from votes.services import accounts, assemblies, audit, minutes, organisations
from votes.services.actors import actor_for
from votes.services.ballots import voting

DRAFT = minutes.MinutesDraft("fr", "Camille", "Léa", "Yanis", "Ouverture à 18 h.", "")


async def _assembly(status: AssemblyStatus) -> tuple[int, int, int, int]:
    suffix = uuid.uuid4().hex[:8]
    organisation_id = await organisations.create_organisation(f"PV {suffix}", f"pv-{suffix}")
    person_id = await accounts.create_person(f"Sec {suffix}", None, None)
    membership_id = await organisations.add_membership(
        organisation_id, person_id, kind=MembershipKind.MEMBER, is_facilitator=True
    )
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id), "AGO", datetime.now(UTC), status=status
    )
    return organisation_id, assembly_id, person_id, membership_id


async def test_finalising_freezes_the_document_and_audits_its_digest() -> None:
    organisation_id, assembly_id, person_id, _ = await _assembly(AssemblyStatus.CLOSED)
    await minutes.save_draft(organisation_id, assembly_id, DRAFT, person_id=person_id)
    digest = await minutes.finalise(
        organisation_id, assembly_id, "<article>PV</article>", person_id=person_id
    )
    assert digest == audit.content_digest("<article>PV</article>")
    entry = await audit.latest_entry(
        organisation_id, "minutes.finalised", f"assembly:{assembly_id}"
    )
    assert entry is not None
    assert entry[1]["digest"] == digest
    assert await minutes.check_final_minutes(organisation_id, assembly_id) is True


async def test_finalising_twice_or_editing_final_minutes_is_refused_and_changes_nothing() -> None:
    organisation_id, assembly_id, person_id, _ = await _assembly(AssemblyStatus.CLOSED)
    await minutes.finalise(organisation_id, assembly_id, "<p>v1</p>", person_id=person_id)
    attempt = minutes.finalise(organisation_id, assembly_id, "<p>v2</p>", person_id=person_id)
    assert await refusal_code(attempt) == "minutes_final"
    attempt = minutes.save_draft(organisation_id, assembly_id, DRAFT, person_id=person_id)
    assert await refusal_code(attempt) == "minutes_final"
    row = await Minutes.select(Minutes.content, Minutes.chair).where(
        Minutes.assembly == assembly_id
    )
    assert row == [{"content": "<p>v1</p>", "chair": ""}]


async def test_minutes_wait_for_the_closed_assembly_and_its_published_results() -> None:
    organisation_id, assembly_id, person_id, membership_id = await _assembly(
        AssemblyStatus.IN_SESSION
    )
    attempt = minutes.finalise(organisation_id, assembly_id, "<p/>", person_id=person_id)
    assert await refusal_code(attempt) == "assembly_not_closed"
    ballot_id = await new_ballot(
        organisation_id,
        assembly_id,
        "Q ?",
        choices=[("yes", "Pour"), ("no", "Contre")],
        opened=True,
    )
    await voting.cast_vote(ballot_id, membership_id, "yes")
    await _close(assembly_id)  # as an assembly closed before its close waited for its ballots
    attempt = minutes.finalise(organisation_id, assembly_id, "<p/>", person_id=person_id)
    assert await refusal_code(attempt) == "ballots_pending"
    await close(ballot_id)
    attempt = minutes.finalise(organisation_id, assembly_id, "<p/>", person_id=person_id)
    assert await refusal_code(attempt) == "ballots_pending"
    await publish(ballot_id)
    await minutes.finalise(organisation_id, assembly_id, "<p/>", person_id=person_id)


async def _close(assembly_id: int) -> None:
    await Assembly.update({Assembly.status: AssemblyStatus.CLOSED.value}).where(
        Assembly.id == assembly_id
    )


async def test_a_bad_draft_is_refused_and_a_tampered_final_document_shows() -> None:
    organisation_id, assembly_id, person_id, _ = await _assembly(AssemblyStatus.CLOSED)
    too_long = minutes.MinutesDraft("de", "x" * 201, "", "", "", "")
    assert minutes.check_draft(too_long) == {
        "language": "language_unknown",
        "chair": "name_too_long",
    }
    refused = await refusal(
        minutes.save_draft(organisation_id, assembly_id, too_long, person_id=person_id)
    )
    assert refused.code == "language_unknown"
    assert refused.field == "language"
    assert await Minutes.count().where(Minutes.assembly == assembly_id) == 0
    await minutes.finalise(organisation_id, assembly_id, "<p>adoptée</p>", person_id=person_id)
    await Minutes.update({Minutes.content: "<p>rejetée</p>"}).where(Minutes.assembly == assembly_id)
    assert await minutes.check_final_minutes(organisation_id, assembly_id) is False

"""Ballots open for days (#18): the mail at the opening, one reminder to those who have not
voted, the result at the publication; only for ballots of an hour or more; each member's
preferences respected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.support import factories

from votes.db import queries
from votes.db.tables import (
    AssemblyKind,
    Ballot,
    BallotNotice,
    Mail,
    MailKind,
    MembershipKind,
    Person,
)
from votes.services import accounts, assemblies, ballot_mails, notifications, organisations
from votes.services.actors import Actor, actor_for
from votes.services.ballots import drafts, lifecycle, voting
from votes.services.refusals import Refused

DAYS = 7 * 86400


async def _coop(*languages: str, observer: bool = False) -> tuple[int, int, list[int], list[str]]:
    """An organisation, an assembly for decisions between assemblies (kind "other"), members
    with addresses and languages (a last observer when asked): memberships and addresses."""
    organisation_id = await factories.organisation()
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id),
        "Décisions en ligne",
        datetime.now(UTC),
        kind=AssemblyKind.OTHER,
    )
    members, addresses = [], []
    for index, chosen in enumerate([*languages, "fr"] if observer else languages):
        address = f"{factories.unique('m')}@example.org"
        person = await accounts.create_person(f"Membre {index}", address, None)
        await Person.update({Person.preferred_language: chosen}).where(Person.id == person)
        kind = (
            MembershipKind.OBSERVER
            if observer and index == len(languages)
            else MembershipKind.MEMBER
        )
        members.append(await organisations.add_membership(organisation_id, person, kind=kind))
        addresses.append(address)
    return organisation_id, assembly_id, members, addresses


async def _ballot(
    organisation_id: int, assembly_id: int, seconds: int | None, **options: object
) -> int:
    ballot_id = await drafts.create_ballot(
        await actor_for(organisation_id),
        assembly_id,
        "Adoptez-vous la charte ?",
        "majority",
        factories.MOTION,
        duration_seconds=seconds,
        **options,  # type: ignore[arg-type]
    )
    await lifecycle.open_ballot(await lifecycle.system_actor(ballot_id), ballot_id)
    return ballot_id


async def _mails(ballot_id: int, kind: MailKind) -> dict[str, dict[str, object]]:
    rows = await Mail.select().where(
        (Mail.kind == kind.value) & Mail.idempotency_key.like(f"{kind.value}:{ballot_id}:%")
    )
    return {row["recipient"]: row for row in rows}


async def _member(organisation_id: int, membership_id: int) -> Actor:
    row = await queries.membership_by_id(organisation_id, membership_id)
    assert row is not None
    return Actor.of(row)


async def test_a_ballot_of_days_mails_its_voters_at_the_opening_in_their_language() -> None:
    organisation_id, assembly_id, _members, addresses = await _coop("fr", "en", observer=True)
    ballot_id = await _ballot(organisation_id, assembly_id, DAYS)
    opened = await _mails(ballot_id, MailKind.BALLOT_OPENED)
    assert set(opened) == set(addresses[:2])  # the observer did not ask for it
    french, english = opened[addresses[0]], opened[addresses[1]]
    assert str(french["subject"]).startswith("Un vote est ouvert")
    assert "Adoptez-vous la charte ?" in str(french["body_text"])
    assert "Le vote se clôt le" in str(french["body_text"])
    assert f"/ballots/{ballot_id}" in str(french["body_text"])
    assert english["language"] == "en"
    assert "The vote closes on" in str(english["body_text"])


async def test_a_ballot_of_minutes_mails_nobody() -> None:
    organisation_id, assembly_id, _members, _addresses = await _coop("fr", "en")
    short = await _ballot(organisation_id, assembly_id, 59 * 60)
    untimed = await _ballot(organisation_id, assembly_id, None)
    rehearsal = await _ballot(organisation_id, assembly_id, DAYS, is_test=True)
    for ballot_id in (short, untimed, rehearsal):
        assert await _mails(ballot_id, MailKind.BALLOT_OPENED) == {}
        await lifecycle.close_ballot(await lifecycle.system_actor(ballot_id), ballot_id)
        await lifecycle.publish_ballot(await lifecycle.system_actor(ballot_id), ballot_id)
        assert await _mails(ballot_id, MailKind.BALLOT_RESULT) == {}


async def test_the_reminder_goes_once_to_those_who_have_not_voted() -> None:
    organisation_id, assembly_id, members, addresses = await _coop("fr", "en", "fr")
    ballot_id = await _ballot(organisation_id, assembly_id, DAYS, secret=True)
    await voting.cast_vote(ballot_id, members[0], "yes")  # secret: only the register knows
    row = await Ballot.select(Ballot.closes_at).where(Ballot.id == ballot_id).first()
    assert row is not None
    too_early = row["closes_at"] - timedelta(hours=25)
    assert ballot_id not in await ballot_mails.remind_due(too_early)
    assert await _mails(ballot_id, MailKind.BALLOT_REMINDER) == {}

    due = row["closes_at"] - timedelta(hours=23)
    assert ballot_id in await ballot_mails.remind_due(due)
    assert ballot_id not in await ballot_mails.remind_due(due)  # the sweep runs again
    assert await ballot_mails.send_reminder(ballot_id) == 0  # a restarted worker too
    reminded = await _mails(ballot_id, MailKind.BALLOT_REMINDER)
    assert set(reminded) == {addresses[1], addresses[2]}
    assert "You have not voted yet" in str(reminded[addresses[1]]["body_text"])
    assert "Vous n'avez pas encore voté" in str(reminded[addresses[2]]["body_text"])
    notices = await BallotNotice.count().where(BallotNotice.notice_key == f"{ballot_id}:1:reminder")
    assert notices == 1


async def test_a_short_ballot_is_reminded_at_half_time() -> None:
    organisation_id, assembly_id, _members, addresses = await _coop("fr")
    ballot_id = await _ballot(organisation_id, assembly_id, 4 * 3600)
    row = await Ballot.select(Ballot.closes_at).where(Ballot.id == ballot_id).first()
    assert row is not None
    assert ballot_id not in await ballot_mails.remind_due(row["closes_at"] - timedelta(hours=3))
    assert ballot_id in await ballot_mails.remind_due(row["closes_at"] - timedelta(hours=2))
    assert set(await _mails(ballot_id, MailKind.BALLOT_REMINDER)) == {addresses[0]}


async def test_preferences_decide_the_optional_mails_never_the_ballot_to_vote_on() -> None:
    organisation_id, assembly_id, members, addresses = await _coop("fr", "fr", observer=True)
    quiet = await _member(organisation_id, members[0])
    await notifications.choose(quiet, notifications.Preferences(reminders=False, results=False))
    watcher = await _member(organisation_id, members[2])
    await notifications.choose(watcher, notifications.Preferences(other_ballots=True))
    ballot_id = await _ballot(organisation_id, assembly_id, DAYS)

    opened = await _mails(ballot_id, MailKind.BALLOT_OPENED)
    assert set(opened) == set(addresses)  # a voter always; the observer who asked for it
    assert "vous ne votez pas" in str(opened[addresses[2]]["body_text"])
    await ballot_mails.send_reminder(ballot_id)
    assert set(await _mails(ballot_id, MailKind.BALLOT_REMINDER)) == {addresses[1]}

    await voting.cast_vote(ballot_id, members[1], "yes")
    system = await lifecycle.system_actor(ballot_id)
    await lifecycle.close_ballot(system, ballot_id)
    await lifecycle.publish_ballot(system, ballot_id)
    results = await _mails(ballot_id, MailKind.BALLOT_RESULT)
    assert set(results) == {addresses[1], addresses[2]}
    assert "Adoptée" in str(results[addresses[1]]["body_text"])


async def test_the_app_itself_chooses_for_nobody() -> None:
    organisation_id = await factories.organisation()
    with pytest.raises(Refused, match="not_a_member"):
        await notifications.choose(await actor_for(organisation_id), notifications.Preferences())

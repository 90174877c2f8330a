"""Ballots open for days (#18): the mail at the opening, one reminder to those who have not
voted, the result at the publication; only for ballots of an hour or more; each member's
preferences respected."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from tests.support import factories
from tests.support.factories import close, new_ballot, open_ballot, publish
from tests.support.refusals import refusal_code
from tests.support.smtp import Inbox, mailing

from votes.db import queries
from votes.db.tables import (
    Assembly,
    AssemblyKind,
    AssemblyStatus,
    Ballot,
    BallotNotice,
    Mail,
    MailKind,
    MembershipKind,
    Person,
)
from votes.services import accounts, assemblies, ballot_mails, mail, notifications, organisations
from votes.services.actors import Actor, actor_for
from votes.services.ballots import lifecycle, voting
from votes.web import deadlines

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
    return await new_ballot(
        organisation_id,
        assembly_id,
        "Adoptez-vous la charte ?",
        duration_seconds=seconds,
        **options,
        opened=True,
    )


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
        await close(ballot_id)
        await publish(ballot_id)
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
    attempt = notifications.choose(await actor_for(organisation_id), notifications.Preferences())
    assert await refusal_code(attempt) == "not_allowed"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with mailing() as (received, _):
        yield received


async def _deliver() -> None:
    while await mail.deliver_due():
        pass


async def test_open_reminder_and_result_reach_a_real_smtp_server_in_french_and_english(
    inbox: Inbox,
) -> None:
    organisation_id, assembly_id, members, addresses = await _coop("fr", "en", "fr")
    ballot_mails.remember_base_url("https://vote.coop.example/")
    ballot_id = await _ballot(organisation_id, assembly_id, 3 * 86400)
    await voting.cast_vote(ballot_id, members[2], "no")
    await _deliver()
    [opened_fr] = inbox.to(addresses[0])
    [opened_en] = inbox.to(addresses[1])
    assert opened_fr["Subject"].startswith("Un vote est ouvert à Coop")
    assert opened_fr["Subject"].endswith("\u00a0: Adoptez-vous la charte ?")
    body = opened_fr.get_content()
    assert "vous invite à voter sur cette question\u00a0:" in body
    assert "https://vote.coop.example/o/" in body
    assert f"/ballots/{ballot_id}\r\n" in body
    assert re.search(r"Le vote se clôt le \w+ \d+ \w+ 20\d\d à \d+ h", body), body
    assert opened_en["Subject"].startswith("A vote is open at Coop")
    assert "asks you to vote on this question:" in opened_en.get_content()

    row = await Ballot.select(Ballot.closes_at).where(Ballot.id == ballot_id).first()
    assert row is not None
    due = row["closes_at"] - timedelta(hours=12)
    await ballot_mails.remind_due(due)
    await ballot_mails.remind_due(due)  # the sweep again, a second later
    await _deliver()
    reminders_fr = [m for m in inbox.to(addresses[0]) if m["Subject"].startswith("Rappel")]
    reminders_en = [m for m in inbox.to(addresses[1]) if m["Subject"].startswith("Reminder")]
    assert len(reminders_fr) == len(reminders_en) == 1
    assert "Vous n'avez pas encore voté" in reminders_fr[0].get_content()
    assert "«\u00a0Mes notifications\u00a0»" in reminders_fr[0].get_content()
    assert "You have not voted yet" in reminders_en[0].get_content()
    assert len(inbox.to(addresses[2])) == 1  # who voted gets no reminder

    system = await lifecycle.system_actor(ballot_id)
    await lifecycle.close_ballot(system, ballot_id)
    await lifecycle.publish_ballot(system, ballot_id)
    await _deliver()
    [result_fr] = [m for m in inbox.to(addresses[0]) if m["Subject"].startswith("Résultat")]
    [result_en] = [m for m in inbox.to(addresses[1]) if m["Subject"].startswith("Result")]
    assert "Rejetée" in result_fr.get_content()
    assert "Rejected" in result_en.get_content()
    assert "https://vote.coop.example/o/" in result_en.get_content()
    # 3 openings, 2 reminders, 3 results: none twice (mails another test left in the shared
    # outbox may reach this server too: only these members' count)
    assert sum(len(inbox.to(address)) for address in addresses) == 8


async def test_the_running_deadline_sweep_sends_a_due_reminder_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    organisation_id, assembly_id, _members, addresses = await _coop("fr", "en")
    ballot_id = await _ballot(organisation_id, assembly_id, 2 * 3600)
    # half time has passed: the reminder is due (the close is still half an hour away)
    soon = datetime.now(UTC) + timedelta(minutes=30)
    await Ballot.update({Ballot.closes_at: soon}).where(Ballot.id == ballot_id)
    stop = asyncio.Event()
    sweeps_since_sent = 0
    remind_due = ballot_mails.remind_due

    async def remind_and_count() -> None:
        """The sweep's reminder step; the sweep stops three sweeps after the reminder went."""
        nonlocal sweeps_since_sent
        await remind_due()
        notice = BallotNotice.notice_key == f"{ballot_id}:1:reminder"
        if await BallotNotice.exists().where(notice):
            sweeps_since_sent += 1
        if sweeps_since_sent > 3:
            stop.set()

    monkeypatch.setattr(ballot_mails, "remind_due", remind_and_count)
    async with asyncio.timeout(60):  # a bound if the reminder never goes, not a measure
        await deadlines.sweep_until(stop, 0.01)
    assert set(await _mails(ballot_id, MailKind.BALLOT_REMINDER)) == set(addresses)
    assert await Mail.count().where(
        Mail.idempotency_key.like(f"{MailKind.BALLOT_REMINDER.value}:{ballot_id}:%")
    ) == len(addresses)


async def test_an_opening_refused_queues_no_mail() -> None:
    organisation_id, assembly_id, _members, _addresses = await _coop("fr", "en")
    ballot_id = await new_ballot(
        organisation_id,
        assembly_id,
        "Adoptez-vous la charte ?",
        duration_seconds=DAYS,
    )
    await Assembly.update({Assembly.status: AssemblyStatus.CLOSED.value}).where(
        Assembly.id == assembly_id
    )
    assert await refusal_code(open_ballot(ballot_id)) == "assembly_closed"
    assert await _mails(ballot_id, MailKind.BALLOT_OPENED) == {}
    assert not await BallotNotice.exists().where(BallotNotice.ballot == ballot_id)


async def test_a_reopened_ballot_mails_its_voters_once_that_it_is_open_again() -> None:
    organisation_id, assembly_id, _members, addresses = await _coop("fr", "en", observer=True)
    await notifications_for_all(organisation_id)
    ballot_id = await _ballot(organisation_id, assembly_id, DAYS)
    actor = await lifecycle.system_actor(ballot_id)
    await lifecycle.close_ballot(actor, ballot_id)
    assert await _reopened_mails(ballot_id) == {}
    assert await lifecycle.reopen_ballot(actor, ballot_id, "Un bulletin papier oublié") == ballot_id
    reopened = await _reopened_mails(ballot_id)
    assert set(reopened) == set(addresses[:2])  # the observer does not vote: no mail
    assert str(reopened[addresses[0]]["subject"]).startswith("Un vote est rouvert")
    assert "Un bulletin papier oublié" in str(reopened[addresses[0]]["body_text"])
    assert "The vote is open again" in str(reopened[addresses[1]]["body_text"])
    # closed and reopened a second time: one more mail each, never a copy of the first
    await lifecycle.close_ballot(actor, ballot_id)
    await lifecycle.reopen_ballot(actor, ballot_id, "Encore une fois")
    assert len(await _reopened_mails(ballot_id, every=True)) == 4


async def notifications_for_all(organisation_id: int) -> None:
    """Every reader asks for news of ballots they do not vote on: the reopening still goes
    only to those who may vote."""
    from votes.db.tables import Membership, NotificationPreference

    for row in await Membership.select(Membership.id).where(
        Membership.organisation == organisation_id
    ):
        await NotificationPreference.insert(
            NotificationPreference(
                membership=row["id"], preference_key=str(row["id"]), other_ballots=True
            )
        )


async def _reopened_mails(ballot_id: int, *, every: bool = False) -> dict[str, dict[str, object]]:
    rows = await Mail.select().where(
        (Mail.kind == MailKind.BALLOT_OPENED.value)
        & Mail.idempotency_key.like(f"{MailKind.BALLOT_OPENED.value}:{ballot_id}:%:reopened%")
    )
    if every:
        return {str(row["idempotency_key"]): row for row in rows}
    return {row["recipient"]: row for row in rows}

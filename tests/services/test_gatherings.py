"""Gatherings on the real database: the programme built from ordinary assemblies, what is
refused (and leaves nothing behind), registering and choosing sessions, the programme a phone
shows at a given moment, the day's check-in, another organisation kept out, and two parallel
workshops each with their own speakers' list and mood check.

Every date is fixed (June 2026, Paris time): nothing here depends on today's date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest
from tests.support.factories import member_actor, organisation
from tests.support.refusals import refusal_code, refused_unchanged

from votes.db import floor_queries as fq
from votes.db import gathering_queries as gq
from votes.db import mood_queries as mq
from votes.db.tables import (
    Assembly,
    AssemblyStatus,
    AuditEntry,
    Gathering,
    GatheringCheckIn,
    GatheringRegistration,
    MoodKind,
    SessionChoice,
)
from votes.services import accounts, assemblies, floor, mood, organisations
from votes.services import gatherings as service
from votes.services.actors import Actor, actor_for
from votes.services.assemblies import ItemText
from votes.services.gatherings import SessionType

TUESDAY, WEDNESDAY, THURSDAY = date(2026, 6, 9), date(2026, 6, 10), date(2026, 6, 11)


@dataclass
class Meeting:
    organisation_id: int
    gathering_id: int
    admin: Actor
    facilitator: Actor
    members: list[Actor]

    async def session(
        self,
        title: str,
        day: date,
        start: str,
        end: str,
        *,
        room: str = "",
        kind: SessionType = SessionType.WORKSHOP,
    ) -> int:
        return await service.add_session(
            self.facilitator,
            self.gathering_id,
            title,
            kind,
            day,
            time.fromisoformat(start),
            time.fromisoformat(end),
            room=room,
        )


async def meeting(members: int = 3) -> Meeting:
    organisation_id = await organisation("Reseau")
    person = await accounts.create_person("Admin réseau", None, None)
    admin_membership = await organisations.add_membership(organisation_id, person, is_admin=True)
    admin = await actor_for(organisation_id, admin_membership)
    facilitator = await member_actor(organisation_id, facilitator=True)
    gathering_id = await service.create_gathering(
        facilitator, "Rencontre annuelle", TUESDAY, THURSDAY, place="Namur"
    )
    people = [await member_actor(organisation_id) for _ in range(members)]
    return Meeting(organisation_id, gathering_id, admin, facilitator, people)


async def _sessions(organisation_id: int) -> int:
    return await Assembly.count().where(Assembly.organisation == organisation_id)


async def test_a_session_is_an_assembly_of_the_gathering_with_its_room_and_end() -> None:
    m = await meeting(0)
    plenary = await m.session(
        "Ouverture", TUESDAY, "09:00", "10:30", room="Grande salle", kind=SessionType.PLENARY
    )
    workshop = await m.session("Atelier statuts", TUESDAY, "11:00", "12:30", room="Salle B")
    rows = {
        row["id"]: row
        for row in await Assembly.select().where(Assembly.organisation == m.organisation_id)
    }
    assert rows[plenary]["kind"] == "plenary"
    assert rows[workshop]["kind"] == "other"
    assert rows[plenary]["gathering"] == m.gathering_id
    assert rows[plenary]["room"] == "Grande salle"
    assert rows[plenary]["place"] == "Namur"
    assert rows[plenary]["status"] == AssemblyStatus.CONVENED.value
    # 09:00 in Paris in June is 07:00 UTC
    assert rows[plenary]["starts_at"] == datetime(2026, 6, 9, 7, 0, tzinfo=UTC)
    assert rows[plenary]["ends_at"] == datetime(2026, 6, 9, 8, 30, tzinfo=UTC)
    sessions = await gq.sessions_of(m.organisation_id, m.gathering_id)
    assert [s.title for s in sessions] == ["Ouverture", "Atelier statuts"]
    actions = [
        row["action"]
        for row in await AuditEntry.select(AuditEntry.action)
        .where(AuditEntry.organisation == m.organisation_id)
        .order_by(AuditEntry.id)
    ]
    assert actions[:1] == ["gathering.created"]
    assert actions.count("assembly.created") == 2
    assert actions.count("gathering.session_added") == 2


@pytest.mark.parametrize(
    ("title", "day", "start", "end", "code"),
    [
        ("Atelier", date(2026, 6, 12), "09:00", "10:00", "session_day_outside"),
        ("Atelier", date(2026, 6, 8), "09:00", "10:00", "session_day_outside"),
        ("Atelier", TUESDAY, "11:00", "10:00", "session_ends_before_start"),
        ("Atelier", TUESDAY, "11:00", "11:00", "session_ends_before_start"),
        ("   ", TUESDAY, "09:00", "10:00", "title_required"),
    ],
)
async def test_a_bad_session_is_refused_and_writes_nothing(
    title: str, day: date, start: str, end: str, code: str
) -> None:
    m = await meeting(0)
    attempt = m.session(title, day, start, end)
    entries = AuditEntry.count().where(AuditEntry.organisation == m.organisation_id).run
    assert await refused_unchanged(attempt, entries) == code
    assert await _sessions(m.organisation_id) == 0


async def test_a_gathering_needs_a_title_and_days_in_order() -> None:
    organisation_id = await organisation()
    chair = await member_actor(organisation_id, facilitator=True)
    attempt = service.create_gathering(chair, "Rencontre", THURSDAY, TUESDAY)
    assert await refusal_code(attempt) == "last_day_before_first"
    attempt = service.create_gathering(chair, " ", TUESDAY, THURSDAY)
    assert await refusal_code(attempt) == "title_required"
    attempt = service.create_gathering(await member_actor(organisation_id), "R", TUESDAY, TUESDAY)
    assert await refusal_code(attempt) == "not_facilitator"
    assert await Gathering.count().where(Gathering.organisation == organisation_id) == 0


async def test_members_register_themselves_and_only_admins_register_others() -> None:
    m = await meeting(2)
    first, second = m.members
    assert await service.register(first, m.gathering_id) is True
    assert await service.register(first, m.gathering_id) is False  # a double tap: no error
    assert await refusal_code(service.register(first, m.gathering_id, second.id)) == "admins_only"
    assert await service.register(m.admin, m.gathering_id, second.id) is True
    assert (
        await GatheringRegistration.count().where(GatheringRegistration.gathering == m.gathering_id)
        == 2
    )


async def test_chosen_sessions_may_overlap_and_the_programme_warns() -> None:
    m = await meeting(1)
    member = m.members[0]
    a = await m.session("Atelier A", TUESDAY, "14:00", "15:30", room="Salle A")
    b = await m.session("Atelier B", TUESDAY, "15:00", "16:00", room="Salle B")
    c = await m.session("Atelier C", TUESDAY, "16:00", "17:00", room="Salle A")
    assert await refusal_code(service.choose_session(member, a)) == "not_registered"
    await service.register(member, m.gathering_id)
    for session in (a, b, c):
        await service.choose_session(member, session)
    await service.choose_session(member, c)  # chosen twice: still once
    chosen = await gq.chosen_sessions(m.organisation_id, m.gathering_id, member.id)
    assert chosen == {a, b, c}
    gathering = await gq.gathering_view(m.organisation_id, m.gathering_id)
    assert gathering is not None
    sessions = await gq.sessions_of(m.organisation_id, m.gathering_id)
    plan = service.programme(
        gathering, sessions, chosen, datetime(2026, 6, 9, 6, tzinfo=UTC), "Europe/Paris"
    )
    # A and B overlap; B ends at 16:00 when C starts: no overlap
    assert [(x.title, y.title) for x, y in plan.overlaps] == [("Atelier A", "Atelier B")]
    await service.choose_session(member, b, chosen=False)
    assert await gq.chosen_sessions(m.organisation_id, m.gathering_id, member.id) == {a, c}


async def test_the_programme_at_a_given_moment() -> None:
    m = await meeting(1)
    await m.session("Plénière", TUESDAY, "09:00", "10:30", kind=SessionType.PLENARY)
    await m.session("Atelier A", TUESDAY, "11:00", "12:30", room="A")
    await m.session("Atelier B", TUESDAY, "11:00", "12:30", room="B")
    await m.session("Clôture", TUESDAY, "17:00", "18:00", kind=SessionType.PLENARY)
    await m.session("Atelier du mercredi", WEDNESDAY, "09:00", "10:00")
    gathering = await gq.gathering_view(m.organisation_id, m.gathering_id)
    assert gathering is not None
    sessions = await gq.sessions_of(m.organisation_id, m.gathering_id)
    mine = {sessions[1].assembly_id}
    # Tuesday 11:15 in Paris
    plan = service.programme(
        gathering, sessions, mine, datetime(2026, 6, 9, 9, 15, tzinfo=UTC), "Europe/Paris"
    )
    assert [s.title for s in plan.running] == ["Atelier A", "Atelier B"]
    assert [s.title for s in plan.next_up] == ["Clôture"]  # not Wednesday's workshop
    # after Tuesday's last session, and before the gathering, « next » is the next day's
    # sessions
    evening = service.programme(
        gathering, sessions, mine, datetime(2026, 6, 9, 17, 0, tzinfo=UTC), "Europe/Paris"
    )
    assert [s.title for s in evening.next_up] == ["Atelier du mercredi"]
    before = service.programme(
        gathering, sessions, mine, datetime(2026, 6, 1, 8, 0, tzinfo=UTC), "Europe/Paris"
    )
    assert [s.title for s in before.next_up] == ["Plénière", "Atelier A", "Atelier B", "Clôture"]
    assert [s.title for s in plan.mine] == ["Atelier A"]
    assert [(day, [s.title for s in shown]) for day, shown in plan.by_day] == [
        (TUESDAY, ["Plénière", "Atelier A", "Atelier B", "Clôture"]),
        (WEDNESDAY, ["Atelier du mercredi"]),
        (THURSDAY, []),
    ]


async def test_check_in_per_day_by_a_steward() -> None:
    m = await meeting(3)
    for member in m.members[:2]:
        await service.register(member, m.gathering_id)
    first, second, outsider = m.members
    assert await service.check_in(m.facilitator, m.gathering_id, first.id, TUESDAY) is True
    assert await service.check_in(m.facilitator, m.gathering_id, first.id, TUESDAY) is False
    assert await gq.arrival_counts(m.organisation_id, m.gathering_id, TUESDAY) == (1, 2)
    assert await gq.arrival_counts(m.organisation_id, m.gathering_id, WEDNESDAY) == (0, 2)
    assert await gq.checked_in_at(m.gathering_id, first.id, TUESDAY) is not None
    assert await gq.checked_in_at(m.gathering_id, second.id, TUESDAY) is None
    attempt = service.check_in(first, m.gathering_id, second.id, TUESDAY)
    assert await refusal_code(attempt) == "stewards_only"
    attempt = service.check_in(m.facilitator, m.gathering_id, outsider.id, TUESDAY)
    assert await refusal_code(attempt) == "participant_not_registered"
    attempt = service.check_in(m.facilitator, m.gathering_id, second.id, date(2026, 6, 12))
    assert await refusal_code(attempt) == "gathering_not_today"
    assert await GatheringCheckIn.count().where(GatheringCheckIn.gathering == m.gathering_id) == 1
    entry = (
        await AuditEntry.select(AuditEntry.action, AuditEntry.subject)
        .where(
            (AuditEntry.organisation == m.organisation_id)
            & (AuditEntry.action == "gathering.checked_in")
        )
        .first()
    )
    assert entry is not None
    assert entry["subject"] == f"membership:{first.id}"
    listed = await gq.participants(m.organisation_id, m.gathering_id, TUESDAY)
    assert [(p.membership_id, p.checked_in_at is not None) for p in listed] == sorted(
        [(first.id, True), (second.id, False)],
        key=lambda pair: next(p.name for p in listed if p.membership_id == pair[0]),
    )


async def test_another_organisation_cannot_reach_the_gathering() -> None:
    m = await meeting(1)
    other = await organisation("Autre")
    stranger = await member_actor(other, facilitator=True)
    assert await gq.gathering_view(other, m.gathering_id) is None
    attempt = service.add_session(
        stranger, m.gathering_id, "Intrus", SessionType.WORKSHOP, TUESDAY, time(9), time(10)
    )
    assert await refusal_code(attempt) == "not_found"
    assert await refusal_code(service.register(stranger, m.gathering_id)) == "not_found"
    attempt = service.check_in(stranger, m.gathering_id, m.members[0].id, TUESDAY)
    assert await refusal_code(attempt) == "not_found"
    assert await _sessions(other) == 0
    assert await _sessions(m.organisation_id) == 0


async def test_parallel_workshops_each_run_their_own_speakers_list_and_mood_check() -> None:
    m = await meeting(4)
    a = await m.session("Atelier A", TUESDAY, "14:00", "15:30", room="Salle A")
    b = await m.session("Atelier B", TUESDAY, "14:00", "15:30", room="Salle B")
    items = {}
    for session in (a, b):
        await assemblies.set_assembly_status(m.facilitator, session, AssemblyStatus.IN_SESSION)
        items[session] = await assemblies.add_item(m.facilitator, session, ItemText("Discussion"))
        await assemblies.mark_current_item(m.facilitator, session, items[session])
    one, two, three, four = m.members
    await floor.request_floor(one, a, items[a])
    await floor.request_floor(two, a, items[a])
    await floor.request_floor(three, b, items[b])
    queue_a = await fq.queue_view(m.organisation_id, a, items[a])
    queue_b = await fq.queue_view(m.organisation_id, b, items[b])
    assert queue_a is not None
    assert queue_b is not None
    assert [e.membership_id for e in queue_a.waiting] == [one.id, two.id]
    assert [e.membership_id for e in queue_b.waiting] == [three.id]
    # giving the floor in A leaves B's list as it was
    await floor.give_floor(m.facilitator, a, items[a])
    queue_b = await fq.queue_view(m.organisation_id, b, items[b])
    assert queue_b is not None
    assert queue_b.speaker is None
    assert [e.membership_id for e in queue_b.waiting] == [three.id]
    # a mood check open in each room at the same time, each counting its own answers
    mood_a = await mood.launch(m.facilitator, a, MoodKind.THUMBS, "On continue ?")
    mood_b = await mood.launch(m.facilitator, b, MoodKind.THUMBS, "On vote ?")
    await mood.answer(one, mood_a, "up")
    await mood.answer(two, mood_a, "up")
    await mood.answer(three, mood_b, "down")
    await mood.answer(four, mood_b, "down")
    view_a = await mq.mood_view(m.organisation_id, mood_a)
    view_b = await mq.mood_view(m.organisation_id, mood_b)
    assert view_a is not None
    assert view_b is not None
    assert view_a.distribution.total == 2
    assert view_b.distribution.total == 2
    assert {c: n for c, n, _ in view_a.distribution.rows}["up"] == 2
    assert {c: n for c, n, _ in view_b.distribution.rows}["down"] == 2
    assert await mq.latest_mood(m.organisation_id, a) == mood_a
    assert await mq.latest_mood(m.organisation_id, b) == mood_b
    assert await SessionChoice.count().where(SessionChoice.assembly.is_in([a, b])) == 0

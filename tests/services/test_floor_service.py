"""The floor on the real database: asking, withdrawing, the balanced order, giving and ending
the floor, reordering, closing the list; mood checks answered once each, changeable while open.
Every refusal changes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from functools import partial

from tests.support.factories import general_assembly, member_actor
from tests.support.floor import subject_key
from tests.support.refusals import refusal_code, refused_unchanged

from votes.db import floor_queries as fq
from votes.db import mood_queries as mq
from votes.db.tables import (
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    AuditEntry,
    ListStatus,
    MoodAnswer,
    MoodKind,
    Ordering,
    RequestKind,
    SpeakerRequest,
)
from votes.services import amendments, assemblies, events, floor, mood, proposals
from votes.services.actors import Actor, actor_for
from votes.services.assemblies import ItemText


@dataclass
class Room:
    organisation_id: int
    assembly_id: int
    item_id: int
    members: list[int]

    async def actor(self, index: int) -> Actor:
        return await actor_for(self.organisation_id, self.members[index])

    async def chair(self) -> Actor:
        return await actor_for(self.organisation_id)

    async def ask(self, index: int, kind: RequestKind = RequestKind.SPEAK) -> int:
        return await floor.request_floor(
            await self.actor(index), self.assembly_id, self.item_id, kind
        )

    async def queue(self) -> fq.QueueView:
        view = await fq.queue_view(self.organisation_id, self.assembly_id, self.item_id)
        assert view is not None
        return view

    async def names(self) -> list[int]:
        return [e.membership_id for e in (await self.queue()).waiting]


async def room(members: int = 5, categories: list[str] | None = None) -> Room:
    ga = await general_assembly(members)
    item_id = await assemblies.add_agenda_item(ga.assembly_id, ItemText("Budget"))
    await assemblies.set_current_item(ga.assembly_id, item_id)
    r = Room(ga.organisation_id, ga.assembly_id, item_id, ga.members)
    for index, category in enumerate(categories or []):
        await floor.declare_category(
            await r.actor(index), ga.assembly_id, category, may_be_shown=index == 0
        )
    return r


async def _count(r: Room) -> int:
    return await SpeakerRequest.count().where(SpeakerRequest.organisation == r.organisation_id)


async def refused(r: Room, call: Awaitable[object]) -> str:
    return await refused_unchanged(call, lambda: _count(r))


async def test_asking_twice_is_refused_and_changes_nothing() -> None:
    r = await room()
    await r.ask(0)
    assert await refused(r, r.ask(0)) == "already_asked"
    assert await r.names() == [r.members[0]]


async def test_withdrawing_someone_elses_request_is_refused() -> None:
    r = await room()
    request_id = await r.ask(0)
    assert await refused(r, floor.withdraw(await r.actor(1), request_id)) == "not_your_request"
    assert await r.names() == [r.members[0]]
    await floor.withdraw(await r.actor(0), request_id)
    assert await r.names() == []
    await r.ask(0)  # asked again after withdrawing
    assert await r.names() == [r.members[0]]


async def test_a_member_of_another_cooperative_cannot_ask_or_be_added() -> None:
    r, other = await room(), await room()
    stranger = await other.actor(0)
    attempt = floor.request_floor(stranger, r.assembly_id, r.item_id)
    assert await refusal_code(attempt) == "not_found"
    attempt = floor.request_floor(
        await r.chair(), r.assembly_id, r.item_id, for_member=other.members[0]
    )
    assert await refusal_code(attempt) == "speaker_not_member"
    assert await r.names() == []


async def test_a_member_cannot_add_someone_else() -> None:
    r = await room()
    attempt = floor.request_floor(
        await r.actor(0), r.assembly_id, r.item_id, for_member=r.members[1]
    )
    assert await refusal_code(attempt) == "stewards_only"


async def test_a_steward_adds_a_member_without_a_phone() -> None:
    r = await room()
    steward = await member_actor(r.organisation_id, facilitator=True)
    await floor.request_floor(steward, r.assembly_id, r.item_id, for_member=r.members[2])
    view = await r.queue()
    assert [e.membership_id for e in view.waiting] == [r.members[2]]
    assert view.waiting[0].added_by_steward


async def test_balanced_order_first_time_and_alternating_categories() -> None:
    r = await room(5, ["f", "h", "h", "f", "h"])
    await floor.set_rules(
        await r.chair(), r.assembly_id, Ordering.ALTERNATE, category_label="genre"
    )
    chair = await r.chair()
    await r.ask(1)  # h
    await floor.give_floor(chair, r.assembly_id, r.item_id)
    assert await refusal_code(r.ask(1)) == "already_asked"  # while speaking
    await floor.end_turn(chair, r.assembly_id, r.item_id)
    for index in (2, 4, 0, 3):  # h h f f
        await r.ask(index)
    await r.ask(1)  # h again, already spoke
    # after an "h": f, h, f, h, then the one who already spoke
    assert await r.names() == [r.members[i] for i in (0, 2, 3, 4, 1)]
    view = await r.queue()
    assert view.speaker is None
    assert view.waiting[0].category == "f"  # member 0 agreed to show it
    assert view.waiting[1].category == ""  # member 2 did not


async def test_points_of_order_and_direct_replies_come_first() -> None:
    r = await room()
    chair = await r.chair()
    assert await refused(r, r.ask(3, RequestKind.DIRECT_REPLY)) == "nobody_speaking"
    await r.ask(0)
    await r.ask(1)
    await floor.give_floor(chair, r.assembly_id, r.item_id)
    await r.ask(2, RequestKind.DIRECT_REPLY)
    await r.ask(3, RequestKind.POINT_OF_ORDER)
    assert await r.names() == [r.members[i] for i in (3, 2, 1)]
    given = await floor.give_floor(chair, r.assembly_id, r.item_id)
    view = await r.queue()
    assert view.speaker is not None
    assert view.speaker.request_id == given
    assert view.speaker.membership_id == r.members[3]
    assert view.speaker.kind is RequestKind.POINT_OF_ORDER


async def test_give_end_reorder_close_and_reopen() -> None:
    r = await room()
    chair = await r.chair()
    ids = [await r.ask(i) for i in range(3)]
    await floor.reorder(chair, ids[2], -2)
    assert await r.names() == [r.members[i] for i in (2, 0, 1)]
    assert await floor.give_floor(chair, r.assembly_id, r.item_id, ids[1]) == ids[1]
    await floor.end_turn(chair, r.assembly_id, r.item_id)
    view = await r.queue()
    assert view.speaker is None
    assert [e.membership_id for e in view.waiting] == [r.members[2], r.members[0]]
    assert await refusal_code(floor.end_turn(chair, r.assembly_id, r.item_id)) == "nobody_speaking"
    attempt = floor.give_floor(chair, r.assembly_id, r.item_id, ids[1])
    assert await refusal_code(attempt) == "request_not_waiting"
    assert await refusal_code(floor.withdraw(await r.actor(1), ids[1])) == "request_not_waiting"
    await floor.set_list_status(chair, r.assembly_id, r.item_id, ListStatus.CLOSED)
    assert await refused(r, r.ask(3)) == "list_closed"
    await r.ask(3, RequestKind.POINT_OF_ORDER)  # a point of order is always heard
    await floor.set_list_status(chair, r.assembly_id, r.item_id, ListStatus.OPEN)
    await r.ask(4)
    assert (await r.queue()).place_of(r.members[4]) == 4


async def test_only_facilitators_run_the_floor() -> None:
    r = await room()
    request_id = await r.ask(0)
    member = await r.actor(1)
    attempt = floor.give_floor(member, r.assembly_id, r.item_id)
    assert await refusal_code(attempt) == "not_facilitator"
    assert await refusal_code(floor.reorder(member, request_id, 1)) == "not_facilitator"
    attempt = floor.set_rules(member, r.assembly_id, Ordering.ARRIVAL)
    assert await refusal_code(attempt) == "not_facilitator"


async def test_speaking_statistics_per_item() -> None:
    r = await room(3, ["f", "h"])
    chair = await r.chair()
    await r.ask(0)
    await r.ask(1)
    await floor.give_floor(chair, r.assembly_id, r.item_id)
    await floor.give_floor(chair, r.assembly_id, r.item_id)
    await floor.end_turn(chair, r.assembly_id, r.item_id)
    [item] = await fq.speaking_statistics(r.organisation_id, r.assembly_id)
    assert item.stats.turns == 2
    assert {c for c, _, _ in item.stats.by_category} == {"f", "h"}
    assert set(item.names) == {r.members[0], r.members[1]}


async def _answers(r: Room) -> int:
    return await MoodAnswer.count().where(MoodAnswer.organisation == r.organisation_id)


async def test_mood_check_one_answer_each_changeable_while_open() -> None:
    r = await room()
    chair = await r.chair()
    mood_id = await mood.launch(chair, r.assembly_id, MoodKind.COLOURS, "Prêts à voter ?")
    attempt = mood.launch(chair, r.assembly_id, MoodKind.THUMBS)
    assert await refusal_code(attempt) == "mood_already_open"
    await mood.answer(await r.actor(0), mood_id, "green")
    await mood.answer(await r.actor(0), mood_id, "red")
    await mood.answer(await r.actor(1), mood_id, "red")
    assert await refusal_code(mood.answer(await r.actor(2), mood_id, "purple")) == "unknown_choice"
    view = await mq.mood_view(r.organisation_id, mood_id, r.members[0])
    assert view is not None
    assert view.mine == "red"
    assert view.distribution.rows == (("green", 0, 0), ("orange", 0, 0), ("red", 2, 100))
    await mood.close(chair, mood_id)
    assert await refusal_code(mood.answer(await r.actor(2), mood_id, "green")) == "mood_closed"
    assert await refusal_code(mood.close(chair, mood_id)) == "mood_closed"
    assert await _answers(r) == 2


async def test_mood_check_refusals() -> None:
    r, other = await room(), await room()
    chair = await r.chair()
    attempt = mood.launch(chair, r.assembly_id, MoodKind.OPTIONS, "?", ["seule"])
    assert await refusal_code(attempt) == "bad_mood_options"
    attempt = mood.launch(await r.actor(0), r.assembly_id, MoodKind.THUMBS)
    assert await refusal_code(attempt) == "not_facilitator"
    mood_id = await mood.launch(chair, r.assembly_id, MoodKind.OPTIONS, "Où ?", ["Ici", "Là"])
    assert await refusal_code(mood.answer(await other.actor(0), mood_id, "Ici")) == "not_found"
    assert await _answers(r) == 0
    await mood.answer(await r.actor(0), mood_id, "Là")
    assert await mq.latest_mood(r.organisation_id, r.assembly_id) == mood_id


# -- a speakers' list per proposal and amendment under discussion -----------------------------


async def _proposal_with_amendments(
    r: Room, title: str, item_id: int | None = None
) -> tuple[int, int, int]:
    """A proposal on the item (default: the room's) and two amendments to it."""
    author = await r.actor(4)
    proposal_id = await proposals.create_proposal(
        r.organisation_id,
        r.assembly_id,
        author.person_id,
        title,
        "La cantine sert des repas bio deux fois par semaine.",
        agenda_item_id=item_id or r.item_id,
    )
    first = await amendments.propose_amendment(
        author, proposal_id, AmendmentKind.FULL, text="Tous les jours."
    )
    second = await amendments.propose_amendment(
        author, proposal_id, AmendmentKind.FULL, text="Le lundi."
    )
    return proposal_id, first, second


async def test_each_subject_has_its_own_list_kept_across_switches() -> None:
    r = await room()
    proposal_id, _, amendment_id = await _proposal_with_amendments(r, "Cantine bio")
    chair = await r.chair()
    await r.ask(0)  # on the item itself
    subject = await floor.choose_subject(chair, r.assembly_id, f"a{amendment_id}")
    assert (subject.amendment_number, subject.proposal_title) == (2, "Cantine bio")
    current = await fq.current_subject(r.organisation_id, r.assembly_id)
    assert current == subject
    for index in (1, 2):
        await floor.request_floor(await r.actor(index), r.assembly_id, r.item_id, subject=current)
    await floor.set_list_status(chair, r.assembly_id, r.item_id, ListStatus.CLOSED, subject=current)
    amendment_view = await fq.queue_view(
        r.organisation_id, r.assembly_id, r.item_id, subject=current
    )
    assert amendment_view is not None
    assert amendment_view.status is ListStatus.CLOSED
    assert [e.membership_id for e in amendment_view.waiting] == r.members[1:3]
    # the item's own list is untouched: still open, still only the first member
    assert await r.names() == r.members[:1]
    assert (await r.queue()).status is ListStatus.OPEN
    # back to the item, then to the amendment again: each list as it was
    await floor.choose_subject(chair, r.assembly_id, "item")
    assert await fq.current_subject(r.organisation_id, r.assembly_id) == fq.Subject(r.item_id)
    await floor.choose_subject(chair, r.assembly_id, f"a{amendment_id}")
    again = await fq.queue_view(r.organisation_id, r.assembly_id, r.item_id, subject=current)
    assert again is not None
    assert again.waiting == amendment_view.waiting
    assert again.status is ListStatus.CLOSED
    # the proposal itself is a third list
    await floor.choose_subject(chair, r.assembly_id, f"p{proposal_id}")
    on_proposal = await fq.current_subject(r.organisation_id, r.assembly_id)
    assert on_proposal is not None
    assert on_proposal.amendment_id is None
    view = await fq.queue_view(r.organisation_id, r.assembly_id, r.item_id, subject=on_proposal)
    assert view is not None
    assert view.waiting == ()
    entries = await AuditEntry.count().where(
        (AuditEntry.action == "floor.subject_chosen")
        & (AuditEntry.organisation == r.organisation_id)
    )
    assert entries == 4


async def test_first_time_speakers_first_counts_speeches_on_the_subject() -> None:
    r = await room()
    chair = await r.chair()
    await floor.set_rules(chair, r.assembly_id, Ordering.FIRST_TIME)
    _, amendment_id, _ = await _proposal_with_amendments(r, "Cantine bio")
    await r.ask(0)
    await floor.give_floor(chair, r.assembly_id, r.item_id)
    await floor.end_turn(chair, r.assembly_id, r.item_id)  # member 0 spoke on the item only
    subject = await floor.choose_subject(chair, r.assembly_id, f"a{amendment_id}")
    ask = floor.request_floor
    await ask(await r.actor(1), r.assembly_id, r.item_id, subject=subject)
    await floor.give_floor(chair, r.assembly_id, r.item_id, subject=subject)
    await floor.end_turn(chair, r.assembly_id, r.item_id, subject=subject)  # 1 spoke on it
    await ask(await r.actor(1), r.assembly_id, r.item_id, subject=subject)
    await ask(await r.actor(0), r.assembly_id, r.item_id, subject=subject)
    view = await fq.queue_view(r.organisation_id, r.assembly_id, r.item_id, subject=subject)
    assert view is not None
    # member 0 spoke on the item, not on the amendment: a first-time speaker here
    assert [e.membership_id for e in view.waiting] == [r.members[0], r.members[1]]
    stats = await fq.speaking_statistics(r.organisation_id, r.assembly_id)
    assert [(s.subject.choice if s.subject else "item", s.stats.turns) for s in stats] == [
        ("item", 1),
        (f"a{amendment_id}", 1),
    ]


async def test_a_subject_from_elsewhere_is_refused_and_changes_nothing() -> None:
    r = await room()
    chair = await r.chair()
    proposal_id, first, second = await _proposal_with_amendments(r, "Cantine bio")
    other_item = await assemblies.add_agenda_item(r.assembly_id, ItemText("Divers"))
    elsewhere, elsewhere_amendment, _ = await _proposal_with_amendments(r, "Autre", other_item)
    await floor.choose_subject(chair, r.assembly_id, f"a{first}")
    await amendments_withdraw(second)
    other = await room()
    foreign, foreign_amendment, _ = await _proposal_with_amendments(other, "Ailleurs")
    subject = partial(subject_key, r.assembly_id)
    for choice in (
        f"p{elsewhere}",  # a proposal of another item
        f"a{elsewhere_amendment}",  # an amendment of another item's proposal
        f"a{second}",  # a withdrawn amendment
        f"p{foreign}",  # another cooperative's proposal
        f"a{foreign_amendment}",
        "p0",
        "a",
        "nonsense",
    ):
        attempt = floor.choose_subject(chair, r.assembly_id, choice)
        assert await refused_unchanged(attempt, subject) == "bad_subject", choice
    # another cooperative's chair cannot choose on this assembly
    attempt = floor.choose_subject(await other.chair(), r.assembly_id, f"p{proposal_id}")
    assert await refused_unchanged(attempt, subject) == "not_found"
    # a member who does not run the assembly cannot choose
    await refused_unchanged(floor.choose_subject(await r.actor(1), r.assembly_id, "item"), subject)


async def test_a_decided_amendment_leaves_the_discussion_to_its_item() -> None:
    r = await room()
    chair = await r.chair()
    _, amendment_id, _ = await _proposal_with_amendments(r, "Cantine bio")
    await floor.choose_subject(chair, r.assembly_id, f"a{amendment_id}")
    await Amendment.update({Amendment.status: AmendmentStatus.REJECTED.value}).where(
        Amendment.id == amendment_id
    )
    assert await fq.current_subject(r.organisation_id, r.assembly_id) == fq.Subject(r.item_id)
    attempt = floor.choose_subject(chair, r.assembly_id, f"a{amendment_id}")
    assert await refusal_code(attempt) == "bad_subject"


async def amendments_withdraw(amendment_id: int) -> None:
    await Amendment.update({Amendment.status: AmendmentStatus.WITHDRAWN.value}).where(
        Amendment.id == amendment_id
    )


async def test_a_subject_change_is_announced_with_that_subjects_queue() -> None:
    r = await room()
    chair = await r.chair()
    _, amendment_id, _ = await _proposal_with_amendments(r, "Cantine bio")
    await r.ask(0)  # waits on the item's list
    sent: list[events.LiveEvent] = []

    def publisher(data: bytes, channels: Iterable[str]) -> None:
        event = events.LiveEvent.decode(data)
        assert event is not None
        sent.append(event)

    events.install(publisher)
    try:
        subject = await floor.choose_subject(chair, r.assembly_id, f"a{amendment_id}")
        await floor.request_floor(await r.actor(1), r.assembly_id, r.item_id, subject=subject)
    finally:
        events.install(None)
    floor_events = [e for e in sent if e.kind is events.EventKind.FLOOR]
    assert [(e.change, e.order) for e in floor_events] == [
        ("subject:open", ""),  # the amendment's list: nobody yet (member 0 waits on the item)
        ("queue:open", str(r.members[1])),
    ]

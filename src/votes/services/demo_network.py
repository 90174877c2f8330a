"""The demo's network (#20): the demo cooperative and two others decide together in the
« Réseau Coopératif des Communs », whose five-day « Rencontre d'été » starts in a few days.

Called by :func:`votes.services.demo.seed_demo` once the demo cooperative exists. The network's
people are memberships of the network carrying ``delegated_by`` (the cooperative that
registered them); the gathering's sessions are ordinary assemblies of the network, each with
its room and its end. The programme, registrations and chosen sessions are written straight
into their tables, as the demo's floor is: the demo tells a story, it does not walk the forms.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from votes.db.tables import (
    Assembly,
    AssemblyKind,
    AssemblyStatus,
    Gathering,
    GatheringRegistration,
    LegalForm,
    MembershipKind,
    Organisation,
    Person,
    ProposalStatus,
    SessionChoice,
)
from votes.db.tables import Membership as MembershipRow
from votes.services import accounts, assemblies, organisations, proposals
from votes.services.actors import actor_for
from votes.services.ballots import drafts
from votes.services.demo_network_story import (
    ATELIER_ITEMS,
    COOPERATIVES,
    GATHERING_DAYS,
    GATHERING_DAYS_AHEAD,
    GATHERING_DESCRIPTION,
    GATHERING_PLACE,
    GATHERING_TITLE,
    MOTION_QUESTION,
    MOTION_TEXT,
    MOTION_TITLE,
    NETWORK_NAME,
    NETWORK_SUFFIX,
    OPENING_ITEMS,
    MemberCooperative,
    Session,
    programme,
)
from votes.services.demo_story import YES_NO_ABSTAIN
from votes.services.networks import seed_member_cooperative

NOT_YET_REGISTERED = ("hugo", "gaelle")  # the others are registered for the gathering


async def seed_network(
    short_name: str,
    demo_id: int,
    demo_people: dict[str, tuple[int, int]],
    password: str,
    domain: str,
) -> int:
    """The network of the demo cooperative ``demo_id`` (short name ``short_name``) and two new
    cooperatives, its memberships and its gathering; returns the network's id.

    ``demo_people``: the demo cooperative's key -> (person id, membership id); the new people
    sign in with ``password`` as ``<key>@<domain>``."""
    network_id = await organisations.create_organisation(
        NETWORK_NAME,
        f"{short_name}-{NETWORK_SUFFIX}",
        legal_form=LegalForm.ASSOCIATION,
    )
    await Organisation.update(
        {Organisation.is_network: True, Organisation.network_sharing: "equal"}
    ).where(Organisation.id == network_id)
    registered: dict[str, int] = {}  # key -> the network membership's id
    for cooperative in COOPERATIVES:
        if cooperative.suffix:
            cooperative_id, people = await _new_cooperative(
                cooperative, f"{short_name}-{cooperative.suffix}", password, domain
            )
        else:
            cooperative_id, people = demo_id, {k: v[0] for k, v in demo_people.items()}
        await _join(network_id, cooperative_id, cooperative)
        for person in cooperative.people:
            registered[person.key] = await _register(
                network_id, cooperative_id, people[person.key], person.role
            )
    gathering_id = await _seed_gathering(network_id, registered)
    await _seed_opening_motion(network_id, gathering_id, demo_people["camille"][0])
    return network_id


async def _new_cooperative(
    cooperative: MemberCooperative, short_name: str, password: str, domain: str
) -> tuple[int, dict[str, int]]:
    """A member cooperative with its own people (its first person is its admin)."""
    cooperative_id = await organisations.create_organisation(
        cooperative.name, short_name, legal_form=cooperative.legal_form
    )
    people: dict[str, int] = {}
    for index, person in enumerate(cooperative.people):
        email = f"{person.key}@{domain}"
        existing = await Person.select(Person.id).where(Person.email == email).first()
        people[person.key] = (
            existing["id"]
            if existing
            else await accounts.create_person(person.name, email, password)
        )
        await organisations.add_membership(
            cooperative_id,
            people[person.key],
            is_admin=index == 0,
            is_facilitator=index == 0,
        )
    return cooperative_id, people


async def _join(network_id: int, cooperative_id: int, cooperative: MemberCooperative) -> None:
    """The cooperative accepted the network's invitation two months ago."""
    now = datetime.now(UTC)
    await seed_member_cooperative(
        network_id,
        cooperative_id,
        representation=cooperative.representation.value,
        invited_at=now - timedelta(days=60),
        answered_at=now - timedelta(days=58),
    )


async def _register(network_id: int, cooperative_id: int, person_id: int, role: str) -> int:
    """The person's membership of the network, registered by their cooperative."""
    membership_id = await organisations.add_membership(
        network_id,
        person_id,
        kind=MembershipKind.OBSERVER if role == "observer" else MembershipKind.MEMBER,
        is_admin=role == "admin",
        is_facilitator=role == "admin",
        is_scrutineer=role == "scrutineer",
    )
    await MembershipRow.update({MembershipRow.delegated_by: cooperative_id}).where(
        MembershipRow.id == membership_id
    )
    return membership_id


async def _seed_gathering(network_id: int, registered: dict[str, int]) -> int:
    """The gathering, its programme (each session an assembly with its room and end), the
    registrations, and each participant's chosen sessions: every plenary, one atelier a day."""
    zone = ZoneInfo((await actor_for(network_id)).organisation.time_zone)
    first_day = datetime.now(zone).date() + timedelta(days=GATHERING_DAYS_AHEAD)
    rows = await Gathering.insert(
        Gathering(
            organisation=network_id,
            title=GATHERING_TITLE,
            place=GATHERING_PLACE,
            description=GATHERING_DESCRIPTION,
            first_day=first_day,
            last_day=first_day + timedelta(days=GATHERING_DAYS - 1),
        )
    )
    gathering_id = int(rows[0]["id"])
    sessions = [
        (session, await _session(network_id, gathering_id, first_day, zone, session))
        for session in programme()
    ]
    for number, (key, membership_id) in enumerate(registered.items()):
        if key in NOT_YET_REGISTERED:
            continue
        await GatheringRegistration.insert(
            GatheringRegistration(
                gathering=gathering_id,
                membership=membership_id,
                registration_key=f"{gathering_id}:{membership_id}",
            )
        )
        chosen = [
            assembly_id
            for index, (session, assembly_id) in enumerate(sessions)
            if not session.atelier or index % 3 == number % 3
        ]
        await SessionChoice.insert(
            *(
                SessionChoice(
                    assembly=assembly_id,
                    membership=membership_id,
                    choice_key=f"{assembly_id}:{membership_id}",
                )
                for assembly_id in chosen
            )
        )
    return gathering_id


async def _session(
    network_id: int, gathering_id: int, first_day: date, zone: ZoneInfo, session: Session
) -> int:
    """One session of the programme: an ordinary assembly of the network."""
    day = first_day + timedelta(days=session.day)
    starts = datetime.combine(day, session.starts, zone).astimezone(UTC)
    ends = datetime.combine(day, session.ends, zone).astimezone(UTC)
    assembly_id = await assemblies.create_assembly(
        await actor_for(network_id),
        session.title,
        starts,
        kind=AssemblyKind.OTHER if session.atelier else AssemblyKind.PLENARY,
        place=GATHERING_PLACE,
        status=AssemblyStatus.CONVENED,  # the programme is out: every session is announced
    )
    await Assembly.update(
        {Assembly.gathering: gathering_id, Assembly.room: session.room, Assembly.ends_at: ends}
    ).where(Assembly.id == assembly_id)
    if session.atelier:
        for item in ATELIER_ITEMS:
            await assemblies.add_agenda_item(assembly_id, item)
    return assembly_id


async def _seed_opening_motion(network_id: int, gathering_id: int, author_id: int) -> None:
    """The opening plenary's agenda, with the network's first motion and its ballot, drafted
    and ready to be opened by the facilitator."""
    opening = (
        await Assembly.select(Assembly.id)
        .where(Assembly.gathering == gathering_id)
        .order_by(Assembly.starts_at)
        .order_by(Assembly.id)
        .first()
    )
    assert opening is not None
    assembly_id = int(opening["id"])
    item_ids = [await assemblies.add_agenda_item(assembly_id, item) for item in OPENING_ITEMS]
    proposal_id = await proposals.create_proposal(
        network_id,
        assembly_id,
        author_id,
        MOTION_TITLE,
        MOTION_TEXT,
        agenda_item_id=item_ids[-1],
        status=ProposalStatus.UNDER_DEBATE,
    )
    await drafts.create_ballot(
        await actor_for(network_id),
        assembly_id,
        MOTION_QUESTION,
        "majority",
        list(YES_NO_ABSTAIN),
        agenda_item_id=item_ids[-1],
        proposal_id=proposal_id,
    )

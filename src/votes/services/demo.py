"""The demo cooperative: a newcomer signs in and sees a real assembly at once.

``seed_demo()`` is idempotent (it does nothing when the demo organisation exists) and goes
through the same services as the app, so the demo shows exactly what the platform does. Its
content is French, like the cooperatives it stands for. It is one story read top to bottom
(people, assemblies, debates, ballots, the floor); what is said and voted is data, in
:mod:`votes.services.demo_story`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from votes.db import gathering_queries, queries
from votes.db.gathering_queries import GatheringView
from votes.db.tables import (
    AmendmentKind,
    AssemblyKind,
    AssemblyStatus,
    Convocation,
    FloorList,
    LegalForm,
    ListStatus,
    MembershipKind,
    MoodAnswer,
    MoodCheck,
    MoodKind,
    MoodStatus,
    Organisation,
    Person,
    Proposal,
    ProposalStatus,
    RequestStatus,
    SpeakerRequest,
    Stance,
    Thread,
)
from votes.services import (
    accounts,
    advance_votes,
    amendments,
    assemblies,
    attendance,
    convocations,
    deliberation,
    minutes,
    organisations,
    proposals,
    proxies,
    rules,
)
from votes.services.actors import Actor, actor_for
from votes.services.assemblies import ItemText
from votes.services.ballots import drafts, lifecycle, voting
from votes.services.convocations import LetterDraft
from votes.services.demo_network import seed_network
from votes.services.demo_network_story import NETWORK_SUFFIX
from votes.services.demo_story import (
    ACCOUNTS,
    ACCOUNTS_BALLOT,
    ACCOUNTS_ITEM,
    ALLOCATION,
    ALLOCATION_BALLOT,
    ALLOCATION_ITEM,
    BOARD_BALLOT,
    BOARD_ITEM,
    CHARTER_ITEM,
    CONSENT_BALLOT,
    OPENING,
    OTHER_ITEM,
    PROVIDER_BALLOT,
    SEMINAR_BALLOT,
    SEMINAR_ITEM,
    STATUTES_ASSEMBLY,
    STATUTES_DAYS_AHEAD,
    STATUTES_HOUR,
    STATUTES_INSTRUCTIONS,
    STATUTES_ITEM,
    STATUTES_PLACE,
    STATUTES_QUESTION,
    TEST_BALLOT,
    WORKSHOPS_BALLOT,
    YES_NO_ABSTAIN,
    DemoBallot,
    DemoProposal,
    statutes_letter,
)
from votes.settings import Settings

DEMO_ORGANISATION = "demo"
DEMO_PASSWORD = "demo-cooperative"  # noqa: S105 - public on purpose: it is the demo
DEMO_EMAIL_DOMAIN = "demo.votes.invalid"


@dataclass(frozen=True, slots=True)
class DemoPerson:
    key: str
    name: str
    role: str  # admin, scrutineer, member, observer
    category: str


PEOPLE = (
    DemoPerson("camille", "Camille Martin", "admin", "salarié·e associé·e"),
    DemoPerson("yanis", "Yanis Benali", "scrutineer", "salarié·e associé·e"),
    DemoPerson("lea", "Léa Dubois", "member", "salarié·e associé·e"),
    DemoPerson("hugo", "Hugo Lefèvre", "member", "salarié·e associé·e"),
    DemoPerson("ines", "Inès Moreau", "member", "entrepreneur·e salarié·e"),
    DemoPerson("noah", "Noah Garcia", "member", "entrepreneur·e salarié·e"),
    DemoPerson("chloe", "Chloé Petit", "member", "entrepreneur·e salarié·e"),
    DemoPerson("jules", "Jules Roux", "member", "salarié·e associé·e"),
    DemoPerson("manon", "Manon Fournier", "member", "associé·e extérieur·e"),
    DemoPerson("lucas", "Lucas Girard", "member", "associé·e extérieur·e"),
    DemoPerson("sarah", "Sarah Lambert", "observer", "expert-comptable"),
)


@dataclass(frozen=True, slots=True)
class DemoAccount:
    email: str
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class DemoHint:
    organisation_name: str
    password: str
    accounts: tuple[DemoAccount, ...]
    network_name: str = ""  # the demo's network (#20), if it is loaded
    gathering: GatheringView | None = None  # and its gathering


def demo_email(person: DemoPerson, domain: str = DEMO_EMAIL_DOMAIN) -> str:
    return f"{person.key}@{domain}"


async def demo_sign_in_hint() -> DemoHint | None:
    """How to sign in to the demo, if it is loaded (shown on the front page in development)."""
    row = (
        await Organisation.select(Organisation.name)
        .where(Organisation.short_name == DEMO_ORGANISATION)
        .first()
    )
    if row is None:
        return None
    shown = ("camille", "yanis", "lea", "sarah")
    network = (
        await Organisation.select(Organisation.id, Organisation.name)
        .where(Organisation.short_name == f"{DEMO_ORGANISATION}-{NETWORK_SUFFIX}")
        .first()
    )
    gatherings = await gathering_queries.gatherings_of(network["id"]) if network else []
    return DemoHint(
        organisation_name=row["name"],
        password=DEMO_PASSWORD,
        accounts=tuple(
            DemoAccount(demo_email(p), p.name, p.role) for p in PEOPLE if p.key in shown
        ),
        network_name=network["name"] if network else "",
        gathering=gatherings[0] if gatherings else None,
    )


async def seed_demo(
    short_name: str = DEMO_ORGANISATION,
    *,
    base_url: str = "http://127.0.0.1:8000",
    secret_key: str | None = None,
) -> bool:
    """Create the demo cooperative unless it exists; return whether anything was created.

    Another ``short_name`` seeds a copy with its own people (``lea@<short name>.demo…``): tests
    that change things work on one, so the demo stays as newcomers see it. ``base_url`` and
    ``secret_key`` (the environment's by default) go into the convocation mails' links."""
    if await Organisation.exists().where(Organisation.short_name == short_name):
        return False
    organisation_id = await organisations.create_organisation(
        "Coopérative Les Tisserands", short_name, legal_form=LegalForm.SCOP_SARL
    )
    domain = (
        DEMO_EMAIL_DOMAIN
        if short_name == DEMO_ORGANISATION
        else f"{short_name}.{DEMO_EMAIL_DOMAIN}"
    )
    await _add_register_lists(organisation_id)
    members = await _add_people(organisation_id, domain)
    await _seed_general_assembly(organisation_id, members)
    key = secret_key if secret_key is not None else Settings.from_env().secret_key
    await _seed_convened_assembly(organisation_id, members, base_url=base_url, secret_key=key)
    # the network (#20) it belongs to with two other cooperatives, and their summer gathering
    await seed_network(short_name, organisation_id, members, DEMO_PASSWORD, domain)
    return True


async def _add_register_lists(organisation_id: int) -> None:
    """The member categories the register accepts (a CSV import rejects any other)."""
    for category in sorted({p.category for p in PEOPLE} | {"bénéficiaire", "partenaire"}):
        await organisations.add_category(await actor_for(organisation_id), category)


async def _add_people(organisation_id: int, domain: str) -> dict[str, tuple[int, int]]:
    """Create the demo people; return key -> (person id, membership id)."""
    created: dict[str, tuple[int, int]] = {}
    for person in PEOPLE:
        email = demo_email(person, domain)
        existing = await Person.select(Person.id).where(Person.email == email).first()
        person_id = (
            existing["id"]
            if existing
            else await accounts.create_person(person.name, email, DEMO_PASSWORD)
        )
        membership_id = await organisations.add_membership(
            organisation_id,
            person_id,
            kind=MembershipKind.OBSERVER if person.role == "observer" else MembershipKind.MEMBER,
            category=person.category,
            is_admin=person.role == "admin",
            is_facilitator=person.role == "admin",
            is_scrutineer=person.role == "scrutineer",
        )
        created[person.key] = (person_id, membership_id)
    return created


@dataclass(frozen=True, slots=True)
class _Story:
    """The assembly being told, and who is in it."""

    organisation_id: int
    assembly_id: int
    members: dict[str, tuple[int, int]]  # key -> (person id, membership id)

    @property
    def voters(self) -> list[int]:
        return [self.members[p.key][1] for p in PEOPLE if p.role != "observer"]

    async def item(self, item: ItemText) -> int:
        return await assemblies.add_agenda_item(self.assembly_id, item)

    async def proposal(self, item_id: int, proposal: DemoProposal) -> int:
        proposal_id = await proposals.create_proposal(
            self.organisation_id,
            self.assembly_id,
            self.members["camille"][0],
            proposal.title,
            proposal.text,
            agenda_item_id=item_id,
            status=proposal.status,
        )
        previous = None
        for comment in proposal.comments:
            previous = await proposals.add_contribution(
                proposal_id,
                self.members[comment.key][0],
                comment.text,
                stance=comment.stance,
                parent_id=previous if comment.reply else None,
            )
        return proposal_id

    async def create(self, item_id: int, ballot: DemoBallot, proposal_id: int | None = None) -> int:
        return await drafts.create_ballot(
            await actor_for(self.organisation_id),
            self.assembly_id,
            ballot.question,
            ballot.method,
            list(ballot.options),
            agenda_item_id=item_id,
            proposal_id=proposal_id,
            **copy.deepcopy(dict(ballot.settings)),  # each seed gets its own rules
        )

    async def ballot(
        self, item_id: int, ballot: DemoBallot, proposal_id: int | None = None
    ) -> None:
        """Create the ballot, open it, let the room vote; close and publish it if told to."""
        ballot_id = await self.create(item_id, ballot, proposal_id)
        system = await lifecycle.system_actor(ballot_id)
        await lifecycle.open_ballot(system, ballot_id)
        holders = await proxies.holders_for_ballot(ballot_id)  # holders vote for principals
        for membership_id, choice in zip(self.voters, ballot.votes, strict=False):
            holder = holders.get(membership_id)
            choice = copy.deepcopy(choice)
            if holder is None:
                await voting.cast_vote(ballot_id, membership_id, choice)
            else:
                await voting.cast_vote(ballot_id, holder, choice, on_behalf_of=membership_id)
        if ballot.publish:
            await lifecycle.close_ballot(system, ballot_id)
            await lifecycle.publish_ballot(system, ballot_id)

    async def resolution(self, item: ItemText, proposal: DemoProposal, ballot: DemoBallot) -> int:
        """An item with its resolution, its thread and its vote; returns the item's id."""
        item_id = await self.item(item)
        proposal_id = await self.proposal(item_id, proposal)
        await self.ballot(item_id, ballot, proposal_id)
        return item_id


async def _seed_general_assembly(organisation_id: int, members: dict[str, tuple[int, int]]) -> None:
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id),
        "Assemblée générale ordinaire 2026",
        datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1),
        kind=AssemblyKind.AGO,
        convocation=Convocation.FIRST,
        place="Maison des coopératives, 12 rue des Canuts, Lyon",
        status=AssemblyStatus.IN_SESSION,
    )
    story = _Story(organisation_id, assembly_id, members)
    await _seed_attendance(story)
    await story.ballot(await story.item(OPENING), TEST_BALLOT)
    accounts_item = await story.resolution(ACCOUNTS_ITEM, ACCOUNTS, ACCOUNTS_BALLOT)
    current = await story.resolution(ALLOCATION_ITEM, ALLOCATION, ALLOCATION_BALLOT)
    await story.ballot(await story.item(BOARD_ITEM), BOARD_BALLOT)
    await story.ballot(await story.item(SEMINAR_ITEM), SEMINAR_BALLOT)
    other = await story.item(OTHER_ITEM)
    await story.ballot(other, PROVIDER_BALLOT)
    await story.ballot(other, WORKSHOPS_BALLOT)
    await _seed_consent_rounds(story, other)
    await _seed_deliberation(story)
    await assemblies.set_current_item(assembly_id, current)
    await _seed_minutes(story)
    await _seed_floor(story, accounts_item)


async def _seed_convened_assembly(
    organisation_id: int, members: dict[str, tuple[int, int]], *, base_url: str, secret_key: str
) -> None:
    """The next assembly, three weeks ahead: the statutes allow votes by correspondence,
    the convocation is sent (its mails wait in the outbox: the demo has no mail server), and
    Hugo has already answered by correspondence; Léa has not yet."""
    gerance = await actor_for(organisation_id, members["camille"][1])
    profile = await rules.organisation_profile(organisation_id)
    allowed = replace(profile, postal=replace(profile.postal, allowed=True), adjusted=True)
    await rules.save_profile(gerance, allowed)
    zone = ZoneInfo(gerance.organisation.time_zone)
    day = datetime.now(zone).date() + timedelta(days=STATUTES_DAYS_AHEAD)
    starts = datetime.combine(day, time(STATUTES_HOUR), zone).astimezone(UTC)
    assembly_id = await assemblies.create_assembly(
        gerance,
        STATUTES_ASSEMBLY,
        starts,
        kind=AssemblyKind.AGE,
        convocation=Convocation.FIRST,
        place=STATUTES_PLACE,
    )
    item_id = await assemblies.add_agenda_item(assembly_id, STATUTES_ITEM)
    ballot_id = await drafts.create_ballot(
        gerance,
        assembly_id,
        STATUTES_QUESTION,
        "majority",
        list(YES_NO_ABSTAIN),
        agenda_item_id=item_id,
    )
    when = convocations.when_in_words(starts, gerance.organisation.time_zone)
    letter = LetterDraft(statutes_letter(gerance.organisation.name, when), STATUTES_INSTRUCTIONS)
    await convocations.prepare(gerance, assembly_id, letter)
    await convocations.send(gerance, assembly_id, base_url=base_url, secret_key=secret_key)
    hugo = await actor_for(organisation_id, members["hugo"][1])
    await advance_votes.cast_advance_votes(hugo, assembly_id, {ballot_id: "yes"})


async def _seed_floor(story: _Story, item_id: int) -> None:
    """The floor on the accounts item, already discussed: three turns of speech and a
    closed mood check (fist to five) taken before the vote. Never a resolution."""
    organisation_id, assembly_id, members = story.organisation_id, story.assembly_id, story.members
    rows = await FloorList.insert(
        FloorList(
            organisation=organisation_id,
            assembly=assembly_id,
            agenda_item=item_id,
            list_key=str(item_id),
            status=ListStatus.CLOSED.value,
        )
    )
    list_id = rows[0]["id"]
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=45)
    turns = (("hugo", 150), ("ines", 95), ("noah", 180))
    for key, seconds in turns:
        membership_id = members[key][1]
        rows = await SpeakerRequest.insert(
            SpeakerRequest(
                organisation=organisation_id,
                floor_list=list_id,
                membership=membership_id,
                request_key=f"{list_id}:{membership_id}:speak:done",
                status=RequestStatus.DONE.value,
                requested_at=start - timedelta(minutes=2),
                started_at=start,
                ended_at=start + timedelta(seconds=seconds),
            )
        )
        start += timedelta(seconds=seconds + 20)
    rows = await MoodCheck.insert(
        MoodCheck(
            organisation=organisation_id,
            assembly=assembly_id,
            agenda_item=item_id,
            kind=MoodKind.FIST_TO_FIVE.value,
            question="Les comptes sont-ils assez clairs pour passer au vote ?",
            status=MoodStatus.CLOSED.value,
            opened_at=start,
            closed_at=start + timedelta(minutes=2),
            opened_by=members["camille"][1],
        )
    )
    mood_id = rows[0]["id"]
    answers = {"lea": "4", "hugo": "5", "ines": "3", "noah": "4", "chloe": "2", "jules": "5"}
    await MoodAnswer.insert(
        *(
            MoodAnswer(
                organisation=organisation_id,
                mood_check=mood_id,
                membership=members[key][1],
                answer_key=f"{mood_id}:{members[key][1]}",
                choice=choice,
            )
            for key, choice in answers.items()
        )
    )


async def _seed_minutes(story: _Story) -> None:
    """The secretary has started the procès-verbal: the bureau and the opening words."""
    draft = minutes.MinutesDraft(
        language="fr",
        chair="Camille Martin",
        secretary="Léa Dubois",
        scrutineers="Yanis Benali",
        introduction=(
            "L'an deux mille vingt-six, les associé·es de la coopérative se sont réuni·es en "
            "assemblée générale ordinaire sur convocation de la gérance. La séance est ouverte "
            "par Camille Martin, qui la préside."
        ),
        notes="",
    )
    lea = story.members["lea"][0]
    await minutes.save_draft(story.organisation_id, story.assembly_id, draft, person_id=lea)


async def _seed_attendance(story: _Story) -> None:
    """The feuille de présence: Lucas gave Manon a directed proxy before the assembly, the
    scrutineer checked in the nine others at the door."""
    organisation_id, assembly_id, members = story.organisation_id, story.assembly_id, story.members
    await proxies.give_proxy(
        await actor_for(organisation_id),
        assembly_id,
        members["manon"][1],
        giver_id=members["lucas"][1],
        instructions="Voter pour les résolutions présentées par la gérance.",
    )
    steward = await actor_for(organisation_id, members["yanis"][1])
    for person in PEOPLE:
        if person.role != "observer" and person.key != "lucas":
            await attendance.check_in(steward, assembly_id, members[person.key][1])


async def _seed_deliberation(story: _Story) -> None:
    """A proposal still under debate, with co-authors, supporters, amendments (one accepted,
    one pending), a moderated thread; a member's draft; the closed thread of the accounts."""
    organisation_id, assembly_id, members = story.organisation_id, story.assembly_id, story.members
    item_id = await story.item(CHARTER_ITEM)
    member = {}
    for key in ("camille", "hugo", "lea", "ines", "noah", "jules"):
        found = await queries.membership_in(organisation_id, members[key][0])
        assert found is not None
        member[key] = Actor.of(found)
    proposal_id = await proposals.create_proposal(
        organisation_id,
        assembly_id,
        members["hugo"][0],
        "Charte du télétravail",
        "Chaque salarié·e peut télétravailler **deux jours** par semaine.\n\n"
        "Les réunions d'équipe ont lieu le mardi, sur place.",
        agenda_item_id=item_id,
        status=ProposalStatus.UNDER_DEBATE,
        coauthor_ids=[members["chloe"][0]],
    )
    await proposals.toggle_support(member["jules"], proposal_id)
    accepted = await amendments.propose_amendment(
        member["ines"], proposal_id, AmendmentKind.INSERT,
        passage="sur place.", text="Elles restent ouvertes à distance pour qui ne peut venir.",
        reason="Pour les entrepreneur·es salarié·es qui vivent loin.",
    )  # fmt: skip
    await amendments.decide_amendment(member["hugo"], accepted, "accept")
    await amendments.propose_amendment(
        member["lea"], proposal_id, AmendmentKind.REPLACE,
        passage="**deux jours**", text="**trois jours**",
        reason="Trois jours correspondent à ce que la moitié de l'équipe pratique déjà.",
    )  # fmt: skip
    thread = await _thread_of(proposal_id)
    first = await deliberation.post_contribution(
        member["lea"], thread, "Deux jours, c'est peu pour celles et ceux qui habitent loin.",
        stance=Stance.AGAINST,
    )  # fmt: skip
    await deliberation.post_contribution(
        member["hugo"], thread, "D'où l'amendement de Léa : on en débat puis on vote.",
        parent_id=first,
    )  # fmt: skip
    off_topic = await deliberation.post_contribution(
        member["noah"], thread, "Quelqu'un a vu mon chargeur ?", stance=Stance.QUESTION
    )
    await deliberation.hide_contribution(member["camille"], off_topic, "Hors sujet")
    await proposals.create_proposal(
        organisation_id, assembly_id, members["noah"][0], "Vélos de service",
        "Acheter deux vélos cargo pour les livraisons en ville.",
        status=ProposalStatus.DRAFT,
    )  # fmt: skip
    accounts_thread = await _thread_of(await _proposal_titled(assembly_id, "Résolution 1"))
    await deliberation.set_thread_closed(member["camille"], accounts_thread, True)


async def _thread_of(proposal_id: int) -> int:
    row = await Thread.select(Thread.id).where(Thread.proposal == proposal_id).first()
    assert row is not None
    return int(row["id"])


async def _proposal_titled(assembly_id: int, start: str) -> int:
    row = (
        await Proposal.select(Proposal.id)
        .where((Proposal.assembly == assembly_id) & Proposal.title.like(f"{start}%"))
        .first()
    )
    assert row is not None
    return int(row["id"])


async def _seed_consent_rounds(story: _Story, item_id: int) -> None:
    """Consent in two rounds: an objection, the text amended, then eight consents."""
    ballot_id = await story.create(item_id, CONSENT_BALLOT)
    system = await lifecycle.system_actor(ballot_id)
    await lifecycle.open_ballot(system, ballot_id)
    await lifecycle.advance_phase(system, ballot_id)  # questions -> reactions
    await lifecycle.advance_phase(system, ballot_id)  # reactions -> the consent round
    voters = story.voters
    for membership_id, choice in zip(voters, CONSENT_BALLOT.votes, strict=False):
        await voting.cast_vote(ballot_id, membership_id, copy.deepcopy(choice))
    await lifecycle.close_ballot(system, ballot_id)
    await lifecycle.rerun_consent_round(
        system,
        ballot_id,
        "Ajout de l'article 4 : droit à la déconnexion après 19 h.",
    )
    await lifecycle.advance_phase(system, ballot_id)
    await lifecycle.advance_phase(system, ballot_id)
    for membership_id in voters[:8]:
        await voting.cast_vote(ballot_id, membership_id, "consent")
    await lifecycle.close_ballot(system, ballot_id)
    await lifecycle.publish_ballot(system, ballot_id)

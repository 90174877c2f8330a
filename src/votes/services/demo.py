"""The demo cooperative: a newcomer signs in and sees a real assembly at once.

``seed_demo()`` is idempotent (it does nothing when the demo organisation exists) and goes
through the same services as the app, so the demo shows exactly what the platform does. Its
content is French, like the cooperatives it stands for. It is one story read top to bottom
(people, assemblies, debates, ballots, the floor), hence its length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from votes.db import queries
from votes.db.tables import (
    AgendaItem,
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
    amendments,
    assemblies,
    attendance,
    deliberation,
    minutes,
    organisations,
    proposals,
    proxies,
)
from votes.services.actors import Actor, actor_for
from votes.services.ballots import drafts, lifecycle, voting

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
    return DemoHint(
        organisation_name=row["name"],
        password=DEMO_PASSWORD,
        accounts=tuple(
            DemoAccount(demo_email(p), p.name, p.role) for p in PEOPLE if p.key in shown
        ),
    )


async def seed_demo(short_name: str = DEMO_ORGANISATION) -> bool:
    """Create the demo cooperative unless it exists; return whether anything was created.

    Another ``short_name`` seeds a copy with its own people (``lea@<short name>.demo…``): tests
    that change things work on one, so the demo stays as newcomers see it."""
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
    await _seed_attendance(organisation_id, assembly_id, members)
    opening = await assemblies.add_agenda_item(
        assembly_id,
        "Ouverture de la séance et désignation du bureau",
        description="Présidence : Camille Martin. Scrutateur : Yanis Benali.",
        planned_minutes=10,
    )
    await _seed_test_ballot(organisation_id, assembly_id, opening, members)
    await _seed_accounts_item(organisation_id, assembly_id, members)
    current = await _seed_allocation_item(organisation_id, assembly_id, members)
    await _seed_board_election(organisation_id, assembly_id, members)
    await _seed_seminar_choice(organisation_id, assembly_id, members)
    await _seed_ballot_methods(organisation_id, assembly_id, members)
    await _seed_deliberation(organisation_id, assembly_id, members)
    await assemblies.set_current_item(assembly_id, current)
    await _seed_minutes(organisation_id, assembly_id, members)
    await _seed_floor(organisation_id, assembly_id, members)


async def _seed_floor(
    organisation_id: int, assembly_id: int, members: dict[str, tuple[int, int]]
) -> None:
    """The floor (#19) on the accounts item, already discussed: three turns of speech and a
    closed mood check (fist to five) taken before the vote. Never a resolution."""

    item = (
        await AgendaItem.select(AgendaItem.id)
        .where(
            (AgendaItem.assembly == assembly_id) & AgendaItem.title.like("Approbation des comptes%")
        )
        .first()
    )
    if item is None:
        return
    item_id = item["id"]
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
            question="Les comptes sont-ils assez clairs pour passer au vote ?",
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


async def _seed_minutes(
    organisation_id: int, assembly_id: int, members: dict[str, tuple[int, int]]
) -> None:
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
    await minutes.save_draft(organisation_id, assembly_id, draft, person_id=members["lea"][0])


async def _seed_attendance(
    organisation_id: int, assembly_id: int, members: dict[str, tuple[int, int]]
) -> None:
    """The feuille de présence: Lucas gave Manon a directed proxy before the assembly, the
    scrutineer checked in the nine others at the door."""
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


def _voters(members: dict[str, tuple[int, int]]) -> list[int]:
    return [members[p.key][1] for p in PEOPLE if p.role != "observer"]


async def _run_ballot(
    ballot_id: int, choices: Sequence[object], voters: list[int], *, publish: bool
) -> None:
    system = await lifecycle.system_actor(ballot_id)
    await lifecycle.open_ballot(system, ballot_id)
    holders = await proxies.holders_for_ballot(ballot_id)  # a holder votes for whom they represent
    for membership_id, choice in zip(voters, choices, strict=False):
        holder = holders.get(membership_id)
        if holder is None:
            await voting.cast_vote(ballot_id, membership_id, choice)
        else:
            await voting.cast_vote(ballot_id, holder, choice, on_behalf_of=membership_id)
    if publish:
        await lifecycle.close_ballot(system, ballot_id)
        await lifecycle.publish_ballot(system, ballot_id)


async def _seed_test_ballot(
    organisation_id: int, assembly_id: int, item_id: int, members: dict[str, tuple[int, int]]
) -> None:
    ballot_id = await drafts.create_ballot(
        await actor_for(organisation_id),
        assembly_id,
        "Vote d'essai : votre téléphone fonctionne-t-il ?",
        "plurality",
        [("oui", "Oui, ça marche"), ("bof", "Presque")],
        agenda_item_id=item_id,
        is_test=True,
    )
    voters = _voters(members)
    await _run_ballot(ballot_id, ["oui"] * 9 + ["bof"], voters, publish=True)


async def _seed_accounts_item(
    organisation_id: int, assembly_id: int, members: dict[str, tuple[int, int]]
) -> None:
    item_id = await assemblies.add_agenda_item(
        assembly_id,
        "Approbation des comptes de l'exercice 2025",
        description="Rapport de gestion présenté par la gérance ; rapport de l'expert-comptable.",
        planned_minutes=30,
    )
    camille, _ = members["camille"]
    proposal_id = await proposals.create_proposal(
        organisation_id,
        assembly_id,
        camille,
        "Résolution 1 — Approbation des comptes 2025",
        (
            "L'assemblée générale, après avoir entendu le **rapport de gestion** de la gérance "
            "et pris connaissance des comptes annuels de l'exercice clos le 31 décembre 2025, "
            "**approuve** ces comptes tels qu'ils lui ont été présentés.\n\n"
            "- Chiffre d'affaires : 1 284 000 €\n- Résultat net : 96 400 €\n\n"
            "Elle donne quitus à la gérance pour sa gestion."
        ),
        agenda_item_id=item_id,
        status=ProposalStatus.ADOPTED,
    )
    first = await proposals.add_contribution(
        proposal_id,
        members["lea"][0],
        "Les charges de sous-traitance ont beaucoup augmenté : pouvez-vous détailler ?",
        stance=Stance.QUESTION,
    )
    await proposals.add_contribution(
        proposal_id,
        camille,
        "Deux gros chantiers ont demandé des renforts ; le détail est en annexe 3 du rapport.",
        stance=Stance.REMARK,
        parent_id=first,
    )
    await proposals.add_contribution(
        proposal_id,
        members["hugo"][0],
        "Comptes clairs, merci à l'équipe. Je voterai pour.",
        stance=Stance.FOR,
    )
    ballot_id = await drafts.create_ballot(
        await actor_for(organisation_id),
        assembly_id,
        "Approuvez-vous les comptes de l'exercice 2025 ?",
        "majority",
        [("yes", "Pour"), ("no", "Contre"), ("abstain", "Abstention")],
        agenda_item_id=item_id,
        proposal_id=proposal_id,
        rules={"management_supports": True},  # presented by the gérance (blank proxies)
    )
    choices = ["yes"] * 7 + ["no", "abstain", "abstain"]
    await _run_ballot(ballot_id, choices, _voters(members), publish=True)


async def _seed_allocation_item(
    organisation_id: int, assembly_id: int, members: dict[str, tuple[int, int]]
) -> int:
    item_id = await assemblies.add_agenda_item(
        assembly_id,
        "Affectation du résultat",
        description="Répartition légale SCOP : réserves, part travail, dividendes.",
        planned_minutes=20,
    )
    proposal_id = await proposals.create_proposal(
        organisation_id,
        assembly_id,
        members["camille"][0],
        "Résolution 2 — Affectation du résultat 2025",
        (
            "L'assemblée générale décide d'affecter le résultat net de 96 400 € comme suit :\n\n"
            "| Affectation | Montant |\n|---|---|\n"
            "| Réserve légale (15 %) | 14 460 € |\n| Réserves statutaires | 33 740 € |\n"
            "| Part travail (50 %) | 48 200 € |\n\n"
            "Aucun dividende n'est versé cette année."
        ),
        agenda_item_id=item_id,
        status=ProposalStatus.VOTING,
    )
    await proposals.add_contribution(
        proposal_id,
        members["ines"][0],
        "Je propose qu'on discute l'an prochain d'une part travail plus élevée.",
        stance=Stance.REMARK,
    )
    await proposals.add_contribution(
        proposal_id,
        members["manon"][0],
        "Les réserves nous protègent : la répartition me convient.",
        stance=Stance.FOR,
    )
    ballot_id = await drafts.create_ballot(
        await actor_for(organisation_id),
        assembly_id,
        "Adoptez-vous l'affectation du résultat 2025 ?",
        "majority",
        [("yes", "Pour"), ("no", "Contre"), ("abstain", "Abstention")],
        agenda_item_id=item_id,
        proposal_id=proposal_id,
        secret=True,
        allow_change=True,
    )
    # left open: the meeting is at this point, members are voting now
    await _run_ballot(ballot_id, ["yes", "yes", "no", "yes"], _voters(members), publish=False)
    return item_id


async def _seed_board_election(
    organisation_id: int, assembly_id: int, members: dict[str, tuple[int, int]]
) -> None:
    item_id = await assemblies.add_agenda_item(
        assembly_id,
        "Élection de trois membres du comité de pilotage",
        description="Vote préférentiel : classez les candidat·es par ordre de préférence.",
        planned_minutes=25,
    )
    ballot_id = await drafts.create_ballot(
        await actor_for(organisation_id),
        assembly_id,
        "Élection du comité de pilotage (3 sièges)",
        "stv",
        [
            ("lea", "Léa Dubois"),
            ("hugo", "Hugo Lefèvre"),
            ("ines", "Inès Moreau"),
            ("noah", "Noah Garcia"),
            ("chloe", "Chloé Petit"),
        ],
        agenda_item_id=item_id,
        seats=3,
        secret=True,
        rules={"seed": "ago-2026-comite"},
    )
    rankings: list[object] = [
        ["lea", "hugo", "ines"],
        ["lea", "ines"],
        ["lea", "chloe", "hugo"],
        ["lea", "hugo"],
        ["hugo", "lea", "noah"],
        ["ines", "chloe"],
        ["ines", "lea"],
        ["noah", "chloe", "ines"],
        ["chloe", "noah"],
        ["chloe", "ines", "lea"],
    ]
    await _run_ballot(ballot_id, rankings, _voters(members), publish=True)


async def _seed_seminar_choice(
    organisation_id: int, assembly_id: int, members: dict[str, tuple[int, int]]
) -> None:
    item_id = await assemblies.add_agenda_item(
        assembly_id,
        "Lieu du séminaire d'été",
        description="Condorcet (méthode Schulze) : chaque option est comparée à chaque autre.",
        planned_minutes=10,
    )
    ballot_id = await drafts.create_ballot(
        await actor_for(organisation_id),
        assembly_id,
        "Où organiser le séminaire d'été ?",
        "schulze",
        [("vercors", "Vercors"), ("ardeche", "Ardèche"), ("bretagne", "Bretagne")],
        agenda_item_id=item_id,
    )
    rankings: list[object] = [
        ["vercors", "ardeche", "bretagne"],
        ["vercors", "bretagne", "ardeche"],
        ["ardeche", "vercors", "bretagne"],
        ["ardeche", "vercors", "bretagne"],
        ["bretagne", "vercors", "ardeche"],
        ["bretagne", "ardeche", "vercors"],
        ["vercors", "ardeche"],
        ["ardeche", "bretagne", "vercors"],
        ["vercors"],
        ["bretagne", "vercors"],
    ]
    await _run_ballot(ballot_id, rankings, _voters(members), publish=True)


async def _seed_deliberation(
    organisation_id: int, assembly_id: int, members: dict[str, tuple[int, int]]
) -> None:
    """A proposal still under debate, with co-authors, supporters, amendments (one accepted,
    one pending), a moderated thread; a member's draft; the closed thread of the accounts."""
    item_id = await assemblies.add_agenda_item(
        assembly_id,
        "Charte du télétravail",
        description="Débat sur la proposition de Hugo et Chloé ; vote à la prochaine assemblée.",
        planned_minutes=20,
    )
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
        member["hugo"], thread, "D'où l'amendement de Léa : on en débat puis on vote.",
        parent_id=first,
    )  # fmt: skip
    off_topic = await deliberation.post_contribution(
        member["noah"], thread, "Quelqu'un a vu mon chargeur ?", stance=Stance.QUESTION
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


async def _seed_ballot_methods(
    organisation_id: int, assembly_id: int, members: dict[str, tuple[int, int]]
) -> None:
    """An instant-runoff choice, an approval vote and a consent decision taken in two rounds."""
    voters = _voters(members)
    item_id = await assemblies.add_agenda_item(
        assembly_id,
        "Questions diverses",
        description="Prestataire informatique, ateliers de l'après-midi, charte du télétravail.",
        planned_minutes=20,
    )
    irv = await drafts.create_ballot(
        await actor_for(organisation_id),
        assembly_id,
        "Quel prestataire informatique retenir ?",
        "irv",
        [
            ("libre", "Libre Informatique (SCOP)"),
            ("reseau", "Réseau Sud"),
            ("atelier", "L'Atelier"),
        ],
        agenda_item_id=item_id,
        rules={"seed": "ago-2026-informatique"},
    )
    rankings: list[object] = [
        ["libre", "atelier"],
        ["reseau", "libre"],
        ["atelier", "libre"],
        ["libre"],
        ["reseau", "atelier"],
        ["libre", "reseau"],
        ["atelier", "reseau", "libre"],
        ["reseau"],
        ["libre", "atelier", "reseau"],
        ["atelier", "libre"],
    ]
    await _run_ballot(irv, rankings, voters, publish=True)
    approval = await drafts.create_ballot(
        await actor_for(organisation_id),
        assembly_id,
        "À quels ateliers voulez-vous participer cet après-midi ? (deux au plus)",
        "approval",
        [
            ("compta", "Lire nos comptes"),
            ("gouvernance", "Gouvernance partagée"),
            ("outils", "Nos outils"),
        ],
        agenda_item_id=item_id,
        seats=2,
        rules={"max_selections": 2},
    )
    picks: list[object] = [
        ["compta", "gouvernance"],
        ["gouvernance"],
        ["outils", "gouvernance"],
        ["compta"],
        ["gouvernance", "outils"],
        ["compta", "gouvernance"],
        ["outils"],
        ["gouvernance"],
        ["compta", "outils"],
    ]
    await _run_ballot(approval, picks, voters, publish=True)
    await _seed_consent_rounds(organisation_id, assembly_id, item_id, voters)


async def _seed_consent_rounds(
    organisation_id: int, assembly_id: int, item_id: int, voters: list[int]
) -> None:
    ballot_id = await drafts.create_ballot(
        await actor_for(organisation_id),
        assembly_id,
        "Consentez-vous à la charte du télétravail ?",
        "consent",
        [
            ("consent", "Consentement"),
            ("concern", "Consentement avec réserve"),
            ("stand_aside", "Retrait"),
            ("objection", "Objection"),
        ],
        agenda_item_id=item_id,
        facilitated=True,
    )
    system = await lifecycle.system_actor(ballot_id)
    await lifecycle.open_ballot(system, ballot_id)
    await lifecycle.advance_phase(system, ballot_id)  # questions -> reactions
    await lifecycle.advance_phase(system, ballot_id)  # reactions -> the consent round
    first: list[object] = [
        "consent",
        ["objection", "Le droit à la déconnexion n'y est pas écrit."],
        "consent",
        ["concern", "Prévoir un point d'étape dans six mois."],
    ]
    for membership_id, choice in zip(voters, first, strict=False):
        await voting.cast_vote(ballot_id, membership_id, choice)
    await lifecycle.close_ballot(system, ballot_id)
    await lifecycle.rerun_consent_round(
        system,
        ballot_id,
        "Ajout de l'article 4 : droit à la déconnexion après 19 h.",
    )
    await lifecycle.advance_phase(system, ballot_id)
    await lifecycle.advance_phase(system, ballot_id)
    for membership_id in voters[:8]:
        await voting.cast_vote(ballot_id, membership_id, "consent")
    await lifecycle.close_ballot(system, ballot_id)
    await lifecycle.publish_ballot(system, ballot_id)

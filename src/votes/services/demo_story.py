"""The demo cooperative's general assembly, as data: its items, resolutions and ballots, and
how the room votes on each (:mod:`votes.services.demo` tells it through the services).
The content is French, like the cooperatives it stands for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from votes.db.tables import ProposalStatus, Stance
from votes.services.assemblies import ItemText


@dataclass(frozen=True, slots=True)
class DemoComment:
    """A contribution to a proposal's thread; ``reply``: it answers the one before."""

    key: str
    text: str
    stance: Stance
    reply: bool = False


@dataclass(frozen=True, slots=True)
class DemoProposal:
    """A resolution put by Camille for the gérance, with its thread."""

    title: str
    text: str
    status: ProposalStatus
    comments: tuple[DemoComment, ...]


@dataclass(frozen=True, slots=True)
class DemoBallot:
    """A ballot and how the room votes on it: ``votes`` one per voter, in PEOPLE's order."""

    question: str
    method: str
    options: tuple[tuple[str, str], ...]
    votes: tuple[object, ...]
    settings: Mapping[str, Any] = field(default_factory=dict)  # create_ballot's keywords
    publish: bool = True  # False: left open, the members are voting now


YES_NO_ABSTAIN = (("yes", "Pour"), ("no", "Contre"), ("abstain", "Abstention"))

OPENING = ItemText(
    "Ouverture de la séance et désignation du bureau",
    "Présidence : Camille Martin. Scrutateur : Yanis Benali.",
    10,
)
TEST_BALLOT = DemoBallot(
    "Vote d'essai : votre téléphone fonctionne-t-il ?",
    "plurality",
    (("oui", "Oui, ça marche"), ("bof", "Presque")),
    ("oui",) * 9 + ("bof",),
    {"is_test": True},
)
ACCOUNTS_ITEM = ItemText(
    "Approbation des comptes de l'exercice 2025",
    "Rapport de gestion présenté par la gérance ; rapport de l'expert-comptable.",
    30,
)
ACCOUNTS = DemoProposal(
    "Résolution 1 — Approbation des comptes 2025",
    (
        "L'assemblée générale, après avoir entendu le **rapport de gestion** de la gérance "
        "et pris connaissance des comptes annuels de l'exercice clos le 31 décembre 2025, "
        "**approuve** ces comptes tels qu'ils lui ont été présentés.\n\n"
        "- Chiffre d'affaires : 1 284 000 €\n- Résultat net : 96 400 €\n\n"
        "Elle donne quitus à la gérance pour sa gestion."
    ),
    ProposalStatus.ADOPTED,
    (
        DemoComment(
            "lea",
            "Les charges de sous-traitance ont beaucoup augmenté : pouvez-vous détailler ?",
            Stance.QUESTION,
        ),
        DemoComment(
            "camille",
            "Deux gros chantiers ont demandé des renforts ; le détail est en annexe 3 du rapport.",
            Stance.REMARK,
            reply=True,
        ),
        DemoComment("hugo", "Comptes clairs, merci à l'équipe. Je voterai pour.", Stance.FOR),
    ),
)
ACCOUNTS_BALLOT = DemoBallot(
    "Approuvez-vous les comptes de l'exercice 2025 ?",
    "majority",
    YES_NO_ABSTAIN,
    ("yes",) * 7 + ("no", "abstain", "abstain"),
    {"rules": {"management_supports": True}},  # presented by the gérance (blank proxies)
)
ALLOCATION_ITEM = ItemText(
    "Affectation du résultat",
    "Répartition légale SCOP : réserves, part travail, dividendes.",
    20,
)
ALLOCATION = DemoProposal(
    "Résolution 2 — Affectation du résultat 2025",
    (
        "L'assemblée générale décide d'affecter le résultat net de 96 400 € comme suit :\n\n"
        "| Affectation | Montant |\n|---|---|\n"
        "| Réserve légale (15 %) | 14 460 € |\n| Réserves statutaires | 33 740 € |\n"
        "| Part travail (50 %) | 48 200 € |\n\n"
        "Aucun dividende n'est versé cette année."
    ),
    ProposalStatus.VOTING,
    (
        DemoComment(
            "ines",
            "Je propose qu'on discute l'an prochain d'une part travail plus élevée.",
            Stance.REMARK,
        ),
        DemoComment(
            "manon", "Les réserves nous protègent : la répartition me convient.", Stance.FOR
        ),
    ),
)
ALLOCATION_BALLOT = DemoBallot(
    "Adoptez-vous l'affectation du résultat 2025 ?",
    "majority",
    YES_NO_ABSTAIN,
    ("yes", "yes", "no", "yes"),
    {"secret": True, "allow_change": True},
    publish=False,  # the meeting is at this point
)
BOARD_ITEM = ItemText(
    "Élection de trois membres du comité de pilotage",
    "Vote préférentiel : classez les candidat·es par ordre de préférence.",
    25,
)
BOARD_BALLOT = DemoBallot(
    "Élection du comité de pilotage (3 sièges)",
    "stv",
    (
        ("lea", "Léa Dubois"),
        ("hugo", "Hugo Lefèvre"),
        ("ines", "Inès Moreau"),
        ("noah", "Noah Garcia"),
        ("chloe", "Chloé Petit"),
    ),
    (
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
    ),
    {"seats": 3, "secret": True, "rules": {"seed": "ago-2026-comite"}},
)
SEMINAR_ITEM = ItemText(
    "Lieu du séminaire d'été",
    "Condorcet (méthode Schulze) : chaque option est comparée à chaque autre.",
    10,
)
SEMINAR_BALLOT = DemoBallot(
    "Où organiser le séminaire d'été ?",
    "schulze",
    (("vercors", "Vercors"), ("ardeche", "Ardèche"), ("bretagne", "Bretagne")),
    (
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
    ),
)
OTHER_ITEM = ItemText(
    "Questions diverses",
    "Prestataire informatique, ateliers de l'après-midi, charte du télétravail.",
    20,
)
PROVIDER_BALLOT = DemoBallot(
    "Quel prestataire informatique retenir ?",
    "irv",
    (("libre", "Libre Informatique (SCOP)"), ("reseau", "Réseau Sud"), ("atelier", "L'Atelier")),
    (
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
    ),
    {"rules": {"seed": "ago-2026-informatique"}},
)
WORKSHOPS_BALLOT = DemoBallot(
    "À quels ateliers voulez-vous participer cet après-midi ? (deux au plus)",
    "approval",
    (
        ("compta", "Lire nos comptes"),
        ("gouvernance", "Gouvernance partagée"),
        ("outils", "Nos outils"),
    ),
    (
        ["compta", "gouvernance"],
        ["gouvernance"],
        ["outils", "gouvernance"],
        ["compta"],
        ["gouvernance", "outils"],
        ["compta", "gouvernance"],
        ["outils"],
        ["gouvernance"],
        ["compta", "outils"],
    ),
    {"seats": 2, "rules": {"max_selections": 2}},
)
CHARTER_ITEM = ItemText(
    "Charte du télétravail",
    "Débat sur la proposition de Hugo et Chloé ; vote à la prochaine assemblée.",
    20,
)
CONSENT_BALLOT = DemoBallot(
    "Consentez-vous à la charte du télétravail ?",
    "consent",
    (
        ("consent", "Consentement"),
        ("concern", "Consentement avec réserve"),
        ("stand_aside", "Retrait"),
        ("objection", "Objection"),
    ),
    (  # the first round; after the objection is met, eight consent
        "consent",
        ["objection", "Le droit à la déconnexion n'y est pas écrit."],
        "consent",
        ["concern", "Prévoir un point d'étape dans six mois."],
    ),
    {"facilitated": True},
)


# the next assembly: convened three weeks ahead, votes by correspondence open
STATUTES_ASSEMBLY = "Assemblée générale extraordinaire — statuts"
STATUTES_PLACE = "Maison des coopératives, 12 rue des Canuts, Lyon"
STATUTES_ITEM = ItemText(
    "Modification de l'article 12 des statuts (répartition des excédents)",
    "La part des excédents versée aux réserves passe de 40 % à 45 %, la part des salarié·es"
    " reste de 40 %.",
    30,
)
STATUTES_QUESTION = "Adoptez-vous la nouvelle rédaction de l'article 12 des statuts ?"
STATUTES_DAYS_AHEAD = 24
STATUTES_HOUR = 14


def statutes_letter(cooperative: str, when: str) -> str:
    """The convocation as the gérance wrote it (the app prefills the same from the assembly)."""
    return (
        f"{cooperative} convoque ses associé·es en assemblée générale extraordinaire,"
        " première convocation.\n\n"
        f"Date : {when}\nLieu : {STATUTES_PLACE}\n\n"
        f"Ordre du jour :\n1. {STATUTES_ITEM.title}\n\n"
        f"Projet de résolution :\n— {STATUTES_QUESTION}\n{STATUTES_ITEM.description}"
    )


STATUTES_INSTRUCTIONS = (
    "Si vous ne pouvez pas venir, vous pouvez vous faire représenter par un·e autre associé·e"
    " ayant le droit de vote : remettez-lui un pouvoir signé, daté et nommant l'assemblée.\n\n"
    "Vous pouvez aussi voter par correspondance jusqu'à la veille de l'assemblée à 15 h,"
    " depuis votre lien personnel ci-dessous."
)

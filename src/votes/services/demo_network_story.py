"""The demo's network (#20), as data: three cooperatives that decide together, and their
five-day summer gathering with its programme (:mod:`votes.services.demo_network` seeds it).
The names are invented; the content is French, like the cooperatives it stands for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from votes.db.tables import LegalForm, Representation
from votes.services.assemblies import ItemText

NETWORK_NAME = "Réseau Coopératif des Communs"
NETWORK_SUFFIX = "reseau"  # the network's short name is "<demo short name>-reseau"


@dataclass(frozen=True, slots=True)
class NetworkPerson:
    """Someone a member cooperative registered with the network; ``role`` there: admin,
    scrutineer, member or observer."""

    key: str  # a demo person's key (Les Tisserands) or a new person's (email local part)
    name: str  # "" for a demo person: their name is already known
    role: str


@dataclass(frozen=True, slots=True)
class MemberCooperative:
    """A cooperative of the network; ``suffix`` "" is the demo cooperative itself."""

    name: str
    suffix: str
    legal_form: LegalForm
    representation: Representation
    people: tuple[NetworkPerson, ...]  # the first new person is the cooperative's admin


COOPERATIVES = (
    MemberCooperative(
        "Coopérative Les Tisserands",
        "",
        LegalForm.SCOP_SARL,
        Representation.DELEGATION,
        (
            NetworkPerson("camille", "", "admin"),  # the demo admin runs the network too
            NetworkPerson("yanis", "", "scrutineer"),
            NetworkPerson("lea", "", "member"),
            NetworkPerson("hugo", "", "member"),
            NetworkPerson("sarah", "", "observer"),
        ),
    ),
    MemberCooperative(
        "Coopérative L'Établi",
        "etabli",
        LegalForm.SCOP_SA,
        Representation.ALL,
        (
            NetworkPerson("amandine", "Amandine Perrin", "member"),
            NetworkPerson("bastien", "Bastien Caron", "member"),
            NetworkPerson("clemence", "Clémence Roussel", "member"),
        ),
    ),
    MemberCooperative(
        "Les Jardins Partagés",
        "jardins",
        LegalForm.SCIC,
        Representation.ALL,
        (
            NetworkPerson("damien", "Damien Faure", "member"),
            NetworkPerson("elsa", "Elsa Marchand", "member"),
            NetworkPerson("farid", "Farid Haddad", "member"),
            NetworkPerson("gaelle", "Gaëlle Bertin", "member"),
        ),
    ),
)

GATHERING_TITLE = "Rencontre d'été"
GATHERING_PLACE = "Domaine des Communs, 4 chemin des Chênes, Die (Drôme)"
GATHERING_DESCRIPTION = (
    "Cinq jours pour se retrouver entre coopératives du réseau\u00a0: des **plénières** chaque "
    "matin, des **ateliers** en parallèle l'après-midi, et les décisions du réseau votées "
    "en plénière.\n\n"
    "Inscrivez-vous, puis choisissez vos ateliers dans le programme."
)
GATHERING_DAYS_AHEAD = 5  # the first day, counted from today
GATHERING_DAYS = 5
PLENARY_ROOM = "Grande salle"
ATELIER_ROOMS = ("Salle des Tilleuls", "Salle des Chênes", "Le Préau")


@dataclass(frozen=True, slots=True)
class Session:
    """One session of the programme: ``day`` 0 is the first day; ``atelier``: in parallel."""

    day: int
    starts: time
    ends: time
    title: str
    room: str
    atelier: bool


PLENARIES = (
    "Plénière d'ouverture",
    "Plénière\u00a0: l'économie des communs",
    "Plénière\u00a0: la coopération entre coopératives",
    "Plénière\u00a0: l'avenir du réseau",
    "Plénière de clôture",
)
ATELIERS = (  # one row a day (the last day has none), one title a room
    ("Gouvernance partagée", "Lire les comptes d'une coopérative", "Accueillir les nouveaux"),
    ("Outils numériques libres", "Rémunérations et écarts de salaires", "Fonds de solidarité"),
    ("Mutualiser un local", "Facilitation des réunions", "Coopératives et territoires"),
    ("Formation des associé·es", "Prévenir les conflits", "Préparer les motions du réseau"),
)


def programme() -> tuple[Session, ...]:
    """Each day: a plenary in the morning; on the first four, three ateliers in parallel in
    the afternoon."""
    sessions = []
    for day, title in enumerate(PLENARIES):
        sessions.append(Session(day, time(9, 30), time(12), title, PLENARY_ROOM, atelier=False))
        if day < len(ATELIERS):
            for room, atelier in zip(ATELIER_ROOMS, ATELIERS[day], strict=True):
                sessions.append(Session(day, time(14), time(16, 30), atelier, room, atelier=True))
    return tuple(sessions)


# every atelier's agenda: a speakers' list and a mood check belong to an item under discussion
ATELIER_ITEMS = (
    ItemText("Tour de table", "Chacun·e dit ce qu'il ou elle attend de l'atelier.", 20),
    ItemText(
        "Échanges et propositions", "Ce que l'atelier propose à la plénière du lendemain.", 100
    ),
)
OPENING_ITEMS = (
    ItemText("Accueil des coopératives et ordre du jour", "Tour des coopératives présentes.", 20),
    ItemText(
        "Motion du réseau\u00a0: fonds de solidarité",
        "Vote par personne et par coopérative.",
        40,
    ),
)
MOTION_TITLE = "Motion 1 — Créer un fonds de solidarité inter-coopératives"
MOTION_TEXT = (
    "Le réseau crée un **fonds de solidarité** alimenté par chaque coopérative membre à hauteur "
    "de **0,5 % de son chiffre d'affaires**.\n\n"
    "- Le fonds prête sans intérêt à une coopérative du réseau en difficulté passagère.\n"
    "- Un comité de trois personnes, une par coopérative, instruit les demandes.\n\n"
    "Le fonds est revu à la Rencontre d'été suivante."
)
MOTION_QUESTION = "Adoptez-vous la création du fonds de solidarité inter-coopératives\u00a0?"

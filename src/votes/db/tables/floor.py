"""The floor: speakers' lists per agenda item, speaking time, the balanced ordering
rule of each assembly, members' self-declared categories, and mood checks (sondages
indicatifs) — never votes: no quorum, no verdict, never among the minutes' resolutions."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from votes.core.floor import Kind, MoodKind, Rule
from votes.db.tables.accounts import Membership, Organisation
from votes.db.tables.assemblies import AgendaItem, Amendment, Assembly, Proposal
from votes.db.tables.base import SerialId, foreign_key


class RequestStatus(StrEnum):
    WAITING = "waiting"
    SPEAKING = "speaking"
    DONE = "done"
    WITHDRAWN = "withdrawn"


class ListStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # no new requests; the queue still runs out


class MoodStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class FloorSettings(Table, SerialId):
    """An assembly's floor rules, shown to everyone: the ordering and the default budgets."""

    organisation = foreign_key(Organisation)
    assembly = foreign_key(Assembly)
    settings_key = Varchar(length=20, unique=True)  # "<assembly>"
    ordering = Varchar(length=12, default=Rule.ARRIVAL.value)
    category_label = Varchar(length=60, default="")  # e.g. "genre", "collège"
    speaker_seconds = Integer(default=180)  # 0: no limit
    item_seconds = Integer(default=0)  # 0: no limit
    # what is under discussion on the current item: the list key of the item itself, of one of
    # its proposals or of one of their amendments ("": the item; a stale item's key: the item)
    subject_key = Varchar(length=60, default="")


class SpeakerCategory(Table, SerialId):
    """A member's self-declared category for one assembly's balanced ordering, shown to others
    only when they agreed."""

    organisation = foreign_key(Organisation)
    assembly = foreign_key(Assembly)
    membership = foreign_key(Membership)
    category_key = Varchar(length=40, unique=True)  # "<assembly>:<membership>"
    category = Varchar(length=60, default="")
    may_be_shown = Boolean(default=False)


class FloorList(Table, SerialId):
    """The speakers' list of one agenda item (or of one proposal or amendment under it)."""

    organisation = foreign_key(Organisation)
    assembly = foreign_key(Assembly)
    agenda_item = foreign_key(AgendaItem)
    proposal = foreign_key(Proposal, null=True)
    amendment = foreign_key(Amendment, null=True)
    list_key = Varchar(length=60, unique=True)  # "<item>", "<item>:p<proposal>", "<item>:a<id>"
    status = Varchar(length=8, default=ListStatus.OPEN.value)
    speaker_seconds = Integer(default=180)  # 0: no limit
    item_seconds = Integer(default=0)  # 0: no limit
    created_at = Timestamptz(default=TimestamptzNow())


class SpeakerRequest(Table, SerialId):
    """One request for the floor. ``request_key`` is "<list>:<membership>:<kind>" while waiting
    or speaking (one pending request of each kind per member); ":<id>" is appended when done or
    withdrawn so that the member may ask again."""

    organisation = foreign_key(Organisation)
    floor_list = foreign_key(FloorList)
    membership = foreign_key(Membership)
    request_key = Varchar(length=80, unique=True)
    kind = Varchar(length=16, default=Kind.SPEAK.value)
    status = Varchar(length=10, default=RequestStatus.WAITING.value)
    position = Integer(default=0)  # the facilitator's reordering; 0: the rule decides
    requested_at = Timestamptz(default=TimestamptzNow())
    started_at = Timestamptz(null=True, default=None)
    ended_at = Timestamptz(null=True, default=None)
    added_by = foreign_key(Membership, null=True)  # the steward who added a member without phone


class MoodCheck(Table, SerialId):
    """A non-binding mood check (sondage indicatif): never a ballot, never a resolution."""

    organisation = foreign_key(Organisation)
    assembly = foreign_key(Assembly)
    agenda_item = foreign_key(AgendaItem, null=True)
    kind = Varchar(length=14, default=MoodKind.FIST_TO_FIVE.value)
    question = Varchar(length=300, default="")
    options = Text(default="")  # one option a line, for the "options" kind
    status = Varchar(length=8, default=MoodStatus.OPEN.value)
    anonymous = Boolean(default=True)
    opened_at = Timestamptz(default=TimestamptzNow())
    closed_at = Timestamptz(null=True, default=None)
    opened_by = foreign_key(Membership, null=True)


class MoodAnswer(Table, SerialId):
    """One member's answer to a mood check; changeable while the check is open."""

    organisation = foreign_key(Organisation)
    mood_check = foreign_key(MoodCheck)
    membership = foreign_key(Membership)
    answer_key = Varchar(length=40, unique=True)  # "<check>:<membership>"
    choice = Varchar(length=40)
    answered_at = Timestamptz(default=TimestamptzNow())

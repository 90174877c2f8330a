"""Read helpers for the procès-verbal and the exports: what happened in an assembly, gathered
in one record. Every helper takes the organisation id and filters by it, so a foreign
assembly finds nothing.

Test ballots never appear here: a rehearsal is not a decision of the assembly.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from votes.db import attendance_queries as aq
from votes.db.agenda_queries import AssemblyView, assembly_view
from votes.db.ballot_queries import RoomFigures, named_papers
from votes.db.engine import long_reads
from votes.db.queries import own_row, view_of
from votes.db.tables import (
    AgendaItem,
    Assembly,
    AuditChain,
    AuditEntry,
    Ballot,
    BallotOption,
    BallotStatus,
    Membership,
    MembershipStatus,
    Minutes,
    MinutesStatus,
    Organisation,
    PaperCount,
    Participation,
    Person,
    Proposal,
)

# ballots a procès-verbal reports: decided (published) or called off (cancelled, with why)
REPORTED_STATUSES = (BallotStatus.PUBLISHED.value, BallotStatus.CANCELLED.value)
PENDING_STATUSES = (BallotStatus.OPEN.value, BallotStatus.CLOSED.value)

_MEMBER_NAME: Any = Membership.person.name
_COLLEGE_NAME: Any = Membership.college.name
_FINALISED_BY: Any = Minutes.finalised_by.name


@dataclass(frozen=True, slots=True)
class OrganisationFacts:
    id: int
    name: str
    short_name: str
    legal_form: str
    time_zone: str
    default_language: str


@dataclass(frozen=True, slots=True)
class MinutesDraft:
    """What the secretary writes."""

    language: str
    chair: str
    secretary: str
    scrutineers: str
    introduction: str
    notes: str


@dataclass(frozen=True, slots=True)
class MinutesRow(MinutesDraft):
    """Stored minutes: the secretary's draft, and what the record made of it."""

    status: str
    content: str
    digest: str
    updated_at: datetime
    finalised_at: datetime | None
    finalised_by: str | None

    @property
    def is_final(self) -> bool:
        return self.status == MinutesStatus.FINAL


@dataclass(frozen=True, slots=True)
class Resolution:
    """One ballot as the record reports it."""

    ballot_id: int
    question: str
    method: str
    seats: int
    secret: bool
    status: str
    cancel_reason: str
    options: list[tuple[str, str]]  # (key, label) in display order
    proposal_title: str | None
    proposal_text: str | None  # the text put to the vote (the proposal's current version)
    result_json: str | None
    eligible: int | None  # members with voting rights, frozen at the close
    present: int | None  # present and represented, frozen at the close (attendance register)
    represented: int | None  # members represented at the close, whether or not voted for
    electronic_papers: int
    room: RoomFigures | None
    rules: dict[str, Any]
    roll_call: list[tuple[str, str]] = field(default_factory=list)  # public ballots only
    proxy_votes: int = 0  # votes of the counted round actually cast by a proxy holder
    cosigned_by: str = ""  # the scrutineer who confirmed the result before its publication
    # the answers by correspondence the count added, by option; None: no such channel
    postal: dict[str, int] | None = None
    # signed paper forms still awaiting their second scrutineer at the close: not counted
    postal_pending_left_out: int = 0

    @property
    def labels(self) -> dict[str, str]:
        return dict(self.options)


@dataclass(frozen=True, slots=True)
class RecordItem:
    position: int
    title: str
    description: str
    resolutions: list[Resolution]


@dataclass(frozen=True, slots=True)
class AttendanceLine:
    name: str
    category: str
    college: str
    # "present", "remote", "represented", "absent"; "" while attendance is not recorded here
    status: str = ""
    proxy_holder: str = ""


@dataclass(frozen=True, slots=True)
class AttendanceRegister:
    """The feuille de présence: every member with voting rights.

    ``recorded`` is False while the platform keeps no check-in for the assembly: the register
    is then the list to sign on paper, and the quorum is established from the signed sheet.
    """

    lines: list[AttendanceLine]
    recorded: bool
    counts: aq.AttendanceCounts  # the same head counts as the quorum banner's

    @property
    def members(self) -> int:
        return len(self.lines)

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)


@dataclass(frozen=True, slots=True)
class Incident:
    """Something the law wants in the minutes: a ballot reopened, cancelled, closed by
    its countdown or counted after an interruption, opened before its amendments were voted,
    a decision recorded against (or ahead of) its published vote."""

    occurred_at: datetime
    kind: str  # reopened, cancelled, countdown_close, counted_late, opened_early, override
    subject: str  # the ballot's question or the proposal's title
    reason: str = ""


# audited acts that are incidents: action -> kind (ballot.closed and ballot.opened only with
# a reason, proposal and amendment acts only when they override a vote)
INCIDENT_ACTIONS = {
    "ballot.reopened": "reopened",
    "ballot.cancelled": "cancelled",
    "ballot.closed": "countdown_close",
    "ballot.counted": "counted_late",
    "ballot.opened": "opened_early",
    "ballot.round_rerun": "round_rerun",
    "proposal.status_changed": "override",
    "amendment.adopted": "override",
    "amendment.rejected": "override",
}


@dataclass(frozen=True, slots=True)
class AssemblyRecord:
    organisation: OrganisationFacts
    assembly: AssemblyView
    items: list[RecordItem]
    attendance: AttendanceRegister
    pending_ballots: int  # open or closed but unpublished (not in the record yet)
    facilitators: list[str]
    scrutineers: list[str]
    # (sequence, hash) of the organisation's audit chain when the record was read: printed
    # on every page of the minutes, to compare with `votes audit verify`
    audit_head: tuple[int, str] = (0, "")
    incidents: list[Incident] = field(default_factory=list)

    @property
    def audit_head_short(self) -> str:
        return self.audit_head[1][:16]

    @property
    def resolutions(self) -> list[Resolution]:
        return [resolution for item in self.items for resolution in item.resolutions]


async def organisation_facts(organisation_id: int) -> OrganisationFacts:
    row = await Organisation.select().where(Organisation.id == organisation_id).first()
    assert row is not None
    return OrganisationFacts(
        row["id"],
        row["name"],
        row["short_name"],
        row["legal_form"],
        row["time_zone"],
        row["default_language"],
    )


async def minutes_row(organisation_id: int, assembly_id: int) -> MinutesRow | None:
    row = (
        await Minutes.select(*Minutes.all_columns(), _FINALISED_BY)
        .where((Minutes.assembly == assembly_id) & (Minutes.organisation == organisation_id))
        .first()
    )
    if row is None:
        return None
    return view_of(MinutesRow, row, finalised_by="finalised_by.name")


async def attendance_register(organisation_id: int, assembly_id: int) -> AttendanceRegister:
    """The feuille de présence of an assembly: as frozen at its close once it has closed (a
    member admitted or gone since changes neither the sheet nor the quorum of the minutes),
    else as it stands now."""
    row = await own_row(Assembly, organisation_id, assembly_id, Assembly.closing_register)
    if row is not None and row["closing_register"]:
        return _thawed(row["closing_register"])
    return await _register_now(organisation_id, assembly_id)


async def frozen_register(organisation_id: int, assembly_id: int) -> str:
    """The register as it stands, as the JSON ``Assembly.closing_register`` keeps."""
    register = await _register_now(organisation_id, assembly_id)
    return json.dumps(
        {
            "recorded": register.recorded,
            "lines": [asdict(line) for line in register.lines],
            "counts": asdict(register.counts),
        },
        ensure_ascii=False,
    )


def _thawed(text: str) -> AttendanceRegister:
    data = json.loads(text)
    return AttendanceRegister(
        lines=[AttendanceLine(**line) for line in data["lines"]],
        recorded=data["recorded"],
        counts=aq.AttendanceCounts(**data["counts"]),
    )


async def _register_now(organisation_id: int, assembly_id: int) -> AttendanceRegister:
    """The feuille de présence of an assembly: members with voting rights, by name.

    Check-ins (present, remote, represented and by whom) come from the assembly's attendance
    register; until an assembly has one, ``recorded`` is False and the lines carry no status.
    """
    # the attendance register (db/attendance_queries.py); "left" members are absent from now on
    register = await aq.attendance_register(organisation_id, assembly_id)
    recorded = await aq.has_register(organisation_id, assembly_id)
    lines = [
        AttendanceLine(
            line.name,
            line.category,
            line.college,
            (
                aq.RegisterStatus.ABSENT.value
                if line.status == aq.RegisterStatus.LEFT
                else line.status
            )
            if recorded
            else "",
            line.proxy_holder,
        )
        for line in register
    ]
    return AttendanceRegister(lines=lines, recorded=recorded, counts=aq.count_register(register))


async def _role_names(organisation_id: int, column: Any) -> list[str]:
    rows = (
        await Membership.select(_MEMBER_NAME)
        .where(
            (Membership.organisation == organisation_id)
            & column.eq(True)
            & (Membership.status == MembershipStatus.ACTIVE.value)
        )
        .order_by(_MEMBER_NAME)
    )
    return [row["person.name"] for row in rows]


async def assembly_record(organisation_id: int, assembly_id: int) -> AssemblyRecord | None:
    """Everything the procès-verbal reports about an assembly, or None if it is not this
    organisation's. Every ballot's results: long for a large assembly, so read off the event
    loop (:func:`votes.db.engine.long_reads`)."""
    with long_reads():
        return await _assembly_record(organisation_id, assembly_id)


async def _assembly_record(organisation_id: int, assembly_id: int) -> AssemblyRecord | None:
    assembly = await assembly_view(organisation_id, assembly_id)
    if assembly is None:
        return None
    ballots = (
        await Ballot.select()
        .where(
            (Ballot.organisation == organisation_id)
            & (Ballot.assembly == assembly_id)
            & Ballot.is_test.eq(False)
        )
        .order_by(Ballot.id)
    )
    reported = [b for b in ballots if b["status"] in REPORTED_STATUSES]
    resolutions = {b["id"]: await _resolution(b) for b in reported}
    items = (
        await AgendaItem.select()
        .where(AgendaItem.assembly == assembly_id)
        .order_by(AgendaItem.position)
    )
    record_items = [
        RecordItem(
            position=index,
            title=item["title"],
            description=item["description"],
            resolutions=[resolutions[b["id"]] for b in reported if b["agenda_item"] == item["id"]],
        )
        for index, item in enumerate(items, start=1)
    ]
    placed = {item["id"] for item in items}
    loose = [resolutions[b["id"]] for b in reported if b["agenda_item"] not in placed]
    if loose:
        record_items.append(RecordItem(len(record_items) + 1, "", "", loose))
    return AssemblyRecord(
        organisation=await organisation_facts(organisation_id),
        assembly=assembly,
        items=record_items,
        attendance=await attendance_register(organisation_id, assembly_id),
        pending_ballots=sum(1 for b in ballots if b["status"] in PENDING_STATUSES),
        facilitators=await _role_names(organisation_id, Membership.is_facilitator),
        scrutineers=await _role_names(organisation_id, Membership.is_scrutineer),
        audit_head=await audit_head(organisation_id),
        incidents=await incidents(organisation_id, assembly_id),
    )


async def incidents(organisation_id: int, assembly_id: int) -> list[Incident]:
    """The session's incidents, in the order they happened, read from the audit trail."""
    ballots = await Ballot.select(Ballot.id, Ballot.question).where(
        (Ballot.organisation == organisation_id)
        & (Ballot.assembly == assembly_id)
        & Ballot.is_test.eq(False)
    )
    proposals = await Proposal.select(Proposal.id, Proposal.title).where(
        (Proposal.organisation == organisation_id) & (Proposal.assembly == assembly_id)
    )
    subjects = {f"ballot:{b['id']}": b["question"] for b in ballots}
    subjects.update({f"proposal:{p['id']}": p["title"] for p in proposals})
    if not subjects:
        return []
    entries = (
        await AuditEntry.select(
            AuditEntry.occurred_at, AuditEntry.action, AuditEntry.subject, AuditEntry.details
        )
        .where(
            (AuditEntry.organisation == organisation_id)
            & AuditEntry.action.is_in(list(INCIDENT_ACTIONS))
            & AuditEntry.subject.is_in(list(subjects))
        )
        .order_by(AuditEntry.sequence)
    )
    found = []
    for entry in entries:
        try:
            details = json.loads(entry["details"])
        except ValueError:
            details = {}
        details = details if isinstance(details, dict) else {}
        action, kind = entry["action"], INCIDENT_ACTIONS[entry["action"]]
        reason = str(details.get("reason") or details.get("override") or "")
        if action == "ballot.closed" and details.get("reason") != "time_is_up":
            continue
        if action == "ballot.closed":
            reason = ""
        if action in ("ballot.opened", "proposal.status_changed") and not reason:
            continue
        if action.startswith("amendment.") and "override" not in details:
            continue
        if action == "ballot.round_rerun":
            reason = str(details.get("amendment") or "")
        if action == "ballot.counted":
            reason = ""
        found.append(Incident(entry["occurred_at"], kind, subjects[entry["subject"]], reason))
    return found


async def audit_head(organisation_id: int) -> tuple[int, str]:
    """(sequence, hash) of the organisation's newest audit entry ((0, "") before any)."""
    head = (
        await AuditChain.select(AuditChain.last_sequence, AuditChain.last_hash)
        .where(AuditChain.chain_key == str(organisation_id))
        .first()
    )
    return (int(head["last_sequence"]), str(head["last_hash"])) if head else (0, "")


async def _resolution(ballot: dict[str, Any]) -> Resolution:
    ballot_id, round_ = ballot["id"], ballot["round"]
    options = (
        await BallotOption.select(BallotOption.key, BallotOption.label)
        .where(BallotOption.ballot == ballot_id)
        .order_by(BallotOption.position)
    )
    proposal = None
    if ballot["proposal"] is not None:
        proposal = (
            await Proposal.select(Proposal.title, Proposal.body)
            .where(Proposal.id == ballot["proposal"])
            .first()
        )
    electronic = await Participation.count().where(
        (Participation.ballot == ballot_id) & (Participation.round == round_)
    )
    room = await PaperCount.select().where(PaperCount.count_key == f"{ballot_id}:{round_}").first()
    published = ballot["status"] == BallotStatus.PUBLISHED.value
    public = published and not ballot["secret"]
    roll_call = await named_papers(ballot_id, round_) if public else []
    return view_of(
        Resolution,
        {
            **ballot,
            "options": [(o["key"], o["label"]) for o in options],
            "proposal_title": proposal["title"] if proposal else None,
            "proposal_text": proposal["body"] if proposal else None,
            "result_json": ballot["result"] if published else None,
            "electronic_papers": electronic,
            "room": RoomFigures(
                json.loads(room["counts"]), room["blank"], room["invalid"], room["cast"]
            )
            if room
            else None,
            "rules": json.loads(ballot["rules"]),
            "roll_call": roll_call,
            "proxy_votes": await _proxy_votes(ballot),
            "cosigned_by": await _cosigner(ballot),
            "postal": _postal_counts(ballot.get("rule_snapshot")),
            "postal_pending_left_out": _postal_left_out(ballot.get("rule_snapshot")),
        },
        ballot_id="id",
        eligible="eligible_at_close",
        present="present_at_close",
        represented="represented_at_close",
    )


def _postal_counts(snapshot: str | None) -> dict[str, int] | None:
    """The channel of votes by correspondence the close froze into the ballot's snapshot."""
    if not snapshot:
        return None
    found = json.loads(snapshot).get("count", {}).get("postal")
    return {str(k): int(v) for k, v in found.items()} if isinstance(found, dict) else None


def _postal_left_out(snapshot: str | None) -> int:
    """How many paper postal forms the close left out, awaiting their second scrutineer."""
    if not snapshot:
        return 0
    found = json.loads(snapshot).get("postal")
    return int(found.get("pending_left_out", 0)) if isinstance(found, dict) else 0


async def _cosigner(ballot: dict[str, Any]) -> str:
    """The name of the scrutineer whose confirmation the publication recorded (dual control),
    or "" when none was needed."""
    entry = (
        await AuditEntry.select(AuditEntry.details)
        .where(
            (AuditEntry.organisation == ballot["organisation"])
            & (AuditEntry.subject == f"ballot:{ballot['id']}")
            & (AuditEntry.action == "ballot.published")
        )
        .order_by(AuditEntry.sequence, ascending=False)
        .first()
    )
    try:
        person_id = int(json.loads(entry["details"])["cosigned_by"]) if entry else None
    except (ValueError, KeyError, TypeError):
        person_id = None
    if person_id is None:
        return ""
    person = await Person.select(Person.name).where(Person.id == person_id).first()
    return str(person["name"]) if person else ""


async def _proxy_votes(ballot: dict[str, Any]) -> int:
    """Votes of the ballot's counted round cast by a holder for the member they represent:
    the audit trail says who voted for whom (``vote.by_proxy``, after the round began), the
    register of the round says the vote is there."""
    subject = f"ballot:{ballot['id']}"
    entries = (
        await AuditEntry.select(AuditEntry.action, AuditEntry.details)
        .where(
            (AuditEntry.organisation == ballot["organisation"])
            & (AuditEntry.subject == subject)
            & AuditEntry.action.is_in(["vote.by_proxy", "ballot.round_rerun"])
        )
        .order_by(AuditEntry.sequence)
    )
    represented: set[int] = set()
    for entry in entries:
        if entry["action"] == "ballot.round_rerun":
            represented.clear()  # a new round: every member answers again
            continue
        try:
            details = json.loads(entry["details"])
            represented.add(int(details["represented"]))
        except (ValueError, KeyError, TypeError):
            continue
    if not represented:
        return 0
    return int(
        await Participation.count().where(
            (Participation.ballot == ballot["id"])
            & (Participation.round == ballot["round"])
            & Participation.membership.is_in(sorted(represented))
        )
    )

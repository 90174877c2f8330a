"""Read helpers for ballots: the ballot with its options, turnout, who has not voted yet, a
voter's participation, the published papers. Every helper about an organisation's ballot takes
the organisation id, so a foreign id finds nothing. Turnout and status are a couple of indexed
lookups each: phones and the console poll them every few seconds."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from votes.core import receipts
from votes.db import voting_rules
from votes.db.engine import read_raw
from votes.db.queries import own_row, view_of
from votes.db.tables import (
    AgendaItem,
    Assembly,
    Ballot,
    BallotOption,
    BallotPaper,
    BallotStatus,
    ConsentPhase,
    Membership,
    PaperCount,
    Participation,
    ProxyStatus,
    participation_key,
)

# joined columns (the foreign keys are typed generically, hence the ignores)
_MEMBER_NAME: Any = Membership.person.name
_VOTER_NAME: Any = BallotPaper.voter.person.name  # type: ignore[union-attr]


@dataclass(frozen=True, slots=True)
class OptionView:
    key: str
    label: str


@dataclass(frozen=True, slots=True)
class EarlierRound:
    number: int
    result_json: str
    amendment: str


@dataclass(frozen=True, slots=True)
class BallotView:
    id: int
    organisation_id: int
    assembly_id: int
    assembly_title: str
    agenda_item_id: int | None
    proposal_id: int | None
    question: str
    method: str
    seats: int
    secret: bool
    is_test: bool
    status: BallotStatus
    allow_change: bool
    duration_seconds: int | None
    closes_at: datetime | None
    opened_at: datetime | None
    closed_at: datetime | None
    published_at: datetime | None
    cancel_reason: str
    phase: ConsentPhase
    round: int
    earlier_rounds: list[EarlierRound]
    eligible_at_open: int | None
    eligible_at_close: int | None
    # who was present (remote included) and represented at the close, as the close froze
    # them; None before the close or while the assembly keeps no register
    present_at_close: int | None
    represented_at_close: int | None
    rules: dict[str, Any]
    options: list[OptionView]
    result_json: str | None

    @property
    def labels(self) -> dict[str, str]:
        return {option.key: option.label for option in self.options}

    @property
    def takes_votes(self) -> bool:
        return self.status == BallotStatus.OPEN and voting_rules.phase_takes_votes(self.phase)

    @property
    def time_is_up(self) -> bool:
        """Open, but its countdown has run out: no vote is taken, the close follows."""
        return (
            self.status == BallotStatus.OPEN
            and self.closes_at is not None
            and datetime.now(UTC) >= self.closes_at
        )


@dataclass(frozen=True, slots=True)
class Turnout:
    voted: int  # electronic votes in the current round
    room: int  # papers or hands counted in the room
    eligible: int

    @property
    def total(self) -> int:
        return self.voted + self.room

    @property
    def share(self) -> float:
        return min(1.0, self.total / self.eligible) if self.eligible else 0.0


@dataclass(frozen=True, slots=True)
class PublishedPaper:
    fingerprint: str  # the start of the receipt's hash: a voter checks theirs with their code
    content: str


@dataclass(frozen=True, slots=True)
class RoomFigures:
    """The papers counted in the room: what the minutes report of a ballot's room count."""

    counts: dict[str, int]
    blank: int
    invalid: int
    cast: int


@dataclass(frozen=True, slots=True)
class RoomCountView(RoomFigures):
    entered_by: str
    entered_at: datetime


# The ballot page is what every phone loads when a ballot opens: its lookups are plain SQL,
# several times cheaper to build than Piccolo selects with joins (bench_votes' burst); the
# columns a BallotView names otherwise are read again under its names
_BALLOT_VIEW_SQL = (
    "SELECT b.*, b.organisation AS organisation_id, b.assembly AS assembly_id, "
    "b.agenda_item AS agenda_item_id, b.proposal AS proposal_id, b.result AS result_json, "
    "a.title AS assembly_title FROM ballot b JOIN assembly a ON a.id = b.assembly "
    "WHERE b.id = {} AND b.organisation = {}"
)
_OPTIONS_SQL = 'SELECT "key", label FROM ballot_option WHERE ballot = {} ORDER BY position'


async def ballot_view(organisation_id: int, ballot_id: int) -> BallotView | None:
    rows = await read_raw(Ballot, _BALLOT_VIEW_SQL, ballot_id, organisation_id)
    if not rows:
        return None
    row = rows[0]
    options = await read_raw(BallotOption, _OPTIONS_SQL, ballot_id)
    return view_of(
        BallotView,
        {
            **row,
            "secret": bool(row["secret"]),
            "is_test": bool(row["is_test"]),
            "status": BallotStatus(row["status"]),
            "allow_change": bool(row["allow_change"]),
            "phase": ConsentPhase(row["phase"]),
            "earlier_rounds": [
                EarlierRound(r["round"], r["result"], r["amendment"])
                for r in json.loads(row["earlier_rounds"])
            ],
            "rules": json.loads(row["rules"]),
            "options": [view_of(OptionView, o) for o in options],
        },
    )


async def ballot_status(organisation_id: int, ballot_id: int) -> tuple[str, str, int] | None:
    """(status, phase, round): what a phone polls to know when its page must change."""
    row = await own_row(
        Ballot, organisation_id, ballot_id, Ballot.status, Ballot.phase, Ballot.round
    )
    return (row["status"], row["phase"], row["round"]) if row else None


# the votes cast in the round and the room's count (NULL when none), for (ballot, round, count key)
_TURNOUT_COLUMNS = (
    "(SELECT COUNT(*) FROM participation WHERE ballot = {} AND round = {}) AS voted, "
    '(SELECT "cast" FROM paper_count WHERE count_key = {}) AS room'
)
_TURNOUT_SQL = "SELECT " + _TURNOUT_COLUMNS


async def turnout(ballot: BallotView) -> Turnout:
    row = (
        await read_raw(Participation, _TURNOUT_SQL, ballot.id, ballot.round, _count_key(ballot))
    )[0]
    return Turnout(voted=row["voted"], room=row["room"] or 0, eligible=await _eligible(ballot))


async def _eligible(ballot: BallotView) -> int:
    return (
        ballot.eligible_at_close
        or ballot.eligible_at_open
        or await voting_rules.eligible_count(ballot.organisation_id)
    )


def _count_key(ballot: BallotView) -> str:
    return f"{ballot.id}:{ballot.round}"


@dataclass(frozen=True, slots=True)
class ViewerState:
    """What a member's ballot page needs besides the ballot, read in one query."""

    turnout: Turnout
    voted_at: datetime | None  # when the viewer voted in the current round
    room_recorded: bool  # a room count exists for the current round
    holds_proxies: bool  # the viewer holds proxies at the ballot's assembly


# one statement instead of four for every phone that loads the ballot page; the viewer's own
# vote is joined (not a subquery) so that SQLite still types voted_at as a timestamp
_VIEWER_STATE_SQL = " ".join(
    (
        "SELECT",
        _TURNOUT_COLUMNS + ",",
        "EXISTS (SELECT 1 FROM proxy WHERE holder = {} AND assembly = {} AND status = {})",
        "AS holds_proxies, mine.voted_at AS voted_at FROM (SELECT 1 AS one) AS here",
        "LEFT JOIN participation mine ON mine.participation_key = {}",
    )
)


async def viewer_state(ballot: BallotView, membership_id: int) -> ViewerState:
    row = (
        await read_raw(
            Participation,
            _VIEWER_STATE_SQL,
            ballot.id,
            ballot.round,
            _count_key(ballot),
            membership_id,
            ballot.assembly_id,
            ProxyStatus.ACTIVE.value,
            participation_key(ballot.id, membership_id, ballot.round),
        )
    )[0]
    return ViewerState(
        turnout=Turnout(
            voted=row["voted"], room=row["room"] or 0, eligible=await _eligible(ballot)
        ),
        voted_at=row["voted_at"],
        room_recorded=row["room"] is not None,
        holds_proxies=bool(row["holds_proxies"]),
    )


async def public_choice_of(ballot: BallotView, membership_id: int) -> str | None:
    """A roll-call voter's stored choice (JSON), to prefill "change my vote"; None if secret."""
    if ballot.secret:
        return None
    row = (
        await BallotPaper.select(BallotPaper.content)
        .where(
            (BallotPaper.ballot == ballot.id)
            & (BallotPaper.voter == membership_id)
            & (BallotPaper.round == ballot.round)
        )
        .first()
    )
    return row["content"] if row else None


async def non_voters(ballot: BallotView) -> list[str]:
    """Names of members with voting rights who have not voted yet (never what anyone chose)."""
    voted = Participation.select(Participation.membership).where(
        (Participation.ballot == ballot.id) & (Participation.round == ballot.round)
    )
    rows = (
        await Membership.select(_MEMBER_NAME)
        .where(voting_rules.voters_of(ballot.organisation_id) & Membership.id.not_in(voted))
        .order_by(_MEMBER_NAME)
    )
    return [row["person.name"] for row in rows]


async def roll_call(ballot: BallotView) -> list[tuple[str, str]]:
    """A public ballot's (name, choice JSON) pairs, by name; empty for a secret ballot."""
    return [] if ballot.secret else await named_papers(ballot.id, ballot.round)


async def named_papers(ballot_id: int, round_: int) -> list[tuple[str, str]]:
    """The round's papers as (voter's name, choice JSON) pairs, by name: a public ballot's roll
    call."""
    rows = (
        await BallotPaper.select(_VOTER_NAME, BallotPaper.content)
        .where((BallotPaper.ballot == ballot_id) & (BallotPaper.round == round_))
        .order_by(_VOTER_NAME)
    )
    return [(row["voter.person.name"], row["content"]) for row in rows]


async def published_papers(ballot: BallotView) -> list[PublishedPaper]:
    """Every paper of the current round as (receipt fingerprint, choice), in fingerprint order
    (an order that says nothing about who voted when)."""
    rows = await BallotPaper.select(BallotPaper.receipt_hash, BallotPaper.content).where(
        (BallotPaper.ballot == ballot.id) & (BallotPaper.round == ballot.round)
    )
    papers = [
        PublishedPaper(receipts.fingerprint(row["receipt_hash"]), row["content"]) for row in rows
    ]
    return sorted(papers, key=lambda paper: paper.fingerprint)


async def paper_by_receipt(ballot: BallotView, receipt_hash: str) -> str | None:
    row = (
        await BallotPaper.select(BallotPaper.content)
        .where((BallotPaper.ballot == ballot.id) & (BallotPaper.receipt_hash == receipt_hash))
        .first()
    )
    return row["content"] if row else None


_ROOM_COUNT_SQL = (
    'SELECT c.counts, c.blank, c.invalid, c."cast", c.entered_at, p.name AS "entered_by" '
    "FROM paper_count c JOIN membership m ON m.id = c.entered_by "
    "JOIN person p ON p.id = m.person WHERE c.count_key = {}"
)


async def room_count(ballot: BallotView) -> RoomCountView | None:
    rows = await read_raw(PaperCount, _ROOM_COUNT_SQL, _count_key(ballot))
    if not rows:
        return None
    row = rows[0]
    return view_of(RoomCountView, {**row, "counts": json.loads(row["counts"])})


@dataclass(frozen=True, slots=True)
class BallotLine:
    id: int
    question: str
    method: str
    status: str
    is_test: bool


async def ballots_of_assembly(organisation_id: int, assembly_id: int) -> list[BallotLine]:
    rows = (
        await Ballot.select(
            Ballot.id, Ballot.question, Ballot.method, Ballot.status, Ballot.is_test
        )
        .where((Ballot.organisation == organisation_id) & (Ballot.assembly == assembly_id))
        .order_by(Ballot.id)
    )
    return [
        BallotLine(r["id"], r["question"], r["method"], r["status"], r["is_test"]) for r in rows
    ]


async def open_ballot_ids(organisation_id: int) -> list[int]:
    return await (
        Ballot.select(Ballot.id)
        .where(
            (Ballot.organisation == organisation_id) & (Ballot.status == BallotStatus.OPEN.value)
        )
        .order_by(Ballot.id)
        .output(as_list=True)
    )


@dataclass(frozen=True, slots=True)
class AssemblyHeading:
    id: int
    title: str
    current_item_title: str | None
    kind: str = ""  # the assembly's kind: general assemblies are judged by their rules


async def assembly_heading(organisation_id: int, assembly_id: int) -> AssemblyHeading | None:
    row = await own_row(
        Assembly,
        organisation_id,
        assembly_id,
        Assembly.id,
        Assembly.title,
        Assembly.current_item_id,
        Assembly.kind,
    )
    if row is None:
        return None
    item = None
    if row["current_item_id"] is not None:
        item = (
            await AgendaItem.select(AgendaItem.title)
            .where((AgendaItem.id == row["current_item_id"]) & (AgendaItem.assembly == assembly_id))
            .first()
        )
    return AssemblyHeading(row["id"], row["title"], item["title"] if item else None, row["kind"])


async def latest_ballot_of_assembly(
    organisation_id: int, assembly_id: int, status: str
) -> int | None:
    """The most recently opened (or published) ballot in ``status``: the projector shows it."""
    column = Ballot.published_at if status == BallotStatus.PUBLISHED else Ballot.opened_at
    row = (
        await Ballot.select(Ballot.id)
        .where(
            (Ballot.organisation == organisation_id)
            & (Ballot.assembly == assembly_id)
            & (Ballot.status == status)
        )
        .order_by(column, Ballot.id, ascending=False)
        .first()
    )
    return row["id"] if row else None


async def current_item_id(organisation_id: int, assembly_id: int) -> int | None:
    row = await own_row(Assembly, organisation_id, assembly_id, Assembly.current_item_id)
    return row["current_item_id"] if row else None


async def rankings(ballot: BallotView) -> dict[tuple[str, ...], int]:
    """A ranked ballot's papers grouped by ranking (for the BLT export)."""
    rows = await BallotPaper.select(BallotPaper.content).where(
        (BallotPaper.ballot == ballot.id) & (BallotPaper.round == ballot.round)
    )
    grouped: dict[tuple[str, ...], int] = {}
    for row in rows:
        key = tuple(json.loads(row["content"]))
        grouped[key] = grouped.get(key, 0) + 1
    return grouped

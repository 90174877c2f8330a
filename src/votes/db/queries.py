"""Read helpers returning plain view types. Every query about an organisation's data takes the
organisation id and filters by it, so a foreign id simply finds nothing (and the page says 404)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from votes.db.tables import (
    AgendaItem,
    Assembly,
    Ballot,
    BallotOption,
    Contribution,
    Membership,
    MembershipStatus,
    Organisation,
    Participation,
    Proposal,
)


@dataclass(frozen=True, slots=True)
class OrganisationView:
    id: int
    name: str
    short_name: str
    legal_form: str
    default_language: str
    time_zone: str


@dataclass(frozen=True, slots=True)
class MembershipView:
    id: int
    organisation: OrganisationView
    person_id: int
    person_name: str
    kind: str
    is_admin: bool
    is_facilitator: bool
    is_scrutineer: bool
    category: str
    status: str

    @property
    def can_vote(self) -> bool:
        return self.kind == "member" and self.status == MembershipStatus.ACTIVE.value


@dataclass(frozen=True, slots=True)
class AssemblySummary:
    id: int
    title: str
    kind: str
    convocation: str
    starts_at: datetime
    place: str
    status: str


@dataclass(frozen=True, slots=True)
class BallotSummary:
    id: int
    question: str
    method: str
    status: str
    secret: bool
    is_test: bool


@dataclass(frozen=True, slots=True)
class ProposalSummary:
    id: int
    title: str
    status: str
    author_name: str
    contribution_count: int


@dataclass(frozen=True, slots=True)
class AgendaItemView:
    id: int
    position: int
    title: str
    description: str
    planned_minutes: int
    proposals: list[ProposalSummary] = field(default_factory=list)
    ballots: list[BallotSummary] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AssemblyDetail:
    summary: AssemblySummary
    remote_url: str
    current_item_id: int | None
    agenda: list[AgendaItemView]


@dataclass(frozen=True, slots=True)
class ContributionView:
    id: int
    parent_id: int | None
    author_name: str
    stance: str
    body: str
    created_at: datetime
    edited: bool
    hidden_reason: str | None


@dataclass(frozen=True, slots=True)
class ProposalDetail:
    id: int
    assembly_id: int
    assembly_title: str
    title: str
    body: str
    status: str
    author_name: str
    version: int
    updated_at: datetime
    contributions: list[ContributionView]
    ballots: list[BallotSummary]


@dataclass(frozen=True, slots=True)
class OptionView:
    key: str
    label: str


@dataclass(frozen=True, slots=True)
class BallotDetail:
    id: int
    assembly_id: int
    assembly_title: str
    proposal_id: int | None
    question: str
    method: str
    seats: int
    secret: bool
    is_test: bool
    status: str
    rules: dict[str, Any]
    options: list[OptionView]
    participation: int
    result_json: str | None
    opened_at: datetime | None
    closed_at: datetime | None


def _organisation(row: dict[str, Any], prefix: str = "") -> OrganisationView:
    return OrganisationView(
        id=row[f"{prefix}id"],
        name=row[f"{prefix}name"],
        short_name=row[f"{prefix}short_name"],
        legal_form=row[f"{prefix}legal_form"],
        default_language=row[f"{prefix}default_language"],
        time_zone=row[f"{prefix}time_zone"],
    )


async def organisation_by_slug(short_name: str) -> OrganisationView | None:
    row = await Organisation.select().where(Organisation.short_name == short_name).first()
    return _organisation(row) if row else None


_MEMBERSHIP_COLUMNS = (
    Membership.id,
    Membership.person.id,
    Membership.person.name,
    Membership.kind,
    Membership.is_admin,
    Membership.is_facilitator,
    Membership.is_scrutineer,
    Membership.category,
    Membership.status,
    Membership.organisation.id,
    Membership.organisation.name,
    Membership.organisation.short_name,
    Membership.organisation.legal_form,
    Membership.organisation.default_language,
    Membership.organisation.time_zone,
)


def _membership(row: dict[str, Any]) -> MembershipView:
    return MembershipView(
        id=row["id"],
        organisation=_organisation(row, "organisation."),
        person_id=row["person.id"],
        person_name=row["person.name"],
        kind=row["kind"],
        is_admin=row["is_admin"],
        is_facilitator=row["is_facilitator"],
        is_scrutineer=row["is_scrutineer"],
        category=row["category"],
        status=row["status"],
    )


async def memberships_of_person(person_id: int) -> list[MembershipView]:
    rows = (
        await Membership.select(*_MEMBERSHIP_COLUMNS)
        .where(Membership.person == person_id)
        .order_by(Membership.organisation.name)
    )
    return [_membership(row) for row in rows]


async def membership_in(organisation_id: int, person_id: int) -> MembershipView | None:
    row = (
        await Membership.select(*_MEMBERSHIP_COLUMNS)
        .where((Membership.organisation == organisation_id) & (Membership.person == person_id))
        .first()
    )
    return _membership(row) if row else None


async def members_of(organisation_id: int) -> list[MembershipView]:
    rows = (
        await Membership.select(*_MEMBERSHIP_COLUMNS)
        .where(Membership.organisation == organisation_id)
        .order_by(Membership.person.name)
    )
    return [_membership(row) for row in rows]


def _assembly_summary(row: dict[str, Any]) -> AssemblySummary:
    return AssemblySummary(
        id=row["id"],
        title=row["title"],
        kind=row["kind"],
        convocation=row["convocation"],
        starts_at=row["starts_at"],
        place=row["place"],
        status=row["status"],
    )


async def assemblies_of(organisation_id: int) -> list[AssemblySummary]:
    rows = (
        await Assembly.select()
        .where(Assembly.organisation == organisation_id)
        .order_by(Assembly.starts_at, ascending=False)
    )
    return [_assembly_summary(row) for row in rows]


def _ballot_summary(row: dict[str, Any]) -> BallotSummary:
    return BallotSummary(
        id=row["id"],
        question=row["question"],
        method=row["method"],
        status=row["status"],
        secret=row["secret"],
        is_test=row["is_test"],
    )


_BALLOT_SUMMARY_COLUMNS = (
    Ballot.id,
    Ballot.question,
    Ballot.method,
    Ballot.status,
    Ballot.secret,
    Ballot.is_test,
)


async def assembly_detail(organisation_id: int, assembly_id: int) -> AssemblyDetail | None:
    row = (
        await Assembly.select()
        .where((Assembly.id == assembly_id) & (Assembly.organisation == organisation_id))
        .first()
    )
    if row is None:
        return None
    items = (
        await AgendaItem.select()
        .where(AgendaItem.assembly == assembly_id)
        .order_by(AgendaItem.position)
    )
    proposals = await _proposal_summaries(organisation_id, assembly_id)
    ballots = (
        await Ballot.select(*_BALLOT_SUMMARY_COLUMNS, Ballot.agenda_item)
        .where((Ballot.assembly == assembly_id) & (Ballot.organisation == organisation_id))
        .order_by(Ballot.id)
    )
    agenda = []
    for item in items:
        view = AgendaItemView(
            id=item["id"],
            position=item["position"],
            title=item["title"],
            description=item["description"],
            planned_minutes=item["planned_minutes"],
        )
        view.proposals.extend(p for item_id, p in proposals if item_id == item["id"])
        view.ballots.extend(_ballot_summary(b) for b in ballots if b["agenda_item"] == item["id"])
        agenda.append(view)
    return AssemblyDetail(
        summary=_assembly_summary(row),
        remote_url=row["remote_url"],
        current_item_id=row["current_item_id"],
        agenda=agenda,
    )


async def _proposal_summaries(
    organisation_id: int, assembly_id: int
) -> list[tuple[int | None, ProposalSummary]]:
    rows = (
        await Proposal.select(
            Proposal.id,
            Proposal.title,
            Proposal.status,
            Proposal.agenda_item,
            Proposal.author.name,
        )
        .where((Proposal.assembly == assembly_id) & (Proposal.organisation == organisation_id))
        .order_by(Proposal.id)
    )
    counts = await _contribution_counts([row["id"] for row in rows])
    return [
        (
            row["agenda_item"],
            ProposalSummary(
                id=row["id"],
                title=row["title"],
                status=row["status"],
                author_name=row["author.name"],
                contribution_count=counts.get(row["id"], 0),
            ),
        )
        for row in rows
    ]


async def _contribution_counts(proposal_ids: list[int]) -> dict[int, int]:
    if not proposal_ids:
        return {}
    rows = await Contribution.select(Contribution.thread.proposal).where(
        Contribution.thread.proposal.is_in(proposal_ids) & Contribution.hidden_reason.is_null()
    )
    counts: dict[int, int] = {}
    for row in rows:
        proposal_id = row["thread.proposal"]
        counts[proposal_id] = counts.get(proposal_id, 0) + 1
    return counts


async def proposal_detail(organisation_id: int, proposal_id: int) -> ProposalDetail | None:
    row = (
        await Proposal.select(
            *Proposal.all_columns(),
            Proposal.author.name,
            Proposal.assembly.title,
        )
        .where((Proposal.id == proposal_id) & (Proposal.organisation == organisation_id))
        .first()
    )
    if row is None:
        return None
    contributions = (
        await Contribution.select(*Contribution.all_columns(), Contribution.author.name)
        .where(Contribution.thread.proposal == proposal_id)
        .order_by(Contribution.created_at)
        .order_by(Contribution.id)
    )
    ballots = (
        await Ballot.select(*_BALLOT_SUMMARY_COLUMNS)
        .where((Ballot.proposal == proposal_id) & (Ballot.organisation == organisation_id))
        .order_by(Ballot.id)
    )
    return ProposalDetail(
        id=row["id"],
        assembly_id=row["assembly"],
        assembly_title=row["assembly.title"],
        title=row["title"],
        body=row["body"],
        status=row["status"],
        author_name=row["author.name"],
        version=row["version"],
        updated_at=row["updated_at"],
        contributions=[
            ContributionView(
                id=c["id"],
                parent_id=c["parent"],
                author_name=c["author.name"],
                stance=c["stance"],
                body=c["body"],
                created_at=c["created_at"],
                edited=c["edited_at"] is not None,
                hidden_reason=c["hidden_reason"],
            )
            for c in contributions
        ],
        ballots=[_ballot_summary(b) for b in ballots],
    )


async def ballot_detail(organisation_id: int, ballot_id: int) -> BallotDetail | None:
    row = (
        await Ballot.select(*Ballot.all_columns(), Ballot.assembly.title)
        .where((Ballot.id == ballot_id) & (Ballot.organisation == organisation_id))
        .first()
    )
    if row is None:
        return None
    options = (
        await BallotOption.select(BallotOption.key, BallotOption.label)
        .where(BallotOption.ballot == ballot_id)
        .order_by(BallotOption.position)
    )
    participation = await Participation.count().where(Participation.ballot == ballot_id)
    return BallotDetail(
        id=row["id"],
        assembly_id=row["assembly"],
        assembly_title=row["assembly.title"],
        proposal_id=row["proposal"],
        question=row["question"],
        method=row["method"],
        seats=row["seats"],
        secret=row["secret"],
        is_test=row["is_test"],
        status=row["status"],
        rules=json.loads(row["rules"]),
        options=[OptionView(key=o["key"], label=o["label"]) for o in options],
        participation=participation,
        result_json=row["result"],
        opened_at=row["opened_at"],
        closed_at=row["closed_at"],
    )


async def open_ballots_of(organisation_id: int) -> list[BallotSummary]:
    rows = (
        await Ballot.select(*_BALLOT_SUMMARY_COLUMNS)
        .where((Ballot.organisation == organisation_id) & (Ballot.status == "open"))
        .order_by(Ballot.id)
    )
    return [_ballot_summary(row) for row in rows]

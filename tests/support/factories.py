"""Test data built through the services, as the app builds it: the one home of the tests'
organisations. A planned assembly and its members (:func:`planned_assembly`), a cooperative
whose people sign in by role (:func:`cooperative`, :class:`Coop`), an organisation with its
administrator (:func:`administered`), a member acting (:func:`member_actor`), and a general
assembly to test the rules on (:func:`general_assembly`: any size and legal form, in session,
check-ins and a majority motion counted through the service).

Every name and short name is unique across the session, whatever order the tests run in.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from votes.core.results import TallyResult
from votes.db import queries
from votes.db.tables import (
    AssemblyKind,
    AssemblyStatus,
    Ballot,
    Convocation,
    LegalForm,
    Membership,
    MembershipKind,
)
from votes.services import accounts, assemblies, attendance, organisations, proxies
from votes.services.actors import Actor, actor_for
from votes.services.assemblies import ItemText
from votes.services.ballots import drafts, lifecycle, voting

_counter = itertools.count()
MOTION = [("yes", "Pour"), ("no", "Contre"), ("abstain", "Abstention")]
PASSWORD = "a-long-enough-password"  # every signing-in person built here has it
CATEGORIES = ("salarié·e associé·e", "bénéficiaire")  # a French register's usual two


def unique(prefix: str) -> str:
    """``prefix`` made unique in the session (the database outlives each test)."""
    return f"{prefix}-{next(_counter)}-{uuid.uuid4().hex[:6]}"


async def organisation(name: str = "Coop") -> int:
    """A fresh organisation; its id."""
    tag = unique("o")
    return await organisations.create_organisation(f"{name} {tag}", f"{name.lower()}-{tag}")


async def member_actor(organisation_id: int, *, facilitator: bool = False) -> Actor:
    """A new person with an account, member of the organisation, acting."""
    tag = uuid.uuid4().hex[:8]
    person_id = await accounts.create_person(f"P {tag}", f"{tag}@example.invalid", "pw-123456789")
    await organisations.add_membership(organisation_id, person_id, is_facilitator=facilitator)
    membership = await queries.membership_in(organisation_id, person_id)
    assert membership is not None
    return Actor.of(membership)


async def planned_assembly(
    count: int, *, observers: int = 0
) -> tuple[int, int, list[int], list[int]]:
    """A fresh organisation, a planned assembly, ``count`` voting members and ``observers``
    observers: (organisation, assembly, members, observers), memberships by id."""
    organisation_id = await organisation()
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id), "AG", datetime.now(UTC)
    )
    members, watchers = [], []
    for index in range(count + observers):
        person = await accounts.create_person(f"P{organisation_id}-{index}", None, None)
        kind = MembershipKind.MEMBER if index < count else MembershipKind.OBSERVER
        membership = await organisations.add_membership(organisation_id, person, kind=kind)
        (members if index < count else watchers).append(membership)
    return organisation_id, assembly_id, members, watchers


@dataclass(frozen=True, slots=True)
class Assembly:
    organisation_id: int
    assembly_id: int
    members: list[int]  # membership ids, with voting rights

    async def check_in(self, *indexes: int, remote: bool = False) -> None:
        for index in indexes:
            await attendance.check_in(
                await actor_for(self.organisation_id),
                self.assembly_id,
                self.members[index],
                remote=remote,
            )

    async def give_proxy(self, giver: int, holder: int) -> int:
        """Member ``giver`` gives their proxy to member ``holder`` (indexes in ``members``): the
        proxy's id."""
        return await proxies.give_proxy(
            await actor_for(self.organisation_id, self.members[giver]),
            self.assembly_id,
            self.members[holder],
        )

    async def ballot(self, question: str, **options: Any) -> int:
        """A ballot of this assembly, as ``new_ballot`` makes it: its id."""
        return await new_ballot(self.organisation_id, self.assembly_id, question, **options)

    async def motion(self, **options: Any) -> int:
        return await self.ballot("La résolution ?", **options)

    async def vote(self, ballot_id: int, votes: dict[str, int], *, start: int = 0) -> None:
        """Members from ``start`` on vote, in order: ``votes["yes"]`` for, then against…
        (the ballot is opened first if it is still a draft)."""
        row = await Ballot.select(Ballot.status).where(Ballot.id == ballot_id).first()
        if row is not None and row["status"] == "draft":
            await open_ballot(ballot_id)
        index = start
        for choice in ("yes", "no", "abstain"):
            for _ in range(votes.get(choice, 0)):
                await voting.cast_vote(ballot_id, self.members[index], choice)
                index += 1


async def motion(organisation_id: int, assembly_id: int, **options: Any) -> int:
    """A draft majority ballot (for, against, abstention) in the assembly; its id."""
    return await new_ballot(organisation_id, assembly_id, **options)


async def general_assembly(
    members: int,
    *,
    legal_form: LegalForm = LegalForm.SCOP_SARL,
    kind: AssemblyKind = AssemblyKind.AGO,
    convocation: Convocation = Convocation.FIRST,
    observers: int = 0,
    categories: list[str] | None = None,
) -> Assembly:
    n = f"{next(_counter)}-{uuid.uuid4().hex[:6]}"
    organisation_id = await organisations.create_organisation(
        f"Règles {n}", f"regles-{n}", legal_form=legal_form
    )
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id),
        "Assemblée générale",
        datetime.now(UTC),
        kind=kind,
        convocation=convocation,
        status=AssemblyStatus.IN_SESSION,
    )
    ids = []
    for index in range(members + observers):
        person = await accounts.create_person(f"Membre {n}-{index:03d}", None, None)
        ids.append(
            await organisations.add_membership(
                organisation_id,
                person,
                kind=MembershipKind.MEMBER if index < members else MembershipKind.OBSERVER,
                category=categories[index] if categories and index < len(categories) else "",
            )
        )
    return Assembly(organisation_id, assembly_id, ids)


async def place_in_college(membership_ids: list[int], college_id: int | None) -> None:
    await Membership.update({Membership.college: college_id}).where(
        Membership.id.is_in(membership_ids)
    )


async def close(ballot_id: int) -> TallyResult:
    return await lifecycle.close_ballot(await lifecycle.system_actor(ballot_id), ballot_id)


async def publish(ballot_id: int) -> None:
    """The counted ballot's result published by the platform."""
    await lifecycle.publish_ballot(await lifecycle.system_actor(ballot_id), ballot_id)


async def advance_phase(ballot_id: int) -> str:
    """A facilitated ballot moved to its next phase by the platform: the phase it is in now."""
    return await lifecycle.advance_phase(await lifecycle.system_actor(ballot_id), ballot_id)


async def open_ballot(ballot_id: int) -> None:
    """The ballot opened by the platform, as a facilitator's tap would."""
    await lifecycle.open_ballot(await lifecycle.system_actor(ballot_id), ballot_id)


async def new_ballot(
    organisation_id: int,
    assembly_id: int,
    question: str = "Adoptez-vous la résolution ?",
    *,
    method: str = "majority",
    choices: list[tuple[str, str]] | None = None,
    opened: bool = False,
    **options: Any,
) -> int:
    """A ballot of the assembly (a for/against/abstention motion unless ``choices`` say
    otherwise), left a draft unless ``opened``; its id."""
    ballot_id = await drafts.create_ballot(
        await actor_for(organisation_id),
        assembly_id,
        question,
        method,
        MOTION if choices is None else choices,
        **options,
    )
    if opened:
        await open_ballot(ballot_id)
    return ballot_id


async def ballot_open_to(voters: int, **options: Any) -> tuple[int, int, list[int]]:
    """An open ballot (a motion unless ``options`` say otherwise, as ``new_ballot`` takes
    them) in a fresh planned assembly of ``voters`` members: (organisation, ballot, members)."""
    organisation_id, assembly_id, members, _ = await planned_assembly(voters)
    ballot_id = await new_ballot(organisation_id, assembly_id, opened=True, **options)
    return organisation_id, ballot_id, members


async def chaired_assembly() -> tuple[int, Actor, int]:
    """A fresh organisation, its facilitator acting, and a planned assembly: (organisation,
    facilitator, assembly)."""
    organisation_id = await organisation()
    chair = await member_actor(organisation_id, facilitator=True)
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id), "AG", datetime.now(UTC)
    )
    return organisation_id, chair, assembly_id


class Holder(NamedTuple):
    """A person who signs in with PASSWORD and the membership their role gave them."""

    email: str
    person: int
    membership: int


async def role_holders(
    organisation_id: int, tag: str, roles: Iterable[str], domain: str = "example.org"
) -> dict[str, Holder]:
    """One signing-in person per role, named and mailed after it (``"Ana 3"``,
    ``ana-3@domain``): an "observer" observes, a "facilitator" facilitates, a "scrutineer"
    scrutinises, everyone else is a plain member."""
    holders = {}
    for role in roles:
        email = f"{role}-{tag}@{domain}"
        person = await accounts.create_person(f"{role.title()} {tag}", email, PASSWORD)
        membership = await organisations.add_membership(
            organisation_id,
            person,
            kind=MembershipKind.OBSERVER if role == "observer" else MembershipKind.MEMBER,
            is_facilitator=role == "facilitator",
            is_scrutineer=role == "scrutineer",
        )
        holders[role] = Holder(email, person, membership)
    return holders


@dataclass(frozen=True, slots=True)
class Coop:
    """What :func:`cooperative` built; its people sign in by role with PASSWORD."""

    slug: str
    organisation_id: int
    assembly_id: int
    item_id: int
    emails: dict[str, str]  # role -> email
    people: dict[str, int]  # role -> person id
    memberships: dict[str, int]  # role -> membership id

    @property
    def base(self) -> str:
        return f"/o/{self.slug}"

    @property
    def assembly_path(self) -> str:
        """The page of the cooperative's assembly (its sub-pages hang below it)."""
        return f"{self.base}/assemblies/{self.assembly_id}"

    async def membership(self, role: str) -> int:
        """The membership id of ``role``'s person in this cooperative (awaitable: many tests,
        some on other branches, await it from when it was read from the database)."""
        return self.memberships[role]


async def cooperative(**assembly_details: Any) -> Coop:
    """A cooperative with a facilitator, two members and an observer, and an assembly in
    session with one agenda item."""
    suffix = uuid.uuid4().hex[:8]
    slug = f"coop-{suffix}"
    organisation_id = await organisations.create_organisation(f"Coop {suffix}", slug)
    holders = await role_holders(
        organisation_id, suffix, ("facilitator", "member", "other", "observer")
    )
    emails = {role: holder.email for role, holder in holders.items()}
    people = {role: holder.person for role, holder in holders.items()}
    memberships = {role: holder.membership for role, holder in holders.items()}
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id),
        f"AG {suffix}",
        datetime.now(UTC) + timedelta(hours=1),
        status=AssemblyStatus.IN_SESSION,
        **assembly_details,
    )
    item_id = await assemblies.add_agenda_item(assembly_id, ItemText("Rémunérations"))
    return Coop(slug, organisation_id, assembly_id, item_id, emails, people, memberships)


async def administered(name: str, *, categories: tuple[str, ...] = ()) -> tuple[str, int, str]:
    """A fresh organisation (``name`` and a unique suffix) with its member ``categories`` and an
    administrator who signs in with PASSWORD: (short name, organisation id, the administrator's
    email)."""
    suffix = uuid.uuid4().hex[:8]
    short_name = f"{name.lower()}-{suffix}"
    organisation_id = await organisations.create_organisation(f"{name} {suffix}", short_name)
    for category in categories:
        await organisations.add_category(await actor_for(organisation_id), category)
    email = f"admin-{suffix}@example.org"
    admin = await accounts.create_person(f"Admin {suffix}", email, PASSWORD)
    await organisations.add_membership(organisation_id, admin, is_admin=True)
    return short_name, organisation_id, email


async def administered_with_member(name: str, member: str) -> tuple[str, int, str, int, int]:
    """:func:`administered`, with one member without an account (``member`` and the short
    name): (short name, organisation id, administrator's email, member's person id, member's
    membership id)."""
    short_name, organisation_id, email = await administered(name)
    person_id = await accounts.create_person(f"{member} {short_name}", None, None)
    membership_id = await organisations.add_membership(organisation_id, person_id)
    return short_name, organisation_id, email, person_id, membership_id

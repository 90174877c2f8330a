"""Who acts, for which cooperative, with which standing — and the rules that say what they may do.

Every use case takes an :class:`Actor` first. The actor carries the organisation (always: a use
case can never forget to scope its queries), the acting membership with its roles and status,
and how the person signed in. Roles hold only while the membership is active: a suspended
administrator keeps the flag in the register but has no power left, and each rule below says so
once, for every route and service at the same time.

Each rule is one function here (``may_run_ballots``, ``may_administer`` …). Routes declare the
rule they need (``votes.web.guards.requires``) and services check it again with
:func:`require`, so a route and the service behind it can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from votes.db import queries
from votes.db.queries import MembershipView, OrganisationView
from votes.db.tables import MembershipKind, MembershipStatus
from votes.db.voting_rules import has_voting_rights
from votes.services.refusals import Refused


class SessionKind(StrEnum):
    PASSWORD = "password"  # noqa: S105 - a kind of session: it opens all the person's organisations
    CODE = "code"  # opened by an organisation's access code or link: that organisation only
    SYSTEM = "system"  # the countdown sweep, the command line


@dataclass(frozen=True, slots=True)
class Actor:
    """The membership acting now. Its role attributes are the powers in force (status
    included), not the flags of the register: read ``membership`` for those."""

    organisation: OrganisationView
    membership: MembershipView | None  # None for the system
    session: SessionKind

    @classmethod
    def of(cls, membership: MembershipView, *, via_code: bool = False) -> Actor:
        session = SessionKind.CODE if via_code else SessionKind.PASSWORD
        return cls(organisation=membership.organisation, membership=membership, session=session)

    @classmethod
    def system(cls, organisation: OrganisationView) -> Actor:
        """The app itself (the countdown closing a ballot, the command line seeding the demo):
        every power, no membership, nothing recorded as a person's act."""
        return cls(organisation=organisation, membership=None, session=SessionKind.SYSTEM)

    # -- identity --------------------------------------------------------------------------------

    @property
    def organisation_id(self) -> int:
        return self.organisation.id

    @property
    def is_system(self) -> bool:
        return self.membership is None

    @property
    def membership_id(self) -> int | None:
        """The acting membership; None for the system."""
        return self.membership.id if self.membership else None

    @property
    def audited_as(self) -> int | None:
        """The person the audit trail names; None for the system."""
        return self.membership.person_id if self.membership else None

    @property
    def id(self) -> int:
        """The acting membership's id (a person's act: authorship, votes, support)."""
        if self.membership is None:
            raise Refused("not_allowed")
        return self.membership.id

    @property
    def person_id(self) -> int:
        if self.membership is None:
            raise Refused("not_allowed")
        return self.membership.person_id

    @property
    def person_name(self) -> str:
        return self.membership.person_name if self.membership else ""

    @property
    def kind(self) -> str:
        return self.membership.kind if self.membership else MembershipKind.OBSERVER.value

    @property
    def category(self) -> str:
        return self.membership.category if self.membership else ""

    @property
    def status(self) -> str:
        return self.membership.status if self.membership else MembershipStatus.ACTIVE.value

    @property
    def via_code(self) -> bool:
        return self.session is SessionKind.CODE

    # -- standing: roles count only while active --------------------------------------------------

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE.value

    def _holds(self, role: Callable[[MembershipView], bool]) -> bool:
        """The system holds every role; a membership holds its ``role`` only while active."""
        return self.membership is None or (self.is_active and role(self.membership))

    @property
    def is_admin(self) -> bool:
        return self._holds(lambda membership: membership.is_admin)

    @property
    def is_facilitator(self) -> bool:
        return self._holds(lambda membership: membership.is_facilitator)

    @property
    def is_scrutineer(self) -> bool:
        return self._holds(lambda membership: membership.is_scrutineer)

    @property
    def can_vote(self) -> bool:
        return has_voting_rights(self.kind, self.status)


Rule = Callable[[Actor], bool]


# -- the rules, each written once ----------------------------------------------------------------


def may_read(actor: Actor) -> bool:
    """Every member of the organisation, observers and suspended members included, reads."""
    return actor.membership is None or actor.status != MembershipStatus.LEFT.value


def may_take_part(actor: Actor) -> bool:
    """Votes, writes proposals, amendments and contributions, gives proxies."""
    return actor.can_vote


def may_administer(actor: Actor) -> bool:
    """The register, access codes, the organisation's settings and rules, the audit log."""
    return actor.is_admin


def may_run_assemblies(actor: Actor) -> bool:
    """Prepares assemblies and their agenda, moderates threads, decides proposals' steps."""
    return actor.is_facilitator or actor.is_admin


def may_run_ballots(actor: Actor) -> bool:
    """Creates, opens, closes, publishes, cancels and reopens ballots."""
    return actor.is_facilitator


def may_count(actor: Actor) -> bool:
    """Records room counts and sees a result as soon as the ballot closes."""
    return actor.is_scrutineer or actor.is_facilitator


def may_cosign(actor: Actor) -> bool:
    """Confirms, as a second pair of eyes, that a closed ballot may be published or reopened."""
    return actor.is_scrutineer


def may_steward(actor: Actor) -> bool:
    """Keeps the attendance register at the door: check-in, check-out, proxies on paper."""
    return actor.is_scrutineer or actor.is_facilitator or actor.is_admin


# the code each rule's refusal carries (its message says what the role lacks)
_REFUSAL_OF: dict[Rule, str] = {
    may_read: "not_found",
    may_take_part: "read_only",
    may_administer: "admins_only",
    may_run_assemblies: "not_facilitator",
    may_run_ballots: "facilitators_only_ballots",
    may_count: "scrutineers_only",
    may_cosign: "cosigners_only",
    may_steward: "stewards_only",
}


def require(rule: Rule, actor: Actor) -> None:
    """Refuse (403-class ``Refused``) unless ``actor`` satisfies ``rule``."""
    if not rule(actor):
        raise Refused(refusal_code(rule))


def refusal_code(rule: Rule) -> str:
    """The refusal a rule gives (``not_allowed`` for a rule without its own)."""
    return _REFUSAL_OF.get(rule, "not_allowed")


async def actor_for(organisation_id: int, membership_id: int | None = None) -> Actor:
    """The actor of a membership of the organisation, or the system itself (``membership_id``
    None) for the countdown sweep, the command line and the demo."""
    if membership_id is None:
        organisation = await queries.organisation_view(organisation_id)
        if organisation is None:
            raise Refused("not_found")
        return Actor.system(organisation)
    membership = await queries.membership_by_id(organisation_id, membership_id)
    if membership is None:
        raise Refused("not_found")
    return Actor.of(membership)

"""Who has voting rights, written once: a member (not an observer) whose membership is active;
and when an open ballot takes votes.

The same rule as a test of a row (:func:`has_voting_rights`), as a query condition
(:func:`voters_of`) and as the count of those who may vote (:func:`eligible_count`).
"""

from __future__ import annotations

from typing import Any

from votes.db.tables import ConsentPhase, Membership, MembershipKind, MembershipStatus

# the phases in which an open ballot takes votes: any but a consent round's questions and
# reactions, spoken in the room
VOTING_PHASES = frozenset({ConsentPhase.NONE.value, ConsentPhase.CONSENT.value})


def has_voting_rights(kind: str, status: str) -> bool:
    """Whether a membership of this kind and status may vote."""
    return kind == MembershipKind.MEMBER.value and status == MembershipStatus.ACTIVE.value


def phase_takes_votes(phase: str) -> bool:
    """Whether an open ballot in this phase takes votes."""
    return phase in VOTING_PHASES


def voters_of(organisation_id: int) -> Any:
    """The Piccolo condition on ``Membership`` that selects the organisation's voters."""
    return (
        (Membership.organisation == organisation_id)
        & (Membership.kind == MembershipKind.MEMBER.value)
        & (Membership.status == MembershipStatus.ACTIVE.value)
    )


async def eligible_count(organisation_id: int) -> int:
    """Members with voting rights in the organisation now."""
    return int(await Membership.count().where(voters_of(organisation_id)))

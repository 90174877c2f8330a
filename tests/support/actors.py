"""Actors for tests that call the services directly."""

from __future__ import annotations

from votes.db.tables import Membership
from votes.services.actors import Actor, actor_for


async def scrutineer(organisation_id: int, membership_id: int) -> Actor:
    """The member, made a scrutineer of their organisation, acting."""
    await Membership.update({Membership.is_scrutineer: True}).where(Membership.id == membership_id)
    return await actor_for(organisation_id, membership_id)

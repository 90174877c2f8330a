"""Proxies (pouvoirs): a member represented at one assembly by another member.

Given online by the member ahead of time, or recorded by an administrator from a signed paper
form. A proxy names its holder (with voting instructions or not) or no one: a blank proxy,
counted as the statutes say (e.g. for the resolutions the management supports). The law's
limits are checked in one write transaction: no proxy to oneself or to someone without voting
rights here, no chain (a represented member cannot hold proxies, a holder cannot give one), at
most the profile's cap per holder, and none from a member who is checked in. A check-in revokes
the giver's proxy (see :mod:`votes.services.attendance`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from votes.core.rules import RuleProfile
from votes.db import attendance_queries as aq
from votes.db.engine import insert_row, write_transaction
from votes.db.tables import (
    Assembly,
    Attendance,
    Ballot,
    Membership,
    Participation,
    Proxy,
    ProxyRevocation,
    ProxyStatus,
    participation_key,
)
from votes.db.voting_rules import voters_of
from votes.services import attendance, audit, events, minutes, rules
from votes.services.actors import Actor, may_administer, may_steward, require
from votes.services.refusals import Refused, owned_row

INSTRUCTIONS_MAX = 2000


async def _is_voter(organisation_id: int, membership_id: int) -> bool:
    return bool(
        await Membership.exists().where(
            (Membership.id == membership_id) & voters_of(organisation_id)
        )
    )


def _active(assembly_id: int, membership_id: int) -> Any:
    return Proxy.proxy_key == f"{assembly_id}:{membership_id}"


async def _checked_in(assembly_id: int, membership_id: int) -> bool:
    return bool(
        await Attendance.exists().where(
            (Attendance.attendance_key == attendance.attendance_key(assembly_id, membership_id))
            & Attendance.status.is_in(list(aq.TAKING_PART))
        )
    )


async def give_proxy(
    actor: Actor,
    assembly_id: int,
    holder_id: int | None,
    *,
    giver_id: int | None = None,
    instructions: str = "",
) -> int:
    """A member gives their proxy to ``holder_id`` (None: a blank proxy), or someone who keeps
    the register (:func:`may_steward`) records a paper proxy for ``giver_id``; return its id.
    ``Refused`` says why not (nothing is written): a giver named by someone who may not record
    paper proxies is refused (``stewards_only``), never taken for the actor's own proxy."""
    giver_id = actor.membership_id if giver_id is None else giver_id
    paper = giver_id != actor.membership_id
    if paper:
        require(may_steward, actor)
    if giver_id is None:
        raise Refused("giver_not_voter")
    organisation_id = actor.organisation_id
    recorded_by = actor.membership_id if paper else None
    instructions = instructions.strip()
    if len(instructions) > INSTRUCTIONS_MAX:
        raise Refused("instructions_too_long")
    if holder_id is not None and holder_id == giver_id:
        raise Refused("proxy_to_self")
    async with write_transaction(Proxy._meta.db):
        assembly = await owned_row(Assembly, organisation_id, assembly_id, Assembly.status)
        await minutes.refuse_if_final(assembly_id)
        if assembly["status"] not in attendance.RUNNING:
            raise Refused("assembly_not_running")
        if not await _is_voter(organisation_id, giver_id):
            raise Refused("giver_not_voter")
        profile = await rules.freeze_assembly_profile(organisation_id, assembly_id)
        if holder_id is None:
            if not profile.proxies.blank_counted:
                raise Refused("blank_not_counted")
        elif not await _is_voter(organisation_id, holder_id):
            raise Refused("holder_not_member")
        if await _checked_in(assembly_id, giver_id):
            raise Refused("giver_checked_in")
        if await Proxy.exists().where(_active(assembly_id, giver_id)):
            raise Refused("proxy_exists")
        if await _holds_any(assembly_id, giver_id):
            raise Refused("proxy_chain")
        if holder_id is not None:
            await _check_holder(organisation_id, assembly_id, holder_id, profile)
        proxy_id = await insert_row(
            Proxy(
                organisation=organisation_id,
                assembly=assembly_id,
                giver=giver_id,
                holder=holder_id,
                proxy_key=f"{assembly_id}:{giver_id}",
                instructions=instructions,
                recorded_by=recorded_by,
            )
        )
        await audit.record_act(
            actor,
            "proxy.given",
            f"proxy:{proxy_id}",
            {
                "assembly": assembly_id,
                "giver": giver_id,
                "holder": holder_id,
                "directed": bool(instructions),
                "paper": recorded_by is not None,
            },
        )
    events.quorum_changed(organisation_id, assembly_id)
    return proxy_id


async def _holds_any(assembly_id: int, membership_id: int) -> bool:
    return bool(
        await Proxy.exists().where(
            (Proxy.assembly == assembly_id)
            & (Proxy.holder == membership_id)
            & (Proxy.status == ProxyStatus.ACTIVE.value)
        )
    )


async def _check_holder(
    organisation_id: int, assembly_id: int, holder_id: int, profile: RuleProfile
) -> None:
    if await Proxy.exists().where(_active(assembly_id, holder_id)):
        raise Refused("proxy_chain")  # the holder is represented themselves
    members = len(await aq.voting_members(organisation_id))
    cap = profile.proxies.cap(members)
    if cap is None:
        return
    held = await Proxy.count().where(
        (Proxy.assembly == assembly_id)
        & (Proxy.holder == holder_id)
        & (Proxy.status == ProxyStatus.ACTIVE.value)
    )
    if held >= cap:
        raise Refused("holder_at_cap", cap=cap, members=members)


async def revoke_proxy(actor: Actor, proxy_id: int) -> None:
    """The giver takes their proxy back, or an administrator withdraws it."""
    organisation_id, actor_id = actor.organisation_id, actor.audited_as
    membership_id, as_admin = actor.membership_id, may_administer(actor)
    async with write_transaction(Proxy._meta.db):
        row = await owned_row(
            Proxy, organisation_id, proxy_id, Proxy.giver, Proxy.status, Proxy.assembly
        )
        await minutes.refuse_if_final(row["assembly"])
        if not as_admin and row["giver"] != membership_id:
            raise Refused("not_allowed")
        if row["status"] != ProxyStatus.ACTIVE.value:
            raise Refused("proxy_revoked")
        reason = ProxyRevocation.GIVER if row["giver"] == membership_id else ProxyRevocation.ADMIN
        await attendance.revoke_proxy_row(organisation_id, proxy_id, reason, actor_id)
    events.quorum_changed(organisation_id, row["assembly"])


@dataclass(frozen=True, slots=True)
class Represented:
    """A member the viewer votes for, on one ballot."""

    membership_id: int
    name: str
    instructions: str
    voted: bool


async def represented_by(
    organisation_id: int, assembly_id: int, holder_id: int, *, ballot_id: int, round_: int
) -> list[Represented]:
    """Whom the holder represents at this assembly, and whether each has a vote in the ballot."""
    held = await aq.proxies_held(organisation_id, assembly_id, holder_id)
    if not held:
        return []
    keys = {participation_key(ballot_id, row["giver"], round_): row["giver"] for row in held}
    voted = {
        keys[row["participation_key"]]
        for row in await Participation.select(Participation.participation_key).where(
            Participation.participation_key.is_in(list(keys))
        )
    }
    return [
        Represented(row["giver"], row["name"], row["instructions"], row["giver"] in voted)
        for row in held
    ]


async def holders_for_ballot(ballot_id: int) -> dict[int, int]:
    """Represented member -> their holder, for the ballot's assembly (active proxies only)."""
    ballot = await Ballot.select(Ballot.assembly).where(Ballot.id == ballot_id).first()
    if ballot is None:
        return {}
    rows = await Proxy.select(Proxy.giver, Proxy.holder).where(
        (Proxy.assembly == ballot["assembly"])
        & (Proxy.status == ProxyStatus.ACTIVE.value)
        & Proxy.holder.is_not_null()
    )
    return {row["giver"]: row["holder"] for row in rows}

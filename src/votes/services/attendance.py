"""The attendance register (émargement): check-in by a steward (from the list, or by reading the
member's access code or QR code at the door), or by the member themselves when they take part
remotely and the statutes allow it; check-out, and the live quorum. Signing in is not a
check-in: only an act of presence is.

A check-in revokes the member's proxy for the assembly: they are here, they vote themselves.
Every check-in and check-out is timestamped in the register and recorded in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from votes.core.rules import Attendance as Way
from votes.core.rules import RuleProfile
from votes.core.weighting import weighted_participation
from votes.db import attendance_queries as aq
from votes.db.engine import write_transaction
from votes.db.queries import own_row
from votes.db.tables import (
    Assembly,
    AssemblyStatus,
    Attendance,
    AttendanceStatus,
    CheckInMethod,
    Membership,
    Proxy,
    ProxyRevocation,
    ProxyStatus,
)
from votes.db.voting_rules import has_voting_rights
from votes.services import audit, events, minutes, rules
from votes.services.actors import Actor, may_steward, require
from votes.services.refusals import Refused, owned_row

RUNNING = (AssemblyStatus.CONVENED.value, AssemblyStatus.IN_SESSION.value)


async def _running_assembly(organisation_id: int, assembly_id: int) -> dict[str, Any]:
    row = await owned_row(
        Assembly, organisation_id, assembly_id, Assembly.id, Assembly.status, Assembly.kind
    )
    await minutes.refuse_if_final(assembly_id)
    if row["status"] not in RUNNING:
        raise Refused("assembly_not_running")
    return dict(row)


async def _voter(organisation_id: int, membership_id: int) -> None:
    member = await owned_row(
        Membership, organisation_id, membership_id, Membership.kind, Membership.status
    )
    if not has_voting_rights(member["kind"], member["status"]):
        raise Refused("not_a_voter")


async def same_day_assemblies(organisation_id: int, assembly_id: int, time_zone: str) -> list[int]:
    """The organisation's other assemblies running on the same day as this one (a
    back-to-back AGO and AGE): they share the door, so a check-in or a check-out at one is
    made at each. Each keeps its own register, quorum and proxies."""
    rows = await Assembly.select(Assembly.id, Assembly.starts_at).where(
        (Assembly.organisation == organisation_id) & Assembly.status.is_in(list(RUNNING))
    )
    try:
        zone: tzinfo = ZoneInfo(time_zone)
    except (ValueError, KeyError):
        zone = UTC
    day = {row["id"]: row["starts_at"].astimezone(zone).date() for row in rows}
    if assembly_id not in day:
        return []
    return sorted(i for i, d in day.items() if i != assembly_id and d == day[assembly_id])


def attendance_key(assembly_id: int, membership_id: int) -> str:
    return f"{assembly_id}:{membership_id}"


async def check_in(
    actor: Actor, assembly_id: int, membership_id: int, *, remote: bool = False
) -> bool:
    """A steward checks a member in (again), or a member following from afar signs the
    register themselves; return False when they already were, the same way."""
    own = actor.membership_id == membership_id
    if not (may_steward(actor) or (own and remote)):
        raise Refused("stewards_only")
    return await _check_in_shared(
        actor,
        assembly_id,
        membership_id,
        remote=remote,
        method=CheckInMethod.SELF if own else CheckInMethod.STEWARD,
        steward_id=None if own else actor.membership_id,
    )


async def _check_in_shared(
    actor: Actor,
    assembly_id: int,
    membership_id: int,
    *,
    remote: bool,
    method: CheckInMethod,
    steward_id: int | None,
) -> bool:
    """Check in at this assembly, and at the ones running the same day (the shared door);
    return whether this assembly's register changed."""
    organisation_id = actor.organisation_id
    touched = []
    async with write_transaction(Attendance._meta.db):
        await _running_assembly(organisation_id, assembly_id)
        changed = await _check_in(
            organisation_id,
            assembly_id,
            membership_id,
            remote=remote,
            method=method,
            steward_id=steward_id,
            actor_id=actor.audited_as,
        )
        if changed:
            touched.append(assembly_id)
        zone = actor.organisation.time_zone
        for other in await same_day_assemblies(organisation_id, assembly_id, zone):
            try:
                if await _check_in(
                    organisation_id,
                    other,
                    membership_id,
                    remote=remote,
                    method=method,
                    steward_id=steward_id,
                    actor_id=actor.audited_as,
                ):
                    touched.append(other)
            except Refused:  # e.g. the other assembly's statutes refuse remote attendance
                continue
    for done in touched:
        events.quorum_changed(organisation_id, done)  # committed: banners re-fetch
    return changed


async def _check_in(
    organisation_id: int,
    assembly_id: int,
    membership_id: int,
    *,
    remote: bool,
    method: CheckInMethod,
    steward_id: int | None,
    actor_id: int | None,
) -> bool:
    await _voter(organisation_id, membership_id)
    profile = await rules.freeze_assembly_profile(organisation_id, assembly_id)
    if remote and not profile.remote_counts_as_present:
        raise Refused("remote_not_allowed")
    status = (AttendanceStatus.REMOTE if remote else AttendanceStatus.PRESENT).value
    key = attendance_key(assembly_id, membership_id)
    existing = await Attendance.select().where(Attendance.attendance_key == key).first()
    if existing is not None and existing["status"] == status:
        return False
    now = datetime.now(UTC)
    values: dict[Any, Any] = {
        Attendance.status: status,
        Attendance.method: method.value,
        Attendance.checked_in_at: now,
        Attendance.checked_in_by: steward_id,
        Attendance.checked_out_at: None,
    }
    if existing is None:
        await Attendance.insert(
            Attendance(
                organisation=organisation_id,
                assembly=assembly_id,
                membership=membership_id,
                attendance_key=key,
                **{column._meta.name: value for column, value in values.items()},
            )
        )
    else:
        await Attendance.update(values).where(Attendance.attendance_key == key)
    await audit.record(
        organisation_id,
        "attendance.checked_in",
        actor_id=actor_id,
        subject=f"membership:{membership_id}",
        details={"assembly": assembly_id, "status": status, "method": method.value},
    )
    await _revoke_own_proxy(organisation_id, assembly_id, membership_id, actor_id)
    return True


async def _revoke_own_proxy(
    organisation_id: int, assembly_id: int, membership_id: int, actor_id: int | None
) -> None:
    """The giver came after all: their proxy ends, they vote themselves."""
    proxy = (
        await Proxy.select(Proxy.id)
        .where(Proxy.proxy_key == f"{assembly_id}:{membership_id}")
        .first()
    )
    if proxy is None:
        return
    await revoke_proxy_row(organisation_id, proxy["id"], ProxyRevocation.CHECKED_IN, actor_id)


async def revoke_proxy_row(
    organisation_id: int, proxy_id: int, reason: ProxyRevocation, actor_id: int | None
) -> None:
    """Revoke an active proxy inside the caller's transaction (its key is freed)."""
    row = await Proxy.select(Proxy.proxy_key, Proxy.giver).where(Proxy.id == proxy_id).first()
    assert row is not None
    await Proxy.update(
        {
            Proxy.status: ProxyStatus.REVOKED.value,
            Proxy.revoked_at: datetime.now(UTC),
            Proxy.revoked_reason: reason.value,
            Proxy.proxy_key: f"{row['proxy_key']}:r{proxy_id}",
        }
    ).where(Proxy.id == proxy_id)
    await audit.record(
        organisation_id,
        "proxy.revoked",
        actor_id=actor_id,
        subject=f"proxy:{proxy_id}",
        details={"giver": row["giver"], "reason": reason.value},
    )


async def check_out(actor: Actor, assembly_id: int, membership_id: int) -> None:
    """A member leaves: no longer counted from now on (the register keeps both times)."""
    require(may_steward, actor)
    organisation_id, actor_id = actor.organisation_id, actor.audited_as
    touched = [assembly_id]
    async with write_transaction(Attendance._meta.db):
        await _running_assembly(organisation_id, assembly_id)
        if not await _check_out(organisation_id, assembly_id, membership_id, actor_id):
            raise Refused("not_checked_in")
        zone = actor.organisation.time_zone
        for other in await same_day_assemblies(organisation_id, assembly_id, zone):
            if await _check_out(organisation_id, other, membership_id, actor_id):
                touched.append(other)
    for done in touched:
        events.quorum_changed(organisation_id, done)


async def _check_out(
    organisation_id: int, assembly_id: int, membership_id: int, actor_id: int | None
) -> bool:
    """Record the member as having left; False when they were not taking part."""
    key = attendance_key(assembly_id, membership_id)
    row = (
        await Attendance.select(Attendance.status)
        .where((Attendance.attendance_key == key) & (Attendance.organisation == organisation_id))
        .first()
    )
    if row is None or row["status"] not in aq.TAKING_PART:
        return False
    await Attendance.update(
        {
            Attendance.status: AttendanceStatus.LEFT.value,
            Attendance.checked_out_at: datetime.now(UTC),
        }
    ).where(Attendance.attendance_key == key)
    await audit.record(
        organisation_id,
        "attendance.checked_out",
        actor_id=actor_id,
        subject=f"membership:{membership_id}",
        details={"assembly": assembly_id},
    )
    return True


async def check_in_by_code(actor: Actor, assembly_id: int, membership_id: int) -> bool:
    """A steward at the door checks in the member whose access code or QR code they just
    read (``votes.services.access_codes.check_in_at_the_door`` finds whose it is); return
    False when they already were. Signing in with one's code never checks in by itself: a
    member may sign in from home to give a proxy."""
    require(may_steward, actor)
    return await _check_in_shared(
        actor,
        assembly_id,
        membership_id,
        remote=False,
        method=CheckInMethod.CODE,
        steward_id=actor.membership_id,
    )


async def status_of(organisation_id: int, assembly_id: int, membership_id: int) -> str:
    """present, remote, left or absent (represented members are told by their proxy)."""
    row = (
        await Attendance.select(Attendance.status)
        .where(
            (Attendance.attendance_key == attendance_key(assembly_id, membership_id))
            & (Attendance.organisation == organisation_id)
        )
        .first()
    )
    return str(row["status"]) if row else "absent"


# ---------------------------------------------------------------------------------------------
# the quorum


@dataclass(frozen=True, slots=True)
class QuorumBanner:
    """What the live quorum banner says, e.g. « Quorum AGO atteint : 38 présents ou
    représentés sur 120 (minimum 1/4 = 30) »."""

    assembly_id: int
    assembly_kind: str
    convocation: str
    governed: bool  # the general-assembly rules apply to this assembly
    members: int
    present: int
    remote: int
    represented: int
    blank: int
    participants: int  # who count for the quorum
    share: Fraction | None  # the statutes' fraction; None: no quorum required
    required: int
    weighted: Fraction | None  # college-weighted participation, when the quorum is weighted
    source: str
    confidence: str
    remote_counts: bool
    postal: int = 0  # absent members who answered by correspondence, counted if the rule says

    @property
    def reached(self) -> bool:
        if self.share is None:
            return True
        if self.weighted is not None:
            return self.weighted >= self.share
        return self.participants >= self.required

    @property
    def state(self) -> str:
        """A short stamp that changes when the banner does (for polling and live events)."""
        return (
            f"{self.participants}:{self.present}:{self.remote}:{self.represented}:{self.blank}"
            f":{self.postal}"
        )


async def quorum_banner(organisation_id: int, assembly_id: int) -> QuorumBanner | None:
    """The banner's data, computed from the register now: the one function the console, the
    projector, the members' now page and live events (« quorum changed ») all use."""
    assembly = await own_row(
        Assembly, organisation_id, assembly_id, Assembly.kind, Assembly.convocation
    )
    if assembly is None:
        return None
    kind, convocation = assembly["kind"], assembly["convocation"]
    profile = await rules.assembly_profile(organisation_id, assembly_id)
    rule = profile.rule_for(kind, convocation)
    lines = await aq.attendance_register(organisation_id, assembly_id)
    counts = aq.count_register(lines)
    ways = profile.quorum_counts(kind, convocation)
    blank_counted = profile.proxies.blank_counted
    participants = counts.taking_part(ways, blank_counted=blank_counted)
    weighted = None
    if profile.quorum_by_college:
        weighted = await _weighted_quorum(organisation_id, profile, lines, ways, blank_counted)
    return QuorumBanner(
        assembly_id=assembly_id,
        assembly_kind=kind,
        convocation=convocation,
        governed=rules.governed(kind),
        members=counts.members,
        present=counts.present,
        remote=counts.remote,
        represented=counts.represented,
        blank=counts.blank if blank_counted else 0,
        participants=participants,
        share=rule.quorum.share,
        required=rule.quorum.required(counts.members),
        weighted=weighted,
        source=rule.source.reference,
        confidence=rule.source.confidence.value,
        remote_counts=profile.remote_counts_as_present,
        postal=counts.postal if Way.POSTAL in ways else 0,
    )


async def _weighted_quorum(
    organisation_id: int,
    profile: RuleProfile,
    lines: list[aq.RegisterLine],
    ways: frozenset[Way],
    blank_counted: bool,
) -> Fraction | None:
    setup = await rules.college_setup(organisation_id, profile)
    if not setup.used or setup.problem:
        return None
    members: dict[str, int] = {}
    taking: dict[str, int] = {}
    for line in lines:
        group = str(line.college_id)
        members[group] = members.get(group, 0) + 1
        counted = line.status in {w.value for w in ways} and (
            line.status != aq.RegisterStatus.REPRESENTED or blank_counted or not line.blank_proxy
        )
        if counted:
            taking[group] = taking.get(group, 0) + 1
    weights = {str(college): weight for college, weight in setup.weights.items()}
    return weighted_participation(taking, members, weights)


async def frozen_counts(organisation_id: int, assembly_id: int) -> tuple[int, int] | None:
    """(present, represented) to freeze into a ballot at open and close; None while the
    assembly keeps no register here. Present includes remote members; represented includes
    blank proxies the statutes count."""
    if not await aq.has_register(organisation_id, assembly_id):
        return None
    banner = await quorum_banner(organisation_id, assembly_id)
    assert banner is not None
    return banner.present + banner.remote, banner.represented + banner.blank


# ---------------------------------------------------------------------------------------------
# before a ballot opens, and before a member fills it


async def opening_warnings(organisation_id: int, assembly_id: int, *, is_test: bool) -> list[str]:
    """What the console says before a ballot opens, for the facilitator to confirm:
    ``not_in_session`` (the assembly is not in session) and ``quorum_missing`` (a general
    assembly's quorum is not reached). A test ballot (a rehearsal) opens without them."""
    if is_test:
        return []
    row = await own_row(Assembly, organisation_id, assembly_id, Assembly.status)
    if row is None:
        return []
    warnings = []
    if row["status"] != AssemblyStatus.IN_SESSION.value:
        warnings.append("not_in_session")
    banner = await quorum_banner(organisation_id, assembly_id)
    if banner is not None and banner.governed and not banner.reached:
        warnings.append("quorum_missing")
    return warnings


async def must_check_in_to_vote(
    organisation_id: int, assembly_id: int, membership_id: int, *, is_test: bool
) -> bool:
    """Whether this member would be refused a vote for not having signed the register: said
    on the phone before the form, not after the confirmation."""
    if is_test:
        return False
    row = await own_row(Assembly, organisation_id, assembly_id, Assembly.kind)
    if row is None or not rules.governed(row["kind"]):
        return False
    return await status_of(organisation_id, assembly_id, membership_id) not in aq.TAKING_PART

"""Who may vote and when a ballot takes votes: one rule each, the same in every query."""

import pytest
from tests.support.factories import planned_assembly

from votes.db import voting_rules
from votes.db.tables import Membership


@pytest.mark.parametrize(
    ("kind", "status", "votes"),
    [("member", "active", True), ("observer", "active", False), ("member", "suspended", False)],
)
def test_only_an_active_member_has_voting_rights(kind: str, status: str, votes: bool) -> None:
    assert voting_rules.has_voting_rights(kind, status) is votes


@pytest.mark.parametrize(
    ("phase", "takes"), [("", True), ("consent", True), ("questions", False), ("reactions", False)]
)
def test_a_consent_round_takes_votes_only_in_its_consent_phase(phase: str, takes: bool) -> None:
    assert voting_rules.phase_takes_votes(phase) is takes


async def test_the_eligible_count_is_the_members_with_voting_rights() -> None:
    organisation_id, _, members, _ = await planned_assembly(3, observers=2)
    assert await voting_rules.eligible_count(organisation_id) == 3
    rows = await Membership.select(Membership.kind, Membership.status).where(
        Membership.organisation == organisation_id
    )
    voters = [r for r in rows if voting_rules.has_voting_rights(r["kind"], r["status"])]
    assert len(voters) == len(members)

"""Cooperatives whose statutes allow votes by correspondence, for the web tests of #18 (the
advance-vote form, the minutes' quorum)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
from tests.support.factories import Coop, cooperative
from tests.web.assembly_helpers import as_role, post_form

from votes.core.rules import PostalRule, preset
from votes.db.tables import Assembly as AssemblyTable
from votes.db.tables import AssemblyKind, LegalForm, Organisation
from votes.services import rules
from votes.services.actors import Actor, actor_for
from votes.services.ballots import drafts

MOTION = [("yes", "Pour"), ("no", "Contre"), ("abstain", "Abstention")]


async def postal_coop(*, allowed: bool = True, days: int = 10) -> tuple[Coop, int]:
    coop = await cooperative(kind=AssemblyKind.AGO)
    await Organisation.update({Organisation.legal_form: LegalForm.SCOP_SA.value}).where(
        Organisation.id == coop.organisation_id
    )
    profile = replace(preset("scop_sa"), postal=PostalRule(allowed=allowed), adjusted=True)
    await rules.save_profile(await actor_for(coop.organisation_id), profile)
    await AssemblyTable.update(
        {
            AssemblyTable.status: "convened",
            AssemblyTable.starts_at: datetime.now(UTC) + timedelta(days=days, hours=3),
        }
    ).where(AssemblyTable.id == coop.assembly_id)
    ballot_id = await drafts.create_ballot(
        await actor_for(coop.organisation_id),
        coop.assembly_id,
        "Approuvez-vous les comptes ?",
        "majority",
        MOTION,
    )
    return coop, ballot_id


async def answered_by_post(
    client: httpx.AsyncClient, coop: Coop, ballot_id: int, answer: str
) -> None:
    """With no second scrutineer to wait for, "other" answers the ballot by correspondence."""
    profile = await rules.organisation_profile(coop.organisation_id)
    await rules.save_profile(
        await actor_for(coop.organisation_id), replace(profile, dual_control=False)
    )
    await as_role(client, coop, "other")
    url = f"{coop.assembly_path}/advance-vote"
    assert (await post_form(client, url, {f"answer-{ballot_id}": answer})).status_code == 303


async def in_session(coop: Coop) -> Actor:
    """The convened assembly sits (as if its day had come); the platform's actor."""
    await AssemblyTable.update({AssemblyTable.status: "in_session"}).where(
        AssemblyTable.id == coop.assembly_id
    )
    return await actor_for(coop.organisation_id)


async def sitting_after_a_postal_answer(
    client: httpx.AsyncClient, answer: str
) -> tuple[Coop, int, Actor]:
    """A :func:`postal_coop` whose "other" answered its ballot by correspondence (``answer``),
    then whose assembly sits: the coop, the ballot and the platform's actor."""
    coop, ballot_id = await postal_coop()
    await answered_by_post(client, coop, ballot_id, answer)
    return coop, ballot_id, await in_session(coop)


async def facilitators_minutes(client: httpx.AsyncClient, coop: Coop) -> httpx.Response:
    """The assembly's minutes in French, as its facilitator reads them."""
    await as_role(client, coop, "facilitator")
    minutes = await client.get(f"{coop.assembly_path}/minutes", headers={"Accept-Language": "fr"})
    assert minutes.status_code == 200
    return minutes

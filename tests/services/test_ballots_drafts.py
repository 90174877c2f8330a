"""Correcting a draft ballot before it opens, and nothing once it is open (both engines)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from tests.support.audit_trail import audit_details
from tests.support.factories import close, open_ballot, planned_assembly
from tests.support.refusals import refusal, refusal_code

from votes.db.tables import Ballot, BallotOption, Participation
from votes.services.actors import actor_for
from votes.services.ballots import drafts, voting


async def _election(organisation_id: int, assembly_id: int) -> int:
    return await drafts.create_ballot(
        await actor_for(organisation_id),
        assembly_id,
        "Élection du conseil de gestoin",  # the typo the facilitator will correct
        "plurality",
        [("o1", "Alice"), ("o2", "Bruno"), ("o3", "Chloé")],
    )


CORRECTED = drafts.BallotSettings(
    question="Élection du conseil de gestion",
    method="approval",
    options=[("o1", "Alice"), ("o2", "Bruno"), ("o3", "Chloé"), ("o4", "Driss")],
    seats=2,
    secret=True,
    duration_seconds=300,
    rules={"max_selections": 2},
)


def _settings(**changes: Any) -> drafts.BallotSettings:
    return replace(CORRECTED, **changes)


async def _options(ballot_id: int) -> list[tuple[str, str]]:
    rows = (
        await BallotOption.select(BallotOption.key, BallotOption.label)
        .where(BallotOption.ballot == ballot_id)
        .order_by(BallotOption.position)
    )
    return [(row["key"], row["label"]) for row in rows]


async def test_a_draft_is_corrected_and_the_edit_is_audited() -> None:
    organisation_id, assembly_id, members, _ = await planned_assembly(2)
    ballot_id = await _election(organisation_id, assembly_id)
    # a vote tapped on the draft is refused, and reads nothing that outlives the edit
    assert await refusal_code(voting.cast_vote(ballot_id, members[0], "o3")) == "not_open"

    await drafts.edit_draft(await actor_for(organisation_id), ballot_id, _settings())

    row = await Ballot.select().where(Ballot.id == ballot_id).first()
    assert row is not None
    assert row["question"] == "Élection du conseil de gestion"
    assert (row["method"], row["seats"], row["secret"], row["duration_seconds"]) == (
        "approval",
        2,
        True,
        300,
    )
    assert json.loads(row["rules"]) == {"max_selections": 2}
    assert await _options(ballot_id) == [
        ("o1", "Alice"),
        ("o2", "Bruno"),
        ("o3", "Chloé"),
        ("o4", "Driss"),
    ]
    details = await audit_details("ballot.edited", subject=f"ballot:{ballot_id}")
    assert set(json.loads(details)["changed"]) >= {"question", "method", "options"}
    # once open, votes follow the corrected ballot
    await open_ballot(ballot_id)
    attempt = voting.cast_vote(ballot_id, members[0], ["o1", "o2", "o4"])
    assert await refusal_code(attempt) == "too_many_approvals"
    await voting.cast_vote(ballot_id, members[0], ["o1", "o4"])
    result = await close(ballot_id)
    assert result.rounds[0].totals["o4"] == 1


async def test_an_open_ballot_is_no_longer_edited() -> None:
    organisation_id, assembly_id, members, _ = await planned_assembly(1)
    ballot_id = await _election(organisation_id, assembly_id)
    await open_ballot(ballot_id)
    await voting.cast_vote(ballot_id, members[0], "o3")
    attempt = drafts.edit_draft(await actor_for(organisation_id), ballot_id, _settings())
    assert await refusal_code(attempt) == "not_editable"
    assert await _options(ballot_id) == [("o1", "Alice"), ("o2", "Bruno"), ("o3", "Chloé")]
    # the vote cast on the open ballot stands, checked against the options it was cast for
    assert await Participation.count().where(Participation.ballot == ballot_id) == 1
    result = await close(ballot_id)
    assert result.rounds[0].totals["o3"] == 1


async def test_bad_settings_or_another_organisation_change_nothing() -> None:
    organisation_id, assembly_id, _, _ = await planned_assembly(1)
    other_organisation, _, _, _ = await planned_assembly(1)
    ballot_id = await _election(organisation_id, assembly_id)
    cases = [
        (_settings(options=[("o1", "Alice")]), organisation_id, "too_few_options"),
        (_settings(question="  "), organisation_id, "question_required"),
        (_settings(method="irv", seats=2), organisation_id, "bad_seats"),
        (_settings(), other_organisation, "not_found"),
    ]
    for settings, organisation, code in cases:
        attempt = drafts.edit_draft(await actor_for(organisation), ballot_id, settings)
        assert await refusal_code(attempt) == code
    row = await Ballot.select(Ballot.question, Ballot.method).where(Ballot.id == ballot_id).first()
    assert row == {"question": "Élection du conseil de gestoin", "method": "plurality"}
    assert len(await _options(ballot_id)) == 3


async def test_an_edited_ranked_draft_keeps_its_lot_seed() -> None:
    organisation_id, assembly_id, _, _ = await planned_assembly(1)
    ballot_id = await _election(organisation_id, assembly_id)
    await drafts.edit_draft(
        await actor_for(organisation_id), ballot_id, _settings(method="irv", seats=1, rules={})
    )
    first = await Ballot.select(Ballot.rules).where(Ballot.id == ballot_id).first()
    assert first is not None
    seed = json.loads(first["rules"])["seed"]
    await drafts.edit_draft(
        await actor_for(organisation_id),
        ballot_id,
        _settings(method="irv", seats=1, rules={}, question="Élection, 2ᵉ version"),
    )
    again = await Ballot.select(Ballot.rules).where(Ballot.id == ballot_id).first()
    assert again is not None
    assert json.loads(again["rules"])["seed"] == seed


@pytest.mark.parametrize(
    ("method", "options", "rules", "code", "field"),
    [
        ("approval", [("o1", "A"), ("o2", "A")], {}, "same_label", "options"),
        ("stv", [("o1", "Aïcha"), ("o2", "Bruno"), ("o3", " aÏcha ")], {}, "same_label", "options"),
        ("majority", [("yes", "Pour"), ("no", "Contre")], {"threshold": "1/0"}, "bad_threshold",
         "threshold"),
        ("majority", [("yes", "Pour"), ("no", "Contre")], {"threshold": "１/２"}, "bad_threshold",
         "threshold"),
        ("majority", [("yes", "Pour"), ("no", "Contre")], {"threshold": "1/1" + "0" * 30},
         "bad_threshold", "threshold"),
    ],
)  # fmt: skip
async def test_a_draft_with_options_of_one_name_or_no_majority_is_refused(
    method: str, options: list[tuple[str, str]], rules: dict[str, Any], code: str, field: str
) -> None:
    organisation_id, assembly_id, _, _ = await planned_assembly(1)
    actor = await actor_for(organisation_id)
    refused = await refusal(
        drafts.create_ballot(actor, assembly_id, "Q ?", method, options, rules=rules)
    )
    assert refused.code == code
    assert refused.field == field
    assert await Ballot.count().where(Ballot.assembly == assembly_id) == 0

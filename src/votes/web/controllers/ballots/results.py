"""A ballot's result as files: JSON, CSV and BLT."""

from __future__ import annotations

import json
from typing import Any

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from votes.core import postal
from votes.core.formats import write_blt
from votes.core.papers import RANKED_METHODS
from votes.core.results import TallyError
from votes.db import attendance_queries as aq
from votes.db import ballot_queries as bq
from votes.db.ballot_queries import BallotView
from votes.db.tables import BallotStatus
from votes.services import exports
from votes.services.actors import Actor
from votes.services.ballots.network_counts import COUNT_KEY
from votes.web.controllers.ballots.common import may_see_result
from votes.web.downloads import download
from votes.web.voting import ballot_or_404


async def _exportable(actor: Actor, ballot_id: int) -> tuple[BallotView, str]:
    """The ballot and its result (JSON), or 404: no file for a ballot without a result, or
    one the actor may not see yet."""
    ballot = await ballot_or_404(actor, ballot_id)
    if not (ballot.result_json and may_see_result(ballot, actor)):
        raise NotFoundException()
    return ballot, ballot.result_json


def _download(body: str, media_type: str, ballot: BallotView, extension: str) -> Response[bytes]:
    return download(body, media_type, f"ballot-{ballot.id}.{extension}")


class BallotResultsController(Controller):
    path = "/"

    @get("/ballots/{ballot_id:int}/result.json")
    async def export_json(
        self, actor: NamedDependency[Actor], ballot_id: FromPath[int]
    ) -> Response[bytes]:
        ballot, result = await _exportable(actor, ballot_id)
        body = {
            "ballot": {
                "id": ballot.id,
                "question": ballot.question,
                "method": ballot.method,
                "seats": ballot.seats,
                "secret": ballot.secret,
                "test": ballot.is_test,
                "options": [{"key": o.key, "label": o.label} for o in ballot.options],
                "eligible_at_open": ballot.eligible_at_open,
                "eligible_at_close": ballot.eligible_at_close,
            },
            "result": json.loads(result),
            "papers": [
                {"receipt": p.fingerprint, "choice": json.loads(p.content)}
                for p in await bq.published_papers(ballot)
            ]
            if ballot.status == BallotStatus.PUBLISHED
            else [],
        }
        postal = await _postal_channel(actor, ballot_id)
        if postal is not None:  # the answers by correspondence the count added
            body["postal"] = postal
        network = await _network_counts(actor, ballot_id)
        if network is not None:  # a network's ballot: both counts and each line (#20)
            body["network"] = network
        return _download(
            json.dumps(body, ensure_ascii=False, indent=2), "application/json", ballot, "json"
        )

    @get("/ballots/{ballot_id:int}/result.csv")
    async def export_csv(
        self, actor: NamedDependency[Actor], ballot_id: FromPath[int]
    ) -> Response[bytes]:
        ballot, result = await _exportable(actor, ballot_id)
        body = exports.ballot_result_csv(result, ballot.labels)
        return _download(body, "text/csv", ballot, "csv")

    @get("/ballots/{ballot_id:int}/result.blt")
    async def export_blt(
        self, actor: NamedDependency[Actor], ballot_id: FromPath[int]
    ) -> Response[bytes]:
        ballot, _result = await _exportable(actor, ballot_id)
        if ballot.method not in RANKED_METHODS or ballot.status != BallotStatus.PUBLISHED:
            raise NotFoundException()
        # candidates are named by their labels, as people read them (keys when two labels are
        # the same once made BLT-safe: the file must still name each candidate once)
        names = {o.key: o.label.replace('"', "'").replace("\n", " ") for o in ballot.options}
        if len(set(names.values())) != len(names):
            names = {key: key for key in names}
        rankings = {
            tuple(names.get(key, key) for key in ranking): weight
            for ranking, weight in (await bq.rankings(ballot)).items()
        }
        try:
            text = write_blt(
                [names[o.key] for o in ballot.options],
                rankings,
                seats=ballot.seats,
                title=ballot.question.replace('"', "'"),
            )
        except TallyError as error:
            raise NotFoundException() from error
        return _download(text, "text/plain", ballot, "blt")


async def _network_counts(actor: Actor, ballot_id: int) -> dict[str, Any] | None:
    """A network's ballot counted per head and per cooperative, as its close stored them:
    cooperatives by name, each result as the result file writes one."""
    snapshot = await aq.ballot_rule_snapshot(actor.organisation.id, ballot_id)
    stored = (snapshot or {}).get(COUNT_KEY)
    if not isinstance(stored, dict):
        return None

    def line(data: dict[str, Any]) -> dict[str, Any]:
        result = data.get("result")
        return {**data, "result": json.loads(result) if result else None}

    individuals = stored.get("individuals")
    by_college = stored.get("by_college")  # a network with colleges
    if isinstance(by_college, dict):
        by_college = {
            **by_college,
            "result": json.loads(by_college["result"]),
            "colleges": [line(data) for data in by_college["colleges"]],
        }
    return {
        **stored,
        "by_college": by_college,
        "per_head": json.loads(stored["per_head"]),
        "per_cooperative": json.loads(stored["per_cooperative"]),
        "cooperatives": [line(data) for data in stored["cooperatives"]],
        "individuals": line(individuals) if individuals else None,
    }


async def _postal_channel(actor: Actor, ballot_id: int) -> dict[str, int] | None:
    """The channel of votes by correspondence, as totals by answer (never by voter)."""
    snapshot = await aq.ballot_rule_snapshot(actor.organisation.id, ballot_id)
    channel = postal.channel_from_data((snapshot or {}).get(postal.POSTAL_KEY))
    return None if channel is None else channel.totals()

"""Where a member's answer to a mood check is stored: the check's row read, the service's check
of the answer, and the answer written (or changed), in one write transaction.

On the app's SQLite engine the whole answer is one body run in the writer's thread in one hop,
committed with the answers beside it (2,000 phones answer within seconds: as votes, see
``VotesSQLiteEngine.run_write`` and ``votes.db.vote_storage``); elsewhere it goes through
Piccolo. The service (``votes.services.mood``) decides whether the answer is taken.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from votes.db.engine import VotesSQLiteEngine, write_transaction
from votes.db.queries import own_row
from votes.db.tables import MoodAnswer, MoodCheck

# the service's check of the answer against the check's row (status, kind, options), or None
# when the organisation has no such check: it raises to refuse, and then nothing is written
CheckAnswer = Callable[[Any], None]

_CHECK_SQL = "SELECT status, kind, options FROM mood_check WHERE id = ? AND organisation = ?"
_ANSWER_SQL = (
    "INSERT INTO mood_answer (organisation, mood_check, membership, answer_key, choice,"
    " answered_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (answer_key) DO UPDATE SET"
    " choice = excluded.choice, answered_at = excluded.answered_at"
)


def answer_key(mood_id: int, membership_id: int) -> str:
    """What makes an answer unique: one per member and check."""
    return f"{mood_id}:{membership_id}"


async def store_answer(
    organisation_id: int, mood_id: int, membership_id: int, choice: str, check: CheckAnswer
) -> None:
    """Store ``membership_id``'s ``choice`` (replacing an earlier one) once ``check`` passed."""
    engine = MoodAnswer._meta.db
    if isinstance(engine, VotesSQLiteEngine):
        body = partial(
            _answer_in_sqlite,
            organisation_id,
            mood_id,
            membership_id,
            choice,
            datetime.now(UTC),
            check,
        )
        await engine.run_write(body)
        return
    async with write_transaction(engine):
        row = await own_row(
            MoodCheck, organisation_id, mood_id, MoodCheck.status, MoodCheck.kind, MoodCheck.options
        )
        check(row)
        key = answer_key(mood_id, membership_id)
        if await MoodAnswer.exists().where(MoodAnswer.answer_key == key):
            await MoodAnswer.update(
                {MoodAnswer.choice: choice, MoodAnswer.answered_at: datetime.now(UTC)}
            ).where(MoodAnswer.answer_key == key)
        else:
            await MoodAnswer.insert(
                MoodAnswer(
                    organisation=organisation_id,
                    mood_check=mood_id,
                    membership=membership_id,
                    answer_key=key,
                    choice=choice,
                )
            )


def _answer_in_sqlite(
    organisation_id: int,
    mood_id: int,
    membership_id: int,
    choice: str,
    at: datetime,
    check: CheckAnswer,
    connection: Any,
) -> None:
    check(connection.execute(_CHECK_SQL, (mood_id, organisation_id)).fetchone())
    key = answer_key(mood_id, membership_id)
    connection.execute(_ANSWER_SQL, (organisation_id, mood_id, membership_id, key, choice, at))

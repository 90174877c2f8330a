"""The outbox survives a SIGKILL mid-send: ``votes serve`` (a subprocess on a SQLite file)
sends a few hundred mails to a real SMTP server (aiosmtpd in this process, slow on purpose)
and is killed with SIGKILL in the middle, then restarted on the same file.

The contract (see :mod:`votes.services.mail`): every mail arrives, and none twice, except at
most one per kill: the mail whose acceptance by the server and whose ``sent`` mark the kill
separated, sent again with the same ``Message-ID`` so the receiver can tell.

Run ``python -m tests.web.test_mail_crash NAME JSON`` for the tasks the served app's database
needs (``ServedApp.task``).
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.support.server import ServedApp
from tests.support.smtp import SENDER, smtp_server

pytestmark = pytest.mark.slow

MAILS = 300
KILL_AFTER = 60  # mails the server accepted before the plug is pulled
SLOW_SERVER_SECONDS = 0.01
PHASE_TIMEOUT = 120.0
TASKS = "tests.web.test_mail_crash"


def test_a_sigkill_mid_send_loses_no_mail_and_doubles_at_most_the_one_in_flight() -> None:
    with (
        tempfile.TemporaryDirectory(prefix="votes-mail-crash-") as folder,
        smtp_server(delay=SLOW_SERVER_SECONDS) as (inbox, port),
    ):
        server = ServedApp(
            Path(folder),
            {
                "VOTES_SMTP_HOST": "127.0.0.1",
                "VOTES_SMTP_PORT": str(port),
                "VOTES_SMTP_SECURITY": "none",
                "VOTES_SMTP_SENDER": SENDER,
                "VOTES_LOG_LEVEL": "WARNING",
            },
        )
        keys = server.task("queue", tasks=TASKS, count=MAILS)["keys"]
        server.start()
        try:
            assert inbox.wait_for(KILL_AFTER, PHASE_TIMEOUT), server.tail()
            server.kill()
            before_restart = len(inbox.messages)
            assert before_restart < MAILS, "the kill came too late to land mid-send"
            # two minutes pass: the lease of the mail that was being sent runs out
            server.task("expire_leases", tasks=TASKS)
            server.start()
            assert inbox.wait_for(MAILS, PHASE_TIMEOUT), server.tail()
            states = server.task("states", tasks=TASKS)
        finally:
            server.stop()

    expected = {_message_id(key) for key in keys}
    received = Counter(str(message["Message-ID"]) for message in inbox.messages)
    assert set(received) == expected  # nothing lost, nothing foreign
    doubled = {mid: n for mid, n in received.items() if n > 1}
    assert sum(n - 1 for n in doubled.values()) <= 1, doubled  # at most the one in flight
    assert states == {"sent": MAILS}


def _message_id(key: str) -> str:
    from votes.services.mail import message_id

    return message_id(key, SENDER)


# --- tasks on the served app's database (run in a subprocess with its settings) ---------------


async def _queue(arguments: dict[str, Any]) -> dict[str, Any]:
    from votes.db.engine import write_transaction
    from votes.db.migrate import migrate
    from votes.db.tables import Mail
    from votes.services import mail, organisations
    from votes.settings import Settings

    await migrate(quiet=True)
    settings = Settings.from_env()
    mail.configure(settings.smtp, settings.sender)
    organisation_id = await organisations.create_organisation("Coopérative du courrier", "crash")
    keys = [f"crash:{n}" for n in range(arguments["count"])]
    async with write_transaction(Mail._meta.db):
        for n, key in enumerate(keys):
            await mail.queue(
                organisation_id=organisation_id,
                kind="access_code",
                recipient=f"membre-{n:04d}@example.org",
                subject=f"Votre code n°{n}",
                body_text=f"Bonjour membre {n}",
                idempotency_key=key,
            )
    return {"keys": keys}


async def _expire_leases(arguments: dict[str, Any]) -> dict[str, Any]:
    from votes.db.tables import Mail, MailStatus

    past = datetime.now(UTC) - timedelta(seconds=1)
    rows = (
        await Mail.update({Mail.lease_until: past})
        .where(Mail.status == MailStatus.SENDING.value)
        .returning(Mail.id)
    )
    return {"expired": len(rows)}


async def _states(arguments: dict[str, Any]) -> dict[str, int]:
    from votes.db.tables import Mail

    rows = await Mail.select(Mail.status)
    return dict(Counter(str(row["status"]) for row in rows))


async def _run(name: str, arguments: dict[str, Any]) -> Any:
    from votes.db.engine import close_pool, start_pool
    from votes.piccolo_conf import DB

    task = {"queue": _queue, "expire_leases": _expire_leases, "states": _states}[name]
    await start_pool(DB, 2)
    try:
        return await task(arguments)
    finally:
        await close_pool(DB)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_run(sys.argv[1], json.loads(sys.argv[2])))))

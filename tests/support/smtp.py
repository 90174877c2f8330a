"""A real SMTP server for the mail tests: aiosmtpd on a free port, keeping what it received."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from votes.services import mail
from votes.settings import SmtpSecurity, SmtpSettings

SENDER = "votes@coop.example"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Inbox:
    """What the server accepted, in order (parsed), and for whom."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[list[str]] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)
    delay: float = 0.0  # seconds the server takes to accept each mail (a slow relay)

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address.startswith("unknown-"):  # a mailbox that does not exist
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.changed:
            self.messages.append(parsed)
            self.envelopes.append(list(envelope.rcpt_tos))
            self.changed.notify_all()
        return "250 Message accepted for delivery"

    def to(self, recipient: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == recipient]

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until the server has accepted ``count`` mails in all; whether it did."""
        with self.changed:
            return self.changed.wait_for(lambda: len(self.messages) >= count, timeout)


def settings_for(port: int) -> SmtpSettings:
    return SmtpSettings(
        host="127.0.0.1",
        port=port,
        security=SmtpSecurity.NONE,
        user="",
        password="",
        sender=SENDER,
    )


@contextmanager
def smtp_server(port: int | None = None, delay: float = 0.0) -> Iterator[tuple[Inbox, int]]:
    """An aiosmtpd server on ``port`` (a free one by default) while the block runs."""
    inbox = Inbox(delay=delay)
    port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@contextmanager
def mailing() -> Iterator[tuple[Inbox, SmtpSettings]]:
    """A server while the block runs, the app's mail sent to it: what it received, and the
    settings that reach it."""
    with smtp_server() as (inbox, port):
        settings = settings_for(port)
        mail.configure(settings)
        try:
            yield inbox, settings
        finally:
            mail.configure(None)

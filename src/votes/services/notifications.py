"""Which optional mails a member receives from their cooperative.

Always sent, whatever is chosen here: the mails a member must act on (a convocation, a ballot
they may vote on opening, a password or access code they asked for). Optional: the reminder
before a ballot they have not voted on closes, a published result, and the opening of a
ballot they do not vote on (an observer's). Each member chooses for themselves, in each
cooperative they belong to; nobody chooses for another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from votes.db.engine import write_transaction
from votes.db.tables import NotificationPreference, Person
from votes.services.actors import Actor
from votes.services.refusals import Refused


@dataclass(frozen=True, slots=True)
class Preferences:
    reminders: bool = True
    results: bool = True
    other_ballots: bool = False


async def preferences_of(membership_id: int) -> Preferences:
    """A member's choices, or the defaults when they made none."""
    row = (
        await NotificationPreference.select(
            NotificationPreference.reminders,
            NotificationPreference.results,
            NotificationPreference.other_ballots,
        )
        .where(NotificationPreference.membership == membership_id)
        .first()
    )
    return Preferences(**row) if row else Preferences()


async def choose(actor: Actor, chosen: Preferences) -> None:
    """Record the acting member's own choice of optional mails in their cooperative. The app
    itself chooses for nobody (``not_allowed``)."""
    membership_id = actor.membership_id
    if membership_id is None:
        raise Refused("not_allowed")
    columns = (
        NotificationPreference.reminders,
        NotificationPreference.results,
        NotificationPreference.other_ballots,
        NotificationPreference.updated_at,
    )
    async with write_transaction(NotificationPreference._meta.db):
        await NotificationPreference.insert(
            NotificationPreference(
                membership=membership_id,
                preference_key=str(membership_id),
                reminders=chosen.reminders,
                results=chosen.results,
                other_ballots=chosen.other_ballots,
                updated_at=datetime.now(UTC),
            )
        ).on_conflict(
            target=NotificationPreference.preference_key, action="DO UPDATE", values=columns
        )


async def address_of(person_id: int) -> str | None:
    """Where a person's mails go, if anywhere (the page says so)."""
    row = await Person.select(Person.email).where(Person.id == person_id).first()
    return str(row["email"]) if row and row["email"] else None

"""Seeded lots, so that a recount with the same seed settles every tie the same way."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

from votes.core.results import Candidate, TieEvent, TieResolution


def draw_lot(
    tied: Sequence[Candidate], count: int, *, seed: str, round_number: int, purpose: str
) -> tuple[tuple[Candidate, ...], TieEvent]:
    """Draw ``count`` of the ``tied`` candidates by lot, reproducibly.

    The draw depends only on the seed, the round, the purpose and the sorted tied set, never on
    the order the caller happens to hold them in, nor on ``PYTHONHASHSEED``.

    >>> chosen, event = draw_lot(["b", "a"], 1, seed="s", round_number=2, purpose="exclusion")
    >>> chosen == draw_lot(["a", "b"], 1, seed="s", round_number=2, purpose="exclusion")[0]
    True
    >>> event.resolution.value, event.seed
    ('lot', 's')
    """
    pool = sorted(set(tied))
    material = f"{seed}\x1f{round_number}\x1f{purpose}\x1f" + "\x1f".join(pool)
    # A reproducible draw is the point (a recount must redraw the same lot), not secrecy.
    rng = random.Random(hashlib.sha256(material.encode()).digest())  # noqa: S311
    chosen = tuple(rng.sample(pool, count))
    event = TieEvent(
        round=round_number,
        purpose=purpose,
        tied=tuple(pool),
        chosen=chosen,
        resolution=TieResolution.LOT,
        seed=seed,
    )
    return chosen, event

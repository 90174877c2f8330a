"""Seeded lots, so that a recount with the same seed settles every tie the same way."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from votes.core.results import Candidate, Message, TallyError, TieEvent, TieResolution


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


TIE_BREAKS = ("unresolved", "lot", "order")

MESSAGES = {  # each sentence in French, English and Dutch (votes.core.explain.LANGUAGES)
    "unresolved": (
        (
            "égalité entre {tied:and} pour {count} place restante\u00a0: non départagée",
            "égalité entre {tied:and} pour {count} places restantes\u00a0: non départagée",
        ),
        (
            "tie between {tied:and} for {count} remaining place: not resolved",
            "tie between {tied:and} for {count} remaining places: not resolved",
        ),
        (
            "gelijkstand tussen {tied:and} voor {count} resterende plaats: niet beslecht",
            "gelijkstand tussen {tied:and} voor {count} resterende plaatsen: niet beslecht",
        ),
    ),
    "lot": (
        (
            "égalité entre {tied:and}\u00a0: le tirage au sort "
            "(graine «\u00a0{seed}\u00a0») désigne {chosen:and}"
        ),
        "tie between {tied:and}: the lot (seed “{seed}”) picks {chosen:and}",
        "gelijkstand tussen {tied:and}: de loting (startwaarde “{seed}”) wijst {chosen:and} aan",
    ),
    "order": (
        "égalité entre {tied:and}\u00a0: l'ordre de départage publié désigne {chosen:and}",
        "tie between {tied:and}: the published tie-break order picks {chosen:and}",
        (
            "gelijkstand tussen {tied:and}: de bekendgemaakte volgorde bij gelijkstand"
            " wijst {chosen:and} aan"
        ),
    ),
}


@dataclass(frozen=True, slots=True)
class TieBreak:
    """How a method settles the ties it cannot settle by its own rule.

    Attributes:
        kind: ``"unresolved"`` (report the tie, pick nobody), ``"lot"`` (seeded draw) or
            ``"order"`` (a candidate order published before the count; earlier wins).
        seed: the lot's seed, required for ``"lot"``.
        order: every candidate once, for ``"order"``.
    """

    kind: str = "unresolved"
    seed: str | None = None
    order: tuple[Candidate, ...] = ()

    @classmethod
    def from_options(
        cls, candidates: Sequence[Candidate], tie_break: object, seed: object
    ) -> TieBreak:
        """Build from the ``tie_break`` / ``seed`` options; a sequence means ``"order"``.

        >>> TieBreak.from_options(["a", "b"], ["b", "a"], None)
        TieBreak(kind='order', seed=None, order=('b', 'a'))
        """
        if seed is not None and not isinstance(seed, str):
            raise TallyError(f"seed must be a string, got {seed!r}")
        if isinstance(tie_break, list | tuple):
            order = tuple(tie_break)
            if sorted(order) != sorted(candidates):
                raise TallyError(f"tie_break order {order!r} must list every candidate once")
            return cls("order", seed, order)
        if tie_break not in TIE_BREAKS:
            raise TallyError(f"tie_break must be one of {TIE_BREAKS} or a candidate order")
        if tie_break == "lot" and seed is None:
            raise TallyError('tie_break="lot" needs a seed, so that a recount draws the same lot')
        return cls(str(tie_break), seed)

    def as_option(self) -> str | tuple[Candidate, ...]:
        """The value to record in a result's ``options``."""
        return self.order if self.kind == "order" else self.kind

    def choose(
        self, tied: Sequence[Candidate], count: int, *, round_number: int, purpose: str
    ) -> tuple[tuple[Candidate, ...], TieEvent, Message]:
        """Pick ``count`` of ``tied`` (nobody when unresolved); return the event and its message."""
        pool = tuple(sorted(tied))
        if self.kind == "lot":
            assert self.seed is not None  # from_options guarantees it
            chosen, event = draw_lot(
                pool, count, seed=self.seed, round_number=round_number, purpose=purpose
            )
            params = {"tied": pool, "chosen": chosen, "seed": self.seed}
            return chosen, event, Message("ties.lot", params)
        if self.kind == "order":
            chosen = tuple(c for c in self.order if c in pool)[:count]
            event = TieEvent(round_number, purpose, pool, chosen, TieResolution.FIXED_ORDER)
            return chosen, event, Message("ties.order", {"tied": pool, "chosen": chosen})
        event = TieEvent(round_number, purpose, pool, (), TieResolution.UNRESOLVED)
        return (), event, Message("ties.unresolved", {"tied": pool, "count": count})


def rank_by_score(scores: Mapping[Candidate, Fraction]) -> tuple[tuple[Candidate, ...], ...]:
    """Groups of equal score, best first; each group sorted by id so no hash order leaks in.

    >>> rank_by_score({"b": Fraction(2), "a": Fraction(2), "c": Fraction(5)})
    (('c',), ('a', 'b'))
    """
    by_score: dict[Fraction, list[Candidate]] = {}
    for candidate, score in scores.items():
        by_score.setdefault(score, []).append(candidate)
    return tuple(tuple(sorted(by_score[score])) for score in sorted(by_score, reverse=True))


def select_top(
    ranking: Sequence[Sequence[Candidate]],
    seats: int,
    tie_break: TieBreak,
    *,
    round_number: int = 1,
    purpose: str = "winner",
) -> tuple[tuple[Candidate, ...], tuple[TieEvent, ...], tuple[Message, ...]]:
    """Take the best ``seats`` candidates from a ranking given as tie groups.

    A group that straddles the last seat is settled by ``tie_break``; when it stays unresolved
    the seats it contests stay empty, so ``winners`` may be shorter than ``seats``.

    >>> select_top([("a",), ("b", "c")], 2, TieBreak("order", order=("c", "b", "a")))[0]
    ('a', 'c')
    """
    winners: list[Candidate] = []
    for group in ranking:
        remaining = seats - len(winners)
        if remaining <= 0:
            break
        if len(group) <= remaining:
            winners.extend(group)
            continue
        chosen, event, message = tie_break.choose(
            group, remaining, round_number=round_number, purpose=purpose
        )
        winners.extend(chosen)
        return tuple(winners), (event,), (message,)
    return tuple(winners), (), ()

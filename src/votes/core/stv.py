"""Single transferable vote under the Scottish rules (SSI 2007/42, schedule 1, rules 45–52).

Exactly as the statute counts by hand (voting-rules.md §3.6):

* quota (46) = ``floor(valid papers / (seats + 1)) + 1``; a candidate whose votes equal or
  exceed it at any stage is elected (47) and receives no more transfers;
* a surplus (48) moves **every** paper of the elected candidate, each at
  ``surplus × value when received / total votes``, worked out to five decimal places with the
  remainder ignored. Votes are held as integers in units of 0.00001, so the truncation is exact
  and no float ever enters; what truncation drops is reported as *loss by fraction*;
* several surpluses (49): the largest first; equal ones by the most recent earlier stage where
  the candidates' votes differed, then the ``tie_break`` option (seeded lot or published order).
  Candidates elected at the same stage never receive each other's surplus;
* a candidate with exactly the quota has no surplus, so no stage transfers it;
* exclusion (50, 51): the fewest votes, ties by the most recent earlier stage where they
  differed, then the ``tie_break`` option; papers move at the value they were received at;
* last vacancies (52): when continuing candidates are no more than the seats left they are all
  elected and nothing more is transferred;
* withdrawn candidates (BLT's negative line) are skipped on every paper as if never ranked.

Each :class:`~votes.core.results.Round` is one stage: ``totals`` holds the exact votes
(``Fraction``, whole 0.00001 units) of every candidate still holding papers, i.e. hopeful and
elected ones; excluded and withdrawn candidates hold none and are left out. At every stage
``sum(totals) + exhausted + loss_by_fraction == valid papers`` exactly.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction

from votes.core.ballots import RankedBallots, check_candidates, check_seats
from votes.core.irv import (
    RankedProfile,
    break_tie,
    move_pile,
    ranked_result,
    read_ranked,
    same_whoever_excluded,
    transfer_message,
)
from votes.core.results import (
    Candidate,
    JSONValue,
    Message,
    Round,
    TallyResult,
    TieEvent,
    Weight,
)
from votes.core.ties import TieBreak

#: Votes are held in units of 10^-5 (rule 48(3): five decimal places, remainder ignored).
UNIT = 100_000

MESSAGES = {  # each sentence in French, English and Dutch (votes.core.explain.LANGUAGES)
    "first": (
        (
            "premières préférences, quota {quota}"
            " (bulletins valides\u00a0: {valid}, {seats} siège)",
            "premières préférences, quota {quota}"
            " (bulletins valides\u00a0: {valid}, {seats} sièges)",
        ),
        (
            "first preferences, quota {quota} (valid ballots: {valid}, {seats} seat)",
            "first preferences, quota {quota} (valid ballots: {valid}, {seats} seats)",
        ),
        (
            "eerste voorkeuren, quotum {quota} (geldige stembiljetten: {valid}, {seats} zetel)",
            "eerste voorkeuren, quotum {quota} (geldige stembiljetten: {valid}, {seats} zetels)",
        ),
    ),
    "elected": (
        "{candidate} est élu·e ({votes} voix pour un quota de {quota})",
        "{candidate} is elected ({votes} votes for a quota of {quota})",
        "{candidate} is verkozen ({votes} stemmen voor een quotum van {quota})",
    ),
    "surplus": (
        "{candidate} transfère son excédent ({surplus} voix)",
        "{candidate}'s surplus is transferred ({surplus} votes)",
        "het overschot van {candidate} wordt overgedragen ({surplus} stemmen)",
    ),
    "loss": (
        "{loss} voix perdues par arrondi",
        "{loss} votes lost to rounding",
        "{loss} stemmen verloren door afronding",
    ),
    "elected_remaining": (
        (
            "{candidates:and} est élu·e, car il reste autant de candidatures que de sièges",
            "{candidates:and} sont élu·es, car il reste autant de candidatures que de sièges",
        ),
        (
            "{candidates:and} is elected, as continuing candidates equal the seats left",
            "{candidates:and} are elected, as continuing candidates equal the seats left",
        ),
        (
            "{candidates:and} is verkozen, want er blijven evenveel kandidaten als zetels over",
            "{candidates:and} zijn verkozen, want er blijven evenveel kandidaten als zetels over",
        ),
    ),
    "not_elected": (
        (
            "tous les sièges sont pourvus, {candidates:and} n'est pas élu·e",
            "tous les sièges sont pourvus, {candidates:and} ne sont pas élu·es",
        ),
        (
            "all seats are filled, {candidates:and} is not elected",
            "all seats are filled, {candidates:and} are not elected",
        ),
        (
            "alle zetels zijn toegewezen, {candidates:and} is niet verkozen",
            "alle zetels zijn toegewezen, {candidates:and} zijn niet verkozen",
        ),
    ),
    "tie_no_effect": (
        (
            "égalité entre {tied:and} pour l'élimination\u00a0: quelle que soit la personne "
            "éliminée, "
            "les élu·es sont les mêmes ({elected:and})\u00a0; l'égalité est laissée sans "
            "départage et {chosen} est éliminé·e pour la suite du décompte"
        ),
        (
            "tie between {tied:and} for exclusion: whoever is excluded, the same candidates "
            "are elected ({elected:and}); the tie is left unsettled and {chosen} is excluded "
            "for the rest of the count"
        ),
        (
            "gelijkstand tussen {tied:and} voor de uitsluiting: wie ook uitgesloten wordt,"
            " dezelfde kandidaten zijn verkozen ({elected:and}); de gelijkstand blijft"
            " onbeslecht en {chosen} wordt uitgesloten voor de rest van de telling"
        ),
    ),
}

#: A candidate's state in an STV count (Meek calls an excluded candidate defeated).
HOPEFUL, ELECTED, EXCLUDED, WITHDRAWN = range(4)


def tally_scottish_stv(
    candidates: Sequence[Candidate], ballots: RankedBallots, *, seats: int = 1, **options: object
) -> TallyResult:
    """Count an STV election under the Scottish rules, stage by stage, exactly.

    Args:
        candidates: candidate ids, in the order to report them.
        ballots: ``{ranking: weight}`` or an iterable of rankings (weight 1 each).
        seats: number of seats to fill.
        **options: ``seed`` / ``tie_break`` for ties equal at every earlier stage (a published
            order reproduces Droop's ``tie_order``); ``withdrawn`` candidate ids.

    Returns:
        One round per stage; ``details["quota"]`` is the quota.

    >>> r = tally_scottish_stv(["a", "b", "c"], {("a", "b"): 120, ("c",): 80, ("b",): 41}, seats=2)
    >>> r.winners, r.details["quota"], r.rounds[1].totals["b"]
    (('a', 'c'), 81, Fraction(80, 1))
    """
    count = _ScottishCount(*start_stv(candidates, ballots, seats, options))
    count.run()
    valid = Fraction(count.profile.valid)
    return count.result("stv", {"quota": count.quota // UNIT, "valid": valid, "decimal_places": 5})


def start_stv(
    candidates: Sequence[Candidate],
    ballots: RankedBallots,
    seats: int,
    options: Mapping[str, object],
) -> tuple[RankedProfile, TieBreak, int]:
    """What an STV count starts from, checked: the ballots, the tie-break policy, the seats.

    >>> start_stv(["a", "b"], [("b",)], 1, {})[2]
    1
    """
    names = check_candidates(candidates)
    seats = check_seats(seats)
    policy, profile = read_ranked(names, ballots, options)
    return profile, policy, seats


def _votes(units: Weight) -> Fraction:
    return Fraction(units) / UNIT


class SeatCount(ABC):
    """What both STV counts (Scottish, Meek) keep: each candidate's state, the elected in
    order, the rounds and tie events built so far; and how they settle an exclusion tie."""

    def __init__(self, profile: RankedProfile, policy: TieBreak, seats: int) -> None:
        self.profile = profile
        self.policy = policy
        self.seats = seats
        n = len(profile.candidates)
        self.status = [WITHDRAWN if c in profile.withdrawn else HOPEFUL for c in range(n)]
        self.rankings = profile.indexed()
        self.elected: list[int] = []
        self.history: list[list[Weight]] = []  # stage totals for ties; Meek never looks back
        self.rounds: list[Round] = []
        self.events: list[TieEvent] = []
        self.depth = 0  # ties tried inside ties (see same_whoever_excluded)

    def result(self, method: str, details: dict[str, JSONValue]) -> TallyResult:
        names = self.profile.candidates
        return ranked_result(
            method,
            self.profile,
            self.policy,
            seats=self.seats,
            winners=(names[c] for c in self.elected),
            rounds=self.rounds,
            events=self.events,
            details=details,
        )

    @abstractmethod
    def run(self) -> None:
        """Count to the end, a round appended per stage."""

    @abstractmethod
    def _drop(self, candidate: int) -> None:
        """Exclude (Meek: defeat) ``candidate`` between stages, its votes moving on."""

    def _hopeful(self) -> list[int]:
        return [c for c, state in enumerate(self.status) if state == HOPEFUL]

    def _elect(self, chosen: Iterable[int]) -> None:
        for c in chosen:
            self.status[c] = ELECTED
            self.elected.append(c)

    def _naming(self, key: str, group: Sequence[int]) -> Message:
        """A sentence naming ``group`` ("stv.elected_remaining", "stv.not_elected")."""
        names = self.profile.candidates
        return Message(key, {"candidates": tuple(names[c] for c in group), "count": len(group)})

    def _settle(
        self,
        tied: list[int],
        *,
        fewest: bool,
        stage: int,
        purpose: str,
        to: list[Message],
        without_effect: Callable[[Sequence[int]], Message | None] | None = None,
    ) -> int:
        outcome = break_tie(
            tied,
            fewest=fewest,
            history=self.history,
            policy=self.policy,
            names=self.profile.candidates,
            round_number=stage,
            purpose=purpose,
            without_effect=without_effect,
        )
        self.events.append(outcome.event)
        to.append(outcome.message)
        return outcome.chosen

    def _exclusion(self, tied: list[int], stage: int, messages: list[Message]) -> int:
        """Who of ``tied`` is excluded: by earlier stages, then the tie-break, unless every
        choice elects the same candidates."""
        if len(tied) == 1:
            return tied[0]
        return self._settle(
            tied,
            fewest=True,
            stage=stage,
            purpose="exclusion",
            to=messages,
            without_effect=self._without_effect,
        )

    def _without_effect(self, pool: Sequence[int]) -> Message | None:
        """The message saying so when excluding any one of ``pool`` elects the same candidates;
        None otherwise."""
        shared = (self.profile, self.rankings)
        elected = same_whoever_excluded(self, pool, shared, SeatCount._count_without)
        return None if elected is None else tie_no_effect(self.profile.candidates, pool, elected)

    def _count_without(self, candidate: int) -> frozenset[int]:
        self._drop(candidate)
        self.run()
        return frozenset(self.elected)


class _ScottishCount(SeatCount):
    """One count in progress: piles of ballot groups, their values and pointers."""

    def __init__(self, profile: RankedProfile, policy: TieBreak, seats: int) -> None:
        super().__init__(profile, policy, seats)
        n = len(profile.candidates)
        self.quota: Weight = (profile.valid // (seats + 1) + 1) * UNIT
        self.piles: list[list[int]] = [[] for _ in range(n)]
        self.totals: list[Weight] = [0] * n
        self.position = [0] * len(self.rankings)
        self.value = [UNIT] * len(self.rankings)  # each group's value when received
        for group, ranking in enumerate(self.rankings):
            self.piles[ranking[0]].append(group)
            self.totals[ranking[0]] += profile.weights[group] * UNIT
        self.exhausted: Weight = 0
        self.loss: Weight = 0
        self.pending: list[int] = []  # elected with a surplus still to transfer

    def run(self) -> None:
        first = {
            "quota": self.quota // UNIT,
            "valid": self.profile.valid,
            "seats": self.seats,
            "count": self.seats,
        }
        messages = [Message("stv.first", first)]
        excluded: tuple[int, ...] = ()
        while True:
            newly = self._elect_reaching_quota(messages)
            done = self._finished(newly, messages)
            self._close_stage(newly, excluded, messages)
            if done:
                return
            messages = []
            excluded = ()
            stage = len(self.rounds) + 1
            if self.pending:
                self._transfer_surplus(self._next_surplus(stage, messages), messages)
            else:
                loser = self._next_exclusion(stage, messages)
                self._exclude(loser, messages)
                excluded = (loser,)

    def _elect_reaching_quota(self, messages: list[Message]) -> list[int]:
        """Rule 47: everyone at or above the quota is elected, biggest total first."""
        reached = [c for c in self._hopeful() if self.totals[c] >= self.quota]
        reached.sort(key=lambda c: (-self.totals[c], c))
        self._elect(reached)
        for c in reached:
            if self.totals[c] > self.quota:
                self.pending.append(c)
            params = {
                "candidate": self.profile.candidates[c],
                "votes": _votes(self.totals[c]),
                "quota": self.quota // UNIT,
            }
            messages.append(Message("stv.elected", params))
        return reached

    def _finished(self, newly: list[int], messages: list[Message]) -> bool:
        """Rule 52 and the end of the count: all seats filled, or no more choice to make."""
        left = self.seats - len(self.elected)
        hopeful = self._hopeful()
        if left > 0 and len(hopeful) <= left:
            hopeful.sort(key=lambda c: (-self.totals[c], c))
            self._elect(hopeful)
            newly.extend(hopeful)
            if hopeful:
                messages.append(self._naming("stv.elected_remaining", hopeful))
            return True
        if left <= 0:
            if hopeful:
                messages.append(self._naming("stv.not_elected", hopeful))
            return True
        return False

    def _close_stage(
        self, newly: list[int], excluded: tuple[int, ...], messages: list[Message]
    ) -> None:
        names = self.profile.candidates
        holding = [c for c, state in enumerate(self.status) if state in (HOPEFUL, ELECTED)]
        self.history.append(list(self.totals))
        self.rounds.append(
            Round(
                number=len(self.rounds) + 1,
                totals={names[c]: _votes(self.totals[c]) for c in holding},
                elected=tuple(names[c] for c in newly),
                excluded=tuple(names[c] for c in excluded),
                exhausted=_votes(self.exhausted),
                loss_by_fraction=_votes(self.loss),
                messages=tuple(messages),
            )
        )

    def _next_surplus(self, stage: int, messages: list[Message]) -> int:
        """Rule 49: the largest surplus; equal ones by earlier stages, then the tie-break."""
        largest = max(self.totals[c] for c in self.pending)
        tied = [c for c in self.pending if self.totals[c] == largest]
        if len(tied) == 1:
            return tied[0]
        return self._settle(tied, fewest=False, stage=stage, purpose="surplus_order", to=messages)

    def _next_exclusion(self, stage: int, messages: list[Message]) -> int:
        """Rules 50–51: the fewest votes; ties by earlier stages, then the tie-break."""
        hopeful = self._hopeful()
        fewest = min(self.totals[c] for c in hopeful)
        return self._exclusion([c for c in hopeful if self.totals[c] == fewest], stage, messages)

    def _drop(self, candidate: int) -> None:
        self._exclude(candidate, [])

    def _transfer_surplus(self, elected: int, messages: list[Message]) -> None:
        """Rule 48: every paper moves at surplus × value received / total, truncated."""
        self.pending.remove(elected)
        total = self.totals[elected]
        surplus = total - self.quota
        new_values: dict[int, int] = {}
        for group in self.piles[elected]:
            old = self.value[group]
            if old not in new_values:
                new_values[old] = int((surplus * old) // total)
            self.value[group] = new_values[old]  # the paper moves on at its transfer value
        moved, gone = self._move(elected)
        loss = surplus - sum(moved.values(), start=0) - gone
        self.loss += loss
        self.totals[elected] = self.quota
        params = {"candidate": self.profile.candidates[elected], "surplus": _votes(surplus)}
        messages.append(Message("stv.surplus", params))
        messages.append(self._transfer_sentence(moved, gone))
        if loss:
            messages.append(Message("stv.loss", {"loss": _votes(loss)}))

    def _exclude(self, loser: int, messages: list[Message]) -> None:
        """Rule 50: every paper moves at the value it was received at."""
        votes = self.totals[loser]
        self.status[loser] = EXCLUDED
        name = self.profile.candidates[loser]
        params = {"candidate": name, "votes": _votes(votes), "count": _votes(votes)}
        messages.append(Message("irv.excluded", params))
        moved, gone = self._move(loser)
        self.totals[loser] = 0
        messages.append(self._transfer_sentence(moved, gone))

    def _transfer_sentence(self, moved: dict[int, Weight], gone: Weight) -> Message:
        return transfer_message(
            {c: _votes(v) for c, v in moved.items()}, _votes(gone), self.profile.candidates
        )

    def _move(self, source: int) -> tuple[dict[int, Weight], Weight]:
        """Send each group of ``source``'s pile to its next hopeful candidate at its value, or
        exhaust it. Returns the units moved per candidate and exhausted."""
        hopeful = [c if state == HOPEFUL else None for c, state in enumerate(self.status)]
        weights, value = self.profile.weights, self.value
        return move_pile(
            self, source, self.rankings, hopeful.__getitem__, lambda g: weights[g] * value[g]
        )


def tie_no_effect(
    names: Sequence[Candidate], pool: Iterable[int], elected: Iterable[int]
) -> Message:
    """The sentence of an exclusion tie whose every resolution elects the same candidates: the
    first of the tied, in the published order, is excluded for the rest of the count."""
    tied = tuple(names[c] for c in pool)
    params = {"tied": tied, "elected": tuple(names[c] for c in sorted(elected)), "chosen": tied[0]}
    return Message("stv.tie_no_effect", params)

"""Rule profiles: the quorum and majority a cooperative's statutes require, with their sources.

A :class:`RuleProfile` says, for each kind of assembly and convocation, which quorum must be
reached (a share of the members or of the voting rights, counting present, represented, remote
and postal voters as the statutes allow) and which majority a resolution needs (a threshold over a
base, abstentions in or out), plus the cap on proxies. Presets cover the common French and Belgian
forms; each rule carries its source and how sure we are of it:

* ``law``: read in the law itself;
* ``model_statutes``: read in published model statutes (each cooperative's own may differ);
* ``to_check``: commonly quoted figures that nobody here could verify: check your statutes.

Every organisation can copy a preset and adjust it to its own statutes (``custom``).
Not legal advice: the sources are shown so that people can check them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from fractions import Fraction
from typing import Any

from votes.core.results import TallyError


class Confidence(StrEnum):
    LAW = "law"
    MODEL_STATUTES = "model_statutes"
    TO_CHECK = "to_check"


class QuorumBase(StrEnum):
    MEMBERS = "members"  # head count of members with voting rights
    VOTING_RIGHTS = "voting_rights"  # votes (differs from members with colleges or weights)


class Attendance(StrEnum):
    """Ways of taking part that a quorum may count."""

    PRESENT = "present"
    REPRESENTED = "represented"
    REMOTE = "remote"
    POSTAL = "postal"


ALL_ATTENDANCE = frozenset(Attendance)
IN_ROOM = frozenset({Attendance.PRESENT, Attendance.REPRESENTED, Attendance.POSTAL})

# assembly kinds and convocations, as stored by the application
ASSEMBLY_KINDS = ("ago", "age", "ago_extraordinary", "plenary", "other")
CONVOCATIONS = ("first", "second")


@dataclass(frozen=True, slots=True)
class Source:
    """Where a rule comes from."""

    confidence: Confidence
    reference: str  # e.g. "loi 78-763, art. relatif aux pouvoirs"
    url: str = ""


@dataclass(frozen=True, slots=True)
class QuorumRule:
    """``share`` of the base must take part; ``None`` means no quorum."""

    share: Fraction | None
    base: QuorumBase = QuorumBase.MEMBERS
    counts: frozenset[Attendance] = IN_ROOM

    def required(self, base_size: int) -> int:
        """The smallest number of participants that reaches the quorum.

        >>> QuorumRule(Fraction(1, 4)).required(120)
        30
        >>> QuorumRule(Fraction(1, 4)).required(121), QuorumRule(None).required(121)
        (31, 0)
        """
        if self.share is None:
            return 0
        required = self.share * base_size
        return -(-required.numerator // required.denominator)  # ceiling, exactly

    def participants(self, attendance: Mapping[Attendance, int]) -> int:
        """Participants who count for this quorum (e.g. remote ones only if the statutes say so)."""
        return sum(count for kind, count in attendance.items() if kind in self.counts)


@dataclass(frozen=True, slots=True)
class MajorityRule:
    """The options of :func:`votes.core.majority.tally_majority`, with a name for people."""

    threshold: Fraction = Fraction(1, 2)
    comparison: str = "more_than"  # or "at_least"
    base: str = "cast"  # "cast", "cast_and_abstentions", "present", "members"
    invalid_in_base: bool = False

    def tally_options(self) -> dict[str, object]:
        """Options to pass to ``tally("majority", …)``.

        >>> MajorityRule(Fraction(2, 3), "at_least").tally_options()["threshold"]
        Fraction(2, 3)
        """
        return {
            "threshold": self.threshold,
            "comparison": self.comparison,
            "base": self.base,
            "invalid_in_base": self.invalid_in_base,
        }


@dataclass(frozen=True, slots=True)
class DecisionRule:
    quorum: QuorumRule
    majority: MajorityRule
    source: Source


@dataclass(frozen=True, slots=True)
class ProxyRule:
    """How many proxies one member may hold, besides their own vote.

    ``scop`` is the SCOP law's cap: 1 below ``small_below`` members, else ``members //
    per_members`` (1/20 of the members). ``fixed`` allows ``fixed`` proxies whatever the size;
    ``None`` (``fixed=None`` with kind ``fixed``) means no cap.
    """

    kind: str = "scop"
    small_below: int = 20
    per_members: int = 20
    fixed: int | None = 1
    blank_proxies: str = "with_management"  # or "not_counted"
    source: Source = field(
        default_factory=lambda: Source(
            Confidence.LAW,
            "loi n° 78-763 du 19 juillet 1978 (SCOP), assemblées d'associés",
            "https://www.legifrance.gouv.fr/loda/id/JORFTEXT000000339242",
        )
    )

    def cap(self, members: int) -> int | None:
        """The most proxies one member may hold, for an organisation of ``members``.

        >>> [ProxyRule().cap(n) for n in (19, 20, 39, 40)]
        [1, 1, 1, 2]
        """
        if self.kind == "scop":
            return 1 if members < self.small_below else members // self.per_members
        return self.fixed


@dataclass(frozen=True, slots=True)
class RuleProfile:
    """The rules one kind of organisation (or one organisation's statutes) applies."""

    key: str
    rules: Mapping[tuple[str, str], DecisionRule]  # (assembly kind, convocation) -> rule
    proxies: ProxyRule = field(default_factory=ProxyRule)
    secret_ballot_for_elections: bool = False
    remote_counts_as_present: bool = False
    colleges: str = "none"  # "none", "allowed" (SCIC), "required"

    def rule_for(self, assembly_kind: str, convocation: str) -> DecisionRule:
        """The rule for an assembly; kinds a profile does not name use its AGO rule."""
        if assembly_kind not in ASSEMBLY_KINDS:
            raise TallyError(f"unknown assembly kind {assembly_kind!r}")
        if convocation not in CONVOCATIONS:
            raise TallyError(f"unknown convocation {convocation!r}")
        for kind in (assembly_kind, "ago"):
            if (kind, convocation) in self.rules:
                return self.rules[(kind, convocation)]
            if (kind, "first") in self.rules:
                return self.rules[(kind, "first")]
        raise TallyError(f"profile {self.key!r} has no rule for {assembly_kind}/{convocation}")

    def customised(self, key: str, **changes: Any) -> RuleProfile:
        """A copy for an organisation's own statutes, with some fields changed."""
        return replace(self, key=key, **changes)

    def majority_options(
        self, assembly_kind: str, convocation: str, *, members: int, present: int
    ) -> dict[str, object]:
        """Everything ``tally("majority", …)`` needs to judge a resolution under this profile.

        ``members``: members with voting rights (the quorum's base); ``present``: those present
        or represented who count for the quorum.

        >>> options = preset("scop_sarl").majority_options("age", "first", members=40, present=29)
        >>> options["quorum"], options["base"], options["threshold"]
        (30, 'present', Fraction(3, 4))
        """
        rule = self.rule_for(assembly_kind, convocation)
        required = rule.quorum.required(members)
        return {
            **rule.majority.tally_options(),
            "members": members,
            "present": present,
            "quorum": required or None,
        }


def _rule(
    quorum: Fraction | None,
    threshold: Fraction,
    comparison: str,
    base: str,
    source: Source,
    *,
    quorum_base: QuorumBase = QuorumBase.MEMBERS,
) -> DecisionRule:
    return DecisionRule(
        quorum=QuorumRule(quorum, quorum_base),
        majority=MajorityRule(threshold, comparison, base),
        source=source,
    )


_HALF, _TWO_THIRDS, _THREE_QUARTERS = Fraction(1, 2), Fraction(2, 3), Fraction(3, 4)

_SCOP_SARL_STATUTES = Source(
    Confidence.MODEL_STATUTES,
    "Statuts de SCOP SARL (exemple publié : 24ème, art. 28 et 29)",
    "https://tricoteuses.fr/legifrance/sections/LEGISCTA000006133481",
)
_CG_SCOP_MODEL = Source(
    Confidence.TO_CHECK, "Statuts types CG Scop (SA/SAS), chiffres couramment cités"
)
_SA_COMMERCE = Source(
    Confidence.TO_CHECK, "Code de commerce L225-96 (AGE) et L225-98 (AGO), pour les SA"
)
_SCIC_LAW = Source(
    Confidence.LAW,
    "loi n° 47-1775, titre II ter (SCIC) : collèges de 10 à 50 % des voix",
    "https://www.les-scic.coop/sites/fr/les-scic/FAQ/Assemblee-generale",
)
_FREE = Source(Confidence.TO_CHECK, "Règles libres : à fixer dans vos statuts")
_BELGIAN = Source(
    Confidence.TO_CHECK, "Code des sociétés et des associations (2019), sociétés coopératives"
)

_SCOP_SARL_RULES = {
    ("ago", "first"): _rule(None, _HALF, "more_than", "members", _SCOP_SARL_STATUTES),
    ("ago", "second"): _rule(None, _HALF, "more_than", "present", _SCOP_SARL_STATUTES),
    ("age", "first"): _rule(
        _THREE_QUARTERS,
        _THREE_QUARTERS,
        "at_least",
        "present",
        _SCOP_SARL_STATUTES,
        quorum_base=QuorumBase.VOTING_RIGHTS,
    ),
    ("age", "second"): _rule(
        _HALF,
        _THREE_QUARTERS,
        "at_least",
        "present",
        _SCOP_SARL_STATUTES,
        quorum_base=QuorumBase.VOTING_RIGHTS,
    ),
}

_SA_LIKE_RULES = {
    ("ago", "first"): _rule(Fraction(1, 4), _HALF, "more_than", "cast", _CG_SCOP_MODEL),
    ("ago", "second"): _rule(None, _HALF, "more_than", "cast", _CG_SCOP_MODEL),
    ("age", "first"): _rule(_HALF, _TWO_THIRDS, "at_least", "cast", _CG_SCOP_MODEL),
    ("age", "second"): _rule(Fraction(1, 4), _TWO_THIRDS, "at_least", "cast", _CG_SCOP_MODEL),
}

_SCIC_SA_RULES = {
    ("ago", "first"): _rule(Fraction(1, 5), _HALF, "more_than", "cast", _SA_COMMERCE),
    ("ago", "second"): _rule(None, _HALF, "more_than", "cast", _SA_COMMERCE),
    ("age", "first"): _rule(Fraction(1, 4), _TWO_THIRDS, "at_least", "cast", _SA_COMMERCE),
    ("age", "second"): _rule(Fraction(1, 5), _TWO_THIRDS, "at_least", "cast", _SA_COMMERCE),
}

_SIMPLE_RULES = {("ago", "first"): _rule(None, _HALF, "more_than", "cast", _FREE)}

_BELGIAN_RULES = {
    ("ago", "first"): _rule(None, _HALF, "more_than", "cast", _BELGIAN),
    ("age", "first"): _rule(_HALF, _THREE_QUARTERS, "at_least", "cast", _BELGIAN),
    ("age", "second"): _rule(None, _THREE_QUARTERS, "at_least", "cast", _BELGIAN),
}

_NO_CAP = ProxyRule(kind="fixed", fixed=None, source=_FREE)

PRESETS: Mapping[str, RuleProfile] = {
    profile.key: profile
    for profile in (
        RuleProfile("scop_sarl", _SCOP_SARL_RULES, secret_ballot_for_elections=True),
        RuleProfile("scop_sa", _SA_LIKE_RULES, secret_ballot_for_elections=True),
        RuleProfile("cae", _SCOP_SARL_RULES, secret_ballot_for_elections=True),
        RuleProfile("scic_sa", _SCIC_SA_RULES, proxies=_NO_CAP, colleges="allowed"),
        RuleProfile("scic_sas", _SA_LIKE_RULES, proxies=_NO_CAP, colleges="allowed"),
        RuleProfile("scic_sarl", _SCOP_SARL_RULES, proxies=_NO_CAP, colleges="allowed"),
        RuleProfile("association", _SIMPLE_RULES, proxies=_NO_CAP),
        RuleProfile("belgian_sc", _BELGIAN_RULES, proxies=_NO_CAP),
        RuleProfile("custom", _SIMPLE_RULES, proxies=_NO_CAP),
    )
}
"""Presets by key. SCIC profiles carry the college law (:data:`SCIC_COLLEGES_SOURCE`)."""

SCIC_COLLEGES_SOURCE = _SCIC_LAW

# which preset suits each legal form stored on an organisation
PRESET_FOR_LEGAL_FORM = {
    "scop_sarl": "scop_sarl",
    "scop_sa": "scop_sa",
    "cae": "cae",
    "scic": "scic_sa",
    "association": "association",
    "belgian_sc": "belgian_sc",
    "other": "custom",
}


def preset(key: str) -> RuleProfile:
    """A preset by key, or ``TallyError`` naming the known ones.

    >>> preset("scop_sarl").rule_for("age", "second").quorum.share
    Fraction(1, 2)
    """
    try:
        return PRESETS[key]
    except KeyError:
        known = ", ".join(PRESETS)
        raise TallyError(f"unknown rule profile {key!r}; known: {known}") from None

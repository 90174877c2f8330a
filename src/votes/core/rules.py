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

Long: the presets are data (each legal form's rules with their sources, a third of the module)
kept beside the rules that read them, so that a recount reads one file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from fractions import Fraction
from typing import Any

from votes.core.majority import BASES, COMPARISONS
from votes.core.records import read_record
from votes.core.results import TallyError


class Confidence(StrEnum):
    LAW = "law"
    MODEL_STATUTES = "model_statutes"
    TO_CHECK = "to_check"
    STATUTES = "statutes"  # entered by the organisation from its own statutes


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


class AssemblyKind(StrEnum):
    """The kinds of assembly, as the application stores them: a profile's rules are keyed by
    them (the database's ``Assembly.kind`` holds these values)."""

    AGO = "ago"
    AGE = "age"
    AGO_EXTRAORDINARY = "ago_extraordinary"
    PLENARY = "plenary"
    OTHER = "other"


class Convocation(StrEnum):
    """Which convocation an assembly meets on (a second one may have a lower quorum)."""

    FIRST = "first"
    SECOND = "second"


# the same as plain strings, as the rules are keyed and the forms list them
ASSEMBLY_KINDS = tuple(kind.value for kind in AssemblyKind)
CONVOCATIONS = tuple(convocation.value for convocation in Convocation)


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
    """What one kind of assembly needs at one convocation: its quorum, the majority a
    resolution needs, and the source both come from."""

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

    @property
    def blank_counted(self) -> bool:
        """Whether a blank proxy (no holder named) counts, given to the management.

        >>> ProxyRule().blank_counted, ProxyRule(blank_proxies="not_counted").blank_counted
        (True, False)
        """
        return self.blank_proxies == "with_management"

    def cap(self, members: int) -> int | None:
        """The most proxies one member may hold, for an organisation of ``members``.

        >>> [ProxyRule().cap(n) for n in (19, 20, 39, 40)]
        [1, 1, 1, 2]
        """
        if self.kind == "scop":
            return 1 if members < self.small_below else members // self.per_members
        return self.fixed


POSTAL_ROOM_MOTIONS = ("against", "abstain")  # how a postal vote counts on a room motion
POSTAL_ON_ARRIVAL = ("stand", "replaced")  # a postal voter who comes: their votes stand, or not


@dataclass(frozen=True, slots=True)
class PostalRule:
    """Votes by correspondence (vote par correspondance, vote à distance avant l'AG).

    ``allowed``: the statutes allow them. The form closes ``days_before`` days before the
    assembly's day at ``hour``:``minute`` in the organisation's time zone. A postal voter did
    not hear an amendment or a resolution raised in the room: their form counts there as
    ``room_motions`` (``against`` or ``abstain``). A postal voter who comes to the assembly
    anyway: their advance votes ``stand`` (they do not vote again on those resolutions) or are
    ``replaced`` by what they do in the room.
    """

    allowed: bool = False
    days_before: int = 1
    hour: int = 15
    minute: int = 0
    room_motions: str = "against"
    on_arrival: str = "stand"
    source: Source = field(
        default_factory=lambda: Source(
            Confidence.TO_CHECK,
            "Code de commerce R225-77 (SA) : formulaires reçus au plus tard la veille "
            "à 15 h ; à vérifier dans vos statuts",
            "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038600958",
        )
    )

    @property
    def stands(self) -> bool:
        """Whether a postal voter's answers stand when they come to the assembly anyway (else
        what they do in the room replaces them).

        >>> PostalRule().stands, PostalRule(on_arrival="replaced").stands
        (True, False)
        """
        return self.on_arrival == "stand"


NOTICE_SOURCE = Source(
    Confidence.TO_CHECK,
    "Délai de convocation de 15 jours couramment cité (Code de commerce R223-20 pour les SARL,"
    " R225-69 pour les SA)\u00a0: vérifiez vos statuts",
)
MAX_NOTICE_DAYS = 365


@dataclass(frozen=True, slots=True)
class RuleProfile:
    """The rules one kind of organisation (or one organisation's statutes) applies."""

    key: str
    rules: Mapping[tuple[str, str], DecisionRule]  # (assembly kind, convocation) -> rule
    proxies: ProxyRule = field(default_factory=ProxyRule)
    secret_ballot_for_elections: bool = False
    remote_counts_as_present: bool = False  # the statutes allow taking part from afar
    colleges: str = "none"  # "none", "allowed" (SCIC), "required"
    # a member category's cap on the total voting weight, e.g. non-cooperators ≤ 49 %
    category_caps: Mapping[str, Fraction] = field(default_factory=dict)
    quorum_by_college: bool = False  # the quorum is a share of the colleges' weights
    # publishing or reopening a general assembly's ballot needs a scrutineer's confirmation,
    # another person than the facilitator who acts (dual control)
    dual_control: bool = True
    postal: PostalRule = field(default_factory=PostalRule)
    adjusted: bool = False  # changed from its preset to follow the organisation's statutes
    # the convocation's notice: members are convened at least this many days before the
    # assembly (a warning when sent later, recorded in the proof of convocation)
    notice_days: int = 15
    notice_source: Source = field(default_factory=lambda: NOTICE_SOURCE)

    def quorum_counts(self, assembly_kind: str, convocation: str) -> frozenset[Attendance]:
        """The ways of taking part this assembly's quorum counts (remote ones only when the
        statutes allow taking part from afar).

        >>> sorted(kind.value for kind in preset("scop_sarl").quorum_counts("ago", "first"))
        ['postal', 'present', 'represented']
        """
        counts = self.rule_for(assembly_kind, convocation).quorum.counts
        if self.remote_counts_as_present:
            return counts | {Attendance.REMOTE}
        return counts - {Attendance.REMOTE}

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
    "Statuts de SCOP SARL (exemple publié\u00a0: 24ème, art. 28 et 29)",
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
    "loi n° 47-1775, titre II ter (SCIC)\u00a0: collèges de 10 à 50\u00a0% des voix",
    "https://www.les-scic.coop/sites/fr/les-scic/FAQ/Assemblee-generale",
)
_FREE = Source(Confidence.TO_CHECK, "Règles libres\u00a0: à fixer dans vos statuts")
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


COLLEGE_USES = ("none", "allowed", "required")
BLANK_PROXY_USES = ("with_management", "not_counted")
PROXY_KINDS = ("scop", "fixed")


def profile_to_data(profile: RuleProfile) -> dict[str, Any]:
    """A profile as JSON-ready data (fractions as ``"p/q"`` strings), to store and compare.

    >>> profile_from_data(profile_to_data(preset("scic_sa"))) == preset("scic_sa")
    True
    """
    return {
        "key": profile.key,
        "rules": [
            {"kind": kind, "convocation": convocation, **_rule_data(rule)}
            for (kind, convocation), rule in sorted(profile.rules.items())
        ],
        "proxies": {
            "kind": profile.proxies.kind,
            "small_below": profile.proxies.small_below,
            "per_members": profile.proxies.per_members,
            "fixed": profile.proxies.fixed,
            "blank_proxies": profile.proxies.blank_proxies,
            "source": _source_data(profile.proxies.source),
        },
        "secret_ballot_for_elections": profile.secret_ballot_for_elections,
        "remote_counts_as_present": profile.remote_counts_as_present,
        "colleges": profile.colleges,
        "category_caps": {name: str(cap) for name, cap in sorted(profile.category_caps.items())},
        "quorum_by_college": profile.quorum_by_college,
        "dual_control": profile.dual_control,
        "postal": {
            "allowed": profile.postal.allowed,
            "days_before": profile.postal.days_before,
            "hour": profile.postal.hour,
            "minute": profile.postal.minute,
            "room_motions": profile.postal.room_motions,
            "on_arrival": profile.postal.on_arrival,
            "source": _source_data(profile.postal.source),
        },
        "adjusted": profile.adjusted,
        "notice": {"days": profile.notice_days, "source": _source_data(profile.notice_source)},
    }


def _rule_data(rule: DecisionRule) -> dict[str, Any]:
    quorum, majority = rule.quorum, rule.majority
    return {
        "quorum": None if quorum.share is None else str(quorum.share),
        "quorum_base": quorum.base.value,
        "quorum_counts": sorted(kind.value for kind in quorum.counts),
        "threshold": str(majority.threshold),
        "comparison": majority.comparison,
        "base": majority.base,
        "invalid_in_base": majority.invalid_in_base,
        "source": _source_data(rule.source),
    }


def _source_data(source: Source) -> dict[str, str]:
    return {"confidence": source.confidence.value, "reference": source.reference, "url": source.url}


def profile_from_data(data: Mapping[str, Any]) -> RuleProfile:
    """The profile :func:`profile_to_data` wrote; ``TallyError`` names what does not fit."""
    try:
        rules = {(str(r["kind"]), str(r["convocation"])): _rule_from(r) for r in data["rules"]}
        proxies = data["proxies"]
        profile = RuleProfile(
            key=str(data["key"]),
            rules=rules,
            proxies=ProxyRule(
                kind=str(proxies["kind"]),
                small_below=int(proxies["small_below"]),
                per_members=int(proxies["per_members"]),
                fixed=None if proxies["fixed"] is None else int(proxies["fixed"]),
                blank_proxies=str(proxies["blank_proxies"]),
                source=_source_from(proxies["source"]),
            ),
            secret_ballot_for_elections=bool(data["secret_ballot_for_elections"]),
            remote_counts_as_present=bool(data["remote_counts_as_present"]),
            colleges=str(data["colleges"]),
            category_caps={str(k): Fraction(v) for k, v in data["category_caps"].items()},
            quorum_by_college=bool(data["quorum_by_college"]),
            dual_control=bool(data.get("dual_control", True)),  # on unless a profile says no
            postal=_postal_from(data.get("postal")),  # off in profiles stored before it
            adjusted=bool(data["adjusted"]),
            **_notice_from(data.get("notice")),
        )
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as error:
        raise TallyError(f"not a rule profile: {error!r}") from error
    check_profile(profile)
    return profile


def _rule_from(data: Mapping[str, Any]) -> DecisionRule:
    share = data["quorum"]
    return DecisionRule(
        quorum=QuorumRule(
            None if share is None else Fraction(share),
            QuorumBase(data["quorum_base"]),
            frozenset(Attendance(kind) for kind in data["quorum_counts"]),
        ),
        majority=MajorityRule(
            Fraction(data["threshold"]),
            str(data["comparison"]),
            str(data["base"]),
            bool(data["invalid_in_base"]),
        ),
        source=_source_from(data["source"]),
    )


def _postal_from(data: Mapping[str, Any] | None) -> PostalRule:
    if data is None:
        return PostalRule()
    return read_record(PostalRule, data, source=_source_from(data["source"]))


def _notice_from(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The notice period stored with a profile; a profile stored before it had one gets the
    default (15 days, to check)."""
    if data is None:
        return {}
    return {"notice_days": int(data["days"]), "notice_source": _source_from(data["source"])}


def _source_from(data: Mapping[str, Any]) -> Source:
    return Source(Confidence(data["confidence"]), str(data["reference"]), str(data["url"]))


def check_profile(profile: RuleProfile) -> None:
    """Refuse a profile that no count could apply, naming the first fault.

    >>> check_profile(preset("custom").customised("x", colleges="sometimes"))
    Traceback (most recent call last):
    ...
    votes.core.results.TallyError: colleges must be one of ('none', 'allowed', 'required')
    """
    for (kind, convocation), rule in profile.rules.items():
        if kind not in ASSEMBLY_KINDS or convocation not in CONVOCATIONS:
            raise TallyError(f"unknown assembly kind or convocation {kind}/{convocation}")
        share, majority = rule.quorum.share, rule.majority
        if share is not None and not 0 < share <= 1:
            raise TallyError(f"a quorum is a share between 0 and 100 %, got {share}")
        if not 0 < majority.threshold < 1:
            raise TallyError(f"a majority threshold is strictly between 0 and 1: {majority}")
        if majority.comparison not in COMPARISONS:
            raise TallyError(f"unknown comparison {majority.comparison!r}")
        if majority.base not in BASES:
            raise TallyError(f"unknown majority base {majority.base!r}")
    if ("ago", "first") not in profile.rules:
        raise TallyError("a profile needs at least the rule of an ordinary first convocation")
    proxies = profile.proxies
    if proxies.kind not in PROXY_KINDS or proxies.blank_proxies not in BLANK_PROXY_USES:
        raise TallyError(f"unknown proxy rule {proxies.kind!r} / {proxies.blank_proxies!r}")
    if proxies.small_below < 1 or proxies.per_members < 1 or (proxies.fixed or 0) < 0:
        raise TallyError("proxy caps are whole numbers, at least 1 member per proxy")
    if profile.colleges not in COLLEGE_USES:
        raise TallyError(f"colleges must be one of {COLLEGE_USES}")
    if any(not 0 < cap < 1 for cap in profile.category_caps.values()):
        raise TallyError("a category cap is strictly between 0 and 100 %")
    postal = profile.postal
    if postal.room_motions not in POSTAL_ROOM_MOTIONS or postal.on_arrival not in POSTAL_ON_ARRIVAL:
        raise TallyError(f"unknown postal rule {postal.room_motions!r} / {postal.on_arrival!r}")
    if not (0 <= postal.days_before <= 60 and 0 <= postal.hour < 24 and 0 <= postal.minute < 60):
        raise TallyError("a postal deadline is 0 to 60 days before, at a time of day")
    if not 0 <= profile.notice_days <= MAX_NOTICE_DAYS:
        raise TallyError(f"a notice period is 0 to {MAX_NOTICE_DAYS} days")


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

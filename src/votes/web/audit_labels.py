"""Words for the audit trail: each action, subject and detail in the reader's language, never
the stored keys (``access_code.used``, ``membership:12``, ``assembly``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from fractions import Fraction
from typing import Any

from babel.dates import format_date

from votes import i18n
from votes.core.explain import format_percent
from votes.i18n import gettext
from votes.web.labels import N_, label
from votes.web.templating import punctuation

ACTIONS: dict[str, str] = {
    "access_code.revoked": N_("Access code revoked"),
    "access_code.used": N_("Access code used to sign in"),
    "access_codes.issued": N_("Access codes issued"),
    "access_codes.mailed": N_("Access codes mailed"),
    "agenda.current_item_set": N_("Current agenda item set"),
    "agenda.item_added": N_("Agenda item added"),
    "agenda.item_removed": N_("Agenda item removed"),
    "agenda.item_updated": N_("Agenda item changed"),
    "agenda.reordered": N_("Agenda reordered"),
    "amendment.accepted": N_("Amendment taken into the text"),
    "amendment.adopted": N_("Amendment adopted by vote"),
    "amendment.proposed": N_("Amendment proposed"),
    "amendment.put_to_vote": N_("Amendment put to the vote"),
    "amendment.rejected": N_("Amendment rejected"),
    "amendment.withdrawn": N_("Amendment withdrawn"),
    "assembly.created": N_("Assembly created"),
    "assembly.status_changed": N_("Assembly status changed"),
    "assembly.updated": N_("Assembly changed"),
    "attendance.checked_in": N_("Member checked in"),
    "attendance.checked_out": N_("Member checked out"),
    "ballot.cancelled": N_("Ballot cancelled"),
    "ballot.closed": N_("Ballot closed"),
    "ballot.cosigned": N_("Result co-signed"),
    "ballot.counted": N_("Ballot counted"),
    "ballot.created": N_("Ballot created"),
    "ballot.edited": N_("Ballot changed"),
    "ballot.opened": N_("Ballot opened"),
    "ballot.phase": N_("Consent round moved to its next phase"),
    "ballot.published": N_("Result published"),
    "ballot.reopened": N_("Ballot reopened"),
    "ballot.room_count": N_("Room count recorded"),
    "ballot.round_rerun": N_("New round of the ballot"),
    "consultation.answer_received": N_("Answer received from a member cooperative"),
    "consultation.answered": N_("Answer returned to the network"),
    "consultation.assembly_chosen": N_("Assembly chosen for a network consultation"),
    "consultation.received": N_("Consultation received from a network"),
    "consultation.sent": N_("Proposal sent to the member cooperatives"),
    "consultation.withdrawn": N_("Network consultation withdrawn"),
    "contribution.edited": N_("Contribution edited"),
    "contribution.hidden": N_("Contribution hidden"),
    "convocation.letters_marked": N_("Members recorded as convened by letter"),
    "convocation.prepared": N_("Convocation prepared"),
    "convocation.sent": N_("Convocation sent"),
    "floor.subject_chosen": N_("Subject under discussion chosen"),
    "gathering.checked_in": N_("Participant checked in at the gathering"),
    "gathering.created": N_("Gathering announced"),
    "gathering.registered": N_("Participant registered for the gathering"),
    "gathering.session_added": N_("Session added to the gathering's programme"),
    "mail.retried": N_("Mail sent again"),
    "member.added": N_("Member added"),
    "member.roles_changed": N_("Member's roles changed"),
    "member.status_changed": N_("Member status changed"),
    "member.updated": N_("Member changed"),
    "members.import_interrupted": N_("Member import interrupted"),
    "members.imported": N_("Members imported"),
    "members.password_link": N_("Password link sent"),
    "minutes.edited": N_("Minutes edited"),
    "minutes.finalised": N_("Minutes finalised"),
    "network.declined": N_("Network invitation declined"),
    "network.ended": N_("Cooperative's membership of the network ended"),
    "network.invited": N_("Cooperative invited to the network"),
    "network.joined": N_("Network joined"),
    "network.registered": N_("Member registered with the network"),
    "network.registered_all": N_("All active members registered with the network"),
    "network.representation_set": N_("Representation in the network chosen"),
    "network.sharing_set": N_("Network's sharing rule set"),
    "network.unregistered": N_("Member unregistered from the network"),
    "postal.paper_confirmed": N_("Paper postal form confirmed"),
    "postal.paper_entered": N_("Paper postal form entered"),
    "postal.voted": N_("Vote by correspondence"),
    "proposal.created": N_("Proposal created"),
    "proposal.edited": N_("Proposal edited"),
    "proposal.put_to_vote": N_("Proposal put to the vote"),
    "proposal.status_changed": N_("Proposal status changed"),
    "proxy.given": N_("Proxy given"),
    "proxy.revoked": N_("Proxy revoked"),
    "rules.changed": N_("Rules changed"),
    "sign_ins.unblocked": N_("Sign-ins unblocked"),
    "thread.closed": N_("Discussion closed"),
    "thread.reopened": N_("Discussion reopened"),
    "vote.by_proxy": N_("Vote cast by proxy"),
}

SUBJECTS: dict[str, str] = {
    "assembly": N_("Assembly no. %(id)s"),
    "ballot": N_("Ballot no. %(id)s"),
    "consultation": N_("Consultation no. %(id)s"),
    "contribution": N_("Contribution no. %(id)s"),
    "cooperative": N_("Cooperative no. %(id)s"),
    "gathering": N_("Gathering no. %(id)s"),
    "mail": N_("Mail no. %(id)s"),
    "membership": N_("Member no. %(id)s"),
    "network": N_("Network no. %(id)s"),
    "organisation": N_("The cooperative"),
    "person": N_("Person no. %(id)s"),
    "proposal": N_("Proposal no. %(id)s"),
    "proxy": N_("Proxy no. %(id)s"),
}

# a subject whose title is known: its number kept, since two may share a title
TITLED: dict[str, str] = {
    "assembly": N_("Assembly no. %(id)s: %(name)s"),
    "ballot": N_("Ballot no. %(id)s: %(name)s"),
    "proposal": N_("Proposal no. %(id)s: %(name)s"),
}
TITLE_MAX = 80  # a question longer than a phone's two lines is cut, the number says the rest

# the kinds of subject a steward filters the trail by, in words: « Un scrutin », never ``ballot``
# in the order a steward looks for them: what is voted and debated first, the rest after
KINDS: dict[str, str] = {
    "ballot": N_("A ballot"),
    "proposal": N_("A proposal"),
    "assembly": N_("An assembly"),
    "membership": N_("A member"),
    "proxy": N_("A proxy"),
    "contribution": N_("A contribution"),
    "mail": N_("A mail"),
    "organisation": N_("The cooperative"),
    "person": N_("A person"),
    "gathering": N_("A gathering"),
    "consultation": N_("A consultation"),
    "network": N_("A network"),
    "cooperative": N_("A cooperative"),
}

DETAILS: dict[str, str] = {
    "title": N_("title"),
    "item": N_("agenda item"),
    "to": N_("to"),
    "from": N_("from"),
    "status": N_("status"),
    "reason": N_("reason"),
    "method": N_("method"),
    "assembly": N_("assembly"),
    "question": N_("question"),
    "order": N_("order"),
    "kind": N_("kind"),
    "changed": N_("changed"),
    "ballot": N_("ballot"),
    "amendment": N_("amendment"),
    "proposal": N_("proposal"),
    "added": N_("added"),
    "version": N_("version"),
    "round": N_("round"),
    "roles": N_("roles"),
    "represented": N_("represented member"),
    "holder": N_("proxy holder"),
    "giver": N_("proxy giver"),
    "name": N_("name"),
    "number": N_("number"),
    "note": N_("note"),
    "codes": N_("codes"),
    "days": N_("days"),
    "ballots": N_("ballots"),
    "channel": N_("channel"),
    "member": N_("member"),
    "pending": N_("awaiting confirmation"),
    "answers": N_("answers"),
    "postal": N_("by correspondence"),
    "language": N_("language"),
    "mails": N_("mails"),
    "letters": N_("letters"),
    "without_address": N_("without an e-mail address"),
    "notice_days": N_("notice period (days)"),
    "missing_days": N_("days of notice missing"),
    "characters": N_("characters"),
    "network": N_("network"),
    "cooperative": N_("cooperative"),
    "cooperatives": N_("cooperatives"),
    "verdict": N_("verdict"),
    "for": N_("for"),
    "against": N_("against"),
    "abstentions": N_("abstentions"),
    "voters": N_("voters"),
    "place": N_("place in the network"),
    "representation": N_("representation"),
    "sharing": N_("sharing rule"),
    "shares": N_("shares"),
    "registration": N_("registration"),
    "elsewhere": N_("already registered by another cooperative"),
    "gathering": N_("gathering"),
    "day": N_("day"),
    "first_day": N_("first day"),
    "last_day": N_("last day"),
    "room": N_("room"),
    "action": N_("act confirmed"),
    "adjusted": N_("adjusted"),
    "by_vote": N_("by the vote (ballot no.)"),
    "cast": N_("votes cast"),
    "counts": N_("counts"),
    "digest": N_("fingerprint (SHA-256)"),
    "directed": N_("with voting instructions"),
    "failures": N_("failed attempts"),
    "mailed": N_("mailed"),
    "moved": N_("item moved"),
    "paper": N_("on paper"),
    "preset": N_("preset"),
    "previous_title": N_("previous title"),
    "papers": N_("papers"),
    "box_digest": N_("ballot box fingerprint"),
    "options_digest": N_("options fingerprint"),
    "register_digest": N_("voters' register fingerprint"),
    "participations": N_("voters"),
    "afresh": N_("started afresh"),
    "cancel_reason": N_("reason for cancelling"),
    "cosigned_by": N_("co-signed by"),
    "author": N_("author"),
    "previous_body": N_("previous text"),
    "previous_stance": N_("previous position"),
    "convocation": N_("convened to assembly no."),
    "before": N_("before"),
    "after": N_("after"),
}


# details that name someone, by the kind of id they hold: shown as the member's name in this
# organisation (« cosigné par : Chloé Martin »), or as « Personne n° 9 » for someone who is not
# a member here (the trail never shows another cooperative's register)
PEOPLE: dict[str, str] = {
    "cosigned_by": "person",
    "author": "person",
    "holder": "membership",
    "giver": "membership",
    "represented": "membership",
    "member": "membership",
}
NOBODY = {"holder": N_("nobody (a blank proxy)")}  # a detail that names no one, and why
Names = Mapping[str, Mapping[int, str]]  # by kind ("membership", "ballot"…), names or titles by id

# which words a detail's stored value takes, by the action's area and the detail's key:
# « statut : présent·e », never « statut : present »
VALUE_GROUPS: dict[str, dict[str, str]] = {
    "assembly": {"status": "assembly_status", "from": "assembly_status", "to": "assembly_status"},
    "attendance": {"status": "attendance", "method": "check_in_method"},
    "member": {"from": "membership_status", "to": "membership_status"},
    "proposal": {"status": "proposal_status", "from": "proposal_status", "to": "proposal_status"},
    "amendment": {
        "kind": "amendment_kind",
        "from": "amendment_status",
        "to": "amendment_status",
    },
    "ballot": {"method": "method", "status": "ballot_status", "action": "cosigned_act"},
    "consultation": {"verdict": "consultation_verdict"},
    "network": {"representation": "network_representation", "sharing": "network_sharing"},
    "contribution": {"previous_stance": "stance"},
}
ROLE_LISTS = frozenset(("roles", "before", "after"))  # a change of roles: before and after
ROLES: dict[str, str] = {
    "member": N_("member"),
    "observer": N_("observer"),
    "admin": N_("administrator"),
    "facilitator": N_("facilitator"),
    "scrutineer": N_("scrutineer"),
}


# details that hold a day, stored as ISO « 2026-06-09 »: shown in words, « mardi 9 juin 2026 »
DAYS = frozenset(("day", "first_day", "last_day"))


def _day(value: object) -> str:
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return format_date(day, format="full", locale=i18n.babel_locale())


def _amount(key: str, value: object) -> str:
    """A number in a detail's map: a network's share (basis points) as a percentage."""
    if key == "shares" and isinstance(value, int):
        return format_percent(Fraction(value, 10_000), i18n.current_language.get())
    return str(value)


def _words(code: str) -> str:
    """A stored key as plain words: ``sign_ins.unblocked`` → "sign ins unblocked"."""
    return code.replace(".", " ").replace("_", " ").replace(":", " ").strip()


def action_label(code: str) -> str:
    """The action in words; one not in the table is still readable, never a bare key."""
    if code in ACTIONS:
        return gettext(ACTIONS[code])
    return gettext("Other action (%(name)s)") % {"name": _words(code)}


def subject_label(subject: str, names: Names) -> str:
    """« Membre : Chloé Martin », « Scrutin n° 12 : Adoptez-vous… ? », « Scrutin n° 12 »; an
    unknown kind in plain words."""
    kind, _sep, ident = subject.partition(":")
    name = names.get(kind, {}).get(int(ident)) if ident.isdigit() else None
    if name is not None and kind in TITLED:
        title = name if len(name) <= TITLE_MAX else name[: TITLE_MAX - 1].rstrip() + "…"
        return gettext(TITLED[kind]) % {"id": ident, "name": title}
    if name is not None:
        return gettext("Member: %(name)s") % {"name": name}
    if kind in SUBJECTS:
        return gettext(SUBJECTS[kind]) % {"id": ident}
    return _words(subject)


def _someone(key: str, value: object, names: Names) -> str:
    """A detail naming someone: their name here, else « Personne n° 9 »; nobody (a blank
    proxy's holder) in words."""
    if value is None:
        return gettext(NOBODY.get(key, N_("nobody")))
    kind = PEOPLE[key]
    name = names.get(kind, {}).get(value) if isinstance(value, int) else None
    return name if name is not None else gettext(SUBJECTS[kind]) % {"id": value}


def detail_items(
    details: Mapping[str, Any],
    action: str = "",
    options: Mapping[str, str] | None = None,
    names: Names | None = None,
) -> list[tuple[str, str]]:
    """The details as (label, value) pairs, in the stored order; a value with words (a status,
    a method, a role) in the reader's language, a ballot's option by its label (``options``,
    by key), someone by their name (``names``, as :func:`named_ids` asked for them)."""
    options = options or {}
    groups = VALUE_GROUPS.get(action.partition(".")[0], {})
    items = []
    for key, value in details.items():
        name = gettext(DETAILS[key]) if key in DETAILS else _words(key)
        if key in ROLE_LISTS and isinstance(value, list | tuple):
            shown = ", ".join(gettext(ROLES[v]) if v in ROLES else str(v) for v in value)
        elif isinstance(value, list | tuple):
            shown = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            colon = punctuation(":")  # « Pour : 7 », the reader's way
            shown = ", ".join(
                f"{options.get(str(k)) or _words(str(k))}{colon} {_amount(key, v)}"
                for k, v in value.items()
            )
        elif isinstance(value, bool):  # « avec consignes de vote : oui », never « True »
            shown = gettext("yes") if value else gettext("no")
        elif key in PEOPLE:
            shown = _someone(key, value, names or {})
        elif key in DAYS:
            shown = _day(value)
        elif key in groups:
            shown = label(groups[key], str(value))
        else:
            shown = str(value)
        items.append((name, shown))
    return items


def subject_ids(subjects: list[str], named: str) -> set[int]:
    """The ids of the ``named`` kind in ``<kind>:<id>`` subjects (``membership``, ``ballot``)."""
    found = set()
    for subject in subjects:
        kind, _sep, ident = subject.partition(":")
        if kind == named and ident.isdigit():
            found.add(int(ident))
    return found


def named_ids(lines: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, set[int]]:
    """The membership and person ids that (subject, details) lines name someone by."""
    found: dict[str, set[int]] = {"membership": set(), "person": set()}
    for subject, details in lines:
        kind, _sep, ident = subject.partition(":")
        if kind in found and ident.isdigit():
            found[kind].add(int(ident))
        for key, value in details.items():
            if key in PEOPLE and isinstance(value, int):
                found[PEOPLE[key]].add(value)
    return found


SUBJECT_MAX = 60  # the stored subject's length: one named by words (a category) is kept whole


def chosen_subject(about: str, number: str, subject: str) -> tuple[str, str]:
    """The kind and number the subject filter shows: as chosen in words (``about``, ``number``)
    or, from a link to the filtered view, read from its stored ``subject`` (``ballot:12``)."""
    if about or number:
        return about[:20], number.strip()[:SUBJECT_MAX]
    kind, _sep, ident = subject[:SUBJECT_MAX].partition(":")
    return kind, ident


def filter_kinds(chosen: str) -> list[tuple[str, str]]:
    """The kinds the subject filter offers, in words; a kind only a link leads to (a
    category, a college) too while it is chosen, so that the form sends it back."""
    kinds = [(kind, gettext(words)) for kind, words in KINDS.items()]
    if chosen and chosen not in KINDS:
        kinds.append((chosen, _words(chosen)))
    return kinds


def ballot_of(subject: str) -> int | None:
    """The ballot a ``ballot:<id>`` subject names; None for another subject."""
    kind, _sep, ident = subject.partition(":")
    return int(ident) if kind == "ballot" and ident.isdigit() else None

"""Words for stored codes (statuses, kinds, methods), translated when shown.

``N_`` only marks a string for extraction; :func:`label` translates it at render time, in the
request's language.
"""

from __future__ import annotations

from votes.i18n import gettext, pgettext

CONTEXT_SEPARATOR = "\x04"  # gettext's own separator of a context and its message


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    return message


def Np_(context: str, message: str) -> str:  # noqa: N802 - as N_, for pgettext
    """Mark a word whose translation depends on ``context`` (French agrees "Rejected" with
    the noun it qualifies); :func:`label` translates it with ``pgettext``."""
    return f"{context}{CONTEXT_SEPARATOR}{message}"


LABELS: dict[str, dict[str, str]] = {
    "assembly_kind": {
        "ago": N_("Ordinary general assembly (AGO)"),
        "age": N_("Extraordinary general assembly (AGE)"),
        "ago_extraordinary": N_("Ordinary general assembly convened extraordinarily"),
        "plenary": N_("Plenary session"),
        "other": N_("Other meeting"),
    },
    "convocation": {"first": N_("first call"), "second": N_("second call")},
    "assembly_status": {
        "draft": N_("Draft"),
        "convened": N_("Convened"),
        "in_session": N_("In session"),
        "closed": N_("Closed"),
    },
    # what a member cooperative decided on a network's consultation (#20)
    "consultation_verdict": {
        "adopted": N_("adopted"),
        "rejected": N_("rejected"),
        "no_decision": N_("no decision"),
    },
    # how a member cooperative is represented in a network, and how the network shares (#20)
    "network_representation": {"all": N_("All its members"), "delegation": N_("A delegation")},
    "network_sharing": {
        "equal": N_("Equal shares: each member cooperative weighs the same"),
        "members": N_("In proportion to the people each cooperative registered"),
        "fixed": N_("Fixed shares, written in the network's rules"),
    },
    # what a second person confirmed under dual control
    "cosigned_act": {"publish": N_("publishing the result"), "reopen": N_("reopening the ballot")},
    "proposal_status": {
        "draft": N_("Draft"),
        "submitted": N_("Submitted"),
        "under_debate": N_("Under debate"),
        "voting": N_("Put to the vote"),
        "adopted": N_("Adopted"),
        "rejected": N_("Rejected"),
        "withdrawn": N_("Withdrawn"),
    },
    "stance": {
        "for": N_("For"),
        "against": N_("Against"),
        "question": N_("Question"),
        "remark": N_("Remark"),
    },
    "ballot_status": {
        "draft": N_("In preparation"),
        "open": N_("Open"),
        "closed": N_("Closed"),
        "published": N_("Result published"),
        "cancelled": N_("Cancelled"),
    },
    "method": {
        "majority": N_("Majority vote (for / against / abstain)"),
        "consent": N_("Consent"),
        "consensus": N_("Consensus"),
        "plurality": N_("Single choice (plurality)"),
        "approval": N_("Approval vote"),
        "score": N_("Score vote"),
        "borda": N_("Borda count"),
        "irv": N_("Instant-runoff vote"),
        "stv": N_("Single transferable vote (Scottish rules)"),
        "meek_stv": N_("Single transferable vote (Meek)"),
        "schulze": N_("Condorcet – Schulze method"),
        "ranked_pairs": N_("Condorcet – ranked pairs"),
    },
    "legal_form": {
        "scop_sarl": N_("SCOP (SARL)"),
        "scop_sa": N_("SCOP (SA / SAS)"),
        "scic": N_("SCIC"),
        "cae": N_("Business and employment cooperative (CAE)"),
        "association": N_("Association (loi 1901)"),
        "belgian_sc": N_("Belgian cooperative (SC)"),
        "other": N_("Other"),
    },
    "verdict": {
        "adopted": N_("Adopted"),
        "rejected": N_("Rejected"),
        "no_quorum": N_("Not valid: quorum not reached"),
        "blocked": N_("Not adopted: an objection remains"),
    },
    "demo_role": {
        "admin": N_("administrator and facilitator"),
        "scrutineer": N_("member and scrutineer"),
        "member": N_("member"),
        "observer": N_("observer, without a vote"),
    },
    "tie_resolution": {
        "history_backward": N_("the most recent earlier round where they differed"),
        "history_forward": N_("the earliest round where they differed"),
        "lot": N_("drawing lots"),
        "casting_vote": N_("the chair's casting vote"),
        "unresolved": N_("nothing: the tie is reported as it is"),
        "no_effect": N_("nothing, and nothing was needed: every way gives the same result"),
    },
    "amendment_kind": {
        "replace": N_("Replace a passage"),
        "insert": N_("Insert after a passage"),
        "delete": N_("Delete a passage"),
        "full": N_("Replace the whole text"),
    },
    # "un amendement": French agrees these with a masculine noun, proposals' with a feminine one
    "amendment_status": {
        "submitted": Np_("amendment", "Submitted"),
        "accepted": Np_("amendment", "Accepted by the author"),
        "rejected": Np_("amendment", "Rejected"),
        "voting": Np_("amendment", "Put to the vote"),
        "adopted": Np_("amendment", "Adopted by vote"),
        "withdrawn": Np_("amendment", "Withdrawn"),
    },
    "submission_rule": {
        "members": N_("Every member may submit proposals"),
        "facilitators": N_("Only facilitators put proposals on the agenda"),
    },
    "rule_profile": {
        "default": N_("Default rules (simple majority of votes cast)"),
        "scop_sarl": N_("SCOP SARL"),
        "scop_sa": N_("SCOP SA or SAS"),
        "cae": N_("CAE (business and employment cooperative)"),
        "scic_sa": N_("SCIC SA"),
        "scic_sas": N_("SCIC SAS"),
        "scic_sarl": N_("SCIC SARL"),
        "association": N_("Association (loi 1901)"),
        "belgian_sc": N_("Belgian cooperative (SC)"),
        "custom": N_("Custom rules"),
    },
    "reaction": {"agree": N_("Agree"), "thanks": N_("Thanks"), "important": N_("Important")},
    "assembly_action": {
        "assembly.created": N_("created the assembly"),
        "assembly.updated": N_("changed the assembly's details"),
        "assembly.status_changed": N_("changed the assembly's status"),
        "agenda.item_added": N_("added an agenda item"),
        "agenda.item_updated": N_("changed an agenda item"),
        "agenda.item_removed": N_("removed an agenda item"),
        "agenda.reordered": N_("reordered the agenda"),
        "agenda.current_item_set": N_("moved the session to another item"),
        "proposal.created": N_("created a proposal"),
        "proposal.edited": N_("edited a proposal"),
        "proposal.status_changed": N_("changed a proposal's status"),
        "proposal.put_to_vote": N_("put a proposal to the vote"),
        "amendment.proposed": N_("proposed an amendment"),
        "amendment.accepted": N_("accepted an amendment"),
        "amendment.rejected": N_("rejected an amendment"),
        "amendment.withdrawn": N_("withdrew an amendment"),
        "amendment.adopted": N_("recorded an amendment as adopted"),
        "amendment.put_to_vote": N_("put an amendment to the vote"),
    },
    "membership_kind": {"member": N_("Member"), "observer": N_("Observer")},
    "incident": {
        "reopened": N_("Ballot reopened"),
        "cancelled": N_("Ballot cancelled"),
        "countdown_close": N_("Ballot closed by its countdown"),
        "counted_late": N_("Ballot counted after an interruption between its close and its count"),
        "opened_early": N_("Motion opened before its amendments were voted"),
        "round_rerun": N_("Consent round run again"),
        "override": N_("Outcome recorded apart from the published vote"),
    },
    "chain_break": {
        "edited": N_("It was changed after it was recorded."),
        "missing": N_("It was deleted."),
        "out_of_order": N_("Entries were moved out of their order."),
        "key_missing": N_(
            "The key that signs the trail is missing from the data folder: "
            "the trail cannot be checked."
        ),
    },
    "attendance": {
        "present": N_("Present"),
        "remote": N_("Remote"),
        "represented": N_("Represented"),
        "postal": N_("Voted by correspondence"),
        "absent": N_("Absent"),
        "left": N_("Left"),
    },
    # general-assembly rules
    "confidence": {
        "law": N_("from the law"),
        "model_statutes": N_("from model statutes"),
        "to_check": N_("check your statutes"),
        "statutes": N_("from your statutes"),
    },
    "majority_base": {
        "cast": N_("of the votes cast (abstentions not counted)"),
        "cast_and_abstentions": N_("of the votes cast and abstentions"),
        "present": N_("of the members present and represented"),
        "members": N_("of all members with voting rights"),
    },
    "comparison": {"more_than": N_("more than"), "at_least": N_("at least")},
    "college_use": {
        "none": N_("No voting colleges"),
        "allowed": N_("Colleges weight the votes when they are defined"),
        "required": N_("Colleges are required: every member belongs to one"),
    },
    "blank_proxies": {
        "with_management": N_(
            "Blank proxies vote for the resolutions the management presents or supports, "
            "against the others"
        ),
        "not_counted": N_("Blank proxies are not counted"),
    },
    "proxy_kind": {
        "scop": N_("SCOP law: 1 below 20 members, then 1 per 20 members"),
        "fixed": N_("A fixed number per holder (empty: no limit)"),
    },
    "check_in_method": {
        "code": N_("access code"),
        "steward": N_("steward"),
        "self": N_("joined remotely"),
    },
    "proxy_revocation": {
        "checked_in": N_("the member checked in"),
        "giver": N_("taken back by the member"),
        "admin": N_("withdrawn by an administrator"),
    },
    "membership_status": {
        "active": N_("Active"),
        "suspended": N_("Suspended"),
        "left": N_("Left"),
    },
}


def label(group: str, code: str) -> str:
    """The translated word for ``code`` in ``group``; an unknown code is shown as it is."""
    message = LABELS.get(group, {}).get(code)
    if message is None:
        return code
    context, _, text = message.partition(CONTEXT_SEPARATOR)
    return pgettext(context, text) if text else gettext(message)

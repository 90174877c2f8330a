"""What a member is told when an assembly, proposal or thread action is refused.

Services raise :class:`votes.services.assemblies.ActionError` with a code; this module gives the
code its translated sentence and its HTTP status: 422 for what was typed, 409 for a state that
forbids the action now (closed, past the deadline, already settled), 403 for a role that never
allows it, 404 for what does not exist in this organisation.
"""

from __future__ import annotations

from votes.i18n import gettext as _
from votes.web.labels import N_

_MESSAGES: dict[str, tuple[int, str]] = {
    # what was typed (422)
    "title_required": (422, N_("Give a title.")),
    "title_too_long": (422, N_("The title is too long.")),
    "body_required": (422, N_("Write a text.")),
    "text_too_long": (422, N_("This text is too long.")),
    "place_too_long": (422, N_("The place is too long.")),
    "remote_url_invalid": (422, N_("Give a web address starting with https://.")),
    "minutes_invalid": (422, N_("Give a duration in minutes, between 0 and 1440.")),
    "note_too_long": (422, N_("The note is too long (300 characters at most).")),
    "unchanged": (422, N_("Nothing was changed.")),
    "passage_required": (422, N_("Copy the passage of the text that the amendment changes.")),
    "passage_not_found": (
        409,
        N_("This passage is not in the current text of the proposal; copy it exactly."),
    ),
    "passage_ambiguous": (
        422,
        N_("This passage appears several times in the text: copy a longer passage."),
    ),
    "text_required": (422, N_("Write the new text.")),
    "reason_required": (422, N_("Give the reason, it will be shown in its place.")),
    "reason_too_long": (422, N_("The reason is too long (300 characters at most).")),
    "item_unknown": (422, N_("Choose an item of this assembly's agenda.")),
    "coauthor_unknown": (422, N_("Co-authors must be members of the cooperative.")),
    "invalid_choice": (422, N_("Choose one of the options offered.")),
    "date_invalid": (422, N_("Give a date and a time.")),
    # the state forbids it now (409)
    "assembly_closed": (409, N_("This assembly is closed: nothing can be changed any more.")),
    "deadline_passed": (409, N_("The deadline for submitting proposals has passed.")),
    "facilitators_only": (
        409,
        N_("In this assembly, only facilitators put proposals on the agenda."),
    ),
    "status_step_not_allowed": (409, N_("This change of status is not possible now.")),
    "proposal_locked": (
        409,
        N_("This proposal can no longer be edited: it has been put to the vote or decided."),
    ),
    "proposal_withdrawn": (409, N_("This proposal has been withdrawn.")),
    "proposal_decided": (409, N_("This proposal has already been decided.")),
    "amendments_closed": (
        409,
        N_("Amendments are only possible while the proposal is submitted or under debate."),
    ),
    "amendments_pending": (
        409,
        N_("Amendments to this proposal are still pending: settle them first."),
    ),
    "amendment_settled": (409, N_("This amendment has already been settled.")),
    "vote_not_published": (
        409,
        N_(
            "This text was put to the vote: its outcome is the published result. To record "
            "it before the result is published, give the reason."
        ),
    ),
    "vote_says_otherwise": (
        409,
        N_(
            "The published vote gave another outcome. To record this one anyway, give the "
            "reason: it is kept in the audit trail."
        ),
    ),
    "support_closed": (409, N_("This proposal cannot be supported at this stage.")),
    "own_proposal": (409, N_("You are an author of this proposal.")),
    "thread_closed": (409, N_("This discussion is closed.")),
    "edit_window_over": (
        409,
        N_("A contribution can only be edited during the first 15 minutes."),
    ),
    "contribution_hidden": (409, N_("This contribution has been hidden by the facilitator.")),
    "agenda_changed": (409, N_("The agenda changed in the meantime: reload the page.")),
    "item_in_use": (
        409,
        N_("This item already has proposals, ballots or contributions: it cannot be removed."),
    ),
    "parent_unknown": (409, N_("The contribution you replied to is no longer in this thread.")),
    # the role never allows it (403)
    "read_only": (403, N_("Observers and suspended members can read but not take part.")),
    "not_facilitator": (403, N_("Only facilitators can do this.")),
    "not_author": (403, N_("Only the authors can do this.")),
    "not_allowed": (403, N_("Your role does not allow this.")),
    "not_found": (404, N_("This page does not exist, or you do not have access to it.")),
}


def refusal(code: str) -> tuple[int, str]:
    """The status and translated message for a refusal code."""
    status, message = _MESSAGES.get(code, (409, N_("This action is not possible now.")))
    return status, _(message)

"""An application's timeline in words: the one mapping from audit actions and states to what people read.

The clerk's status page, the admin's timeline and the API's `label` fields all read an event
through `event_label` and a state through `state_label`, so no page ever shows a raw code such
as `application.document_attached` or `in_review`. An action this table does not know yet reads
"Other change", never its code.
"""

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from services.models import State

EVENT_LABELS: dict[str, Promise] = {
    "application.created": _("Draft created"),
    "application.document_attached": _("Material uploaded"),
    "application.document_removed": _("Material removed"),
    "application.document_replaced": _("Material replaced by a new file"),
    "application.submitted": pgettext_lazy("timeline event", "Submitted"),
    "application.resubmitted": _("Submitted again after correction"),
    "application.granted_on_commitment": _("Approved on the spot on the signed commitment"),
    "application.accepted": pgettext_lazy("timeline event", "Accepted"),
    "application.not_accepted": _("Not accepted"),
    "application.correction_requested": _("Corrections requested, all at once"),
    "application.step_approved": _("Review step passed"),
    "application.approved": _("Approved"),
    "application.approved_pending_documents": _("Approved, documents pending"),
    "application.rejected": pgettext_lazy("application state", "Rejected"),
    "application.extended": _("Time limit extended"),
    "application.deferred_supplied": _("Deferred material supplied"),
    "application.deferred_checked": _("Deferred material checked"),
    "application.documents_complete": _("Deferred materials complete"),
    "application.completed": _("Completed"),
    "application.withdrawn": _("Withdrawn"),
    "application.suspended": pgettext_lazy("application state", "Suspended"),
    "application.resumed": _("Suspension lifted"),
    "application.restored": _("Suspension lifted: the missing material was supplied"),
    "application.revoked": _("Revoked"),
    "application.post_check_sampled": _("Drawn for a post-check"),
    "application.post_check_not_sampled": _("Not drawn for a post-check"),
    "application.post_check_passed": _("Post-check passed"),
    "application.post_check_failed": _("Post-check failed: approval revoked"),
    "application.task_claimed": _("Taken up by an official"),
    "application.task_reassigned": _("Handed to another official"),
    "application.task_released": _("Put back in the department's queue"),
    "application.due_dates_recomputed": _("Due dates recomputed with the official holiday schedule"),
    "application.rated": _("Service rated (好差评)"),
    "application.rectification_closed": _("Rectification closed by the department"),
    "application.personal_data_erased": _("Form answers and files erased at the end of the retention period"),
}
OTHER_CHANGE = _("Other change")

# What an applicant is never told: whether the approval was drawn for a post-check (事后核查).
# Knowing one was not drawn would take away the deterrent of the random check; a check that is
# carried out shows by its result (passed, or failed and revoked).
HIDDEN_FROM_APPLICANTS = frozenset({"application.post_check_sampled", "application.post_check_not_sampled"})


def event_label(action: str) -> str:
    """What an audit action of an application reads as, in the active language."""
    return str(EVENT_LABELS.get(action, OTHER_CHANGE))


def state_label(value: str) -> str:
    """What a state reads as; empty for no state."""
    if not value:
        return ""
    return str(State(value).label) if value in State.values else str(OTHER_CHANGE)


def in_words(events: list[Any]) -> list[Any]:
    """Give each event of a timeline its words: `action_label`, `from_label`, `to_label`."""
    for event in events:
        event.action_label = event_label(event.action)
        event.from_label = state_label(event.from_state)
        event.to_label = state_label(event.to_state)
    return events

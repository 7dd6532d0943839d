"""The guided filing's task list: where a draft (or an application under correction) stands.

Details → materials → check your answers → submit, each with its state read from what is stored
(never from the session), so the clerk who comes back later, on another device, sees the same
list. Under correction, the form and the materials need attention until changed after the
department's notice.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.core.audit import events_of
from services.applications.form_answers import is_empty
from services.applications.workflow.rehearsal import FIELD, MATERIAL, Rehearsal
from services.models import Application, State

NOT_STARTED, IN_PROGRESS, DONE, NEEDS_ATTENTION = "not_started", "in_progress", "done", "needs_attention"
STATE_LABELS: dict[str, Promise] = {
    NOT_STARTED: pgettext_lazy("filing step", "Not started"),
    IN_PROGRESS: pgettext_lazy("filing step", "In progress"),
    DONE: pgettext_lazy("filing step", "Done"),
    NEEDS_ATTENTION: pgettext_lazy("filing step", "Needs attention"),
}
FILING_STATES = (State.DRAFT, State.CORRECTION_REQUESTED)


@dataclass
class Step:
    key: str
    title: Promise
    state: str
    url_name: str
    anchor: str = ""

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


def _changed_since_notice(application: Application, actions: tuple[str, ...]) -> bool:
    notice = application.corrections.filter(resolved_at__isnull=True).order_by("-requested_at", "-id").first()
    if notice is None:
        return True
    return events_of(application).filter(action__in=actions, at__gt=notice.requested_at).exists()


def _state(started: bool, complete: bool, application: Application, actions: tuple[str, ...]) -> str:
    if application.state == State.CORRECTION_REQUESTED and not _changed_since_notice(application, actions):
        return NEEDS_ATTENTION
    if complete and (started or application.state == State.CORRECTION_REQUESTED):
        return DONE
    return IN_PROGRESS if started else NOT_STARTED


def steps_of(application: Application, rehearsal: Rehearsal) -> list[Step]:
    """The four steps of the filing with their states."""
    service = application.service
    has_fields = service.form_fields.exists()
    answered = any(not is_empty(value) for value in (application.form or {}).values())
    field_missing = any(item.kind == FIELD for item in rehearsal.missing)
    details = _state(answered or not has_fields, not field_missing, application, ("application.form_saved",))
    if not has_fields and application.state == State.DRAFT:
        details = DONE

    has_materials = service.materials.exists()
    attached = application.documents.exists()
    material_missing = any(item.kind == MATERIAL for item in rehearsal.missing)
    materials = _state(attached or not has_materials, not material_missing, application, (
        "application.document_attached", "application.document_reused", "application.document_removed",
        "application.document_replaced"))

    started = details != NOT_STARTED or materials != NOT_STARTED
    if rehearsal.ready:
        review = DONE if started else NOT_STARTED
    else:
        review = NEEDS_ATTENTION if started else NOT_STARTED
    submit = DONE if application.state not in FILING_STATES else NOT_STARTED
    return [
        Step("details", _("Application details"), details, "filing_details"),
        Step("materials", _("Materials"), materials, "filing_materials"),
        Step("review", _("Check your answers"), review, "filing_review"),
        Step("submit", pgettext_lazy("filing step", "Submit"), submit, "filing_review", anchor="submit"),
    ]


def next_step(steps: list[Step]) -> Step | None:
    """The first step not done: where the clerk picks up."""
    return next((step for step in steps if step.state != DONE), None)

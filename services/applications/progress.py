"""Where an application stands, for the applicant: the steps of its approval mode, who has it now,
the decision with its date and reason, what to do next, and the remedies against a refusal.

Derived from the application, its tasks and its timeline (read through `wording`), never stored.
The page shows it; the rules that move the application stay in `workflow/`.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from services.applications.wording import event_label, state_label
from services.models import Application, ApprovalMode, State, Task

# A decision the applicant may contest: 行政复议 within 60 days (行政复议法 Art. 20),
# 行政诉讼 within 6 months (行政诉讼法 Art. 46), each from the day the decision is received.
CONTESTABLE = {State.NOT_ACCEPTED, State.REJECTED, State.REVOKED}
DECISIONS = {State.NOT_ACCEPTED, State.APPROVED, State.APPROVED_PENDING_DOCUMENTS, State.REJECTED, State.REVOKED}

STEP_LABELS = {
    "submit": pgettext_lazy("step", "Submission"),
    "accept": pgettext_lazy("step", "Acceptance"),
    "review": pgettext_lazy("step", "Review"),
    "parallel_review": pgettext_lazy("step", "Review by every department at once"),
    "decide": pgettext_lazy("step", "Decision"),
    "supply": pgettext_lazy("step", "Deferred materials"),
    "complete": pgettext_lazy("step", "Completion"),
    "commit": pgettext_lazy("step", "Commitment signed and submitted"),
    "grant": pgettext_lazy("step", "Approval on the spot"),
}
STEP_STATUS = {
    "done": pgettext_lazy("step status", "done"),
    "current": pgettext_lazy("step status", "in progress"),
    "failed": pgettext_lazy("step status", "refused"),
    "stopped": pgettext_lazy("step status", "stopped here"),
    "todo": pgettext_lazy("step status", "to come"),
}
# The step an application is at in each state (a withdrawal or a suspension: where it found it).
STAGE = {
    State.DRAFT: "submit",
    State.SUBMITTED: "accept",
    State.NOT_ACCEPTED: "accept",
    State.ACCEPTED: "review",
    State.IN_REVIEW: "review",
    State.REJECTED: "decide",
    State.APPROVED_PENDING_DOCUMENTS: "supply",
    State.APPROVED: "complete",
    State.REVOKED: "decide",
}


@dataclass
class Step:
    key: str
    label: str
    status: str = "todo"
    note: str = ""

    @property
    def status_label(self) -> str:
        return str(STEP_STATUS[self.status])


@dataclass
class Decision:
    outcome: str
    on: datetime.date | None
    reason: str
    by: str
    contestable: bool


@dataclass
class Progress:
    steps: list[Step]
    holder: list[str] = field(default_factory=list)
    with_applicant: bool = False
    decision: Decision | None = None
    next_step: str = ""
    remedies: str = ""


def _step_keys(application: Application, has_deferred: bool) -> list[str]:
    mode = application.service.approval_mode
    if mode == ApprovalMode.COMMITMENT:
        return ["commit", "grant", "complete"]
    review = "parallel_review" if mode == ApprovalMode.PARALLEL else "review"
    keys = ["submit", "accept", review, "decide"]
    if has_deferred:
        keys.append("supply")
    return [*keys, "complete"]


def _stage(application: Application, events: list[Any], keys: list[str]) -> tuple[str, str]:
    """The step the application is at, and that step's status."""
    state = application.state
    if state == State.COMPLETED:
        return keys[-1], "done"
    if state in (State.WITHDRAWN, State.SUSPENDED):
        # Where the withdrawal or the suspension found it.
        entered = next((e for e in reversed(events) if e.to_state == state), None)
        before = entered.from_state if entered else State.DRAFT
        key = _stage_of_state(application, before, keys)
        return key, "stopped"
    key = _stage_of_state(application, state, keys)
    if state == State.REVOKED:
        return key, "stopped"
    if state in CONTESTABLE:
        return key, "failed"
    return key, "current"


def _stage_of_state(application: Application, state: str, keys: list[str]) -> str:
    if state == State.CORRECTION_REQUESTED:
        notice = _open_notice(application)
        state = notice.resume_state if notice and notice.resume_state else State.SUBMITTED
    commitment = application.service.approval_mode == ApprovalMode.COMMITMENT
    if commitment:
        return {State.DRAFT: "commit", State.APPROVED: "complete", State.REVOKED: "grant"}.get(state, "complete")
    key = STAGE.get(state, "complete")
    if key == "review" and "parallel_review" in keys:
        return "parallel_review"
    if key == "supply" and "supply" not in keys:
        return "complete"
    return key


def _open_notice(application: Application) -> Any:
    notices = [n for n in application.corrections.all() if n.resolved_at is None]
    return notices[-1] if notices else None


def _steps(application: Application, events: list[Any]) -> list[Step]:
    has_deferred = bool(list(application.deferred.all()))
    keys = _step_keys(application, has_deferred)
    at_key, at_status = _stage(application, events, keys)
    position = keys.index(at_key)
    steps = []
    for index, key in enumerate(keys):
        status = "done" if index < position else "todo"
        if index == position:
            status = at_status
        steps.append(Step(key=key, label=str(STEP_LABELS[key]), status=status))
    dates = {"submit": application.received_on, "commit": application.received_on,
             "accept": application.accepted_on, "decide": application.decided_on, "grant": application.decided_on}
    for step in steps:
        if step.status == "done" and dates.get(step.key):
            step.note = date_format(dates[step.key])
    if application.state == State.CORRECTION_REQUESTED:
        steps[position].note = str(State.CORRECTION_REQUESTED.label)
    if application.state in (State.WITHDRAWN, State.SUSPENDED, State.REVOKED):
        steps[position].note = state_label(application.state)
    review = next((s for s in steps if s.key == "parallel_review"), None)
    if review:
        tasks = application.review_tasks()
        approved = sum(1 for t in tasks if t.status == Task.Status.APPROVED)
        if tasks:
            review.note = _("%(approved)s of %(total)s departments agreed") % {
                "approved": approved, "total": len(tasks)}
    return steps


def _holder(application: Application) -> tuple[list[str], bool]:
    """The departments that have the application now, and whether the applicant has something to do."""
    state = application.state
    lead = str(application.service.lead_department)
    if state in (State.DRAFT, State.CORRECTION_REQUESTED):
        return [], True
    if state == State.SUBMITTED:
        return [lead], False
    if state in (State.ACCEPTED, State.IN_REVIEW):
        open_tasks = [t for t in application.review_tasks() if t.status == Task.Status.OPEN]
        names = list(dict.fromkeys(str(t.department) for t in open_tasks))
        return names or [lead], False
    if state == State.APPROVED_PENDING_DOCUMENTS:
        missing = any(d.supplied_at is None for d in application.deferred.all())
        return [lead], missing
    if state == State.SUSPENDED:
        missing = any(d.supplied_at is None for d in application.deferred.all())
        return [lead], missing
    if state == State.APPROVED:
        return [lead], False
    return [], False


def _decision(application: Application, events: list[Any]) -> Decision | None:
    if application.state not in DECISIONS and application.state != State.COMPLETED:
        return None
    decided = next((e for e in reversed(events) if e.to_state in DECISIONS), None)
    if decided is None:
        return None
    task_id = (decided.data or {}).get("task")
    task = next((t for t in application.tasks.all() if t.pk == task_id), None) if task_id else None
    by = str(task.department) if task else str(application.service.lead_department)
    revoked = decided.to_state == State.REVOKED
    # A decision on the merits carries its date; a refusal to take in and a revocation are dated by their event.
    on = application.decided_on if decided.to_state in (State.APPROVED, State.APPROVED_PENDING_DOCUMENTS,
                                                        State.REJECTED) else None
    return Decision(
        outcome=event_label(decided.action) if revoked else state_label(decided.to_state),
        on=on or timezone.localdate(decided.at), reason=decided.reason, by=by,
        contestable=application.state in CONTESTABLE,
    )


NEXT_STEPS = {
    State.DRAFT: gettext_lazy("Attach the required materials, then submit the application."),
    State.SUBMITTED: gettext_lazy(
        "The department decides by %(acceptance_due)s whether to take the application in. You need do nothing for now."),
    State.CORRECTION_REQUESTED: gettext_lazy(
        "Make the corrections listed below and submit the application again by %(respond_by)s; an application "
        "not corrected by then is closed."),
    State.ACCEPTED: gettext_lazy(
        "The application is under review; the decision is due by %(decision_due)s. You need do nothing for now."),
    State.APPROVED_PENDING_DOCUMENTS: gettext_lazy(
        "The approval is conditional: supply each deferred material below by its due date, or the approval is "
        "suspended."),
    State.APPROVED: gettext_lazy(
        "The approval is granted. The department completes the application and issues the result; you need do "
        "nothing more."),
    State.REJECTED: gettext_lazy(
        "The application was not approved, for the reason given. You may file a new application once the reason "
        "is dealt with."),
    State.NOT_ACCEPTED: gettext_lazy(
        "The department did not take the application in, for the reason given. You may file a new application "
        "once the reason is dealt with."),
    State.REVOKED: gettext_lazy(
        "The approval was revoked, for the reason given, and the enterprise is on the credit list for a period."),
    State.COMPLETED: gettext_lazy("The application is complete. There is nothing more to do."),
    State.WITHDRAWN: gettext_lazy("The application was withdrawn. You may start a new one at any time."),
    State.SUSPENDED: gettext_lazy(
        "The application is suspended, for the reason given; the department tells you when it resumes."),
}
COMMITMENT_APPROVED = gettext_lazy(
    "The approval is granted on your signed commitment. Keep to it: the department may check afterwards, "
    "at random, that every condition is met.")
SUSPENDED_MISSING = gettext_lazy(
    "The approval is suspended: supply the missing materials by %(revocation_due)s, or it is revoked.")
REMEDIES = gettext_lazy(
    "If you disagree with this decision, you may apply to %(body)s for administrative reconsideration (行政复议) "
    "within 60 days of receiving it, or bring an administrative lawsuit (行政诉讼) before %(court)s within "
    "6 months of receiving it.")
DEFAULT_RECONSIDERATION_BODY = gettext_lazy("the People's Government of Fengtai District, Beijing")
DEFAULT_COURT = gettext_lazy("the people's court with jurisdiction")


def _next_step(application: Application, with_applicant: bool) -> str:
    state = application.state
    notice = _open_notice(application)
    def day(value: datetime.date | None) -> str:
        return date_format(value) if value else "—"

    dates = {
        "acceptance_due": day(application.acceptance_due), "decision_due": day(application.decision_due),
        "respond_by": day(notice.respond_by if notice else None), "revocation_due": day(application.revocation_due),
    }
    if state == State.APPROVED and application.service.approval_mode == ApprovalMode.COMMITMENT:
        text = COMMITMENT_APPROVED
    elif state == State.SUSPENDED and with_applicant:
        text = SUSPENDED_MISSING
    else:
        text = NEXT_STEPS.get(State.ACCEPTED if state == State.IN_REVIEW else state, "")
    return str(text) % dates if text else ""


def remedies() -> str:
    """The notice of the right to 行政复议 and 行政诉讼 against a refusal, naming where to turn."""
    body = settings.RECONSIDERATION_BODY or DEFAULT_RECONSIDERATION_BODY
    court = settings.ADMINISTRATIVE_COURT or DEFAULT_COURT
    return str(REMEDIES) % {"body": body, "court": court}


def progress_of(application: Application, events: list[Any]) -> Progress:
    """Everything the status page says about where `application` stands; `events` is its applicant timeline.

    Reads the application's prefetched tasks, deferred materials and correction notices.
    """
    holder, with_applicant = _holder(application)
    decision = _decision(application, events)
    return Progress(
        steps=_steps(application, events), holder=holder, with_applicant=with_applicant, decision=decision,
        next_step=_next_step(application, with_applicant),
        remedies=remedies() if decision and decision.contestable else "",
    )

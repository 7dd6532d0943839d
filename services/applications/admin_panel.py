"""The decision panel of an application's admin page: what the official may do now, which one is
the expected next step, and what each does, in words.

The panel is built from `workflow.allowed_actions` only, so it offers exactly what the workflow
would accept. An irreversible action (one that tells the applicant a decision or issues a notice)
is confirmed first: posted without `confirm=yes` it changes nothing and the official reads its
consequence on a confirmation page (`confirmation_of`), which posts the same fields again with
the confirmation. A static script may ask the same question in a dialog; the page works without it.
"""

from dataclasses import dataclass, field, replace

from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.core.bilingual import localised
from services.applications.workflow import AllowedActions
from services.models import Application, State, Task

CONFIRM_FIELD, CONFIRMED = "confirm", "yes"

# After these the official's item is done: they go back to the queue, to its next item.
BACK_TO_QUEUE = {"accept", "request_correction", "refuse", "decide", "complete", "revoke", "release", "reassign"}

# The actions that may be the page's one primary button, in order of precedence: the step the
# application waits for (taking it in, a review decision, checking a supplied material, closing it).
PRIMARY_ORDER = ("accept", "decide:approve", "check_deferred", "complete", "resume")


@dataclass(frozen=True)
class Field:
    name: str
    label: str | Promise
    required: bool
    help: str | Promise = ""


@dataclass(frozen=True)
class PanelAction:
    """One button of the panel: the form it posts, its input, and what it does in words."""

    action: str  # the act view's action
    label: str | Promise
    consequence: str | Promise
    hidden: dict[str, str] = field(default_factory=dict)
    input: Field | None = None
    irreversible: bool = True
    danger: bool = False
    primary: bool = False

    @property
    def key(self) -> str:
        """A name unique on the page (for the ids of its fields)."""
        return "-".join([self.action, *self.hidden.values()])

    @property
    def kind(self) -> str:
        decision = self.hidden.get("decision")
        return f"{self.action}:{decision}" if decision else self.action

    def matches(self, action: str, data: QueryDict) -> bool:
        return action == self.action and all(str(data.get(name, "")) == value for name, value in self.hidden.items())


@dataclass(frozen=True)
class PanelGroup:
    heading: str | Promise
    actions: list[PanelAction]
    note: str | Promise = ""


def _correction() -> PanelAction:
    return PanelAction(
        "request_correction", _("Request correction"),
        _("Request correction: the applicant is told at once and receives the correction notice (补正材料告知书) "
          "listing these items; the clock stops until they resubmit. A later notice may name only materials "
          "replaced since (一次性告知), so list every item now."),
        input=Field("items", _("Items to correct, one per line"), True))


def _acceptance(allowed: AllowedActions) -> list[PanelAction]:
    actions = []
    if "accept" in allowed:
        actions.append(PanelAction(
            "accept", _("Accept"),
            _("Accept: the applicant is told at once and receives the acceptance notice (受理通知书); the review "
              "steps open and the decision clock starts. This cannot be undone.")))
    if "request_correction" in allowed:
        actions.append(_correction())
    if "refuse" in allowed:
        actions.append(PanelAction(
            "refuse", _("Refuse to accept"),
            _("Refuse to accept: the applicant is told at once and receives the decision not to accept (不予受理决定书) "
              "with this reason; the application is closed. This cannot be undone."),
            input=Field("reason", _("Reason for not accepting"), True, _("The applicant reads it.")), danger=True))
    return actions


def _is_last_step(task: Task, application: Application) -> bool:
    return not any(other.pk != task.pk and other.kind == Task.Kind.REVIEW
                   and other.status in (Task.Status.OPEN, Task.Status.WAITING) for other in application.tasks.all())


def _approval(task: Task, application: Application) -> str | Promise:
    if not _is_last_step(task, application):
        return _("Approve this step: your department's decision is recorded and the application goes on to its "
                 "remaining steps. This cannot be undone.")
    if any(item.checked_at is None for item in application.deferred.all()):
        return _("Approve: this is the last open step, so the application is approved pending its deferred "
                 "materials (容缺); the applicant is told at once and receives the licence decision (准予行政许可决定书). "
                 "This cannot be undone.")
    return _("Approve: this is the last open step, so the application is approved; the applicant is told at once "
             "and receives the licence decision (准予行政许可决定书). This cannot be undone.")


def _review(task: Task, application: Application) -> list[PanelAction]:
    hidden = {"task": str(task.pk)}
    return [
        PanelAction("decide", pgettext_lazy("review step", "Approve"), _approval(task, application), {**hidden, "decision": "approve"},
                    Field("comment", _("Comment (optional)"), False)),
        PanelAction("decide", _("Return for correction"),
                    _("Return for correction: the applicant is told at once and receives a correction notice "
                      "(补正材料告知书) with what you write; the clock stops until they resubmit."),
                    {**hidden, "decision": "return"}, Field("comment", _("What the applicant must correct"), True)),
        PanelAction("decide", pgettext_lazy("review step", "Reject"),
                    _("Reject: the licence is refused (不予许可) and every other open step is cancelled; the applicant "
                      "is told at once and receives the decision to refuse the licence (不予行政许可决定书) with their "
                      "right to administrative reconsideration or litigation. This cannot be undone."),
                    {**hidden, "decision": "reject"}, Field("comment", _("Reason for the rejection"), True,
                                                            _("The applicant reads it.")), danger=True),
    ]


def _others(allowed: AllowedActions) -> list[PanelAction]:
    actions = []
    for item in allowed.to_check:
        actions.append(PanelAction(
            "check_deferred", _("Mark “%(material)s” as checked") % {"material": localised(item.material, "name")},
            _("Mark as checked: recorded with your name; when it is the last deferred material, the application "
              "becomes approved. This cannot be undone."), {"deferred": str(item.pk)}))
    if "complete" in allowed:
        actions.append(PanelAction(
            "complete", _("Complete"),
            _("Complete (办结): the application is closed as completed and the applicant is told. This cannot be "
              "undone.")))
    if "resume" in allowed:
        actions.append(PanelAction(
            "resume", _("Lift the suspension"),
            _("Lift the suspension: the application goes back to where the suspension found it; the applicant is "
              "told with the reason."),
            input=Field("reason", _("Reason for lifting the suspension"), True), irreversible=False))
    if "extend" in allowed:
        actions.append(PanelAction(
            "extend", _("Extend the time limit"),
            _("Extend: the statutory limit moves 10 working days later. A time limit is extended only once, so "
              "this cannot be undone."),
            input=Field("reason", _("Reason for the extension"), True)))
    if "suspend" in allowed:
        actions.append(PanelAction(
            "suspend", _("Suspend"),
            _("Suspend: the application stops where it is until the suspension is lifted; the applicant is told "
              "with the reason."),
            input=Field("reason", _("Reason for the suspension"), True, _("The applicant reads it.")),
            irreversible=False))
    if "revoke" in allowed:
        actions.append(PanelAction(
            "revoke", _("Revoke"),
            _("Revoke: the approval is revoked, the enterprise is put on the credit list and the applicant is "
              "told at once with the reason. This cannot be undone."),
            input=Field("reason", _("Reason for the revocation"), True, _("The applicant reads it.")),
            danger=True))
    return actions


def _with_primary(groups: list[PanelGroup]) -> list[PanelGroup]:
    """Mark the one primary action: the first, by `PRIMARY_ORDER`, of those offered."""
    offered = [action for group in groups for action in group.actions]
    chosen = next((action for kind in PRIMARY_ORDER for action in offered if action.kind == kind), None)
    if chosen is None:
        return groups
    return [PanelGroup(group.heading, [replace(a, primary=a is chosen) for a in group.actions],
                       group.note) for group in groups]


def decision_panel(application: Application, allowed: AllowedActions) -> list[PanelGroup]:
    """The panel's groups of actions: acceptance, each review task to decide, then the rest."""
    groups = []
    at_intake = application.state == State.SUBMITTED
    if at_intake and (acceptance := _acceptance(allowed)):
        groups.append(PanelGroup(_("Acceptance (受理)"), acceptance))
    for task in allowed.tasks:
        if task.kind == Task.Kind.REVIEW:
            note = (_("You hold this task.") if task.claimed_by_id
                    else _("Nobody holds this task: deciding it is open to any official of the department."))
            groups.append(PanelGroup(f"{task.order}. {localised(task, 'name')} · {task.department}", _review(task, application), note))
    others = _others(allowed)
    if not at_intake and "request_correction" in allowed:  # during review: the correction stops the clock
        others.insert(0, _correction())
    if others:
        groups.append(PanelGroup(_("The application"), others))
    return _with_primary(groups)


def confirmation_of(application: Application, allowed: AllowedActions, action: str,
                    data: QueryDict) -> PanelAction | None:
    """The irreversible panel action this post asks for and has not confirmed yet, or None.

    None also when the action is not offered (the workflow then refuses it with its reason) or its
    required input is empty (the workflow names the missing field): there is nothing to confirm.
    """
    if data.get(CONFIRM_FIELD) == CONFIRMED:
        return None
    if action == "decide" and (as_intake := _acceptance_decision(allowed, data)) is not None:
        action, data = as_intake
    for group in decision_panel(application, allowed):
        for candidate in group.actions:
            if candidate.matches(action, data) and candidate.irreversible:
                if candidate.input and candidate.input.required and not data.get(candidate.input.name, "").strip():
                    return None
                return candidate
    return None


# The acceptance task's decisions (the queue's API names) are the intake's actions of the panel.
INTAKE_DECISIONS = {"approve": ("accept", None), "return": ("request_correction", "items"), "reject": ("refuse", "reason")}


def _acceptance_decision(allowed: AllowedActions, data: QueryDict) -> tuple[str, QueryDict] | None:
    """A decision posted on the acceptance task, as the panel's intake action it amounts to."""
    task = next((t for t in allowed.tasks if str(t.pk) == str(data.get("task", ""))), None)
    if task is None or task.kind != Task.Kind.ACCEPTANCE or data.get("decision") not in INTAKE_DECISIONS:
        return None
    action, field_name = INTAKE_DECISIONS[data["decision"]]
    same = QueryDict(mutable=True)
    if field_name:
        same[field_name] = data.get("comment", "")
    return action, same


def done_message(application: Application, action: str, data: QueryDict, state: str) -> str:
    """What the official is told once the action is done."""
    values = {"reference": application.reference, "state": State(state).label}
    decision = data.get("decision", "")
    messages = {
        "accept": _("Accepted %(reference)s: the applicant has been sent the acceptance notice (受理通知书)."),
        "request_correction": _("Correction requested for %(reference)s: the applicant has been sent the correction "
                                "notice; the clock stops until they resubmit."),
        "refuse": _("%(reference)s not accepted: the applicant has been told and sent the decision not to accept "
                    "(不予受理决定书)."),
        "decide:approve": _("Approved for %(reference)s: the application is now “%(state)s”."),
        "decide:return": _("%(reference)s returned for correction: the applicant has been told; the clock stops "
                           "until they resubmit."),
        "decide:reject": _("%(reference)s rejected: the applicant has been told and sent the decision to refuse the "
                           "licence (不予行政许可决定书)."),
    }
    key = f"{action}:{decision}" if action == "decide" else action
    return str(messages.get(key, _("Done: %(reference)s is now “%(state)s”."))) % values

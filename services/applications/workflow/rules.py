"""When each action of the workflow is allowed: who may take it, and in which state.

The workflow functions run these checks before they change anything, and `allowed_actions`
asks the very same ones, so the admin's decision panel, the clerk's page and the API's
`actions` offer an action exactly when its function would accept it. A check refuses with
`PermissionError` (not this user's to take, answered as "not found") or `IllegalTransition`
(not in this state). What an action's own input may still get wrong — an empty reason, a
missing material, an item's rule such as a talent policy's used-up quota — its function refuses
with `ValidationError`; nothing here looks at input.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from portal.core.access import is_superuser
from portal.core.errors import IllegalTransition
from services.applications.models import REVIEW_STATES
from services.applications.workflow.core import refusal, require_member, require_official, today
from services.models import Application, DeferredMaterial, PostCheck, State, Task

# Materials can be attached, and the form changed, in a draft and while corrections are asked for.
ATTACHABLE_STATES = (State.DRAFT, State.CORRECTION_REQUESTED)
# Deferred materials can be supplied until the application is closed.
CLOSED_STATES = (State.REVOKED, State.WITHDRAWN, State.REJECTED)

LEAD = "lead"  # an official of the item's lead department, or a superuser
MEMBER = "member"  # a member of the applying enterprise

StateCheck = Callable[[Application], None]


def _state_machine(transition: str) -> StateCheck:
    """The transition declared on `Application` can run from the current state (what `move` tries)."""

    def check(application: Application) -> None:
        if not can_proceed(getattr(application, transition)):
            raise refusal(application, transition)

    return check


def _any_state(application: Application) -> None:
    """No condition on the state: only the item's own check (a supplied material, say) applies."""


def _attachable(application: Application) -> None:
    if application.state not in ATTACHABLE_STATES:
        raise IllegalTransition(
            _("Materials can be attached only to a draft or an application under correction."),
            current_state=application.state, action="attach",
        )


def _fillable(application: Application) -> None:
    if application.state not in ATTACHABLE_STATES:
        raise IllegalTransition(
            _("The form can be changed only in a draft or an application under correction."),
            current_state=application.state, action="edit_form",
        )


def _not_closed(application: Application) -> None:
    if application.state in CLOSED_STATES:
        raise IllegalTransition(_("The application is closed."), current_state=application.state, action="supply")


def may_extend(application: Application) -> bool:
    """The statutory limit can be extended once, while the application is in review."""
    return application.state in REVIEW_STATES and not application.extended


def _extendable(application: Application) -> None:
    if not may_extend(application):
        message = (_("The time limit has already been extended once.") if application.extended
                   else _("Only an application in review can be extended."))
        raise IllegalTransition(message, current_state=application.state, action="extend")


def post_check_pending(application: Application) -> bool:
    return PostCheck.objects.filter(application=application, result=PostCheck.Result.PENDING).exists()


def _completable(application: Application) -> None:
    # A commitment approval is closed by its post-check, not by hand, while the check is pending.
    if post_check_pending(application):
        raise IllegalTransition(_("The post-check of this commitment approval is still pending."),
                                current_state=application.state, action="complete")
    _state_machine("complete")(application)


def _resumable(application: Application) -> None:
    """A suspension is lifted by hand only once no deferred material past its due date is missing."""
    _state_machine("restore")(application)
    if application.deferred.filter(due_date__lt=today(), supplied_at__isnull=True).exists():
        raise IllegalTransition(
            _("A deferred material past its due date is still missing: the suspension lifts when it is "
              "supplied and checked."), current_state=application.state, action="resume")


@dataclass(frozen=True)
class Rule:
    who: str  # LEAD or MEMBER
    when: StateCheck  # raises IllegalTransition when the state does not allow the action


# The application's actions, the applicant's first. "supply" and "check" act on one deferred
# material: their rule is who and when; `require_suppliable` / `require_checkable` the material.
RULES: dict[str, Rule] = {
    "attach": Rule(MEMBER, _attachable),
    "edit_form": Rule(MEMBER, _fillable),
    "submit": Rule(MEMBER, _state_machine("submit")),
    "resubmit": Rule(MEMBER, _state_machine("resubmit")),
    "withdraw": Rule(MEMBER, _state_machine("withdraw")),
    "supply": Rule(MEMBER, _not_closed),
    "accept": Rule(LEAD, _state_machine("accept")),
    "request_correction": Rule(LEAD, _state_machine("request_correction")),
    "refuse": Rule(LEAD, _state_machine("refuse")),
    "extend": Rule(LEAD, _extendable),
    "check": Rule(LEAD, _any_state),
    "complete": Rule(LEAD, _completable),
    "suspend": Rule(LEAD, _state_machine("suspend")),
    "resume": Rule(LEAD, _resumable),
    "revoke": Rule(LEAD, _state_machine("revoke")),
}


def _require_role(user: Any, application: Application, who: str) -> None:
    if who == LEAD:
        require_official(user, application.service.lead_department_id)
    else:
        require_member(user, application)


def require(user: Any, application: Application, action: str) -> None:
    """Refuse an application-level action this user may not take now (the application is locked)."""
    rule = RULES[action]
    _require_role(user, application, rule.who)
    rule.when(application)


def is_decidable(task: Task, application: Application) -> bool:
    """A task takes a decision while it is open and its application waits for it: an acceptance
    task while the application is submitted, a review task while it is in review."""
    if task.status != Task.Status.OPEN:
        return False
    if task.kind == Task.Kind.ACCEPTANCE:
        return application.state == State.SUBMITTED
    return application.state in REVIEW_STATES


def require_decidable(user: Any, task: Task, application: Application, action: str = "decide") -> None:
    """Only an official of the task's own department decides it, only while it is decidable, and
    only its holder once someone has claimed it (a superuser too: they hand it over first)."""
    require_official(user, task.department_id)
    if task.kind == Task.Kind.ACCEPTANCE:
        # Acceptance stays the lead department's, as its actions are in RULES.
        _require_role(user, application, LEAD)
    if not is_decidable(task, application):
        raise IllegalTransition(_("This task is no longer open for a decision."),
                                current_state=application.state, action=action)
    if task.claimed_by_id is not None and task.claimed_by_id != getattr(user, "pk", None):
        raise IllegalTransition(
            _("%(holder)s holds this task: only they decide it, unless it is handed over.")
            % {"holder": task.claimed_by}, current_state=application.state, action=action)


# --- who holds a review task (认领, 转办) ------------------------------------------------------
# Any official of the task's department may claim an open task nobody holds, hand it to a
# colleague of the department (whoever holds it: the holder may be away) or put it back.


def _require_open_task(user: Any, task: Task, action: str) -> None:
    require_official(user, task.department_id)
    if task.status != Task.Status.OPEN:
        raise IllegalTransition(_("Only an open task can be claimed, handed over or released."),
                                current_state=task.status, action=action)


def require_claimable(user: Any, task: Task) -> None:
    """An open task of the user's department that nobody holds yet."""
    _require_open_task(user, task, "claim")
    if task.claimed_by_id == getattr(user, "pk", None):
        raise IllegalTransition(_("You already hold this task."), current_state=task.status, action="claim")
    if task.claimed_by_id is not None:
        raise IllegalTransition(
            _("%(holder)s holds this task; they or a colleague of the department can hand it over to you.")
            % {"holder": task.claimed_by}, current_state=task.status, action="claim")


def require_reassignable(user: Any, task: Task) -> None:
    """An open task of the user's department, held or not (the colleague it goes to is input)."""
    _require_open_task(user, task, "reassign")


def require_releasable(user: Any, task: Task) -> None:
    """An open task of the user's department that someone holds."""
    _require_open_task(user, task, "release")
    if task.claimed_by_id is None:
        raise IllegalTransition(_("Nobody holds this task."), current_state=task.status, action="release")


def require_checkable(deferred: DeferredMaterial, application: Application) -> None:
    if not deferred.supplied_at or deferred.checked_at:
        raise IllegalTransition(_("Only a supplied, unchecked material can be checked."),
                                current_state=application.state, action="check")


def require_suppliable(deferred: DeferredMaterial) -> None:
    if deferred.supplied_at:
        raise ValidationError({"material": _("This material has already been supplied.")})


def require_post_check(user: Any, check: PostCheck, application: Application) -> None:
    """Only the drawn official (or a superuser) records a post-check, and only once."""
    if not (is_superuser(user) or check.assignee_id == getattr(user, "pk", None)):
        raise PermissionError("only the drawn official runs the post-check")
    if check.result != PostCheck.Result.PENDING:
        raise IllegalTransition(_("This post-check has already been done."),
                                current_state=application.state, action="post_check")


def passes(check: Callable[..., None], *args: Any) -> bool:
    """Whether a check of this module lets the action through (it refuses by raising)."""
    try:
        check(*args)
    except (PermissionError, IllegalTransition, ValidationError):
        return False
    return True


@dataclass(frozen=True)
class AllowedActions:
    """What one user may do with one application now, by the rules its workflow functions check.

    `application` names the actions of `RULES` in their order ("supply" and "check" only when
    some deferred material is ready for them); `tasks` are the tasks the user may decide: the
    acceptance task of a submitted application (its decisions are those of `accept`,
    `request_correction` and `refuse`) or review tasks; `to_check` and `to_supply` the deferred
    materials they may check (an official) or supply (a member of the enterprise); `to_claim`,
    `to_reassign` and `to_release` the tasks they may claim, hand over to a colleague, or release.
    """

    application: tuple[str, ...] = ()
    tasks: tuple[Task, ...] = ()
    to_check: tuple[DeferredMaterial, ...] = ()
    to_supply: tuple[DeferredMaterial, ...] = ()
    to_claim: tuple[Task, ...] = ()
    to_reassign: tuple[Task, ...] = ()
    to_release: tuple[Task, ...] = ()

    def __contains__(self, action: object) -> bool:
        return action in self.application

    def __bool__(self) -> bool:
        return bool(self.application or self.tasks or self.to_claim or self.to_reassign or self.to_release)

    @property
    def deferred(self) -> tuple[DeferredMaterial, ...]:
        """The deferred materials the user may act on, to check or to supply."""
        return self.to_check + tuple(d for d in self.to_supply if d not in self.to_check)


def allowed_actions(user: Any, application: Application) -> AllowedActions:
    """Every action `user` may take on `application` now: exactly those its workflow function would accept.

    Reads the tasks (with their holders) and deferred materials through `.all()`, so a prefetch
    serves them.
    """
    roles = {who: passes(_require_role, user, application, who) for who in (LEAD, MEMBER)}
    ready = {name: roles[rule.who] and passes(rule.when, application) for name, rule in RULES.items()}
    deferred = list(application.deferred.all())
    items = {
        "check": tuple(d for d in deferred if ready["check"] and passes(require_checkable, d, application)),
        "supply": tuple(d for d in deferred if ready["supply"] and passes(require_suppliable, d)),
    }
    names = tuple(name for name, ok in ready.items() if ok and items.get(name, True))
    every_task = list(application.tasks.all())
    tasks = tuple(task for task in every_task if passes(require_decidable, user, task, application))
    return AllowedActions(
        names, tasks, items["check"], items["supply"],
        to_claim=tuple(task for task in every_task if passes(require_claimable, user, task)),
        to_reassign=tuple(task for task in every_task if passes(require_reassignable, user, task)),
        to_release=tuple(task for task in every_task if passes(require_releasable, user, task)),
    )

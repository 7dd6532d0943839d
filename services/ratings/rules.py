"""When an application may be rated, and by whom; who closes a rectification.

The functions of `workflow.py` run these checks under the application's lock before they change
anything, and the pages and the API ask the same ones (`may_rate`, `may_close`) to offer a form
exactly when it would be accepted. A check refuses with `PermissionError` (not this user's: "not
found") or `IllegalTransition` (not now, with the reason); bad input is `workflow.py`'s to refuse.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from portal.core.access import is_official_of
from portal.core.errors import IllegalTransition
from services.applications.workflow.core import require_member
from services.applications.workflow.rules import passes
from services.models import Application, ApprovalMode, Department, State, Task
from services.ratings.models import FINAL_ROUND, FIRST_ROUND, Rating, Rectification

# The states in which the department's final decision has been made: approved (准予许可, and 办结),
# rejected (不予许可) and not accepted (不予受理). Not rated: a withdrawal (the applicant's own act,
# nothing was decided), a conditional approval still waiting for its deferred materials, a
# suspension, and a revocation (a later sanction, answered by appeal, not by a rating).
RATABLE_STATES = (State.APPROVED, State.COMPLETED, State.REJECTED, State.NOT_ACCEPTED)

RECTIFICATION_DAYS = 15  # working days the department has to rectify after a bad rating, from the day rated


def deciding_department(application: Application) -> Department | int:
    """The department whose decision is rated (a Department, or its id).

    A rejection, or a refusal to take in, is the department whose task decided it; an approval
    is the last step's, except a parallel item's, whose joint approval is the lead department's
    (牵头部门), as is a commitment approval, granted with no task at all.
    """
    decided = application.tasks.filter(status__in=[Task.Status.REJECTED, Task.Status.APPROVED],
                                        decided_at__isnull=False).order_by("-decided_at", "-id")
    rejecting = decided.filter(status=Task.Status.REJECTED).first()
    if application.state in (State.REJECTED, State.NOT_ACCEPTED) and rejecting is not None:
        return rejecting.department
    if application.service.approval_mode != ApprovalMode.PARALLEL:
        last = decided.filter(kind=Task.Kind.REVIEW).first()
        if last is not None:
            return last.department
    return application.service.lead_department_id


def next_round(application: Application) -> int:
    """The round the application's next rating would be, or refuse with the reason it cannot be rated.

    Reads `application.ratings` (with their rectifications) through `.all()`, so a prefetch serves it.
    """
    ratings = sorted(application.ratings.all(), key=lambda rating: rating.round)
    if not ratings:
        if application.state not in RATABLE_STATES:
            raise IllegalTransition(
                _("An application can be rated once its decision is made (approved, rejected or not accepted)."),
                current_state=application.state, action="rate")
        return FIRST_ROUND
    last = ratings[-1]
    if last.round >= FINAL_ROUND:
        raise IllegalTransition(_("This application has been rated again after the rectification; that rating "
                                  "is final."), current_state=application.state, action="rate")
    rectification = _rectification_of(last)
    if rectification is None:
        raise IllegalTransition(_("This application has already been rated; each application is rated once."),
                                current_state=application.state, action="rate")
    if rectification.is_open:
        raise IllegalTransition(
            _("The department is rectifying after your rating (due %(due)s); you may rate again once it has "
              "closed the rectification.") % {"due": rectification.due_date},
            current_state=application.state, action="rate")
    return FINAL_ROUND


def _rectification_of(rating: Rating) -> Rectification | None:
    try:
        return rating.rectification
    except Rectification.DoesNotExist:
        return None


def require_ratable(user: Any, application: Application) -> int:
    """A member of the applying enterprise rates, and only when the application may be rated; the round."""
    require_member(user, application)
    return next_round(application)


def may_rate(user: Any, application: Application) -> bool:
    return passes(require_ratable, user, application)


def require_closable(user: Any, rectification: Rectification) -> None:
    """Only an official of the rectification's department (or a superuser) closes it, and only once."""
    if not is_official_of(user, rectification.department_id):
        raise PermissionError("not an official of the rectifying department")
    if not rectification.is_open:
        raise IllegalTransition(_("This rectification has already been closed."),
                                current_state=rectification.status, action="close")


def may_close(user: Any, rectification: Rectification) -> bool:
    return passes(require_closable, user, rectification)

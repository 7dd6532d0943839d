"""Who holds a review task: an official claims it (认领), hands it to a colleague (转办) or puts it back.

A task one official holds is decided by that official only (`rules.require_decidable`), so two
colleagues never review the same step at once; the others see who has it. Each change locks the
task row, so of two officials claiming at once exactly one gets it, and is one event in the
application's timeline. Holding a task changes nothing of the application's state or clocks.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.outbox import notify
from portal.core.audit import record_event
from services.applications.selectors import colleagues_of
from services.applications.workflow.rules import require_claimable, require_reassignable, require_releasable
from services.models import Task


def _lock_task(task_id: int) -> Task:
    """The task row, locked until the end of the transaction (not its application: holding a task
    is no state change, and a decision locks the application, then the task, in that order).

    The holder is not joined in: a claim that waited for the lock re-reads the task row as the
    winner left it, but PostgreSQL keeps the joined user as it was before, so the holder would
    read as nobody. It is fetched after the lock instead.
    """
    return (
        Task.objects.select_for_update(of=("self",))
        .select_related("application", "application__service", "department")
        .get(pk=task_id)
    )


def _record(actor: Any, task: Task, action: str, *, holder: Any = None, previous: Any = None) -> None:
    record_event(actor, f"application.task_{action}", task.application, data={
        "task": task.pk, "step": task.name, "department": task.department.code,
        "holder": holder.get_username() if holder else None,
        "previous_holder": previous.get_username() if previous else None,
    })


def _hold(task: Task, holder: Any) -> None:
    task.claimed_by, task.claimed_at = holder, timezone.now() if holder else None
    task.save(update_fields=["claimed_by", "claimed_at"])


def claim_task(official: Any, task_id: int) -> Task:
    """Take an open task of one's department that nobody holds; a held one is refused, naming its holder."""
    with transaction.atomic():
        task = _lock_task(task_id)
        require_claimable(official, task)
        _hold(task, official)
        _record(official, task, "claimed", holder=official)
    return task


def _colleague(task: Task, to: Any) -> Any:
    """The official of the task's department named by `to` (a user or a user id), or a refusal on `to`."""
    to_id = getattr(to, "pk", to)
    try:
        to_id = int(to_id)
    except (TypeError, ValueError):
        raise ValidationError({"to": _("Choose the colleague to hand the task to.")}) from None
    colleague = colleagues_of(task.department_id).filter(pk=to_id).first()
    if colleague is None:
        raise ValidationError({"to": _("A task can be handed only to an active official of %(department)s.")
                               % {"department": task.department}})
    if colleague.pk == task.claimed_by_id:
        raise ValidationError({"to": _("%(holder)s already holds this task.") % {"holder": colleague}})
    return colleague


def reassign_task(official: Any, task_id: int, to: Any) -> Task:
    """Hand an open task to a colleague of its department (any official of the department may, held or not).

    The new holder is told in their inbox, unless they handed it to themselves.
    """
    with transaction.atomic():
        task = _lock_task(task_id)
        require_reassignable(official, task)
        colleague = _colleague(task, to)
        previous = task.claimed_by
        _hold(task, colleague)
        _record(official, task, "reassigned", holder=colleague, previous=previous)
        if colleague.pk != getattr(official, "pk", None):
            application = task.application
            notify(colleague, "task.opened",
                   context={"reference": application.reference, "service": application.service.name},
                   key=f"{application.pk}:task:{task.pk}:held:{colleague.pk}:{task.claimed_at.isoformat()}",
                   link=reverse("admin:services_application_change", args=[application.pk]))
    return task


def release_task(official: Any, task_id: int) -> Task:
    """Put a held task back in the department's queue, for anyone of it to claim."""
    with transaction.atomic():
        task = _lock_task(task_id)
        require_releasable(official, task)
        previous = task.claimed_by
        _hold(task, None)
        _record(official, task, "released", previous=previous)
    return task

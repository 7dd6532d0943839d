"""What every workflow function shares: the lock, the state move, the record of a change."""

import datetime
import math
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed

from enterprises.models import CreditRecord, Enterprise
from notifications.outbox import notify, publish
from portal.core.access import is_official_of
from portal.core.audit import record_event
from portal.core.errors import IllegalTransition
from portal.core.files import check_upload
from services.applications.notices import issuing as notices
from services.applications.workflow import extensions
from services.calendar.working_days import add_working_days
from services.models import Application, Department, MaterialRequirement, State, Task

ACCEPTANCE_DAYS = 5  # 行政许可法 Art. 32: accept or ask for corrections within 5 working days
EXTENSION_DAYS = 10  # one extension of the statutory limit, with a recorded reason
WARNING_SHARE = 0.8  # the deadline turns yellow when 80% of the promised days are used

ACTION_LABELS = {
    "submit": _("submit"),
    "accept": _("accept"),
    "refuse": _("refuse"),
    "request_correction": _("request correction"),
    "resubmit": _("resubmit"),
    "approve": _("approve"),
    "reject": _("reject"),
    "withdraw": _("withdraw"),
    "suspend": _("suspend"),
    "revoke": _("revoke"),
    "complete": _("complete"),
    "extend": _("extend"),
}


def today() -> datetime.date:
    return timezone.localdate()


def is_member(user: Any, enterprise: Enterprise) -> bool:
    return Enterprise.objects.of_member(user).filter(pk=enterprise.pk).exists()


def require_member(user: Any, application: Application) -> None:
    if not is_member(user, application.enterprise):
        raise PermissionError("not a member of the applying enterprise")


def require_official(user: Any, department: Department) -> None:
    if not is_official_of(user, department):
        raise PermissionError("not an official of the responsible department")


def lock(application_id: int) -> Application:
    """The application row, locked until the end of the transaction."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("service", "enterprise", "service__lead_department")
        .get(pk=application_id)
    )


def refusal(application: Application, action: str) -> IllegalTransition:
    """The error of an action the application's state does not allow."""
    return IllegalTransition(
        _("“%(action)s” is not allowed while the application is “%(state)s”.")
        % {"action": ACTION_LABELS.get(action, action), "state": State(application.state).label},
        current_state=application.state,
        action=action,
    )


def move(application: Application, transition: str, action: str) -> str:
    """Run one fsm transition and return the state it left; an illegal one raises IllegalTransition."""
    from_state = application.state
    try:
        getattr(application, transition)()
    except TransitionNotAllowed:
        raise refusal(application, action) from None
    return from_state


def record_change(
    actor: Any,
    application: Application,
    action: str,
    from_state: str,
    *,
    reason: str = "",
    data: dict | None = None,
) -> None:
    """Save the application, record the one audit event and tell the enterprise's members.

    A transition that issues an official notice (受理, 补正, 不予受理, the decisions) has it issued
    after the commit, by the event's hash (`services/applications/notices/`).
    """
    application.save()
    event = record_event(
        actor, f"application.{action}", application,
        from_state=from_state, to_state=application.state, reason=reason, data=data,
    )
    notices.schedule(event, application)
    for member in application.enterprise.members.all():
        notify(
            member,
            "application.changed",
            context={
                "reference": application.reference,
                "service": application.service.name,
                "state": State(application.state).label,
                "reason": reason or "—",
            },
            key=f"{application.pk}:{event.pk}",
            link=f"/applications/{application.pk}/",
        )
    publish(application.enterprise, "application.status_changed", {
        "application": application.pk, "reference": application.reference, "service": application.service.code,
        "from_status": from_state, "status": application.state, "reason": reason,
        "at": timezone.localtime(event.at).isoformat(),
    }, key=f"{application.pk}:{event.pk}")


def notify_officials(department: Department, application: Application, key: str) -> None:
    for official in department.officials.filter(is_active=True):
        notify(
            official,
            "task.opened",
            context={"reference": application.reference, "service": application.service.name},
            key=f"{application.pk}:{key}",
            link=reverse("admin:services_application_change", args=[application.pk]),
        )


def due(start: datetime.date, days: int, application: Application) -> datetime.date:
    """`days` working days after `start`; marks the application's dates provisional if need be."""
    result = add_working_days(start, days)
    if result.provisional:
        application.dates_provisional = True
    return result.date


def check_file(file: Any, application: Application, material: MaterialRequirement) -> str:
    """Refuse a file the material does not take, or one the application has no room left for.

    Called under the application's lock, so two uploads at once cannot both fit in the last room.
    Returns the type found in the file's content.
    """
    if not file:
        raise ValidationError({"file": _("Choose a file to upload.")})
    try:
        kind = check_upload(file, material.upload_types())
    except ValidationError as error:
        # The errors themselves, not their text: the API answers a too-large file with 413.
        raise ValidationError({"file": error.error_list}) from None
    limit = settings.MAX_APPLICATION_UPLOAD_MB * 1024 * 1024
    if stored_size(application) + file.size > limit:
        raise ValidationError({"file": ValidationError(
            _("The application's files would come to more than %(mb)s MB together; replace large scans by "
              "smaller ones."), code="application_files_size", params={"mb": settings.MAX_APPLICATION_UPLOAD_MB},
        )})
    return kind


def stored_size(application: Application) -> int:
    """Bytes of the files attached to the application (a file gone from the disk counts nothing)."""
    total = 0
    for document in application.documents.all():
        try:
            total += document.file.size
        except (FileNotFoundError, ValueError):
            continue
    return total


def open_acceptance_task(application: Application) -> Task:
    """The lead department's acceptance (受理) in its queue, due when the application must be accepted.

    Opened by each submission (a resubmission after a correction at intake opens the next one);
    it turns yellow four working days in, like a review step at 80% of its promise.
    """
    return Task.objects.create(
        application=application, kind=Task.Kind.ACCEPTANCE, department_id=application.service.lead_department_id,
        order=0, name=str(_("Acceptance")), status=Task.Status.OPEN,
        due_date=application.acceptance_due, warning_on=acceptance_warning_on(application),
    )


def acceptance_warning_on(application: Application) -> datetime.date:
    """The day the acceptance task turns yellow: 80% of the acceptance days after receipt."""
    return due(application.received_on, math.ceil(WARNING_SHARE * ACCEPTANCE_DAYS), application)


def close_acceptance_task(application: Application, status: str, actor: Any, comment: str = "") -> None:
    """Close the open acceptance task with the acceptance's outcome, in the transaction that decided it.

    Every route that takes an application out of `submitted` calls this (the intake, the admin,
    the queue, the timer's automatic acceptance, a withdrawal), so the queue never keeps a
    decided acceptance open. `actor` is None when the timer accepted.
    """
    application.tasks.filter(kind=Task.Kind.ACCEPTANCE, status=Task.Status.OPEN).update(
        status=status, decided_by=actor, decided_at=timezone.now(), comment=comment)


def cancel_open_tasks(application: Application) -> None:
    application.tasks.filter(status__in=[Task.Status.OPEN, Task.Status.WAITING]).update(status=Task.Status.CANCELLED)


def undo_approval(application: Application, reason: str) -> None:
    """What every revocation does, in its transaction: open tasks cancelled, the enterprise on the
    credit list, and what the approval consumed (a talent policy's quota) given back."""
    cancel_open_tasks(application)
    put_on_credit_list(application, reason)
    extensions.on_revoke(application)


def put_on_credit_list(application: Application, reason: str) -> None:
    """A credit record for the enterprise; it bars the commitment mode for the item's period."""
    enterprise = Enterprise.objects.select_for_update().get(pk=application.enterprise_id)
    until = today() + datetime.timedelta(days=application.service.credit_bar_days)
    CreditRecord.objects.create(enterprise=enterprise, application=application, reason=reason,
                                listed_on=today(), listed_until=until)
    if not enterprise.credit_listed_until or enterprise.credit_listed_until < until:
        enterprise.credit_listed_until = until
        enterprise.save(update_fields=["credit_listed_until"])
    application.enterprise = enterprise

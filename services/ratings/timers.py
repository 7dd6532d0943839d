"""The clock of 好差评: a rectification past its due date is flagged to its department, once."""

from django.urls import reverse

from notifications.models import Notification
from notifications.outbox import notify
from services.applications.workflow import today
from services.models import Department
from services.ratings.models import Rectification


def flag_overdue_rectifications() -> int:
    """Tell the rectifying department's officials once when an open rectification passes its due date.

    The message's key is the rectification's, so a second run (or a second worker) writes nothing
    again; an official who joins the department later is told on the next run. Returns how many
    messages were written (0 on a second run).
    """
    flagged = 0
    overdue = (Rectification.objects.filter(status=Rectification.Status.OPEN, due_date__lt=today())
               .select_related("application", "application__service"))
    officials_of: dict[int, list] = {}
    for rectification in overdue:
        department_id = rectification.department_id
        if department_id not in officials_of:
            officials_of[department_id] = list(
                Department.objects.get(pk=department_id).officials.filter(is_active=True))
        application = rectification.application
        link = reverse("admin:services_rectification_change", args=[rectification.pk])
        key = f"rectification-overdue:{rectification.pk}"
        told = set(Notification.objects.filter(
            idempotency_key__in=[f"sla.warning:inbox:{o.pk}:{key}" for o in officials_of[department_id]],
        ).values_list("recipient_id", flat=True))
        for official in officials_of[department_id]:
            if official.pk in told:
                continue
            notify(official, "sla.warning", variant="rectification_overdue", link=link, key=key,
                   context={"reference": application.reference, "service": application.service.name,
                            "due": rectification.due_date.isoformat(), "level": "red"})
            flagged += 1
    return flagged

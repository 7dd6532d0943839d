"""Post-checks of commitment approvals (事后核查): a random sample, a randomly drawn official (双随机)."""

import random
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.outbox import notify
from portal.core.access import officials
from portal.core.audit import record_event
from services.applications.workflow.core import due, lock, move, record_change, today, undo_approval
from services.applications.workflow.rules import require_post_check
from services.models import Application, ApprovalMode, PostCheck

_system_random = random.SystemRandom()


def sample_post_check(application_id: int, rng: random.Random | None = None) -> PostCheck | None:
    """Draw, once, whether this commitment approval is checked, and by which official."""
    rng = rng or _system_random
    with transaction.atomic():
        application = lock(application_id)
        if application.post_check_sampled or application.service.approval_mode != ApprovalMode.COMMITMENT:
            return None
        application.post_check_sampled = True
        service = application.service
        ratio = float(service.post_check_ratio)
        if ratio < 1 and rng.random() >= ratio:
            application.save(update_fields=["post_check_sampled"])
            record_event(None, "application.post_check_not_sampled", application)
            return None
        department = service.lead_department
        drawn_from = list(officials().filter(departments=department).order_by("pk"))
        if not drawn_from:
            raise ValidationError({"department": _("The department has no official to assign the post-check to.")})
        assignee = rng.choice(drawn_from)
        check_due = due(today(), service.post_check_window_days, application)
        check = PostCheck.objects.create(application=application, department=department, assignee=assignee,
                                         due_date=check_due)
        application.save(update_fields=["post_check_sampled", "dates_provisional"])
        record_event(None, "application.post_check_sampled", application,
                     data={"assignee": assignee.username, "due": check_due.isoformat()})
        notify(assignee, "post_check.assigned",
               context={"reference": application.reference, "service": service.name, "due": check_due.isoformat()},
               key=str(check.pk), link=reverse("admin:services_postcheck_change", args=[check.pk]))
    return check


def run_post_check(official: Any, post_check_id: int, passed: bool, note: str = "") -> Application:
    """Record the post-check: a pass completes the application, a failure revokes it."""
    application_id = PostCheck.objects.filter(pk=post_check_id).values_list("application_id", flat=True).first()
    if application_id is None:
        raise PostCheck.DoesNotExist
    note = (note or "").strip()
    if not passed and not note:
        raise ValidationError({"note": _("Record what the check found.")})
    with transaction.atomic():
        application = lock(application_id)
        check = PostCheck.objects.select_for_update().get(pk=post_check_id)
        require_post_check(official, check, application)
        check.result = PostCheck.Result.PASSED if passed else PostCheck.Result.FAILED
        check.note, check.done_at = note, timezone.now()
        check.save()
        if passed:
            from_state = move(application, "complete", "complete")
            record_change(official, application, "post_check_passed", from_state, reason=note)
        else:
            from_state = move(application, "revoke", "revoke")
            undo_approval(application, note)
            record_change(official, application, "post_check_failed", from_state, reason=note)
    return application

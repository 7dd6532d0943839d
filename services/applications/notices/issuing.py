"""Issuing notices: scheduled where the workflow records a transition, issued once by a Celery task.

`schedule(event, application)` is called by `workflow.core.record_change`, the one place every
transition records its audit event: if the action issues a notice, a task is queued once the
transaction commits (a rolled-back transition issues nothing). `issue(event_id)` renders the PDF
and stores it under the application's row lock, so a retried or redelivered task, the sweeper and a
second run all find the notice already there and create nothing. `issue_missing` (a timer) issues
what a lost task left undone.
"""

import datetime
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from portal.models import AuditEvent
from services.applications.notices import pdf
from services.applications.notices.codes import code_of, verification_url
from services.applications.notices.kinds import ACTION_KINDS, TITLES, kind_of
from services.applications.notices.models import Notice, NoticeKind
from services.applications.notices.wording import chinese_date, wording_of
from services.models import Application, State

log = logging.getLogger(__name__)

TARGET = "services.application"
SWEEP_DAYS = 7  # the sweeper looks this far back for transitions without their notice
SWEEP_AFTER = datetime.timedelta(minutes=2)  # and leaves the newest to the task queued for them


def schedule(event: AuditEvent, application: Application) -> None:
    """Queue the notice of a recorded transition, if it issues one, for after the commit."""
    if kind_of(event.action) is None:
        return
    event_id = event.pk

    def queue() -> None:
        from services.applications.notices.tasks import issue_notice

        try:
            issue_notice.delay(event_id)
        except Exception as error:  # the broker is down: the sweeper issues it later
            log.warning("notice of event %s not queued (%s); the sweeper will issue it", event_id, error)

    transaction.on_commit(queue)


def _iso(day: datetime.date | None) -> str:
    return day.isoformat() if day else ""


def facts_of(application: Application, event: AuditEvent, kind: str) -> dict[str, Any]:
    """What the notice states: the application, the item, the department and the transition's facts."""
    service, enterprise = application.service, application.enterprise
    issued_on = timezone.localdate(event.at)
    facts: dict[str, Any] = {
        "reference": application.reference, "enterprise": enterprise.name, "uscc": enterprise.uscc,
        "service": service.name, "service_code": service.code, "department": service.lead_department.name,
        "legal_basis": service.legal_basis, "received_on": _iso(application.received_on),
        "accepted_on": _iso(application.accepted_on), "decision_due": _iso(application.decision_due),
        "statutory_due": _iso(application.statutory_due), "issued_on": issued_on.isoformat(),
        "issued_on_text": chinese_date(issued_on), "reason": event.reason,
    }
    if kind == NoticeKind.ACCEPTANCE:
        facts["automatic"] = event.actor_id is None
    elif kind == NoticeKind.CORRECTION:
        notice = (application.corrections.filter(requested_at__lte=event.at)
                  .order_by("-requested_at", "-id").first())
        facts["items"] = list(notice.items) if notice else [event.reason]
        facts["respond_by"] = _iso(notice.respond_by) if notice else ""
        facts["in_review"] = bool(notice and notice.resume_state)
    elif kind == NoticeKind.APPROVAL and event.to_state == State.APPROVED_PENDING_DOCUMENTS:
        facts["deferred"] = [{"material": row.material.name, "due": row.due_date.isoformat()}
                             for row in application.deferred.select_related("material").order_by("due_date", "id")]
    elif kind == NoticeKind.COMMITMENT_APPROVAL:
        commitment = getattr(application, "commitment", None)
        facts["commitment_digest"] = commitment.digest if commitment else ""
        facts["signed_at"] = (timezone.localtime(commitment.signed_at).strftime("%Y-%m-%d %H:%M:%S")
                              if commitment else "")
    return facts


def issue(event_id: int) -> Notice | None:
    """The notice of the transition recorded as `event_id`, created on the first call only.

    None when the event issues no notice. Under the application's lock: of two runs at once, the
    second waits and then finds the first one's notice.
    """
    event = AuditEvent.objects.filter(pk=event_id, target_type=TARGET).first()
    kind = kind_of(event.action) if event else None
    if kind is None:
        return None
    with transaction.atomic():
        application = (Application.objects.select_for_update(of=("self",))
                       .select_related("service__lead_department", "enterprise").get(pk=event.target_id))
        existing = Notice.objects.filter(application=application, kind=kind, event=event).first()
        if existing is not None:
            return existing
        code = code_of(event.hash)
        facts = facts_of(application, event, kind)
        title = TITLES[kind]
        content = pdf.render(title=title, facts=facts, wording=wording_of(kind, facts), code=code,
                             url=verification_url(code))
        notice = Notice(application=application, kind=kind, event=event, code=code, title=title,
                        department=application.service.lead_department, issued_at=event.at, facts=facts)
        notice.file.save(f"{code}.pdf", ContentFile(content), save=False)
        notice.save()
    log.info("notice %s (%s) issued for %s", code, kind, application.reference)
    return notice


def missing(now: datetime.datetime | None = None):
    """Transitions of the last days that issue a notice and have none (their task was lost)."""
    now = now or timezone.now()
    issued = Notice.objects.values("event_id")
    return (AuditEvent.objects.filter(target_type=TARGET, action__in=list(ACTION_KINDS),
                                      at__gte=now - datetime.timedelta(days=SWEEP_DAYS), at__lt=now - SWEEP_AFTER)
            .exclude(pk__in=issued).order_by("id").values_list("pk", flat=True))


def issue_missing(now: datetime.datetime | None = None) -> int:
    """Issue every notice a lost task left undone; how many were issued."""
    done = 0
    for event_id in missing(now):
        if issue(event_id) is not None:
            done += 1
    return done

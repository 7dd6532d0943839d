"""The hot paths' JSON, written by plain functions: an application, its tasks and deferrals, a queue row.

DRF's ModelSerializer builds its fields anew for every instance it meets through a nested
serializer, which made a page of 20 applications cost tens of milliseconds of Python for a few of
SQL (bench/RESULTS.md). The serializers in `serializers.py` keep describing the API (the schema is
generated from them, unchanged); their `to_representation` calls these functions, which write the
same keys and values (tests/services/applications/test_representations.py holds them equal).
"""

import datetime
from typing import Any

from django.utils import timezone

from services.models import Application, DeferredMaterial, Document, Task


def date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def moment(value: datetime.datetime | None) -> str | None:
    """As DRF's DateTimeField writes it: in the current time zone, ISO 8601, `Z` for UTC."""
    if value is None:
        return None
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def task(row: Task) -> dict[str, Any]:
    department = row.department
    holder = row.claimed_by
    return {
        "id": row.id, "kind": row.kind,
        "department": {"code": department.code, "name": department.name, "name_en": department.name_en},
        "name": row.name, "status": row.status, "due_date": date(row.due_date), "order": row.order,
        "comment": row.comment, "decided_at": moment(row.decided_at),
        "claimed_by": holder.get_username() if holder else None,
        "claimed_by_name": (holder.get_full_name() or holder.get_username()) if holder else None,
        "claimed_at": moment(row.claimed_at),
    }


def queue_task(row: Task) -> dict[str, Any]:
    application = row.application
    return {**task(row), "application": row.application_id, "reference": application.reference,
            "service": application.service.code, "enterprise": application.enterprise.name}


def deferred(row: DeferredMaterial) -> dict[str, Any]:
    return {"material": row.material.code, "due_date": date(row.due_date), "supplied": row.supplied_at is not None,
            "due_provisional": row.due_provisional, "supplied_at": moment(row.supplied_at),
            "checked_at": moment(row.checked_at)}


def application(row: Application) -> dict[str, Any]:
    service = row.service
    due = row.decision_due or row.acceptance_due
    return {
        "id": row.id, "reference": row.reference, "status": row.state, "due_date": date(due),
        "dates_provisional": row.dates_provisional, "service": service.code, "service_name": service.name,
        "enterprise": row.enterprise_id, "form": row.form, "received_on": date(row.received_on),
        "acceptance_due": date(row.acceptance_due), "accepted_on": date(row.accepted_on),
        "decision_due": date(row.decision_due), "statutory_due": date(row.statutory_due),
        "decided_on": date(row.decided_on), "created_at": moment(row.created_at),
        "tasks": [task(step) for step in row.review_tasks()],
        "deferred": [deferred(item) for item in row.deferred.all()],
    }


def attached_document(row: Document) -> dict[str, Any]:
    try:
        size = row.file.size
    except OSError:
        size = None
    return {"id": row.id, "material": row.material.code, "name": row.original_name, "size": size,
            "uploaded_at": moment(row.uploaded_at), "reused_from": row.reused_from_id,
            "supplied_at": moment(row.original.uploaded_at)}

"""The audit trail: every decision and state change is recorded here, by one function."""

from typing import Any

from django.db import models

from portal.models import AuditEvent


def record_event(
    actor: Any,
    action: str,
    target: models.Model,
    *,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict | None = None,
) -> AuditEvent:
    """Add one event to the trail; call it inside the transaction that makes the change."""
    return record_event_about(
        actor, action, target._meta.label_lower, target.pk,
        from_state=from_state, to_state=to_state, reason=reason, data=data,
    )


def record_event_about(
    actor: Any,
    action: str,
    target_type: str,
    target_id: int,
    *,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict | None = None,
) -> AuditEvent:
    """`record_event` for a record known by its type and id only (one already deleted, say)."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
    )


def events_of(target: models.Model):
    """The timeline of one record, oldest first."""
    return AuditEvent.objects.filter(
        target_type=target._meta.label_lower, target_id=target.pk
    ).select_related("actor")

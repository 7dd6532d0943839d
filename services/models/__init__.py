"""Models of the services app, one module per domain concept."""

from services.models.audit import AuditEvent
from services.models.departments import Department
from services.models.notifications import Notification

__all__ = ["AuditEvent", "Department", "Notification"]

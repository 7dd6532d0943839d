"""Models of the services app, one module per domain concept."""

from services.models.audit import AuditEvent
from services.models.calendar import CalendarDay, CalendarYear
from services.models.departments import Department
from services.models.notifications import Notification

__all__ = ["AuditEvent", "CalendarDay", "CalendarYear", "Department", "Notification"]

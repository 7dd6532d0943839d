"""Models of the services app, one module per domain concept."""

from services.models.applications import (
    Application,
    Commitment,
    CorrectionNotice,
    DeferredMaterial,
    Document,
    PostCheck,
    State,
    Task,
)
from services.models.audit import AuditEvent
from services.models.calendar import CalendarDay, CalendarYear
from services.models.catalogue import ApprovalMode, MaterialRequirement, ReviewStep, ServiceItem
from services.models.departments import Department
from services.models.notifications import (
    DeliveryAttempt,
    Notification,
    NotificationPreference,
    WebhookEndpoint,
)

__all__ = [
    "Application",
    "ApprovalMode",
    "AuditEvent",
    "CalendarDay",
    "CalendarYear",
    "Commitment",
    "CorrectionNotice",
    "DeferredMaterial",
    "Department",
    "Document",
    "MaterialRequirement",
    "DeliveryAttempt",
    "Notification",
    "NotificationPreference",
    "PostCheck",
    "ReviewStep",
    "ServiceItem",
    "State",
    "Task",
    "WebhookEndpoint",
]

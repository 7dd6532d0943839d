"""Models of the services app. Each sub-package keeps its own models; Django finds them here."""

from services.applications.models import (
    Application,
    Commitment,
    CorrectionNotice,
    DeferredMaterial,
    Document,
    PostCheck,
    State,
    Task,
)
from services.applications.notices.models import Notice, NoticeKind
from services.calendar.models import CalendarDay, CalendarYear
from services.catalogue.form_fields import FieldKind, FormField
from services.catalogue.models import ApprovalMode, Department, MaterialRequirement, ReviewStep, ServiceItem
from services.ratings.models import Rating, Rectification

__all__ = [
    "Application",
    "ApprovalMode",
    "CalendarDay",
    "CalendarYear",
    "Commitment",
    "CorrectionNotice",
    "DeferredMaterial",
    "FieldKind",
    "Department",
    "Document",
    "FormField",
    "MaterialRequirement",
    "Notice",
    "NoticeKind",
    "PostCheck",
    "Rating",
    "Rectification",
    "ReviewStep",
    "ServiceItem",
    "State",
    "Task",
]

"""Who may read an application's notices: its enterprise's members and the officials entitled to it."""

from typing import Any

from django.db.models import Q, QuerySet

from services.applications.selectors import applications_of, applications_visible_to
from services.models import Application


def applications_with_notices_for(user: Any) -> QuerySet[Application]:
    """The applications whose notices `user` may read and download: a clerk's own enterprises'
    (`applications_of`), an official's departments' (`applications_visible_to`); anyone else's are
    not found."""
    return Application.objects.filter(
        Q(pk__in=applications_of(user).values("pk")) | Q(pk__in=applications_visible_to(user).values("pk")))

"""The official's workbench on the admin's index: how much work is waiting, and how much of it is late."""

from typing import Any

from django import template
from django.utils import timezone

from services.applications.selectors import late_task, work_of

register = template.Library()


@register.simple_tag(takes_context=True)
def work_summary(context: dict[str, Any]) -> dict[str, int]:
    """The counts of the signed-in official's work to do and of the late part of it (two queries)."""
    user = context["request"].user
    work = work_of(user)
    return {"open": work.count(), "late": work.filter(late_task(timezone.localdate())).count()}

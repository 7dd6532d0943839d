"""Who may see what in the officials' admin: one place for department scoping."""

from typing import Any

from django.conf import settings


def is_official(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_staff and not user.is_superuser)


def department_ids(user: Any) -> list[int]:
    """Ids of the departments an official belongs to (cached on the user object)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_department_ids", None)
    if cached is None:
        cached = list(user.departments.values_list("id", flat=True))
        user._department_ids = cached
    return cached


def reviews_registrations(user: Any) -> bool:
    """Officials of the registration department verify enterprises."""
    if user.is_superuser:
        return True
    return bool(
        is_official(user)
        and user.departments.filter(code=settings.REGISTRATION_DEPARTMENT_CODE).exists()
    )


class DepartmentScopedAdmin:
    """Admin mixin: an official sees only rows of their own departments; superusers see all.

    `department_lookup` is the ORM path from the model to its Department.
    Scoping the queryset (not the menu) makes crafted URLs answer "not found" too.
    """

    department_lookup = "department"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.department_lookup}__in": department_ids(request.user)}).distinct()

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


def is_official_of(user: Any, department: Any) -> bool:
    """Whether the user acts for `department`: one of its officials, or a superuser."""
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser or (user.is_staff and department.pk in department_ids(user)))


def reviews_registrations(user: Any) -> bool:
    """Officials of the registration department verify enterprises."""
    if user.is_superuser:
        return True
    return bool(
        is_official(user)
        and user.departments.filter(code=settings.REGISTRATION_DEPARTMENT_CODE).exists()
    )


class SuperuserChangesOnly:
    """Admin mixin: adding, changing and deleting are for superusers; viewing follows the view permission."""

    def has_add_permission(self, request, *args):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


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

"""Admin mixins shared by every app: who may add, change, delete and see rows in the panel."""

from django.http import HttpRequest

from portal.core import access


class ReadOnly:
    """Rows are written by the portal's domain functions only: the admin shows them."""

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class SuperuserChangesOnly:
    """Adding, changing and deleting are for superusers; viewing follows the view permission."""

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return access.is_superuser(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return access.is_superuser(request.user)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return access.is_superuser(request.user)


class SuperuserOnly(SuperuserChangesOnly):
    """The whole model is for superusers: others do not even see it in the menu."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.is_superuser(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return access.is_superuser(request.user)


class DepartmentScoped:
    """An official sees only rows of their own departments; superusers see all.

    `department_lookup` is the ORM path from the model to its Department. Scoping the queryset
    (not the menu) makes crafted URLs answer "not found" too.
    """

    department_lookup = "department"

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        scoped = access.in_departments(request.user, queryset, self.department_lookup)
        return scoped if access.is_superuser(request.user) else scoped.distinct()

"""Who is who, and who may act where: the one module that reads `is_staff` and `is_superuser`.

Every page, admin class, API view and domain function asks these questions here, so "who is an
official" has one answer. The kernel imports no domain app: the enterprise model is named by its
label, as Django names the user model.
"""

from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Model, Q, QuerySet
from django.http import Http404


def is_superuser(user: Any) -> bool:
    """An administrator of the portal (an auditor too): sees every department's work."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def sees_whole_district(user: Any) -> bool:
    """Whose dashboard and exports span every department of the district (the district view)."""
    return is_superuser(user)


def is_official(user: Any) -> bool:
    """A district official, or a superuser acting as one: a member of the admin panel's staff."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_staff or user.is_superuser)
    )


def department_ids(user: Any) -> list[int]:
    """Ids of the departments an official belongs to (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_department_ids", None)
    if cached is None:
        cached = list(user.departments.values_list("id", flat=True))
        user._department_ids = cached
    return cached


def is_official_of(user: Any, department: Any) -> bool:
    """Whether the user acts for `department` (a Department or its id): its official, or a superuser."""
    if is_superuser(user):
        return True
    department_id = getattr(department, "pk", department)
    return is_official(user) and department_id in department_ids(user)


def in_departments(user: Any, queryset: QuerySet, lookup: str = "department") -> QuerySet:
    """The rows of `queryset` that belong to the user's departments (all of them for a superuser)."""
    if is_superuser(user):
        return queryset
    if not is_official(user):
        return queryset.none()
    return queryset.filter(**{f"{lookup}__in": department_ids(user)})


def reviews_registrations(user: Any) -> bool:
    """Officials of the registration department verify enterprises."""
    if is_superuser(user):
        return True
    return is_official(user) and user.departments.filter(code=settings.REGISTRATION_DEPARTMENT_CODE).exists()


def superusers() -> QuerySet:
    """The active superusers: who hears of failures nobody else can mend."""
    return get_user_model().objects.filter(is_superuser=True, is_active=True)


def official_choices() -> Q:
    """Who may be picked where an official is asked for (a department's officials, a service manager)."""
    return Q(is_staff=True)


def officials() -> QuerySet:
    """The active officials (superusers included)."""
    return get_user_model().objects.filter(is_active=True, is_staff=True)


def of_member(queryset: QuerySet, user: Any, enterprise_path: str = "enterprise") -> QuerySet:
    """The rows of `queryset` that belong to the user's enterprises: the one membership rule.

    `enterprise_path` is the ORM path from the model to its enterprise ("" for enterprises).
    """
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    prefix = f"{enterprise_path}__" if enterprise_path else ""
    return queryset.filter(**{f"{prefix}memberships__user": user})


class MemberQuerySet(QuerySet):
    """A queryset of rows that belong to an enterprise, with `of_member(user)`: the membership rule."""

    enterprise_path = "enterprise"  # the ORM path to the enterprise ("" for enterprises themselves)

    def of_member(self, user: Any) -> QuerySet:
        """The rows of the user's enterprises: the only ones a portal user may see."""
        return of_member(self, user, self.enterprise_path)


def is_member(user: Any, enterprise: Model) -> bool:
    """Whether the user works for the enterprise (any membership)."""
    if enterprise is None:
        return False
    return of_member(type(enterprise).objects.filter(pk=enterprise.pk), user, "").exists()


def member_enterprises(user: Any) -> QuerySet:
    """The enterprises the user works for: the one way to reach an enterprise's data."""
    return apps.get_model("enterprises", "Enterprise").objects.of_member(user)


def member_enterprise(user: Any, pk: Any) -> Model:
    """The user's own enterprise `pk`; anyone else's answers "not found", never "forbidden"."""
    try:
        return member_enterprises(user).get(pk=int(pk))
    except (TypeError, ValueError, OverflowError) as error:
        raise Http404 from error
    except apps.get_model("enterprises", "Enterprise").DoesNotExist as error:
        raise Http404 from error


def of_manager(queryset: QuerySet, user: Any, enterprise_path: str = "") -> QuerySet:
    """The rows of the enterprises `user` looks after as their service manager (服务管家).

    A superuser oversees every enterprise; any other official only those naming them as manager;
    anyone else none. `enterprise_path` is the ORM path to the enterprise ("" for enterprises).
    """
    if is_superuser(user):
        return queryset
    if not is_official(user):
        return queryset.none()
    prefix = f"{enterprise_path}__" if enterprise_path else ""
    return queryset.filter(**{f"{prefix}service_manager": user})


def managed_enterprises(user: Any) -> QuerySet:
    """The enterprises in the user's portfolio as a service manager (every one for a superuser)."""
    return of_manager(apps.get_model("enterprises", "Enterprise").objects.all(), user)


def manages(user: Any, enterprise: Model) -> bool:
    """Whether the user may act as the enterprise's service manager (its manager, or a superuser)."""
    return enterprise is not None and of_manager(type(enterprise).objects.filter(pk=enterprise.pk), user).exists()


def managed_enterprise(user: Any, pk: Any) -> Model:
    """The enterprise `pk` of the user's portfolio; any other answers "not found"."""
    try:
        return managed_enterprises(user).get(pk=int(pk))
    except (TypeError, ValueError, OverflowError) as error:
        raise Http404 from error
    except apps.get_model("enterprises", "Enterprise").DoesNotExist as error:
        raise Http404 from error

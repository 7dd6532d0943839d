"""The catalogue's API answers, kept in the cache (Redis in production) until the catalogue changes.

Every read of `GET /api/v1/services/` (and of one item) used to run six queries and serialize
every item with its materials, steps and form; the catalogue changes a few times a year. An
answer is kept per path, query and language under the catalogue's version; saving or deleting
an item, a material, a review step, a form field or a department moves the version on (at once
and again when the transaction commits, so a reader between the two cannot keep the old answer),
which retires every answer kept. `CATALOGUE_CACHE_SECONDS` bounds how long one is kept (0: off).
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import translation

VERSION_KEY = "catalogue:version"


def version() -> int:
    current = cache.get(VERSION_KEY)
    if current is None:
        cache.add(VERSION_KEY, 1, None)
        current = cache.get(VERSION_KEY) or 1
    return current


def changed(**_: Any) -> None:
    """The catalogue changed: every answer kept is retired."""
    _bump()
    transaction.on_commit(_bump)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not there yet (or evicted): any new value retires the old keys
        cache.set(VERSION_KEY, version() + 1, None)


def kept(path: str, build: Callable[[], Any]) -> Any:
    """The answer for `path` (with its query) in the current language: kept, or built and kept."""
    seconds = settings.CATALOGUE_CACHE_SECONDS
    if seconds <= 0:
        return build()
    key = f"catalogue:{version()}:{translation.get_language()}:{path}"
    answer = cache.get(key)
    if answer is None:
        answer = build()
        cache.set(key, answer, seconds)
    return answer


def connect() -> None:
    from services.catalogue.form_fields import FormField
    from services.catalogue.models import Department, MaterialRequirement, ReviewStep, ServiceItem

    for model in (ServiceItem, MaterialRequirement, ReviewStep, FormField, Department):
        post_save.connect(changed, sender=model, dispatch_uid=f"catalogue-cache-save-{model.__name__}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"catalogue-cache-delete-{model.__name__}")
    m2m_changed.connect(changed, sender=ServiceItem.departments.through, dispatch_uid="catalogue-cache-departments")

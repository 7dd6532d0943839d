"""Every change made in the admin enters the audit trail.

The admin writes one `LogEntry` for each addition, change and deletion it makes, inside the same
transaction; its history is editable by whoever holds the database, so each entry is copied into
the append-only, hash-chained trail as `admin.added`, `admin.changed` or `admin.deleted`.
"""

import json
from typing import Any

from django.contrib.admin import action, actions
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db import transaction
from django.http import HttpRequest

from portal.core.audit import record_event_about

ACTIONS = {ADDITION: "admin.added", CHANGE: "admin.changed", DELETION: "admin.deleted"}


def record_admin_change(sender: Any, instance: LogEntry, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """Copy one new admin log entry into the audit trail (connected to LogEntry's post_save)."""
    if not created or raw or instance.action_flag not in ACTIONS:
        return
    content_type = instance.content_type
    target_type = f"{content_type.app_label}.{content_type.model}" if content_type else "unknown"
    object_id = str(instance.object_id or "")
    data: dict[str, Any] = {"changed": _change_of(instance)}
    if not object_id.isdigit():
        data["object_id"] = object_id[:100]  # the trail's ids are numbers; keep other keys beside
    record_event_about(
        instance.user, ACTIONS[instance.action_flag], target_type,
        int(object_id) if object_id.isdigit() else 0, data=data,
    )


def _change_of(entry: LogEntry) -> Any:
    # The stored form (field names, untranslated), not the message in the reader's language:
    # the event is hashed, so it must not depend on who was signed in.
    try:
        return json.loads(entry.change_message) if entry.change_message else []
    except ValueError:
        return entry.change_message[:500]


@action(permissions=["delete"], description=actions.delete_selected.short_description)
def delete_selected(modeladmin: Any, request: HttpRequest, queryset: Any) -> Any:
    """Django's "delete selected" action, with every deleted record in the audit trail.

    Deleting several records at once, Django writes their log entries in bulk, which sends no
    `post_save`; a single deletion is saved one by one and reaches `record_admin_change` itself.
    """
    doomed = list(queryset.values_list("pk", flat=True))
    with transaction.atomic():
        response = actions.delete_selected(modeladmin, request, queryset)
        if response is None and len(doomed) > 1:  # confirmed and done, not the confirmation page
            target_type = modeladmin.model._meta.label_lower
            for pk in doomed:
                numeric = str(pk).isdigit()
                record_event_about(
                    request.user, "admin.deleted", target_type, int(pk) if numeric else 0,
                    data={"changed": [], **({} if numeric else {"object_id": str(pk)[:100]})},
                )
    return response

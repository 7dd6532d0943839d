"""Notes (the managers' own) and the thread between an enterprise and its service manager."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from enterprises.managers.alerts import workbench_link
from enterprises.managers.models import MESSAGE_MAX_LENGTH, NOTE_MAX_LENGTH, ManagerNote, ThreadMessage
from enterprises.models import Enterprise
from notifications.outbox import notify
from portal.core import access
from portal.core.audit import record_event

EXCERPT_LENGTH = 120


def _clean(text: Any, field: str, limit: int) -> str:
    text = (text if isinstance(text, str) else "" if text is None else str(text)).strip()
    if not text:
        raise ValidationError({field: _("Write something first.")})
    if len(text) > limit:
        raise ValidationError({field: _("At most %(limit)s characters, please (this has %(length)s).")
                               % {"limit": limit, "length": len(text)}})
    return text


def _enterprise(enterprise: Enterprise | int) -> Enterprise:
    pk = getattr(enterprise, "pk", enterprise)
    return Enterprise.objects.select_related("service_manager").get(pk=pk)


def notes_of(user: Any, enterprise: Enterprise) -> QuerySet[ManagerNote]:
    """The managers' notes about the enterprise: none for anyone but its manager (and superusers)."""
    if not access.manages(user, enterprise):
        return ManagerNote.objects.none()
    return ManagerNote.objects.filter(enterprise=enterprise).select_related("author")


def add_note(user: Any, enterprise: Enterprise | int, text: Any) -> ManagerNote:
    """A private note of the enterprise's service manager; the enterprise never sees it."""
    enterprise = _enterprise(enterprise)
    if not access.manages(user, enterprise):
        raise PermissionDenied(_("Only the enterprise's service manager writes notes about it."))
    text = _clean(text, "text", NOTE_MAX_LENGTH)
    with transaction.atomic():
        note = ManagerNote.objects.create(enterprise=enterprise, author=user, text=text)
        record_event(user, "enterprise.manager_note", enterprise, data={"note": note.pk})
    return note


def thread_of(enterprise: Enterprise) -> QuerySet[ThreadMessage]:
    """The enterprise's thread with its service manager, oldest first (callers check who may read it)."""
    return ThreadMessage.objects.filter(enterprise=enterprise).select_related("author")


def side_of(user: Any, enterprise: Enterprise) -> str | None:
    """Which side of the thread the user writes on, or None if they may not write in it."""
    if enterprise.service_manager_id == getattr(user, "pk", None) and access.is_official(user):
        return ThreadMessage.Side.MANAGER
    if access.is_member(user, enterprise):
        return ThreadMessage.Side.ENTERPRISE
    if access.manages(user, enterprise):  # a superuser answering for a manager away
        return ThreadMessage.Side.MANAGER
    return None


def post_message(user: Any, enterprise: Enterprise | int, text: Any) -> ThreadMessage:
    """Write in the thread; the other side is told: the members of the enterprise, or its manager."""
    enterprise = _enterprise(enterprise)
    side = side_of(user, enterprise)
    if side is None:
        raise PermissionDenied(_("Only the enterprise's people and its service manager write in its thread."))
    text = _clean(text, "text", MESSAGE_MAX_LENGTH)
    with transaction.atomic():
        message = ThreadMessage.objects.create(enterprise=enterprise, author=user, side=side, text=text)
        record_event(user, "enterprise.thread_message", enterprise, data={"message": message.pk, "side": side})
        context = {"enterprise": enterprise.name, "author": user.get_full_name() or user.get_username(),
                   "excerpt": text if len(text) <= EXCERPT_LENGTH else text[:EXCERPT_LENGTH] + "…"}
        if side == ThreadMessage.Side.MANAGER:
            link = reverse("enterprise_messages", args=[enterprise.pk])
            recipients = list(enterprise.members.filter(is_active=True))
        else:
            link = workbench_link(enterprise.pk)
            manager = enterprise.service_manager
            recipients = [manager] if manager is not None and manager.is_active else []
        for recipient in recipients:
            if recipient.pk != user.pk:
                notify(recipient, "thread.message", context=context, key=str(message.pk), link=link)
    return message

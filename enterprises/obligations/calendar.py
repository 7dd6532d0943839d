"""The obligations calendar (承诺与义务日历): every date an enterprise's approvals and grants bind it to.

The dates come from the apps that create them (`enterprises.managers.extensions`, obligation
sources): deferred materials and their grace periods, corrections, post-check windows,
commitments, the conditions of grants and the expiry of licences. This module gathers them,
keeps the feed's secret address and writes the feed as iCalendar (RFC 5545).
"""

import datetime
import logging
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.managers.extensions import OBLIGATION_SOURCES, Obligation
from enterprises.models import Enterprise
from enterprises.obligations.models import CalendarFeed
from portal.core import access
from portal.core.audit import record_event
from portal.core.digest import sm3_digest

logger = logging.getLogger(__name__)

# The kinds of obligation, in the words the page, the feed and the reminders use.
KINDS: dict[str, Any] = {
    "deferred_material": _("Deferred material due"),
    "grace_period": _("End of the grace period before revocation"),
    "correction": _("Corrections due"),
    "post_check": _("Post-check window closes"),
    "commitment": _("Commitment conditions hold until"),
    "grant_condition": _("Condition of a grant fulfilled"),
    "licence_expiry": _("Licence expires"),
}


def obligations(enterprise_ids: list[int] | None, start: datetime.date | None = None,
                end: datetime.date | None = None) -> list[Obligation]:
    """The obligations of those enterprises (None: of all) dated between `start` and `end`, by date."""
    found: dict[str, Obligation] = {}
    for name, collect in OBLIGATION_SOURCES.items():
        try:
            for obligation in collect(enterprise_ids, start, end):
                found[obligation.uid] = obligation
        except Exception:  # one source failing leaves the others' dates on the calendar
            logger.exception("obligation source %s failed", name)
    return sorted(found.values(), key=lambda o: (o.on, o.kind, o.uid))


def obligations_of(enterprise: Enterprise) -> list[Obligation]:
    return obligations([enterprise.pk])


def kind_label(kind: str) -> Any:
    return KINDS.get(kind, kind)


# --- the feed's secret address ---------------------------------------------------------------


def _digest(token: str) -> str:
    return sm3_digest(f"calendar-feed:{token}")


def may_manage_feed(user: Any, enterprise: Enterprise) -> bool:
    """The enterprise's people create, replace and revoke its feed address."""
    return access.is_member(user, enterprise)


def regenerate_feed(user: Any, enterprise: Enterprise) -> str:
    """A new secret token for the enterprise's feed, which replaces (and so kills) the old one.

    Only its digest is kept: the token is shown this once.
    """
    if not may_manage_feed(user, enterprise):
        raise PermissionError("only the enterprise's people manage its calendar feed")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.update_or_create(enterprise=enterprise, defaults={
            "token_digest": _digest(token), "created_by": user, "created_at": timezone.now(), "last_read_at": None,
        })
        record_event(user, "enterprise.calendar_feed_created", enterprise)
    return token


def revoke_feed(user: Any, enterprise: Enterprise) -> bool:
    if not may_manage_feed(user, enterprise):
        raise PermissionError("only the enterprise's people manage its calendar feed")
    with transaction.atomic():
        deleted, _counts = CalendarFeed.objects.filter(enterprise=enterprise).delete()
        if deleted:
            record_event(user, "enterprise.calendar_feed_revoked", enterprise)
    return bool(deleted)


def feed_of_token(token: str) -> CalendarFeed | None:
    """The live feed a token opens, or None (an old, revoked or made-up token)."""
    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.objects.select_related("enterprise").filter(token_digest=_digest(token)).first()
    if feed is not None:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=timezone.now())
    return feed

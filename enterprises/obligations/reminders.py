"""Escalating reminders of the obligations calendar: 30, 7 and 1 days before, copied to the manager.

Each reminder's key is the obligation's uid and the threshold, so a run repeated the same day,
or a day missed and caught up, sends each threshold once: the nearest threshold not yet passed
is the one due (25 days before: the 30-day reminder; 5 days before: the 7-day one).
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.urls import reverse
from django.utils.text import format_lazy

from enterprises.managers.alerts import workbench_link
from enterprises.models import Enterprise, Membership
from notifications.outbox import notify

THRESHOLDS = (30, 7, 1)


def threshold_for(days_left: int) -> int | None:
    """The reminder due `days_left` days before an obligation: the smallest threshold it is within."""
    if days_left < 0:
        return None
    within = [threshold for threshold in THRESHOLDS if days_left <= threshold]
    return min(within) if within else None


def send_reminders(today: datetime.date) -> int:
    """Remind the members of each enterprise, and its service manager, of what comes due; returns reminders."""
    from enterprises.obligations.calendar import kind_label, obligations

    due = obligations(None, today, today + datetime.timedelta(days=max(THRESHOLDS)))
    if not due:
        return 0
    enterprise_ids = sorted({item.enterprise_id for item in due})
    enterprises = Enterprise.objects.select_related("service_manager").in_bulk(enterprise_ids)
    members = defaultdict(list)
    for membership in Membership.objects.filter(enterprise_id__in=enterprise_ids,
                                                user__is_active=True).select_related("user"):
        members[membership.enterprise_id].append(membership.user)
    sent = 0
    for item in due:
        threshold = threshold_for((item.on - today).days)
        enterprise = enterprises.get(item.enterprise_id)
        if threshold is None or enterprise is None:
            continue
        recipients = list(members[item.enterprise_id])
        manager = enterprise.service_manager
        if manager is not None and manager.is_active and manager not in recipients:
            recipients.append(manager)  # the copy to the 服务管家
        context = {"enterprise": enterprise.name, "title": format_lazy("{}: {}", kind_label(item.kind), item.title),
                   "due": item.on.isoformat(), "days": (item.on - today).days, "detail": item.detail}
        with transaction.atomic():
            for recipient in recipients:
                # The manager opens the workbench; the enterprise's people the application or the calendar.
                link = (workbench_link(enterprise.pk) if recipient == manager
                        else item.link or reverse("enterprise_obligations", args=[enterprise.pk]))
                notify(recipient, "obligation.reminder", context=context, key=f"{item.uid}:{threshold}", link=link)
        sent += 1
    return sent

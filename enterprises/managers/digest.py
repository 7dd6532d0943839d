"""The service manager's daily digest: one message a day, whatever how often the task runs."""

import datetime
from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from enterprises.managers.extensions import sections
from enterprises.managers.models import ThreadMessage
from enterprises.managers.portfolio import workbench_of
from enterprises.models import Enterprise
from notifications.outbox import notify


def managers_with_portfolios() -> dict[Any, list[int]]:
    """Every active manager and the ids of their enterprises."""
    portfolios: dict[int, list[int]] = defaultdict(list)
    for manager_id, enterprise_id in (Enterprise.objects.filter(service_manager__isnull=False,
                                                                service_manager__is_active=True)
                                      .values_list("service_manager_id", "id")):
        portfolios[manager_id].append(enterprise_id)
    users = get_user_model().objects.in_bulk(list(portfolios))
    return {users[pk]: ids for pk, ids in portfolios.items()}


class _Summary:
    """The digest's sentence, rendered in the recipient's language when the message is written."""

    def __init__(self, parts: list[tuple[Any, int]], messages: int) -> None:
        self.parts, self.messages = parts, messages

    def __str__(self) -> str:
        figures = [f"{label}: {count}" for label, count in self.parts]
        figures.append(f"{_('Messages from the enterprises since yesterday')}: {self.messages}")
        return "; ".join(figures) + "."


def send_daily_digests(today: datetime.date) -> int:
    """Tell each manager what their portfolio holds today; a second run the same day sends nothing new."""
    sent = 0
    portfolios = managers_with_portfolios()
    every_id = [pk for ids in portfolios.values() for pk in ids]
    workbench = workbench_of(every_id)
    start = datetime.datetime.combine(today, datetime.time.min).astimezone()
    messages = defaultdict(int)
    for enterprise_id in (ThreadMessage.objects.filter(enterprise_id__in=every_id, side=ThreadMessage.Side.ENTERPRISE,
                                                       created_at__gte=start - datetime.timedelta(days=1))
                          .values_list("enterprise_id", flat=True)):
        messages[enterprise_id] += 1
    labels = [(section.code, section.label) for section in sections()]
    for manager, ids in portfolios.items():
        totals = defaultdict(int)
        for pk in ids:
            for view in workbench[pk]:
                totals[view.code] += view.count
        summary = _Summary([(label, totals[code]) for code, label in labels], sum(messages[pk] for pk in ids))
        notify(manager, "manager.digest", context={"date": today.isoformat(), "enterprises": len(ids),
                                                   "summary": summary},
               key=today.isoformat(), link=reverse("admin:enterprises_managedenterprise_changelist"))
        sent += 1
    return sent

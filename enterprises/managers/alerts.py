"""Telling a service manager what happens to the enterprises they look after.

Each message has a key, so an event seen twice (a retried task, a scan run again) tells once.
The events themselves come from the apps that know them (`extensions`): the portal hooks the
filings and ratings of the audit trail, and scans for lateness and new matches.
"""

import datetime
import logging
from typing import Any

from django.urls import reverse

from enterprises.managers.extensions import ALERT_SCANS
from notifications.models import Notification
from notifications.outbox import notify

logger = logging.getLogger(__name__)

# What the manager is told of, each its wording of the one kind "manager.alert" ("" is a filing).
FILED, LATE, MATCHED, RATED_BADLY = "", "late", "matched", "rated_badly"


def workbench_link(enterprise_id: int) -> str:
    """The enterprise's page of the workbench, in the admin."""
    return reverse("admin:enterprises_managedenterprise_change", args=[enterprise_id])


def tell_manager(enterprise: Any, variant: str, *, context: dict[str, Any], key: str,
                 link: str = "") -> Notification | None:
    """Tell the enterprise's service manager (if it has an active one) of `variant`, once per `key`."""
    manager = enterprise.service_manager
    if manager is None or not manager.is_active:
        return None
    return notify(manager, "manager.alert", context={"enterprise": enterprise.name, **context},
                  key=f"{variant or 'filed'}:{enterprise.pk}:{key}", variant=variant,
                  link=link or workbench_link(enterprise.pk))


def run_alert_scans(today: datetime.date) -> int:
    """Run every registered scan; one failing does not keep the others from telling."""
    told = 0
    for name, scan in ALERT_SCANS.items():
        try:
            told += scan(today)
        except Exception:  # a scan's bug must not silence the others; it is logged for the operators
            logger.exception("service-manager alert scan %s failed", name)
    return told

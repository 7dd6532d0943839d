"""Celery beat tasks of the service managers' workbench and the obligations calendar.

Each is idempotent: the messages they write carry keys (the day, the obligation and threshold,
the event), so a retried or redelivered task tells nobody twice.
"""

import logging

from celery import shared_task
from django.utils import timezone

from enterprises.managers.alerts import run_alert_scans
from enterprises.managers.digest import send_daily_digests
from enterprises.obligations.reminders import send_reminders

log = logging.getLogger(__name__)
RETRY = {"acks_late": True, "autoretry_for": (Exception,), "retry_backoff": True, "retry_backoff_max": 600,
         "max_retries": 5}


@shared_task(name="enterprises.manager_digest", **RETRY)
def manager_digest() -> int:
    sent = send_daily_digests(timezone.localdate())
    log.info("service-manager digests: %d", sent)
    return sent


@shared_task(name="enterprises.manager_alerts", **RETRY)
def manager_alerts() -> int:
    told = run_alert_scans(timezone.localdate())
    log.info("service-manager alerts: %d", told)
    return told


@shared_task(name="enterprises.obligation_reminders", **RETRY)
def obligation_reminders() -> int:
    sent = send_reminders(timezone.localdate())
    log.info("obligation reminders: %d", sent)
    return sent

"""Celery tasks of the portal itself."""

import logging

from celery import shared_task

from portal.core.api.idempotency import purge_expired

log = logging.getLogger(__name__)


@shared_task(name="portal.purge_idempotency_keys", acks_late=True)
def purge_idempotency_keys() -> int:
    """Forget the Idempotency-Keys past their 24 hours (CELERY_BEAT_SCHEDULE, hourly)."""
    deleted = purge_expired()
    log.info("purged %d expired idempotency key(s)", deleted)
    return deleted

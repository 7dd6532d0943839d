"""Celery tasks of the portal itself."""

import logging

from celery import shared_task
from django.urls import reverse

from notifications.outbox import notify
from portal.core.access import superusers
from portal.core.api.idempotency import purge_expired
from portal.core.audit_chain import verify_chain

log = logging.getLogger(__name__)


@shared_task(name="portal.purge_idempotency_keys", acks_late=True)
def purge_idempotency_keys() -> int:
    """Forget the Idempotency-Keys past their 24 hours (CELERY_BEAT_SCHEDULE, hourly)."""
    deleted = purge_expired()
    log.info("purged %d expired idempotency key(s)", deleted)
    return deleted


@shared_task(name="portal.purge_expired_tokens", acks_late=True)
def purge_expired_tokens() -> int:
    """Delete the API tokens past their expiry (the authentication only refuses them)."""
    from django.utils import timezone
    from knox.models import get_token_model

    deleted, _ = get_token_model().objects.filter(expiry__lt=timezone.now()).delete()
    return deleted


@shared_task(name="portal.verify_audit_chain", acks_late=True)
def verify_audit_chain() -> bool:
    """Walk the audit chain (CELERY_BEAT_SCHEDULE, nightly); tell every superuser if it is broken."""
    check = verify_chain()
    # The head in the log is a copy of the chain's end kept outside the database: a trail
    # rewritten from some event to its end would rehash consistently, but not to this head.
    log.info("audit chain: %s; head %s", check, check.head)
    if check.intact:
        return True
    broken = check.first_broken
    log.error("audit chain broken: %s", check)
    context = {"event": broken.event_id, "at": broken.at.isoformat(), "action": broken.action,
               "stored": broken.stored_hash, "expected": broken.expected_hash, "count": check.broken_links}
    link = reverse("admin:portal_auditevent_change", args=[broken.event_id])
    for superuser in superusers():
        # Keyed by the break: one alert per new finding, not one every night for the same one.
        notify(superuser, "audit.chain_broken", context=context, link=link,
               key=f"{broken.event_id}:{check.broken_links}")
    return False


@shared_task(name="portal.apply_retention", acks_late=True)
def apply_retention() -> dict:
    """Erase the personal data past their retention period (CELERY_BEAT_SCHEDULE, nightly).

    Each record is erased in its own transaction and only once, so a retried task continues.
    """
    from portal.retention import apply_retention as apply

    plan = apply()
    log.info("retention: %s; erased %s", plan, plan.done)
    return plan.done

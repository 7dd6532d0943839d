"""Celery tasks of the outbox: delivery, the sweeper and the failure digest.

Their names are kept from before the split so that queued messages and the beat schedule still
find them.
"""

from celery import shared_task


@shared_task(name="services.deliver_notifications", acks_late=True, ignore_result=True)
def deliver_notifications(notification_ids: list[int]) -> dict[int, str]:
    """Idempotent: each row is claimed before sending, so a redelivered task sends nothing twice."""
    from notifications.delivery import deliver_batch

    return deliver_batch([int(pk) for pk in notification_ids][:500])


@shared_task(name="services.deliver_notification", acks_late=True, ignore_result=True)
def deliver_notification(notification_id: int) -> str:
    """One message: tasks of this name may still wait in a broker queued before batches existed."""
    from notifications.delivery import deliver

    return deliver(notification_id)


@shared_task(name="services.sweep_notifications", acks_late=True, ignore_result=True)
def sweep_notifications() -> int:
    from notifications.delivery import sweep

    return sweep()


@shared_task(name="services.notification_failure_digest", acks_late=True, ignore_result=True)
def notification_failure_digest() -> int:
    from notifications.delivery import send_failure_digest

    return send_failure_digest()

"""Celery tasks of the workflow's timers. Each wraps one function of services/timers.py."""

import logging

from celery import shared_task

from services import timers

log = logging.getLogger(__name__)


def _timer_task(name: str):
    function = timers.ALL_TIMERS[name]

    @shared_task(name=f"services.timers.{name}", acks_late=True, autoretry_for=(Exception,),
                 retry_backoff=True, retry_backoff_max=600, max_retries=5)
    def run() -> int:
        done = function()
        log.info("timer %s did %d", name, done)
        return done

    return run


auto_accept = _timer_task("auto_accept")
deferred_reminders = _timer_task("deferred_reminders")
suspend_overdue = _timer_task("suspend_overdue")
revoke_after_grace = _timer_task("revoke_after_grace")
sla_levels = _timer_task("sla_levels")
sample_post_checks = _timer_task("sample_post_checks")
overdue_post_checks = _timer_task("overdue_post_checks")


# --- delivery of the outbox (services/delivery.py) ---------------------------------------

@shared_task(name="services.deliver_notifications", acks_late=True, ignore_result=True)
def deliver_notifications(notification_ids: list[int]) -> dict[int, str]:
    """Idempotent: each row is claimed before sending, so a redelivered task sends nothing twice."""
    from services.delivery import deliver_batch

    return deliver_batch([int(pk) for pk in notification_ids][:500])


@shared_task(name="services.deliver_notification", acks_late=True, ignore_result=True)
def deliver_notification(notification_id: int) -> str:
    """One message: tasks of this name may still wait in a broker queued before batches existed."""
    from services.delivery import deliver

    return deliver(notification_id)


@shared_task(name="services.sweep_notifications", acks_late=True, ignore_result=True)
def sweep_notifications() -> int:
    from services.delivery import sweep

    return sweep()


@shared_task(name="services.notification_failure_digest", acks_late=True, ignore_result=True)
def notification_failure_digest() -> int:
    from services.delivery import send_failure_digest

    return send_failure_digest()

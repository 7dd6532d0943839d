"""Celery tasks of the workflow's timers. Each wraps one function of `timers.py`; the names are
the ones the beat schedule and queued messages use."""

import logging

from celery import shared_task

from services.applications import timers

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
close_unanswered_corrections = _timer_task("close_unanswered_corrections")
sample_post_checks = _timer_task("sample_post_checks")
overdue_post_checks = _timer_task("overdue_post_checks")
issue_missing_notices = _timer_task("issue_missing_notices")

"""Celery task of the ratings' clock (`timers.py`)."""

import logging

from celery import shared_task

from services.ratings.timers import flag_overdue_rectifications

log = logging.getLogger(__name__)


@shared_task(name="services.timers.overdue_rectifications", acks_late=True, autoretry_for=(Exception,),
             retry_backoff=True, retry_backoff_max=600, max_retries=5)
def overdue_rectifications() -> int:
    done = flag_overdue_rectifications()
    log.info("timer overdue_rectifications did %d", done)
    return done

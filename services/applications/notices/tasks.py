"""The Celery task of the notices: issuing one, queued after the transition commits.

The sweeper for lost tasks is the timer `issue_missing_notices` (services/applications/tasks.py)."""

from celery import shared_task

from services.applications.notices import issuing


@shared_task(name="services.issue_notice", acks_late=True, autoretry_for=(Exception,), retry_backoff=True,
             retry_backoff_max=600, max_retries=8)
def issue_notice(event_id: int) -> str | None:
    """Issue the notice of one recorded transition; a second run finds it and does nothing."""
    notice = issuing.issue(event_id)
    return notice.code if notice else None


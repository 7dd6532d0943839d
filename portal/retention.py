"""Retention: personal data are kept as long as the periods in the settings say, then erased.

This composes each app's own rule (it lives in `portal/` because it reaches several apps):
- finished applications' form answers and files after `RETENTION_YEARS`
  (services/applications/retention.py),
- the talent whose applications are all finished and untouched as long (talent/retention.py),
- message bodies after `NOTIFICATION_RETENTION_DAYS`, SMS after `SMS_RETENTION_DAYS`
  (notifications/retention.py).

`plan_retention` says what a run would erase, changing nothing (`manage.py apply_retention
--dry-run`); `apply_retention` erases it in small transactions, so a run stopped half-way
is simply continued by the next. Beat runs it nightly (`portal.apply_retention`).
"""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from notifications import retention as outbox
from portal.core.audit import record_event_about
from services.applications import retention as applications
from talent import retention as talent

CHUNK = 500


@dataclass
class RetentionPlan:
    """What one run erases: the cut-off dates and how many records each part touches."""

    application_cutoff: datetime.datetime
    message_cutoff: datetime.datetime
    sms_cutoff: datetime.datetime
    applications: int
    talent: int
    messages: int
    done: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.applications + self.talent + self.messages

    def __str__(self) -> str:
        return (
            f"finished applications with nothing since {self.application_cutoff:%Y-%m-%d}: {self.applications}; "
            f"talent with nothing since then: {self.talent}; "
            f"messages before {self.message_cutoff:%Y-%m-%d} (SMS before {self.sms_cutoff:%Y-%m-%d}): {self.messages}"
        )


def plan_retention(now: datetime.datetime | None = None) -> RetentionPlan:
    """Count what `apply_retention` would erase now, without changing anything."""
    now = now or timezone.now()
    plan = RetentionPlan(
        application_cutoff=now - relativedelta(years=settings.RETENTION_YEARS),
        message_cutoff=now - datetime.timedelta(days=settings.NOTIFICATION_RETENTION_DAYS),
        sms_cutoff=now - datetime.timedelta(days=settings.SMS_RETENTION_DAYS),
        applications=0, talent=0, messages=0,
    )
    plan.applications = applications.finished_before(plan.application_cutoff).count()
    plan.talent = _talent(plan).count()
    plan.messages = outbox.messages_to_purge(plan.message_cutoff, plan.sms_cutoff).count()
    return plan


def apply_retention(now: datetime.datetime | None = None,
                    progress: Callable[[int], None] | None = None) -> RetentionPlan:
    """Erase what the plan names, chunk by chunk; `progress(n)` is told of every n records done."""
    plan = plan_retention(now)
    tick = progress or (lambda n: None)
    erased = 0
    for ids in _chunks(applications.finished_before(plan.application_cutoff)):
        for application_id in ids:
            erased += applications.erase_personal_data(application_id)
        tick(len(ids))
    forgotten = 0
    for ids in _chunks(_talent(plan)):
        for talent_id in ids:
            forgotten += talent.anonymise_talent(talent_id)
        tick(len(ids))
    purged = 0
    for ids in _chunks(outbox.messages_to_purge(plan.message_cutoff, plan.sms_cutoff)):
        purged += outbox.purge_messages(ids)
        tick(len(ids))
    plan.done = {"applications": erased, "talent": forgotten, "messages": purged}
    if erased or forgotten or purged:
        record_event_about(None, "retention.applied", "portal.retention", 0, data={
            **plan.done, "application_cutoff": plan.application_cutoff.isoformat(),
            "message_cutoff": plan.message_cutoff.isoformat(), "sms_cutoff": plan.sms_cutoff.isoformat(),
        })
    return plan


def _talent(plan: RetentionPlan):
    return talent.talent_to_forget(plan.application_cutoff, applications.FINISHED_STATES,
                                   not_counting=[applications.ERASED])


def _chunks(queryset) -> Iterator[list[int]]:
    # Ids read a chunk at a time after the last one done: erased rows drop out of the query,
    # so paging by offset would skip some.
    last = 0
    while ids := list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK]):
        yield ids
        last = ids[-1]
